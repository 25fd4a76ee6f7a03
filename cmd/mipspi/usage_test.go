package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestUsageErrors: every way of calling mipspi wrongly exits 2 with exactly one line on
// stderr, nothing on stdout, and never touches the database (the DSN names a file in a
// directory that does not exist, so a query would fail with exit 1 instead).
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unknownKey := write("unknown.yaml", "holidays: federal\nclosure: [2025-12-26]\n")
	wrongType := write("wrongtype.yaml", "seen_statuses: Complete\n")
	badClosure := write("closure.yaml", "closures:\n  - 2025-02-30\n")
	noDB := "sqlite:" + filepath.Join(dir, "missing", "x.db")
	period := []string{"--db", noDB, "--from", "2025-01-01", "--to", "2025-12-31"}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", args([]string{"report", "--bogus"}, period),
			"mipspi: unknown flag --bogus (see --help)"},
		{"unknown flag on a subcommand", []string{"db", "init", "--db", noDB, "--forse"},
			"mipspi: unknown flag --forse (see --help)"},
		{"from after to", []string{"report", "--db", noDB, "--from", "2025-12-31", "--to", "2025-01-01"},
			"mipspi: --from 2025-12-31 is after --to 2025-01-01"},
		{"impossible date", []string{"report", "--db", noDB, "--from", "2025-01-01", "--to", "2025-02-30"},
			"mipspi: --to 2025-02-30 is not a date (want YYYY-MM-DD, a real calendar day)"},
		{"not a date", []string{"report", "--db", noDB, "--from", "01/01/2025", "--to", "2025-12-31"},
			"mipspi: --from 01/01/2025 is not a date (want YYYY-MM-DD, a real calendar day)"},
		{"period across years", []string{"report", "--db", noDB, "--from", "2024-10-01", "--to", "2025-03-31"},
			"mipspi: period 2024-10-01..2025-03-31 spans two calendar years; a MIPS performance period lies within one calendar year"},
		{"missing from", []string{"report", "--db", noDB, "--to", "2025-12-31"},
			"mipspi: --from is required (first day of the performance period, YYYY-MM-DD)"},
		{"missing db", []string{"report", "--from", "2025-01-01", "--to", "2025-12-31"},
			"mipspi: --db is required (or set $MIPSPI_DB): postgres://USER@HOST:PORT/DB, mysql://USER@HOST:PORT/DB or sqlite:PATH"},
		{"unknown kind of database", []string{"report", "--db", "oracle://u:pw@h/db", "--from", "2025-01-01", "--to", "2025-12-31"},
			"mipspi: --db oracle…: unknown kind of database; want postgres://USER@HOST:PORT/DB, mysql://USER@HOST:PORT/DB or sqlite:PATH"},
		{"MariaDB parameter refused by name (SPEC §8)", []string{"report", "--db", "mysql://u:Sup3rSecretPW@h/db?multiStatements=true", "--from", "2025-01-01", "--to", "2025-12-31"},
			"mipspi: --db: invalid MariaDB/MySQL DSN: parameter multiStatements is refused: mipspi accepts only tls (true, false, skip-verify or preferred) and timeout (e.g. 10s)"},
		{"sqlite pragma that writes (issue 13)", []string{"report", "--db", noDB + "?_pragma=journal_mode(WAL)", "--from", "2025-01-01", "--to", "2025-12-31"},
			"mipspi: --db " + noDB + ": SQLite parameter _pragma=journal_mode(WAL) is refused: mipspi opens the EHR read-only and accepts only mode=ro, cache=shared|private, _pragma=busy_timeout(N)|cache_size(N)|mmap_size(N)|temp_store(memory)"},
		{"password with an unescaped # (issue 13)", []string{"notes", "--db", "postgres://reader:Sup3rSecretPW#@db.example.org:5432/ehr", "--from", "2025-01-01", "--to", "2025-12-31"},
			"mipspi: --db: invalid PostgreSQL DSN: it holds a '#' (in a URL it starts a fragment); percent-escape special characters in the user name and password (@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, space as %20), or leave the password out of the DSN and use ~/.pgpass or $PGPASSWORD"},
		{"out in a missing directory", args([]string{"report", "--out", filepath.Join(dir, "no", "r.txt")}, period),
			"mipspi: --out " + filepath.Join(dir, "no", "r.txt") + ": directory " + filepath.Join(dir, "no") + " does not exist"},
		{"bad format", args([]string{"report", "--format", "pdf"}, period),
			"mipspi: --format pdf is not one of table, json, csv, xlsx, html"},
		{"bad notes format", args([]string{"notes", "--format", "xlsx"}, period),
			"mipspi: --format xlsx is not one of table, csv, json"},
		{"bad table", args([]string{"report", "--format", "csv", "--table", "visits"}, period),
			"mipspi: --table visits is not one of entities, issues, patients, evidence, trend"},
		{"table without csv", args([]string{"report", "--table", "issues"}, period),
			"mipspi: --table applies to --format csv only"},
		{"bad policy", args([]string{"report", "--policy", "most-visits"}, period),
			"mipspi: --policy most-visits is not one of every-visit, any-visit"},
		{"bad as-of", args([]string{"report", "--as-of", "yesterday"}, period),
			"mipspi: --as-of yesterday is not a time (want RFC 3339 like 2026-01-15T12:00:00Z, or YYYY-MM-DD)"},
		{"bad timeout", args([]string{"report", "--timeout", "soon"}, period),
			`mipspi: invalid value "soon" for flag --timeout: parse error`},
		{"unknown config key", args([]string{"report", "--config", unknownKey}, period),
			`mipspi: config ` + unknownKey + `:2: unknown key "closure" (known keys: holidays, closures, seen_statuses, policy, release, numerator_actions, registry, ehr, openemr)`},
		{"wrong YAML type", args([]string{"report", "--config", wrongType}, period),
			`mipspi: config ` + wrongType + `:1: seen_statuses: want a list of appointment statuses, got a string "Complete"`},
		{"bad closure date", args([]string{"notes", "--config", badClosure}, period),
			`mipspi: config ` + badClosure + `:2: closures: "2025-02-30" is not a date (YYYY-MM-DD)`},
		{"missing config file", args([]string{"report", "--config", filepath.Join(dir, "nope.yaml")}, period),
			`mipspi: config ` + filepath.Join(dir, "nope.yaml") + `: no such file or directory`},
		{"pseudonymize without key", args([]string{"report", "--pseudonymize"}, period),
			"mipspi: --pseudonymize needs a key: --pseudonymize-key KEY or $MIPSPI_PSEUDONYMIZE_KEY"},
		{"key without pseudonymize (issue 13 row 9)", args([]string{"report", "--pseudonymize-key", "0123456789abcdefXYZ"}, period),
			"mipspi: --pseudonymize-key is given without --pseudonymize: the output would carry patient names; add --pseudonymize"},
		{"notes key without pseudonymize", args([]string{"notes", "--pseudonymize-key", "0123456789abcdefXYZ"}, period),
			"mipspi: --pseudonymize-key is given without --pseudonymize: the output would carry patient names; add --pseudonymize"},
		{"old --deidentify name", args([]string{"report", "--deidentify", "--deidentify-key", "0123456789abcdefXYZ"}, period),
			"mipspi: --deidentify is now --pseudonymize (and --deidentify-key --pseudonymize-key): names and MRNs are replaced by keyed hashes, ids and dates stay, so it is not HIPAA de-identification"},
		{"old --deidentify-key name", args([]string{"notes", "--deidentify-key", "0123456789abcdefXYZ"}, period),
			"mipspi: --deidentify is now --pseudonymize (and --deidentify-key --pseudonymize-key): names and MRNs are replaced by keyed hashes, ids and dates stay, so it is not HIPAA de-identification"},
		{"stray argument", args([]string{"report"}, period, []string{"extra"}),
			`mipspi: unexpected argument "extra" (see --help)`},
		{"unknown command", []string{"reprot"},
			`mipspi: unknown command "reprot" for "mipspi" (see --help)`},
		{"unknown db subcommand", []string{"db", "drop"},
			`mipspi: unknown command "drop" for "mipspi db" (see --help)`},
		{"calendar bad date", []string{"calendar", "deadline", "2025-02-30"},
			"mipspi: calendar deadline: 2025-02-30 is not a date (want YYYY-MM-DD, a real calendar day)"},
		{"calendar flag after argument", []string{"calendar", "deadline", "2025-07-03", "--config", badClosure},
			"mipspi: --config: flags go before arguments (mipspi calendar deadline --help)"},
		{"calendar bad year", []string{"calendar", "holidays", "twenty"},
			"mipspi: calendar holidays: twenty is not a year (1..9999)"},
		{"calendar config error", []string{"calendar", "holidays", "--config", unknownKey, "2025"},
			`mipspi: config ` + unknownKey + `:2: unknown key "closure" (known keys: holidays, closures, seen_statuses, policy, release, numerator_actions, registry, ehr, openemr)`},
		{"export without format", args([]string{"export", "--out", dir}, period),
			"mipspi: give the registry format: --to qpp, --to qrda3 or --to csv"},
		{"export bad format", args([]string{"export", "--to", "fhir", "--out", dir}, period),
			"mipspi: --to fhir is neither a registry format (qpp, qrda3, csv) nor a date (YYYY-MM-DD)"},
		{"export without out", args([]string{"export", "--to", "qpp"}, period),
			"mipspi: --out DIR is required: the directory for the registry files"},
		{"export bad entity", args([]string{"export", "--to", "qpp", "--entity", "team", "--out", dir}, period),
			"mipspi: --entity team is not one of individual, group, all"},
		{"generate zero patients", []string{"db", "generate", "--db", noDB, "--patients", "0"},
			"mipspi: --patients 0: want at least 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := mipspi(t, tc.args...)
			if o.code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", o.code, exitUsage, o.stderr)
			}
			if got := strings.TrimSuffix(o.stderr, "\n"); got != tc.want {
				t.Errorf("stderr:\n got %q\nwant %q", got, tc.want)
			}
			if o.stdout != "" {
				t.Errorf("stdout not empty:\n%s", o.stdout)
			}
		})
	}
}

