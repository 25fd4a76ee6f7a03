package calendar

import (
	"math"
	"sort"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/us"
)

// federal lists the legal public holidays of 5 U.S.C. 6103(a). Observance follows the
// usual federal rule carried by rickar/cal's us package: Saturday → Friday before,
// Sunday → Monday after. Juneteenth starts in 2021 (its StartYear).
var federal = []*cal.Holiday{
	us.NewYear, us.MlkDay, us.PresidentsDay, us.MemorialDay, us.Juneteenth,
	us.IndependenceDay, us.LaborDay, us.ColumbusDay, us.VeteransDay,
	us.ThanksgivingDay, us.ChristmasDay,
}

// rickar/cal computes holiday dates with time.Date in cal.DefaultLoc, which is time.Local
// unless set. In a process whose zone jumps at midnight on a holiday (TZ=America/Lima on
// 1 January 1986, for one) midnight does not exist, time.Date lands on 23:00 the day
// before, and the holiday moved to the wrong date. Dates here are civil (R3: "daylight-
// saving changes never shift a date") and the package must not depend on time.Local, so
// the library computes in UTC. Nothing else in the module uses rickar/cal.
func init() { cal.DefaultLoc = time.UTC }

// applies mirrors the test at the top of rickar/cal's Holiday.Calc. Calc reports "not
// this year" with the zero time, which is also midnight UTC on 1 January of year 1, so
// IsZero alone would drop New Year's Day of year 1 (a sentinel date in real data).
func applies(h *cal.Holiday, year int) bool {
	if h.Func == nil || (h.StartYear > 0 && year < h.StartYear) || (h.EndYear > 0 && year > h.EndYear) {
		return false
	}
	for _, y := range h.Except {
		if y == year {
			return false
		}
	}
	return true
}

// Holiday is an observed federal holiday.
type Holiday struct {
	Name     string
	Actual   Date // the statutory date
	Observed Date // the day off (differs from Actual when Actual is a weekend)
}

