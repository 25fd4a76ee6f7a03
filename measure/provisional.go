package measure

import "github.com/mipspi/mipspi/calendar"

// ActionBound is R7's last local date for a numerator action: the performance end, or
// Dec 31 of the period's year with numerator_actions: calendar-year.
func (c Config) ActionBound() calendar.Date { return actionBound(c) }

// Provisional reports whether figures as of asOfDate, an office's as-of local date, are
// provisional (SPEC §4, R7/R9): while that date is on or before the action bound a visit
// can still become timely, so the figures can still change.
func (c Config) Provisional(asOfDate calendar.Date) bool { return asOfDate <= actionBound(c) }
