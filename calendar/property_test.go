package calendar_test

// Property tests: R3 arithmetic on random dates and closure sets agrees with the
// day-by-day model in brute_test.go.

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/mipspi/mipspi/calendar"
)

type scenario struct {
	cal   *calendar.Calendar
	model *brute
	visit calendar.Date
}

var (
	propFirst = calendar.NewDate(1975, time.January, 1)
	propLast  = calendar.NewDate(2095, time.December, 31)
)

// drawScenario draws a visit date in 1975–2095, federal holidays on or off, and 0–20
// practice closures from 5 days before to 25 days after the visit (so they land in the
// deadline window, on weekends, on holidays, on the visit, and twice on one day).
func drawScenario(t *rapid.T) scenario {
	v := calendar.Date(rapid.Int32Range(int32(propFirst), int32(propLast)).Draw(t, "visit"))
	federal := rapid.Bool().Draw(t, "federal")
	offsets := rapid.SliceOfN(rapid.IntRange(-5, 25), 0, 20).Draw(t, "closureOffsets")
	var closures []calendar.Date
	for _, o := range offsets {
		closures = append(closures, v.AddDays(o))
	}
	return scenario{cal: calendar.New(federal, closures), model: newBrute(federal, closures), visit: v}
}

func TestPropertyDeadline(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := drawScenario(t)
		v := s.visit
		got := s.cal.Deadline(v)
		want, _ := s.model.nth(v, 4)
		if got != want {
			t.Fatalf("Deadline(%s) = %s, brute force says %s", v, got, want)
		}
		if got <= v {
			t.Fatalf("Deadline(%s) = %s is not after the visit", v, got)
		}
		if !s.cal.IsBusinessDay(got) {
			t.Fatalf("Deadline(%s) = %s is not a business day (%s)", v, got, s.cal.NonBusinessReason(got))
		}
		if n := s.cal.BusinessDaysBetween(v, got); n != 4 {
			t.Fatalf("BusinessDaysBetween(%s, Deadline %s) = %d, want 4", v, got, n)
		}
		// The deadline is 4 business days plus every non-business day in between away.
		off := 0
		for x := v + 1; x <= got; x++ {
			if !s.model.business(x) {
				off++
			}
		}
		if int(got-v) != 4+off {
			t.Fatalf("Deadline(%s) = %s is %d days away; 4 + %d non-business days expected", v, got, got-v, off)
		}
		// Day by day around the window the calendar and the model agree, and
		// NonBusinessReason is empty exactly on business days.
		for x := v - 7; x <= got+7; x++ {
			bd := s.cal.IsBusinessDay(x)
			if bd != s.model.business(x) {
				t.Fatalf("IsBusinessDay(%s) = %v, brute force says %v", x, bd, !bd)
			}
			if r := s.cal.NonBusinessReason(x); (r == "") != bd {
				t.Fatalf("NonBusinessReason(%s) = %q but IsBusinessDay = %v", x, r, bd)
			}
		}
	})
}

func TestPropertyBusinessDaysBetween(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := drawScenario(t)
		a := s.visit
		near := rapid.Map(rapid.IntRange(-60, 60), func(n int) calendar.Date { return a.AddDays(n) })
		anywhere := rapid.Map(rapid.Int32Range(int32(propFirst), int32(propLast)), func(n int32) calendar.Date { return calendar.Date(n) })
		b := rapid.OneOf(near, anywhere).Draw(t, "b")
		c := rapid.OneOf(near, anywhere).Draw(t, "c")

		ab := s.cal.BusinessDaysBetween(a, b)
		if want := s.model.between(a, b); ab != want {
			t.Fatalf("BusinessDaysBetween(%s, %s) = %d, brute force says %d", a, b, ab, want)
		}
		if ba := s.cal.BusinessDaysBetween(b, a); ba != -ab {
			t.Fatalf("BusinessDaysBetween(%s, %s) = %d but the reverse is %d", a, b, ab, ba)
		}
		bc, ac := s.cal.BusinessDaysBetween(b, c), s.cal.BusinessDaysBetween(a, c)
		if ab+bc != ac {
			t.Fatalf("between(%s,%s)=%d + between(%s,%s)=%d != between(%s,%s)=%d", a, b, ab, b, c, bc, a, c, ac)
		}
	})
}

func TestPropertyAddBusinessDays(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := drawScenario(t)
		v := s.visit
		n := rapid.IntRange(-3, 40).Draw(t, "n")
		got := s.cal.AddBusinessDays(v, n)
		if n <= 0 {
			if got != v {
				t.Fatalf("AddBusinessDays(%s, %d) = %s, want the day itself", v, n, got)
			}
			return
		}
		if want, _ := s.model.nth(v, n); got != want {
			t.Fatalf("AddBusinessDays(%s, %d) = %s, brute force says %s", v, n, got, want)
		}
		// got is the first day at which n business days have passed.
		if k := s.cal.BusinessDaysBetween(v, got); k != n {
			t.Fatalf("BusinessDaysBetween(%s, %s) = %d, want %d", v, got, k, n)
		}
		if k := s.cal.BusinessDaysBetween(v, got-1); k != n-1 {
			t.Fatalf("BusinessDaysBetween(%s, %s) = %d, want %d", v, got-1, k, n-1)
		}
		if dl := s.cal.Deadline(v); dl != s.cal.AddBusinessDays(v, 4) {
			t.Fatalf("Deadline(%s) = %s differs from AddBusinessDays(v, 4)", v, dl)
		}
	})
}
