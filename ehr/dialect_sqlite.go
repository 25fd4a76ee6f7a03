package ehr

// An embedded SQLite file through the pure-Go modernc driver (bun's sqliteshim, no
// cgo) and bun's sqlitedialect.
//
// The read is one connection with query_only set and one deferred transaction whose
// first SELECT fixes the snapshot; the period's scans share it (the driver steps
// several statements on one connection). SQLite keeps timestamps as TEXT in several
// spellings (SPEC §3), so they are selected as text and parsed by the one parser
// (instant.go); dates too.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/schema"

	"github.com/mipspi/mipspi/measure"
)

// SQLite is Store.Dialect of an embedded SQLite database.
const SQLite = "sqlite"

type sqliteDialect struct{}

func (sqliteDialect) name() string { return SQLite }

func (sqliteDialect) dsnForms() []string { return []string{"sqlite:PATH", "file:PATH"} }

func (sqliteDialect) accepts(dsn string) bool {
	return strings.HasPrefix(dsn, "sqlite:") || strings.HasPrefix(dsn, "file:")
}

// parseDSN reads sqlite:PATH[?PARAMS] or file:PATH[?PARAMS]; PATH is a file name as
// given (no URI escaping), PARAMS SQLite URI parameters.
func (sqliteDialect) parseDSN(dsn string) (*DSN, error) {
	_, rest, _ := strings.Cut(dsn, ":")
	file, params, _ := strings.Cut(rest, "?")
	if file == "" {
		return nil, fmt.Errorf("empty SQLite path; want %s", acceptedDSNs())
	}
	q, err := url.ParseQuery(params)
	if err != nil {
		return nil, fmt.Errorf("sqlite:%s: the parameters after '?' are not name=value pairs joined by '&'", file)
	}
	d := &DSN{Dialect: SQLite, raw: dsn, Path: file, Params: q, params: params, Redacted: "sqlite:" + file}
	d.Memory = file == ":memory:" || slices.Contains(q["mode"], "memory")
	return d, nil
}

// Parameters a read-only SQLite open accepts; every other one is refused.
var (
	readPragma     = regexp.MustCompile(`^(?i)(busy_timeout|cache_size|mmap_size|temp_store)(\((-?[0-9]{1,12}|[a-z]{1,10})\)|=(-?[0-9]{1,12}|[a-z]{1,10}))?$`)
	readParamsHelp = "mode=ro, cache=shared|private, _pragma=busy_timeout(N)|cache_size(N)|mmap_size(N)|temp_store(memory)"
)

// checkRead refuses SQLite parameters other than the read-only ones (a `_pragma` runs
// SQL when the connection opens: `user_version(1);DROP TABLE …`, `journal_mode(WAL)`
// rewrites the file; `mode=rw`/`rwc` lifts read-only; `_txlock` takes a write lock),
// and an in-memory database, which holds no EHR.
func (sqliteDialect) checkRead(d *DSN) error {
	if d.Memory {
		return fmt.Errorf("%s: an in-memory SQLite database holds no EHR; give the database file", d.Redacted)
	}
	names := make([]string, 0, len(d.Params))
	for k := range d.Params {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range d.Params[k] {
			ok := false
			switch k {
			case "mode":
				ok = v == "ro"
			case "cache":
				ok = v == "shared" || v == "private"
			case "_pragma":
				ok = readPragma.MatchString(strings.TrimSpace(v))
			}
			if !ok {
				return fmt.Errorf("%s: SQLite parameter %s is refused: mipspi opens the EHR read-only and accepts only %s",
					d.Redacted, quoteParam(k, v), readParamsHelp)
			}
		}
	}
	return nil
}

// quoteParam shows a parameter for a message, cut and quoted when odd.
func quoteParam(k, v string) string {
	s := k + "=" + v
	if len(s) > 60 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == ' ' }) {
		return quote(s)
	}
	return s
}

