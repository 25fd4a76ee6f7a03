package ehr

import (
	"testing"
	"time"
)

// parseEpoch reads PostgreSQL's numeric epoch text exactly, to the nanosecond, and
// refuses what is not one (Infinity, NaN, stray characters).
func TestParseEpoch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"1735822800.000000", time.Date(2025, 1, 2, 13, 0, 0, 0, time.UTC), true},
		{"1735822800.123456", time.Date(2025, 1, 2, 13, 0, 0, 123456000, time.UTC), true},
		{"1735822800", time.Date(2025, 1, 2, 13, 0, 0, 0, time.UTC), true},
		{"0", time.Unix(0, 0).UTC(), true},
		{"-1.500000", time.Unix(-2, 500000000).UTC(), true},
		{"-62135596800.000000", time.Time{}, true}, // 0001-01-01: colTime then refuses it
		{"Infinity", time.Time{}, false},
		{"-Infinity", time.Time{}, false},
		{"NaN", time.Time{}, false},
		{"", time.Time{}, false},
		{"-", time.Time{}, false},
		{"12.3x", time.Time{}, false},
		{"1e9", time.Time{}, false},
		{"99999999999999999999", time.Time{}, false},
	} {
		got, ok := parseEpoch([]byte(tc.in))
		if ok != tc.ok || ok && !got.Equal(tc.want) {
			t.Errorf("parseEpoch(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	var c colTime
	c.epoch = true
	c.Scan([]byte("-62135596800.000000"))
	if c.bad != problemZeroInstant {
		t.Errorf("zero instant: bad = %q", c.bad)
	}
	c.Scan([]byte("Infinity"))
	if c.bad != `unparseable timestamp "Infinity"` {
		t.Errorf("infinity: bad = %q", c.bad)
	}
}
