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
func (e *Evaluator) reasons(emit bool, base *rowRec, v *Visit, o *officeInfo, ev *visitEval,
	hasInv bool, inv time.Time, hasEmail bool) Code {
	var first Code
	put := func(code Code, row *rowRec) {
		if first == "" {
			first = code
		}
		if emit {
			row.code = codeIndex[code]
			e.rows = append(e.rows, *row)
		}
	}
	// missing marks a row about an event that has not happened: business days left
	// until the deadline when fixable, days the deadline has passed by otherwise.
	missing := func(row *rowRec) {
		if ev.pending {
			row.bdays = int32(e.cal.BusinessDaysBetween(o.asOfDate, ev.deadline))
		} else {
			row.bdays = int32(e.cal.BusinessDaysBetween(ev.deadline, o.asOfDate))
		}
	}
	late := func(row *rowRec, d calendar.Date) {
		row.event = d
		row.flags |= rowHasEvent
		row.bdays = int32(e.cal.BusinessDaysBetween(ev.deadline, d))
	}

	// R4: the note.
	lock := e.cfg.Release == ReleaseLock
	row := *base
	var code Code
	switch {
	case v.Notes.Count == 0:
		code = NoteMissing
	case !ev.hasRel:
		code = NoteUnsigned
		if lock && !v.Notes.FirstSigned.IsZero() && !v.Notes.FirstSigned.After(e.cfg.AsOf) {
			code = NoteNotLocked
		}
	}
	if code != "" {
		missing(&row)
		if ev.ifLocked {
			row.flags |= rowCountsIfLocked
		}
		put(code, &row)
	} else if rd := o.zone.date(ev.rel); rd > ev.deadline {
		code = NoteLockedLate
		if !lock {
			code = NoteSignedLate
		}
		late(&row, rd)
		put(code, &row)
	}

	// R5: the invitation.
	row = *base
	if !hasInv {
		missing(&row)
		if hasEmail {
			row.flags |= rowHasEmail
		}
		put(NotInvited, &row)
	} else if id := o.zone.date(inv); id > ev.deadline {
		late(&row, id)
		put(InvitedLate, &row)
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
	if a, ok := tw.next(t0); !ok {
		missing(&row)
		put(APINotEnabled, &row)
	} else if ad := o.zone.date(a); ad > ev.deadline {
		late(&row, ad)
		put(APINotEnabled, &row)
	}

	// R7: access in time but after the numerator-action bound.
	if ev.hasA && ev.aDate <= ev.deadline && ev.aDate > e.bound {
		row = *base
		row.event = ev.aDate
		row.flags |= rowHasEvent
		row.bnd = e.bound
		if e.cfg.NumeratorActions == ActionsCalendarYear {
			row.flags |= rowCalendarYear
		}
		put(AccessAfterPeriod, &row)
	}
	return first
}

// patientQuality writes the patient-level data-quality rows (R10 INVALID_EMAIL,
// POSSIBLE_DUPLICATE_PATIENT) for a patient with a seen visit in a reported entity.
// They come after the patient's visit rows.
func (e *Evaluator) patientQuality(p *Patient) {
	if p.Email != "" && !usableEmailFast(p.Email) && !UsableEmail(p.Email) {
		e.rows = append(e.rows, rowRec{
			code: codeIndex[InvalidEmail], patient: e.curRowPatient(p, nil), tin: -1, npi: -1, clin: -1,
			text: e.addText(fmt.Sprintf("email on file is not a usable address: %q", sanitize(p.Email))),
		})
	}
	if !p.HasBirthDate {
		return
	}
	prev, dup := e.rememberName(p)
	if dup && prev.id != p.ID {
		pi, earlier := e.curRowPatient(p, nil), prev.id
		if p.ID < prev.id { // streamed out of id order: the row is about the other one
			e.rowPats = append(e.rowPats, rowPatient{id: prev.id, mrn: prev.mrn})
			pi, earlier = int32(len(e.rowPats)-1), p.ID
		}
		e.rows = append(e.rows, rowRec{
			code: codeIndex[PossibleDuplicatePatient], patient: pi, tin: -1, npi: -1, clin: -1,
			text: e.addText(fmt.Sprintf("same name and birth date as patient %d", earlier)),
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
	return e.dups.remember(h, p.ID, p.MRN)
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
