package measure

// What keeps patients out of an entity's numerator, counted in patients (not visits):
// each patient out of the numerator (R8) is counted under one cause, the first reason
// in R10 order of the patient's earliest visit that is not timely. The causes of an
// entity therefore add up to Denominator − Numerator. A cause that keeps out more than
// 5% of a TIN's patients is a run warning (CAUSE_KEEPS_PATIENTS_OUT), and when the
// cause is the API, the warning names the dates the TIN's API was off (R6).

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// CauseCount is how many of an entity's patients one cause keeps out of its
// numerator; Pending of them can still count (R9).
type CauseCount struct {
	Code     Code
	Patients int
	Pending  int
}

// causeCodes are the causes in R10 order (note, invitation, API, access after the
// period), API_NEVER_ENABLED last: a patient's cause is one of them.
var causeCodes = [...]Code{NoteMissing, NoteUnsigned, NoteNotLocked, NoteLockedLate, NoteSignedLate,
	NotInvited, InvitedLate, APINotEnabled, AccessAfterPeriod, APINeverEnabled}

const nCauses = len(causeCodes)

// causeIndex is c's index in causeCodes; nCauses for a code that is not a cause.
func causeIndex(c Code) int {
	for i, k := range causeCodes {
		if k == c {
			return i
		}
	}
	return nCauses
}

// causeAcc counts one entity's patients out of the numerator by cause; the last
// element counts a cause that is no reason code (never, while R10 gives every
// failing visit a reason).
type causeAcc struct {
	patients, pending [nCauses + 1]int32
}

func (c *causeAcc) add(cause Code, pending bool) {
	i := causeIndex(cause)
	c.patients[i]++
	if pending {
		c.pending[i]++
	}
}

// result is the entity's causes, most patients first, then in R10 order.
func (c *causeAcc) result() []CauseCount {
	var out []CauseCount
	for i, n := range c.patients[:nCauses] {
		if n > 0 {
			out = append(out, CauseCount{Code: causeCodes[i], Patients: int(n), Pending: int(c.pending[i])})
		}
	}
	if n := c.patients[nCauses]; n > 0 {
		out = append(out, CauseCount{Code: "UNKNOWN", Patients: int(n), Pending: int(c.pending[nCauses])})
	}
	SortCauses(out)
	return out
}

// SortCauses puts causes in their order: most patients first, then R10 order (codes
// that are no reason code last, by spelling).
func SortCauses(cs []CauseCount) {
	slices.SortFunc(cs, func(a, b CauseCount) int {
		if c := cmp.Compare(b.Patients, a.Patients); c != 0 {
			return c
		}
		if c := cmp.Compare(causeIndex(a.Code), causeIndex(b.Code)); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
}

// CauseThreshold is the share of a TIN's denominator above which one cause is a run
// warning: more than 5%.
const CauseThreshold = 0.05

// overThreshold reports whether n patients are more than CauseThreshold of den.
func overThreshold(n, den int) bool { return den > 0 && int64(n)*20 > int64(den) }

// causeFindings are the run warnings of the group entities (TINs) whose causes keep
// out more than 5% of their patients each.
func (e *Evaluator) causeFindings(r *Result) []Finding {
	var out []Finding
	for _, en := range r.Entities {
		if en.Level != Group {
			continue
		}
		for _, c := range en.Causes {
			if !overThreshold(c.Patients, en.Denominator) {
				continue
			}
			msg := fmt.Sprintf("TIN %s: %s keeps %d of %d patients (%.1f%%) out of the numerator",
				en.TIN, c.Code, c.Patients, en.Denominator, 100*float64(c.Patients)/float64(en.Denominator))
			var why string
			switch c.Code {
			case APINotEnabled:
				why = e.apiStory(en.TIN)
			case APINeverEnabled:
				why = "the patient API was never enabled"
			default:
				why = CauseText(c.Code)
			}
			if why != "" {
				msg += ": " + why
			}
			if c.Pending > 0 {
				msg += fmt.Sprintf(" (%d of them can still count)", c.Pending)
			}
			out = append(out, Finding{Code: CauseKeepsOut, Severity: SeverityWarning, TIN: en.TIN, Count: c.Patients, Message: msg})
		}
	}
	return out
}

// apiStory says when the TIN's patient API was off during the period, in the local
// dates of the TIN's first office with a zone (R6): "the patient API was switched on
// only on 2025-03-03, off 2025-07-14 to 2025-07-28"; "" when it was on throughout.
func (e *Evaluator) apiStory(tin string) string {
	var t *tinInfo
	for i := range e.tins {
		if e.tins[i].tin == tin {
			t = &e.tins[i]
		}
	}
	if t == nil || len(t.api.spans) == 0 {
		return ""
	}
	zone := time.UTC
	for _, o := range e.offices {
		if e.tins[o.tin].tin == tin && o.zone != nil {
			zone = o.zone.loc
			break
		}
	}
	start, end := e.cfg.Start, e.cfg.End
	date := func(at time.Time) calendar.Date { return calendar.LocalDate(at, zone) }
	var parts []string
	spans := t.api.spans
	if on := date(spans[0].start); on > start && on <= end {
		parts = append(parts, "switched on only on "+on.String())
	}
	const most = 3
	gaps := 0
	for i := 0; i+1 < len(spans); i++ {
		off, on := date(spans[i].end), date(spans[i+1].start)
		if on < start || off > end {
			continue
		}
		if gaps++; gaps <= most {
			parts = append(parts, fmt.Sprintf("off %s to %s", off, on))
		}
	}
	if gaps > most {
		parts = append(parts, fmt.Sprintf("and %d more times off", gaps-most))
	}
	if last := spans[len(spans)-1]; !last.open {
		if off := date(last.end); off >= start && off <= end {
			parts = append(parts, "off from "+off.String())
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "the patient API was " + strings.Join(parts, ", ")
}
