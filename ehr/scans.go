package ehr

// The period's three scans (period.go), one type each: its query, its scanned row and
// how it moves forward.

import (
	"time"

	"github.com/mipspi/mipspi/measure"
)

// cursor is one of the merged scans.
type cursor struct {
	rows rows
	dest []any
	ok   bool // a row is scanned and not yet consumed
	done bool
	err  error
}

// next scans the next row; false at the end or on an error (err).
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

// fill makes sure a row is scanned and not consumed; false at the end.
func (c *cursor) fill() bool { return c.ok || c.next() }

// appointmentCols is an appointment as scanned.
type appointmentCols struct {
	id, patientID, officeID, clinicianID colInt
	scheduledAt                          colTime
	status                               colText
}

// visitScan is appointments ⟕ clinical_notes: one row per note.
type visitScan struct {
	cursor
	ap appointmentCols
	nt struct {
		id, appointmentID  colInt
		signedAt, lockedAt colTime
	}
	count  colInt // the notes the row stands for: 0 or 1
	apDest []any  // the appointment's columns, for checkRowOf
}

func (s *visitScan) query(r *reader, lo, hi time.Time) scanQuery {
	acols, adest := r.selectList(relAppointments, "a", map[string]any{"id": &s.ap.id, "patient_id": &s.ap.patientID,
		"office_id": &s.ap.officeID, "clinician_id": &s.ap.clinicianID, "scheduled_at": &s.ap.scheduledAt,
		"status": &s.ap.status})
	ncols, ndest := r.selectList(relNotes, "n", map[string]any{"id": &s.nt.id, "appointment_id": &s.nt.appointmentID,
		"signed_at": &s.nt.signedAt, "locked_at": &s.nt.lockedAt})
	s.apDest = adest
	s.dest = append(append(append([]any(nil), adest...), ndest...), &s.count)
	return r.d.visitScan(acols, ncols, lo, hi, r.cat)
}

// patientScan is patients by id.
type patientScan struct {
	cursor
	id               colInt
	mrn, first, last colText
	birth            colDate
	email            colText
}

func (s *patientScan) query(r *reader) scanQuery {
	cols, dest := r.selectList(relPatients, "", map[string]any{"id": &s.id, "mrn": &s.mrn, "first_name": &s.first,
		"last_name": &s.last, "birth_date": &s.birth, "email": &s.email})
	s.dest = dest
	return scanQuery{cols: cols, from: relPatients.name, order: "id", patient: "id"}
}

// seek moves to patient pid and fills *pat; false when pid is not in patients. Each
// patient passed on the way (one without a visit in the period) is handed to passed,
// and so is pid, not through, before its row is checked.
func (s *patientScan) seek(pid int64, pat *measure.Patient, passed func(id int64, through bool) error) (bool, error) {
	for s.fill() {
		if below(&s.id, pid, false) {
			s.ok = false
			if !s.id.null && s.id.bad == "" {
				if err := passed(s.id.v, true); err != nil {
					return false, err
				}
			}
			continue
		}
		if s.id.v > pid {
			return false, nil
		}
		s.ok = false
		if err := passed(pid, false); err != nil {
			return false, err
		}
		if err := relPatients.checkRow(rowID(&s.id), s.dest); err != nil {
			return false, err
		}
		*pat = measure.Patient{ID: s.id.v, MRN: s.mrn.String(), FirstName: s.first.String(), LastName: s.last.String(),
			BirthDate: s.birth.d, HasBirthDate: !s.birth.null, Email: s.email.String()}
		return true, nil
	}
	return false, s.err
}

// below reports whether a scanned id comes before x in the merge (after x with through
// unset): below x, equal to it with through, or no integer at all (NULL, or not a
// number: passed over here, reported where the relation is read by the anti-join).
func below(id *colInt, x int64, through bool) bool {
	return id.null || id.bad != "" || id.v < x || through && id.v == x
}

// invitationScan is portal_invitations by patient_id.
type invitationScan struct {
	cursor
	id, patientID      colInt
	sentAt             colTime
	recipient, channel colText
}

func (s *invitationScan) query(r *reader) scanQuery {
	cols, dest := r.selectList(relInvitations, "", map[string]any{"id": &s.id, "patient_id": &s.patientID,
		"sent_at": &s.sentAt, "recipient": &s.recipient, "channel": &s.channel})
	s.dest = dest
	return scanQuery{cols: cols, from: relInvitations.name, order: "patient_id", patient: "patient_id"}
}

// skip passes the invitations of patient ids below x (through x with through). Those
// strictly below x, or of no integer patient id, point at nothing when both scans are
// in the same numeric order: counted in dangling when it is not nil.
func (s *invitationScan) skip(x int64, through bool, dangling *danglingRows) error {
	for s.fill() {
		if !below(&s.patientID, x, through) {
			return nil
		}
		s.ok = false
		if dangling != nil && below(&s.patientID, x, false) {
			dangling.add(&s.id)
		}
	}
	return s.err
}

// collect appends patient pid's invitations, each row checked, to buf; the ones
// passed on the way are skip's.
func (s *invitationScan) collect(pid int64, buf []measure.Invitation, dangling *danglingRows,
	intern map[string]string) ([]measure.Invitation, error) {
	if err := s.skip(pid, false, dangling); err != nil {
		return buf, err
	}
	for s.fill() && s.patientID.v == pid {
		s.ok = false
		if err := relInvitations.checkRow(rowID(&s.id), s.dest); err != nil {
			return buf, err
		}
		buf = append(buf, measure.Invitation{ID: s.id.v, SentAt: s.sentAt.t,
			Recipient: s.recipient.interned(intern), Channel: s.channel.interned(intern)})
	}
	return buf, s.err
}
