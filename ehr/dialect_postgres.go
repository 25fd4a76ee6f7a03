package ehr

// PostgreSQL through lib/pq and bun's pgdialect.
//
// The read is one exported snapshot: the read's transaction (read-only, repeatable
// read) exports it first (pg_export_snapshot), and the period's other scans run on
// their own connections in transactions that adopt it (SET TRANSACTION SNAPSHOT), as
// pg_dump -j does, so that the server works on them at once and the report is still
// one consistent view (SPEC §3). The scans are prepared statements, so that lib/pq
// receives integers and bytea in binary, and timestamptz columns are sent in
// PostgreSQL's binary form (timestamptz_send): the server formats no date and Go
// parses none (fetch, rawInstant).

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"

	"github.com/mipspi/mipspi/measure"
)

// Postgres is Store.Dialect of a PostgreSQL database.
const Postgres = "postgres"

type postgresDialect struct{}

func (postgresDialect) name() string { return Postgres }

func (postgresDialect) dsnForms() []string {
	return []string{"postgres://USER@HOST:PORT/DB", "postgresql://…"}
}

func (postgresDialect) accepts(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// parseDSN reads a PostgreSQL URL. Go's URL parser, given an unescaped '#', '/', '?' or
// '@' in a password, takes part of the password for the host, the port, the path or a
// fragment, and says so in its error ("invalid port \":Sup3r…\""); a numeric password
// before a '/' even parses, as a port. So a DSN is accepted only when its last '@'
// ends the authority and it has no fragment, and a parse error is reported by its
// kind, never by its text.
func (postgresDialect) parseDSN(dsn string) (*DSN, error) {
	_, rest, _ := strings.Cut(dsn, "://")
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if strings.Contains(rest, "#") {
		return nil, fmt.Errorf("invalid PostgreSQL DSN: it holds a '#' (in a URL it starts a fragment); %s", DSNEscapeHint)
	}
	if at := strings.LastIndex(rest, "@"); at >= len(authority) {
		return nil, fmt.Errorf("invalid PostgreSQL DSN: an '@' after the host (a user name or password with an unescaped /, ? or @?); %s", DSNEscapeHint)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("invalid PostgreSQL DSN: %s; %s", urlProblem(err), DSNEscapeHint)
	}
	if u.Port() != "" {
		if _, err := strconv.ParseUint(u.Port(), 10, 16); err != nil {
			return nil, fmt.Errorf("invalid PostgreSQL DSN: the port is not a number from 0 to 65535; %s", DSNEscapeHint)
		}
	}
	host, port, db := postgresAddress(u)
	user := ""
	if u.User != nil && u.User.Username() != "" {
		user = u.User.Username() + "@"
	}
	d := &DSN{Dialect: Postgres, raw: dsn, Redacted: "postgres://" + user + host + ":" + port + "/" + db,
		Host: host, Port: port, Database: db}
	typed := ""
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		_, typed, _ = strings.Cut(authority[:at], ":")
	}
	password, ok := u.User.Password()
	if !ok {
		password = u.Query().Get("password")
	}
	d.secret = newSecret(password, typed)
	return d, nil
}

// postgresAddress is the host, port and database a PostgreSQL URL names, with lib/pq's
// defaults (a unix socket directory given as ?host=…).
func postgresAddress(u *url.URL) (host, port, db string) {
	q := u.Query()
	host = u.Hostname()
	if host == "" {
		host = q.Get("host")
	}
	if host == "" {
		host = "localhost"
	}
	port = u.Port()
	if port == "" {
		port = q.Get("port")
	}
	if port == "" {
		port = "5432"
	}
	db = strings.TrimPrefix(u.Path, "/")
	if db == "" {
		db = q.Get("dbname")
	}
	return host, port, db
}

// urlProblem names what net/url found wrong without its text, which quotes the DSN.
func urlProblem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "invalid port"):
		return "the port is not a number"
	case strings.HasPrefix(msg, "invalid URL escape"):
		return "a % is not followed by two hexadecimal digits"
	case strings.Contains(msg, "invalid userinfo"):
		return "the user name or password holds a character that must be escaped"
	case strings.Contains(msg, "invalid character") && strings.Contains(msg, "host"):
		return "the host name holds an invalid character"
	case strings.Contains(msg, "control character"):
		return "it holds a control character"
	case strings.Contains(msg, "missing ']'"), strings.Contains(msg, "IPv6"):
		return "an IPv6 host must be written in brackets, [::1]"
	}
	return "it is not a valid URL"
}

// checkRead: the read itself is a READ ONLY transaction (begin).
func (postgresDialect) checkRead(*DSN) error { return nil }

