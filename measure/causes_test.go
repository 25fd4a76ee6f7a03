package measure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCauses: an entity's patients out of the numerator, each under the first reason
// of their earliest visit that is not timely, and the run warning when one cause keeps
// out more than 5% of a TIN's patients, naming the API's dates.
func TestCauses(t *testing.T) {
	p := testPractice()
	p.APIWindows = []APIWindow{
		{ID: 1, TIN: tinA, Enabled: ny("2025-03-03 08:00:00"), Disabled: ny("2025-07-14 09:00:00")},
		{ID: 2, TIN: tinA, Enabled: ny("2025-07-28 08:00:00")},
		{ID: 3, TIN: tinB, Enabled: utc("2020-01-01T00:00:00Z")},
	}
	inTime := func(s string) Notes { return lockedAt(ny(s)) }
	recs := []PatientRecord{
		// Before the API: API_NOT_ENABLED (its earliest failing visit), then a late note.
		patientRec(1, invitedLongAgo(), seen(1, ny("2025-02-03 10:00:00"), inTime("2025-02-04 09:00:00")),
			seen(2, ny("2025-04-01 10:00:00"), inTime("2025-04-10 09:00:00"))),
		// Timely.
		patientRec(2, invitedLongAgo(), seen(3, ny("2025-04-01 10:00:00"), inTime("2025-04-02 09:00:00"))),
		// A late note, then the API off in July: NOTE_LOCKED_LATE.
		patientRec(3, invitedLongAgo(), seen(4, ny("2025-05-05 10:00:00"), inTime("2025-05-20 09:00:00")),
			seen(5, ny("2025-07-15 10:00:00"), inTime("2025-07-15 11:00:00"))),
		// Bob's patient, never invited: NOT_INVITED (note and API in time).
		patientRec(4, nil, at(seen(6, ny("2025-04-01 10:00:00"), inTime("2025-04-02 09:00:00")), offNY, clinBob)),
	}
	cfg := testConfig()
	r := mustEvaluate(t, cfg, p, recs...)

	want := map[string][]CauseCount{
		// Most patients first; ties in R10 order (note, invitation, API).
		"individual " + npiAnn: {{Code: NoteLockedLate, Patients: 1}, {Code: APINotEnabled, Patients: 1}},
		"individual " + npiBob: {{Code: NotInvited, Patients: 1}},
		"group ":               {{Code: NoteLockedLate, Patients: 1}, {Code: NotInvited, Patients: 1}, {Code: APINotEnabled, Patients: 1}},
	}
	got := map[string][]CauseCount{}
	for _, e := range r.Entities {
		got[string(e.Level)+" "+e.NPI] = e.Causes
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("causes (-want +got):\n%s", diff)
	}

	var warnings []string
	for _, f := range r.Findings {
		if f.Code == CauseKeepsOut {
			warnings = append(warnings, f.Message)
		}
	}
	wantWarnings := []string{
		"TIN 123456789: NOTE_LOCKED_LATE keeps 1 of 4 patients (25.0%) out of the numerator: note locked late",
		"TIN 123456789: NOT_INVITED keeps 1 of 4 patients (25.0%) out of the numerator: not invited",
		"TIN 123456789: API_NOT_ENABLED keeps 1 of 4 patients (25.0%) out of the numerator: the patient API was switched on only on 2025-03-03, off 2025-07-14 to 2025-07-28",
	}
	if diff := cmp.Diff(wantWarnings, warnings); diff != "" {
		t.Errorf("run warnings (-want +got):\n%s", diff)
	}
}

// TestCauseThreshold: more than 5% of the TIN's denominator, not 5% itself.
func TestCauseThreshold(t *testing.T) {
	for _, c := range []struct {
		n, den int
		want   bool
	}{{1, 20, false}, {2, 39, true}, {5, 100, false}, {6, 100, true}, {1, 0, false}, {0, 1, false}} {
		if got := overThreshold(c.n, c.den); got != c.want {
			t.Errorf("overThreshold(%d, %d) = %v, want %v", c.n, c.den, got, c.want)
		}
	}
}

// TestCausesAddUp: on generated practices under both policies, an entity's causes add
// up to its patients out of the numerator, their pending ones to its pending patients.
func TestCausesAddUp(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		for _, pol := range []Policy{EveryVisit, AnyVisit} {
			cfg, p, recs := genPractice(seed, 400)
			cfg.Policy = pol
			r, err := Evaluate(cfg, p, recs)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range r.Entities {
				out, pending := 0, 0
				for _, c := range e.Causes {
					out += c.Patients
					pending += c.Pending
					if causeIndex(c.Code) == nCauses {
						t.Errorf("seed %d %s %s %s: cause %q is not a reason code", seed, pol, e.TIN, e.NPI, c.Code)
					}
				}
				if out != e.Denominator-e.Numerator || pending != e.Pending {
					t.Errorf("seed %d %s %s %s: causes add up to %d out, %d pending; want %d, %d",
						seed, pol, e.TIN, e.NPI, out, pending, e.Denominator-e.Numerator, e.Pending)
				}
			}
		}
	}
}
