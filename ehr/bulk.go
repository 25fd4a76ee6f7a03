package ehr

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

// BulkWriter writes rows in bulk (db load, db generate, the demo). It buffers up to
// flushRows rows per relation and then writes them: PostgreSQL with COPY, all inside one
// transaction; SQLite with prepared INSERTs, committing every sqliteCommitRows rows
// (journal_mode=WAL, synchronous=OFF, a 256 MB page cache and in-memory temp store for
// the load; the journal mode is put back at Close). Memory stays bounded however many rows are written. Not safe for concurrent
// use. Close flushes and commits; Abort rolls back what is not yet committed (on SQLite
// the batches already committed stay).
type BulkWriter struct {
	s      *Store
	ctx    context.Context
	conn   *sql.Conn
	tx     *sql.Tx
	tables [7]*bulkTable
	// sinceCommit counts rows written in the open SQLite transaction.
	sinceCommit int
	// oneTx keeps SQLite in one transaction too (LoadYAML: all or nothing).
	oneTx       bool
	journalMode string
	done        bool
	err         error // first failure: later calls return it
}

const (
	flushRows       = 10000
	sqliteMaxParams = 30000 // SQLITE_MAX_VARIABLE_NUMBER is 32766 since 3.32
)

// sqliteRowsPerInsert is the rows of one INSERT. Measured (200k appointments with
// their rows, modernc v1.46): one-row prepared INSERTs ~100-125k rows/s, 4-100 rows
// per statement 55-80k, 500 rows ~40k — the driver binds each parameter with a linear
// search over all arguments (quadratic in statement width) and a multi-row statement
// needs a statement journal. So one row per INSERT, prepared once per transaction.
var sqliteRowsPerInsert = 1

// sqliteCommitRows is a variable so that tests can cross it with few rows.
var sqliteCommitRows = 200000

type bulkTable struct {
	rel     *relation
	name    string
	cols    []string
	vals    []any // len = rows × len(cols)
	written int
	inserts map[int]*sql.Stmt // SQLite: rows → INSERT prepared in the open transaction
}

// BulkWriter starts a bulk load. The relations must exist (Init).
func (s *Store) BulkWriter(ctx context.Context) (*BulkWriter, error) {
	return s.bulkWriter(ctx, false)
}

func (s *Store) bulkWriter(ctx context.Context, oneTx bool) (*BulkWriter, error) {
	w := &BulkWriter{s: s, ctx: ctx, oneTx: oneTx}
	for i, rel := range relations {
		w.tables[i] = &bulkTable{rel: rel, name: rel.name, cols: rel.names(), inserts: map[int]*sql.Stmt{}}
	}
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("bulk load into %s: %w", s, s.scrub(err))
	}
	w.conn = conn
	if s.dialect == SQLite {
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&w.journalMode); err != nil {
			conn.Close()
			return nil, fmt.Errorf("bulk load into %s: %w", s, err)
		}
		for _, p := range []string{"PRAGMA journal_mode = WAL", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144", "PRAGMA temp_store = MEMORY"} {
			if _, err := conn.ExecContext(ctx, p); err != nil {
				conn.Close()
				return nil, fmt.Errorf("bulk load into %s: %s: %w", s, p, err)
			}
		}
	}
	if err := w.begin(); err != nil {
		w.release()
		return nil, err
	}
	return w, nil
}

func (w *BulkWriter) begin() error {
	tx, err := w.conn.BeginTx(w.ctx, nil)
	if err != nil {
		return fmt.Errorf("bulk load into %s: begin: %w", w.s, w.s.scrub(err))
	}
	w.tx, w.sinceCommit = tx, 0
	for _, t := range w.tables {
		clear(t.inserts) // statements die with their transaction
	}
	return nil
}

// release gives the connection back, restoring SQLite's settings.
func (w *BulkWriter) release() {
	if w.conn == nil {
		return
	}
	if w.s.dialect == SQLite {
		ctx := context.Background()
		w.conn.ExecContext(ctx, "PRAGMA synchronous = FULL")
		if w.journalMode != "" && !strings.EqualFold(w.journalMode, "wal") {
			w.conn.ExecContext(ctx, "PRAGMA journal_mode = "+w.journalMode)
		}
	}
	w.conn.Close()
	w.conn = nil
}

// Office implements RowWriter.
func (w *BulkWriter) Office(r OfficeRow) error { return w.add(&r) }

// Clinician implements RowWriter.
func (w *BulkWriter) Clinician(r ClinicianRow) error { return w.add(&r) }

// Patient implements RowWriter.
func (w *BulkWriter) Patient(r PatientRow) error { return w.add(&r) }

// Appointment implements RowWriter.
func (w *BulkWriter) Appointment(r AppointmentRow) error { return w.add(&r) }

// Note implements RowWriter.
func (w *BulkWriter) Note(r NoteRow) error { return w.add(&r) }

// Invitation implements RowWriter.
func (w *BulkWriter) Invitation(r InvitationRow) error { return w.add(&r) }

// APIWindow implements RowWriter.
func (w *BulkWriter) APIWindow(r APIWindowRow) error { return w.add(&r) }

// value is column c of the model row v as the driver takes it: NULL (or the SPEC
// default) for a zero nullzero value, dates checked, timestamps and booleans spelled
// for the dialect.
func (w *BulkWriter) value(rel *relation, c *column, v, id reflect.Value) (any, error) {
	f := v.Field(c.index)
	switch c.kind {
	case kInt:
		return f.Int(), nil
	case kBool:
		return w.boolean(f.Bool()), nil
	case kInstant:
		return w.instant(*f.Addr().Interface().(*time.Time)), nil
	}
	s := f.String()
	if s == "" && c.nullZero {
		return c.def, nil // nil (NULL) without a default
	}
	if c.kind == kDate {
		if _, ok := parseDate(s); !ok {
			return nil, &DataError{Relation: rel.name, ID: strconv.FormatInt(id.Int(), 10), Column: c.name,
				Problem: "unparseable date " + quote(s)}
		}
	}
	return s, nil
}

