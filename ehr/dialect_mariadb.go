package ehr

// MariaDB/MySQL (SPEC §8) through github.com/go-sql-driver/mysql and bun's mysqldialect.
//
// MariaDB cannot share a snapshot between connections and the driver reads one result
// set at a time per connection, so a read is one connection: SET TRANSACTION ISOLATION
// LEVEL REPEATABLE READ, then START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT
// (InnoDB), and every query of the read runs on it, one after another; the period's
// scans a patient range at a time (mariadb_scan.go). Every session runs with time_zone
// '+00:00' (mariadb_dsn.go), so a DATETIME(6) or TIMESTAMP column comes back as UTC text
// that instant.go reads like SQLite's; a view may also hold instants as TEXT spelled as
// in SQLite (SPEC §3), read the way the SQLite dialect reads them.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
	"github.com/uptrace/bun/schema"

	"github.com/mipspi/mipspi/measure"
)

// MariaDB is Store.Dialect of a MariaDB or MySQL database (mysql:// or mariadb://).
const MariaDB = "mariadb"

type mariadbDialect struct{}

func (mariadbDialect) name() string { return MariaDB }

func (mariadbDialect) dsnForms() []string {
	return []string{"mysql://USER@HOST:PORT/DB", "mariadb://…"}
}

func (mariadbDialect) accepts(dsn string) bool {
	return strings.HasPrefix(dsn, "mysql://") || strings.HasPrefix(dsn, "mariadb://")
}

func (mariadbDialect) parseDSN(dsn string) (*DSN, error) { return parseMariaDB(dsn) }

// checkRead: the read itself is a READ ONLY transaction (begin); the DSN's parameters
// were already held to tls and timeout (parseMariaDB).
func (mariadbDialect) checkRead(*DSN) error { return nil }

// open connects to the server and checks the connection. Nothing it returns carries
// the password (d.Scrub on every driver message).
func (mariadbDialect) open(ctx context.Context, d *DSN, _ *ReadOptions) (*bun.DB, error) {
	connector, err := mysql.NewConnector(d.mysql)
	if err != nil {
		return nil, d.Scrub(fmt.Errorf("open %s: %w", d.Redacted, err))
	}
	sqldb := sql.OpenDB(connector)
	sqldb.SetMaxIdleConns(1)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, d.Scrub(mariadbHint(fmt.Errorf("connect to %s: %w", d.Redacted, err)))
	}
	// After the ping: bun asks the server's version at once, and logs a failure to
	// stderr itself.
	return bun.NewDB(sqldb, mysqldialect.New()), nil
}

// mariadbHint adds what to change to the server's answers a DBA meets first.
func mariadbHint(err error) error {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return err
	}
	switch me.Number {
	case 1045: // ER_ACCESS_DENIED_ERROR
		return fmt.Errorf("%w (check the user name and password, and that the login may connect from this host)", err)
	case 1044, 1049: // ER_DBACCESS_DENIED_ERROR, ER_BAD_DB_ERROR
		return fmt.Errorf("%w (the database after the host must exist and the login needs SELECT on it: GRANT SELECT ON db.* TO …)", err)
	}
	return err
}

func (mariadbDialect) fingerprint(d *DSN) *measure.Fingerprint {
	return &measure.Fingerprint{Dialect: MariaDB, Host: d.Host, Port: d.Port, Database: d.Database}
}

// mdbSnapshot is the read's one connection, inside its transaction.
type mdbSnapshot struct {
	conn   *sql.Conn
	stop   func() bool   // unregisters the KILL QUERY of a cancelled read
	killed chan struct{} // closed once that KILL QUERY has been sent
	period *mdbScans     // the period's scans, once open
}

// begin opens the read's snapshot on a connection of its own (SPEC §8).
func (mariadbDialect) begin(ctx context.Context, db *bun.DB) (snapshot, error) {
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var id int64
	err = conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id)
	for _, q := range []string{
		"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
		"START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT",
	} {
		if err == nil {
			_, err = conn.ExecContext(ctx, q)
		}
	}
	if err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
		return nil, err
	}
	// The driver gives up on a cancelled query by closing its socket, which the server
	// notices only when it next writes: --timeout or Ctrl-C also ends the query on the
	// server (any login may KILL its own queries), from another connection.
	s := &mdbSnapshot{conn: conn, killed: make(chan struct{})}
	s.stop = context.AfterFunc(ctx, func() {
		defer close(s.killed)
		kctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		db.DB.ExecContext(kctx, "KILL QUERY "+strconv.FormatInt(id, 10))
	})
	return s, nil
}

