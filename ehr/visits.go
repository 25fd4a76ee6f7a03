package ehr

// The period's visits (issue 12): the database does what it is fast at — plain scans
// in index order — and Go the rest. Three cursors, each in patient order, are merged
// here:
//
//	appointments ⟕ clinical_notes   the period's appointments with their notes (one row
//	                                per note), by patient_id
//	patients                        by id, each patient sent once (not once per visit)
//	portal_invitations              by patient_id
//
// Go computes the earliest signed and locked note times (R4), the first invitation
// (R5: earliest sent_at, then lowest id) and the order of each patient's visits
// (instant, id). On PostgreSQL the three run on three connections in one exported
// snapshot (pg_export_snapshot / SET TRANSACTION SNAPSHOT, as pg_dump -j does), each
// read-only and repeatable read, so that the server works on them at once and the
// report is still one consistent view. On SQLite they share the one read transaction.
//
// SQLite keeps timestamps as TEXT in several spellings (SPEC §3), so there is no
// julianday() and no GLOB on the period's rows: the query keeps the rows whose text
// starts with a date within a day of the UTC window (a local date is never more than
// 15 hours from the UTC one), and Go parses every timestamp with the one parser
// (instant.go) and keeps the appointments whose instant lies in the window. Text that
// does not have the shape of a timestamp is always read — the GLOB runs only on rows
// outside the window — so that it is reported, never dropped.

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/mipspi/mipspi/measure"
)

var driverBadConn = driver.ErrBadConn

// sqliteShapeGlob is the start every accepted timestamp text has (instant.go).
const sqliteShapeGlob = `[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt ]*`

// visitsSQL is the appointments ⟕ notes scan with its arguments; its last column
// is the number of notes the row stands for.
//
// SQLite: one row per note (or one for an appointment without notes), each note's
// times parsed here. PostgreSQL: the notes of each appointment through a LATERAL
// subquery, in the order of the index appointments(patient_id, scheduled_at) — a plan
// that streams from the first row (the floor's own), so that the server and Go work
// at once; a hash join and a sort of every row came out cheaper for the planner but
// sent nothing until the sort was done. When both note times are timestamptz
// (r.noteRows) the subquery sends one row per note and Go sums them up exactly as
// count(*) and min() would (keepEarlier), and checks the sums at the same point of the
// read (finishNotes): re-running an aggregate for each of a million appointments cost
// the server more than the 6% more rows (issue 12). Otherwise (a view's text or
// timestamp columns, whose min() is not the instants' order) the subquery sums them up:
// count, earliest signed_at and locked_at.
func (r *reader) visitsSQL(a, n map[string]any, count *colInt, lo, hi time.Time) (string, []any, []any) {
	acols, adest := relAppointments.selectList(a, r.expr("a"))
	ncols, ndest := relNotes.selectList(n, r.expr("n"))
	dest := append(append(adest, ndest...), count)
	if r.s.dialect == Postgres {
		// Rows with a NULL scheduled_at are kept so that they are reported.
		notes := `SELECT count(*) AS cnt, NULL::bigint AS id, NULL::bigint AS appointment_id,
    min(x.signed_at) AS signed_at, min(x.locked_at) AS locked_at
  FROM clinical_notes x WHERE x.appointment_id = a.id`
		if r.noteRows {
			// One row per note, summed up in Go as the aggregate would; OFFSET 0 keeps
			// the LATERAL a nested loop along the index (no hash join and sort).
			notes = `SELECT 1 AS cnt, NULL::bigint AS id, NULL::bigint AS appointment_id, x.signed_at, x.locked_at
  FROM clinical_notes x WHERE x.appointment_id = a.id OFFSET 0`
		}
		q := `SELECT ` + acols + `, ` + ncols + `, n.cnt
FROM appointments a LEFT JOIN LATERAL (
  ` + notes + `) n ON true
WHERE (a.scheduled_at >= $1 AND a.scheduled_at < $2) OR a.scheduled_at IS NULL
ORDER BY a.patient_id, a.scheduled_at`
		return q, []any{lo, hi}, dest
	}
	tlo, thi := sqliteTextBounds(lo, hi)
	if r.s.dialect == MariaDB {
		r.mdbVisits = mariadbVisitScan(acols, ncols, r.mdbTextTime, tlo, thi)
		return "", nil, dest
	}
	q := `SELECT ` + acols + `, ` + ncols + `, CASE WHEN n.appointment_id IS NULL THEN 0 ELSE 1 END
FROM appointments a LEFT JOIN clinical_notes n ON n.appointment_id = a.id
WHERE (a.scheduled_at >= ?1 AND a.scheduled_at < ?2) OR a.scheduled_at IS NULL OR NOT (a.scheduled_at GLOB ?3)
ORDER BY a.patient_id`
	return q, []any{tlo, thi, sqliteShapeGlob}, dest
}

