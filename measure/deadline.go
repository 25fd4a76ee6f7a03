package measure

import "github.com/mipspi/mipspi/calendar"

// deadlines is R3 for every date of the period, computed once: the 4th business day
// strictly after the visit's local date (calendar.Deadline), indexed by date - start.
func deadlines(cal *calendar.Calendar, start, end calendar.Date) []calendar.Date {
	out := make([]calendar.Date, int(end-start)+1)
	for i := range out {
		out[i] = cal.Deadline(start + calendar.Date(i))
	}
	return out
}

// lateness is R9's count of how late an event on local date d is for a due date
// (d > due): the business days in (due, d], an event on a non-business day counting as
// the next business day, so that a late event is never "0 days late" (a Saturday lock
// after a Friday deadline is 1 business day late). 0 when d ≤ due.
func lateness(cal *calendar.Calendar, due, d calendar.Date) int {
	if d <= due {
		return 0
	}
	n := cal.BusinessDaysBetween(due, d)
	if !cal.IsBusinessDay(d) {
		n++
	}
	return n
}
