package ehr

// The read of one report: everything inside one snapshot of the database (SPEC §3: the
// dialect's — one read-only, repeatable-read transaction, or on PostgreSQL several
// connections sharing one exported snapshot) and a few set-based queries for the whole
// period, never a query per patient or per visit.

import (
	"context"
	"database/sql"
	"database/sql/driver"
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

// IdentitySink is a Sink that also takes the database's identity (SPEC §7: a name that
// survives renaming, for combine), read in the same snapshot after the patients.
type IdentitySink interface {
	Identity(id string) error
}

// readTxHook, when set by a test, runs inside the read transaction after the practice
// is read and handed to the Sink.
var readTxHook func(ctx context.Context, tx querier) error

// Read reads the period [from, to] (local dates) in one snapshot and streams it to
// sink:
//
//   - every office, clinician and API window (R2, R6: windows of any age);
//   - each patient with ALL their appointments whose scheduled_at lies in the UTC
//     window [from-1 day 00:00Z, to+2 days 00:00Z) — a margin wider than any zone
//     offset, since the engine decides local dates (R1) — in (scheduled_at, id) order;
//   - each visit's notes, summed up by measure.Notes.Add: count, earliest signed_at,
//     earliest locked_at (R4: a later addendum never moves it);
//   - each patient's first invitation, however old, chosen by
//     measure.EarliestInvitation among all of theirs (R5).
//
// Notes of appointments outside the window and invitations of patients without a
// visit in the window are not handed over (harmless); notes of no appointment at all
// and invitations of no patient are counted for a DanglingSink (dangling.go), the
// database's identity handed to an IdentitySink. A row that breaks SPEC §3 stops the
// read with a *DataError.
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
	snap, err := s.d.begin(ctx, s.db)
	if err != nil {
		return st, fmt.Errorf("read %s: %w", s, s.scrub(lostConnection(s.d, err)))
	}
	defer snap.close()
	r := &reader{s: s, d: s.d, ctx: ctx, cancel: cancel, snap: snap, tx: snap.tx(), st: &st}
	p, err := r.practice()
	if err != nil {
		return st, err
	}
	if err := sink.Practice(p); err != nil {
		return st, fmt.Errorf("read %s: %w", s, err)
	}
	if readTxHook != nil {
		if err := readTxHook(ctx, r.tx); err != nil {
			return st, err
		}
	}
	if err := r.describe(); err != nil {
		return st, err
	}
	if _, ok := sink.(DanglingSink); ok { // R10: rows that point at nothing (dangling.go)
		if err := r.danglingPlan(); err != nil {
			return st, err
		}
	}
	for _, rel := range periodRelations {
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
	return st, r.sendIdentity(sink)
}

// sendIdentity hands the database's identity to sink, when it is an IdentitySink.
func (r *reader) sendIdentity(sink Sink) error {
	is, ok := sink.(IdentitySink)
	if !ok {
		return nil
	}
	id, err := r.d.identity(r.ctx, r.tx)
	if err != nil {
		return r.fail("the database's identity", err)
	}
	if err := is.Identity(id); err != nil {
		return fmt.Errorf("read %s: %w", r.s, err)
	}
	return nil
}

type reader struct {
	s      *Store
	d      dialect
	ctx    context.Context
	cancel context.CancelFunc
	snap   snapshot
	tx     querier // snap.tx()
	st     *ReadStats
	// cat is what the catalogue said (catalogue.go); nil while the practice is read.
	cat *catalogue
	// The rows that point at nothing (dangling.go): how each finding is found, and
	// what was found.
	notesByCount, invByMerge bool
	dangling                 [2]danglingRows
}

func (r *reader) fail(what string, err error) error {
	var de *DataError
	if errors.As(err, &de) {
		return err
	}
	return fmt.Errorf("read %s from %s: %w", what, r.s, r.s.scrub(lostConnection(r.d, err)))
}

var driverBadConn = driver.ErrBadConn

// lostConnection says what "driver: bad connection" means. lib/pq reports a server that
// went away mid-query (stopped, restarted, killed the backend, or the network dropped)
// as driver.ErrBadConn, and the server's own last words (FATAL 57P01 "terminating
// connection due to administrator command") are folded into it too, so the bare
// message would leave a DBA guessing.
func lostConnection(d dialect, err error) error {
	if errors.Is(err, driverBadConn) || d.connectionLost(err) {
		return fmt.Errorf("lost the connection to the server (it stopped or restarted, ended this session, or the network failed): %w", err)
	}
	return err
}

// selectList is rel's columns (model order) as the dialect fetches them, with alias,
// and the Scan destinations in the same order taken by name from dest; an instant
// column's scanner learns how its value arrives (colTime.raw).
func (r *reader) selectList(rel *relation, alias string, dest map[string]any) (string, []any) {
	return rel.selectList(dest, func(c *column) string {
		expr, raw := r.d.fetch(c, alias, r.cat)
		if t, ok := dest[c.name].(*colTime); ok {
			t.raw = nil
			if raw {
				t.raw = r.d.rawInstant
			}
		}
		return expr
	})
}

// query selects rel's columns (model order) with the SQL tail and scans each row into
// dest, which names every column of the model.
func (r *reader) query(rel *relation, dest map[string]any, tail string, args ...any) (*sql.Rows, []any, error) {
	cols, scan := r.selectList(rel, "", dest)
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
