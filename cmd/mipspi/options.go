package main

// Flags shared by report, notes and export, and their translation into a measure.Config.
// Every check here runs before the database is opened, so a usage error (exit 2) never
// costs a query.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/registry"
)

const (
	flagDB      = "db"
	flagFrom    = "from"
	flagTo      = "to"
	flagAsOf    = "as-of"
	flagConfig  = "config"
	flagPolicy  = "policy"
	flagTIN     = "tin"
	flagNPI     = "npi"
	flagQuiet   = "quiet"
	flagTimeout = "timeout"
	flagOut     = "out"
	flagFormat  = "format"
)

func dbFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    flagDB,
		Usage:   "EHR database: postgres://USER@HOST:PORT/DB?sslmode=… or sqlite:PATH",
		EnvVars: []string{"MIPSPI_DB"},
	}
}

func configFlag() cli.Flag {
	return &cli.StringFlag{Name: flagConfig, EnvVars: []string{"MIPSPI_CONFIG"}, Usage: "YAML configuration `FILE` (holidays, closures, seen_statuses, policy, release, numerator_actions, registry)"}
}

func quietFlag() cli.Flag {
	return &cli.BoolFlag{Name: flagQuiet, Aliases: []string{"q"}, Usage: "no progress bar and no warnings on stderr"}
}

// periodFlags are the flags that define one evaluation. withTo is false for export,
// whose --to flag also carries the output format (see export.go).
func periodFlags(withTo bool) []cli.Flag {
	fs := []cli.Flag{
		dbFlag(),
		&cli.StringFlag{Name: flagFrom, Usage: "first day of the performance period (`YYYY-MM-DD`, inclusive)"},
	}
	if withTo {
		fs = append(fs, &cli.StringFlag{Name: flagTo, Usage: "last day of the performance period (`YYYY-MM-DD`, inclusive; same year as --from)"})
	}
	fs = append(fs,
		&cli.StringFlag{Name: flagAsOf, Usage: "as-of instant (`TIME`): RFC 3339 (2026-01-15T12:00:00Z) or YYYY-MM-DD meaning 23:59:59 UTC that day (default: now)"},
		configFlag(),
		ehrFlag(),
		&cli.StringFlag{Name: flagPolicy, Usage: "numerator policy: every-visit or any-visit (overrides the config file; default every-visit)"},
		&cli.StringFlag{Name: flagTIN, Usage: "report only this TIN"},
		&cli.StringFlag{Name: flagNPI, Usage: "report only this clinician (NPI)"},
		&cli.DurationFlag{Name: flagTimeout, Usage: "give up reading the database after `DURATION` (e.g. 10m; default: no limit); on SQLite also the longest wait for another program's write lock (default 10s)"},
		quietFlag(),
	)
	return fs
}

// parseDateFlag parses a YYYY-MM-DD flag value, rejecting impossible dates (2025-02-30).
func parseDateFlag(flag, s string) (calendar.Date, error) {
	d, err := calendar.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return 0, usagef("--%s %s is not a date (want YYYY-MM-DD, a real calendar day)", flag, quoteIfOdd(s))
	}
	return d, nil
}

// quoteIfOdd quotes a value only when printing it bare would be ambiguous.
func quoteIfOdd(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"'\\") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// parseAsOf reads --as-of. RFC 3339 is an instant; a bare date YYYY-MM-DD means the end
// of that day in UTC (23:59:59Z), which is still that date in every US time zone, so
// the as-of local date (R9) of every office is the date that was typed.
func parseAsOf(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if d, err := calendar.ParseDate(s); err == nil {
		return d.Time().Add(24*time.Hour - time.Second), nil
	}
	return time.Time{}, usagef("--as-of %s is not a time (want RFC 3339 like 2026-01-15T12:00:00Z, or YYYY-MM-DD)", quoteIfOdd(s))
}