// sqliteTextBounds are the date texts that bracket every spelling of an instant in
// [lo, hi): one day wider on each side than the UTC dates.
func sqliteTextBounds(lo, hi time.Time) (string, string) {
	return lo.AddDate(0, 0, -1).Format(time.DateOnly), hi.AddDate(0, 0, 1).Format(time.DateOnly)
}

func (s *Store) windowArgs(lo, hi time.Time) []any {
	switch s.dialect {
	case Postgres:
		return []any{lo, hi}
	case MariaDB:
		return []any{lo.Format(mariadbDatetime), hi.Format(mariadbDatetime)}
	}
	return []any{formatInstant(lo), formatInstant(hi)}
}

// cursor is one of the merged scans.
type cursor struct {
	rows rowsIter
	dest []any
	ok   bool // a row is scanned and not yet consumed
	done bool
	err  error
}

func (c *cursor) next() bool {
	if c.done {
		return false
	}
	if !c.rows.Next() {
		c.done, c.ok = true, false
		c.err = c.rows.Err()
		return false
	}
	if err := c.rows.Scan(c.dest...); err != nil {
		c.done, c.ok, c.err = true, false, err
		return false
	}
	c.ok = true
	return true
}

// noteAggregate, set by a test, keeps PostgreSQL's notes summed up by the server.
var noteAggregate bool

// pending is a visit of the current patient under construction.
type pending struct {
	v measure.Visit
	// With r.noteRows (one row per note), its notes so far, summed up as min() would
	// (keepEarlier) and checked once the patient is complete (finishNotes).
	notes          int
	signed, locked colTime
}

// keepEarlier keeps in m the earlier of m and c in the order of min() over timestamptz:
// NULL is skipped, -infinity comes first and infinity last.
func keepEarlier(m, c *colTime) {
	if c.null {
		return
	}
	if m.null || c.inf < m.inf || c.inf == m.inf && c.inf == 0 && c.t.Before(m.t) {
		*m = *c
	}
}

