package measure

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The data-quality rows of the patients (R10): INVALID_EMAIL and
// POSSIBLE_DUPLICATE_PATIENT, only for a patient with a seen visit in a reported entity,
// the duplicate row about the patient with the higher id whatever the stream order;
// then INVALID_TIN and INVALID_NPI of the reported entities, sorted.
func TestQualityObserver(t *testing.T) {
	mon := ny("2025-03-03 10:00:00")
	p := Practice{Offices: testPractice().Offices, APIWindows: testPractice().APIWindows,
		Clinicians: []Clinician{{ID: clinAnn, NPI: "123", FirstName: "Ann", Eligible: true}, {ID: clinBob, NPI: npiBob, Eligible: true}}}
	p.Offices[2].TIN = "98-765432" // offB: 8 digits (a hyphenated 9 is a valid TIN, SPEC §3)
	e, err := NewEvaluator(testConfig(), p)
	if err != nil {
		t.Fatal(err)
	}
	rows := RowsOf[Issue](nil)
	q := e.quality
	q.rows = rows
	e.issues.rows = RowsOf[Issue](nil) // the visit rows elsewhere: only the quality rows here
	twin := func(id int64, v Visit) PatientRecord {
		r := patientRec(id, invitedLongAgo(), v)
		r.Patient.FirstName, r.Patient.LastName, r.Patient.BirthDate = "Twin", "Same", day("1980-05-05")
		return r
	}
	badEmail := patientRec(3, invitedLongAgo(), seen(7, mon, lockedAt(mon)))
	badEmail.Patient.Email = "a@b@\u202ec"
	recs := []PatientRecord{
		twin(50, at(seen(1, mon, lockedAt(mon)), offB, clinBob)),
		twin(40, seen(2, mon, lockedAt(mon))), // lower id, later in the stream
		badEmail,
	}
	for i := range recs {
		if err := e.Add(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Result(); err != nil {
		t.Fatal(err)
	}
	want := []Issue{
		{Code: PossibleDuplicatePatient, Severity: SeverityWarning, PatientID: 50, MRN: mrn(50), Text: "same name and birth date as patient 40"},
		{Code: InvalidEmail, Severity: SeverityWarning, PatientID: 3, MRN: mrn(3), Text: `email on file is not a usable address: "a@b@c"`},
		{Code: InvalidNPI, Severity: SeverityWarning, NPI: "123", Text: "123"},
		{Code: InvalidTIN, Severity: SeverityWarning, TIN: "98-765432", Text: "98-765432"},
	}
	if diff := cmp.Diff(want, rowsOf(t, rows.All())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, is := range want {
		if strings.ContainsRune(is.Text, '\u202e') {
			t.Errorf("a bidi control reached a row's text: %q", is.Text)
		}
	}
}