// instant is a timestamp value for the dialect: NULL for the zero time, UTC RFC 3339
// text for SQLite (never the driver's own time spelling), the instant for PostgreSQL.
func (w *BulkWriter) instant(t time.Time) any {
	switch {
	case t.IsZero():
		return nil
	case w.s.dialect == SQLite:
		return formatInstant(t)
	}
	return t.UTC()
}

func (w *BulkWriter) boolean(b bool) any {
	if w.s.dialect == SQLite {
		if b {
			return int64(1)
		}
		return int64(0)
	}
	return b
}

func (w *BulkWriter) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return err
}

// add buffers the model row m (a pointer to one of the row types of rows.go).
func (w *BulkWriter) add(m any) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return w.fail(errors.New("bulk load: writer already closed"))
	}
	v := reflect.ValueOf(m).Elem()
	var t *bulkTable
	for _, bt := range w.tables {
		if bt.rel.typ == v.Type() {
			t = bt
		}
	}
	if t == nil {
		panic("ehr: not a model of SPEC §3: " + v.Type().String())
	}
	id := v.Field(t.rel.pk.index)
	for _, c := range t.rel.cols {
		x, err := w.value(t.rel, c, v, id)
		if err != nil {
			t.vals = t.vals[:len(t.vals)/len(t.cols)*len(t.cols)] // drop the partial row
			return w.fail(err)
		}
		t.vals = append(t.vals, x)
	}
	if len(t.vals) >= flushRows*len(t.cols) {
		return w.flush(t)
	}
	return nil
}

// flush writes t's buffered rows.
func (w *BulkWriter) flush(t *bulkTable) error {
	n := len(t.vals) / len(t.cols)
	if n == 0 {
		return nil
	}
	var err error
	if w.s.dialect == Postgres {
		err = w.copyIn(t)
	} else {
		err = w.insert(t)
	}
	if err != nil {
		return w.fail(fmt.Errorf("bulk load into %s: write %s (rows %d..%d): %w",
			w.s, t.name, t.written+1, t.written+n, w.s.scrub(err)))
	}
	t.written += n
	clear(t.vals)
	t.vals = t.vals[:0]
	if w.s.dialect == SQLite && !w.oneTx {
		w.sinceCommit += n
		if w.sinceCommit >= sqliteCommitRows {
			if err := w.tx.Commit(); err != nil {
				return w.fail(fmt.Errorf("bulk load into %s: commit: %w", w.s, err))
			}
			if err := w.begin(); err != nil {
				return w.fail(err)
			}
		}
	}
	return nil
}

// copyIn sends t's rows with one COPY … FROM STDIN.
func (w *BulkWriter) copyIn(t *bulkTable) error {
	stmt, err := w.tx.PrepareContext(w.ctx, pq.CopyIn(t.name, t.cols...))
	if err != nil {
		return err
	}
	k := len(t.cols)
	for i := 0; i < len(t.vals); i += k {
		if _, err := stmt.ExecContext(w.ctx, t.vals[i:i+k]...); err != nil {
			stmt.Close()
			return err
		}
	}
	if _, err := stmt.ExecContext(w.ctx); err != nil {
		stmt.Close()
		return err
	}
	return stmt.Close()
}

// insert sends t's rows as INSERTs of sqliteRowsPerInsert rows (MariaDB:
// mariadbRowsPerInsert, all in the one transaction, as PostgreSQL's COPY).
func (w *BulkWriter) insert(t *bulkTable) error {
	k := len(t.cols)
	per := min(sqliteRowsPerInsert, sqliteMaxParams/k)
	if w.s.dialect == MariaDB {
		per = mariadbRowsPerInsert
	}
	for i := 0; i < len(t.vals); i += per * k {
		chunk := t.vals[i:min(len(t.vals), i+per*k)]
		rows := len(chunk) / k
		stmt, ok := t.inserts[rows]
		if !ok {
			var b strings.Builder
			fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
			tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", k), ", ") + ")"
			for r := 0; r < rows; r++ {
				if r > 0 {
					b.WriteString(", ")
				}
				b.WriteString(tuple)
			}
			var err error
			if stmt, err = w.tx.PrepareContext(w.ctx, b.String()); err != nil {
				return err
			}
			t.inserts[rows] = stmt
		}
		if _, err := stmt.ExecContext(w.ctx, chunk...); err != nil {
			return err
		}
	}
	return nil
}

// Close flushes every buffer and commits.
func (w *BulkWriter) Close() error {
	if w.done {
		return w.err
	}
	if w.err == nil {
		for _, t := range w.tables {
			if err := w.flush(t); err != nil {
				break
			}
		}
	}
	w.done = true
	if w.err != nil {
		w.tx.Rollback()
		w.release()
		return w.err
	}
	if err := w.tx.Commit(); err != nil {
		w.fail(fmt.Errorf("bulk load into %s: commit: %w", w.s, w.s.scrub(err)))
	}
	w.release()
	return w.err
}

// Abort drops the buffers and rolls back the open transaction.
func (w *BulkWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	err := w.tx.Rollback()
	w.release()
	if err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("bulk load into %s: rollback: %w", w.s, err)
	}
	return nil
}

var _ RowWriter = (*BulkWriter)(nil)
