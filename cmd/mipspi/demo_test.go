package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
		if !contains(c, "--config") {
			t.Errorf("suggested command mipspi %s has no --config: what it makes would say \"PI category: not estimated\"", strings.Join(c, " "))
		}
		r := mipspi(t, c...)
		if contains(c, "json") && !strings.Contains(r.stdout, `"estimated_score"`) {
			t.Errorf("suggested command mipspi %s: the JSON has no PI category estimate", strings.Join(c, " "))
		}
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

// TestDemoFilesBeforePrinting: `mipspi demo | head` closes stdout after a few lines;
// the database, the configuration and the workbook are written before the first line
// is printed, so they are whole even when printing fails.
func TestDemoFilesBeforePrinting(t *testing.T) {
	t.Chdir(t.TempDir())
	var errb strings.Builder
	code := run(context.Background(), []string{"mipspi", "demo", "--quiet"}, strings.NewReader(""), brokenPipe{}, &errb)
	if code != exitFail {
		t.Errorf("demo into a closed pipe: exit %d, want 1\n%s", code, errb.String())
	}
	for _, name := range []string{demoDBName, demoXLSXName, demoConfigName} {
		if _, err := os.Stat(name); err != nil {
			t.Errorf("demo into a closed pipe did not write %s: %v", name, err)
		}
	}
	f, err := excelize.OpenFile(demoXLSXName)
	if err != nil {
		t.Fatalf("the workbook is not whole: %v", err)
	}
	f.Close()
}

// brokenPipe is stdout after `head` has exited.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// discardRows is a RowWriter that keeps nothing (to get the demo's facts).
type discardRows struct{}

func (discardRows) Office(ehr.OfficeRow) error           { return nil }
func (discardRows) Clinician(ehr.ClinicianRow) error     { return nil }
func (discardRows) Patient(ehr.PatientRow) error         { return nil }
func (discardRows) Appointment(ehr.AppointmentRow) error { return nil }
func (discardRows) Note(ehr.NoteRow) error               { return nil }
func (discardRows) Invitation(ehr.InvitationRow) error   { return nil }
func (discardRows) APIWindow(ehr.APIWindowRow) error     { return nil }
