package ehr

// dsn.go reads a --db value into its parts before anything is opened, through the
// dialect whose scheme it has (dialect.go), so that
//
//   - the EHR is opened read-only for reading (SQLite `mode=ro` plus `query_only`; SQLite
//     parameters that could write, such as a `_pragma` running SQL or `mode=rwc`, are
//     refused; a missing file is an error, never created);
//   - no message ever carries any part of a password, whatever the DSN's shape: a DSN
//     whose user name or password holds an unescaped URL character cannot be split
//     unambiguously, so it is refused without quoting it; every other message passes
//     through the one scrubber (secret).
//
// The command line, the messages and the report's fingerprint all read the DSN here.

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/mipspi/mipspi/measure"
)

// DSN is a parsed --db value. Its fields never hold the password.
type DSN struct {
	Dialect string // the dialect's name: Postgres, MariaDB or SQLite
	// A server's address: host (or unix socket directory; MariaDB: the socket's path),
	// port ("" for a MariaDB socket), database.
	Host, Port, Database string
	// A file (SQLite): the file as given (no URI escaping) and its URI parameters.
	Path   string
	Params url.Values
	Memory bool // SQLite in-memory (":memory:" or mode=memory): no file
	// Redacted is the DSN for messages: user, host, port and database, or sqlite:PATH.
	Redacted string
	raw      string
	params   string // SQLite: the parameters as written
	secret   secret
	d        dialect
	mysql    *mysql.Config // MariaDB: the driver's configuration (mariadb_dsn.go)
}

// DSNEscapeHint tells how to write a user name or password holding URL characters.
const DSNEscapeHint = "percent-escape special characters in the user name and password " +
	"(@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, space as %20), " +
	"or leave the password out of the DSN and use ~/.pgpass or $PGPASSWORD"

// acceptedDSNs is quoted in every "which DSN" error: every dialect's forms.
func acceptedDSNs() string {
	var forms []string
	for _, d := range dialects {
		forms = append(forms, d.dsnForms()...)
	}
	return joinOr(forms)
}

// DSNForms is each dialect's usual DSN form, for usage messages:
// "postgres://USER@HOST:PORT/DB, mysql://USER@HOST:PORT/DB or sqlite:PATH".
func DSNForms() string {
	forms := make([]string, len(dialects))
	for i, d := range dialects {
		forms[i] = d.dsnForms()[0]
	}
	return joinOr(forms)
}

// joinOr is "a, b or c".
func joinOr(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// KnownDSN reports whether dsn has the scheme of a dialect mipspi reads (it may still
// not parse).
func KnownDSN(dsn string) bool { return dialectOf(dsn) != nil }

// ParseDSN splits dsn into its parts. Its error never contains any part of a password:
// it names the scheme at most.
func ParseDSN(dsn string) (*DSN, error) {
	d := dialectOf(dsn)
	if d == nil {
		if dsn == "" {
			return nil, fmt.Errorf("no DSN given; want %s", acceptedDSNs())
		}
		// Show only the scheme: the rest may hold a password.
		scheme := dsn
		if i := strings.IndexAny(scheme, ":/@ "); i >= 0 {
			scheme = scheme[:i]
		}
		return nil, fmt.Errorf("unsupported DSN %q…; want %s", scheme, acceptedDSNs())
	}
	p, err := d.parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	p.d = d
	return p, nil
}

// CheckRead refuses what would let a reading command write or create the EHR (the
// dialect says what: SQLite parameters that write, an in-memory database).
func (d *DSN) CheckRead() error { return d.d.checkRead(d) }

// File is the database file the DSN names, "" for a server or an in-memory database.
func (d *DSN) File() string {
	if d.Memory {
		return ""
	}
	return d.Path
}

// Fingerprint is the database's name without any secret, for the report (SPEC §7):
// dialect, host and database, or the SQLite file's absolute path on this machine. nil
// for an in-memory database. The identity that survives renaming is added by Read.
func (d *DSN) Fingerprint() *measure.Fingerprint { return d.d.fingerprint(d) }

// Scrub removes the password, in every spelling a message may carry it, from err's
// message.
func (d *DSN) Scrub(err error) error {
	if d == nil {
		return err
	}
	return d.secret.scrub(err)
}

// ScrubDSN is Scrub for the DSN dsn as typed. A DSN that does not parse was never
// used, and ParseDSN's own messages quote no password.
func ScrubDSN(err error, dsn string) error {
	d, perr := ParseDSN(dsn)
	if perr != nil {
		return err
	}
	return d.Scrub(err)
}

// secret is a password in every spelling a message may carry it: decoded, as typed in
// the DSN (percent escapes and all), and escaped as a URL path, query or user info
// would have it. The one password scrubber of mipspi.
type secret []string

func newSecret(password, typed string) secret {
	var s secret
	for _, p := range []string{password, typed} {
		if p != "" {
			s = append(s, p)
		}
	}
	if password != "" {
		s = append(s, url.PathEscape(password), url.QueryEscape(password), url.UserPassword("", password).String()[1:])
	}
	return s
}

// scrub replaces each spelling of the secret in err's message with "xxxxx".
func (s secret) scrub(err error) error {
	if err == nil || len(s) == 0 {
		return err
	}
	msg := err.Error()
	for _, p := range s {
		if len(p) > 0 {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

// scrubbedError is an error whose message was scrubbed; Unwrap keeps errors.Is working
// (context.Canceled, *DataError) without exposing the unscrubbed text through Error.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// ReadOptions tune a read-only open.
type ReadOptions struct {
	// BusyTimeout bounds how long SQLite waits for another connection's write lock
	// (the --timeout of the run); 0 keeps the 10 s default.
	BusyTimeout time.Duration
}

// OpenReadOnly opens dsn for the commands that only read (report, notes, export):
// parameters that could write refused (CheckRead), SQLite read-only (`mode=ro`,
// `query_only`) and a path that is missing, a directory or not a regular file refused;
// PostgreSQL as Open (its read runs in a READ ONLY transaction).
func OpenReadOnly(ctx context.Context, dsn string, o ReadOptions) (*Store, error) {
	d, err := ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := d.CheckRead(); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db, err := d.d.open(ctx, d, &o)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, d: d.d, dsn: d}, nil
}
