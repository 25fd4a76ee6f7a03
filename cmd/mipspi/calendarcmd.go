package main

// mipspi calendar: the R3 business-day arithmetic, shown so staff can check it.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/calendar"
)

func calendarCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "calendar",
		Usage: "show lock-by deadlines and the holidays and closures behind them",
		Subcommands: []*cli.Command{
			{
				Name:      "deadline",
				Usage:     "the deadline of a visit on DATE (the 4th business day after it) and the days skipped",
				UsageText: "mipspi calendar deadline [--config FILE] DATE...",
				ArgsUsage: "DATE...",
				Flags:     []cli.Flag{configFlag()},
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
					var out strings.Builder
					for _, a := range c.Args().Slice() {
						d, err := calendar.ParseDate(strings.TrimSpace(a))
						if err != nil {
							return usagef("calendar deadline: %s is not a date (want YYYY-MM-DD, a real calendar day)", quoteIfOdd(a))
						}
						out.WriteString(deadlineLine(cal, d))
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
// 2025-07-04 Independence Day, 2025-07-05 Saturday, 2025-07-06 Sunday".
func deadlineLine(cal *calendar.Calendar, v calendar.Date) string {
	dl := cal.Deadline(v)
	var skipped []string
	for d := v + 1; d < dl; d++ {
		if why := cal.NonBusinessReason(d); why != "" {
			skipped = append(skipped, d.String()+" "+why)
		}
	}
	line := fmt.Sprintf("%s (%s) → deadline %s (%s)", v, v.Weekday(), dl, dl.Weekday())
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
