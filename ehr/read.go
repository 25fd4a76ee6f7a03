package ehr

// The read of one report: everything inside one transaction (read-only, repeatable
// read on PostgreSQL; a single read transaction with query_only on SQLite) and a few
// set-based queries for the whole period — never a query per patient or per visit.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// Sink receives one snapshot's data: Practice once, then one PatientRecord per patient
// in patient-id order. The record and its Visits slice are reused after Patient returns.
// An error from the Sink stops the read and is returned (wrapped).
type Sink interface {
	Practice(measure.Practice) error
	Patient(*measure.PatientRecord) error
}

// ReadStats counts what a Read handed over: reference rows, patients streamed, the
// period's appointments, the notes summarised into them, first invitations (one per
// invited patient).
type ReadStats struct {
	Offices, Clinicians, Patients, Appointments, Notes, Invitations, APIWindows int
}

// readTxHook, when set by a test, runs inside the read transaction after the practice
// is read and handed to the Sink.
var readTxHook func(ctx context.Context, tx readTx) error

// readTx is the read's transaction: a *sql.Tx, or on MariaDB the one connection whose
// transaction mariadbBegin started.
type readTx interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Read reads the period [from, to] (local dates) inside one transaction and streams it
// to sink:
//
//   - every office, clinician and API window (R2, R6: windows of any age);
//   - each patient with ALL their appointments whose scheduled_at lies in the UTC
//     window [from-1 day 00:00Z, to+2 days 00:00Z) — a margin wider than any zone
//     offset, since the engine decides local dates (R1) — in (scheduled_at, id) order;
//   - each visit's note summary, aggregated by the database: count, earliest
//     signed_at, earliest locked_at (R4: a later addendum never moves it);
//   - each patient's earliest invitation, however old (R5).
//
// Notes of appointments outside the window and invitations of patients without a
// visit in the window are not read (harmless); notes of no appointment at all and
// invitations of no patient are counted for a DanglingSink (dangling.go).
// A row that breaks SPEC §3 stops the read with a *DataError.
func (s *Store) Read(ctx context.Context, from, to calendar.Date, sink Sink) (ReadStats, error) {
	var st ReadStats
	if to < from {
		return st, fmt.Errorf("read %s: period %s..%s ends before it starts", s, from, to)
	}
	lo, hi := from.AddDays(-1).Time(), to.AddDays(2).Time()
	// Cancelled on an early stop so that the server stops sending (lib/pq would otherwise
	// drain every remaining row when the result is closed).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tx, done, err := s.beginRead(ctx)
	if err != nil {
		return st, fmt.Errorf("read %s: %w", s, s.scrub(lostConnection(err)))
	}
	defer done()
	r := &reader{s: s, ctx: ctx, cancel: cancel, tx: tx, st: &st}
	if s.dialect == Postgres {
		// The snapshot the period's other connections will share (visits.go); exported
		// first, while the transaction is still plain.
		if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&r.snapshot); err != nil {
			return st, fmt.Errorf("read %s: export the snapshot: %w", s, s.scrub(lostConnection(err)))
		}
	}
	p, err := r.practice()
	if err != nil {
		return st, err
	}
	if err := sink.Practice(p); err != nil {
		return st, fmt.Errorf("read %s: %w", s, err)
	}
	if readTxHook != nil {
		if err := readTxHook(ctx, tx); err != nil {
			return st, err
		}
	}
	rels := []string{"appointments", "patients", "portal_invitations"}
	r.unique = map[string]bool{}
	for _, rel := range rels {
		if r.unique[rel], err = r.idUnique(rel); err != nil {
			return st, err
		}
	}
	if err := r.columnTypes(); err != nil {
		return st, r.fail("appointments", err)
	}
	if _, ok := sink.(DanglingSink); ok { // R10: rows that point at nothing (dangling.go)
		if err := r.danglingPlan(); err != nil {
			return st, err
		}
	}
	for _, rel := range rels {
		if err := r.checkUnique(rel, lo, hi); err != nil {
			return st, err
		}
	}
	if err := r.piped(p, lo, hi, sink); err != nil {
		return st, err
	}
	if err := r.sendDangling(sink); err != nil {
		return st, err
	}
	return st, nil
}

