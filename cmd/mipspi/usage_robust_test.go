package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageErrorsEveryCommand: the period and configuration mistakes of TestUsageErrors
// on the other commands that evaluate (notes, export) and a few more shapes of bad
// dates: exit 2, exactly one line, nothing on stdout, the database never opened (it
// does not exist: opening it would exit 1).
func TestUsageErrorsEveryCommand(t *testing.T) {
	dir := t.TempDir()
	noDB := "sqlite:" + filepath.Join(dir, "missing", "x.db")
	acrossYears := "mipspi: period 2024-10-01..2025-03-31 spans two calendar years; a MIPS performance period lies within one calendar year"
	pgDSN := "postgres://reader@127.0.0.1:1/ehr?sslmode=disable" // never reached: exit 2 comes first
	year9999 := "mipspi: performance year 9999 is not supported: mipspi supports 2019-2027 (PI_PEA_1 exists from 2019; CMS data is embedded up to 2027)"
	notDate := func(flag, v string) string {
		return "mipspi: --" + flag + " " + v + " is not a date (want YYYY-MM-DD, a real calendar day)"
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"notes across years", []string{"notes", "--db", noDB, "--from", "2024-10-01", "--to", "2025-03-31"}, acrossYears},
		{"export across years", []string{"export", "--to", "qpp", "--db", noDB, "--from", "2024-10-01", "--to", "2025-03-31", "--out", dir}, acrossYears},
		{"notes from after to", []string{"notes", "--db", noDB, "--from", "2025-12-31", "--to", "2025-01-01"},
			"mipspi: --from 2025-12-31 is after --to 2025-01-01"},
		{"export from after to", []string{"export", "--to", "csv", "--db", noDB, "--from", "2025-12-31", "--to", "2025-01-01", "--out", dir},
			"mipspi: --from 2025-12-31 is after --to 2025-01-01"},
		{"February 29 of a common year", []string{"report", "--db", noDB, "--from", "2025-02-29", "--to", "2025-12-31"}, notDate("from", "2025-02-29")},
		{"April 31", []string{"notes", "--db", noDB, "--from", "2025-01-01", "--to", "2025-04-31"}, notDate("to", "2025-04-31")},
		{"export February 30", []string{"export", "--to", "qrda3", "--db", noDB, "--from", "2025-02-30", "--to", "2025-12-31", "--out", dir}, notDate("from", "2025-02-30")},
		{"single-digit month and day", []string{"report", "--db", noDB, "--from", "2025-1-1", "--to", "2025-12-31"}, notDate("from", "2025-1-1")},
		{"as-of February 30", []string{"report", "--db", noDB, "--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2025-02-30T10:00:00Z"},
			"mipspi: --as-of 2025-02-30T10:00:00Z is not a time (want RFC 3339 like 2026-01-15T12:00:00Z, or YYYY-MM-DD)"},
		{"negative timeout", []string{"report", "--db", noDB, "--from", "2025-01-01", "--to", "2025-12-31", "--timeout", "-5s"},
			"mipspi: --timeout -5s is negative"},
		// Issue 13 row 14: a year without CMS data is the same usage error on both
		// dialects (it used to read nothing on SQLite and give figures on PostgreSQL).
		{"year 9999 on SQLite", []string{"report", "--db", noDB, "--from", "9999-01-01", "--to", "9999-12-31"}, year9999},
		{"year 9999 on PostgreSQL", []string{"report", "--db", pgDSN, "--from", "9999-01-01", "--to", "9999-12-31"}, year9999},
		{"notes year 9999 on PostgreSQL", []string{"notes", "--db", pgDSN, "--from", "9999-03-01", "--to", "9999-03-31"}, year9999},
		{"export year 9999", []string{"export", "--to", "qpp", "--db", noDB, "--from", "9999-01-01", "--to", "9999-12-31", "--out", dir}, year9999},
		{"year 2018 on PostgreSQL", []string{"report", "--db", pgDSN, "--from", "2018-01-01", "--to", "2018-12-31"},
			"mipspi: performance year 2018 is not supported: mipspi supports 2019-2027 (PI_PEA_1 exists from 2019; CMS data is embedded up to 2027)"},
		{"config is a directory", []string{"notes", "--db", noDB, "--from", "2025-01-01", "--to", "2025-12-31", "--config", dir},
			"mipspi: config " + dir + ": is a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := mipspi(t, tc.args...)
			if o.code != exitUsage || strings.TrimSuffix(o.stderr, "\n") != tc.want || strings.Count(o.stderr, "\n") != 1 || o.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr\n%q\nwant exit 2 and\n%q", o.code, o.stdout, o.stderr, tc.want)
			}
		})
	}
}