// open: for reading, read-only (`mode=ro` plus `query_only`), the parameters checked
// (checkRead), a missing path, a directory or anything but a regular file refused; for
// writing, the parameters as given.
func (sqliteDialect) open(ctx context.Context, d *DSN, ro *ReadOptions) (*bun.DB, error) {
	var q string
	if ro == nil {
		q = "_pragma=busy_timeout(10000)"
		if d.params != "" {
			q = d.params + "&" + q
		}
	} else {
		if err := CheckSQLiteFile(d.Path); err != nil {
			return nil, fmt.Errorf("open %s: %w", d.Redacted, err)
		}
		q = readOnlyParams(d, ro).Encode()
	}
	// The driver reads a SQLite URI: escape what would end the path early.
	uriPath := strings.NewReplacer("%", "%25", "#", "%23", "?", "%3F").Replace(d.Path)
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+uriPath+"?"+q)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", d.Redacted, err)
	}
	if d.Memory {
		// Every connection to :memory: is a new, empty database.
		sqldb.SetMaxOpenConns(1)
	}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open %s: %w", d.Redacted, err)
	}
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

// readOnlyParams are the URI parameters of a read-only open: mode=ro, the accepted
// parameters as given, a busy timeout (--timeout, else 10 s) and query_only.
func readOnlyParams(d *DSN, o *ReadOptions) url.Values {
	q := url.Values{}
	q.Set("mode", "ro")
	for _, v := range d.Params["cache"] {
		q.Add("cache", v)
	}
	busy := false
	for _, v := range d.Params["_pragma"] {
		busy = busy || strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "busy_timeout")
		q.Add("_pragma", v)
	}
	if !busy {
		ms := int64(10000)
		if o.BusyTimeout > 0 {
			ms = max(1, o.BusyTimeout.Milliseconds())
		}
		q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", ms))
	}
	q.Add("_pragma", "query_only(1)")
	return q
}

// CheckSQLiteFile refuses, before SQLite sees it, a database path that does not exist
// (SQLite would create an empty file), a directory (SQLite says "out of memory") or
// anything but a regular file (a FIFO would block the open).
func CheckSQLiteFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return err
	}
	switch {
	case fi.IsDir():
		return errors.New("is a directory, not a SQLite database file")
	case !fi.Mode().IsRegular():
		return errors.New("is not a regular file (a device, pipe or socket), not a SQLite database file")
	}
	return nil
}

// fingerprint names a file by its absolute path on the machine that read it (two
// sites may both call theirs ehr.db).
func (sqliteDialect) fingerprint(d *DSN) *measure.Fingerprint {
	if d.Memory {
		return nil
	}
	p := d.Path
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	host, _ := os.Hostname()
	return &measure.Fingerprint{Dialect: SQLite, Host: host, Database: p}
}

// liteSnapshot is the read's connection and its one transaction.
type liteSnapshot struct {
	conn *sql.Conn
	main *sql.Tx
}

// begin: one connection, query_only so that nothing can write through it, and one
// deferred transaction whose first SELECT fixes the snapshot.
func (sqliteDialect) begin(ctx context.Context, db *bun.DB) (snapshot, error) {
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
		conn.Close()
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.ExecContext(context.Background(), "PRAGMA query_only = OFF")
		conn.Close()
		return nil, err
	}
	return &liteSnapshot{conn: conn, main: tx}, nil
}

func (s *liteSnapshot) tx() querier { return s.main }

// scans: every scan in the one transaction.
func (s *liteSnapshot) scans(ctx context.Context, qs []scanQuery) ([]rows, error) {
	out := make([]rows, 0, len(qs))
	for _, q := range qs {
		rs, err := s.main.QueryContext(ctx, q.sql(), q.args...)
		if err != nil {
			for _, o := range out {
				o.Close()
			}
			return nil, err
		}
		out = append(out, rs)
	}
	return out, nil
}

