package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportSynthea imports the importer's hand-made Synthea set through the command
// line and reports on it: the rows arrive, the data problems are listed on stderr and
// the import is usable by `report`.
func TestImportSynthea(t *testing.T) {
	mini, err := filepath.Abs(filepath.Join(testdataDir, "..", "..", "..", "fixtures", "synthea", "testdata", "mini"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	dsn := "sqlite:syn.db"
	o := mustRun(t, "db", "import-synthea", "--db", dsn, "--seed", "1", mini)
	if o.stdout != "" {
		t.Errorf("stdout = %q, want nothing (the summary goes to stderr)", o.stdout)
	}
	for _, want := range []string{"mipspi: imported ", "data problem visit-after-death", "data problem duplicate-id", "data problem count-mismatch"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	// A second import refuses to pile rows onto the first unless --replace.
	again := mipspi(t, "db", "import-synthea", "--db", dsn, mini)
	if want := "mipspi: sqlite:syn.db already holds rows in offices, clinicians, patients, appointments, clinical_notes, portal_invitations, api_windows; --replace empties the seven mipspi tables first\n"; again.code != 1 || again.stderr != want {
		t.Errorf("second import: exit %d, stderr %q; want 1, %q", again.code, again.stderr, want)
	}
	mustRun(t, "db", "import-synthea", "--db", dsn, "--replace", "--quiet", mini)

	rep := mustRun(t, "report", "--db", dsn, "--from", "2020-01-01", "--to", "2020-12-31", "--as-of", "2021-06-01", "--format", "json", "--quiet")
	var doc struct {
		MeasureID string `json:"measure_id"`
		Entities  []struct {
			Denominator int `json:"denominator"`
		} `json:"entities"`
	}
	if err := json.Unmarshal([]byte(rep.stdout), &doc); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, rep.stdout)
	}
	if doc.MeasureID != "PI_PEA_1" {
		t.Errorf("measure_id = %q", doc.MeasureID)
	}
}

func TestImportSyntheaUsage(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no dir", []string{"db", "import-synthea", "--db", "sqlite:x.db"}, "mipspi: db import-synthea: give exactly one Synthea CSV directory\n"},
		{"not a dir", []string{"db", "import-synthea", "--db", "sqlite:x.db", "nope"}, "mipspi: db import-synthea: nope is not a directory\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := mipspi(t, tc.args...)
			if o.code != 2 || o.stderr != tc.want {
				t.Errorf("exit %d, stderr %q; want 2, %q", o.code, o.stderr, tc.want)
			}
		})
	}
}
