package main

// mipspi db import-synthea (issue 8): load a Synthea CSV export into the SPEC §3
// relations, with derived statuses, note locks, invitations and API windows.

import (
	"fmt"
	"os"
	"sort"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures/synthea"
)

func importSyntheaCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "import-synthea",
		Usage:     "create the tables and load a Synthea CSV export (encounters, patients, providers, organizations)",
		UsageText: "mipspi db import-synthea --db DSN [--seed S] [--year YYYY] [--replace] DIR",
		ArgsUsage: "DIR",
		Flags: []cli.Flag{
			dbFlag(),
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the derived statuses, note locks and invitations"},
			&cli.IntFlag{Name: "year", Usage: "import only appointments whose local date is in this year (default: all)"},
			forceInitFlag(),
			replaceFlag(),
			quietFlag(),
		},
		Action: func(c *cli.Context) error {
			if err := flagsAfterArgs(c); err != nil {
				return err
			}
			if c.NArg() != 1 {
				return usagef("db import-synthea: give exactly one Synthea CSV directory")
			}
			dir := c.Args().First()
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return usagef("db import-synthea: %s is not a directory", dir)
			}
			if y := c.Int("year"); y != 0 && (y < 1900 || y > 2200) {
				return usagef("--year %d is out of range (1900..2200)", y)
			}
			dsn, err := requireDB(c)
			if err != nil {
				return err
			}
			opt := synthea.Options{Seed: c.Uint64("seed"), Year: c.Int("year")}
			return withStore(c.Context, dsn, func(st *ehr.Store) error {
				if err := prepareFill(c.Context, st, c.Bool("force"), c.Bool("replace")); err != nil {
					return scrub(err, dsn)
				}
				var rep *synthea.Report
				err := writeRows(c.Context, st, func(w ehr.RowWriter) (err error) {
					rep, err = synthea.Import(dir, w, opt)
					return err
				})
				if err != nil {
					return scrub(fmt.Errorf("import Synthea %s into %s: %w", dir, st, err), dsn)
				}
				if !c.Bool(flagQuiet) {
					printSyntheaReport(s, rep, st)
				}
				return nil
			})
		},
	}
}

// printSyntheaReport summarises the import on stderr: rows written, encounter classes
// skipped and the data problems found, by kind, with the first few of each.
func printSyntheaReport(s *streams, rep *synthea.Report, st *ehr.Store) {
	fmt.Fprintf(s.stderr, "mipspi: imported %d offices, %d clinicians, %d patients, %d appointments (of %d encounters), %d notes, %d invitations, %d API windows into %s\n",
		rep.Offices, rep.Clinicians, rep.Patients, rep.Appointments, rep.Encounters, rep.Notes, rep.Invitations, rep.APIWindows, st)
	if len(rep.SkippedClasses) > 0 {
		fmt.Fprintf(s.stderr, "mipspi: encounter classes not imported:")
		for _, k := range sortedKeys(rep.SkippedClasses) {
			fmt.Fprintf(s.stderr, " %s %d", k, rep.SkippedClasses[k])
		}
		fmt.Fprintln(s.stderr)
	}
	counts := rep.ProblemCounts()
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(s.stderr, "mipspi: data problem %s: %d\n", k, counts[synthea.ProblemKind(k)])
		shown := 0
		for _, p := range rep.Problems {
			if string(p.Kind) == k && shown < 3 {
				fmt.Fprintf(s.stderr, "  %s\n", p)
				shown++
			}
		}
	}
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
