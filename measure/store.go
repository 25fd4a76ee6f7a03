package measure

// R10's rows are kept in one compact, pointer-free store (rowRec, ~50 bytes instead of
// an Issue's ~300, nothing for the garbage collector to scan) and expanded one at a
// time while they are read: at a health system's scale (millions of visits) the
// expanded rows would be most of the memory a report needs. Result.AllIssues is the one
// way to read them.

import (
	"iter"

	"github.com/mipspi/mipspi/calendar"
)

// codeList numbers the codes a stored row can carry.
var codeList = []Code{
	NoteMissing, NoteUnsigned, NoteNotLocked, NoteLockedLate, NoteSignedLate,
	NotInvited, InvitedLate, APINotEnabled, AccessAfterPeriod,
	LockBeforeVisit, InvalidEmail, PossibleDuplicatePatient,
}

var codeIndex = func() map[Code]uint8 {
	m := map[Code]uint8{}
	for i, c := range codeList {
		m[c] = uint8(i)
	}
	return m
}()

// codeSeverity is R10's split: reasons a visit is not timely are errors, data-quality
// rows are warnings.
func codeSeverity(c Code) Severity {
	switch c {
	case LockBeforeVisit, UnknownStatus, InvalidNPI, InvalidTIN, InvalidEmail, PossibleDuplicatePatient,
		VisitAfterAsOf, DanglingNote, DanglingInvitation,
		RecurringAppointment, AmbiguousEncounter, InvitationDatesSuspect:
		return SeverityWarning
	}
	return SeverityError
}

const (
	rowHasEvent uint8 = 1 << iota
	rowFixable
	rowCountsIfLocked
	rowHasEmail
)

// rowRec is one stored row. Indices are -1 when the field does not apply.
type rowRec struct {
	appt                   int64
	patient                int32 // into issueStore.pats
	text                   int32 // into issueStore.texts
	tin, npi, clin         int32 // into issueStore.tins, npis, clins
	visit, deadline, event calendar.Date
	bdays                  int32
	code                   uint8
	flags                  uint8
}

// rowPatient is what rows need of a patient: identity and the first invitation's
// recipient and channel (INVITED_LATE).
type rowPatient struct {
	id                 int64
	mrn                string
	recipient, channel string
}

// issueStore holds a run's issue rows: the compact visit and patient rows in stream
// order, then whole Issue rows (data quality about TINs and clinicians, and rows added
// to a hand-made Result).
type issueStore struct {
	rows  []rowRec
	pats  []rowPatient
	texts []string
	// Names by index, shared with nothing that changes.
	tins, npis, clins []string
	bound             calendar.Date // R7: fix-by dates are capped here (R9)
	calendarYear      bool
	tail              []Issue
	sp                *spillState // nil: every row stays in memory (spill.go)
}

func (s *issueStore) count() int {
	n := len(s.rows) + len(s.tail)
	if s.sp != nil {
		n += s.sp.spilled
	}
	return n
}

func (s *issueStore) all() iter.Seq[Issue] {
	return func(yield func(Issue) bool) {
		if !s.spilledRows(yield) {
			return
		}
		for i := range s.rows {
			if !yield(s.expand(&s.rows[i])) {
				return
			}
		}
		for _, is := range s.tail {
			if !yield(is) {
				return
			}
		}
	}
}

func (s *issueStore) addText(t string) int32 {
	s.texts = append(s.texts, t)
	return int32(len(s.texts) - 1)
}

// expand turns a stored row into the Issue of the contract.
func (s *issueStore) expand(r *rowRec) Issue {
	var p *rowPatient
	if r.patient >= 0 {
		p = &s.pats[r.patient]
	}
	text := ""
	if r.text >= 0 {
		text = s.texts[r.text]
	}
	return s.expandWith(r, p != nil, p, r.text >= 0, text)
}

// expandWith is expand with the row's patient and text given (read back from a spill).
func (s *issueStore) expandWith(r *rowRec, hasPat bool, p *rowPatient, hasText bool, text string) Issue {
	code := codeList[r.code]
	is := Issue{
		Code: code, Severity: codeSeverity(code),
		AppointmentID: r.appt, VisitDate: r.visit, Deadline: r.deadline,
		EventDate: r.event, HasEvent: r.flags&rowHasEvent != 0,
		BusinessDays:   int(r.bdays),
		Fixable:        r.flags&rowFixable != 0,
		CountsIfLocked: r.flags&rowCountsIfLocked != 0,
		HasEmail:       r.flags&rowHasEmail != 0,
	}
	if r.tin >= 0 { // a visit row
		is.FixBy = fixBy(r.deadline, s.bound) // R9
	}
	if code == AccessAfterPeriod {
		is.Bound, is.CalendarYear = s.bound, s.calendarYear
	}
	if r.tin >= 0 {
		is.TIN = s.tins[r.tin]
	}
	if r.npi >= 0 {
		is.NPI = s.npis[r.npi]
	}
	if r.clin >= 0 {
		is.Clinician = s.clins[r.clin]
	}
	if hasPat {
		is.PatientID, is.MRN = p.id, p.mrn
		if code == InvitedLate {
			is.Recipient, is.Channel = p.recipient, p.channel
		}
	}
	if hasText {
		is.Text = text
	}
	return is
}
