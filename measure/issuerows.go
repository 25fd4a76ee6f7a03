package measure

// R10's issue rows: one error row per reason a seen visit of a reported individual
// entity is not timely, in R10's order, then the data-quality warning LOCK_BEFORE_VISIT.
// The rows are published to a RowStore as they are made; the fix-by date is the one
// judge decided (R9).

import "github.com/mipspi/mipspi/calendar"

// issueRows observes the verdicts and keeps their rows.
type issueRows struct {
	rows              RowStore[Issue]
	tins, npis, clins []string      // names by index
	bound             calendar.Date // R7: the last local date for numerator actions
	calendarYear      bool
	email             int8  // the current patient's email: 0 not yet checked, 1 usable, 2 not
	row               Issue // the row being kept (a field: handed to the store, it does not escape per row)
}

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

func (o *issueRows) patient(p *judgedPatient) error {
	o.email = 0
	for i := range p.visits {
		if err := o.visit(&p.visits[i]); err != nil {
			return err
		}
	}
	return nil
}

// visit keeps the rows of one visit.
func (o *issueRows) visit(j *judged) error {
	if !j.indReported {
		return nil
	}
	vd, v, p := &j.verdict, j.visit, &j.rec.Patient
	base := Issue{
		TIN: o.tins[j.office.tin], NPI: o.npis[j.npi], Clinician: o.clins[j.clin],
		PatientID: p.ID, MRN: p.MRN, AppointmentID: v.ID,
		VisitDate: vd.Visit, Deadline: vd.Deadline, FixBy: vd.FixBy,
		Fixable: vd.State == Pending,
	}
	row := &o.row
	for _, rs := range vd.Reasons() {
		*row = base
		row.Code, row.Severity, row.BusinessDays = rs.Code, codeSeverity(rs.Code), rs.BusinessDays
		row.EventDate, row.HasEvent = rs.Event, rs.HasEvent
		switch {
		case noteCode(rs.Code) && !rs.HasEvent:
			row.CountsIfLocked = vd.IfLocked
		case rs.Code == NotInvited:
			row.HasEmail = o.usableEmail(p)
		case rs.Code == InvitedLate:
			if inv := j.rec.FirstInvitation; inv != nil {
				row.Recipient, row.Channel = inv.Recipient, inv.Channel
			}
		case rs.Code == AccessAfterPeriod:
			row.BusinessDays = 0
			row.Bound, row.CalendarYear = o.bound, o.calendarYear
		}
		if err := o.rows.Append(row); err != nil {
			return err
		}
	}
	// R10 data quality: a lock before the visit itself.
	if l := v.Notes.FirstLocked; v.Notes.Count > 0 && happened(l, j.office.asOf) && l.Before(v.ScheduledAt) {
		*row = base
		row.Code, row.Severity, row.Fixable = LockBeforeVisit, codeSeverity(LockBeforeVisit), false
		row.EventDate, row.HasEvent = j.office.zone.date(l), true
		return o.rows.Append(row)
	}
	return nil
}

// usableEmail is whether the patient's email is a usable address (NOT_INVITED says
// so), checked once per patient.
func (o *issueRows) usableEmail(p *Patient) bool {
	if o.email == 0 {
		o.email = 2
		if usableEmailFast(p.Email) || UsableEmail(p.Email) {
			o.email = 1
		}
	}
	return o.email == 1
}
