package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/internal/pgtest"
	"github.com/mipspi/mipspi/measure"
)

// TestReportGoldens: the small scenario in every text format. stdout holds only the
// report; the findings go to stderr (golden too, one line each).
func TestReportGoldens(t *testing.T) {
	dsn := smallDB(t)
	tests := []struct {
		name   string
		args   []string
		stderr bool // compare stderr with <name>.stderr
	}{
		{name: "small-table.txt", args: nil},
		{name: "small-json.json", args: []string{"--format", "json"}, stderr: true},
		{name: "small-json-patients.json", args: []string{"--format", "json", "--patients", "--quiet"}},
		{name: "small-entities.csv", args: []string{"--format", "csv"}},
		{name: "small-issues.csv", args: []string{"--format", "csv", "--table", "issues", "--quiet"}},
		{name: "small-patients.csv", args: []string{"--format", "csv", "--table", "patients", "--quiet"}},
		{name: "small-any-visit.json", args: []string{"--format", "json", "--policy", "any-visit", "--quiet"}},
		{name: "small-npi.csv", args: []string{"--format", "csv", "--npi", "1245319599", "--quiet"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := mustRun(t, args([]string{"report", "--db", dsn}, smallPeriod, tc.args)...)
			golden(t, tc.name, withoutSource(o.stdout)) // the fingerprint names a temporary path: TestReportFingerprint
			switch {
			case tc.stderr:
				golden(t, tc.name+".stderr", o.stderr)
			case tc.name == "small-table.txt":
				if o.stderr != "" {
					t.Errorf("table on stdout: warnings belong to the table, stderr = %q", o.stderr)
				}
			case strings.Contains(strings.Join(tc.args, " "), "--quiet") && o.stderr != "":
				t.Errorf("--quiet: stderr = %q", o.stderr)
			}
		})
	}
}

