package ehr

// dsn.go reads a --db value into its parts before anything is opened (issue 13), so that
//
//   - the EHR is opened read-only for reading (SQLite `mode=ro` plus `query_only`; SQLite
//     parameters that could write, such as a `_pragma` running SQL or `mode=rwc`, are
//     refused; a missing file is an error, never created);
//   - no message ever carries any part of a PostgreSQL password, whatever the DSN's shape:
//     a DSN whose user name or password holds an unescaped URL character cannot be split
//     unambiguously, so it is refused without quoting it.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
)

// DSN is a parsed --db value. Its fields never hold the password in clear except
// password, which only scrubs messages.
type DSN struct {
	Dialect string // Postgres, SQLite or MariaDB
	// SQLite: the file as given (no URI escaping) and its URI parameters.
	Path   string
	Params url.Values
	Memory bool // SQLite in-memory (":memory:" or mode=memory): no file
	// Redacted is the DSN for messages: user, host, port and database, or sqlite:PATH.
	Redacted string
	raw      string
	password string
	typed    string        // the password as typed in the DSN, percent escapes and all
	mysql    *mysql.Config // MariaDB: the driver's configuration (mariadb_dsn.go)
}

// DSNEscapeHint tells how to write a user name or password holding URL characters.
const DSNEscapeHint = "percent-escape special characters in the user name and password " +
	"(@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, space as %20), " +
	"or leave the password out of the DSN and use ~/.pgpass or $PGPASSWORD"

// ParseDSN splits dsn into its parts. Its error never contains any part of a password:
// it names the scheme at most.
func ParseDSN(dsn string) (*DSN, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return parsePostgres(dsn)
	case strings.HasPrefix(dsn, "mysql://"), strings.HasPrefix(dsn, "mariadb://"):
		return parseMariaDB(dsn)
	case strings.HasPrefix(dsn, "sqlite:"):
		return parseSQLite(dsn, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "file:"):
		return parseSQLite(dsn, strings.TrimPrefix(dsn, "file:"))
	case dsn == "":
		return nil, fmt.Errorf("no DSN given; want %s", acceptedDSNs)
	default:
		scheme := dsn
		if i := strings.IndexAny(scheme, ":/@ "); i >= 0 {
			scheme = scheme[:i]
		}
		return nil, fmt.Errorf("unsupported DSN %q…; want %s", scheme, acceptedDSNs)
	}
}

// parsePostgres reads a PostgreSQL URL. Go's URL parser, given an unescaped '#', '/',
// '?' or '@' in a password, takes part of the password for the host, the port, the
// path or a fragment, and says so in its error ("invalid port \":Sup3r…\""); a numeric
// password before a '/' even parses, as a port. So a DSN is accepted only when its last
// '@' ends the authority and it has no fragment, and a parse error is reported by its
// kind, never by its text.
func parsePostgres(dsn string) (*DSN, error) {
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
	d := &DSN{Dialect: Postgres, raw: dsn, Redacted: redactPostgres(u)}
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		if _, typed, ok := strings.Cut(authority[:at], ":"); ok {
			d.typed = typed
		}
	}
	if pw, ok := u.User.Password(); ok {
		d.password = pw
	} else if pw := u.Query().Get("password"); pw != "" {
		d.password = pw
	}
	return d, nil
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

// parseSQLite reads sqlite:PATH[?PARAMS] (raw is the whole DSN).
func parseSQLite(raw, rest string) (*DSN, error) {
	file, params, _ := strings.Cut(rest, "?")
	if file == "" {
		return nil, fmt.Errorf("empty SQLite path; want %s", acceptedDSNs)
	}
	q, err := url.ParseQuery(params)
	if err != nil {
		return nil, fmt.Errorf("sqlite:%s: the parameters after '?' are not name=value pairs joined by '&'", file)
	}
	d := &DSN{Dialect: SQLite, raw: raw, Path: file, Params: q, Redacted: "sqlite:" + file}
	d.Memory = file == ":memory:" || slices.Contains(q["mode"], "memory")
	return d, nil
}

// Parameters a read-only SQLite open accepts; every other one is refused (issue 13).
var (
	readPragma     = regexp.MustCompile(`^(?i)(busy_timeout|cache_size|mmap_size|temp_store)(\((-?[0-9]{1,12}|[a-z]{1,10})\)|=(-?[0-9]{1,12}|[a-z]{1,10}))?$`)
	readParamsHelp = "mode=ro, cache=shared|private, _pragma=busy_timeout(N)|cache_size(N)|mmap_size(N)|temp_store(memory)"
)

// CheckRead refuses what would let a reading command write or create the EHR: SQLite
// parameters other than the read-only ones (a `_pragma` runs SQL when the connection
// opens: `user_version(1);DROP TABLE …`, `journal_mode(WAL)` rewrites the file;
// `mode=rw`/`rwc` lifts read-only; `_txlock` takes a write lock), and an in-memory
// database, which holds no EHR.
func (d *DSN) CheckRead() error {
	if d.Dialect != SQLite {
		return nil
	}
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

// Scrub removes the password (decoded and as typed) from err's message.
func (d *DSN) Scrub(err error) error {
	if err == nil || d == nil || (d.password == "" && d.typed == "") {
		return err
	}
	msg := err.Error()
	for _, p := range []string{d.password, d.typed, url.PathEscape(d.password), url.QueryEscape(d.password), url.UserPassword("", d.password).String()[1:]} {
		if len(p) > 0 {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

// ReadOptions tune a read-only open.
type ReadOptions struct {
	// BusyTimeout bounds how long SQLite waits for another connection's write lock
	// (the --timeout of the run); 0 keeps the 10 s default.
	BusyTimeout time.Duration
}

// OpenReadOnly opens dsn for the commands that only read (report, notes, export):
// SQLite read-only (`mode=ro`, `query_only`), refusing parameters that could write
// (CheckRead) and a path that is missing, a directory or not a regular file; PostgreSQL
// as Open (its read runs in a READ ONLY transaction).
func OpenReadOnly(ctx context.Context, dsn string, o ReadOptions) (*Store, error) {
	d, err := ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := d.CheckRead(); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	switch d.Dialect {
	case Postgres:
		return openPostgres(ctx, dsn)
	case MariaDB:
		return openMariaDB(ctx, d) // its read is a READ ONLY transaction (mariadb.go)
	}
	if err := CheckSQLiteFile(d.Path); err != nil {
		return nil, fmt.Errorf("open %s: %w", d.Redacted, err)
	}
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
	uriPath := strings.NewReplacer("%", "%25", "#", "%23", "?", "%3F").Replace(d.Path)
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+uriPath+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", d.Redacted, err)
	}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open %s: %w", d.Redacted, err)
	}
	return &Store{db: bun.NewDB(sqldb, sqlitedialect.New()), dialect: SQLite, redacted: d.Redacted}, nil
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

// postgresHint adds what to change to lib/pq's answer from a server without TLS: the
// default sslmode=require cannot be met there.
func postgresHint(err error) error {
	if err == nil || !strings.Contains(err.Error(), "SSL is not enabled on the server") {
		return err
	}
	return fmt.Errorf("%w (the server offers no TLS: on a trusted network add sslmode=disable to the DSN; in production enable TLS on the server and use sslmode=verify-full)", err)
}
