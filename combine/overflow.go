package combine

// Counts are checked before they are added (SPEC §7): a figure above maxCount in a report,
// or a sum that would pass it, is refused with the entity and the figure. With every
// figure and every running sum at most 10^9, no sum can overflow an int (two reports of
// 2^62 patients once summed to −9223372036854775808).

import (
	"fmt"

	"github.com/mipspi/mipspi/measure"
)

// maxCount is the most patients (or visits, or appointments) one figure may count: far
// above any practice or APM Entity (CMS's largest ACOs serve a few million patients).
const maxCount = 1_000_000_000

// overLimit words a figure above maxCount.
func overLimit(who, what string, n int) error {
	return fmt.Errorf("%s: %s %d is above %d, the most mipspi adds (SPEC §7); a report of a real practice never comes near it", who, what, n, maxCount)
}

// checkCounts refuses a report's run counts and status counts above maxCount.
func (rep *Report) checkCounts() error {
	c := rep.Counts
	for _, v := range []struct {
		name string
		n    int
	}{{"patients", c.Patients}, {"appointments", c.Appointments}, {"outside_period", c.OutsidePeriod}, {"not_seen", c.NotSeen},
		{"not_eligible", c.NotEligible}, {"after_as_of", c.AfterAsOf}, {"seen_visits", c.SeenVisits}, {"timely_visits", c.TimelyVisits},
		{"pending_visits", c.PendingVisits}, {"patients_in_numerator", c.PatientsInNumerator}} {
		if v.n < 0 {
			return fmt.Errorf("counts: %s %d is negative", v.name, v.n)
		}
		if v.n > maxCount {
			return overLimit("counts", v.name, v.n)
		}
	}
	for _, s := range rep.Statuses {
		if s.Count < 0 || s.Count > maxCount {
			return overLimit(fmt.Sprintf("status %q", s.Status), "count", s.Count)
		}
	}
	return nil
}

// checkSums refuses a report whose figures would take a running sum above maxCount.
// Nothing is added when it fails.
func (c *Combiner) checkSums(rep *Report) error {
	over := func(what string, sum int) error {
		return fmt.Errorf("adding it would make %s %d, above %d, the most mipspi adds (SPEC §7)", what, sum, maxCount)
	}
	apm := c.apmDen
	for _, e := range rep.Entities {
		k := entityKey{e.Level, e.TIN, e.NPI}
		who := "TIN " + e.TIN + " NPI " + e.NPI + "'s"
		if e.Level == measure.Group {
			k.npi, who = "", "TIN "+e.TIN+" (group)'s"
			apm += e.Denominator
		}
		s := c.ents[k]
		if s == nil {
			s = &sums{}
		}
		for _, v := range []struct {
			name      string
			have, add int
		}{{"denominator", s.den, e.Denominator}, {"numerator", s.num, e.Numerator}, {"pending", s.pending, e.Pending},
			{"numerator if notes locked", s.ifLocked, e.NumeratorIfNotesLocked}, {"seen visits", s.seen, e.SeenVisits},
			{"timely visits", s.timely, e.TimelyVisits}, {"pending visits", s.pend, e.PendingVisits}} {
			if v.have+v.add > maxCount {
				return over(who+" "+v.name, v.have+v.add)
			}
		}
	}
	if apm > maxCount {
		return over("the APM Entity's denominator", apm)
	}
	t := c.counts
	addCounts(&t, rep.Counts)
	for _, v := range []struct {
		name string
		n    int
	}{{"patients", t.Patients}, {"appointments", t.Appointments}, {"outside-period appointments", t.OutsidePeriod}, {"not-seen appointments", t.NotSeen},
		{"appointments with clinicians not eligible", t.NotEligible}, {"appointments after the as-of date", t.AfterAsOf}, {"seen visits", t.SeenVisits},
		{"timely visits", t.TimelyVisits}, {"pending visits", t.PendingVisits}, {"patients in the numerator", t.PatientsInNumerator}} {
		if v.n > maxCount {
			return over("the count of "+v.name, v.n)
		}
	}
	for _, s := range rep.Statuses {
		if have := c.statuses[s.Status]; have != nil && have.Count+s.Count > maxCount {
			return over(fmt.Sprintf("the count of status %q", s.Status), have.Count+s.Count)
		}
	}
	return nil
}
