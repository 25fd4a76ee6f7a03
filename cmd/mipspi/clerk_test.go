package main

// What a billing clerk and practice IT expect (issue 17): no silent empties, help and
// version that exit 0, forgiving spellings, messages without rule numbers.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestHelpAndVersionExitZero(t *testing.T) {
	o := mipspi(t, "version")
	if o.code != 0 || o.stdout != "mipspi "+version+"\n" {
		t.Errorf("mipspi version: exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
	}
	o = mipspi(t, "help")
	if o.code != 0 || !strings.Contains(o.stdout, "report") || !strings.Contains(o.stdout, "version") {
		t.Errorf("mipspi help: exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
	}
	o = mipspi(t, "help", "report")
	if o.code != 0 || !strings.Contains(o.stdout, "mipspi report") || !strings.Contains(o.stdout, "--as-of") {
		t.Errorf("mipspi help report: exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
	}
	// A subcommand's own help, not its parent's.
	o = mipspi(t, "help", "db", "init")
	if o.code != 0 || !strings.Contains(o.stdout, "mipspi db init - ") || strings.Contains(o.stdout, "mipspi db - ") {
		t.Errorf("mipspi help db init: exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
	}
	if want := mipspi(t, "db", "init", "--help"); o.stdout != want.stdout {
		t.Errorf("mipspi help db init differs from mipspi db init --help:\n%s\n---\n%s", o.stdout, want.stdout)
	}
	o = mipspi(t, "help", "calendar", "holidays")
	if o.code != 0 || !strings.Contains(o.stdout, "mipspi calendar holidays - ") {
		t.Errorf("mipspi help calendar holidays: exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
	}
	o = mipspi(t, "help", "db", "nope")
	if o.code != 2 || !strings.Contains(o.stderr, `unknown command "nope" for "mipspi db"`) {
		t.Errorf("mipspi help db nope: exit %d, stderr %q", o.code, o.stderr)
	}
	o = mipspi(t, "help", "nope")
	if o.code != 2 || !strings.Contains(o.stderr, `unknown command 'nope'`) {
		t.Errorf("mipspi help nope: exit %d, stderr %q", o.code, o.stderr)
	}
}

func TestBuildVersion(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, ""},
		{"go install module@version", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, true, "v1.4.0"},
		{"devel without vcs", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, ""},
		{"devel with vcs", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "f9b8053a1b2c3d4e5f60718293a4b5c6d7e8f901"}, {Key: "vcs.modified", Value: "false"}}}, true, "dev+f9b8053a1b2c"},
		{"dirty tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}, true, "dev+abc123-dirty"},
		// go 1.24 on stamps a pseudo-version into a build from an untagged commit.
		{"go build, untagged commit", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261208012345-f9b8053a1b2c"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "f9b8053a1b2c3d4e5f60718293a4b5c6d7e8f901"}, {Key: "vcs.modified", Value: "false"}}}, true, "dev+f9b8053a1b2c"},
		{"go build, untagged commit, dirty", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.1-0.20261208012345-f9b8053a1b2c+dirty"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "f9b8053a1b2c3d4e5f60718293a4b5c6d7e8f901"}, {Key: "vcs.modified", Value: "true"}}}, true, "dev+f9b8053a1b2c-dirty"},
		{"go install module@commit", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261208012345-f9b8053a1b2c"}}, true, "dev+f9b8053a1b2c"},
		{"release candidate", &debug.BuildInfo{Main: debug.Module{Version: "v1.5.0-rc.1"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "f9b8053a1b2c3d4e5f60718293a4b5c6d7e8f901"}}}, true, "v1.5.0-rc.1"},
	} {
		if got := buildVersion(tc.bi, tc.ok); got != tc.want {
			t.Errorf("%s: buildVersion = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestHelpDefaultsOnce: no flag line states its default twice, and switches do not
// say "(default: false)".
func TestHelpDefaultsOnce(t *testing.T) {
	twice := regexp.MustCompile(`(?i)default.*\(default: `)
	for _, cmd := range [][]string{{"report"}, {"notes"}, {"export"}, {"demo"}, {"db", "generate"}, {"db", "init"}} {
		o := mipspi(t, append(cmd, "--help")...)
		if o.code != 0 {
			t.Fatalf("%v --help: exit %d", cmd, o.code)
		}
		for _, line := range strings.Split(o.stdout, "\n") {
			if twice.MatchString(line) || strings.Contains(line, "(default: false)") {
				t.Errorf("%v --help: %q", cmd, line)
			}
		}
	}
	o := mipspi(t, "report", "--help")
	if !strings.Contains(o.stdout, "default: no limit)") || strings.Contains(o.stdout, "(default: 0s)") {
		t.Errorf("report --help, --timeout line:\n%s", o.stdout)
	}
}

func TestClerkUsageErrors(t *testing.T) {
	dir := t.TempDir()
	noDB := "sqlite:" + filepath.Join(dir, "missing", "x.db")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one-letter flag", []string{"db", "generate", "-x"}, "mipspi: unknown flag -x (see --help)"},
		{"year written short", []string{"calendar", "holidays", "25"},
			"mipspi: calendar holidays: 25 is not a four-digit year; write the year in full, e.g. 2025"},
		{"sqlite file without scheme", []string{"report", "--db", "mipspi-demo.db", "--from", "2025-01-01", "--to", "2025-12-31"},
			"mipspi: --db mipspi-demo.db: say which kind of database: --db sqlite:mipspi-demo.db (or postgres://USER@HOST:PORT/DB)"},
		{"as-of before the period", []string{"report", "--db", noDB, "--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2024-12-30"},
			"mipspi: --as-of 2024-12-30 is before the period starts (2025-01-01): nothing in 2025-01-01..2025-12-31 has happened yet; give a later --as-of or omit it"},
		{"future period, as-of now", []string{"notes", "--db", noDB, "--from", "2027-01-01", "--to", "2027-12-31"},
			"mipspi: --as-of 2025-07-08T17:00:00Z is before the period starts (2027-01-01): nothing in 2027-01-01..2027-12-31 has happened yet; give a later --as-of or omit it"},
		{"period across years, plain words", []string{"report", "--db", noDB, "--from", "2024-10-01", "--to", "2025-03-31"},
			"mipspi: period 2024-10-01..2025-03-31 spans two calendar years; a MIPS performance period lies within one calendar year"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := mipspi(t, tc.args...)
			if o.code != 2 || strings.TrimSpace(o.stderr) != tc.want || o.stdout != "" {
				t.Errorf("exit %d, stdout %q\nstderr %q\nwant   %q", o.code, o.stdout, o.stderr, tc.want)
			}
		})
	}
}

// TestNoSilentEmpties: a filter that matches nothing, or a period without a seen
// visit, is exit 1 naming what is there, and no output file appears.
func TestNoSilentEmpties(t *testing.T) {
	dsn := smallDB(t)
	base := append([]string{"--db", dsn}, smallPeriod...)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown TIN", []string{"report", "--tin", "999999999"},
			"--tin 999999999 matches no office; TINs in the database: 123456789 (Main Street Clinic)"},
		{"unknown NPI", []string{"notes", "--npi", "1111111111"},
			"--npi 1111111111 matches no clinician; MIPS-eligible clinicians in the database: 1234567893 (Adams, Alice), 1245319599 (Brooks, Brian)"},
		{"NPI not under TIN", []string{"report", "--tin", "123456789", "--npi", "1555555550"},
			"NPI 1555555550 under TIN 123456789 has no seen visit by a MIPS-eligible clinician"},
		{"empty period", []string{"report", "--from", "2022-01-01", "--to", "2022-12-31", "-f", "json"},
			"no seen visit in 2022-01-01..2022-12-31 as of 2025-07-08T12:00:00Z: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.out")
			o := mipspi(t, append(append(append([]string{}, tc.args[0]), base...), append(tc.args[1:], "--out", out)...)...)
			if o.code != 1 || !strings.Contains(o.stderr, tc.want) {
				t.Errorf("exit %d\nstderr %q\nwant   %q", o.code, o.stderr, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
}

func TestHyphenatedTINAndUpperCaseFormat(t *testing.T) {
	dsn := smallDB(t)
	base := append([]string{"report", "--db", dsn, "--quiet"}, smallPeriod...)
	plain := mustRun(t, append(base, "--tin", "123456789", "-f", "json")...)
	hyph := mustRun(t, append(base, "--tin", "12-3456789", "-f", "JSON")...)
	if plain.stdout != hyph.stdout || !strings.Contains(plain.stdout, `"tin": "123456789"`) {
		t.Errorf("--tin 12-3456789 -f JSON differs from --tin 123456789 -f json:\n%s\n---\n%s", hyph.stdout, plain.stdout)
	}
	out := filepath.Join(t.TempDir(), "r.xlsx")
	mustRun(t, append(base, "-f", "XLSX", "-o", out)...)
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "PK") {
		t.Errorf("-f XLSX: %v", err)
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	dsn := smallDB(t)
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("policy: any-visit\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MIPSPI_CONFIG", cfg)
	o := mustRun(t, append([]string{"report", "--db", dsn, "--quiet", "-f", "json"}, smallPeriod...)...)
	if !strings.Contains(o.stdout, `"policy": "any-visit"`) {
		t.Errorf("$MIPSPI_CONFIG not read: %s", o.stdout[:min(len(o.stdout), 400)])
	}
}

func TestDBInitQuiet(t *testing.T) {
	t.Chdir(t.TempDir())
	o := mustRun(t, "db", "init", "--db", "sqlite:q.db", "-q")
	if o.stderr != "" {
		t.Errorf("db init -q printed %q", o.stderr)
	}
}

// TestNoRuleNumbersInHelp: users do not have the SPEC; help speaks plain words.
func TestNoRuleNumbersInHelp(t *testing.T) {
	cite := regexp.MustCompile(`\bR[0-9]{1,2}\b|SPEC|§`)
	cmds := [][]string{{}, {"report"}, {"notes"}, {"export"}, {"demo"}, {"calendar"}, {"calendar", "deadline"},
		{"calendar", "holidays"}, {"db"}, {"db", "init"}, {"db", "load"}, {"db", "generate"}, {"db", "import-synthea"}}
	for _, c := range cmds {
		o := mipspi(t, append(c, "--help")...)
		if m := cite.FindString(o.stdout + o.stderr); m != "" {
			t.Errorf("mipspi %v --help cites %q:\n%s", c, m, o.stdout)
		}
	}
}

// TestYAMLSyntaxErrorsNameTheLine: a broken fixture or configuration file names file
// and line.
func TestYAMLSyntaxErrorsNameTheLine(t *testing.T) {
	t.Chdir(t.TempDir())
	mustRun(t, "db", "init", "--db", "sqlite:y.db", "-q")
	if err := os.WriteFile("bad.yaml", []byte("offices:\n  - {id: 1, tin: \"1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := mipspi(t, "db", "load", "--db", "sqlite:y.db", "bad.yaml")
	if o.code != 1 || !strings.Contains(o.stderr, "load bad.yaml:2: YAML syntax: ") {
		t.Errorf("db load of broken YAML: exit %d, stderr %q", o.code, o.stderr)
	}
	if err := os.WriteFile("bad-config.yaml", []byte("holidays: federal\nclosures: [2025-12-26\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o = mipspi(t, "calendar", "holidays", "--config", "bad-config.yaml", "2025")
	if o.code != 2 || !regexp.MustCompile(`config bad-config.yaml:\d+: `).MatchString(o.stderr) {
		t.Errorf("broken config: exit %d, stderr %q", o.code, o.stderr)
	}
}

// TestReadmeExitCodes: the exit-code table of docs/reference.md lists exactly the codes
// run returns (0, 1, 2 and export's 3), and says which command returns 3 and why, as
// --help does; docs/operations.md's table for schedulers lists the same codes.
func TestReadmeExitCodes(t *testing.T) {
	rows := exitCodeRows(t, "reference.md")
	for _, code := range []int{exitOK, exitFail, exitUsage, exitWarned} {
		if rows[code] == "" {
			t.Errorf("docs/reference.md's exit-code table has no row for %d", code)
		}
	}
	if len(rows) != 4 {
		t.Errorf("docs/reference.md's exit-code table lists %d codes, run returns 4", len(rows))
	}
	if r := rows[exitWarned]; !strings.Contains(r, "`export` only") || !strings.Contains(r, "Why") {
		t.Errorf("docs/reference.md's row for exit 3 does not say it is export's, and why: %q", r)
	}
	if opsRows := exitCodeRows(t, "operations.md"); len(opsRows) != len(rows) {
		t.Errorf("docs/operations.md's exit-code table lists %d codes, docs/reference.md's %d", len(opsRows), len(rows))
	}
	if o := mipspi(t, "--help"); !strings.Contains(o.stdout, "3 (export) files written") {
		t.Errorf("mipspi --help does not list exit 3:\n%s", o.stdout)
	}
}

// exitCodeRows reads the table of the "Exit codes" section of docs/PAGE: each code's
// row, the columns after the code.
func exitCodeRows(t *testing.T, page string) map[int]string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "..", "docs", page))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(text), "\n## Exit codes\n")
	if !ok {
		t.Fatalf("docs/%s has no Exit codes section", page)
	}
	section, _, _ = strings.Cut(section, "\n#")
	rows := map[int]string{}
	for _, m := range regexp.MustCompile(`(?m)^\| (\d) \| (.*) \|$`).FindAllStringSubmatch(section, -1) {
		rows[int(m[1][0]-'0')] = m[2]
	}
	return rows
}

// TestFilterNarrowsData: under --tin (written with a hyphen) the Data line counts the
// TIN's own patients and visits, and the report lists its causes and warnings only.
func TestFilterNarrowsData(t *testing.T) {
	dsn, _ := demoDB(t)
	all := mustRun(t, args([]string{"report", "--db", dsn, "--quiet"}, demoPeriod)...).stdout
	one := mustRun(t, args([]string{"report", "--db", dsn, "--quiet", "--tin", "74-2345678"}, demoPeriod)...).stdout
	dataLine := func(s string) string {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "Data ") {
				return strings.TrimSpace(strings.TrimPrefix(l, "Data"))
			}
		}
		return ""
	}
	var j struct {
		Counts struct {
			Patients, Appointments int
			InFilter               struct {
				Patients      int `json:"patients"`
				SeenVisits    int `json:"seen_visits"`
				TimelyVisits  int `json:"timely_visits"`
				PendingVisits int `json:"pending_visits"`
			} `json:"in_filter"`
		} `json:"counts"`
	}
	js := mustRun(t, args([]string{"report", "--db", dsn, "--quiet", "--tin", "742345678", "-f", "json"}, demoPeriod)...).stdout
	if err := json.Unmarshal([]byte(js), &j); err != nil {
		t.Fatal(err)
	}
	f := j.Counts.InFilter
	want := fmt.Sprintf("%d patients, %d seen visits (%d timely, %d pending) in the filter; %d patients, %d appointments read in all",
		f.Patients, f.SeenVisits, f.TimelyVisits, f.PendingVisits, j.Counts.Patients, j.Counts.Appointments)
	if got := dataLine(one); got != want || f.SeenVisits != 242 || f.TimelyVisits != 223 {
		t.Errorf("--tin Data line %q, want %q (the group's 242 seen visits, 223 timely)", got, want)
	}
	if dataLine(all) == dataLine(one) {
		t.Errorf("the Data line does not change with --tin: %q", dataLine(all))
	}
	if strings.Contains(one, "TIN 361234567") {
		t.Errorf("--tin 74-2345678 report names the other TIN:\n%s", one)
	}
}
