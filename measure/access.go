package measure

import (
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// firstInvitation is R5: the patient has portal access from the earliest invitation,
// any recipient, any channel, any date — as known at the as-of instant (R9).
func firstInvitation(inv *Invitation, asOf time.Time) (time.Time, bool) {
	if inv != nil && happened(inv.SentAt, asOf) {
		return inv.SentAt, true
	}
	return time.Time{}, false
}

// accessInstant is R7's A: the earliest instant t ≥ max(release, first invitation) at
// which the TIN's patient API is enabled (R6).
func accessInstant(api *apiWindows, rel, inv time.Time) (time.Time, bool) {
	t0 := rel
	if inv.After(t0) {
		t0 = inv
	}
	return api.next(t0)
}

// inTime is R7's test: access on a local date on or before the fix-by date, which is
// both the R3 deadline and the numerator-action bound (the period end, or Dec 31 with
// numerator_actions: calendar-year).
func inTime(access, fixBy calendar.Date) bool { return access <= fixBy }

// actionBound is R7's last local date for numerator actions.
func actionBound(c Config) calendar.Date {
	if c.NumeratorActions == ActionsCalendarYear {
		return calendar.NewDate(c.Start.Year(), time.December, 31)
	}
	return c.End
}
