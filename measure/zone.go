package measure

import (
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// zoneDays turns instants into local civil dates in one IANA zone (R1, R3) without
// allocating: the zone's offsets around the performance period are precomputed, so the
// engine's hot loop does a short scan instead of a time-zone lookup per event. Instants
// outside the precomputed span fall back to time.Time.In. The result is always the same
// as calendar.LocalDate (a property test checks it).
type zoneDays struct {
	loc    *time.Location
	lo, hi int64   // unix seconds covered by starts/offs: [lo, hi)
	starts []int64 // start of each zone period (starts[0] == lo), ascending
	offs   []int64 // its UTC offset in seconds
}

// maxZonePeriods caps the precomputed periods (a real zone has two a year).
const maxZonePeriods = 256

func newZoneDays(loc *time.Location, lo, hi int64) *zoneDays {
	z := &zoneDays{loc: loc, lo: lo, hi: hi}
	t := time.Unix(lo, 0).In(loc)
	for len(z.starts) < maxZonePeriods {
		_, off := t.Zone()
		z.starts = append(z.starts, t.Unix())
		z.offs = append(z.offs, int64(off))
		_, end := t.ZoneBounds()
		if end.IsZero() || end.Unix() >= hi || end.Unix() <= t.Unix() {
			return z
		}
		t = end
	}
	z.hi = t.Unix() // too many transitions: cover what was computed, fall back beyond
	return z
}

// date returns the local civil date of t in the zone.
func (z *zoneDays) date(t time.Time) calendar.Date {
	s := t.Unix()
	if s >= z.lo && s < z.hi {
		i := len(z.starts) - 1
		for i > 0 && s < z.starts[i] {
			i--
		}
		return calendar.Date(floorDiv(s+z.offs[i], 86400))
	}
	_, off := t.In(z.loc).Zone()
	return calendar.Date(floorDiv(s+int64(off), 86400))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
