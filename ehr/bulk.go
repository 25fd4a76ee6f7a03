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
)

// BulkWriter writes rows in bulk (db load, db generate, the demo). It buffers up to
// flushRows rows per relation and then writes them as the dialect does fastest
// (dialect.bulkWrite: PostgreSQL with COPY, all inside one transaction; SQLite with
// prepared INSERTs, committing every sqliteCommitRows rows, its connection tuned for
// the load and put back at Close). Memory stays bounded however many rows are
// written. Not safe for concurrent use. Close flushes and commits; Abort rolls back
// what is not yet committed (the batches already committed stay).
type BulkWriter struct {
	s      *Store
	ctx    context.Context
	conn   *sql.Conn
	tx     *sql.Tx
	tables [7]*bulkTable
	// sinceCommit counts rows written in the open transaction.
	sinceCommit int
	// oneTx keeps the load in one transaction whatever the dialect (LoadYAML: all or
	// nothing).
	oneTx   bool
	restore func() // puts the connection's settings back
	done    bool
	err     error // first failure: later calls return it
}

const flushRows = 10000

type bulkTable struct {
	rel     *relation
	name    string
	cols    []string
	vals    []any // len = rows × len(cols)
	written int
	inserts map[int]*sql.Stmt // rows → INSERT prepared in the open transaction (SQLite)
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
	if w.restore, err = s.d.bulkStart(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("bulk load into %s: %w", s, err)
	}
	w.conn = conn
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

// release gives the connection back, its settings restored.
func (w *BulkWriter) release() {
	if w.conn == nil {
		return
	}
	w.restore()
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
// default) for a zero nullzero value, dates checked, timestamps and booleans as the
// dialect stores them.
func (w *BulkWriter) value(rel *relation, c *column, v, id reflect.Value) (any, error) {
	f := v.Field(c.index)
	switch c.kind {
	case kInt:
		return f.Int(), nil
	case kBool:
		return w.s.d.bulkValue(f.Bool()), nil
	case kInstant:
		t := *f.Addr().Interface().(*time.Time)
		if t.IsZero() {
			return nil, nil
		}
		return w.s.d.bulkValue(t), nil
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
	if err := w.s.d.bulkWrite(w.ctx, w.tx, t); err != nil {
		return w.fail(fmt.Errorf("bulk load into %s: write %s (rows %d..%d): %w",
			w.s, t.name, t.written+1, t.written+n, w.s.scrub(err)))
	}
	t.written += n
	clear(t.vals)
	t.vals = t.vals[:0]
	if every := w.s.d.bulkCommitRows(); every > 0 && !w.oneTx {
		w.sinceCommit += n
		if w.sinceCommit >= every {
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

// bulkInsert sends t's rows as INSERTs of per rows, each statement prepared once per
// transaction (t.inserts).
func bulkInsert(ctx context.Context, tx *sql.Tx, t *bulkTable, per int) error {
	k := len(t.cols)
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
			if stmt, err = tx.PrepareContext(ctx, b.String()); err != nil {
				return err
			}
			t.inserts[rows] = stmt
		}
		if _, err := stmt.ExecContext(ctx, chunk...); err != nil {
			return err
		}
	}
	return nil
}
