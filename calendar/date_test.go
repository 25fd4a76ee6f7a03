package calendar_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// TestLocalDate: R3 judges events by their civil date in the office's zone; instants are
// stored in UTC, and daylight-saving changes never shift a date.
func TestLocalDate(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("parse %s: %v", s, err)
		}
		return tm.UTC()
	}
	tests := []struct {
		name    string
		instant time.Time
		zone    string
		want    string
	}{
		// Deadline 2025-03-13 for a Friday 2025-03-07 visit in New York (EDT, UTC-4).
		{name: "23:59:59 local on the deadline", instant: utc("2025-03-14T03:59:59Z"), zone: "America/New_York", want: "2025-03-13"},
		{name: "00:00:01 local the day after", instant: utc("2025-03-14T04:00:01Z"), zone: "America/New_York", want: "2025-03-14"},
		{name: "22:00 Pacific is the next day in UTC", instant: utc("2025-06-11T05:00:00Z"), zone: "America/Los_Angeles", want: "2025-06-10"},
		{name: "the same instant judged in UTC", instant: utc("2025-06-11T05:00:00Z"), zone: "UTC", want: "2025-06-11"},
		{name: "instant carried in another zone", instant: utc("2025-06-11T05:00:00Z").In(time.FixedZone("X", 9*3600)), zone: "America/Los_Angeles", want: "2025-06-10"},
		// Spring forward, Sun 2025-03-09: 02:00 EST jumps to 03:00 EDT.
		{name: "spring: 23:59:59 EST the evening before", instant: utc("2025-03-09T04:59:59Z"), zone: "America/New_York", want: "2025-03-08"},
		{name: "spring: 00:00 EST", instant: utc("2025-03-09T05:00:00Z"), zone: "America/New_York", want: "2025-03-09"},
		{name: "spring: 01:59:59 EST, last second before the jump", instant: utc("2025-03-09T06:59:59Z"), zone: "America/New_York", want: "2025-03-09"},
		{name: "spring: 03:00 EDT, first second after the jump", instant: utc("2025-03-09T07:00:00Z"), zone: "America/New_York", want: "2025-03-09"},
		{name: "spring: 23:59:59 EDT that night", instant: utc("2025-03-10T03:59:59Z"), zone: "America/New_York", want: "2025-03-09"},
		{name: "spring: 00:00 EDT next day", instant: utc("2025-03-10T04:00:00Z"), zone: "America/New_York", want: "2025-03-10"},
		// Fall back, Sun 2025-11-02: 02:00 EDT returns to 01:00 EST; 01:30 happens twice.
		{name: "fall: 23:59:59 EDT the evening before", instant: utc("2025-11-02T03:59:59Z"), zone: "America/New_York", want: "2025-11-01"},
		{name: "fall: first 01:30 (EDT)", instant: utc("2025-11-02T05:30:00Z"), zone: "America/New_York", want: "2025-11-02"},
		{name: "fall: second 01:30 (EST)", instant: utc("2025-11-02T06:30:00Z"), zone: "America/New_York", want: "2025-11-02"},
		{name: "fall: 23:59:59 EST that night", instant: utc("2025-11-03T04:59:59Z"), zone: "America/New_York", want: "2025-11-02"},
		{name: "fall: 00:00 EST next day", instant: utc("2025-11-03T05:00:00Z"), zone: "America/New_York", want: "2025-11-03"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := calendar.LocalDate(tc.instant, mustZone(t, tc.zone))
			if diff := cmp.Diff(d(tc.want), got); diff != "" {
				t.Errorf("LocalDate(%s, %s) (-want +got):\n%s", tc.instant.Format(time.RFC3339), tc.zone, diff)
			}
		})
	}
}

