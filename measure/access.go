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

// EarliestInvitation is the patient's first invitation among all of theirs (R5): the
// earliest sent_at, any recipient, any channel; of invitations sent at the same instant
// the one with the lowest id, so that the choice never depends on the order the
// database returned them in. It points into invs; nil when there is none.
func EarliestInvitation(invs []Invitation) *Invitation {
	var first *Invitation
	for i := range invs {
		inv := &invs[i]
		if first == nil || inv.SentAt.Before(first.SentAt) || inv.SentAt.Equal(first.SentAt) && inv.ID < first.ID {
			first = inv
		}
	}
	return first
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
