package measure

import (
	"fmt"
	"math"

	"github.com/mipspi/mipspi/calendar"
)

// PeriodCheck is R11 for a performance period [Start, End].
type PeriodCheck struct {
	Year    int  // the performance year (the start's)
	Days    int  // consecutive days, both ends inclusive
	MinDays int  // the shortest period CMS accepts for the year: 90 up to 2023, 180 from 2024
	OneYear bool // start and end lie in one calendar year
}

// CheckPeriod is R11's period rules, computed once here and read by every caller
// (configuration, reports, registry files).
func CheckPeriod(start, end calendar.Date) PeriodCheck {
	return PeriodCheck{
		Year:    start.Year(),
		Days:    int(end-start) + 1,
		MinDays: MinPeriodDays(start.Year()),
		OneYear: start.Year() == end.Year(),
	}
}

// MinPeriodDays is R11's minimum PI performance period: 90 consecutive days up to
// performance year 2023, 180 from 2024.
func MinPeriodDays(year int) int {
	if year <= 2023 {
		return 90
	}
	return 180
}

// TooShort reports a period shorter than the year's minimum (a warning, R11).
func (p PeriodCheck) TooShort() bool { return p.Days < p.MinDays }

// Err is the error for a period R11 refuses outright: one that spans two calendar years.
func (p PeriodCheck) Err(start, end calendar.Date) error {
	if !p.OneYear {
		return fmt.Errorf("performance period %s..%s spans two calendar years; it must lie in one calendar year", start, end)
	}
	return nil
}

// RateAndPoints is an entity's performance rate (rounded to 4 decimals) and estimated
// PI points: the exact rate × 40 up to performance year 2022, × 25 from 2023 (rounded to
// 2 decimals). Both are 0 when the denominator is 0. The engine and combine's summed
// rows both use it (R2, SPEC §7).
func RateAndPoints(num, den, year int) (rate, points float64) {
	if den <= 0 {
		return 0, 0
	}
	mult := 25.0
	if year <= 2022 {
		mult = 40
	}
	frac := float64(num) / float64(den)
	return Round(frac, 4), Round(frac*mult, 2)
}

// Round is x rounded half away from zero to places decimals: the one rounding of every
// figure mipspi shows (rates to 4 decimals, points to 2).
func Round(x float64, places int) float64 {
	p := math.Pow10(places)
	return math.Round(x*p) / p
}