// FederalHolidays returns the federal holidays whose observed date falls in year,
// sorted by observed date. New Year's Day of year+1 observed on Dec 31 of year is
// included in year (2021-12-31 for 2022, 2027-12-31 for 2028).
func FederalHolidays(year int) []Holiday {
	var out []Holiday
	for _, y := range []int{year, year + 1} {
		for _, h := range federal {
			if !applies(h, y) {
				continue
			}
			actual, observed := h.Calc(y)
			if observed.Year() != year {
				continue
			}
			out = append(out, Holiday{Name: h.Name, Actual: DateOfCivil(actual), Observed: DateOfCivil(observed)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Observed < out[j].Observed })
	return out
}

// reason is how NonBusinessReason names h: "Christmas Day", or "Christmas Day
// (observed)" when the day off is not the statutory date.
func reason(h Holiday) string {
	if h.Observed != h.Actual {
		return h.Name + " (observed)"
	}
	return h.Name
}

// Table range: business days are precomputed for [tableFirst, tableLast]; dates
// outside it (hostile data such as year 0001 or 9999) take a day-by-day slow path.
var (
	tableFirst = NewDate(1970, time.January, 1)
	tableLast  = NewDate(2100, time.December, 31)
)

// Calendar decides business days (R3): Monday–Friday, not an observed federal holiday
// (unless switched off), not a practice closure. It is immutable after New and safe
// for concurrent use.
type Calendar struct {
	federal  bool
	closures []Date        // sorted, unique
	closed   map[Date]bool // closures
	holiday  map[Date]string
	// cum[i] = number of business days in [tableFirst, tableFirst+i].
	cum []int32
}

// New returns a calendar. federal switches observed US federal holidays on;
// closures are the practice's own closed dates.
func New(federal bool, closures []Date) *Calendar {
	c := &Calendar{federal: federal, closed: map[Date]bool{}, holiday: map[Date]string{}}
	for _, d := range closures {
		if !c.closed[d] {
			c.closed[d] = true
			c.closures = append(c.closures, d)
		}
	}
	sort.Slice(c.closures, func(i, j int) bool { return c.closures[i] < c.closures[j] })
	if federal {
		for y := tableFirst.Year() - 1; y <= tableLast.Year()+1; y++ {
			for _, h := range FederalHolidays(y) {
				c.holiday[h.Observed] = reason(h)
			}
		}
	}
	n := int(tableLast-tableFirst) + 1
	c.cum = make([]int32, n)
	var run int32
	for i := 0; i < n; i++ {
		if c.slowIsBusinessDay(tableFirst + Date(i)) {
			run++
		}
		c.cum[i] = run
	}
	return c
}

// Federal reports whether federal holidays are applied.
func (c *Calendar) Federal() bool { return c.federal }

// Closures returns the practice closures, sorted.
func (c *Calendar) Closures() []Date { return append([]Date(nil), c.closures...) }

func (c *Calendar) holidayName(d Date) (string, bool) {
	if !c.federal {
		return "", false
	}
	if name, ok := c.holiday[d]; ok {
		return name, true
	}
	if d >= tableFirst && d <= tableLast {
		return "", false
	}
	for _, h := range FederalHolidays(d.Year()) {
		if h.Observed == d {
			return reason(h), true
		}
	}
	return "", false
}

func (c *Calendar) slowIsBusinessDay(d Date) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	if c.closed[d] {
		return false
	}
	_, hol := c.holidayName(d)
	return !hol
}

// IsBusinessDay reports whether d is a business day (R3).
func (c *Calendar) IsBusinessDay(d Date) bool {
	if d >= tableFirst && d <= tableLast {
		i := int(d - tableFirst)
		if i == 0 {
			return c.cum[0] == 1
		}
		return c.cum[i] != c.cum[i-1]
	}
	return c.slowIsBusinessDay(d)
}

// NonBusinessReason says why d is not a business day ("Saturday", "Christmas Day
// (observed)", "practice closure"), or "" when it is one.
func (c *Calendar) NonBusinessReason(d Date) string {
	if c.closed[d] {
		return "practice closure"
	}
	if name, ok := c.holidayName(d); ok {
		return name
	}
	switch wd := d.Weekday(); wd {
	case time.Saturday, time.Sunday:
		return wd.String()
	}
	return ""
}

// maxDate is the last representable Date (about 5.8 million years on). Arithmetic past
// it would wrap to a date millions of years in the past.
const maxDate = Date(math.MaxInt32)

// AddBusinessDays returns the n-th business day strictly after d (n ≥ 1). n ≤ 0 returns d.
// When that day is beyond the last representable Date (only for absurd input near it),
// the last representable Date is returned rather than a wrapped-around one.
func (c *Calendar) AddBusinessDays(d Date, n int) Date {
	if n <= 0 {
		return d
	}
	for x := int64(d) + 1; x <= int64(maxDate); x++ {
		if c.IsBusinessDay(Date(x)) {
			n--
			if n == 0 {
				return Date(x)
			}
		}
	}
	return maxDate
}

// Deadline is R3: the 4th business day strictly after the visit's local date v. v never
// counts, whatever weekday it is. An event is in time when its local date is ≤ Deadline(v).
func (c *Calendar) Deadline(v Date) Date { return c.AddBusinessDays(v, 4) }

// BusinessDaysBetween counts the business days in (a, b] when b > a (how many business
// days late an event on b is for a deadline a), minus the count in (b, a] when b < a,
// and 0 when they are equal.
func (c *Calendar) BusinessDaysBetween(a, b Date) int {
	if a == b {
		return 0
	}
	if b < a {
		return -c.BusinessDaysBetween(b, a)
	}
	if a >= tableFirst && b <= tableLast {
		return int(c.cum[b-tableFirst] - c.cum[a-tableFirst])
	}
	return c.count(a, b)
}

// count returns the number of business days in (a, b], a < b, when the span leaves the
// table. The part inside the table is two lookups; outside it walks day by day but
// computes each year's federal holidays once, so a sentinel visit date such as
// 0001-01-01 costs milliseconds, not a FederalHolidays call per day. The loop variable
// is wider than Date so b = the last representable Date cannot wrap it.
func (c *Calendar) count(a, b Date) int {
	n := 0
	year, holidays := 0, map[Date]bool(nil)
	for x := int64(a) + 1; x <= int64(b); x++ {
		d := Date(x)
		if d >= tableFirst && d <= tableLast {
			end := min(b, tableLast)
			before := int32(0)
			if d > tableFirst {
				before = c.cum[d-tableFirst-1]
			}
			n += int(c.cum[end-tableFirst] - before)
			x = int64(end)
			continue
		}
		switch d.Weekday() {
		case time.Saturday, time.Sunday:
			continue
		}
		if c.closed[d] {
			continue
		}
		if c.federal {
			if y := d.Year(); holidays == nil || y != year {
				year, holidays = y, map[Date]bool{}
				for _, h := range FederalHolidays(y) {
					holidays[h.Observed] = true
				}
			}
			if holidays[d] {
				continue
			}
		}
		n++
	}
	return n
}