// beginRead opens the snapshot. done ends it (rollback: nothing is ever written).
func (s *Store) beginRead(ctx context.Context) (readTx, func(), error) {
	if s.dialect == MariaDB {
		return mariadbBegin(ctx, s.db.DB)
	}
	if s.dialect == Postgres {
		// BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY (SPEC §3).
		tx, err := s.db.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, nil, err
		}
		return tx, func() { tx.Rollback() }, nil
	}
	// SQLite: one connection, query_only so that nothing can write through it, and one
	// deferred transaction whose first SELECT fixes the snapshot.
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
		conn.Close()
		return nil, nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.ExecContext(context.Background(), "PRAGMA query_only = OFF")
		conn.Close()
		return nil, nil, err
	}
	return tx, func() {
		tx.Rollback()
		if _, err := conn.ExecContext(context.Background(), "PRAGMA query_only = OFF"); err != nil {
			// Never hand a read-only connection back to the pool.
			conn.Raw(func(any) error { return driverBadConn })
		}
		conn.Close()
	}, nil
}

type reader struct {
	s      *Store
	ctx    context.Context
	cancel context.CancelFunc
	tx     readTx
	st     *ReadStats
	// snapshot is the exported snapshot of tx (PostgreSQL), once asked for.
	snapshot string
	// epoch: the PostgreSQL timestamptz columns (relation.column) read as
	// extract(epoch FROM …) (colTime.epoch).
	epoch map[string]bool
	// intCol: the PostgreSQL columns (relation.column) of the period's relations that
	// are integers (smallint, integer, bigint), in the catalogue's words.
	intCol map[string]bool
	// unique: the relations whose id the catalogue proves unique (idUnique).
	unique map[string]bool
	// The rows that point at nothing (dangling.go): how each finding is found, and
	// what was found.
	notesByCount, invByMerge bool
	// noteRows: the period's scan sends one row per note (visits.go).
	noteRows bool
	dangling [2]danglingRows
	// MariaDB (mariadb_scan.go): the period's appointments scan, and whether
	// appointments.scheduled_at is text rather than a DATETIME or TIMESTAMP.
	mdbVisits   mdbScan
	mdbTextTime bool
}

// columnTypes finds the period's timestamp columns that are timestamptz (tables or
// views alike; anything else — a view's text, a timestamp without zone — is read as
// it always was) and the integer columns.
func (r *reader) columnTypes() error {
	r.epoch, r.intCol = map[string]bool{}, map[string]bool{}
	if r.s.dialect == MariaDB {
		var err error
		if r.mdbTextTime, err = mariadbTextTime(r.ctx, r.tx); err != nil {
			return err
		}
		r.intCol, err = mariadbIntColumns(r.ctx, r.tx)
		return err
	}
	if r.s.dialect != Postgres {
		return nil
	}
	rows, err := r.tx.QueryContext(r.ctx, `SELECT c.relname, a.attname, a.atttypid = 'timestamptz'::regtype,
		  a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE a.attrelid IN (to_regclass('appointments'), to_regclass('clinical_notes'),
		    to_regclass('portal_invitations'), to_regclass('patients'))
		  AND a.attnum > 0 AND NOT a.attisdropped`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rel, col string
		var tz, integer bool
		if err := rows.Scan(&rel, &col, &tz, &integer); err != nil {
			return err
		}
		if tz && rel != "patients" {
			r.epoch[rel+"."+col] = true
		}
		if integer {
			r.intCol[rel+"."+col] = true
		}
	}
	return rows.Err()
}

func (r *reader) fail(what string, err error) error {
	var de *DataError
	if errors.As(err, &de) {
		return err
	}
	return fmt.Errorf("read %s from %s: %w", what, r.s, r.s.scrub(lostConnection(err)))
}

// lostConnection says what "driver: bad connection" means. lib/pq reports a server that
// went away mid-query (stopped, restarted, killed the backend, or the network dropped)
// as driver.ErrBadConn, and the server's own last words (FATAL 57P01 "terminating
// connection due to administrator command") are folded into it too, so the bare
// message would leave a DBA guessing (issue 7, database faults).
func lostConnection(err error) error {
	if errors.Is(err, driverBadConn) || mariadbLost(err) {
		return fmt.Errorf("lost the connection to the server (it stopped or restarted, ended this session, or the network failed): %w", err)
	}
	return err
}

// expr is how a column is selected: SQLite gets CAST(… AS TEXT) for timestamps and
// dates so that no driver guesses at declared DATETIME columns of a view; instant.go
// parses the text.
func (r *reader) expr(alias string) func(c *column) string {
	return func(c *column) string {
		name := c.name
		if alias != "" {
			name = alias + "." + name
		}
		if r.s.dialect == SQLite && (c.kind == kInstant || c.kind == kDate) {
			return "CAST(" + name + " AS TEXT)"
		}
		if r.epoch[c.rel+"."+c.name] {
			return "extract(epoch FROM " + name + ")"
		}
		return name
	}
}

