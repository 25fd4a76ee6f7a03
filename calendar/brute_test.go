package calendar_test

// A deliberately naive model of R3 used as the oracle for property and fuzz tests:
// day by day, from the weekday, FederalHolidays and the closure set only — never the
// calendar's precomputed table or its slow path.

import (
	"math"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

type brute struct {
	federal bool
	closed  map[calendar.Date]bool
	years   map[int]map[calendar.Date]bool // observed federal holidays by year, filled lazily
}

func newBrute(federal bool, closures []calendar.Date) *brute {
	b := &brute{federal: federal, closed: map[calendar.Date]bool{}, years: map[int]map[calendar.Date]bool{}}
	for _, d := range closures {
		b.closed[d] = true
	}
	return b
}

func (b *brute) holiday(d calendar.Date) bool {
	if !b.federal {
		return false
	}
	y := d.Year()
	set, ok := b.years[y]
	if !ok {
		set = map[calendar.Date]bool{}
		for _, h := range calendar.FederalHolidays(y) {
			set[h.Observed] = true
		}
		b.years[y] = set
	}
	return set[d]
}

// business is R3's definition of a business day, spelled out.
func (b *brute) business(d calendar.Date) bool {
	switch d.Time().Weekday() { // time's own weekday, not Date.Weekday
	case time.Saturday, time.Sunday:
		return false
	}
	return !b.closed[d] && !b.holiday(d)
}

// nth returns the n-th business day strictly after v (n ≥ 1), and false when it is not
// representable as a Date.
func (b *brute) nth(v calendar.Date, n int) (calendar.Date, bool) {
	for x := int64(v) + 1; x <= math.MaxInt32; x++ {
		if b.business(calendar.Date(x)) {
			n--
			if n == 0 {
				return calendar.Date(x), true
			}
		}
	}
	return 0, false
}

// between counts business days in (a, b] when a < b, minus those in (b, a] when b < a.
func (b *brute) between(a, c calendar.Date) int {
	sign := 1
	if c < a {
		a, c, sign = c, a, -1
	}
	n := 0
	for x := int64(a) + 1; x <= int64(c); x++ {
		if b.business(calendar.Date(x)) {
			n++
		}
	}
	return sign * n
}
