package main

// mipspi db generate (issue 6): a deterministic synthetic practice for scale tests.

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures"
)

func generateCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "generate",
		Usage:     "create the tables and fill them with a deterministic synthetic practice",
		UsageText: "mipspi db generate --db DSN [--ehr mipspi|openemr] [--zone ZONE] [--config-out FILE] [--year 2025] [--clinicians N] [--patients N] [--appointments N] [--seed S] [--late-clinicians PCT] [--replace]",
		Flags: []cli.Flag{
			dbFlag(),
			&cli.IntFlag{Name: "year", Value: 2025, Usage: "performance year of the appointments"},
			&cli.IntFlag{Name: "clinicians", Value: 20, Usage: "number of clinicians"},
			&cli.IntFlag{Name: "patients", Value: 5000, Usage: "number of patients"},
			&cli.IntFlag{Name: "appointments", Value: 20000, Usage: "number of appointments"},
			&cli.IntFlag{Name: "tins", Usage: "number of TINs (default: clinicians/100+1, at least 2)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed: the same seed gives the same rows"},
			&cli.IntFlag{Name: "late-clinicians", Value: 5, Usage: "`PERCENT` of clinicians who lock their notes days late (100: about 60% of seen visits fail)"},
			ehrFlag(),
			&cli.StringFlag{Name: "zone", Usage: "IANA `ZONE` of every office (default: four US zones; with --ehr openemr, the installation's zone, default America/Chicago)"},
			&cli.StringFlag{Name: "config-out", Usage: "with --ehr openemr, write the configuration the practice needs (its openemr block) to `FILE`"},
			forceInitFlag(),
			replaceFlag(),
			quietFlag(),
		},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			year := c.Int("year")
			if year < 1900 || year > 2200 {
				return usagef("--year %d is out of range (1900..2200)", year)
			}
			for _, f := range []string{"clinicians", "patients", "appointments"} {
				if c.Int(f) < 1 {
					return usagef("--%s %d: want at least 1", f, c.Int(f))
				}
			}
			if c.Int("clinicians") < 2 {
				return usagef("--clinicians %d: want at least 2", c.Int("clinicians"))
			}
			if p := c.Int("late-clinicians"); p < 1 || p > 100 {
				return usagef("--late-clinicians %d: want a percentage, 1..100", p)
			}
			if c.Int("tins") < 0 || c.Int("tins") > c.Int("clinicians") {
				return usagef("--tins %d: want 1..%d (no more TINs than clinicians)", c.Int("tins"), c.Int("clinicians"))
			}
			dsn, err := requireDB(c)
			if err != nil {
				return err
			}
			opt := fixtures.GenerateOptions{
				Year:         year,
				Clinicians:   c.Int("clinicians"),
				Patients:     c.Int("patients"),
				Appointments: c.Int("appointments"),
				Seed:         c.Uint64("seed"),
				TINs:         c.Int("tins"),
				LatePercent:  c.Int("late-clinicians"),
				Zone:         strings.TrimSpace(c.String("zone")),
			}
			kind, err := resolveEHR(c, nil, dsn)
			if err != nil {
				return err
			}
			if kind == ehrOpenEMR {
				return generateOpenEMR(c, s, dsn, opt)
			}
			if c.IsSet("config-out") {
				return usagef("--config-out applies to --ehr openemr only")
			}
			if err := checkZoneFlag(opt.Zone); err != nil {
				return err
			}
			if !c.Bool(flagQuiet) && isTerminal(s.stderr) {
				bar := newProgress(s.stderr, -1, "generating rows")
				bar.ChangeMax(-1)
				defer bar.Clear()
				started := false
				opt.Progress = func(done, total int) {
					if !started && total > 0 {
						bar.ChangeMax(total)
						started = true
					}
					_ = bar.Set(done)
				}
			}
			return withStore(c.Context, dsn, func(st *ehr.Store) error {
				if err := prepareFill(c.Context, st, c.Bool("force"), c.Bool("replace")); err != nil {
					return scrub(err, dsn)
				}
				var stats fixtures.GenerateStats
				err := writeRows(c.Context, st, func(w ehr.RowWriter) (err error) {
					stats, err = fixtures.Generate(w, opt)
					return err
				})
				if err != nil {
					return scrub(fmt.Errorf("generate into %s: %w", st, err), dsn)
				}
				if !c.Bool(flagQuiet) {
					fmt.Fprintf(s.stderr, "mipspi: generated %d TINs, %d offices, %d clinicians, %d patients, %d appointments, %d notes, %d invitations, %d API windows for %d (seed %d) in %s\n",
						stats.TINs, stats.Offices, stats.Clinicians, stats.Patients, stats.Appointments, stats.Notes,
						stats.Invitations, stats.APIWindows, opt.Year, opt.Seed, st)
				}
				return nil
			})
		},
	}
}

// checkZoneFlag refuses a --zone that is not an IANA zone name.
func checkZoneFlag(z string) error {
	if z == "" {
		return nil
	}
	if _, err := time.LoadLocation(z); err != nil || z == "Local" {
		return usagef("--zone %s is not an IANA zone name (e.g. America/Chicago)", quoteIfOdd(z))
	}
	return nil
}
