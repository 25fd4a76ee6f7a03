package ehr

// The period's visits: the database does what it is fast at — plain scans in index
// order — and Go the rest. Three scans, each in patient order, are merged here:
//
//	appointments ⟕ clinical_notes   the period's appointments, one row per note, by
//	                                patient_id (dialect.visitScan)
//	patients                        by id, each patient read once (not once per visit)
//	portal_invitations              by patient_id
//
// The reader checks every row against SPEC §3, groups the rows into a record per
// patient and a visit per appointment, and finds on the way the rows that point at
// nothing (dangling.go). What the rows mean is measure's: each note is handed to
// measure.Notes.Add (R4: the earliest times), each invitation of the patient to
// measure.EarliestInvitation (R5). How the three scans share the snapshot is the
// dialect's (snapshot.scans).

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/mipspi/mipspi/measure"
)

// period is one merge of the three scans.
type period struct {
	r      *reader
	lo, hi time.Time
	sink   Sink
	// offices and clinicians are the practice's ids (an appointment must name one).
	offices, clinicians map[int64]bool
	visits              visitScan
	patients            patientScan
	invs                invitationScan
	// danglingInv takes the invitations of no patient met in the merge (r.invByMerge);
	// nil when an anti-join finds them (dangling.go).
	danglingInv *danglingRows
	// The patient being assembled: id, record, its visits so far and its invitations.
	cur    int64
	have   bool
	rec    measure.PatientRecord
	open   []openVisit
	invBuf []measure.Invitation
	intern map[string]string
	// notes counts the notes the visit scan read, in the window or not (dangling.go).
	notes int64
}

// openVisit is a visit of the current patient whose notes are still coming.
type openVisit struct {
	v measure.Visit
	// A note time of +infinity (PostgreSQL) stands only beside a real time of another
	// note in the same column (noteTimes); per column, whether each was seen.
	inf, real [2]bool
}

// readPeriod merges the period's scans and streams a PatientRecord per patient to sink.
func (r *reader) readPeriod(p measure.Practice, lo, hi time.Time, sink Sink) (err error) {
	pr := &period{r: r, lo: lo, hi: hi, sink: sink, intern: map[string]string{},
		offices: make(map[int64]bool, len(p.Offices)), clinicians: make(map[int64]bool, len(p.Clinicians))}
	for _, o := range p.Offices {
		pr.offices[o.ID] = true
	}
	for _, c := range p.Clinicians {
		pr.clinicians[c.ID] = true
	}
	if r.invByMerge {
		pr.danglingInv = &r.dangling[danglingInvitation]
	}
	qs := []scanQuery{pr.visits.query(r, lo, hi), pr.patients.query(r), pr.invs.query(r)}
	rs, err := r.snap.scans(r.ctx, qs)
	if err != nil {
		return r.failPeriod(err)
	}
	pr.visits.rows, pr.patients.rows, pr.invs.rows = rs[0], rs[1], rs[2]
	defer func() {
		if err != nil {
			r.cancel() // stop the servers before Close, which would drain the rest
		}
		for _, c := range rs {
			c.Close()
		}
	}()
	return pr.run()
}

// run is the merge: the visit scan's rows in order, each patient's record handed over
// when the next patient starts, then what is left of the other two scans.
func (p *period) run() error {
	for p.visits.next() {
		if err := p.row(); err != nil {
			return err
		}
	}
	if p.visits.err != nil {
		return p.first(p.r.failPeriod(p.visits.err), len(p.open))
	}
	if err := p.flush(); err != nil {
		return err
	}
	return p.finish()
}

// row takes one row of the visit scan: its appointment, the patient it starts (if
// any), and its note.
func (p *period) row() error {
	ap, count := &p.visits.ap, p.visits.count.v
	p.notes += count
	if outsideWindow(&ap.scheduledAt, p.lo, p.hi) {
		return nil
	}
	if err := relAppointments.checkRowOf(&ap.id, p.visits.apDest); err != nil {
		return p.first(err, len(p.open))
	}
	if pid := ap.patientID.v; !p.have || pid != p.cur {
		if err := p.start(pid); err != nil {
			return err
		}
	}
	if err := attribution(ap, p.offices, p.clinicians); err != nil {
		return p.first(err, len(p.open))
	}
	k := p.visit()
	if count == 0 {
		return nil // an appointment without notes
	}
	return p.note(k)
}

