package ehr_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

// runSQLFile runs a testdata SQL file statement by statement.
func runSQLFile(t *testing.T, s *ehr.Store, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range strings.Split(string(b), ";") {
		code := false
		for _, line := range strings.Split(stmt, "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
				code = true
			}
		}
		if code {
			exec(t, s, stmt)
		}
	}
}

// A practice maps its EHR with views (SPEC §3): vendor-shaped tables, the seven
// relations as views over them, and the read gives the same records on both dialects.
func TestReadThroughViews(t *testing.T) {
	want := []measure.PatientRecord{
		{
			Patient: measure.Patient{ID: 1000, MRN: "C-1", FirstName: "Bo", LastName: "Diaz",
				BirthDate: calendar.MustParseDate("1980-02-03"), HasBirthDate: true, Email: "bo@example.com"},
			FirstInvitation: &measure.Invitation{ID: 1, SentAt: ts("2019-05-01T12:00:00Z"), Recipient: "patient", Channel: "email"},
			Visits: []measure.Visit{
				{ID: 5001, OfficeID: 10, ClinicianID: 100, ScheduledAt: ts("2025-03-03T15:00:00Z"), Status: "Complete",
					Notes: measure.Notes{Count: 2, FirstSigned: ts("2025-03-04T10:00:00Z"), FirstLocked: ts("2025-03-05T10:00:00Z")}},
				{ID: 5002, OfficeID: 10, ClinicianID: 100, ScheduledAt: ts("2025-03-10T15:00:00Z"), Status: "No Show"},
			},
		},
		{
			Patient:         measure.Patient{ID: 2000, MRN: "C-2", FirstName: "Cy", LastName: "Eng"},
			FirstInvitation: &measure.Invitation{ID: 3, SentAt: ts("2025-06-10T12:00:00Z"), Recipient: "representative", Channel: "printed"},
			Visits: []measure.Visit{
				{ID: 5003, OfficeID: 20, ClinicianID: 200, ScheduledAt: ts("2025-06-02T17:00:00Z"), Status: "Checked In",
					Notes: measure.Notes{Count: 1, FirstSigned: ts("2025-06-03T12:00:00Z")}},
			},
		},
		{
			Patient: measure.Patient{ID: 3000, MRN: "C-3", FirstName: "Di", LastName: "Fox",
				BirthDate: calendar.MustParseDate("1975-12-31"), HasBirthDate: true},
			Visits: []measure.Visit{
				{ID: 5004, OfficeID: 20, ClinicianID: 100, ScheduledAt: ts("2026-01-01T06:00:00Z"), Status: "Code 7",
					Notes: measure.Notes{Count: 1}},
			},
		},
	}
	wantPractice := measure.Practice{
		Offices: []measure.Office{
			{ID: 10, TIN: "123456789", Name: "Main", Zone: zone("America/Chicago")},
			{ID: 20, TIN: "987654321", Name: "West", Zone: zone("America/Denver")},
		},
		Clinicians: []measure.Clinician{
			{ID: 100, NPI: "1234567893", FirstName: "Ann", LastName: "Lee", Eligible: true},
			{ID: 200, NPI: "1245319599", FirstName: "Raj", LastName: "Patel"},
		},
		APIWindows: []measure.APIWindow{
			{ID: 1, TIN: "123456789", Enabled: ts("2020-01-01T00:00:00Z")},
			{ID: 2, TIN: "987654321", Enabled: ts("2025-03-01T07:00:00Z"), Disabled: ts("2025-04-01T06:00:00Z")},
		},
	}
	wantStats := ehr.ReadStats{Offices: 2, Clinicians: 2, Patients: 3, Appointments: 4, Notes: 4, Invitations: 2, APIWindows: 2}
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		runSQLFile(t, s, "vendor.sql")
		runSQLFile(t, s, "views-"+s.Dialect()+".sql")
		got, st := read(t, s, "2025-01-01", "2025-12-31")
		if d := cmp.Diff(wantPractice, got.practice, cmpOpts); d != "" {
			t.Errorf("practice (-want +got):\n%s", d)
		}
		if d := cmp.Diff(want, got.patients, cmpOpts); d != "" {
			t.Errorf("patients (-want +got):\n%s", d)
		}
		if st != wantStats {
			t.Errorf("stats = %+v, want %+v", st, wantStats)
		}
	})
}