// querier is a transaction the cursors run in.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// snapshotTx opens another read-only, repeatable-read transaction on its own
// PostgreSQL connection that sees exactly the snapshot of the read's transaction.
func (r *reader) snapshotTx() (*sql.Tx, error) {
	tx, err := r.s.db.DB.BeginTx(r.ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	// The id is the server's own (hex digits and dashes); SET takes no parameters.
	if _, err := tx.ExecContext(r.ctx, `SET TRANSACTION SNAPSHOT `+pqQuote(r.snapshot)); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
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

// patients runs the period's scans and streams PatientRecords to sink.
func (r *reader) patients(p measure.Practice, lo, hi time.Time, sink Sink) (err error) {
	offices := make(map[int64]bool, len(p.Offices))
	for _, o := range p.Offices {
		offices[o.ID] = true
	}
	clinicians := make(map[int64]bool, len(p.Clinicians))
	for _, c := range p.Clinicians {
		clinicians[c.ID] = true
	}
	var (
		ap struct {
			id, patientID, officeID, clinicianID colInt
			scheduledAt                          colTime
			status                               colText
		}
		nt struct {
			id, appointmentID  colInt
			signedAt, lockedAt colTime
			count              colInt
		}
		pt struct {
			id               colInt
			mrn, first, last colText
			birth            colDate
			email            colText
		}
		iv struct {
			id, patientID      colInt
			sentAt             colTime
			recipient, channel colText
		}
	)
	ap.scheduledAt.epoch = r.epoch["appointments.scheduled_at"]
	nt.signedAt.epoch = r.epoch["clinical_notes.signed_at"]
	nt.lockedAt.epoch = r.epoch["clinical_notes.locked_at"]
	iv.sentAt.epoch = r.epoch["portal_invitations.sent_at"]
	r.noteRows = r.s.dialect == Postgres && nt.signedAt.epoch && nt.lockedAt.epoch && !noteAggregate
	q, qargs, adest := r.visitsSQL(
		map[string]any{"id": &ap.id, "patient_id": &ap.patientID, "office_id": &ap.officeID,
			"clinician_id": &ap.clinicianID, "scheduled_at": &ap.scheduledAt, "status": &ap.status},
		map[string]any{"id": &nt.id, "appointment_id": &nt.appointmentID, "signed_at": &nt.signedAt,
			"locked_at": &nt.lockedAt}, &nt.count, lo, hi)
	apDest := adest[:len(relAppointments.cols)]
	var cursors []*cursor
	var extra []*sql.Tx
	defer func() {
		if err != nil {
			r.cancel() // stop the servers before Close, which would drain the rest
		}
		for _, c := range cursors {
			c.rows.Close()
		}
		for _, tx := range extra {
			tx.Rollback()
		}
	}()
	// PostgreSQL: the other two transactions are opened before any scan starts.
	if r.s.dialect == Postgres {
		for range 2 {
			tx, err := r.snapshotTx()
			if err != nil {
				return r.failPeriod(err)
			}
			extra = append(extra, tx)
		}
	}
	open := func(q string, dest []any, args ...any) (*cursor, error) {
		var in querier = r.tx
		if len(cursors) > 0 && len(extra) >= len(cursors) {
			in = extra[len(cursors)-1]
		}
		rows, err := in.QueryContext(r.ctx, q, args...)
		if err != nil {
			return nil, r.failPeriod(err)
		}
		c := &cursor{rows: rows, dest: dest}
		cursors = append(cursors, c)
		return c, nil
	}
	pcols, pdest := relPatients.selectList(map[string]any{"id": &pt.id, "mrn": &pt.mrn, "first_name": &pt.first,
		"last_name": &pt.last, "birth_date": &pt.birth, "email": &pt.email}, r.expr(""))
	icols, idest := relInvitations.selectList(map[string]any{"id": &iv.id, "patient_id": &iv.patientID,
		"sent_at": &iv.sentAt, "recipient": &iv.recipient, "channel": &iv.channel}, r.expr(""))
	var ac, pc, ic *cursor
	if r.s.dialect == MariaDB {
		// One connection, one result set at a time (mariadb_scan.go).
		its, err := mariadbScans(r.ctx, r.tx.(*sql.Conn), []mdbScan{r.mdbVisits,
			{cols: pcols, from: "patients", order: "id", patient: "id"},
			{cols: icols, from: "portal_invitations", order: "patient_id", patient: "patient_id"}})
		if err != nil {
			return r.failPeriod(err)
		}
		ac, pc, ic = &cursor{rows: its[0], dest: adest}, &cursor{rows: its[1], dest: pdest}, &cursor{rows: its[2], dest: idest}
		cursors = append(cursors, ac, pc, ic)
	} else {
		if ac, err = open(q, adest, qargs...); err != nil {
			return err
		}
		if pc, err = open(`SELECT `+pcols+` FROM patients ORDER BY id`, pdest); err != nil {
			return err
		}
		if ic, err = open(`SELECT `+icols+` FROM portal_invitations ORDER BY patient_id`, idest); err != nil {
			return err
		}
	}

	var (
		rec         measure.PatientRecord
		inv         measure.Invitation
		intern      = map[string]string{}
		cur         int64 // patient of the pending visits
		have        bool  // cur is set
		visits      []pending
		missing     bool  // cur is not in patients
		periodNotes int64 // the notes the scan summed up (dangling.go)
		dInv        = &r.dangling[danglingInvitation]
	)
	// skipInvitations consumes the invitations of patient ids below x (through x when
	// through is set). With r.invByMerge, those below x, or of no patient id, point at
	// nothing (dangling.go): the patients' scan, in the same order, has passed every id
	// below x, and a patient with one of them would have been seen.
	skipInvitations := func(x int64, through bool) error {
		for {
			if !ic.ok && !ic.next() {
				if ic.err != nil {
					return r.failPeriod(ic.err)
				}
				return nil
			}
			p := &iv.patientID
			if !p.null && p.bad == "" && (p.v > x || p.v == x && !through) {
				return nil
			}
			ic.ok = false
			if r.invByMerge && (p.null || p.bad != "" || p.v < x) {
				dInv.add(&iv.id)
			}
		}
	}
	// patient finds pid in the patients scan and fills rec.Patient; false if missing.
	patient := func(pid int64) (bool, error) {
		for {
			if !pc.ok && !pc.next() {
				if pc.err != nil {
					return false, r.failPeriod(pc.err)
				}
				return false, nil
			}
			if pt.id.null || pt.id.bad != "" || pt.id.v < pid {
				pc.ok = false
				if r.invByMerge && !pt.id.null && pt.id.bad == "" {
					if err := skipInvitations(pt.id.v, true); err != nil {
						return false, err
					}
				}
				continue
			}
			if pt.id.v > pid {
				return false, nil
			}
			pc.ok = false
			if r.invByMerge {
				if err := skipInvitations(pid, false); err != nil {
					return false, err
				}
			}
			if err := relPatients.checkRow(rowID(&pt.id), pdest); err != nil {
				return false, err
			}
			rec.Patient = measure.Patient{ID: pt.id.v, MRN: pt.mrn.String(), FirstName: pt.first.String(),
				LastName: pt.last.String(), BirthDate: pt.birth.d, HasBirthDate: !pt.birth.null, Email: pt.email.String()}
			return true, nil
		}
	}
	// invitation finds pid's earliest invitation (R5: earliest sent_at, then lowest id).
	// Every invitation of the patient is checked; the first one's columns too.
	invitation := func(pid int64) error {
		rec.FirstInvitation = nil
		for {
			if !ic.ok && !ic.next() {
				if ic.err != nil {
					return r.failPeriod(ic.err)
				}
				return nil
			}
			if iv.patientID.null || iv.patientID.bad != "" || iv.patientID.v < pid {
				ic.ok = false
				if r.invByMerge {
					dInv.add(&iv.id)
				}
				continue
			}
			if iv.patientID.v > pid {
				return nil
			}
			ic.ok = false
			if err := check(relInvitations.name, "", "id", iv.id.null, iv.id.bad, true); err != nil {
				return err
			}
			iid := rowID(&iv.id)
			if err := check(relInvitations.name, iid, "sent_at", iv.sentAt.null, iv.sentAt.bad, true); err != nil {
				return err
			}
			if f := rec.FirstInvitation; f != nil &&
				(iv.sentAt.t.After(f.SentAt) || iv.sentAt.t.Equal(f.SentAt) && iv.id.v >= f.ID) {
				continue
			}
			if err := relInvitations.checkRow(iid, idest); err != nil {
				return err
			}
			inv = measure.Invitation{ID: iv.id.v, SentAt: iv.sentAt.t,
				Recipient: iv.recipient.interned(intern), Channel: iv.channel.interned(intern)}
			rec.FirstInvitation = &inv
		}
	}
	// finishNotes checks and stores the notes summed up so far (r.noteRows), in the
	// order the visits came: where the aggregate's row would have been checked.
	finishNotes := func() error {
		for i := range visits {
			pv := &visits[i]
			if pv.notes == 0 {
				continue
			}
			n := pv.notes
			pv.notes = 0
			if err := note(&pv.v.Notes, n, strconv.FormatInt(pv.v.ID, 10), "", &pv.signed, &pv.locked); err != nil {
				return err
			}
		}
		return nil
	}
	// finished returns err unless a note of an earlier row of the patient is wrong:
	// the first bad row is the one reported.
	finished := func(err error) error {
		if e := finishNotes(); e != nil {
			return e
		}
		return err
	}
	flush := func() error {
		if len(visits) == 0 {
			return nil
		}
		if err := finishNotes(); err != nil {
			return err
		}
		if err := invitation(cur); err != nil {
			return err
		}
		rec.Visits = rec.Visits[:0]
		for i := range visits {
			rec.Visits = append(rec.Visits, visits[i].v)
		}
		visits = visits[:0]
		// By (instant, id); slices.SortFunc, unlike sort.Slice, allocates nothing.
		slices.SortFunc(rec.Visits, func(a, b measure.Visit) int {
			if c := a.ScheduledAt.Compare(b.ScheduledAt); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		return sink.Patient(&rec) // piped: counted where the Sink takes it
	}
	for ac.next() {
		periodNotes += nt.count.v
		// An appointment whose instant is readable and outside the window is not read
		// (SQLite's text bounds are a day wider than the window).
		if !ap.scheduledAt.null && ap.scheduledAt.bad == "" &&
			(ap.scheduledAt.t.Before(lo) || !ap.scheduledAt.t.Before(hi)) {
			continue
		}
		if err := relAppointments.checkRowOf(&ap.id, apDest); err != nil {
			return finished(err)
		}
		pid := ap.patientID.v
		if !have || pid != cur {
			if have && pid < cur {
				return finished(fmt.Errorf("read appointments from %s: rows not in patient order (patient %d after %d)",
					r.s, pid, cur))
			}
			if err := flush(); err != nil {
				return err
			}
			ok, err := patient(pid)
			if err != nil {
				return err
			}
			cur, have, missing = pid, true, !ok
		}
		switch {
		case missing:
			return &DataError{Relation: relAppointments.name, ID: rowID(&ap.id), Column: "patient_id",
				Problem: fmt.Sprintf("patient %d not found in patients", pid)}
		case !offices[ap.officeID.v]:
			return finished(&DataError{Relation: relAppointments.name, ID: rowID(&ap.id), Column: "office_id",
				Problem: fmt.Sprintf("office %d not found in offices", ap.officeID.v)})
		case !clinicians[ap.clinicianID.v]:
			return finished(&DataError{Relation: relAppointments.name, ID: rowID(&ap.id), Column: "clinician_id",
				Problem: fmt.Sprintf("clinician %d not found in clinicians", ap.clinicianID.v)})
		}
		// The visit: the last one again (its next note) or a new one.
		var pv *pending
		if k := len(visits); k > 0 && visits[k-1].v.ID == ap.id.v {
			pv = &visits[k-1]
		} else {
			for i := range visits {
				if visits[i].v.ID == ap.id.v {
					pv = &visits[i]
				}
			}
		}
		if pv == nil {
			visits = append(visits, pending{v: measure.Visit{ID: ap.id.v, OfficeID: ap.officeID.v,
				ClinicianID: ap.clinicianID.v, ScheduledAt: ap.scheduledAt.t, Status: ap.status.interned(intern)}})
			pv = &visits[len(visits)-1]
			pv.signed.null, pv.locked.null = true, true
		}
		if nt.count.v == 0 {
			continue // no note
		}
		if r.noteRows {
			pv.notes++
			keepEarlier(&pv.signed, &nt.signedAt)
			keepEarlier(&pv.locked, &nt.lockedAt)
			continue
		}
		if err := note(&pv.v.Notes, int(nt.count.v), rowID(&ap.id), rowID(&nt.id), &nt.signedAt, &nt.lockedAt); err != nil {
			return err
		}
	}
	if ac.err != nil {
		return finished(r.failPeriod(ac.err))
	}
	if err := flush(); err != nil {
		return err
	}
	if r.invByMerge {
		// The patients after the last one with a visit, then the invitations of ids
		// above every patient's, or of none.
		for pc.ok || pc.next() {
			pc.ok = false
			if !pt.id.null && pt.id.bad == "" {
				if err := skipInvitations(pt.id.v, true); err != nil {
					return err
				}
			}
		}
		if pc.err != nil {
			return r.failPeriod(pc.err)
		}
		for ic.ok || ic.next() {
			ic.ok = false
			dInv.add(&iv.id)
		}
		if ic.err != nil {
			return r.failPeriod(ic.err)
		}
	}
	if r.notesByCount {
		return r.danglingNotesByCount(periodNotes, lo, hi)
	}
	return nil
}

// failPeriod is a failure of one of the period's scans. They are one read, as when
// it was one query, so that the messages stay the same: named after appointments, and
// a connection that ended mid-row (lib/pq: EOF or a reset on one connection, "bad
// connection" on another) is a lost connection whichever scan noticed it first.
func (r *reader) failPeriod(err error) error {
	var netErr *net.OpError
	var pqErr *pq.Error
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &netErr) ||
		// 57P01..57P03: the server is shutting down or starting up.
		errors.As(err, &pqErr) && strings.HasPrefix(string(pqErr.Code), "57P") || mariadbLost(err) {
		err = driverBadConn
	}
	return r.fail("appointments", err)
}

// note adds count notes of appointment aid (one, or PostgreSQL's summary of them all)
// to its summary (R4: the earliest times).
func note(n *measure.Notes, count int, aid, nid string, signed, locked *colTime) error {
	for _, c := range []struct {
		col string
		t   *colTime
		min *time.Time
	}{{"signed_at", signed, &n.FirstSigned}, {"locked_at", locked, &n.FirstLocked}} {
		if c.t.bad == problemZeroInstant {
			// Worded as before, when the database summed up the notes and only the
			// appointment was known: the same row keeps the same message.
			return &DataError{Relation: relNotes.name, Column: c.col,
				Problem: c.t.bad + " (note of appointment " + aid + ")"}
		}
		if err := check(relNotes.name, nid, c.col, c.t.null, c.t.bad, false); err != nil {
			return err
		}
		if !c.t.null && (c.min.IsZero() || c.t.t.Before(*c.min)) {
			*c.min = c.t.t
		}
	}
	n.Count += count
	return nil
}

// idUnique says whether the catalogue proves rel's ids unique: a table whose id is its
// primary key, or has a unique index on id alone.
func (r *reader) idUnique(rel string) (bool, error) {
	var unique bool
	var q string
	switch r.s.dialect {
	case MariaDB:
		q = mariadbIDUniqueSQL
	case Postgres:
		q = `SELECT EXISTS (SELECT 1 FROM pg_index i
			JOIN pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = i.indkey[0]
			WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indnkeyatts = 1
			  AND i.indpred IS NULL AND i.indexprs IS NULL AND att.attname = 'id')`
	default:
		q = `SELECT ((SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1
			  AND EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE pk = 1 AND name = 'id'))
			OR EXISTS (SELECT 1 FROM pragma_index_list(?1) l WHERE l."unique" = 1 AND l.partial = 0
			  AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1
			  AND (SELECT name FROM pragma_index_info(l.name)) = 'id')`
	}
	if err := r.tx.QueryRowContext(r.ctx, q, rel).Scan(&unique); err != nil {
		return false, r.fail(rel, fmt.Errorf("check that ids are unique: %w", err))
	}
	return unique, nil
}

// checkUnique proves that rel's ids are unique among the rows the read uses. A table
// whose id the catalogue proves unique (idUnique) needs no query; a view or a table
// without one gets one GROUP BY over the period.
func (r *reader) checkUnique(rel string, lo, hi time.Time) error {
	if r.unique[rel] {
		return nil
	}
	var q string
	window := `(scheduled_at >= $1 AND scheduled_at < $2)`
	if r.s.dialect == MariaDB {
		window = `(scheduled_at >= ? AND scheduled_at < ?)`
	}
	if r.s.dialect == SQLite {
		window = `(coalesce(julianday(scheduled_at), julianday(upper(scheduled_at))) >= julianday(?1) AND coalesce(julianday(scheduled_at), julianday(upper(scheduled_at))) < julianday(?2))`
	}
	switch rel {
	case "appointments":
		q = `SELECT id, count(*) FROM appointments WHERE ` + window + ` AND id IS NOT NULL
			GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1`
	case "portal_invitations":
		// A view repeating an invitation would repeat its patient's visits in the
		// SQLite join and be blamed on appointments (issue 13): name it here.
		q = `SELECT id, count(*) FROM portal_invitations WHERE patient_id IN (SELECT patient_id FROM appointments WHERE ` + window + `)
			AND id IS NOT NULL GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1`
	default:
		q = `SELECT id, count(*) FROM patients WHERE id IN (SELECT patient_id FROM appointments WHERE ` + window + `)
			GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1`
	}
	var id colInt
	var n int64
	err := r.tx.QueryRowContext(r.ctx, q, r.s.windowArgs(lo, hi)...).Scan(&id, &n)
	switch {
	case err == nil:
		return &DataError{Relation: rel, ID: rowID(&id), Column: "id",
			Problem: "duplicate id: " + strconv.FormatInt(n, 10) + " rows"}
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return r.fail(rel, fmt.Errorf("check that ids are unique: %w", err))
}
