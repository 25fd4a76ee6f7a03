package calendar_test

// Table tests for R3 business days and deadlines. Every expected date below was worked
// out by hand from a wall calendar; the reasoning is in each case's comment.

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
)

var d = calendar.MustParseDate

func dates(ss ...string) []calendar.Date {
	var out []calendar.Date
	for _, s := range ss {
		out = append(out, d(s))
	}
	return out
}

func TestIsBusinessDay(t *testing.T) {
	tests := []struct {
		name     string
		federal  bool
		closures []calendar.Date
		day      string
		want     bool
	}{
		{name: "plain Wednesday", federal: true, day: "2025-03-05", want: true},
		{name: "Saturday", federal: true, day: "2025-03-08", want: false},
		{name: "Sunday", federal: true, day: "2025-03-09", want: false},
		{name: "Saturday with federal off", federal: false, day: "2025-03-08", want: false},
		{name: "Friday observed (July 4 2026 is a Saturday)", federal: true, day: "2026-07-03", want: false},
		{name: "the Saturday July 4 2026 itself", federal: true, day: "2026-07-04", want: false},
		{name: "Monday observed (July 4 2027 is a Sunday)", federal: true, day: "2027-07-05", want: false},
		{name: "Monday observed (Christmas 2022 is a Sunday)", federal: true, day: "2022-12-26", want: false},
		{name: "Monday holiday MLK 2025", federal: true, day: "2025-01-20", want: false},
		{name: "Thursday holiday Thanksgiving 2025", federal: true, day: "2025-11-27", want: false},
		{name: "Friday after Thanksgiving is open", federal: true, day: "2025-11-28", want: true},
		{name: "Friday after Thanksgiving closed by the practice", federal: true, closures: dates("2025-11-28"), day: "2025-11-28", want: false},
		{name: "New Year 2022 observed Fri 2021-12-31", federal: true, day: "2021-12-31", want: false},
		{name: "New Year 2028 observed Fri 2027-12-31", federal: true, day: "2027-12-31", want: false},
		{name: "Juneteenth 2021 observed Fri 2021-06-18", federal: true, day: "2021-06-18", want: false},
		{name: "no Juneteenth in 2020 (Fri 2020-06-19)", federal: true, day: "2020-06-19", want: true},
		{name: "Columbus Day 2025", federal: true, day: "2025-10-13", want: false},
		{name: "practice closure on a Tuesday", federal: true, closures: dates("2025-03-04"), day: "2025-03-04", want: false},
		{name: "the day after a closure", federal: true, closures: dates("2025-03-04"), day: "2025-03-05", want: true},
		{name: "closure with federal off", federal: false, closures: dates("2025-03-04"), day: "2025-03-04", want: false},
		{name: "federal off: Independence Day is a business day", federal: false, day: "2025-07-04", want: true},
		{name: "federal off: observed New Year 2021-12-31", federal: false, day: "2021-12-31", want: true},
		{name: "first table day 1970-01-01 New Year", federal: true, day: "1970-01-01", want: false},
		{name: "first table day with federal off (Thursday)", federal: false, day: "1970-01-01", want: true},
		{name: "before the table: Wed 1969-12-31", federal: true, day: "1969-12-31", want: true},
		{name: "last table day Sat 2100-12-31", federal: true, day: "2100-12-31", want: false},
		{name: "after the table: Christmas 2101 (Sunday) observed Mon 2101-12-26", federal: true, day: "2101-12-26", want: false},
		{name: "year 1: New Year Mon 0001-01-01", federal: true, day: "0001-01-01", want: false},
		{name: "year 1: Tue 0001-01-02", federal: true, day: "0001-01-02", want: true},
		{name: "year 9999: Christmas (Saturday) observed Fri 9999-12-24", federal: true, day: "9999-12-24", want: false},
		{name: "closure outside the table", federal: true, closures: dates("0001-01-03"), day: "0001-01-03", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := calendar.New(tc.federal, tc.closures)
			if diff := cmp.Diff(tc.want, c.IsBusinessDay(d(tc.day))); diff != "" {
				t.Errorf("IsBusinessDay(%s) (-want +got):\n%s", tc.day, diff)
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	tests := []struct {
		name     string
		federal  bool
		closures []calendar.Date
		visit    string
		want     string
	}{
		// Business days counted 1..4 strictly after the visit.
		{name: "Monday visit", federal: true, visit: "2025-03-03", want: "2025-03-07"},                              // Tue Wed Thu Fri
		{name: "Tuesday visit", federal: true, visit: "2025-03-04", want: "2025-03-10"},                             // Wed Thu Fri Mon
		{name: "Friday visit", federal: true, visit: "2025-03-07", want: "2025-03-13"},                              // Mon Tue Wed Thu
		{name: "Saturday visit", federal: true, visit: "2025-03-08", want: "2025-03-13"},                            // Mon Tue Wed Thu
		{name: "Sunday visit (US DST night)", federal: true, visit: "2025-03-09", want: "2025-03-13"},               // Mon Tue Wed Thu
		{name: "visit on Independence Day 2025 (Fri)", federal: true, visit: "2025-07-04", want: "2025-07-10"},      // Mon Tue Wed Thu
		{name: "visit on Christmas 2025 (Thu)", federal: true, visit: "2025-12-25", want: "2025-12-31"},             // Fri Mon Tue Wed
		{name: "day before Independence Day, federal on", federal: true, visit: "2025-07-03", want: "2025-07-10"},   // (Fri off) Mon Tue Wed Thu
		{name: "day before Independence Day, federal off", federal: false, visit: "2025-07-03", want: "2025-07-09"}, // Fri Mon Tue Wed
		// Thanksgiving 2025 is Thu 11-27. Federal only: Fri 28, Mon 1, Tue 2, Wed 3 — not 12-02.
		{name: "Wednesday before Thanksgiving, Friday open", federal: true, visit: "2025-11-26", want: "2025-12-03"},
		{name: "Wednesday before Thanksgiving, Friday closed", federal: true, closures: dates("2025-11-28"), visit: "2025-11-26", want: "2025-12-04"}, // Mon Tue Wed Thu
		{name: "Friday-observed holiday inside the window", federal: true, visit: "2026-07-01", want: "2026-07-08"},                                   // Thu (Fri 3 off) Mon Tue Wed
		{name: "Monday-observed holiday July 2027", federal: true, visit: "2027-07-02", want: "2027-07-09"},                                           // (Mon 5 off) Tue Wed Thu Fri
		{name: "Monday-observed Christmas 2022", federal: true, visit: "2022-12-23", want: "2022-12-30"},                                              // (Mon 26 off) Tue Wed Thu Fri
		{name: "Monday holiday MLK 2025", federal: true, visit: "2025-01-17", want: "2025-01-24"},                                                     // (Mon 20 off) Tue Wed Thu Fri
		{name: "practice closure on the Wednesday", federal: true, closures: dates("2025-03-05"), visit: "2025-03-03", want: "2025-03-10"},            // Tue Thu Fri Mon
		{name: "closure on a weekend changes nothing", federal: true, closures: dates("2025-03-08"), visit: "2025-03-07", want: "2025-03-13"},
		{name: "closure on the visit day changes nothing", federal: true, closures: dates("2025-03-03"), visit: "2025-03-03", want: "2025-03-07"},
		// New Year 2022 (Sat) observed Fri 2021-12-31: Wed 29, Thu 30, Mon 3, Tue 4.
		{name: "spanning New Year observed 2021-12-31", federal: true, visit: "2021-12-28", want: "2022-01-04"},
		{name: "spanning 2021-12-31 with federal off", federal: false, visit: "2021-12-28", want: "2022-01-03"}, // Wed Thu Fri Mon
		{name: "year boundary 2025/2026", federal: true, visit: "2025-12-29", want: "2026-01-05"},               // Tue Wed (Thu 1 off) Fri Mon
		{name: "Juneteenth 2021 observed Fri 06-18", federal: true, visit: "2021-06-16", want: "2021-06-23"},    // Thu (Fri off) Mon Tue Wed
		{name: "no Juneteenth in 2020", federal: true, visit: "2020-06-17", want: "2020-06-23"},                 // Thu Fri Mon Tue
		// Table edges: 1970-01-01 (Thu) is New Year's Day.
		{name: "before the table into it", federal: true, visit: "1969-12-29", want: "1970-01-05"}, // Tue Wed (Thu off) Fri Mon
		{name: "year 1 (Mon, New Year)", federal: true, visit: "0001-01-01", want: "0001-01-05"},   // Tue Wed Thu Fri
		// 9999-12-31 is a Friday; Christmas (Sat) observed Fri 12-24.
		{name: "year 9999 around Christmas", federal: true, visit: "9999-12-20", want: "9999-12-27"}, // Tue Wed Thu (Fri off) Mon
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := calendar.New(tc.federal, tc.closures)
			v := d(tc.visit)
			if diff := cmp.Diff(d(tc.want), c.Deadline(v)); diff != "" {
				t.Errorf("Deadline(%s) (-want +got):\n%s", tc.visit, diff)
			}
		})
	}
}

// TestDeadlineAtTableEdges checks dates on both sides of the precomputed range (1970–2100)
// and far outside it against the brute-force model, federal on and off.
func TestDeadlineAtTableEdges(t *testing.T) {
	visits := dates("0001-01-01", "0001-12-28", "1969-12-24", "1969-12-29", "1969-12-31", "1970-01-01",
		"2100-12-24", "2100-12-29", "2100-12-31", "2101-01-01", "9999-12-20", "9999-12-31")
	for _, federal := range []bool{true, false} {
		c := calendar.New(federal, nil)
		b := newBrute(federal, nil)
		for _, v := range visits {
			want, _ := b.nth(v, 4)
			got := struct {
				Deadline calendar.Date
				Between  int
			}{c.Deadline(v), c.BusinessDaysBetween(v, v+30)}
			wantAll := struct {
				Deadline calendar.Date
				Between  int
			}{want, b.between(v, v+30)}
			if diff := cmp.Diff(wantAll, got); diff != "" {
				t.Errorf("federal=%v visit %s (-brute +calendar):\n%s", federal, v, diff)
			}
		}
	}
}

func TestBusinessDaysBetween(t *testing.T) {
	tests := []struct {
		name     string
		federal  bool
		closures []calendar.Date
		a, b     string
		want     int
	}{
		{name: "same day", federal: true, a: "2025-03-05", b: "2025-03-05", want: 0},
		{name: "Monday to Friday", federal: true, a: "2025-03-03", b: "2025-03-07", want: 4},
		{name: "Friday to Monday", federal: true, a: "2025-03-07", b: "2025-03-10", want: 1},
		{name: "Saturday to Sunday", federal: true, a: "2025-03-08", b: "2025-03-09", want: 0},
		{name: "negative: Friday back to Monday", federal: true, a: "2025-03-07", b: "2025-03-03", want: -4},
		{name: "negative across a weekend", federal: true, a: "2025-03-10", b: "2025-03-07", want: -1},
		// (Dec 24, Jan 2]: Thu 25 off, Fri 26, Mon 29, Tue 30, Wed 31, Thu 1 off, Fri 2.
		{name: "Christmas to New Year 2025/26", federal: true, a: "2025-12-24", b: "2026-01-02", want: 5},
		{name: "Christmas to New Year, federal off", federal: false, a: "2025-12-24", b: "2026-01-02", want: 7},
		{name: "closure inside the span", federal: true, closures: dates("2025-03-05"), a: "2025-03-03", b: "2025-03-07", want: 3},
		{name: "closure on the start day does not count anyway", federal: true, closures: dates("2025-03-03"), a: "2025-03-03", b: "2025-03-07", want: 4},
		{name: "closure on the end day", federal: true, closures: dates("2025-03-07"), a: "2025-03-03", b: "2025-03-07", want: 3},
		{name: "one deadline late by one business day", federal: true, a: "2022-01-04", b: "2022-01-05", want: 1},
		{name: "across the table start", federal: true, a: "1969-12-29", b: "1970-01-05", want: 4},
		{name: "across the table end", federal: true, a: "2100-12-29", b: "2101-01-04", want: 3},
	}
	// 2100-12-29 is a Wednesday: Thu 30, Fri 31, (Sat 1 Jan 2101 New Year → observed Fri
	// 2100-12-31!), Mon 3, Tue 4. So (Dec 29, Jan 4] holds Thu 30, Mon 3, Tue 4 = 3.
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := calendar.New(tc.federal, tc.closures)
			if diff := cmp.Diff(tc.want, c.BusinessDaysBetween(d(tc.a), d(tc.b))); diff != "" {
				t.Errorf("BusinessDaysBetween(%s, %s) (-want +got):\n%s", tc.a, tc.b, diff)
			}
		})
	}
}