// period reads --from and --to (R11: inside one calendar year).
func period(from, to string) (calendar.Date, calendar.Date, error) {
	if from == "" {
		return 0, 0, usagef("--from is required (first day of the performance period, YYYY-MM-DD)")
	}
	if to == "" {
		return 0, 0, usagef("--to is required (last day of the performance period, YYYY-MM-DD)")
	}
	start, err := parseDateFlag(flagFrom, from)
	if err != nil {
		return 0, 0, err
	}
	end, err := parseDateFlag(flagTo, to)
	if err != nil {
		return 0, 0, err
	}
	if end < start {
		return 0, 0, usagef("--from %s is after --to %s", start, end)
	}
	if !measure.CheckPeriod(start, end).OneYear {
		return 0, 0, usagef("period %s..%s spans two calendar years; a MIPS performance period lies within one calendar year", start, end)
	}
	if err := supportedYear(start.Year()); err != nil {
		return 0, 0, err
	}
	return start, end, nil
}

// firstPEAYear is the first performance year of the measure ID PI_PEA_1 (the 2019
// restructuring of the Promoting Interoperability category).
const firstPEAYear = 2019

// supportedYear refuses a performance year outside 2019 .. the last year whose CMS PI
// data is embedded (issue 13, row 14): year 9999 used to read nothing on SQLite and
// give figures on PostgreSQL; now it is the same usage error on both.
func supportedYear(y int) error {
	ys := registry.Years()
	last := firstPEAYear
	if len(ys) > 0 {
		last = ys[len(ys)-1]
	}
	if y < firstPEAYear || y > last {
		return usagef("performance year %d is not supported: mipspi supports %d-%d (PI_PEA_1 exists from %d; CMS data is embedded up to %d)",
			y, firstPEAYear, last, firstPEAYear, last)
	}
	return nil
}

// requireDB returns the --db value or a usage error naming both ways to give it. A DSN
// of an unknown kind, or one that cannot be split into its parts, is a usage error too;
// the message shows only the scheme, never the rest, which may hold a password.
func requireDB(c *cli.Context) (string, error) {
	dsn := strings.TrimSpace(c.String(flagDB))
	if dsn == "" {
		return "", usagef("--db is required (or set $MIPSPI_DB): %s", ehr.DSNForms())
	}
	if !ehr.KnownDSN(dsn) {
		scheme := dsn
		if i := strings.IndexAny(scheme, ":/@ "); i >= 0 {
			scheme = scheme[:i]
		}
		if looksLikeSQLiteFile(dsn) {
			return "", usagef("--db %s: say which kind of database: --db sqlite:%s (or postgres://USER@HOST:PORT/DB)", quoteIfOdd(dsn), dsn)
		}
		return "", usagef("--db %s…: unknown kind of database; want %s", quoteIfOdd(scheme), ehr.DSNForms())
	}
	if _, err := ehr.ParseDSN(dsn); err != nil {
		return "", usagef("--db: %s", err)
	}
	return dsn, nil
}

// requireReadDB is requireDB for the commands that only read (report, notes, export):
// SQLite parameters that could write, or an in-memory database, are refused (issue 13).
func requireReadDB(c *cli.Context) (string, error) {
	dsn, err := requireDB(c)
	if err != nil {
		return "", err
	}
	d, _ := ehr.ParseDSN(dsn) // requireDB parsed it
	if err := d.CheckRead(); err != nil {
		return "", usagef("--db %s", err)
	}
	return dsn, nil
}

// requireExistingDB refuses a SQLite file that does not exist (SQLite would silently
// create an empty file: a write, and a confusing "no such table" next), a directory
// or anything but a regular file.
func requireExistingDB(dsn string) error {
	d, err := ehr.ParseDSN(dsn)
	if err != nil || d.File() == "" {
		return nil
	}
	if err := ehr.CheckSQLiteFile(d.File()); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("open %s: %w (mipspi db init creates a database; mipspi demo builds the demo one)", d.Redacted, err)
		}
		return fmt.Errorf("open %s: %w", d.Redacted, err)
	}
	return nil
}

// loadConfigFlag loads --config when given (nil config when absent). Any problem with
// the file is a usage error naming file, line and key.
func loadConfigFlag(c *cli.Context) (*fileConfig, error) {
	path := c.String(flagConfig)
	if path == "" {
		return &fileConfig{}, nil
	}
	fc, err := loadConfig(path)
	if err != nil {
		return nil, asUsage(err)
	}
	return fc, nil
}

