package ehr

// What differs between the databases mipspi reads sits behind one interface, one file
// per dialect (STYLE 15): dialect_postgres.go, dialect_mariadb.go, dialect_sqlite.go. The shared code —
// the DSN's parts, the read (read.go, period.go), the catalogue checks, the schema and
// the bulk loader — asks its dialect and never compares dialect names.
//
// A dialect is a stateless value; what the catalogue says about one database is kept
// per read (catalogue), what a read holds open per read (snapshot).

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/mipspi/mipspi/measure"
)

// dialects are the databases mipspi reads, in the order their DSN forms are listed.
var dialects = []dialect{postgresDialect{}, mariadbDialect{}, sqliteDialect{}}

// dialect is what differs between databases.
type dialect interface {
	// name is Store.Dialect's answer (Postgres, MariaDB, SQLite).
	name() string

	// --- The DSN (dsn.go) ---

	// dsnForms are the DSN forms the dialect accepts, for messages
	// ("postgres://USER@HOST:PORT/DB", "postgresql://…").
	dsnForms() []string
	// accepts reports whether dsn is of this dialect (its scheme).
	accepts(dsn string) bool
	// parseDSN reads a DSN this dialect accepts into its parts. Its error never
	// contains any part of a password.
	parseDSN(dsn string) (*DSN, error)
	// checkRead refuses what would let a reading command write or create the
	// database (SQLite parameters, an in-memory database).
	checkRead(d *DSN) error
	// open connects and checks the connection; ro is nil for the commands that write
	// (db init, load, generate), set for those that only read. Its error never
	// contains the password (d.Scrub).
	open(ctx context.Context, d *DSN, ro *ReadOptions) (*bun.DB, error)
	// fingerprint is the DSN's own name for the database, without any secret (SPEC
	// §7's lexical part); nil when nothing another report could share (in-memory).
	fingerprint(d *DSN) *measure.Fingerprint

	// --- The snapshot (read.go) ---

	// begin opens the read's snapshot (SPEC §3): read-only, repeatable read, every
	// query of the read inside it.
	begin(ctx context.Context, db *bun.DB) (snapshot, error)
	// connectionLost reports whether err means that the server went away mid-read
	// (read.go says so in plain words).
	connectionLost(err error) bool

	// --- Columns and the catalogue (catalogue.go) ---

	// columnTypes asks the catalogue, in the snapshot, which columns of the period's
	// relations the server holds as instants (it compares and orders them as
	// instants) and which as integers (every value an integer, by the column's type);
	// keys are relation.column.
	columnTypes(ctx context.Context, q querier) (instant, integer map[string]bool, err error)
	// idUnique says whether the catalogue proves rel's ids unique: a table whose id
	// is its primary key, or has a unique index on id alone.
	idUnique(ctx context.Context, q querier, rel string) (bool, error)
	// fetch is how a column is selected (alias: its relation's alias in the query, or
	// "") and whether an instant arrives raw: in the dialect's own binary form, which
	// rawInstant decodes (colTime.raw).
	fetch(c *column, alias string, cat *catalogue) (expr string, raw bool)
	// rawInstant decodes an instant fetched raw: ok is false when b is none, inf -1 or
	// 1 for -infinity or infinity.
	rawInstant(b []byte) (t time.Time, inf int8, ok bool)
	// placeholder is the n-th (1-based) bind parameter. Shared SQL uses each
	// parameter once, in order.
	placeholder(n int) string
	// instant is an instant as a bind value compared with the dialect's timestamp
	// columns.
	instant(t time.Time) any
	// inWindow is the SQL condition that column col (a timestamp) lies in
	// [placeholder(1), placeholder(2)), whose values are instant(lo), instant(hi), as
	// the server compares the stored values (SQLite reads every spelling, instant.go).
	inWindow(col string) string

	// --- The period's scans (period.go) ---

	// visitScan is the period's appointments with their notes, one row per note
	// (an appointment without notes once, with the note columns NULL and count 0),
	// in patient order. acols and ncols are the select lists of the two relations
	// (aliases a and n), count the number of notes the row stands for (0 or 1). cat
	// says how the server holds scheduled_at (MariaDB: a DATETIME or a view's text).
	visitScan(acols, ncols string, lo, hi time.Time, cat *catalogue) scanQuery
	// notesOutside counts the notes of appointments outside the period's scan (the
	// complement of visitScan's WHERE), with placeholders 1 and 2 for instant(lo) and
	// instant(hi); "" when the dialect cannot (dangling.go).
	notesOutside(cat *catalogue) string

	// --- The database's identity (SPEC §7) ---

	// identity names the database so that another name for it (a link, a copy,
	// another host name) gives the same text; read in the snapshot.
	identity(ctx context.Context, q querier) (string, error)

	// --- Schema and bulk loading (schema.go, bulk.go) ---

	// relationsSQL lists the user tables and views: name, "table" | "view".
	relationsSQL() string
	// adaptColumn gives a model field the dialect's column type and default for
	// CREATE TABLE (the models carry SPEC §3's PostgreSQL types).
	adaptColumn(f *schema.Field)
	// bulkStart prepares conn for a bulk load and returns what puts it back.
	bulkStart(ctx context.Context, conn *sql.Conn) (restore func(), err error)
	// bulkValue is an instant or a boolean as the dialect stores it.
	bulkValue(v any) any
	// bulkWrite writes t's buffered rows inside tx.
	bulkWrite(ctx context.Context, tx *sql.Tx, t *bulkTable) error
	// bulkCommitRows is after how many rows a bulk load commits (0: once, at Close).
	bulkCommitRows() int
}

// querier runs a query: the read's transaction (*sql.Tx), or a connection inside one
// (*sql.Conn, for a dialect that starts its transaction by hand).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// snapshot is one read's consistent, read-only view of the database.
type snapshot interface {
	// tx runs the read's own queries in the snapshot: the practice, the catalogue,
	// the checks, the counts of dangling.go.
	tx() querier
	// scans runs the period's scans in the snapshot and returns their rows in the
	// order of qs, all open at once: the merge reads them side by side. Each must
	// yield every row of its query in the query's order (NULL patients included:
	// dangling.go counts them). A dialect whose connection reads one result set at a
	// time reads them one after another — whole, put in order in memory, or in ranges
	// of patients, qs[i].patient naming each row's patient, the rows of no patient in
	// the first range (MariaDB, mariadb_join.go, mariadb_scan.go) — or as one query
	// ordered by patient, behind rows of its own.
	scans(ctx context.Context, qs []scanQuery) ([]rows, error)
	// close ends the snapshot (a rollback: nothing is ever written).
	close()
}

// rows is one scan's result: *sql.Rows, or a dialect's own.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// scanQuery is one of the period's scans: SELECT cols FROM from [WHERE where] ORDER BY
// order, whose rows come in the order of patient (an expression of the row's patient
// id). where's placeholders are numbered from 1 and take args.
type scanQuery struct {
	cols, from, where, order string
	patient                  string
	args                     []any
	// joined, when set, is the same rows as two plain scans a dialect's snapshot may
	// read and join itself (MariaDB's visit scan, mariadb_join.go).
	joined *joinedScan
}

// sql is the whole statement.
func (q scanQuery) sql() string {
	s := "SELECT " + q.cols + " FROM " + q.from
	if q.where != "" {
		s += " WHERE " + q.where
	}
	return s + " ORDER BY " + q.order
}

// dialectOf returns the dialect that accepts dsn, or nil.
func dialectOf(dsn string) dialect {
	for _, d := range dialects {
		if d.accepts(dsn) {
			return d
		}
	}
	return nil
}
