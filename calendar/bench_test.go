package calendar_test

import (
	"testing"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// benchVisits spreads visits over 2017–2027 (the QPP years the tool reports on).
func benchVisits() []calendar.Date {
	first := calendar.NewDate(2017, time.January, 1)
	out := make([]calendar.Date, 4096)
	for i := range out {
		out[i] = first + calendar.Date(i*977%4018)
	}
	return out
}

func BenchmarkDeadline(b *testing.B) {
	c := calendar.New(true, dates("2025-11-28", "2025-12-24", "2026-11-27"))
	visits := benchVisits()
	var sink calendar.Date
	for i := 0; b.Loop(); i++ {
		sink ^= c.Deadline(visits[i%len(visits)])
	}
	_ = sink
}

func BenchmarkBusinessDaysBetween(b *testing.B) {
	c := calendar.New(true, dates("2025-11-28", "2025-12-24", "2026-11-27"))
	visits := benchVisits()
	sink := 0
	for i := 0; b.Loop(); i++ {
		v := visits[i%len(visits)]
		sink += c.BusinessDaysBetween(v, v+calendar.Date(i%90))
	}
	_ = sink
}

// BenchmarkBusinessDaysBetweenSentinel is the hostile case: a visit dated 0001-01-01
// (an "unknown" placeholder) measured against an event in 2025, outside the table.
func BenchmarkBusinessDaysBetweenSentinel(b *testing.B) {
	c := calendar.New(true, nil)
	from, to := calendar.MustParseDate("0001-01-05"), calendar.MustParseDate("2025-03-07")
	sink := 0
	for b.Loop() {
		sink += c.BusinessDaysBetween(from, to)
	}
	_ = sink
}

func BenchmarkNew(b *testing.B) {
	closures := dates("2025-11-28", "2025-12-24", "2026-11-27")
	for b.Loop() {
		_ = calendar.New(true, closures)
	}
}