// TestDBFromEnvironment: $MIPSPI_DB stands in for --db; set but empty, it is missing.
func TestDBFromEnvironment(t *testing.T) {
	t.Setenv("MIPSPI_DB", "")
	o := mipspi(t, "notes", "--from", "2025-01-01", "--to", "2025-12-31")
	want := "mipspi: --db is required (or set $MIPSPI_DB): postgres://USER@HOST:PORT/DB, mysql://USER@HOST:PORT/DB or sqlite:PATH\n"
	if o.code != exitUsage || o.stderr != want {
		t.Errorf("empty $MIPSPI_DB: exit %d, stderr %q", o.code, o.stderr)
	}
	dsn := smallDB(t)
	t.Setenv("MIPSPI_DB", dsn)
	o = mipspi(t, args([]string{"report", "--format", "json", "--quiet"}, smallPeriod)...)
	if o.code != 0 || !strings.Contains(o.stdout, `"measure_id": "PI_PEA_1"`) {
		t.Errorf("report with $MIPSPI_DB=%s: exit %d, stderr %s", dsn, o.code, o.stderr)
	}
}

// TestHelpEverywhere: --help works on every command and subcommand, exit 0, on stdout.
func TestHelpEverywhere(t *testing.T) {
	var paths [][]string
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := append(append([]string{}, prefix...), c.Name)
			paths = append(paths, p)
			walk(p, c.Subcommands)
		}
	}
	walk(nil, newApp(nil, nil, nil).Commands)
	paths = append(paths, []string{})
	if len(paths) < 10 {
		t.Fatalf("found only %d commands", len(paths))
	}
	for _, p := range paths {
		name := strings.Join(append([]string{"mipspi"}, p...), " ")
		t.Run(name, func(t *testing.T) {
			o := mipspi(t, append(p, "--help")...)
			if o.code != 0 {
				t.Fatalf("exit %d; stderr %s", o.code, o.stderr)
			}
			if !strings.Contains(o.stdout, "USAGE:") || !strings.Contains(o.stdout, "--help") {
				t.Errorf("no usage text on stdout:\n%s", o.stdout)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	o := mipspi(t, "--version")
	if o.code != 0 || o.stdout != "mipspi version dev\n" {
		t.Errorf("mipspi --version: exit %d, stdout %q", o.code, o.stdout)
	}
}

// TestNoCommand: mipspi alone shows the help on stderr (it is not a report) and exits 2.
func TestNoCommand(t *testing.T) {
	o := mipspi(t)
	if o.code != exitUsage || o.stdout != "" || !strings.Contains(o.stderr, "COMMANDS:") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", o.code, o.stdout, o.stderr)
	}
}
