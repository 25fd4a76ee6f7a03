package main

// mipspi calendar: the R3 business-day arithmetic, shown so staff can check it.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

func calendarCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "calendar",
		Usage: "show lock-by deadlines and the holidays and closures behind them",
		Subcommands: []*cli.Command{
			{
				Name:      "deadline",
				Usage:     "the deadline of a visit on DATE (the 4th business day after it), its lock-by date (never after the period's end) and the days skipped",
				UsageText: "mipspi calendar deadline [--config FILE] [--from YYYY-MM-DD --to YYYY-MM-DD] DATE...",
				ArgsUsage: "DATE...",
				Flags: []cli.Flag{configFlag(),
					&cli.StringFlag{Name: flagFrom, Usage: "first day of the performance period (`YYYY-MM-DD`; default: January 1 of each visit's year)"},
					&cli.StringFlag{Name: flagTo, Usage: "last day of the performance period (`YYYY-MM-DD`; default: December 31 of each visit's year); a lock-by date is never later (with numerator_actions: calendar-year, never after Dec 31)"},
				},
				Action: func(c *cli.Context) error {
					if err := flagsAfterArgs(c); err != nil {
						return err
					}
					if !c.Args().Present() {
						return usagef("calendar deadline: give a visit date (YYYY-MM-DD)")
					}
					fc, err := loadConfigFlag(c)
					if err != nil {
						return err
					}
					cal := fc.businessCalendar()
					var start, end calendar.Date
					given := c.IsSet(flagFrom) || c.IsSet(flagTo)
					if given {
						if start, end, err = period(c.String(flagFrom), c.String(flagTo)); err != nil {
							return err
						}
					}
					var out strings.Builder
					for _, a := range c.Args().Slice() {
						d, err := calendar.ParseDate(strings.TrimSpace(a))
						if err != nil {
							return usagef("calendar deadline: %s is not a date (want YYYY-MM-DD, a real calendar day)", quoteIfOdd(a))
						}
						if !given { // a whole-year period, the usual one
							start, end = calendar.NewDate(d.Year(), time.January, 1), calendar.NewDate(d.Year(), time.December, 31)
						} else if d < start || d > end {
							return usagef("calendar deadline: %s is outside the period %s..%s", d, start, end)
						}
						pc := measure.Config{Start: start, End: end, NumeratorActions: fc.NumeratorActions}.WithDefaults()
						what := "the period's end"
						if pc.ActionBound() != end {
							what = "the end of the period's calendar year"
						}
						out.WriteString(deadlineLine(cal, d, pc.ActionBound(), what))
						out.WriteByte('\n')
					}
					_, err = fmt.Fprint(s.stdout, out.String())
					return err
				},
			},
			{
				Name:      "holidays",
				Usage:     "the observed federal holidays and the configuration's closures in YEAR",
				UsageText: "mipspi calendar holidays [--config FILE] YEAR",
				ArgsUsage: "YEAR",
				Flags:     []cli.Flag{configFlag()},
				Action: func(c *cli.Context) error {
					if err := flagsAfterArgs(c); err != nil {
						return err
					}
					if c.Args().Len() != 1 {
						return usagef("calendar holidays: give one year, e.g. 2025")
					}
					a := c.Args().First()
					year, err := strconv.Atoi(a)
					if err != nil || year < 1 || year > 9999 {
						return usagef("calendar holidays: %s is not a year (1..9999)", quoteIfOdd(a))
					}
					if year < 1000 {
						// "25" is far more likely 2025 than the year 25: refuse rather than guess.
						return usagef("calendar holidays: %s is not a four-digit year; write the year in full, e.g. 2025", a)
					}
					fc, err := loadConfigFlag(c)
					if err != nil {
						return err
					}
					_, err = fmt.Fprint(s.stdout, holidaysText(fc, year))
					return err
				},
			},
		},
	}
}

// deadlineLine is "2025-07-03 (Thursday) → deadline 2025-07-10 (Thursday); skipped:
// 2025-07-04 Independence Day, 2025-07-05 Saturday, 2025-07-06 Sunday". When the R3
// deadline falls after bound, the last date a numerator action counts (R7: what), the line
// also gives the lock-by date people act on (R9's fix-by date): "→ deadline 2026-01-05
// (Monday), lock by 2025-12-31 (Wednesday, the period's end)".
func deadlineLine(cal *calendar.Calendar, v, bound calendar.Date, what string) string {
	dl := cal.Deadline(v)
	var skipped []string
	for d := v + 1; d < dl; d++ {
		if why := cal.NonBusinessReason(d); why != "" {
			skipped = append(skipped, d.String()+" "+why)
		}
	}
	line := fmt.Sprintf("%s (%s) → deadline %s (%s)", v, v.Weekday(), dl, dl.Weekday())
	if dl > bound {
		line += fmt.Sprintf(", lock by %s (%s, %s)", bound, bound.Weekday(), what)
	}
	if len(skipped) == 0 {
		return line + "; skipped: none"
	}
	return line + "; skipped: " + strings.Join(skipped, ", ")
}

// holidaysText lists the non-business days of year other than weekends: observed
// federal holidays (unless the configuration switches them off) and practice closures.
func holidaysText(fc *fileConfig, year int) string {
	type row struct {
		d    calendar.Date
		text string
	}
	var rows []row
	if fc.Holidays != "none" {
		for _, h := range calendar.FederalHolidays(year) {
			text := h.Name
			if h.Actual != h.Observed {
				text += fmt.Sprintf(" (observed; falls on %s %s)", h.Actual.Weekday(), h.Actual)
			}
			rows = append(rows, row{h.Observed, text})
		}
	}
	for _, d := range fc.Closures {
		if d.Year() == year {
			rows = append(rows, row{d, "practice closure"})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].d < rows[j].d })
	var b strings.Builder
	if fc.Holidays == "none" {
		fmt.Fprintf(&b, "# %d: federal holidays switched off by the configuration (holidays: none)\n", year)
	}
	if len(rows) == 0 {
		fmt.Fprintf(&b, "# %d: no holidays or closures; business days are Monday to Friday\n", year)
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "%s  %-9s  %s\n", r.d, r.d.Weekday(), r.text)
	}
	return b.String()
}
