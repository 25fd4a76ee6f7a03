package ehr

// The SQLite read of the period (issue 12): the database does what it is fast at —
// plain scans in index order — and Go the rest. Three cursors in the one read
// transaction, each in patient order, are merged here:
//
//	appointments ⟕ clinical_notes   the period's appointments with their notes (one row
//	                                per note), by patient_id (index appointments(patient_id, …))
//	patients                        by id (the rowid)
//	portal_invitations              by patient_id (index portal_invitations(patient_id))
//
// No julianday() and no GLOB on the rows of the period: SQLite keeps timestamps as TEXT
// in several spellings (SPEC §3), so the query keeps the rows whose text starts with a
// date within a day of the UTC window (a local date is never more than 15 hours from
// the UTC one), and Go parses every timestamp with the one parser (instant.go), keeps
// the appointments whose instant lies in the window, computes the earliest signed and
// locked note times and the first invitation, and orders each patient's visits by
// (instant, id). Text that does not have the shape of a timestamp is always read —
// the GLOB runs only on rows outside the window — so that it is reported, never
// dropped.

import (
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/mipspi/mipspi/measure"
)

// sqliteShapeGlob is the start every accepted timestamp text has (instant.go).
const sqliteShapeGlob = `[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt ]*`

// sqliteVisitsSQL is the appointments ⟕ notes scan: ?1, ?2 the text bounds
// (YYYY-MM-DD), ?3 the shape GLOB.
func (r *reader) sqliteVisitsSQL(a, n map[string]any) (string, []any) {
	acols, adest := relAppointments.selectList(a, r.expr("a"))
	ncols, ndest := relNotes.selectList(n, r.expr("n"))
	q := `SELECT ` + acols + `, ` + ncols + `
FROM appointments a LEFT JOIN clinical_notes n ON n.appointment_id = a.id
WHERE (a.scheduled_at >= ?1 AND a.scheduled_at < ?2) OR a.scheduled_at IS NULL OR NOT (a.scheduled_at GLOB ?3)
ORDER BY a.patient_id`
	return q, append(adest, ndest...)
}

// sqliteTextBounds are the date texts that bracket every spelling of an instant in
// [lo, hi): one day wider on each side than the UTC dates.
func sqliteTextBounds(lo, hi time.Time) (string, string) {
	return lo.AddDate(0, 0, -1).Format(time.DateOnly), hi.AddDate(0, 0, 1).Format(time.DateOnly)
}