func (postgresDialect) open(ctx context.Context, d *DSN, _ *ReadOptions) (*bun.DB, error) {
	connector, err := pq.NewConnector(d.raw)
	if err != nil {
		return nil, d.Scrub(fmt.Errorf("open %s: %w", d.Redacted, err))
	}
	sqldb := sql.OpenDB(connector)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, d.Scrub(postgresHint(fmt.Errorf("connect to %s: %w", d.Redacted, err)))
	}
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// postgresHint adds what to change to lib/pq's answer from a server without TLS: the
// default sslmode=require cannot be met there.
func postgresHint(err error) error {
	if err == nil || !strings.Contains(err.Error(), "SSL is not enabled on the server") {
		return err
	}
	return fmt.Errorf("%w (the server offers no TLS: on a trusted network add sslmode=disable to the DSN; in production enable TLS on the server and use sslmode=verify-full)", err)
}

func (postgresDialect) fingerprint(d *DSN) *measure.Fingerprint {
	return &measure.Fingerprint{Dialect: Postgres, Host: d.Host, Port: d.Port, Database: d.Database}
}

// pgSnapshot is the read's transaction and the snapshot it exported, which the period's
// other scans adopt on their own connections.
type pgSnapshot struct {
	db    *bun.DB
	main  *sql.Tx
	id    string
	extra []*sql.Tx
}

func (postgresDialect) begin(ctx context.Context, db *bun.DB) (snapshot, error) {
	// BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY (SPEC §3).
	tx, err := db.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	s := &pgSnapshot{db: db, main: tx}
	// Exported first, while the transaction is still plain.
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&s.id); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("export the snapshot: %w", err)
	}
	return s, nil
}

func (s *pgSnapshot) tx() querier { return s.main }

// scans runs the first scan in the read's transaction and each other one on its own
// connection in the same snapshot; those transactions are all open before any scan
// starts. Each is a prepared statement: lib/pq asks for binary integers and bytea
// only then.
func (s *pgSnapshot) scans(ctx context.Context, qs []scanQuery) ([]rows, error) {
	for len(s.extra) < len(qs)-1 {
		tx, err := s.adopt(ctx)
		if err != nil {
			return nil, err
		}
		s.extra = append(s.extra, tx)
	}
	out := make([]rows, 0, len(qs))
	fail := func(err error) ([]rows, error) {
		for _, o := range out {
			o.Close()
		}
		return nil, err
	}
	for i, q := range qs {
		in := s.main
		if i > 0 {
			in = s.extra[i-1]
		}
		stmt, err := in.PrepareContext(ctx, q.sql())
		if err != nil {
			return fail(err)
		}
		rs, err := stmt.QueryContext(ctx, q.args...)
		if err != nil {
			stmt.Close()
			return fail(err)
		}
		out = append(out, stmtRows{rs, stmt})
	}
	return out, nil
}

// stmtRows are a prepared statement's rows; the statement is closed after them (lib/pq
// cannot close it while its rows are being sent).
type stmtRows struct {
	*sql.Rows
	stmt *sql.Stmt
}

func (r stmtRows) Close() error {
	err := r.Rows.Close()
	r.stmt.Close()
	return err
}

// adopt opens another read-only, repeatable-read transaction on its own connection
// that sees exactly the snapshot of the read's transaction.
func (s *pgSnapshot) adopt(ctx context.Context) (*sql.Tx, error) {
	tx, err := s.db.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	// The id is the server's own (hex digits and dashes); SET takes no parameters.
	if _, err := tx.ExecContext(ctx, `SET TRANSACTION SNAPSHOT `+pqQuote(s.id)); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

func (s *pgSnapshot) close() {
	for _, tx := range s.extra {
		tx.Rollback()
	}
	s.main.Rollback()
}

func pqQuote(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}

// connectionLost: lib/pq reports a connection that ended mid-row as EOF or a reset on
// one connection and "bad connection" on another; 57P01..57P03 are the server
// shutting down or starting up.
func (postgresDialect) connectionLost(err error) bool {
	var netErr *net.OpError
	var pqErr *pq.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &netErr) ||
		errors.As(err, &pqErr) && strings.HasPrefix(string(pqErr.Code), "57P")
}

// columnTypes: tables or views alike; anything but timestamptz (a view's text, a
// timestamp without zone) is read as lib/pq hands it over.
func (postgresDialect) columnTypes(ctx context.Context, q querier) (instant, integer map[string]bool, err error) {
	instant, integer = map[string]bool{}, map[string]bool{}
	rows, err := q.QueryContext(ctx, `SELECT c.relname, a.attname, a.atttypid = 'timestamptz'::regtype,
		  a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE a.attrelid IN (to_regclass('appointments'), to_regclass('clinical_notes'),
		    to_regclass('portal_invitations'), to_regclass('patients'))
		  AND a.attnum > 0 AND NOT a.attisdropped`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rel, col string
		var tz, integ bool
		if err := rows.Scan(&rel, &col, &tz, &integ); err != nil {
			return nil, nil, err
		}
		instant[rel+"."+col] = tz
		integer[rel+"."+col] = integ
	}
	return instant, integer, rows.Err()
}