// outsideWindow reports whether a readable scheduled_at lies outside [lo, hi): the
// appointment is not read (SQLite's text bounds are a day wider than the window). An
// unreadable or NULL one is read, to be reported.
func outsideWindow(t *colTime, lo, hi time.Time) bool {
	return !t.null && t.bad == "" && (t.t.Before(lo) || !t.t.Before(hi))
}

// start hands over the current patient and starts pid's record: pid must come after
// the current patient and be found in the patients' scan.
func (p *period) start(pid int64) error {
	if p.have && pid < p.cur {
		return p.first(fmt.Errorf("read appointments from %s: rows not in patient order (patient %d after %d)",
			p.r.s, pid, p.cur), len(p.open))
	}
	if err := p.flush(); err != nil {
		return err
	}
	found, err := p.patients.seek(pid, &p.rec.Patient, p.skipInvitations)
	if err != nil {
		return p.r.failPeriod(err)
	}
	p.cur, p.have = pid, true
	if !found {
		return &DataError{Relation: relAppointments.name, ID: rowID(&p.visits.ap.id), Column: "patient_id",
			Problem: fmt.Sprintf("patient %d not found in patients", pid)}
	}
	return nil
}

// skipInvitations passes the invitations of patient ids below x (through x when
// through is set) while the patients' scan passes x; with r.invByMerge those below x
// point at nothing (below).
func (p *period) skipInvitations(x int64, through bool) error {
	if p.danglingInv == nil {
		return nil
	}
	return p.invs.skip(x, through, p.danglingInv)
}

// attribution checks that an appointment names an office and a clinician of the
// practice (R2: it could not be attributed otherwise).
func attribution(ap *appointmentCols, offices, clinicians map[int64]bool) error {
	switch {
	case !offices[ap.officeID.v]:
		return &DataError{Relation: relAppointments.name, ID: rowID(&ap.id), Column: "office_id",
			Problem: fmt.Sprintf("office %d not found in offices", ap.officeID.v)}
	case !clinicians[ap.clinicianID.v]:
		return &DataError{Relation: relAppointments.name, ID: rowID(&ap.id), Column: "clinician_id",
			Problem: fmt.Sprintf("clinician %d not found in clinicians", ap.clinicianID.v)}
	}
	return nil
}

// visit returns the index of the row's visit among the open ones: the last one again
// (its next note), another one of the patient's, or a new one.
func (p *period) visit() int {
	ap := &p.visits.ap
	if k := openVisitOf(p.open, ap.id.v); k >= 0 {
		return k
	}
	p.open = append(p.open, openVisit{v: measure.Visit{ID: ap.id.v, OfficeID: ap.officeID.v,
		ClinicianID: ap.clinicianID.v, ScheduledAt: ap.scheduledAt.t, Status: ap.status.interned(p.intern)}})
	return len(p.open) - 1
}

// openVisitOf is the index of appointment id among the open visits, -1 if none: the
// last one first, as a scan sends an appointment's notes together.
func openVisitOf(open []openVisit, id int64) int {
	for k := len(open) - 1; k >= 0; k-- {
		if open[k].v.ID == id {
			return k
		}
	}
	return -1
}

// note hands the row's note to the visit's summary (R4, measure.Notes.Add) once its
// times are checked.
func (p *period) note(k int) error {
	ov, nt := &p.open[k], &p.visits.nt
	aid, nid := strconv.FormatInt(ov.v.ID, 10), rowID(&nt.id)
	var times [2]time.Time
	for c, t := range [2]*colTime{&nt.signedAt, &nt.lockedAt} {
		at, inf, err := noteTime(t, noteColumns[c], aid, nid)
		if err != nil {
			return p.first(err, k)
		}
		times[c] = at
		ov.inf[c] = ov.inf[c] || inf
		ov.real[c] = ov.real[c] || !at.IsZero()
	}
	ov.v.Notes.Add(times[0], times[1])
	return nil
}

// noteColumns are the note times, in the order they are checked.
var noteColumns = [2]string{"signed_at", "locked_at"}

