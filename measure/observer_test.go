package measure

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is an observer that keeps what Add publishes.
type recorder struct {
	visits   []judged
	patients []recordedPatient
}

type recordedPatient struct {
	rec    *PatientRecord
	visits []judged
	ents   []patEnt
}

func (o *recorder) patient(p *judgedPatient) error {
	o.visits = append(o.visits, p.visits...)
	o.patients = append(o.patients, recordedPatient{p.rec, slices.Clone(p.visits), slices.Clone(p.ents)})
	return nil
}

// publish adds recs to a fresh evaluator whose only observer is a recorder.
func publish(t *testing.T, cfg Config, recs ...PatientRecord) (*Evaluator, *recorder) {
	t.Helper()
	e, err := NewEvaluator(cfg, testPractice())
	if err != nil {
		t.Fatal(err)
	}
	o := &recorder{}
	e.observers = []observer{o}
	for i := range recs {
		if err := e.Add(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return e, o
}

// Add publishes the patient once, with every seen visit in chronological order, the
// verdict judge gives it and its entities, and their standing per entity. A visit that
// is not seen (R1) is not published.
func TestAddPublishes(t *testing.T) {
	late := seen(7, ny("2025-03-03 10:00:00"), lockedAt(ny("2025-03-12 10:00:00")))
	timely := at(seen(8, ny("2025-02-03 10:00:00"), lockedAt(ny("2025-02-04 10:00:00"))), offB, clinBob)
	cancelled := seen(9, ny("2025-04-01 10:00:00"), Notes{})
	cancelled.Status = "Cancelled"
	notEligible := at(seen(10, ny("2025-05-01 10:00:00"), Notes{}), offNY, clinCy)
	rec := patientRec(1, invitedLongAgo(), late, timely, cancelled, notEligible)
	e, o := publish(t, testConfig(), rec)
	if len(o.visits) != 2 || o.visits[0].visit.ID != 8 || o.visits[1].visit.ID != 7 {
		t.Fatalf("published visits %v, want 8 then 7", visitIDs(o.visits))
	}
	for _, j := range o.visits {
		want, err := e.Judge(j.visit, rec.FirstInvitation)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(viewVerdict(want), viewVerdict(j.verdict)); diff != "" {
			t.Errorf("visit %d: published verdict differs from Judge's (-judge +published):\n%s", j.visit.ID, diff)
		}
		if !j.indReported || !j.grpReported || e.ents[j.ind].ent.Level != Individual || e.ents[j.grp].ent.Level != Group {
			t.Errorf("visit %d: entities %d/%d reported %v/%v", j.visit.ID, j.ind, j.grp, j.indReported, j.grpReported)
		}
	}
	if len(o.patients) != 1 || o.patients[0].rec.Patient.ID != 1 || len(o.patients[0].ents) != 4 {
		t.Fatalf("published patients %+v, want patient 1 with 4 entities (2 TINs, individual and group)", o.patients)
	}
	for _, a := range o.patients[0].ents {
		if want := e.ents[a.slot].ent.TIN == tinB; a.in != want {
			t.Errorf("entity %+v: in the numerator %v, want %v (only TIN B's visit is timely)", e.ents[a.slot].ent, a.in, want)
		}
	}
}

func visitIDs(js []judged) []int64 {
	var out []int64
	for _, j := range js {
		out = append(out, j.visit.ID)
	}
	return out
}
