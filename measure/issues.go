package measure

// This file builds R10's itemised rows: one error row per reason a seen visit is not
// timely, and the data-quality warnings, which never change a figure.

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mipspi/mipspi/calendar"
)

// reasons works out every reason the seen visit ev is not timely (R10), appends one
// row per reason when emit is set, and returns the first reason's code (for the
// patient's outcome). Row order is the order of the codes: note, invitation, API,
// access after the period. When the only reason is a TIN whose API was never enabled,
// no row is written (one run-level finding replaces them) and the code returned is
// API_NEVER_ENABLED.
func (e *Evaluator) reasons(emit bool, base *Issue, v *Visit, o *officeInfo, ev *visitEval,
	hasInv bool, inv time.Time, fi *Invitation, hasEmail bool) Code {
	var first Code
	put := func(row *Issue) {
		if first == "" {
			first = row.Code
		}
		if emit {
			e.issues = append(e.issues, *row)
		}
	}
	// missing marks a row about an event that has not happened: business days left
	// until the deadline when fixable, days the deadline has passed by otherwise.
	missing := func(row *Issue) {
		if ev.pending {
			row.BusinessDays = e.cal.BusinessDaysBetween(o.asOfDate, ev.deadline)
		} else {
			row.BusinessDays = e.cal.BusinessDaysBetween(ev.deadline, o.asOfDate)
		}
	}
	late := func(row *Issue, d calendar.Date) {
		row.EventDate, row.HasEvent = d, true
		row.BusinessDays = e.cal.BusinessDaysBetween(ev.deadline, d)
	}
	row := *base
	row.Severity = SeverityError

	// R4: the note.
	lock := e.cfg.Release == ReleaseLock
	row.Code = ""
	switch {
	case v.Notes.Count == 0:
		row.Code = NoteMissing
	case !ev.hasRel:
		row.Code = NoteUnsigned
		if lock && !v.Notes.FirstSigned.IsZero() && !v.Notes.FirstSigned.After(e.cfg.AsOf) {
			row.Code = NoteNotLocked
		}
	}
	if row.Code != "" {
		missing(&row)
		row.CountsIfLocked = ev.ifLocked
		put(&row)
	} else if rd := o.zone.date(ev.rel); rd > ev.deadline {
		row.Code = NoteLockedLate
		if !lock {
			row.Code = NoteSignedLate
		}
		late(&row, rd)
		put(&row)
	}

	// R5: the invitation.
	row = *base
	row.Severity = SeverityError
	if !hasInv {
		row.Code = NotInvited
		row.HasEmail = hasEmail
		missing(&row)
		put(&row)
	} else if id := o.zone.date(inv); id > ev.deadline {
		row.Code = InvitedLate
		row.Recipient, row.Channel = fi.Recipient, fi.Channel
		late(&row, id)
		put(&row)
	}

	// R6: the API. T0 is the later of the release and the invitation among those that
	// happened in time (the visit itself when neither did); the API is a reason when
	// it was enabled at no instant from T0 through the deadline day. Late events are
	// left out of T0: they are reasons of their own, and counting them here would
	// blame the API for every late note.
	tw := &e.tins[o.tin].api
	if !tw.everEnabled() {
		if first == "" {
			first = APINeverEnabled
		}
		return first
	}
	t0 := v.ScheduledAt
	if ev.hasRel && o.zone.date(ev.rel) <= ev.deadline && ev.rel.After(t0) {
		t0 = ev.rel
	}
	if hasInv && o.zone.date(inv) <= ev.deadline && inv.After(t0) {
		t0 = inv
	}
	row = *base
	row.Severity = SeverityError
	row.Code = APINotEnabled
	if a, ok := tw.next(t0); !ok {
		missing(&row)
		put(&row)
	} else if ad := o.zone.date(a); ad > ev.deadline {
		late(&row, ad)
		put(&row)
	}

	// R7: access in time but after the numerator-action bound.
	if ev.hasA && ev.aDate <= ev.deadline && ev.aDate > e.bound {
		row = *base
		row.Severity = SeverityError
		row.Code = AccessAfterPeriod
		row.EventDate, row.HasEvent = ev.aDate, true
		row.Bound = e.bound
		row.CalendarYear = e.cfg.NumeratorActions == ActionsCalendarYear
		put(&row)
	}
	return first
}

