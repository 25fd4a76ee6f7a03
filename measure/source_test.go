package measure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStatusCodes covers an EHR's own status list (SPEC §8, R1): a code its stock list
// defines as not seen is recognised, a code in the seen set counts, and any other code
// is UNKNOWN_STATUS named with its title (or without one when the list lacks it).
func TestStatusCodes(t *testing.T) {
	lock := lockedAt(ny("2025-03-04 09:00:00"))
	st := func(id int64, hour, status string) Visit {
		v := seen(id, ny("2025-03-03 "+hour+":00:00"), lock)
		v.Status = status
		return v
	}
	p := testPractice()
	p.Statuses = []StatusCode{
		{Code: "@", Title: "@ Arrived"},
		{Code: "x", Title: "x Canceled", NotSeen: true},
		{Code: "!", Title: "! Left w/o visit", NotSeen: true},
		{Code: "TH", Title: "Telehealth \x1b[31mdone"},
	}
	cfg := testConfig()
	cfg.SeenStatuses = []string{"@", ">"}
	r := mustEvaluate(t, cfg, p, patientRec(1, invitedLongAgo(),
		st(1, "08", "@"), st(2, "09", "X"), st(3, "10", "!"), st(4, "11", "TH"), st(5, "12", "Z"), st(6, "13", "TH")))
	want := []Finding{
		{Code: UnknownStatus, Severity: SeverityWarning, Status: "TH", Count: 2,
			Message: `appointment status "TH" ("Telehealth [31mdone" in the EHR's status list) (2 appointments) is not a known status; it is not counted as seen unless added to seen_statuses`},
		{Code: UnknownStatus, Severity: SeverityWarning, Status: "Z", Count: 1,
			Message: `appointment status "Z" (1 appointments) is not a known status; it is not counted as seen unless added to seen_statuses`},
	}
	if diff := cmp.Diff(want, r.Findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if r.Counts.SeenVisits != 1 || r.Counts.NotSeen != 5 {
		t.Errorf("counts = %+v, want 1 seen, 5 not seen", r.Counts)
	}
}

// TestSourceFinding covers the findings an EHR source hands over (SPEC §8): warnings
// after the dangling rows, a count of 0 records nothing, other codes are refused.
func TestSourceFinding(t *testing.T) {
	ev, err := NewEvaluator(testConfig(), testPractice())
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.Dangling(DanglingNote, 2, []int64{4, 9}); err != nil {
		t.Fatal(err)
	}
	if err := ev.SourceFinding(Finding{Code: AmbiguousEncounter, Severity: SeverityError, Count: 3, Examples: []int64{7}, Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if err := ev.SourceFinding(Finding{Code: RecurringAppointment, Count: 0}); err != nil {
		t.Fatal(err)
	}
	if err := ev.SourceFinding(Finding{Code: NoteMissing, Count: 1}); err == nil {
		t.Error("SourceFinding(NOTE_MISSING) accepted")
	}
	r, err := ev.Result()
	if err != nil {
		t.Fatal(err)
	}
	var codes []Code
	for _, f := range r.Findings {
		codes = append(codes, f.Code)
		if f.Code == AmbiguousEncounter && (f.Severity != SeverityWarning || f.Count != 3 || f.Message != "m") {
			t.Errorf("finding = %+v, want a warning with count 3", f)
		}
	}
	if diff := cmp.Diff([]Code{DanglingNote, AmbiguousEncounter}, codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	if err := ev.SourceFinding(Finding{Code: AmbiguousEncounter, Count: 1}); err == nil {
		t.Error("SourceFinding after Result accepted")
	}
}
