package main

// mipspi demo: the README's first command. Builds the demo practice in an embedded
// SQLite file, runs the report for the demo year at the demo's fixed as-of, prints the
// table, writes the workbook and a sample configuration, and says what to run next.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports"
)

const (
	demoDBName     = "mipspi-demo.db"
	demoXLSXName   = "mipspi-demo.xlsx"
	demoConfigName = "mipspi-demo.yaml"
)

// demoConfig is the sample configuration the demo writes beside its database: the
// registry answers give the demo's report its PI category estimate. The CEHRT ID and
// the counts are examples (reports/registry's lists): `mipspi export` refuses the ID
// unless --force, and warns of the counts, so that a copied sample never reaches CMS.
const demoConfig = `# mipspi configuration (written by mipspi demo). Every key is optional.
holidays: federal            # federal | none
closures: []                 # practice closures, YYYY-MM-DD
# seen_statuses: [Arrived, Checked In, Checked In Online, In Room, In Session, Complete]
policy: every-visit          # every-visit | any-visit
release: lock                # lock | sign
numerator_actions: period    # period | calendar-year
registry:
  cehrt_id: 0015C8BCD1234XY  # example only (export refuses it): use your practice's CMS EHR Certification ID
  measures:
    PI_INFBLO_1: true
    PI_ONCDIR_1: true
    PI_PPHI_1: true
    PI_PPHI_2: true
    PI_EP_1: {numerator: 120, denominator: 150}
    PI_EP_2: true
    PI_HIE_1: {numerator: 40, denominator: 50}
    PI_HIE_4: {numerator: 30, denominator: 40}
    PI_PHCDRR_1: true
    PI_PHCDRR_3: true
`

func demoCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "demo",
		Usage:     "build the demo practice (SQLite), print its report and write its workbook",
		UsageText: "mipspi demo [--dir DIR] [--quiet]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: ".", Usage: "where to write " + demoDBName + ", " + demoXLSXName + " and " + demoConfigName},
			quietFlag(),
		},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runDemo(c.Context, c.String("dir"), c.Bool(flagQuiet), s)
		},
	}
}

func runDemo(ctx context.Context, dir string, quiet bool, s *streams) error {
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("demo: create %s: %w", dir, unwrapPathError(err))
	}
	dbPath := filepath.Join(dir, demoDBName)
	// Recreate: a demo database left from an older mipspi must not mix with this one.
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("demo: remove old %s: %w", dbPath+suffix, unwrapPathError(err))
		}
	}
	dsn := "sqlite:" + dbPath
	if err := buildDemo(ctx, dsn); err != nil {
		return fmt.Errorf("demo: build %s: %w", dbPath, err)
	}
	configPath := filepath.Join(dir, demoConfigName)
	if err := reports.WriteFile(configPath, func(w io.Writer) error {
		_, err := io.WriteString(w, demoConfig)
		return err
	}); err != nil {
		return fmt.Errorf("demo: write %s: %w", configPath, err)
	}

	o := &evalOptions{
		DSN: dsn,
		Config: measure.Config{
			Start: fixtures.DemoStart, End: fixtures.DemoEnd, AsOf: fixtures.DemoAsOf,
			FederalHolidays: true, KeepPatients: true,
		}.WithDefaults(),
		Quiet: quiet,
	}
	r, source, rows, err := evaluate(ctx, o, s.stderr)
	if err != nil {
		return fmt.Errorf("demo: report: %w", err)
	}
	defer rows.Close()
	ro := reportsOptions(source)
	// The report shows the PI category estimate from the configuration just written.
	fc, err := parseConfig(configPath, []byte(demoConfig))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	ro.Registry = registryAnswers(fc)
	// Every file is written before anything is printed: `mipspi demo | head` closes
	// stdout early, and the workbook must not depend on the reader of the table.
	xlsxPath := filepath.Join(dir, demoXLSXName)
	if err := emit(ctx, s.stdout, xlsxPath, 0o600, func(w io.Writer) error { return reports.XLSX(w, r, ro) }); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := reports.Table(s.stdout, r, ro); err != nil {
		return fmt.Errorf("demo: print the report: %w", err)
	}
	if !quiet {
		fmt.Fprint(s.stderr, demoNextSteps(dbPath, xlsxPath, configPath, filepath.Join(dir, "registry")))
	}
	return nil
}

// buildDemo creates the seven relations in the empty database dsn and writes the demo
// practice into them.
func buildDemo(ctx context.Context, dsn string) error {
	return withStore(ctx, dsn, func(st *ehr.Store) error {
		if err := st.Init(ctx, true); err != nil {
			return err
		}
		return writeRows(ctx, st, func(w ehr.RowWriter) error {
			_, err := fixtures.Demo(w)
			return err
		})
	})
}

// demoNextSteps tells the user what to run next, with the exact commands.
func demoNextSteps(dbPath, xlsxPath, configPath, exportDir string) string {
	db := shellQuote("sqlite:" + dbPath)
	period := fmt.Sprintf("--from %s --to %s --as-of %s", fixtures.DemoStart, fixtures.DemoEnd, fixtures.DemoAsOf.Format("2006-01-02T15:04:05Z07:00"))
	// Every command names the sample configuration, so what it makes carries the PI
	// category estimate the demo's own table shows.
	config := "--config " + shellQuote(configPath)
	var b strings.Builder
	fmt.Fprintf(&b, "\nmipspi: demo practice in %s; workbook %s; sample configuration %s\n", dbPath, xlsxPath, configPath)
	b.WriteString("Next:\n")
	fmt.Fprintf(&b, "  mipspi report --db %s %s %s --format json\n", db, period, config)
	fmt.Fprintf(&b, "  mipspi report --db %s %s %s --format csv --table issues\n", db, period, config)
	fmt.Fprintf(&b, "  mipspi report --db %s %s %s --format html --out %s\n", db, period, config, shellQuote(filepath.Join(filepath.Dir(dbPath), "mipspi-demo.html")))
	fmt.Fprintf(&b, "  mipspi notes  --db %s %s %s\n", db, period, config)
	fmt.Fprintf(&b, "  mipspi export --to qpp --db %s %s %s --out %s --force\n", db, period, config, shellQuote(exportDir))
	fmt.Fprintf(&b, "    (--force: export refuses the sample configuration's example CEHRT ID; put your practice's own in %s)\n", configPath)
	b.WriteString("Then point --db (or $MIPSPI_DB) at your own EHR database: postgres://USER@HOST:PORT/DB\n")
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+", r)) {
			safe = false
			break
		}
	}
	if safe && s != "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
