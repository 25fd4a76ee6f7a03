package measure

import "github.com/mipspi/mipspi/calendar"

// fixBy is R9's fix-by date: the last local date on which the missing action can still
// make the visit timely — the R3 deadline, never later than R7's numerator-action
// bound.
func fixBy(deadline, bound calendar.Date) calendar.Date { return min(deadline, bound) }

// stillReachable is R9's pending test for a visit that is not timely: the as-of local
// date is on or before its fix-by date, and no event that has already happened rules
// it out — a release, first invitation or access instant that fell after the fix-by
// date cannot be undone.
func stillReachable(v *Verdict, f *visitFacts) bool {
	z := f.zone
	switch {
	case f.asOfDate > v.FixBy:
		return false
	case v.HasRelease && z.date(v.Release) > v.FixBy:
		return false
	case f.hasInv && z.date(f.inv) > v.FixBy:
		return false
	case v.HasAccess && v.AccessDate > v.FixBy:
		return false
	}
	return true
}

// countedAsOf is R1's as-of rule: a seen visit counts when its local date is on or
// before the as-of local date, whatever its time of day (a patient marked Arrived at
// 09:50 for a 10:00 visit is seen). A later one is not counted (VISIT_AFTER_AS_OF).
func countedAsOf(visit, asOfDate calendar.Date) bool { return visit <= asOfDate }