// TestReportConfigFile: the configuration file changes the figures, and a flag beats it.
func TestReportConfigFile(t *testing.T) {
	dsn := smallDB(t)
	// "Seen By MA" becomes a seen status; any-visit from the file, every-visit from the flag.
	cfg := "seen_statuses: [Complete, Checked In, Arrived, Seen By MA]\npolicy: any-visit\n"
	if err := os.WriteFile("mipspi.yaml", []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	base := args([]string{"report", "--db", dsn, "--format", "json", "--quiet", "--config", "mipspi.yaml"}, smallPeriod)
	var fromFile, fromFlag struct {
		Policy       string   `json:"policy"`
		SeenStatuses []string `json:"seen_statuses"`
		Counts       struct {
			SeenVisits int `json:"seen_visits"`
		} `json:"counts"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, base...).stdout), &fromFile); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mustRun(t, append(base, "--policy", "every-visit")...).stdout), &fromFlag); err != nil {
		t.Fatal(err)
	}
	if fromFile.Policy != "any-visit" || fromFlag.Policy != "every-visit" {
		t.Errorf("policy: from the file %q (want any-visit), with --policy %q (want every-visit)", fromFile.Policy, fromFlag.Policy)
	}
	if diff := cmp.Diff([]string{"Complete", "Checked In", "Arrived", "Seen By MA"}, fromFile.SeenStatuses); diff != "" {
		t.Errorf("seen statuses (-want +got):\n%s", diff)
	}
	// Default set: 6 seen visits (TestReportGoldens); "Seen By MA" adds appointment 108.
	if fromFile.Counts.SeenVisits != 7 {
		t.Errorf("seen visits with Seen By MA counted: %d, want 7", fromFile.Counts.SeenVisits)
	}
}

// TestReportXLSX: the workbook goes to --out with mode 0600 and holds the sheets.
func TestReportXLSX(t *testing.T) {
	dsn := smallDB(t)
	o := mustRun(t, args([]string{"report", "--db", dsn, "--format", "xlsx", "--out", "r.xlsx"}, smallPeriod)...)
	if o.stdout != "" {
		t.Errorf("stdout with --out: %q", o.stdout)
	}
	fi, err := os.Stat("r.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("r.xlsx mode %v, want 0600", fi.Mode().Perm())
	}
	f, err := excelize.OpenFile("r.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	for _, want := range []string{"Summary", "Issues", "Patients", "Worklist", "Run"} {
		if !contains(sheets, want) {
			t.Errorf("sheet %q missing from %v", want, sheets)
		}
	}
	// Also to a pipe (stdout not a terminal): the bytes are a workbook.
	o = mustRun(t, args([]string{"report", "--db", dsn, "--format", "xlsx", "--quiet"}, smallPeriod)...)
	if !strings.HasPrefix(o.stdout, "PK") {
		t.Errorf("xlsx on stdout does not start like a zip: %q", o.stdout[:min(8, len(o.stdout))])
	}
}

// TestReportHTML: --format html writes one self-contained page (mode 0600 with --out)
// with the entity figures of the JSON report.
func TestReportHTML(t *testing.T) {
	dsn := smallDB(t)
	mustRun(t, args([]string{"report", "--db", dsn, "--format", "html", "--out", "r.html", "--quiet"}, smallPeriod)...)
	data, err := os.ReadFile("r.html")
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat("r.html"); fi.Mode().Perm() != 0o600 {
		t.Errorf("r.html mode %v, want 0600", fi.Mode().Perm())
	}
	page := string(data)
	for _, want := range []string{"<html", "1234567893", "1245319599", "Adams, Alice", "PI_PEA_1"} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Errorf("HTML report carries a script")
	}
}

// TestReportOutFile: --out writes the same bytes stdout would, mode 0600, replacing an
// older file.
func TestReportOutFile(t *testing.T) {
	dsn := smallDB(t)
	if err := os.WriteFile("r.json", []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := mustRun(t, args([]string{"report", "--db", dsn, "--format", "json", "--quiet"}, smallPeriod)...).stdout
	mustRun(t, args([]string{"report", "--db", dsn, "--format", "json", "--quiet", "--out", "r.json"}, smallPeriod)...)
	got, err := os.ReadFile("r.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("--out file differs from stdout")
	}
	if fi, _ := os.Stat("r.json"); fi.Mode().Perm() != 0o600 {
		t.Errorf("r.json mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestReportDeidentify: names, MRNs and birth dates never reach the output.
func TestReportDeidentify(t *testing.T) {
	dsn := smallDB(t)
	t.Setenv("MIPSPI_PSEUDONYMIZE_KEY", "a-test-key-that-is-long-enough")
	for _, format := range [][]string{{"--format", "json", "--patients"}, {"--format", "csv", "--table", "patients"}, {"--format", "csv", "--table", "issues"}} {
		o := mustRun(t, args([]string{"report", "--db", dsn, "--quiet", "--pseudonymize"}, smallPeriod, format)...)
		for _, secret := range []string{"Able", "Baker", "M001", "M004", "1960-01-01", "not-an-email"} {
			if strings.Contains(o.stdout, secret) {
				t.Errorf("%v --pseudonymize: output contains %q", format, secret)
			}
		}
	}
	// Identified, the same report does name them (the test can fail).
	o := mustRun(t, args([]string{"report", "--db", dsn, "--quiet", "--format", "csv", "--table", "patients"}, smallPeriod)...)
	if !strings.Contains(o.stdout, "Able") || !strings.Contains(o.stdout, "M001") {
		t.Errorf("identified drill-down lacks the patient's name or MRN:\n%s", o.stdout)
	}
}

// TestNotesGoldens: the clinicians' worklist in its three formats, for one NPI, and
// only the notes that can still count (--fixable).
func TestNotesGoldens(t *testing.T) {
	dsn := smallDB(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"notes-table.txt", nil},
		{"notes.csv", []string{"--format", "csv", "--quiet"}},
		{"notes.json", []string{"--format", "json", "--quiet"}},
		{"notes-npi.txt", []string{"--npi", "1245319599"}},
		{"notes-fixable.txt", []string{"--fixable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := mustRun(t, args([]string{"notes", "--db", dsn}, smallPeriod, tc.args)...)
			golden(t, tc.name, withoutSource(o.stdout)) // the fingerprint names a temporary path: TestReportFingerprint
		})
	}
}

// TestCalendarGoldens: the arithmetic staff can check by hand.
func TestCalendarGoldens(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "closed.yaml")
	if err := os.WriteFile(cfg, []byte("closures: [2025-12-26, 2025-07-07]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(dir, "none.yaml")
	if err := os.WriteFile(none, []byte("holidays: none\nclosures: [2025-12-26]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	calendarYear := filepath.Join(dir, "calendar-year.yaml")
	if err := os.WriteFile(calendarYear, []byte("numerator_actions: calendar-year\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"calendar-deadline.txt", []string{"calendar", "deadline", "2025-07-03", "2025-12-24", "2025-03-03", "2025-11-26", "2025-02-14"}},
		{"calendar-deadline-closures.txt", []string{"calendar", "deadline", "--config", cfg, "2025-07-03", "2025-12-24"}},
		{"calendar-deadline-no-holidays.txt", []string{"calendar", "deadline", "--config", none, "2025-07-03"}},
		// R9: the lock-by date is never after the period's end (Dec 31 by default).
		{"calendar-deadline-cap.txt", []string{"calendar", "deadline", "2025-12-29", "2025-12-26"}},
		{"calendar-deadline-period.txt", []string{"calendar", "deadline", "--from", "2025-01-01", "--to", "2025-06-30", "2025-06-27", "2025-06-24"}},
		{"calendar-deadline-calendar-year.txt", []string{"calendar", "deadline", "--config", calendarYear, "--from", "2025-01-01", "--to", "2025-06-30", "2025-06-27"}},
		{"calendar-holidays-2025.txt", []string{"calendar", "holidays", "--config", cfg, "2025"}},
		{"calendar-holidays-2027.txt", []string{"calendar", "holidays", "2027"}},
		{"calendar-holidays-none.txt", []string{"calendar", "holidays", "--config", none, "2025"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := mustRun(t, tc.args...)
			golden(t, tc.name, withoutSource(o.stdout)) // the fingerprint names a temporary path: TestReportFingerprint
		})
	}
	// The example of the brief, verbatim.
	o := mustRun(t, "calendar", "deadline", "2025-07-03")
	want := "2025-07-03 (Thursday) → deadline 2025-07-10 (Thursday); skipped: 2025-07-04 Independence Day, 2025-07-05 Saturday, 2025-07-06 Sunday\n"
	if o.stdout != want {
		t.Errorf("deadline line:\n got %q\nwant %q", o.stdout, want)
	}
	o = mipspi(t, "calendar", "deadline", "--from", "2025-01-01", "--to", "2025-06-30", "2025-07-01")
	if want := "mipspi: calendar deadline: 2025-07-01 is outside the period 2025-01-01..2025-06-30\n"; o.code != exitUsage || o.stderr != want {
		t.Errorf("a visit outside the period: exit %d, stderr %q; want 2, %q", o.code, o.stderr, want)
	}
}

// TestDataErrorLeavesNoFile: a bad row stops the run with exit 1, names relation, id and
// column, and no --out file appears.
func TestDataErrorLeavesNoFile(t *testing.T) {
	t.Chdir(t.TempDir())
	dsn := "sqlite:bad.db"
	mustRun(t, "db", "init", "--db", dsn)
	mustRun(t, "db", "load", "--db", dsn, filepath.Join(testdataDir, "bad_zone.yaml"))
	for _, format := range []string{"json", "xlsx", "table"} {
		out := "report." + format
		o := mipspi(t, args([]string{"report", "--db", dsn, "--format", format, "--out", out}, smallPeriod)...)
		if o.code != exitFail {
			t.Errorf("%s: exit %d, want 1", format, o.code)
		}
		if !strings.Contains(o.stderr, "offices id 1 column timezone") || strings.Count(o.stderr, "\n") != 1 {
			t.Errorf("%s: stderr does not name offices id 1 column timezone in one line:\n%s", format, o.stderr)
		}
		if o.stdout != "" {
			t.Errorf("%s: stdout %q", format, o.stdout)
		}
		entries, _ := os.ReadDir(".")
		for _, e := range entries {
			if e.Name() != "bad.db" && !strings.HasPrefix(e.Name(), "bad.db-") {
				t.Errorf("%s: left %s behind", format, e.Name())
			}
		}
	}
}

// TestInterrupted: a cancelled context (Ctrl-C) exits 1 saying "interrupted" and
// leaves no file.
func TestInterrupted(t *testing.T) {
	dsn := smallDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := mipspiCtx(t, ctx, args([]string{"report", "--db", dsn, "--format", "json", "--out", "r.json"}, smallPeriod)...)
	if o.code != exitFail || o.stderr != "mipspi: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want 1 and mipspi: interrupted", o.code, o.stderr)
	}
	if _, err := os.Stat("r.json"); !os.IsNotExist(err) {
		t.Errorf("r.json exists after an interrupted run (err %v)", err)
	}
}

// TestTimeout: --timeout that expires says so (exit 1) and writes nothing.
func TestTimeout(t *testing.T) {
	dsn := smallDB(t)
	o := mipspi(t, args([]string{"report", "--db", dsn, "--timeout", "1ns", "--out", "r.txt"}, smallPeriod)...)
	if o.code != exitFail || !strings.HasPrefix(o.stderr, "mipspi: timed out after 1ns (--timeout): ") {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
	if _, err := os.Stat("r.txt"); !os.IsNotExist(err) {
		t.Errorf("r.txt exists after a timed-out run")
	}
}

// TestPasswordNeverShown: an unreachable PostgreSQL fails with exit 1, names host, port
// and database, and never prints the password.
func TestPasswordNeverShown(t *testing.T) {
	t.Chdir(t.TempDir())
	dsn := "postgres://u:s3cr3t-pw@127.0.0.1:1/ehr?connect_timeout=1&sslmode=disable"
	for _, cmd := range [][]string{
		args([]string{"report", "--db", dsn, "--out", "r.txt"}, smallPeriod),
		args([]string{"notes", "--db", dsn}, smallPeriod),
		{"db", "init", "--db", dsn},
	} {
		o := mipspi(t, cmd...)
		if o.code != exitFail {
			t.Errorf("%s: exit %d, want 1", cmd[0], o.code)
		}
		if strings.Contains(o.stderr+o.stdout, "s3cr3t") {
			t.Errorf("%s: the password leaked: %s", cmd[0], o.stderr)
		}
		if !strings.Contains(o.stderr, "127.0.0.1:1/ehr") {
			t.Errorf("%s: stderr does not name host, port and database: %s", cmd[0], o.stderr)
		}
	}
	if _, err := os.Stat("r.txt"); !os.IsNotExist(err) {
		t.Errorf("r.txt exists after a failed connection")
	}
}

// TestPostgresEqualsSQLite: the same scenario through run() on PostgreSQL gives JSON and
// CSV byte-identical to SQLite's (issue 7, determinism).
func TestPostgresEqualsSQLite(t *testing.T) {
	pg := pgtest.NewDatabase(t)
	lite := smallDB(t)
	mustRun(t, "db", "init", "--db", pg)
	mustRun(t, "db", "load", "--db", pg, filepath.Join(testdataDir, "small.yaml"))
	for _, format := range [][]string{
		{"--format", "json", "--patients"},
		{"--format", "csv", "--table", "issues"},
	} {
		a := withoutSource(mustRun(t, args([]string{"report", "--db", lite, "--quiet"}, smallPeriod, format)...).stdout)
		b := withoutSource(mustRun(t, args([]string{"report", "--db", pg, "--quiet"}, smallPeriod, format)...).stdout)
		if a != b {
			t.Errorf("%v: PostgreSQL output differs from SQLite:\n%s", format, cmp.Diff(a, b))
		}
	}
	a := mustRun(t, args([]string{"notes", "--db", lite, "--format", "json", "--quiet"}, smallPeriod)...).stdout
	b := mustRun(t, args([]string{"notes", "--db", pg, "--format", "json", "--quiet"}, smallPeriod)...).stdout
	if a != b {
		t.Errorf("notes: PostgreSQL output differs from SQLite:\n%s", cmp.Diff(a, b))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestEmitInterruptedMidWrite: Ctrl-C while the report is being written (a large
// workbook takes a while) fails the write and leaves no file, temporary or final.
func TestEmitInterruptedMidWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.xlsx")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := emit(ctx, nil, path, 0o600, func(w io.Writer) error {
		if _, err := w.Write([]byte("first part")); err != nil {
			return err
		}
		cancel() // the signal arrives
		_, err := w.Write([]byte("second part"))
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("emit: %v, want context.Canceled", err)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("left %v behind", names)
	}
}

// TestParseAsOf: RFC 3339 instants are taken as given (in UTC); a bare date is the end
// of that date in each office's own zone (R9), kept as the date; a date-time without
// an offset is a usage error that says how to write it.
func TestParseAsOf(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2026-01-15T12:00:00Z", time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)},
		{"2026-01-15T07:00:00-05:00", time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)},
		{"2025-07-08T12:00:00.5Z", time.Date(2025, 7, 8, 12, 0, 0, 5e8, time.UTC)},
	} {
		var cfg measure.Config
		err := parseAsOf(&cfg, tc.in)
		if err != nil || !cfg.AsOf.Equal(tc.want) || cfg.AsOf.Location() != time.UTC || cfg.BareAsOf {
			t.Errorf("parseAsOf(%q) = %+v, %v; want %v", tc.in, cfg, err, tc.want)
		}
	}
	for _, in := range []string{"2025-07-08", " 2025-07-08 "} {
		var cfg measure.Config
		if err := parseAsOf(&cfg, in); err != nil || !cfg.BareAsOf || cfg.AsOfDate.String() != "2025-07-08" || cfg.AsOfText() != "2025-07-08" {
			t.Errorf("parseAsOf(%q) = %+v, %v; want the bare date 2025-07-08", in, cfg, err)
		}
		for _, zone := range []string{"Pacific/Honolulu", "America/New_York", "Pacific/Guam"} {
			loc, _ := time.LoadLocation(zone)
			end := cfg.AsOfIn(loc)
			if got := end.In(loc).Format("2006-01-02 15:04:05"); got != "2025-07-08 23:59:59" {
				t.Errorf("%s: the bare date ends at %s local, want 2025-07-08 23:59:59", zone, got)
			}
			if next := end.Add(time.Nanosecond).In(loc).Format("2006-01-02 15:04:05"); next != "2025-07-09 00:00:00" {
				t.Errorf("%s: just after the end is %s local, want the next midnight", zone, next)
			}
		}
	}
	for _, bad := range []string{"", "2025-02-30", "now", "2025-07-08T25:00:00Z"} {
		var cfg measure.Config
		if err := parseAsOf(&cfg, bad); err == nil {
			t.Errorf("parseAsOf(%q) accepted", bad)
		}
	}
	for in, want := range map[string]string{
		"2025-11-30T18:00:00": "--as-of 2025-11-30T18:00:00 has no UTC offset, so it names no instant: add one (2025-11-30T18:00:00Z, or 2025-11-30T18:00:00-05:00 for US Eastern standard time), or give the date alone (2025-11-30) for the end of that day in each office's time zone",
		"2025-07-08 12:00":    `--as-of "2025-07-08 12:00" has no UTC offset, so it names no instant: add one (2025-07-08T12:00:00Z, or 2025-07-08T12:00:00-05:00 for US Eastern standard time), or give the date alone (2025-07-08) for the end of that day in each office's time zone`,
	} {
		var cfg measure.Config
		err := parseAsOf(&cfg, in)
		var ue *usageError
		if !errors.As(err, &ue) || err.Error() != want {
			t.Errorf("parseAsOf(%q) = %v\nwant usage error %s", in, err, want)
		}
	}
}

// TestDemoReportGoldens: the demo practice in JSON and CSV, byte-exact.
func TestDemoReportGoldens(t *testing.T) {
	dsn, _ := demoDB(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"demo.json", []string{"--format", "json"}},
		{"demo-entities.csv", []string{"--format", "csv"}},
		{"demo-issues.csv", []string{"--format", "csv", "--table", "issues"}},
		{"demo-notes.txt", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := "report"
			if tc.name == "demo-notes.txt" {
				cmd = "notes"
			}
			o := mustRun(t, args([]string{cmd, "--db", dsn, "--quiet"}, demoPeriod, tc.args)...)
			golden(t, tc.name, withoutSource(o.stdout)) // the fingerprint names a temporary path: TestReportFingerprint
		})
	}
}

// TestMissingSQLiteFile: report on a SQLite file that does not exist fails (exit 1)
// without creating it.
func TestMissingSQLiteFile(t *testing.T) {
	t.Chdir(t.TempDir())
	o := mipspi(t, args([]string{"report", "--db", "sqlite:typo.db"}, smallPeriod)...)
	want := "mipspi: open sqlite:typo.db: no such file or directory (mipspi db init creates a database; mipspi demo builds the demo one)\n"
	if o.code != exitFail || o.stderr != want {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
	if _, err := os.Stat("typo.db"); !os.IsNotExist(err) {
		t.Errorf("typo.db was created")
	}
}
