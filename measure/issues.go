package measure

// R10's reasons a seen visit is not timely (on its verdict), the sentence each issue
// row reads as, and the checks of a patient's email the rows rely on.

import (
	"fmt"
	"strings"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/internal/sanitize"
)

// reasons is R10: every reason the seen visit is not timely, in the order note,
// invitation, API, access after the period, written into out. When the TIN's API was
// never enabled, no API reason is given (out.APINeverEnabled; one run-level finding
// replaces them).
func (r *runRules) reasons(v *Visit, f *visitFacts, out *Verdict) {
	z := f.zone
	// missing is a reason about an event that has not happened: business days left
	// until the fix-by date when pending, those it has passed by otherwise.
	missing := func(code Code) Reason {
		rs := Reason{Code: code}
		if out.State == Pending {
			rs.BusinessDays = r.cal.BusinessDaysBetween(f.asOfDate, out.FixBy)
		} else {
			rs.BusinessDays = lateness(r.cal, out.FixBy, f.asOfDate)
		}
		return rs
	}
	late := func(code Code, d calendar.Date) Reason {
		return Reason{Code: code, Event: d, HasEvent: true, BusinessDays: lateness(r.cal, out.Deadline, d)}
	}

	// R4: the note.
	lock := r.release == ReleaseLock
	switch {
	case v.Notes.Count == 0:
		out.add(missing(NoteMissing))
	case !out.HasRelease:
		code := NoteUnsigned
		if lock && happened(v.Notes.FirstSigned, f.asOf) {
			code = NoteNotLocked
		}
		out.add(missing(code))
	default:
		if rd := z.date(out.Release); rd > out.Deadline {
			code := NoteLockedLate
			if !lock {
				code = NoteSignedLate
			}
			out.add(late(code, rd))
		}
	}

	// R5: the invitation.
	if !f.hasInv {
		out.add(missing(NotInvited))
	} else if id := z.date(f.inv); id > out.Deadline {
		out.add(late(InvitedLate, id))
	}

	// R6: the API. T0 is the later of the release and the invitation among those that
	// happened in time (the visit itself when neither did); the API is a reason when
	// it was enabled at no instant from T0 through the deadline day. Late events are
	// left out of T0: they are reasons of their own, and counting them here would
	// blame the API for every late note.
	if !f.api.everEnabled() {
		out.APINeverEnabled = true
		return
	}
	t0 := v.ScheduledAt
	if out.HasRelease && z.date(out.Release) <= out.Deadline && out.Release.After(t0) {
		t0 = out.Release
	}
	if f.hasInv && z.date(f.inv) <= out.Deadline && f.inv.After(t0) {
		t0 = f.inv
	}
	if a, ok := f.api.next(t0); !ok {
		out.add(missing(APINotEnabled))
	} else if ad := z.date(a); ad > out.Deadline {
		out.add(late(APINotEnabled, ad))
	}

	// R7: access in time but after the numerator-action bound.
	if out.HasAccess && out.AccessDate <= out.Deadline && out.AccessDate > r.bound {
		out.add(Reason{Code: AccessAfterPeriod, Event: out.AccessDate, HasEvent: true})
	}
}

// echo is a stored value quoted in a sentence of the report (safe.Echo): unsafe
// characters dropped, cut to 64 runes.
func echo(s string) string { return sanitize.Echo(s, 64) }

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
// missing event; D is the fix-by date (R9).
func (i Issue) byWhen(verb string) string {
	if !i.Fixable {
		return ""
	}
	left := "last day today"
	if i.BusinessDays > 0 {
		left = businessDays(i.BusinessDays) + " left"
	}
	by := i.FixBy
	if by == 0 {
		by = i.Deadline
	}
	return fmt.Sprintf("; %s by %s (%s)", verb, by, left)
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
	return echo(s)
}