func (s *liteSnapshot) close() {
	s.main.Rollback()
	if _, err := s.conn.ExecContext(context.Background(), "PRAGMA query_only = OFF"); err != nil {
		// Never hand a read-only connection back to the pool.
		s.conn.Raw(func(any) error { return driverBadConn })
	}
	s.conn.Close()
}

// connectionLost: a file does not go away mid-read.
func (sqliteDialect) connectionLost(error) bool { return false }

// columnTypes: SQLite's declared types are advisory (any column holds any value), so
// nothing is an instant or an integer by its type.
func (sqliteDialect) columnTypes(context.Context, querier) (map[string]bool, map[string]bool, error) {
	return map[string]bool{}, map[string]bool{}, nil
}

func (sqliteDialect) idUnique(ctx context.Context, q querier, rel string) (bool, error) {
	var unique bool
	err := q.QueryRowContext(ctx, `SELECT ((SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1
			  AND EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE pk = 1 AND name = 'id'))
			OR EXISTS (SELECT 1 FROM pragma_index_list(?1) l WHERE l."unique" = 1 AND l.partial = 0
			  AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1
			  AND (SELECT name FROM pragma_index_info(l.name)) = 'id')`, rel).Scan(&unique)
	return unique, err
}

// fetch: timestamps and dates as text (CAST), so that no driver guesses at declared
// DATETIME columns of a view; instant.go parses the text.
func (sqliteDialect) fetch(c *column, alias string, _ *catalogue) (string, bool) {
	name := qualified(c, alias)
	if c.kind == kInstant || c.kind == kDate {
		return "CAST(" + name + " AS TEXT)", false
	}
	return name, false
}

// rawInstant: nothing is fetched raw.
func (sqliteDialect) rawInstant([]byte) (time.Time, int8, bool) { return time.Time{}, 0, false }

func (sqliteDialect) placeholder(n int) string { return "?" + strconv.Itoa(n) }

func (sqliteDialect) instant(t time.Time) any { return formatInstant(t) }

// inWindow compares instants through julianday(), which reads every spelling of
// instant.go once upper-cased (upper only for the rare lower-case t).
func (sqliteDialect) inWindow(col string) string {
	jd := "coalesce(julianday(" + col + "), julianday(upper(" + col + ")))"
	return "(" + jd + " >= julianday(?1) AND " + jd + " < julianday(?2))"
}

// sqliteShapeGlob is the start every accepted timestamp text has (instant.go).
const sqliteShapeGlob = `[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt ]*`

// visitScan: one row per note. There is no julianday() and no GLOB on the period's
// rows: the query keeps the rows whose text starts with a date within a day of the UTC
// window (a local date is never more than 15 hours from the UTC one), and the reader
// parses every timestamp and keeps the appointments whose instant lies in the window.
// Text that does not have the shape of a timestamp is always read — the GLOB runs only
// on rows outside the window — so that it is reported, never dropped.
func (sqliteDialect) visitScan(acols, ncols string, lo, hi time.Time, _ *catalogue) scanQuery {
	tlo, thi := sqliteTextBounds(lo, hi)
	return scanQuery{
		cols:    acols + ", " + ncols + ", CASE WHEN n.appointment_id IS NULL THEN 0 ELSE 1 END",
		from:    "appointments a LEFT JOIN clinical_notes n ON n.appointment_id = a.id",
		where:   "(a.scheduled_at >= ?1 AND a.scheduled_at < ?2) OR a.scheduled_at IS NULL OR NOT (a.scheduled_at GLOB ?3)",
		order:   "a.patient_id",
		patient: "a.patient_id",
		args:    []any{tlo, thi, sqliteShapeGlob},
	}
}

// sqliteTextBounds are the date texts that bracket every spelling of an instant in
// [lo, hi): one day wider on each side than the UTC dates.
func sqliteTextBounds(lo, hi time.Time) (string, string) {
	return lo.AddDate(0, 0, -1).Format(time.DateOnly), hi.AddDate(0, 0, 1).Format(time.DateOnly)
}

