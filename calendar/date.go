package calendar

import (
	"fmt"
	"time"
)

// Date is a civil (wall-calendar) date with no time zone, stored as the number of
// days since 1970-01-01. It is comparable with < and == and costs no allocation,
// which matters in the measure engine's hot loop (millions of visits).
//
// The zero Date is 1970-01-01; callers that need "no date" keep a separate flag.
type Date int32

// NewDate returns the Date for year, month, day. Out-of-range values normalise
// the way time.Date does (so callers that need validation use ParseDate).
func NewDate(year int, month time.Month, day int) Date {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return Date(t.Unix() / 86400)
}

// ParseDate parses YYYY-MM-DD and rejects impossible dates such as 2025-02-30.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return DateOfCivil(t), nil
}

// MustParseDate is ParseDate for constants in tests and tables; it panics on a bad literal.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOfCivil returns the civil date printed on t's own clock (its location is kept).
func DateOfCivil(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// LocalDate returns the civil date of instant t in zone loc (R3: events are judged by
// their local date in the office's zone; daylight-saving changes never shift a date).
func LocalDate(t time.Time, loc *time.Location) Date {
	return DateOfCivil(t.In(loc))
}

// End returns the last instant of d in loc: an instant is on or before d in loc exactly
// when it is not after End (R9's bare as-of date: everything stamped before the next
// local midnight has happened, nothing later). Where a zone skips its midnight, the
// next local day starts at the first instant that exists, and End is just before it.
func (d Date) End(loc *time.Location) time.Time {
	y, m, day := d.AddDays(1).Civil()
	next := time.Date(y, m, day, 0, 0, 0, 0, loc)
	// time.Date may resolve a skipped midnight to an instant of the day before: step
	// forward by hours until the local date is the next day, then back to its start.
	for LocalDate(next, loc) <= d {
		next = next.Add(time.Hour)
	}
	for LocalDate(next.Add(-time.Minute), loc) > d {
		next = next.Add(-time.Minute)
	}
	return next.Add(-time.Nanosecond)
}

// Time returns midnight UTC of d (for formatting and date arithmetic only).
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Civil returns year, month, day.
func (d Date) Civil() (int, time.Month, int) { return d.Time().Date() }

// Year returns the calendar year of d.
func (d Date) Year() int { return d.Time().Year() }

// Weekday returns d's day of the week. 1970-01-01 was a Thursday.
func (d Date) Weekday() time.Weekday {
	w := (int(d) + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// AddDays returns d + n calendar days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format("2006-01-02") }

// MarshalText implements encoding.TextMarshaler (YYYY-MM-DD).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (YYYY-MM-DD).
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