func (s *mdbSnapshot) tx() querier { return mdbTx{s} }

func (s *mdbSnapshot) scans(ctx context.Context, qs []scanQuery) ([]rows, error) {
	rs, period, err := mariadbScans(ctx, s.conn, qs)
	s.period = period
	return rs, err
}

// mdbTx runs the read's own queries on the snapshot's connection, which reads one
// result set at a time: a period's scan still streaming is first read into memory
// (mdbScans.park; its error is the scan's).
type mdbTx struct{ s *mdbSnapshot }

func (t mdbTx) free() {
	if p := t.s.period; p != nil && p.err == nil {
		p.err = p.park()
	}
}

func (t mdbTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t.free()
	return t.s.conn.ExecContext(ctx, query, args...)
}

func (t mdbTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t.free()
	return t.s.conn.QueryContext(ctx, query, args...)
}

func (t mdbTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	t.free()
	return t.s.conn.QueryRowContext(ctx, query, args...)
}

// close: ROLLBACK (nothing is ever written) and the connection back to the pool, or
// dropped when the rollback failed — never one in an open transaction — or when a
// KILL QUERY was sent for it, which must not reach the pool's next user.
func (s *mdbSnapshot) close() {
	bad := false
	if !s.stop() {
		<-s.killed
		bad = true
	}
	if _, err := s.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil || bad {
		s.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	s.conn.Close()
}

// connectionLost: the driver's "invalid connection" (the socket closed under a
// query), or the server's own last words (shutting down, this session killed).
func (mariadbDialect) connectionLost(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1053, 1927: // ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED
			return true
		}
	}
	return errors.Is(err, mysql.ErrInvalidConn)
}

// columnTypes: DATETIME and TIMESTAMP columns are instants (the server compares them as
// such, in the session's UTC); anything else — a view's TEXT — is read as SQLite's
// text. Integer types are integers.
func (mariadbDialect) columnTypes(ctx context.Context, q querier) (instant, integer map[string]bool, err error) {
	instant, integer = map[string]bool{}, map[string]bool{}
	rows, err := q.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = DATABASE()
		  AND table_name IN ('appointments', 'clinical_notes', 'portal_invitations', 'patients')`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rel, col, typ string
		if err := rows.Scan(&rel, &col, &typ); err != nil {
			return nil, nil, err
		}
		switch strings.ToLower(typ) {
		case "datetime", "timestamp":
			instant[rel+"."+col] = true
		case "tinyint", "smallint", "mediumint", "int", "bigint":
			integer[rel+"."+col] = true
		}
	}
	return instant, integer, rows.Err()
}

// idUnique: a unique index (the primary key among them) on id alone.
func (mariadbDialect) idUnique(ctx context.Context, q querier, rel string) (bool, error) {
	var unique bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.statistics s
	WHERE s.table_schema = DATABASE() AND s.table_name = ? AND s.non_unique = 0
	  AND s.seq_in_index = 1 AND s.column_name = 'id'
	  AND NOT EXISTS (SELECT 1 FROM information_schema.statistics s2
	    WHERE s2.table_schema = s.table_schema AND s2.table_name = s.table_name
	      AND s2.index_name = s.index_name AND s2.seq_in_index = 2))`, rel).Scan(&unique)
	return unique, err
}

// fetch: every column as the server sends it (instants as UTC text, instant.go).
func (mariadbDialect) fetch(c *column, alias string, _ *catalogue) (string, bool) {
	return qualified(c, alias), false
}

// rawInstant: nothing is fetched raw.
func (mariadbDialect) rawInstant([]byte) (time.Time, int8, bool) { return time.Time{}, 0, false }

func (mariadbDialect) placeholder(int) string { return "?" }

// mariadbDatetime is how an instant is written for a DATETIME comparison.
const mariadbDatetime = "2006-01-02 15:04:05.999999"

func (mariadbDialect) instant(t time.Time) any { return t.UTC().Format(mariadbDatetime) }

func (mariadbDialect) inWindow(col string) string {
	return "(" + col + " >= ? AND " + col + " < ?)"
}

// mariadbShapeRegexp is the start every accepted timestamp text has (instant.go).
const mariadbShapeRegexp = `^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]`