// cursor is one of the merged scans.
type cursor struct {
	rows *sql.Rows
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

// pending is a visit of the current patient under construction.
type pending struct {
	v     measure.Visit
	notes int
}

func (r *reader) sqlitePatients(p measure.Practice, lo, hi time.Time, sink Sink) (err error) {
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
	q, adest := r.sqliteVisitsSQL(
		map[string]any{"id": &ap.id, "patient_id": &ap.patientID, "office_id": &ap.officeID,
			"clinician_id": &ap.clinicianID, "scheduled_at": &ap.scheduledAt, "status": &ap.status},
		map[string]any{"id": &nt.id, "appointment_id": &nt.appointmentID, "signed_at": &nt.signedAt,
			"locked_at": &nt.lockedAt})
	apDest := adest[:len(relAppointments.cols)]
	tlo, thi := sqliteTextBounds(lo, hi)
	open := func(what, q string, dest []any, args ...any) (*cursor, error) {
		rows, err := r.tx.QueryContext(r.ctx, q, args...)
		if err != nil {
			return nil, r.fail(what, err)
		}
		return &cursor{rows: rows, dest: dest}, nil
	}
	var cursors []*cursor
	defer func() {
		if err != nil {
			r.cancel()
		}
		for _, c := range cursors {
			c.rows.Close()
		}
	}()
	ac, err := open("appointments", q, adest, tlo, thi, sqliteShapeGlob)
	if err != nil {
		return err
	}
	cursors = append(cursors, ac)
	pcols, pdest := relPatients.selectList(map[string]any{"id": &pt.id, "mrn": &pt.mrn, "first_name": &pt.first,
		"last_name": &pt.last, "birth_date": &pt.birth, "email": &pt.email}, r.expr(""))
	pc, err := open("patients", `SELECT `+pcols+` FROM patients ORDER BY id`, pdest)
	if err != nil {
		return err
	}
	cursors = append(cursors, pc)
	icols, idest := relInvitations.selectList(map[string]any{"id": &iv.id, "patient_id": &iv.patientID,
		"sent_at": &iv.sentAt, "recipient": &iv.recipient, "channel": &iv.channel}, r.expr(""))
	ic, err := open("portal_invitations", `SELECT `+icols+` FROM portal_invitations ORDER BY patient_id`, idest)
	if err != nil {
		return err
	}
	cursors = append(cursors, ic)

	var (
		rec     measure.PatientRecord
		inv     measure.Invitation
		intern  = map[string]string{}
		cur     int64 // patient of the pending visits
		have    bool  // cur is set
		visits  []pending
		lastPID int64
		started bool
	)
	// patient finds cur in the patients scan and fills rec.Patient; false if missing.
	patient := func(pid int64) (bool, error) {
		for {
			if !pc.ok && !pc.next() {
				if pc.err != nil {
					return false, r.fail("patients", pc.err)
				}
				return false, nil
			}
			if pt.id.null || pt.id.bad != "" || pt.id.v < pid {
				pc.ok = false
				continue
			}
			if pt.id.v > pid {
				return false, nil
			}
			id := rowID(&pt.id)
			if err := check(relPatients.name, id, "birth_date", pt.birth.null, pt.birth.bad, false); err != nil {
				return false, err
			}
			rec.Patient = measure.Patient{ID: pt.id.v, MRN: pt.mrn.String(), FirstName: pt.first.String(),
				LastName: pt.last.String(), BirthDate: pt.birth.d, HasBirthDate: !pt.birth.null, Email: pt.email.String()}
			pc.ok = false
			return true, nil
		}
	}
	// invitation finds pid's earliest invitation (R5: earliest sent_at, then lowest id).
	invitation := func(pid int64) error {
		rec.FirstInvitation = nil
		found := false
		for {
			if !ic.ok && !ic.next() {
				if ic.err != nil {
					return r.fail("portal_invitations", ic.err)
				}
				return nil
			}
			if iv.patientID.null || iv.patientID.bad != "" || iv.patientID.v < pid {
				ic.ok = false
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
			if found && (iv.sentAt.t.After(inv.SentAt) || iv.sentAt.t.Equal(inv.SentAt) && iv.id.v >= inv.ID) {
				continue
			}
			if err := relInvitations.checkRow(iid, idest); err != nil {
				return err
			}
			found = true
			inv = measure.Invitation{ID: iv.id.v, SentAt: iv.sentAt.t,
				Recipient: iv.recipient.interned(intern), Channel: iv.channel.interned(intern)}
			rec.FirstInvitation = &inv
		}
	}
	flush := func() error {
		if len(visits) == 0 {
			return nil
		}
		sort.Slice(visits, func(i, j int) bool {
			a, b := &visits[i].v, &visits[j].v
			if !a.ScheduledAt.Equal(b.ScheduledAt) {
				return a.ScheduledAt.Before(b.ScheduledAt)
			}
			return a.ID < b.ID
		})
		if err := invitation(cur); err != nil {
			return err
		}
		if rec.FirstInvitation != nil {
			r.st.Invitations++
		}
		rec.Visits = rec.Visits[:0]
		for i := range visits {
			rec.Visits = append(rec.Visits, visits[i].v)
			r.st.Appointments++
			r.st.Notes += visits[i].notes
		}
		visits = visits[:0]
		if err := sink.Patient(&rec); err != nil {
			return fmt.Errorf("read %s: %w", r.s, err)
		}
		r.st.Patients++
		return nil
	}
	v := visitRow{} // for appointment()'s checks
	for ac.next() {
		// An appointment whose instant is readable and outside the window is not read.
		if !ap.scheduledAt.null && ap.scheduledAt.bad == "" &&
			(ap.scheduledAt.t.Before(lo) || !ap.scheduledAt.t.Before(hi)) {
			continue
		}
		v.id, v.patientID, v.officeID, v.clinicianID = ap.id, ap.patientID, ap.officeID, ap.clinicianID
		v.scheduledAt, v.status = ap.scheduledAt, ap.status
		if err := relAppointments.checkRow(rowID(&ap.id), apDest); err != nil {
			return err
		}
		pid := ap.patientID.v
		if !have || pid != cur {
			if started && pid < lastPID {
				return fmt.Errorf("read appointments from %s: rows not in patient order (patient %d after %d)",
					r.s, pid, lastPID)
			}
			if err := flush(); err != nil {
				return err
			}
			ok, err := patient(pid)
			if err != nil {
				return err
			}
			if !ok {
				v.pID = colInt{null: true}
			} else {
				v.pID = colInt{v: pid}
			}
			cur, have, started, lastPID = pid, true, true, pid
		}
		if err := v.appointment(offices, clinicians); err != nil {
			return err
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
		}
		if nt.appointmentID.null {
			continue // no note
		}
		nid := rowID(&nt.id)
		for _, c := range []struct {
			col string
			t   *colTime
			min *time.Time
		}{{"signed_at", &nt.signedAt, &pv.v.Notes.FirstSigned}, {"locked_at", &nt.lockedAt, &pv.v.Notes.FirstLocked}} {
			if c.t.bad == problemZeroInstant {
				// Worded as PostgreSQL's read, which sees only the earliest time of the
				// appointment's notes, says it: the same row, the same message.
				return &DataError{Relation: relNotes.name, Column: c.col,
					Problem: c.t.bad + " (note of appointment " + rowID(&ap.id) + ")"}
			}
			if err := check(relNotes.name, nid, c.col, c.t.null, c.t.bad, false); err != nil {
				return err
			}
			if !c.t.null && (c.min.IsZero() || c.t.t.Before(*c.min)) {
				*c.min = c.t.t
			}
		}
		pv.v.Notes.Count++
		pv.notes++
	}
	if ac.err != nil {
		return r.fail("appointments", ac.err)
	}
	return flush()
}
