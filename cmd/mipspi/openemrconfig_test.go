package main

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

// TestOpenEMRConfig covers the openemr: block and the ehr: key (SPEC §4, §8): every
// setting read, and every mistake a usage error at file:line.
func TestOpenEMRConfig(t *testing.T) {
	cfg, err := parseConfig("c.yaml", []byte(`ehr: openemr
openemr:
  time_zone: America/Denver
  not_mips_eligible: [1234 567 893, "user:12"]
  note_forms: [soap, "LBF*"]
  visits: appointments
  api_windows:
    - tin: "36-1234567"
      enabled_at: 2023-01-03T08:00:00-07:00
      disabled_at: 2024-06-01T00:00:00Z
    - {tin: 361234567, enabled_at: 2024-07-01T00:00:00Z}
    - {tin: "987654321", enabled_at: "2020-01-01T00:00:00+00:00", disabled_at: ~}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := ehr.OpenEMRSettings{
		TimeZone: "America/Denver", NotEligible: []string{"1234567893", "user:12"}, NoteForms: []string{"soap", "LBF*"},
		Visits: ehr.OpenEMRAppointments,
		APIWindows: []measure.APIWindow{
			{ID: 1, TIN: "361234567", Enabled: time.Date(2023, 1, 3, 15, 0, 0, 0, time.UTC), Disabled: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)},
			{ID: 2, TIN: "361234567", Enabled: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)},
			{ID: 3, TIN: "987654321", Enabled: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
	}
	if cfg.EHR != ehrOpenEMR {
		t.Errorf("ehr = %q", cfg.EHR)
	}
	if diff := cmp.Diff(want, cfg.OpenEMR.Settings); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{8, 11, 12}, cfg.OpenEMR.WindowLines); diff != "" {
		t.Errorf("window lines (-want +got):\n%s", diff)
	}
	// A window's TIN that matches no facility is a warning (SPEC §8).
	warn := cfg.apiWindowTINWarnings(measure.Practice{Offices: []measure.Office{{ID: 1, TIN: "361234567"}}})
	if diff := cmp.Diff([]string{"config c.yaml:12: openemr.api_windows: TIN 987654321 matches no facility's federal_ein; its window counts for nothing"}, warn); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	bad := []struct{ name, yaml, want string }{
		{"ehr unknown", "ehr: epic\n", `config c.yaml:1: ehr: "epic" is not one of mipspi, openemr`},
		{"openemr a list", "openemr: [x]\n", `config c.yaml:1: openemr: want a mapping (time_zone, not_mips_eligible, note_forms, api_windows, visits), got a list`},
		{"unknown key", "openemr:\n  timezone: UTC\n", `config c.yaml:2: openemr: unknown key "timezone" (known keys: time_zone, not_mips_eligible, note_forms, api_windows, visits)`},
		{"bad zone", "openemr:\n  time_zone: Mars/Base\n", `config c.yaml:2: openemr.time_zone: "Mars/Base" is not an IANA zone name (e.g. America/Chicago)`},
		{"Local is no zone", "openemr:\n  time_zone: Local\n", `config c.yaml:2: openemr.time_zone: "Local" is not an IANA zone name (e.g. America/Chicago)`},
		{"not an NPI", "openemr:\n  not_mips_eligible:\n    - 12345\n", `config c.yaml:3: openemr.not_mips_eligible: "12345" is neither an NPI (10 digits) nor user:ID`},
		{"bad user", "openemr:\n  not_mips_eligible: [\"user:x\"]\n", `config c.yaml:2: openemr.not_mips_eligible: "user:x": want user: followed by an OpenEMR user id (users.id), e.g. user:12`},
		{"note forms empty", "openemr:\n  note_forms: []\n", `config c.yaml:2: openemr.note_forms: empty list; no visit would ever have a note (omit the key for soap, clinical_notes, dictation)`},
		{"star inside", "openemr:\n  note_forms: [\"L*F\"]\n", `config c.yaml:2: openemr.note_forms: "L*F": want a form directory such as soap, or a prefix ending in * such as LBF*`},
		{"visits", "openemr:\n  visits: encounter\n", `config c.yaml:2: openemr.visits: "encounter" is not one of appointments, encounters`},
		{"bare date", "openemr:\n  api_windows:\n    - tin: \"123456789\"\n      enabled_at: 2024-01-02\n",
			`config c.yaml:4: openemr.api_windows: enabled_at: 2024-01-02 is a date; the API is switched at an instant: write the time and its offset, e.g. 2024-01-02T08:00:00-06:00`},
		{"no offset", "openemr:\n  api_windows:\n    - {tin: \"123456789\", enabled_at: \"2024-01-02T08:00:00\"}\n",
			`config c.yaml:3: openemr.api_windows: enabled_at: "2024-01-02T08:00:00" is not an RFC 3339 instant with an offset (e.g. 2024-01-02T08:00:00-06:00)`},
		{"TIN not 9 digits", "openemr:\n  api_windows:\n    - {tin: \"12-345\", enabled_at: 2024-01-02T08:00:00Z}\n",
			`config c.yaml:3: openemr.api_windows: tin "12-345" is not 9 digits`},
		{"no enabled_at", "openemr:\n  api_windows:\n    - {tin: \"123456789\"}\n", `config c.yaml:3: openemr.api_windows: a window needs enabled_at`},
		{"disabled first", "openemr:\n  api_windows:\n    - tin: \"123456789\"\n      enabled_at: 2024-01-02T08:00:00Z\n      disabled_at: 2024-01-01T08:00:00Z\n",
			`config c.yaml:5: openemr.api_windows: disabled_at 2024-01-01T08:00:00Z is not after enabled_at 2024-01-02T08:00:00Z`},
		{"overlap", "openemr:\n  api_windows:\n    - {tin: \"123456789\", enabled_at: 2024-01-02T08:00:00Z}\n    - {tin: \"12-3456789\", enabled_at: 2025-01-02T08:00:00Z, disabled_at: 2025-02-02T08:00:00Z}\n",
			`config c.yaml:4: openemr.api_windows: this window of TIN 123456789 overlaps the one on line 3`},
		{"unknown window key", "openemr:\n  api_windows:\n    - {tin: \"123456789\", enabled: 2024-01-02T08:00:00Z}\n",
			`config c.yaml:3: openemr.api_windows: unknown key "enabled" (known keys: tin, enabled_at, disabled_at)`},
		{"seen_statuses with encounters", "seen_statuses: [\"@\"]\nopenemr:\n  visits: encounters\n",
			`config c.yaml:1: seen_statuses: with openemr.visits: encounters every encounter with a live newpatient form is a seen visit; remove seen_statuses or read appointments`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig("c.yaml", []byte(tc.yaml))
			var ce *configError
			if !errors.As(err, &ce) || err.Error() != tc.want {
				t.Errorf("error:\n got %v\nwant %s", err, tc.want)
			}
		})
	}
	// Adjacent windows of one TIN do not overlap.
	if _, err := parseConfig("c.yaml", []byte("openemr:\n  api_windows:\n    - {tin: \"123456789\", enabled_at: 2024-01-02T08:00:00Z, disabled_at: 2024-02-02T08:00:00Z}\n    - {tin: \"123456789\", enabled_at: 2024-02-02T08:00:00Z}\n")); err != nil {
		t.Errorf("adjacent windows: %v", err)
	}
}