// patientQuality writes the patient-level data-quality rows (R10 INVALID_EMAIL,
// POSSIBLE_DUPLICATE_PATIENT) for a patient with a seen visit in a reported entity.
// They come after the patient's visit rows.
func (e *Evaluator) patientQuality(p *Patient) {
	if p.Email != "" && !usableEmailFast(p.Email) && !UsableEmail(p.Email) {
		e.issues = append(e.issues, Issue{
			Code: InvalidEmail, Severity: SeverityWarning, PatientID: p.ID, MRN: p.MRN,
			Text: fmt.Sprintf("email on file is not a usable address: %q", sanitize(p.Email)),
		})
	}
	if !p.HasBirthDate {
		return
	}
	prev, dup := e.rememberName(p)
	if dup && prev.id != p.ID {
		later, earlier := p.ID, prev.id
		mrn := p.MRN
		if later < earlier {
			later, earlier, mrn = earlier, later, prev.mrn
		}
		e.issues = append(e.issues, Issue{
			Code: PossibleDuplicatePatient, Severity: SeverityWarning, PatientID: later, MRN: mrn,
			Text: fmt.Sprintf("same name and birth date as patient %d", earlier),
		})
	}
}

// rememberName records the patient's (name, birth date) key, keeping the lowest id
// met, and returns the entry that was there before, if any. Names compare trimmed and
// case-insensitively. Patients without a name or birth date are not compared.
func (e *Evaluator) rememberName(p *Patient) (dupEntry, bool) {
	first, last := strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
	if !p.HasBirthDate || (first == "" && last == "") {
		return dupEntry{}, false
	}
	h := uint64(14695981039346656037)
	mix := func(s string) {
		for _, r := range s {
			r = unicode.ToLower(r)
			h ^= uint64(r)
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	mix(first)
	mix(last)
	h ^= uint64(uint32(p.BirthDate))
	h *= 1099511628211
	prev, ok := e.dups[h]
	if !ok || p.ID < prev.id {
		e.dups[h] = dupEntry{id: p.ID, mrn: p.MRN}
	}
	return prev, ok
}

// sanitize makes a stored value safe to echo in a message: control characters are
// dropped and it is cut to 64 runes.
func sanitize(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			continue
		}
		if n == 64 {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// usableEmailFast accepts the common shape local@domain.tld over a plain ASCII
// alphabet without allocating; everything it accepts UsableEmail accepts too (a test
// checks this), so a false answer just means "ask UsableEmail".
func usableEmailFast(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > 254 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if !dotAtom(local, "._%+-") || !dotAtom(domain, ".-") {
		return false
	}
	return strings.IndexByte(domain, '.') > 0
}

// dotAtom reports whether s is letters, digits and extra characters, with dots neither
// leading, trailing nor doubled.
func dotAtom(s, extra string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}

// Detail is the human sentence for an issue row (SPEC §2 R10 "detail"), computed
// from its fields.
func (i Issue) Detail() string {
	switch i.Code {
	case NoteMissing:
		return "no note for this visit" + i.byWhen("lock")
	case NoteUnsigned:
		return "note not signed" + i.byWhen("lock")
	case NoteNotLocked:
		return "note signed but not locked" + i.byWhen("lock")
	case NoteLockedLate:
		return fmt.Sprintf("note locked %s, %s late", i.EventDate, businessDays(i.BusinessDays))
	case NoteSignedLate:
		return fmt.Sprintf("note signed %s, %s late", i.EventDate, businessDays(i.BusinessDays))
	case NotInvited:
		s := "patient never invited to the portal; "
		if i.HasEmail {
			s += "has a usable email"
		} else {
			s += "no usable email on file"
		}
		return s + i.byWhen("invite")
	case InvitedLate:
		return fmt.Sprintf("first invitation %s (%s, %s), %s late", i.EventDate, orDash(i.Recipient), orDash(i.Channel), businessDays(i.BusinessDays))
	case APINotEnabled:
		s := "patient API not enabled for TIN " + i.TIN + " in time"
		if i.HasEvent {
			return s + fmt.Sprintf("; enabled %s, %s late", i.EventDate, businessDays(i.BusinessDays))
		}
		return s + i.byWhen("enable")
	case AccessAfterPeriod:
		what := "the performance period"
		if i.CalendarYear {
			what = "the calendar year"
		}
		return fmt.Sprintf("access %s after %s ended %s", i.EventDate, what, i.Bound)
	case LockBeforeVisit:
		return fmt.Sprintf("note locked %s, before the visit's scheduled time", i.EventDate)
	case InvalidNPI:
		return fmt.Sprintf("NPI %q fails the NPI check digit (Luhn with prefix 80840)", i.Text)
	case InvalidTIN:
		return fmt.Sprintf("TIN %q is not 9 digits", i.Text)
	}
	return i.Text
}

// byWhen is the "; lock by D (N business days left)" tail of a fixable row about a
// missing event.
func (i Issue) byWhen(verb string) string {
	if !i.Fixable {
		return ""
	}
	left := "deadline today"
	if i.BusinessDays > 0 {
		left = businessDays(i.BusinessDays) + " left"
	}
	return fmt.Sprintf("; %s by %s (%s)", verb, i.Deadline, left)
}

func businessDays(n int) string {
	if n == 1 {
		return "1 business day"
	}
	return fmt.Sprintf("%d business days", n)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return sanitize(s)
}
