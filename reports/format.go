package reports

// Formatting shared by every encoder, so that a rate, a date or an instant reads the
// same in the table, the CSV, the JSON and the workbook.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// pct prints a rate (0..1, 4 decimals) as a percentage with two decimals: "77.78%".
func pct(rate float64) string {
	return strconv.FormatFloat(measure.Round(rate*100, 2), 'f', 2, 64) + "%"
}

// instant prints an instant as RFC 3339 in UTC, the form of SPEC §4's as_of.
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// asOfLocal is the as-of as the practice's staff read it (R9). An instant: its local
// date and time in each zone of the offices the report covers (Result.Zones), with the
// zone's abbreviation and name — "2026-01-15 06:00 CST (America/Chicago)"; one per
// zone, "; "-separated, when the offices span several. A bare date: the date and that
// it ends in each office's own zone — "2025-11-30, end of day in each office's time
// zone (America/Chicago, America/New_York)". A result that names no zone (made by hand,
// or combined from JSON reports) shows an instant in UTC, saying so.
func asOfLocal(r *measure.Result, c measure.Config) string {
	zones := zonesOf(r)
	if c.BareAsOf {
		s := c.AsOfDate.String() + ", end of day in each office's time zone"
		if len(zones) > 0 {
			names := make([]string, len(zones))
			for i, z := range zones {
				names[i] = z.String()
			}
			s += " (" + strings.Join(names, ", ") + ")"
		}
		return s
	}
	t := c.AsOf
	if len(zones) == 0 {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	parts := make([]string, 0, len(zones))
	for _, z := range zones {
		parts = append(parts, t.In(z).Format("2006-01-02 15:04 MST")+" ("+z.String()+")")
	}
	return strings.Join(parts, "; ")
}

// zonesOf loads r's office zones (Result.Zones). The engine had them loaded from the
// same names, so a name that does not load now is left out (its dates then read in
// the other zones, or in UTC).
func zonesOf(r *measure.Result) []*time.Location {
	if r == nil {
		return nil
	}
	var out []*time.Location
	for _, name := range r.Zones {
		if z, err := time.LoadLocation(name); err == nil {
			out = append(out, z)
		}
	}
	return out
}

// optDate prints d when ok, else "".
func optDate(d calendar.Date, ok bool) string {
	if !ok {
		return ""
	}
	return d.String()
}

// aboutVisit reports whether an issue row is about one appointment (R10); data-quality
// rows about a clinician, office or patient leave the visit fields zero.
func aboutVisit(is measure.Issue) bool { return is.AppointmentID != 0 }

// lockBy is the worklist's lock-by date: the row's fix-by date (R9: the deadline capped
// at the period end), or the deadline for rows made without one.
func lockBy(is measure.Issue) calendar.Date {
	if is.FixBy != 0 {
		return is.FixBy
	}
	return is.Deadline
}

// whatIf is the sentence that ends a clinician's worklist (issue 4): "locking the N
// fixable notes on time would raise the rate from X% to Y%". When there is nothing to
// lock, or locking alone would not move the rate (the patients also lack an invitation
// or the API), it says so instead of promising a raise from X% to X%.
func whatIf(fixable int, now, ifLocked float64) string {
	notes := "notes"
	if fixable == 1 {
		notes = "note"
	}
	switch {
	case fixable == 0:
		return fmt.Sprintf("no note can still be locked in time: the rate stays at %s", pct(now))
	case pct(ifLocked) == pct(now):
		return fmt.Sprintf("locking the %d fixable %s on time would not change the rate (%s): their patients also need an invitation or the patient API",
			fixable, notes, pct(now))
	}
	return fmt.Sprintf("locking the %d fixable %s on time would raise the rate from %s to %s",
		fixable, notes, pct(now), pct(ifLocked))
}

// codeOrder lists the codes of measure in reading order: why visits are not timely,
// then data-quality warnings, then run-level findings.
var codeOrder = []measure.Code{
	measure.NoteMissing, measure.NoteUnsigned, measure.NoteNotLocked, measure.NoteLockedLate,
	measure.NoteSignedLate, measure.NotInvited, measure.InvitedLate, measure.APINotEnabled,
	measure.AccessAfterPeriod,
	measure.LockBeforeVisit, measure.UnknownStatus, measure.InvalidNPI, measure.InvalidTIN,
	measure.InvalidEmail, measure.PossibleDuplicatePatient,
	measure.APINeverEnabled, measure.PeriodTooShort, measure.NumeratorZero,
}

// codeRank orders codes by codeOrder; codes this package does not know sort after, by name.
func codeLess(a, b measure.Code) bool {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra < rb
	}
	return a < b
}

func rank(c measure.Code) int {
	for i, k := range codeOrder {
		if k == c {
			return i
		}
	}
	return len(codeOrder)
}

// calendarInfo is what the Run sheet and the JSON report say about the business
// calendar the run applied (R3).
type calendarInfo struct {
	Holidays string             // "federal" or "none", the configuration's spelling
	From, To calendar.Date      // the window where a non-business day can move a deadline
	Applied  []calendar.Holiday // observed federal holidays in [From, To], by date
	Closures []calendar.Date    // the practice closures, sorted
}

// calendarOf describes r's calendar, rebuilt from the configuration for results made by
// hand. The window runs from the period start through the deadline of a visit on the
// period's last day: holidays just after the period still move late-December deadlines.
func calendarOf(r *measure.Result) calendarInfo {
	cal := r.Calendar
	if cal == nil {
		cal = calendar.New(r.Config.FederalHolidays, r.Config.Closures)
	}
	ci := calendarInfo{Holidays: "none", From: r.Config.Start, To: cal.Deadline(r.Config.End), Closures: cal.Closures()}
	if !cal.Federal() {
		return ci
	}
	ci.Holidays = "federal"
	for y := ci.From.Year(); y <= ci.To.Year(); y++ {
		for _, h := range calendar.FederalHolidays(y) {
			if h.Observed >= ci.From && h.Observed <= ci.To {
				ci.Applied = append(ci.Applied, h)
			}
		}
	}
	return ci
}

// seenStatuses is the effective seen set (R1).
func seenStatuses(r *measure.Result) []string {
	if r.Config.SeenStatuses == nil {
		return measure.DefaultSeenStatuses
	}
	return r.Config.SeenStatuses
}
