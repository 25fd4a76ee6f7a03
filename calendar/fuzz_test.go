package calendar_test

import (
	"math"
	"testing"

	"github.com/mipspi/mipspi/calendar"
)

// FuzzParseDate: ParseDate never panics, and whatever it accepts prints back unchanged.
// Seeds are in testdata/fuzz/FuzzParseDate.
func FuzzParseDate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		dt, err := calendar.ParseDate(s)
		if err != nil {
			return
		}
		if got := dt.String(); got != s {
			t.Fatalf("ParseDate(%q) = %s, which prints as %q", s, dt, got)
		}
		var back calendar.Date
		if err := back.UnmarshalText([]byte(dt.String())); err != nil || back != dt {
			t.Fatalf("UnmarshalText(%q) = %s, %v; want %s", dt.String(), back, err, dt)
		}
	})
}

// FuzzDeadline takes any int32 day number (year about -5.8 million to +5.8 million) and
// a byte: bits 0–6 close the practice on day+1 … day+7, bit 7 switches federal holidays
// off. Deadline must not panic, must lie after the visit, and must equal the brute-force
// model — inside the 1970–2100 table and on the slow path outside it — except in the last
// days of the Date range, where no 4th business day is representable and it saturates.
func FuzzDeadline(f *testing.F) {
	for _, seed := range []struct {
		day  int32
		mask byte
	}{
		{int32(calendar.MustParseDate("2025-11-26")), 0b0000_0010}, // Thanksgiving week, Friday closed
		{int32(calendar.MustParseDate("2021-12-28")), 0},
		{int32(calendar.MustParseDate("1969-12-29")), 0x80},
		{int32(calendar.MustParseDate("0001-01-01")), 0x7f},
		{math.MaxInt32 - 3, 0},
		{math.MinInt32, 0},
	} {
		f.Add(seed.day, seed.mask)
	}
	f.Fuzz(func(t *testing.T, day int32, mask byte) {
		v := calendar.Date(day)
		var closures []calendar.Date
		for i := 0; i < 7; i++ {
			if mask&(1<<i) != 0 && int64(day)+1+int64(i) <= math.MaxInt32 {
				closures = append(closures, v+calendar.Date(1+i))
			}
		}
		federal := mask&0x80 == 0
		c := calendar.New(federal, closures)
		got := c.Deadline(v)
		want, ok := newBrute(federal, closures).nth(v, 4)
		if !ok {
			if got != math.MaxInt32 {
				t.Fatalf("Deadline(%d) = %d; no 4th business day is representable, want saturation at the last Date", day, got)
			}
			return
		}
		if got <= v {
			t.Fatalf("Deadline(%d) = %d is not after the visit", day, got)
		}
		if got != want {
			t.Fatalf("Deadline(%s) = %s, brute force says %s (federal=%v, closures %v)", v, got, want, federal, closures)
		}
		if n := c.BusinessDaysBetween(v, got); n != 4 {
			t.Fatalf("BusinessDaysBetween(%s, %s) = %d, want 4", v, got, n)
		}
	})
}
