package registry

// status.go: whether the figures an export carries are final or still provisional
// (SPEC §4, R7/R9). Every keying sheet and manifest says which, with the as-of date.

import (
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// Status is how final a result's figures are.
type Status struct {
	// Provisional: a visit can still become timely, so the figures can still change.
	Provisional bool
	// AsOf is the as-of local date: the earliest among the zones of the offices the
	// result counts visits in (UTC when it names none), the date the figures stand at.
	AsOf calendar.Date
	// Bound is the last date a numerator action counts (R7): the period's end, or Dec
	// 31 with numerator_actions: calendar-year.
	Bound calendar.Date
}

// StatusOf returns the status of r's figures. An export is provisional while its as-of
// local date, in any office's zone, is on or before the action bound.
func StatusOf(r *measure.Result) Status {
	asOf := calendar.LocalDate(r.Config.AsOfIn(time.UTC), time.UTC)
	first := true
	for _, name := range r.Zones {
		z, err := time.LoadLocation(name)
		if err != nil {
			continue // the evaluation read it; a zone that no longer loads keeps UTC's date
		}
		if d := calendar.LocalDate(r.Config.AsOfIn(z), z); first || d < asOf { // R9: each zone's own as-of
			asOf, first = d, false
		}
	}
	return Status{Provisional: r.Config.Provisional(asOf), AsOf: asOf, Bound: r.Config.ActionBound()}
}

// String is what the keying sheet's status column and the manifest say: "final as of
// 2026-01-15" or "PROVISIONAL as of 2025-11-30".
func (s Status) String() string {
	if s.Provisional {
		return "PROVISIONAL as of " + s.AsOf.String()
	}
	return "final as of " + s.AsOf.String()
}