// visitScan: one row per note. A DATETIME or TIMESTAMP scheduled_at is compared with
// the window as the server holds it; text (a view's, SPEC §3's spellings) is kept, as
// on SQLite, when it starts with a date within a day of the window, or does not look
// like a timestamp at all (so that it is reported, never dropped): the reader parses
// every value and keeps the appointments in the window.
func (mariadbDialect) visitScan(acols, ncols string, lo, hi time.Time, cat *catalogue) scanQuery {
	q := scanQuery{
		cols:    acols + ", " + ncols + ", CASE WHEN n.appointment_id IS NULL THEN 0 ELSE 1 END",
		from:    "appointments a LEFT JOIN clinical_notes n ON n.appointment_id = a.id",
		where:   `(a.scheduled_at >= ? AND a.scheduled_at < ?) OR a.scheduled_at IS NULL`,
		order:   "a.patient_id, a.scheduled_at",
		patient: "a.patient_id",
		args:    []any{mariadbDialect{}.instant(lo), mariadbDialect{}.instant(hi)},
	}
	if !cat.instant["appointments.scheduled_at"] {
		tlo, thi := sqliteTextBounds(lo, hi)
		q.where += ` OR NOT (a.scheduled_at REGEXP '` + mariadbShapeRegexp + `')`
		q.args = []any{tlo, thi}
		return q
	}
	// The snapshot joins the notes itself (mariadb_join.go) when it can put the rows in
	// the server's order and match them as the server does: integer ids, and a
	// scheduled_at the server orders as an instant.
	if cat.integer["appointments.id"] && cat.integer["appointments.patient_id"] &&
		cat.integer["clinical_notes.appointment_id"] {
		q.joined = &joinedScan{acols: acols, where: q.where, args: q.args, ncols: ncols,
			intInvitations: cat.integer["portal_invitations.patient_id"] && cat.integer["portal_invitations.id"]}
	}
	return q
}

// notesOutside: the complement of visitScan's window on a DATETIME or TIMESTAMP
// scheduled_at; text has none here.
func (mariadbDialect) notesOutside(cat *catalogue) string {
	if !cat.instant["appointments.scheduled_at"] {
		return ""
	}
	return `SELECT count(*) FROM clinical_notes n JOIN appointments a ON a.id = n.appointment_id
   WHERE a.scheduled_at < ? OR a.scheduled_at >= ?`
}

// identity is the server's own name for itself — @@hostname, @@port, @@datadir — and
// the database's: the same whatever host name, address or proxy reaches it (SPEC §7).
func (mariadbDialect) identity(ctx context.Context, q querier) (string, error) {
	var host, datadir, db sql.NullString
	var port sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT @@hostname, @@port, @@datadir, DATABASE()").Scan(&host, &port, &datadir, &db)
	return fmt.Sprintf("mariadb:%s:%d:%s/%s", host.String, port.Int64, datadir.String, db.String), err
}

// relationsSQL: the tables and views of the DSN's database.
func (mariadbDialect) relationsSQL() string {
	return `SELECT table_name, CASE WHEN table_type = 'BASE TABLE' THEN 'table' ELSE 'view' END
	FROM information_schema.tables WHERE table_schema = DATABASE()`
}

// adaptColumn: instants DATETIME(6) in UTC, booleans TINYINT(1) (SPEC §8).
func (mariadbDialect) adaptColumn(f *schema.Field) {
	switch strings.ToLower(f.UserSQLType) {
	case "timestamptz":
		f.CreateTableSQLType = "DATETIME(6)"
	case "boolean":
		f.CreateTableSQLType = "TINYINT(1)"
	}
}

func (mariadbDialect) bulkStart(context.Context, *sql.Conn) (func(), error) { return func() {}, nil }

// bulkValue: instants as UTC text with the time always spelled out (the driver
// would write a midnight time.Time as a bare date, which a TEXT column would keep and
// SPEC §3 does not read); a DATETIME column takes the same text.
func (mariadbDialect) bulkValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(mariadbDatetime)
	}
	return v
}

// mariadbRowsPerInsert is the rows of one INSERT of the bulk loader (db load, db
// generate), well under the 65,535 placeholders of a prepared statement.
var mariadbRowsPerInsert = 1000

func (mariadbDialect) bulkWrite(ctx context.Context, tx *sql.Tx, t *bulkTable) error {
	return bulkInsert(ctx, tx, t, mariadbRowsPerInsert)
}

// bulkCommitRows: one transaction, as PostgreSQL's COPY.
func (mariadbDialect) bulkCommitRows() int { return 0 }
