package measure

import (
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// AsOfIn is the as-of instant for the events of an office in zone loc (R9): the
// instant given, or for a bare as-of date the end of that date in loc — everything
// the office stamped before its next local midnight has happened, nothing later.
func (c Config) AsOfIn(loc *time.Location) time.Time {
	if c.BareAsOf {
		return c.AsOfDate.End(loc)
	}
	return c.AsOf
}

// AsOfText is the as-of as it was given, as reports write it (SPEC §4 as_of): the
// bare date, "2025-11-30", or the instant in RFC 3339 UTC, "2026-01-15T12:00:00Z".
func (c Config) AsOfText() string {
	if c.BareAsOf {
		return c.AsOfDate.String()
	}
	return c.AsOf.UTC().Format(time.RFC3339)
}

// WithBareAsOf returns c with the bare as-of date d (R9), AsOf set to the end of d in
// UTC until the offices are known (NewEvaluator).
func (c Config) WithBareAsOf(d calendar.Date) Config {
	c.AsOfDate, c.BareAsOf, c.AsOf = d, true, d.End(time.UTC)
	return c
}

// tinAsOf is the as-of instant for the facts of a TIN as a whole — its API windows,
// its probes (R9): the latest of its offices' as-of instants, which for a bare as-of
// date is the end of that date in the TIN's westernmost office zone. A TIN with no
// office with a zone takes AsOf.
func (c Config) tinAsOf(offices []Office, tin string) time.Time {
	t, found := c.AsOf, false
	for _, o := range offices {
		if o.TIN != tin || o.Zone == nil {
			continue
		}
		if a := c.AsOfIn(o.Zone); !found || a.After(t) {
			t, found = a, true
		}
	}
	return t
}

// fixBy is R9's fix-by date: the last local date on which the missing action can still
// make the visit timely — the R3 deadline, never later than R7's numerator-action
// bound.
func fixBy(deadline, bound calendar.Date) calendar.Date { return min(deadline, bound) }

// Closure says what keeps a visit that is not timely from ever becoming timely (R9):
// Open while it still can (pending), otherwise the first of the facts below that holds.
type Closure uint8

const (
	Open               Closure = iota // pending: it can still become timely
	ClosedByDate                      // the as-of local date is after its fix-by date
	ClosedByRelease                   // its note was released after the fix-by date
	ClosedByInvitation                // the patient's first invitation came after the fix-by date
	ClosedByAccess                    // the access instant fell after the fix-by date (the API)
)

// stillReachable is R9's pending test for a visit that is not timely: the as-of local
// date is on or before its fix-by date, and no event that has already happened rules
// it out — a release, first invitation or access instant that fell after the fix-by
// date cannot be undone. It returns Open, or what closed the visit with the local date
// of that event (0 for ClosedByDate).
func stillReachable(v *Verdict, f *visitFacts) (Closure, calendar.Date) {
	z := f.zone
	switch {
	case f.asOfDate > v.FixBy:
		return ClosedByDate, 0
	case v.HasRelease && z.date(v.Release) > v.FixBy:
		return ClosedByRelease, z.date(v.Release)
	case f.hasInv && z.date(f.inv) > v.FixBy:
		return ClosedByInvitation, z.date(f.inv)
	case v.HasAccess && v.AccessDate > v.FixBy:
		return ClosedByAccess, v.AccessDate
	}
	return Open, 0
}

// countedAsOf is R1's as-of rule: a seen visit counts when its local date is on or
// before the as-of local date, whatever its time of day (a patient marked Arrived at
// 09:50 for a 10:00 visit is seen). A later one is not counted (VISIT_AFTER_AS_OF).
func countedAsOf(visit, asOfDate calendar.Date) bool { return visit <= asOfDate }
