package reports

import (
	"testing"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// TestPatientKey: the pseudonym mipspi combine matches on (SPEC §7) is the same for the
// same person in two EHRs (other ids and MRNs, other case and spacing), different for
// another person or another key, and absent when the birth date or last name is.
func TestPatientKey(t *testing.T) {
	bd, _ := calendar.ParseDate("1960-01-01")
	other, _ := calendar.ParseDate("1960-01-02")
	key := []byte("a shared key for all sites 0123")
	pseudonym := func(k []byte, o measure.Outcome) string {
		r := withOutcomes(&measure.Result{}, []measure.Outcome{o})
		r = Deidentify(Deidentify(r, k), k) // twice changes nothing more
		return outcomesOf(r)[0].PatientKey
	}
	ann := measure.Outcome{PatientID: 1, MRN: "A001", FirstName: "Ann", LastName: "Able", BirthDate: bd, HasBirthDate: true}
	annB := measure.Outcome{PatientID: 77, MRN: "B-77", FirstName: " ANN", LastName: "able  ", BirthDate: bd, HasBirthDate: true}
	k := pseudonym(key, ann)
	if !isAnon(k) {
		t.Fatalf("patient key %q is not a pseudonym", k)
	}
	if got := pseudonym(key, annB); got != k {
		t.Errorf("same person in another EHR: %q, want %q", got, k)
	}
	for name, o := range map[string]measure.Outcome{
		"another birth date": {FirstName: "Ann", LastName: "Able", BirthDate: other, HasBirthDate: true},
		"another first name": {FirstName: "Anne", LastName: "Able", BirthDate: bd, HasBirthDate: true},
	} {
		if got := pseudonym(key, o); got == k || got == "" {
			t.Errorf("%s: key %q", name, got)
		}
	}
	if got := pseudonym([]byte("another key of sixteen+"), ann); got == k {
		t.Errorf("another key gives the same pseudonym")
	}
	if got := pseudonym(key, measure.Outcome{FirstName: "Ann", LastName: "Able"}); got != "" {
		t.Errorf("no birth date: key %q, want none", got)
	}
	if got := pseudonym(key, measure.Outcome{BirthDate: bd, HasBirthDate: true}); got != "" {
		t.Errorf("no last name: key %q, want none", got)
	}
	if KeyID(key) != KeyID([]byte(string(key))) || KeyID(key) == KeyID([]byte("another key of sixteen+")) || len(KeyID(key)) != 12 {
		t.Errorf("KeyID: %q", KeyID(key))
	}
}