func (postgresDialect) idUnique(ctx context.Context, q querier, rel string) (bool, error) {
	var unique bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_index i
			JOIN pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = i.indkey[0]
			WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indnkeyatts = 1
			  AND i.indpred IS NULL AND i.indexprs IS NULL AND att.attname = 'id')`, rel).Scan(&unique)
	return unique, err
}

// fetch: a timestamptz column of the period's relations in its binary form; anything
// else (a view's text, a timestamp without zone, the practice's relations read before
// the catalogue) as lib/pq hands it over.
func (postgresDialect) fetch(c *column, alias string, cat *catalogue) (string, bool) {
	name := qualified(c, alias)
	if c.kind == kInstant && cat != nil && cat.instant[c.rel+"."+c.name] {
		return "timestamptz_send(" + name + ")", true
	}
	return name, false
}

// pgEpoch is PostgreSQL's epoch of its binary timestamps, 2000-01-01T00:00:00Z, in Unix
// seconds.
const pgEpoch = 946684800

// rawInstant decodes timestamptz_send: microseconds since 2000-01-01 UTC as a
// big-endian int64, infinity and -infinity its largest and smallest values.
func (postgresDialect) rawInstant(b []byte) (time.Time, int8, bool) {
	if len(b) != 8 {
		return time.Time{}, 0, false
	}
	us := int64(binary.BigEndian.Uint64(b))
	switch us {
	case math.MaxInt64:
		return time.Time{}, 1, false
	case math.MinInt64:
		return time.Time{}, -1, false
	}
	return time.Unix(pgEpoch+us/1e6, us%1e6*1e3).UTC(), 0, true
}

func (postgresDialect) placeholder(n int) string { return "$" + strconv.Itoa(n) }

func (postgresDialect) instant(t time.Time) any { return t }

func (postgresDialect) inWindow(col string) string {
	return "(" + col + " >= $1 AND " + col + " < $2)"
}

// visitScan: the notes of each appointment through a LATERAL subquery, in the order of
// the index appointments(patient_id, scheduled_at) — a plan that streams from the first
// row (the floor's own), so that the server and Go work at once; a hash join and a sort
// of every row came out cheaper for the planner but sent nothing until the sort was
// done. OFFSET 0 keeps the LATERAL a nested loop along the index. The note's ids are
// not sent (NULL): nothing needs them but a message. Rows with a NULL scheduled_at are
// kept so that they are reported.
func (postgresDialect) visitScan(acols, ncols string, lo, hi time.Time, _ *catalogue) scanQuery {
	return scanQuery{
		cols: acols + ", " + ncols + ", n.cnt",
		from: `appointments a LEFT JOIN LATERAL (
  SELECT 1 AS cnt, NULL::bigint AS id, NULL::bigint AS appointment_id, x.signed_at, x.locked_at
  FROM clinical_notes x WHERE x.appointment_id = a.id OFFSET 0) n ON true`,
		where:   `(a.scheduled_at >= $1 AND a.scheduled_at < $2) OR a.scheduled_at IS NULL`,
		order:   "a.patient_id, a.scheduled_at",
		patient: "a.patient_id",
		args:    []any{lo, hi},
	}
}

func (postgresDialect) notesOutside(*catalogue) string {
	return `SELECT count(*) FROM clinical_notes n JOIN appointments a ON a.id = n.appointment_id
   WHERE a.scheduled_at < $1 OR a.scheduled_at >= $2`
}

// identity is the cluster's system identifier (initdb's, kept by every copy of the
// data directory and every physical replica) and the database's name: the same
// whatever host name or address reaches the server (SPEC §7). A server that does not
// let the login call pg_control_system() (SQLSTATE 42501) gives none: combine then
// compares the names the DSNs gave, as for reports written before the identity.
func (postgresDialect) identity(ctx context.Context, q querier) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT system_identifier::text || '/' || current_database() FROM pg_control_system()`).Scan(&id)
	var pqErr *pq.Error
	switch {
	case errors.As(err, &pqErr) && pqErr.Code == "42501":
		return "", nil
	case err != nil:
		return "", err
	}
	return "postgres:" + id, nil
}

func (postgresDialect) relationsSQL() string {
	return `SELECT table_name, CASE WHEN table_type = 'BASE TABLE' THEN 'table' ELSE 'view' END
			FROM information_schema.tables
			WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
			  AND table_schema NOT LIKE 'pg\_%'`
}

// adaptColumn: the models carry PostgreSQL's types.
func (postgresDialect) adaptColumn(*schema.Field) {}

func (postgresDialect) bulkStart(context.Context, *sql.Conn) (func(), error) { return func() {}, nil }

func (postgresDialect) bulkValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC()
	}
	return v
}

// bulkWrite sends t's rows with one COPY … FROM STDIN.
func (postgresDialect) bulkWrite(ctx context.Context, tx *sql.Tx, t *bulkTable) error {
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(t.name, t.cols...))
	if err != nil {
		return err
	}
	k := len(t.cols)
	for i := 0; i < len(t.vals); i += k {
		if _, err := stmt.ExecContext(ctx, t.vals[i:i+k]...); err != nil {
			stmt.Close()
			return err
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return err
	}
	return stmt.Close()
}

// bulkCommitRows: one transaction.
func (postgresDialect) bulkCommitRows() int { return 0 }
