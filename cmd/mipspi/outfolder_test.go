package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOutMissingFolder: one rule for a missing output folder — report, notes and
// combine --out FILE, like export --out DIR, create the missing folders with mode 0700
// (they hold patient data); a failed run creates none.
func TestOutMissingFolder(t *testing.T) {
	dsn := smallDB(t)
	for _, c := range []struct {
		name     string
		args     []string
		out      string
		code     int    // export --force writes with exit 3
		outerDir string // the first folder mipspi had to create
	}{
		{"report", []string{"report", "--db", dsn, "-q", "-f", "json"}, filepath.Join("billing", "2025", "report.json"), 0, filepath.Join("billing", "2025")},
		{"notes", []string{"notes", "--db", dsn, "-q"}, filepath.Join("clinic", "notes.txt"), 0, "clinic"},
		{"export", []string{"export", "--to", "csv", "--db", dsn, "-q", "--force"}, filepath.Join("exports", "2025"), 3, filepath.Join("exports", "2025")},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := mipspi(t, args(c.args, smallPeriod, []string{"--out", c.out})...)
			if o.code != c.code {
				t.Fatalf("exit %d, want %d:\n%s", o.code, c.code, o.stderr)
			}
			if _, err := os.Stat(c.out); err != nil {
				t.Fatalf("--out %s: %v", c.out, err)
			}
			for d := c.outerDir; d != "."; d = filepath.Dir(d) {
				fi, err := os.Stat(d)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o700 {
					t.Errorf("folder %s mode %v, want 0700", d, fi.Mode().Perm())
				}
			}
		})
	}
	// A run that fails (the database is missing) leaves no folder behind.
	o := mipspi(t, args([]string{"report", "--db", "sqlite:nothere.db", "--out", filepath.Join("never", "r.txt")}, smallPeriod)...)
	if o.code == 0 {
		t.Fatalf("report on a missing database succeeded")
	}
	if _, err := os.Stat("never"); !os.IsNotExist(err) {
		t.Errorf("a failed run left folder never behind (%v)", err)
	}
}
