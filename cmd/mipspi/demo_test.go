package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures"
	"github.com/mipspi/mipspi/measure"
)

// TestDemo: `mipspi demo` prints the demo table (golden), writes the workbook (0600) and
// a sample configuration, recreates its database when run again, and tells the user
// commands that do work: each one it prints is run here.
func TestDemo(t *testing.T) {
	t.Chdir(t.TempDir())
	o := mustRun(t, "demo", "--dir", "out")
	golden(t, "demo-table.txt", o.stdout)
	for _, name := range []string{demoXLSXName, demoConfigName} {
		fi, err := os.Stat(filepath.Join("out", name))
		if err != nil {
			t.Fatalf("demo did not write %s: %v", name, err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	f, err := excelize.OpenFile(filepath.Join("out", demoXLSXName))
	if err != nil {
		t.Fatal(err)
	}
	if !contains(f.GetSheetList(), "Summary") {
		t.Errorf("workbook sheets %v lack Summary", f.GetSheetList())
	}
	f.Close()

	// A second run recreates the database rather than adding to it (duplicate ids would
	// fail the load, and figures would double).
	again := mustRun(t, "demo", "--dir", "out", "--quiet")
	if again.stdout != o.stdout {
		t.Errorf("second demo run printed a different table")
	}
	if again.stderr != "" {
		t.Errorf("demo --quiet wrote to stderr: %q", again.stderr)
	}

	// The next steps on stderr are real commands: run each.
	var cmds [][]string
	for _, line := range strings.Split(o.stderr, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "mipspi ") {
			cmds = append(cmds, strings.Fields(line)[1:])
		}
	}
	if len(cmds) < 4 {
		t.Fatalf("demo suggested %d commands, want report, notes and export:\n%s", len(cmds), o.stderr)
	}
	for _, c := range cmds {
		r := mipspi(t, c...)
		if c[0] == "export" {
			// The sample configuration's CEHRT ID is the documentation's example: export
			// writes the demo's files only under --force, with exit 3 (SPEC §4).
			const refused = "mipspi: error: registry.cehrt_id 0015C8BCD1234XY is the example in mipspi's documentation"
			if r.code != exitWarned || !strings.Contains(r.stderr, refused) {
				t.Errorf("suggested command mipspi %s: exit %d, want 3 with the example CEHRT ID refused\n%s", strings.Join(c, " "), r.code, r.stderr)
			}
			continue
		}
		if r.code != 0 {
			t.Errorf("suggested command mipspi %s: exit %d\n%s", strings.Join(c, " "), r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "error:") {
			t.Errorf("suggested command mipspi %s reported errors:\n%s", strings.Join(c, " "), r.stderr)
		}
	}

	// The figures equal the demo's expected figures, worked out from its stories.
	var facts fixtures.DemoFacts
	func() {
		w := discardRows{}
		var err error
		if facts, err = fixtures.Demo(w); err != nil {
			t.Fatal(err)
		}
	}()
	js := mustRun(t, "report", "--db", "sqlite:out/"+demoDBName, "--from", fixtures.DemoStart.String(),
		"--to", fixtures.DemoEnd.String(), "--as-of", "2026-01-15T12:00:00Z", "--format", "json", "--quiet").stdout
	var rep struct {
		Entities []struct {
			Level       string `json:"level"`
			TIN         string `json:"tin"`
			NPI         string `json:"npi"`
			Denominator int    `json:"denominator"`
			Numerator   int    `json:"numerator"`
		} `json:"entities"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	want := facts.Figures(measure.EveryVisit)
	if len(rep.Entities) != len(want) {
		t.Fatalf("%d entities, want %d", len(rep.Entities), len(want))
	}
	for i, e := range rep.Entities {
		w := want[i]
		if e.Level != string(w.Level) || e.TIN != w.TIN || e.NPI != w.NPI || e.Denominator != w.Denominator || e.Numerator != w.Numerator {
			t.Errorf("entity %d: got %+v, want %+v", i, e, w)
		}
	}
}

// discardRows is a RowWriter that keeps nothing (to get the demo's facts).
type discardRows struct{}

func (discardRows) Office(ehr.OfficeRow) error           { return nil }
func (discardRows) Clinician(ehr.ClinicianRow) error     { return nil }
func (discardRows) Patient(ehr.PatientRow) error         { return nil }
func (discardRows) Appointment(ehr.AppointmentRow) error { return nil }
func (discardRows) Note(ehr.NoteRow) error               { return nil }
func (discardRows) Invitation(ehr.InvitationRow) error   { return nil }
func (discardRows) APIWindow(ehr.APIWindowRow) error     { return nil }
