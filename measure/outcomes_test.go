package measure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The drill-down observer keeps one outcome per patient and reported entity when asked
// to, nothing otherwise; the result reads each entity slot as its index in
// Result.Entities, and a slot it does not know as -1.
func TestOutcomesObserver(t *testing.T) {
	ents := []patEnt{
		{slot: 0, reported: true, seen: 2, timely: 1, in: false, pending: true, reason: NoteMissing,
			first: day("2025-01-02"), last: day("2025-02-03")},
		{slot: 1, reported: false, seen: 1, timely: 1, in: true},
		{slot: 2, reported: true, seen: 1, timely: 1, in: true, reason: NoteMissing, first: day("2025-01-02"), last: day("2025-01-02")},
	}
	rec := patientRec(4, nil)
	off := &outcomeRows{rows: RowsOf[Outcome](nil)}
	if err := off.patient(&judgedPatient{rec: &rec, ents: ents}); err != nil || off.rows.Len() != 0 || off.result(nil) != nil {
		t.Fatalf("kept %d outcomes without KeepPatients (%v)", off.rows.Len(), err)
	}
	o := &outcomeRows{keep: true, rows: RowsOf[Outcome](nil)}
	if err := o.patient(&judgedPatient{rec: &rec, ents: ents}); err != nil {
		t.Fatal(err)
	}
	p := rec.Patient
	want := []Outcome{
		{Entity: 1, PatientID: 4, MRN: p.MRN, FirstName: p.FirstName, LastName: p.LastName, BirthDate: p.BirthDate,
			HasBirthDate: true, Pending: true, Reason: NoteMissing, SeenVisits: 2, TimelyVisits: 1,
			FirstVisit: day("2025-01-02"), LastVisit: day("2025-02-03")},
		{Entity: -1, PatientID: 4, MRN: p.MRN, FirstName: p.FirstName, LastName: p.LastName, BirthDate: p.BirthDate,
			HasBirthDate: true, InNumerator: true, SeenVisits: 1, TimelyVisits: 1,
			FirstVisit: day("2025-01-02"), LastVisit: day("2025-01-02")},
	}
	r := o.result([]int{1, -1}) // slot 0 is entity 1; slot 2 is not a slot the result knows
	if diff := cmp.Diff(want, rowsOf(t, r.All())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var scanned []Outcome
	if err := r.Scan(func(pos int64, o *Outcome) error {
		at, err := r.At(pos)
		if err != nil || at != *o {
			t.Errorf("At(%d) = %+v, %v; Scan gave %+v", pos, at, err, *o)
		}
		scanned = append(scanned, *o)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, scanned); diff != "" {
		t.Errorf("Scan (-want +got):\n%s", diff)
	}
}
