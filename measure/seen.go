package measure

import "github.com/mipspi/mipspi/calendar"

// inPeriod is R1's period test: the visit's local date lies in [start, end], both ends
// inclusive.
func inPeriod(visit calendar.Date, c Config) bool { return visit >= c.Start && visit <= c.End }

// seenClass is what R1 makes of an appointment in the period.
type seenClass uint8

const (
	seenCounted seenClass = iota
	notSeen               // status not in the seen set
	notEligible           // clinician not MIPS eligible
	afterAsOf             // seen status on a later local date than the as-of date
)

// seenVisit is R1 for an appointment whose local date is in the period: it counts when
// its status is in the seen set, its clinician is MIPS eligible, and its local date is
// on or before the as-of local date (countedAsOf, R9).
func seenVisit(seenStatus, eligible bool, visit, asOfDate calendar.Date) seenClass {
	switch {
	case !seenStatus:
		return notSeen
	case !eligible:
		return notEligible
	case !countedAsOf(visit, asOfDate):
		return afterAsOf
	}
	return seenCounted
}