// noteTime checks one note time of appointment aid (note nid, "" when not read) and
// returns the instant to hand measure (zero for none). +infinity (inf) is no instant: it
// stands only when another note of the visit has a real time in the column (as
// min() would pass it over), which the visit's end checks (infinityAlone); any
// other unreadable time is an error here.
func noteTime(t *colTime, col, aid, nid string) (at time.Time, inf bool, err error) {
	switch {
	case t.null:
		return time.Time{}, false, nil
	case t.inf > 0:
		return time.Time{}, true, nil
	case t.bad == problemZeroInstant:
		// Worded as when the database summed up the notes and only the appointment
		// was known: the same row keeps the same message.
		return time.Time{}, false, &DataError{Relation: relNotes.name, Column: col,
			Problem: t.bad + " (note of appointment " + aid + ")"}
	case t.bad != "":
		return time.Time{}, false, &DataError{Relation: relNotes.name, ID: nid, Column: col, Problem: t.bad}
	}
	return t.t, false, nil
}

// infinityAlone is the error of a visit whose notes hold +infinity in a column and no
// real time there, or nil.
func infinityAlone(ov *openVisit) error {
	for c, col := range noteColumns {
		if ov.inf[c] && !ov.real[c] {
			return &DataError{Relation: relNotes.name, Column: col, Problem: `unparseable timestamp "Infinity"`}
		}
	}
	return nil
}

// first returns err unless a note time of one of the first k open visits turned out
// bad (infinityAlone): the first bad row is the one reported.
func (p *period) first(err error, k int) error {
	for i := range p.open[:k] {
		if e := infinityAlone(&p.open[i]); e != nil {
			return e
		}
	}
	return err
}

// flush hands the current patient's record to the sink: the patient's visits in
// (instant, id) order, their first invitation (R5) among all of theirs.
func (p *period) flush() error {
	if len(p.open) == 0 {
		return nil
	}
	if err := p.first(nil, len(p.open)); err != nil {
		return err
	}
	var err error
	if p.invBuf, err = p.invs.collect(p.cur, p.invBuf[:0], p.danglingInv, p.intern); err != nil {
		return p.r.failPeriod(err)
	}
	p.rec.FirstInvitation = measure.EarliestInvitation(p.invBuf)
	p.rec.Visits = p.rec.Visits[:0]
	for i := range p.open {
		p.rec.Visits = append(p.rec.Visits, p.open[i].v)
	}
	p.open = p.open[:0]
	// slices.SortFunc, unlike sort.Slice, allocates nothing.
	slices.SortFunc(p.rec.Visits, visitOrder)
	return p.sink.Patient(&p.rec) // piped: counted where the Sink takes it
}

// visitOrder is the order of a patient's visits: by instant, then id.
func visitOrder(a, b measure.Visit) int {
	if c := a.ScheduledAt.Compare(b.ScheduledAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// failPeriod is a failure of one of the period's scans. They are one read, as when
// it was one query, so that the messages stay the same: named after appointments, and
// a connection that ended mid-row is a lost connection whichever scan noticed it first.
func (r *reader) failPeriod(err error) error {
	if r.d.connectionLost(err) {
		err = driverBadConn
	}
	return r.fail("appointments", err)
}

// finish reads what is left after the last visit: with r.invByMerge the patients after
// the last one with a visit, then the invitations of ids above every patient's, or of
// none (they point at nothing); with r.notesByCount the count of notes that do.
func (p *period) finish() error {
	if p.danglingInv != nil {
		for p.patients.fill() {
			p.patients.ok = false
			if id := &p.patients.id; !id.null && id.bad == "" {
				if err := p.invs.skip(id.v, true, p.danglingInv); err != nil {
					return p.r.failPeriod(err)
				}
			}
		}
		if p.patients.err != nil {
			return p.r.failPeriod(p.patients.err)
		}
		for p.invs.fill() {
			p.invs.ok = false
			p.danglingInv.add(&p.invs.id)
		}
		if p.invs.err != nil {
			return p.r.failPeriod(p.invs.err)
		}
	}
	if p.r.notesByCount {
		return p.r.danglingNotesByCount(p.notes, p.lo, p.hi)
	}
	return nil
}