// A visit dated 0001-01-01 (a sentinel EHRs use for "unknown") whose event is in 2025
// must be counted exactly, without walking the calendar out of the table day by day in
// a way that overflows or never ends.
func TestBusinessDaysBetweenSentinelDates(t *testing.T) {
	c := calendar.New(true, dates("0001-01-03", "2025-03-05"))
	b := newBrute(true, dates("0001-01-03", "2025-03-05"))
	for _, tc := range []struct{ a, b calendar.Date }{
		{d("0001-01-01"), d("2025-03-07")},
		{d("2025-03-07"), d("0001-01-01")},
		{d("1969-01-01"), d("2101-12-31")},
		{d("2099-01-01"), d("9999-12-31")},
	} {
		if diff := cmp.Diff(b.between(tc.a, tc.b), c.BusinessDaysBetween(tc.a, tc.b)); diff != "" {
			t.Errorf("BusinessDaysBetween(%s, %s) (-brute +calendar):\n%s", tc.a, tc.b, diff)
		}
	}
}

func TestAddBusinessDays(t *testing.T) {
	tests := []struct {
		name  string
		start string
		n     int
		want  string
	}{
		{name: "zero returns the day itself", start: "2025-03-08", n: 0, want: "2025-03-08"},
		{name: "negative returns the day itself", start: "2025-03-05", n: -3, want: "2025-03-05"},
		{name: "one from Friday is Monday", start: "2025-03-07", n: 1, want: "2025-03-10"},
		{name: "one from Saturday is Monday", start: "2025-03-08", n: 1, want: "2025-03-10"},
		{name: "one from a business day before a holiday skips it", start: "2025-07-03", n: 1, want: "2025-07-07"},
		{name: "four is the deadline", start: "2021-12-28", n: 4, want: "2022-01-04"},
		{name: "ten across Thanksgiving 2025", start: "2025-11-20", n: 10, want: "2025-12-05"}, // Fri21 Mon24 Tue25 Wed26 Fri28 Mon1 Tue2 Wed3 Thu4 Fri5
	}
	c := calendar.New(true, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(d(tc.want), c.AddBusinessDays(d(tc.start), tc.n)); diff != "" {
				t.Errorf("AddBusinessDays(%s, %d) (-want +got):\n%s", tc.start, tc.n, diff)
			}
		})
	}
}

