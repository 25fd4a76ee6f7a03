package ehr

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	"github.com/lib/pq"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"

	// The office zones of SPEC §3 are IANA names; embed the database so a host
	// without /usr/share/zoneinfo still reads them.
	_ "time/tzdata"
)

// Dialect names returned by Store.Dialect.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
	MariaDB  = "mariadb" // MariaDB or MySQL (mysql:// or mariadb://)
)

// acceptedDSNs is quoted in every "which DSN" error.
const acceptedDSNs = `postgres://USER@HOST:PORT/DB, postgresql://…, mysql://USER@HOST:PORT/DB, mariadb://…, sqlite:PATH or file:PATH`

// Store is an open EHR database.
type Store struct {
	db       *bun.DB
	dialect  string
	redacted string // for messages: never holds the password
	secret   string // the password, only to scrub driver messages
}

// Open connects to dsn and checks the connection:
//
//	postgres://… or postgresql://…  PostgreSQL through lib/pq
//	mysql://… or mariadb://…        MariaDB/MySQL through go-sql-driver/mysql (SPEC §8)
//	sqlite:PATH or file:PATH        embedded SQLite (pure Go, no cgo); PATH may carry
//	                                SQLite URI parameters after '?'
//
// Neither the returned error nor Store.String ever contain the password.
func Open(ctx context.Context, dsn string) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	case strings.HasPrefix(dsn, "mysql://"), strings.HasPrefix(dsn, "mariadb://"):
		d, err := parseMariaDB(dsn) // mariadb_dsn.go: its error never quotes the password
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		return openMariaDB(ctx, d)
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "file:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "file:"))
	case dsn == "":
		return nil, fmt.Errorf("open database: no DSN given; want %s", acceptedDSNs)
	default:
		// Show only the scheme: the rest may hold a password.
		scheme := dsn
		if i := strings.IndexAny(scheme, ":/@ "); i >= 0 {
			scheme = scheme[:i]
		}
		return nil, fmt.Errorf("open database: unsupported DSN %q…; want %s", scheme, acceptedDSNs)
	}
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	d, err := parsePostgres(dsn) // dsn.go: its error never quotes the password
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	s := &Store{dialect: Postgres, redacted: d.Redacted, secret: d.password}
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, d.Scrub(fmt.Errorf("open %s: %w", s.redacted, err))
	}
	sqldb := sql.OpenDB(connector)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, d.Scrub(postgresHint(fmt.Errorf("connect to %s: %w", s.redacted, err)))
	}
	s.db = bun.NewDB(sqldb, pgdialect.New())
	return s, nil
}

// redactPostgres keeps user, host, port and database of a PostgreSQL URL.
func redactPostgres(u *url.URL) string {
	host := u.Hostname()
	if host == "" {
		host = u.Query().Get("host") // unix socket directory
	}
	if host == "" {
		host = "localhost"
	}
	port := u.Port()
	if port == "" {
		port = u.Query().Get("port")
	}
	if port == "" {
		port = "5432"
	}
	user := ""
	if u.User != nil && u.User.Username() != "" {
		user = u.User.Username() + "@"
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		db = u.Query().Get("dbname")
	}
	return "postgres://" + user + host + ":" + port + "/" + db
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("open database: empty SQLite path; want %s", acceptedDSNs)
	}
	file, params, _ := strings.Cut(path, "?")
	s := &Store{dialect: SQLite, redacted: "sqlite:" + file}
	q := "_pragma=busy_timeout(10000)"
	if params != "" {
		q = params + "&" + q
	}
	// The driver reads a SQLite URI: escape what would end the path early.
	uriPath := strings.NewReplacer("%", "%25", "#", "%23").Replace(file)
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+uriPath+"?"+q)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", s.redacted, err)
	}
	if d, err := parseSQLite("", path); err == nil && d.Memory { // parsed, not substring-matched
		// Every connection to :memory: is a new, empty database.
		sqldb.SetMaxOpenConns(1)
	}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open %s: %w", s.redacted, err)
	}
	s.db = bun.NewDB(sqldb, sqlitedialect.New())
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Dialect is "postgres", "sqlite" or "mariadb".
func (s *Store) Dialect() string { return s.dialect }

// String is the DSN without its password (user, host, port, database; or the SQLite path).
func (s *Store) String() string { return s.redacted }

// DB is the underlying bun handle, for tests and tools.
func (s *Store) DB() *bun.DB { return s.db }

// scrub removes the password from err's message should a driver ever echo it.
func (s *Store) scrub(err error) error {
	if err == nil || s.secret == "" || !strings.Contains(err.Error(), s.secret) {
		return err
	}
	return &scrubbedError{msg: strings.ReplaceAll(err.Error(), s.secret, "xxxxx"), err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// ph returns the n-th (1-based) bind placeholder of the dialect.
func (s *Store) ph(n int) string {
	if s.dialect == Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return fmt.Sprintf("?%d", n)
}
