package main

// mipspi db generate --ehr openemr: the synthetic practice written into OpenEMR's own
// tables (SPEC §8) of a database holding OpenEMR's schema, and the configuration it
// needs (the installation's API windows and the clinicians who are not MIPS eligible,
// which OpenEMR does not keep).

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures"
	"github.com/mipspi/mipspi/reports"
)

func generateOpenEMR(c *cli.Context, s *streams, dsn string, opt fixtures.GenerateOptions) error {
	if opt.Zone == "" {
		opt.Zone = "America/Chicago"
	}
	if err := checkZoneFlag(opt.Zone); err != nil {
		return err
	}
	if c.Bool("force") {
		return usagef("--force applies to --ehr mipspi only: OpenEMR's schema is OpenEMR's own")
	}
	out := c.String("config-out")
	if out != "" {
		if err := checkOut(c, out); err != nil {
			return err
		}
	}
	return withStore(c.Context, dsn, func(st *ehr.Store) error {
		full, err := st.OpenEMRPopulated(c.Context)
		if err != nil {
			return scrub(err, dsn)
		}
		if len(full) > 0 {
			if !c.Bool("replace") {
				return fmt.Errorf("%s already holds rows in %s; --replace deletes them first (a demo or test database only: never an OpenEMR in use)", st, strings.Join(full, ", "))
			}
			if err := st.OpenEMREmpty(c.Context); err != nil {
				return scrub(err, dsn)
			}
		}
		w, err := st.OpenEMRWriter(c.Context)
		if err != nil {
			return scrub(err, dsn)
		}
		stats, setup, err := fixtures.GenerateOpenEMR(w, opt)
		if err != nil {
			w.Abort()
			return scrub(fmt.Errorf("generate into %s: %w", st, err), dsn)
		}
		if err := w.Close(); err != nil {
			return scrub(fmt.Errorf("commit rows to %s: %w", st, err), dsn)
		}
		if out != "" {
			if err := reports.WriteFile(out, func(w io.Writer) error { return writeOpenEMRConfig(w, setup) }); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
		}
		if !c.Bool(flagQuiet) {
			fmt.Fprintf(s.stderr, "mipspi: generated an OpenEMR practice in %s: %d facilities, %d users, %d patients, %d appointments, %d notes, first credentials of %d patients, for %d (seed %d), zone %s\n",
				st, stats.Offices, stats.Clinicians, stats.Patients, stats.Appointments, stats.Notes, setup.Credentials, opt.Year, opt.Seed, opt.Zone)
			if out == "" {
				fmt.Fprintf(s.stderr, "mipspi: the practice's API windows and not-eligible clinicians live in the configuration: --config-out FILE writes it\n")
			}
		}
		return nil
	})
}

// writeOpenEMRConfig writes the configuration a generated OpenEMR practice needs.
func writeOpenEMRConfig(w io.Writer, setup fixtures.OpenEMRSetup) error {
	var b strings.Builder
	b.WriteString("# mipspi configuration for the generated OpenEMR practice (SPEC §8).\n")
	b.WriteString("ehr: openemr\nopenemr:\n")
	fmt.Fprintf(&b, "  # time_zone: %s   (OpenEMR's globals hold it: gbl_time_zone)\n", setup.Zone)
	if len(setup.NotEligible) > 0 {
		b.WriteString("  not_mips_eligible:\n")
		for _, n := range setup.NotEligible {
			fmt.Fprintf(&b, "    - %q\n", n)
		}
	}
	b.WriteString("  api_windows:\n")
	for _, a := range setup.APIWindows {
		fmt.Fprintf(&b, "    - tin: %q\n      enabled_at: %s\n", a.TIN, a.EnabledAt.UTC().Format(time.RFC3339))
		if !a.DisabledAt.IsZero() {
			fmt.Fprintf(&b, "      disabled_at: %s\n", a.DisabledAt.UTC().Format(time.RFC3339))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