// TestLocalDateAgainstDeadline ties LocalDate and Deadline together the way the measure
// uses them (R3, R7): in time when the local date is on or before the deadline.
func TestLocalDateAgainstDeadline(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	c := calendar.New(true, nil)
	deadline := c.Deadline(d("2025-03-07")) // Fri → Thu 2025-03-13
	type verdict struct {
		Local  calendar.Date
		InTime bool
	}
	for _, tc := range []struct {
		name    string
		instant time.Time
		want    verdict
	}{
		{"last second of the deadline day", time.Date(2025, 3, 14, 3, 59, 59, 0, time.UTC), verdict{d("2025-03-13"), true}},
		{"first second after it", time.Date(2025, 3, 14, 4, 0, 1, 0, time.UTC), verdict{d("2025-03-14"), false}},
	} {
		local := calendar.LocalDate(tc.instant, ny)
		if diff := cmp.Diff(tc.want, verdict{local, local <= deadline}); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestParseDate(t *testing.T) {
	type result struct {
		Date calendar.Date
		OK   bool
	}
	tests := []struct {
		name string
		in   string
		want result
	}{
		{name: "ordinary", in: "2025-03-09", want: result{calendar.NewDate(2025, time.March, 9), true}},
		{name: "epoch is the zero Date", in: "1970-01-01", want: result{0, true}},
		{name: "leap day", in: "2024-02-29", want: result{calendar.NewDate(2024, time.February, 29), true}},
		{name: "year 1", in: "0001-01-01", want: result{calendar.NewDate(1, time.January, 1), true}},
		{name: "year 9999", in: "9999-12-31", want: result{calendar.NewDate(9999, time.December, 31), true}},
		{name: "February 30", in: "2025-02-30"},
		{name: "not a leap year", in: "2025-02-29"},
		{name: "month 13", in: "2025-13-01"},
		{name: "month 0", in: "2025-00-10"},
		{name: "day 32", in: "2025-01-32"},
		{name: "one-digit month and day", in: "2025-1-1"},
		{name: "empty", in: ""},
		{name: "timestamp", in: "2025-03-09T10:00:00Z"},
		{name: "slashes", in: "2025/03/09"},
		{name: "surrounding space", in: " 2025-03-09"},
		{name: "trailing garbage", in: "2025-03-09x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := calendar.ParseDate(tc.in)
			if diff := cmp.Diff(tc.want, result{got, err == nil}); diff != "" {
				t.Errorf("ParseDate(%q) (-want +got):\n%s", tc.in, diff)
			}
			if err != nil && !strings.Contains(err.Error(), strconv.Quote(tc.in)) {
				t.Errorf("ParseDate(%q) error %q does not name the input", tc.in, err)
			}
		})
	}
}

func TestDateTextRoundTrip(t *testing.T) {
	type row struct {
		Visit calendar.Date   `json:"visit"`
		Dates []calendar.Date `json:"dates"`
	}
	in := row{Visit: d("2021-12-31"), Dates: dates("0001-01-01", "1969-12-31", "1970-01-01", "9999-12-31")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("marshal %+v: %v", in, err)
	}
	const wantJSON = `{"visit":"2021-12-31","dates":["0001-01-01","1969-12-31","1970-01-01","9999-12-31"]}`
	if diff := cmp.Diff(wantJSON, string(b)); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	var out row
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	keep := d("2025-03-09")
	if err := keep.UnmarshalText([]byte("2025-02-30")); err == nil {
		t.Errorf("UnmarshalText(2025-02-30) accepted an impossible date")
	}
	if diff := cmp.Diff(d("2025-03-09"), keep); diff != "" {
		t.Errorf("a failed UnmarshalText changed the Date (-want +got):\n%s", diff)
	}
}

func TestDateCivilAndWeekday(t *testing.T) {
	type civil struct {
		Year    int
		Month   time.Month
		Day     int
		Weekday time.Weekday
		String  string
	}
	of := func(x calendar.Date) civil {
		y, m, dd := x.Civil()
		return civil{y, m, dd, x.Weekday(), x.String()}
	}
	tests := []struct {
		name string
		date calendar.Date
		want civil
	}{
		{"epoch", 0, civil{1970, time.January, 1, time.Thursday, "1970-01-01"}},
		{"day before the epoch", -1, civil{1969, time.December, 31, time.Wednesday, "1969-12-31"}},
		{"-4 is a Sunday", -4, civil{1969, time.December, 28, time.Sunday, "1969-12-28"}},
		{"-7 is a Thursday again", -7, civil{1969, time.December, 25, time.Thursday, "1969-12-25"}},
		{"-8", -8, civil{1969, time.December, 24, time.Wednesday, "1969-12-24"}},
		{"year 1", calendar.NewDate(1, time.January, 1), civil{1, time.January, 1, time.Monday, "0001-01-01"}},
		{"year 9999", calendar.NewDate(9999, time.December, 31), civil{9999, time.December, 31, time.Friday, "9999-12-31"}},
		{"AddDays back over the epoch", calendar.Date(3).AddDays(-10), civil{1969, time.December, 25, time.Thursday, "1969-12-25"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, of(tc.date)); diff != "" {
				t.Errorf("Date(%d) (-want +got):\n%s", int32(tc.date), diff)
			}
		})
	}
	// Every day from year 1 to 2200 and the extremes: Weekday agrees with time's.
	for x := calendar.NewDate(1, time.January, 1); x <= calendar.NewDate(2200, time.December, 31); x++ {
		if x.Weekday() != x.Time().Weekday() {
			t.Fatalf("Date %s: Weekday %s, time says %s", x, x.Weekday(), x.Time().Weekday())
		}
	}
	for _, x := range []calendar.Date{-2147483648, -2147483647, 2147483646, 2147483647} {
		if x.Weekday() != x.Time().Weekday() {
			t.Errorf("Date %d: Weekday %s, time says %s", int32(x), x.Weekday(), x.Time().Weekday())
		}
	}
}

func TestNewDateNormalises(t *testing.T) {
	if diff := cmp.Diff(d("2025-03-02"), calendar.NewDate(2025, time.February, 30)); diff != "" {
		t.Errorf("NewDate(2025, 2, 30) (-want +got):\n%s", diff)
	}
}

// TestDateEnd: End is the last instant of the date in the zone — its local date is the
// date and the next nanosecond is on the next date — also where a zone skips its
// midnight (Santiago and Havana start summer time at 00:00) or repeats an hour.
func TestDateEnd(t *testing.T) {
	for _, tc := range []struct{ zone, date string }{
		{"America/New_York", "2025-11-30"},
		{"America/Los_Angeles", "2025-03-08"}, // the night before spring forward
		{"America/Los_Angeles", "2025-11-01"}, // the night before fall back
		{"Pacific/Guam", "2025-12-31"},
		{"Pacific/Kiritimati", "2025-06-30"},
		{"America/Santiago", "2025-09-06"}, // midnight of Sep 7 does not exist
		{"America/Havana", "2025-03-08"},   // midnight of Mar 9 does not exist
		{"UTC", "2025-01-01"},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		d := calendar.MustParseDate(tc.date)
		end := d.End(loc)
		if got := calendar.LocalDate(end, loc); got != d {
			t.Errorf("%s %s: End is on %s", tc.zone, tc.date, got)
		}
		if got := calendar.LocalDate(end.Add(time.Nanosecond), loc); got != d.AddDays(1) {
			t.Errorf("%s %s: just after End is %s, want the next date", tc.zone, tc.date, got)
		}
	}
}
