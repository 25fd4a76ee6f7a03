package measure

// What the clinicians' worklist says beside a note that its issue row alone does not:
// whether locking the note can still bring the patient into the clinician's numerator
// (R8, R9), and if not, why — the visit itself can no longer be timely, or another
// visit of the patient already decided the patient's standing ("patient already out:
// visit 2025-03-04 not invited"); and for a note that can still count, what else the
// visit needs in time (an invitation, the patient API).
//
// blockers observes the verdicts and keeps, per appointment, only what a row cannot
// say: pending visits with a note reason, and failed ones closed by an invitation or
// the API while their fix-by date has not passed. Both are visits of the last few
// business days, so the map stays small at any practice size.

import (
	"fmt"

	"github.com/mipspi/mipspi/calendar"
)

// BlockerKind says why a worklist item cannot count any more.
type BlockerKind uint8

const (
	NotBlocked     BlockerKind = iota // it can still count
	FixByPassed                       // its lock-by (fix-by) date has passed (R9)
	NoteLate                          // the note was locked (signed) after the lock-by date
	InvitationLate                    // the patient's first invitation came after the lock-by date
	APILate                           // the patient API was enabled only after the lock-by date
	PatientOut                        // every-visit (R8): another visit of the patient already failed
	PatientIn                         // any-visit (R8): another visit of the patient is already timely
)

// Blocker is why a worklist item cannot count any more; the zero Blocker is none.
type Blocker struct {
	Kind BlockerKind
	// Date is the local date of the late event, or of the other visit (PatientOut,
	// PatientIn); Code is that visit's first reason (PatientOut), or the note's own
	// code (NoteLate: locked or signed).
	Date calendar.Date
	Code Code
}

// String is the reason as a clinician reads it in the worklist row, "" for none:
// "patient already out: visit 2025-03-04 not invited".
func (b Blocker) String() string {
	switch b.Kind {
	case FixByPassed:
		return "lock-by date passed"
	case NoteLate:
		if b.Code == NoteSignedLate {
			return "note signed after the lock-by date"
		}
		return "note locked after the lock-by date"
	case InvitationLate:
		return fmt.Sprintf("patient first invited %s, after the lock-by date", b.Date)
	case APILate:
		return fmt.Sprintf("patient API enabled only %s, after the lock-by date", b.Date)
	case PatientOut:
		return fmt.Sprintf("patient already out: visit %s %s", b.Date, CauseText(b.Code))
	case PatientIn:
		return fmt.Sprintf("patient already counts: visit %s timely", b.Date)
	}
	return ""
}

// CauseText is a reason code in a few plain words: "not invited", "note locked late".
func CauseText(c Code) string {
	switch c {
	case NoteMissing:
		return "no note"
	case NoteUnsigned:
		return "note not signed"
	case NoteNotLocked:
		return "note not locked"
	case NoteLockedLate:
		return "note locked late"
	case NoteSignedLate:
		return "note signed late"
	case NotInvited:
		return "not invited"
	case InvitedLate:
		return "invited late"
	case APINotEnabled:
		return "patient API not enabled in time"
	case AccessAfterPeriod:
		return "access after the period"
	case APINeverEnabled:
		return "patient API never enabled"
	}
	return string(c)
}

// WorkFact is what the worklist knows about one appointment beyond its issue rows.
type WorkFact struct {
	Blocker                   Blocker
	NeedsInvitation, NeedsAPI bool // pending, and locking the note alone is not enough
}

// blockers observes the verdicts for the worklist.
type blockers struct {
	facts map[int64]WorkFact // by appointment id
	wait  []pendingNote      // the current patient's pending visits with a note reason
}

type pendingNote struct {
	appt int64
	slot int32
	fact WorkFact
}

func (b *blockers) visit(j *judged) {
	v := &j.verdict
	if !j.indReported || v.State == Timely {
		return
	}
	note, missingNote := false, false
	var f WorkFact
	for _, rs := range v.Reasons() {
		switch {
		case noteCode(rs.Code):
			note, missingNote = true, !rs.HasEvent
		case rs.Code == NotInvited:
			f.NeedsInvitation = true
		case rs.Code == APINotEnabled && !rs.HasEvent:
			f.NeedsAPI = true
		}
	}
	switch {
	case !note:
	case v.State == Pending:
		// Whether the patient can still count is known once all their visits are in.
		b.wait = append(b.wait, pendingNote{appt: j.visit.ID, slot: j.ind, fact: f})
	case missingNote && v.Closed == ClosedByInvitation:
		b.keep(j.visit.ID, WorkFact{Blocker: Blocker{Kind: InvitationLate, Date: v.ClosedOn}})
	case missingNote && v.Closed == ClosedByAccess:
		b.keep(j.visit.ID, WorkFact{Blocker: Blocker{Kind: APILate, Date: v.ClosedOn}})
	}
}

// patient decides, for each pending note of the patient, whether the patient can still
// count in its entity (R8, R9: the patient is pending there) and keeps what the row
// cannot say: otherwise the patient's earliest failed visit (every-visit) or earliest
// timely one (any-visit) decided it.
func (b *blockers) patient(p *judgedPatient) error {
	for i := range p.visits {
		b.visit(&p.visits[i])
	}
	ents := p.ents
	for _, w := range b.wait {
		f := w.fact
		for i := range ents {
			a := &ents[i]
			if a.slot != w.slot || a.pending {
				continue
			}
			if !a.allFailPending { // some visit failed: the earliest decided it (every-visit)
				f.Blocker = Blocker{Kind: PatientOut, Date: a.failedOn, Code: a.failedCode}
			} else {
				f.Blocker = Blocker{Kind: PatientIn, Date: a.firstTimely}
			}
		}
		if f != (WorkFact{}) {
			b.keep(w.appt, f)
		}
	}
	b.wait = b.wait[:0]
	return nil
}

func (b *blockers) keep(appt int64, f WorkFact) {
	if b.facts == nil {
		b.facts = map[int64]WorkFact{}
	}
	b.facts[appt] = f
}