// businessCalendar is the R3 calendar a configuration describes.
func (fc *fileConfig) businessCalendar() *calendar.Calendar {
	return calendar.New(fc.Holidays != "none", fc.Closures)
}

// evalOptions is one evaluation as the flags describe it.
type evalOptions struct {
	DSN     string
	Config  measure.Config
	File    *fileConfig
	Timeout time.Duration
	Quiet   bool
	// OnPractice, when set, receives the practice's reference data as read (report
	// --evidence judges probes against its api_windows and office zones).
	OnPractice func(measure.Practice)
	// EHR is whose tables are read (ehrMipspi or ehrOpenEMR), OpenEMR the settings of
	// an OpenEMR read (SPEC §8).
	EHR     string
	OpenEMR ehr.OpenEMRSettings
	// Identify asks evaluate for the database's fingerprint with its identity (SPEC
	// §7), which it leaves in Fingerprint.
	Identify    bool
	Fingerprint *measure.Fingerprint
}

// evalFlags turns the shared flags into an evaluation. to is the period end as given
// (export reads it from its overloaded --to). Flags override the configuration file.
func evalFlags(c *cli.Context, to string) (*evalOptions, error) {
	if err := noArgs(c); err != nil {
		return nil, err
	}
	start, end, err := period(c.String(flagFrom), to)
	if err != nil {
		return nil, err
	}
	asOf := now()
	if s := c.String(flagAsOf); c.IsSet(flagAsOf) {
		if asOf, err = parseAsOf(s); err != nil {
			return nil, err
		}
	}
	fc, err := loadConfigFlag(c)
	if err != nil {
		return nil, err
	}
	cfg := measure.Config{
		Start:            start,
		End:              end,
		AsOf:             asOf,
		SeenStatuses:     fc.SeenStatuses,
		FederalHolidays:  fc.Holidays != "none",
		Closures:         fc.Closures,
		Policy:           fc.Policy,
		Release:          fc.Release,
		NumeratorActions: fc.NumeratorActions,
		TIN:              normalizeTIN(c.String(flagTIN)),
		NPI:              normalizeNPI(c.String(flagNPI)),
	}
	if c.IsSet(flagPolicy) {
		switch p := measure.Policy(c.String(flagPolicy)); p {
		case measure.EveryVisit, measure.AnyVisit:
			cfg.Policy = p
		default:
			return nil, usagef("--policy %s is not one of every-visit, any-visit", quoteIfOdd(string(p)))
		}
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, asUsage(err)
	}
	if err := checkAsOfBeforePeriod(cfg); err != nil {
		return nil, err
	}
	timeout := c.Duration(flagTimeout)
	if timeout < 0 {
		return nil, usagef("--timeout %s is negative", timeout)
	}
	dsn, err := requireReadDB(c)
	if err != nil {
		return nil, err
	}
	o := &evalOptions{DSN: dsn, Config: cfg, File: fc, Timeout: timeout, Quiet: c.Bool(flagQuiet)}
	if o.EHR, err = resolveEHR(c, fc, dsn); err != nil {
		return nil, err
	}
	if o.EHR == ehrOpenEMR {
		o.OpenEMR = openEMRSettings(fc, &o.Config)
	}
	return o, nil
}

// choice checks a flag value against its allowed set.
func choice(flag, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return usagef("--%s %s is not one of %s", flag, quoteIfOdd(value), strings.Join(allowed, ", "))
}

// looksLikeSQLiteFile reports whether a --db value without a scheme names a SQLite file
// (an existing file, or a name ending in .db, .sqlite or .sqlite3), so the usage error
// can suggest sqlite:PATH instead of saying "unknown kind".
func looksLikeSQLiteFile(dsn string) bool {
	if strings.Contains(dsn, "://") {
		return false
	}
	switch strings.ToLower(filepath.Ext(dsn)) {
	case ".db", ".sqlite", ".sqlite3", ".db3":
		return true
	}
	fi, err := os.Stat(dsn)
	return err == nil && fi.Mode().IsRegular()
}
