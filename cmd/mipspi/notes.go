package main

// mipspi notes: the clinicians' worklist — every seen visit whose note blocks
// timeliness, by clinician: the notes that can still count first (by lock-by date, R9),
// then those that cannot with the reason; --fixable keeps only the first; each
// clinician ends with the what-if of locking them.

import (
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/reports"
)

var notesFormats = []string{"table", "csv", "json"}

const flagFixable = "fixable"

func notesCommand(s *streams) *cli.Command {
	flags := append(periodFlags(true),
		&cli.StringFlag{Name: flagFormat, Aliases: []string{"f"}, Value: "table", Usage: "output: " + strings.Join(notesFormats, ", ")},
		&cli.StringFlag{Name: flagOut, Aliases: []string{"o"}, Usage: "write the worklist to `FILE` (atomically, mode 0600) instead of stdout; never the database, the config file or a device"},
		&cli.BoolFlag{Name: flagFixable, Usage: "list only the notes that can still count (locked by their lock-by date, the patient can still enter the numerator)"},
		modeFlag(),
	)
	flags = append(flags, pseudonymizeFlags()...)
	return &cli.Command{
		Name:      "notes",
		Usage:     "list each clinician's notes to sign and lock, with lock-by dates",
		UsageText: "mipspi notes --db DSN --from YYYY-MM-DD --to YYYY-MM-DD [--npi NPI] [--fixable] [--format table|csv|json] [options]",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			format := strings.ToLower(strings.TrimSpace(c.String(flagFormat)))
			if err := choice(flagFormat, format, notesFormats...); err != nil {
				return err
			}
			path := c.String(flagOut)
			if err := checkOut(c, path); err != nil {
				return err
			}
			mode, err := outMode(c, path)
			if err != nil {
				return err
			}
			key, err := pseudonymizeKey(c)
			if err != nil {
				return err
			}
			o, err := evalFlags(c, c.String(flagTo))
			if err != nil {
				return err
			}
			r, source, rows, err := evaluate(c.Context, o, s.stderr)
			if err != nil {
				return err
			}
			defer rows.Close()
			if key != nil {
				r = reports.Deidentify(r, key)
			}
			if !o.Quiet {
				// The worklist does not repeat the run's warnings: they go to stderr.
				printFindings(s.stderr, r)
			}
			wl, err := r.Worklist(o.Config.NPI)
			if err != nil {
				return err
			}
			if c.Bool(flagFixable) {
				wl = wl.OnlyFixable()
			}
			ro := reportsOptions(source)
			return emit(c.Context, s.stdout, path, mode, func(w io.Writer) error {
				switch format {
				case "csv":
					return reports.WorklistCSV(w, r, wl, ro)
				case "json":
					return reports.WorklistJSON(w, r, wl, ro)
				default:
					return reports.WorklistTable(w, r, wl, ro)
				}
			})
		},
	}
}
