package measure

// While patients stream in, R10's rows are kept in a compact, pointer-free form
// (rowRec, ~60 bytes instead of an Issue's ~300, nothing for the garbage collector to
// scan); Result expands them into Issues once, at their final size.

import "github.com/mipspi/mipspi/calendar"

// codeList numbers the codes a streamed row can carry.
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
	case LockBeforeVisit, UnknownStatus, InvalidNPI, InvalidTIN, InvalidEmail, PossibleDuplicatePatient:
		return SeverityWarning
	}
	return SeverityError
}

const (
	rowHasEvent uint8 = 1 << iota
	rowFixable
	rowCountsIfLocked
	rowHasEmail
	rowCalendarYear
)

// rowRec is one streamed row. Indices are -1 when the field does not apply.
type rowRec struct {
	appt                        int64
	patient                     int32 // into Evaluator.rowPats
	text                        int32 // into Evaluator.texts
	tin, npi, clin              int32 // into tins, npis, clins
	visit, deadline, event, bnd calendar.Date
	bdays                       int32
	code                        uint8
	flags                       uint8
}

// rowPatient is what rows need of a patient: identity and the first invitation's
// recipient and channel (INVITED_LATE).
type rowPatient struct {
	id                 int64
	mrn                string
	recipient, channel string
}

// rowPatient returns the index of the current patient's rowPatient, adding it on the
// patient's first row.
func (e *Evaluator) curRowPatient(p *Patient, inv *Invitation) int32 {
	if e.curPat < 0 {
		rp := rowPatient{id: p.ID, mrn: p.MRN}
		if inv != nil {
			rp.recipient, rp.channel = inv.Recipient, inv.Channel
		}
		e.rowPats = append(e.rowPats, rp)
		e.curPat = int32(len(e.rowPats) - 1)
	}
	return e.curPat
}

func (e *Evaluator) addText(s string) int32 {
	e.texts = append(e.texts, s)
	return int32(len(e.texts) - 1)
}

// expand turns a streamed row into the Issue of the contract.
func (e *Evaluator) expand(r *rowRec) Issue {
	code := codeList[r.code]
	is := Issue{
		Code: code, Severity: codeSeverity(code),
		AppointmentID: r.appt, VisitDate: r.visit, Deadline: r.deadline,
		EventDate: r.event, HasEvent: r.flags&rowHasEvent != 0,
		BusinessDays:   int(r.bdays),
		Fixable:        r.flags&rowFixable != 0,
		CountsIfLocked: r.flags&rowCountsIfLocked != 0,
		HasEmail:       r.flags&rowHasEmail != 0,
		Bound:          r.bnd,
		CalendarYear:   r.flags&rowCalendarYear != 0,
	}
	if r.tin >= 0 {
		is.TIN = e.tins[r.tin].tin
	}
	if r.npi >= 0 {
		is.NPI = e.npis[r.npi]
	}
	if r.clin >= 0 {
		is.Clinician = e.clins[r.clin].display
	}
	if r.patient >= 0 {
		p := &e.rowPats[r.patient]
		is.PatientID, is.MRN = p.id, p.mrn
		if code == InvitedLate {
			is.Recipient, is.Channel = p.recipient, p.channel
		}
	}
	if r.text >= 0 {
		is.Text = e.texts[r.text]
	}
	return is
}