func TestNonBusinessReason(t *testing.T) {
	tests := []struct {
		name     string
		federal  bool
		closures []calendar.Date
		day      string
		want     string
	}{
		{name: "business day", federal: true, day: "2025-03-05", want: ""},
		{name: "Saturday", federal: true, day: "2025-03-08", want: "Saturday"},
		{name: "Sunday", federal: true, day: "2025-03-09", want: "Sunday"},
		{name: "holiday on its own date", federal: true, day: "2025-12-25", want: "Christmas Day"},
		{name: "Monday holiday", federal: true, day: "2025-01-20", want: "Martin Luther King Jr. Day"},
		{name: "Monday observed", federal: true, day: "2022-12-26", want: "Christmas Day (observed)"},
		{name: "Friday observed", federal: true, day: "2026-07-03", want: "Independence Day (observed)"},
		{name: "New Year observed the December before", federal: true, day: "2021-12-31", want: "New Year's Day (observed)"},
		{name: "the statutory Saturday is just a Saturday", federal: true, day: "2026-07-04", want: "Saturday"},
		{name: "closure", federal: true, closures: dates("2025-03-04"), day: "2025-03-04", want: "practice closure"},
		{name: "closure on a holiday names the closure", federal: true, closures: dates("2025-12-25"), day: "2025-12-25", want: "practice closure"},
		{name: "federal off: holiday is a business day", federal: false, day: "2025-12-25", want: ""},
		{name: "outside the table, observed", federal: true, day: "2101-12-26", want: "Christmas Day (observed)"},
		{name: "outside the table, year 1", federal: true, day: "0001-01-01", want: "New Year's Day"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := calendar.New(tc.federal, tc.closures)
			day := d(tc.day)
			got := struct {
				Reason   string
				Business bool
			}{c.NonBusinessReason(day), c.IsBusinessDay(day)}
			want := struct {
				Reason   string
				Business bool
			}{tc.want, tc.want == ""}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.day, diff)
			}
		})
	}
}