// query selects rel's columns (model order, through expr) with the SQL tail and scans
// each row into dest, which names every column of the model.
func (r *reader) query(rel *relation, dest map[string]any, tail string, args ...any) (*sql.Rows, []any, error) {
	cols, scan := rel.selectList(dest, r.expr(""))
	rows, err := r.tx.QueryContext(r.ctx, "SELECT "+cols+" FROM "+rel.name+" "+tail, args...)
	return rows, scan, err
}

func (r *reader) practice() (measure.Practice, error) {
	var p measure.Practice
	var err error
	if p.Offices, err = r.offices(); err != nil {
		return p, r.fail("offices", err)
	}
	if p.Clinicians, err = r.clinicians(); err != nil {
		return p, r.fail("clinicians", err)
	}
	if p.APIWindows, err = r.apiWindows(); err != nil {
		return p, r.fail("api_windows", err)
	}
	r.st.Offices, r.st.Clinicians, r.st.APIWindows = len(p.Offices), len(p.Clinicians), len(p.APIWindows)
	return p, nil
}

// rowID renders an id for a DataError ("" when NULL or not an integer).
func rowID(c *colInt) string {
	if c.null || c.bad != "" {
		return ""
	}
	return strconv.FormatInt(c.v, 10)
}

// ids tracks the ids of a small relation to catch duplicates (views cannot prevent them).
type ids map[int64]bool

func (seen ids) add(rel string, id *colInt) error {
	if err := check(rel, "", "id", id.null, id.bad, true); err != nil {
		return err
	}
	if seen[id.v] {
		return &DataError{Relation: rel, ID: rowID(id), Column: "id", Problem: "duplicate id"}
	}
	seen[id.v] = true
	return nil
}

func (r *reader) offices() ([]measure.Office, error) {
	var id colInt
	var tin, name, zone colText
	rows, dest, err := r.query(relOffices, map[string]any{"id": &id, "tin": &tin, "name": &name, "timezone": &zone},
		"ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []measure.Office
	seen := ids{}
	zones := map[string]*time.Location{}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if err := seen.add(relOffices.name, &id); err != nil {
			return nil, err
		}
		rid := rowID(&id)
		if err := relOffices.checkRow(rid, dest); err != nil {
			return nil, err
		}
		zn := zone.String()
		loc, ok := zones[zn]
		if !ok {
			if loc, err = loadZone(zn); err != nil {
				return nil, &DataError{Relation: "offices", ID: rid, Column: "timezone", Problem: err.Error()}
			}
			zones[zn] = loc
		}
		out = append(out, measure.Office{ID: id.v, TIN: tin.String(), Name: name.String(), Zone: loc})
	}
	return out, rows.Err()
}

// loadZone accepts IANA zone names only: not "" (which Go reads as UTC) nor "Local".
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %s (want an IANA name like America/Chicago)", quote(name))
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %s (want an IANA name like America/Chicago)", quote(name))
	}
	return loc, nil
}

func (r *reader) clinicians() ([]measure.Clinician, error) {
	var id colInt
	var npi, first, last colText
	var eligible colBool
	rows, dest, err := r.query(relClinicians, map[string]any{"id": &id, "npi": &npi, "first_name": &first,
		"last_name": &last, "mips_eligible": &eligible}, "ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []measure.Clinician
	seen := ids{}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if err := seen.add(relClinicians.name, &id); err != nil {
			return nil, err
		}
		if err := relClinicians.checkRow(rowID(&id), dest); err != nil {
			return nil, err
		}
		out = append(out, measure.Clinician{ID: id.v, NPI: npi.String(), FirstName: first.String(),
			LastName: last.String(), Eligible: eligible.v})
	}
	return out, rows.Err()
}

func (r *reader) apiWindows() ([]measure.APIWindow, error) {
	var id colInt
	var tin colText
	var enabled, disabled colTime
	rows, dest, err := r.query(relAPIWindows, map[string]any{"id": &id, "tin": &tin, "enabled_at": &enabled,
		"disabled_at": &disabled}, "ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []measure.APIWindow
	seen := ids{}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if err := seen.add(relAPIWindows.name, &id); err != nil {
			return nil, err
		}
		rid := rowID(&id)
		if err := relAPIWindows.checkRow(rid, dest); err != nil {
			return nil, err
		}
		if !disabled.null && disabled.t.Before(enabled.t) {
			return nil, &DataError{Relation: "api_windows", ID: rid, Column: "disabled_at",
				Problem: fmt.Sprintf("disabled %s before enabled %s", formatInstant(disabled.t), formatInstant(enabled.t))}
		}
		out = append(out, measure.APIWindow{ID: id.v, TIN: tin.String(), Enabled: enabled.t, Disabled: disabled.t})
	}
	return out, rows.Err()
}