// notesOutside: the period scan's WHERE on text has no exact complement here.
func (sqliteDialect) notesOutside(*catalogue) string { return "" }

// identity is a digest of the schema and of each relation's row count and highest id:
// a byte copy of the file, or the file reached through a link, gives the same one
// (SPEC §7).
func (sqliteDialect) identity(ctx context.Context, q querier) (string, error) {
	h := sha256.New()
	rows, err := q.QueryContext(ctx, `SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var typ, name, tbl, ddl string
		if err := rows.Scan(&typ, &name, &tbl, &ddl); err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%q %q %q %q\n", typ, name, tbl, ddl)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	for _, rel := range relations {
		var n int64
		var top any
		if err := q.QueryRowContext(ctx, `SELECT count(*), max(id) FROM `+rel.name).Scan(&n, &top); err != nil {
			return "", fmt.Errorf("%s: %w", rel.name, err)
		}
		fmt.Fprintf(h, "%s %d %T %v\n", rel.name, n, top, top)
	}
	return "sqlite:sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

func (sqliteDialect) relationsSQL() string {
	return `SELECT name, type FROM sqlite_schema
			WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
}

// adaptColumn: ids are INTEGER PRIMARY KEY (the rowid: integers only, never NULL),
// timestamps and dates TEXT (instant.go), booleans INTEGER 0/1.
func (sqliteDialect) adaptColumn(f *schema.Field) {
	switch strings.ToLower(f.UserSQLType) {
	case "timestamptz", "date", "text":
		f.CreateTableSQLType = "TEXT"
	case "boolean", "bigint", "integer":
		f.CreateTableSQLType = "INTEGER"
	default:
		f.CreateTableSQLType = f.UserSQLType
	}
	switch strings.ToUpper(f.SQLDefault) {
	case "TRUE":
		f.SQLDefault = "1"
	case "FALSE":
		f.SQLDefault = "0"
	}
}

// bulkStart: journal_mode=WAL, synchronous=OFF, a 256 MB page cache and in-memory temp
// store for the load; synchronous and the journal mode are put back.
func (sqliteDialect) bulkStart(ctx context.Context, conn *sql.Conn) (func(), error) {
	var journal string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil {
		return nil, err
	}
	restore := func() {
		ctx := context.Background()
		conn.ExecContext(ctx, "PRAGMA synchronous = FULL")
		if journal != "" && !strings.EqualFold(journal, "wal") {
			conn.ExecContext(ctx, "PRAGMA journal_mode = "+journal)
		}
	}
	for _, p := range []string{"PRAGMA journal_mode = WAL", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144", "PRAGMA temp_store = MEMORY"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			restore()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return restore, nil
}

// bulkValue: instants as UTC RFC 3339 text (never the driver's own time spelling),
// booleans 0/1.
func (sqliteDialect) bulkValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return formatInstant(x)
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	}
	return v
}

const sqliteMaxParams = 30000 // SQLITE_MAX_VARIABLE_NUMBER is 32766 since 3.32

// sqliteRowsPerInsert is the rows of one INSERT. Measured (200k appointments with
// their rows, modernc v1.46): one-row prepared INSERTs ~100-125k rows/s, 4-100 rows
// per statement 55-80k, 500 rows ~40k — the driver binds each parameter with a linear
// search over all arguments (quadratic in statement width) and a multi-row statement
// needs a statement journal. So one row per INSERT, prepared once per transaction.
var sqliteRowsPerInsert = 1

// sqliteCommitRows is a variable so that tests can cross it with few rows.
var sqliteCommitRows = 200000

// bulkWrite sends t's rows as INSERTs of sqliteRowsPerInsert rows (bulkInsert).
func (sqliteDialect) bulkWrite(ctx context.Context, tx *sql.Tx, t *bulkTable) error {
	return bulkInsert(ctx, tx, t, min(sqliteRowsPerInsert, sqliteMaxParams/len(t.cols)))
}

func (sqliteDialect) bulkCommitRows() int { return sqliteCommitRows }