func TestClosuresSortedUnique(t *testing.T) {
	c := calendar.New(false, dates("2025-03-05", "2025-01-02", "2025-03-05"))
	if diff := cmp.Diff(dates("2025-01-02", "2025-03-05"), c.Closures()); diff != "" {
		t.Errorf("Closures() (-want +got):\n%s", diff)
	}
	got := c.Closures()
	got[0] = 0 // the caller's copy must not alias the calendar's
	if diff := cmp.Diff(dates("2025-01-02", "2025-03-05"), c.Closures()); diff != "" {
		t.Errorf("Closures() after modifying a returned slice (-want +got):\n%s", diff)
	}
}

// Dates near the top of the int32 range cannot come from a database or ParseDate, but
// arithmetic on them must neither wrap to the distant past nor loop forever.
func TestArithmeticAtTheLastDate(t *testing.T) {
	const last = calendar.Date(math.MaxInt32)
	c := calendar.New(true, nil)
	b := newBrute(true, nil)
	type result struct {
		Deadline calendar.Date
		Between  int
	}
	for _, v := range []calendar.Date{last - 40, last - 5, last - 1, last} {
		want := result{Deadline: last, Between: b.between(v, last)} // saturates when no 4th business day fits
		if dl, ok := b.nth(v, 4); ok {
			want.Deadline = dl
		}
		got := result{c.Deadline(v), c.BusinessDaysBetween(v, last)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("visit %d (-want +got):\n%s", v, diff)
		}
		if got.Deadline < v {
			t.Errorf("Deadline(%d) = %d wrapped below the visit", v, got.Deadline)
		}
	}
}
