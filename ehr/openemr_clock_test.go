package ehr

import (
	"testing"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// TestOpenEMRClock covers SPEC §8's clock: local wall times of one zone to instants,
// the autumn's repeated hour (the earlier instant), the spring's skipped hour (forward
// by the gap), 24:00, and a zone west of UTC and one east of it.
func TestOpenEMRClock(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	lh, _ := time.LoadLocation("Australia/Lord_Howe") // a 30-minute DST change
	cases := []struct {
		name string
		loc  *time.Location
		date string
		sec  int
		want string
	}{
		{"winter", ny, "2025-01-15", 9*3600 + 30*60, "2025-01-15T14:30:00Z"},
		{"summer", ny, "2025-07-15", 9*3600 + 30*60, "2025-07-15T13:30:00Z"},
		{"midnight", ny, "2025-07-15", 0, "2025-07-15T04:00:00Z"},
		{"24:00 is the next midnight", ny, "2025-07-15", 86400, "2025-07-16T04:00:00Z"},
		{"repeated 01:30 is the earlier (EDT)", ny, "2025-11-02", 3600 + 30*60, "2025-11-02T05:30:00Z"},
		{"01:00 repeated: the earlier", ny, "2025-11-02", 3600, "2025-11-02T05:00:00Z"},
		{"02:00 after the repeat", ny, "2025-11-02", 2 * 3600, "2025-11-02T07:00:00Z"},
		{"skipped 02:30 moves to 03:30 EDT", ny, "2025-03-09", 2*3600 + 30*60, "2025-03-09T07:30:00Z"},
		{"skipped 02:00 moves to 03:00 EDT", ny, "2025-03-09", 2 * 3600, "2025-03-09T07:00:00Z"},
		{"03:00 after the gap", ny, "2025-03-09", 3 * 3600, "2025-03-09T07:00:00Z"},
		{"01:59:59 before the gap", ny, "2025-03-09", 2*3600 - 1, "2025-03-09T06:59:59Z"},
		{"Lord Howe skipped 02:15 moves 30 min", lh, "2025-10-05", 2*3600 + 15*60, "2025-10-04T15:45:00Z"},
		{"Lord Howe repeated 01:45 is the earlier", lh, "2025-04-06", 3600 + 45*60, "2025-04-05T14:45:00Z"},
		{"UTC", time.UTC, "2025-03-09", 2*3600 + 30*60, "2025-03-09T02:30:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := oeClock{c.loc}.instant(calendar.MustParseDate(c.date), c.sec)
			if s := got.Format(time.RFC3339); s != c.want {
				t.Errorf("instant(%s, %d) = %s, want %s", c.date, c.sec, s, c.want)
			}
		})
	}
}

// TestOpenEMRValues covers how DATE, TIME and DATETIME text is read (SPEC §8): zero
// dates and empty values are NULL, a TIME outside 00:00–24:00 is an error.
func TestOpenEMRValues(t *testing.T) {
	dates := []struct {
		in   string
		null bool
		want string
		bad  bool
	}{
		{in: "2025-03-03", want: "2025-03-03"},
		{in: "2024-02-29", want: "2024-02-29"},
		{in: "0000-00-00", null: true},
		{in: "", null: true},
		{in: "2025-02-29", bad: true},
		{in: "2025-13-01", bad: true},
		{in: "25-03-03", bad: true},
	}
	for _, c := range dates {
		d, null, err := oeDate([]byte(c.in))
		switch {
		case c.bad:
			if err == nil {
				t.Errorf("oeDate(%q) = %s, want an error", c.in, d)
			}
		case err != nil || null != c.null || !null && d.String() != c.want:
			t.Errorf("oeDate(%q) = %s, %v, %v; want %s, %v", c.in, d, null, err, c.want, c.null)
		}
	}
	if _, null, _ := oeDate(nil); !null {
		t.Error("oeDate(NULL) is not NULL")
	}
	times := []struct {
		in   string
		want int
		null bool
		bad  string
	}{
		{in: "09:30:00", want: 9*3600 + 30*60},
		{in: "00:00:00", want: 0},
		{in: "24:00:00", want: 86400},
		{in: "23:59:59.000000", want: 86399},
		{in: "", null: true},
		{in: "24:00:01", bad: `time "24:00:01" is outside 00:00–24:00`},
		{in: "25:00:00", bad: `time "25:00:00" is outside 00:00–24:00`},
		{in: "-01:00:00", bad: `time "-01:00:00" is outside 00:00–24:00`},
		{in: "838:59:59", bad: `time "838:59:59" is outside 00:00–24:00`},
		{in: "09:60:00", bad: `time "09:60:00" is outside 00:00–24:00`},
		{in: "9:30:00", bad: `time "9:30:00" is outside 00:00–24:00`},
	}
	for _, c := range times {
		sec, null, err := oeTime([]byte(c.in))
		switch {
		case c.bad != "":
			if err == nil || err.Error() != c.bad {
				t.Errorf("oeTime(%q) = %d, %v; want error %q", c.in, sec, err, c.bad)
			}
		case err != nil || null != c.null || sec != c.want:
			t.Errorf("oeTime(%q) = %d, %v, %v; want %d, %v", c.in, sec, null, err, c.want, c.null)
		}
	}
	dts := []struct {
		in   string
		date string
		sec  int
		null bool
		bad  bool
	}{
		{in: "2025-03-03 10:15:30", date: "2025-03-03", sec: 10*3600 + 15*60 + 30},
		{in: "0000-00-00 00:00:00", null: true},
		{in: "2025-03-03 24:00:00", bad: true},
		{in: "2025-03-03x10:15:30", bad: true},
	}
	for _, c := range dts {
		d, sec, null, err := oeDateTime([]byte(c.in))
		switch {
		case c.bad:
			if err == nil {
				t.Errorf("oeDateTime(%q) accepted", c.in)
			}
		case err != nil || null != c.null || !null && (d.String() != c.date || sec != c.sec):
			t.Errorf("oeDateTime(%q) = %s %d %v %v", c.in, d, sec, null, err)
		}
	}
}
