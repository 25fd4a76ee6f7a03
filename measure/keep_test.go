package measure_test

// The evaluator's rows kept in package rowstore's stores, moved to temporary files past
// a threshold, read back as the very rows kept in memory: the issue rows (patient-level
// data-quality rows included), the drill-down and the worklist, at any threshold and as
// often as they are read; and a row that cannot be kept or read back is an error.

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/mipspi/mipspi/internal/rowstore"
	"github.com/mipspi/mipspi/measure"
)

type kept struct {
	issues   []measure.Issue
	outcomes []measure.Outcome
	worklist []workView
}

type workView struct {
	Entity              int
	TIN, NPI, Clinician string
	Notes, Fixable      int
	Items               []measure.WorkItem
}

// evaluate runs the generated practice with some patient-level rows added (unusable
// emails, the same name and birth date both ways round in id order), keeping its rows
// in stores past rows (0: in memory).
func evaluate(t *testing.T, rows int) (*measure.Result, *rowstore.Store[measure.Issue], *rowstore.Store[measure.Outcome]) {
	t.Helper()
	cfg, p, recs := measure.GenPractice(5, 3000)
	cfg.KeepPatients = true
	for i := 1; i < len(recs); i++ {
		pt := &recs[i].Patient
		switch i % 40 {
		case 0:
			pt.Email = "not an address"
		case 1:
			prev := recs[i-1].Patient
			pt.FirstName, pt.LastName, pt.BirthDate, pt.HasBirthDate = prev.FirstName, prev.LastName, prev.BirthDate, true
			recs[i-1].Patient.HasBirthDate = true
		case 2:
			recs[i].Patient.ID, recs[i-1].Patient.ID = recs[i-1].Patient.ID, recs[i].Patient.ID
		}
	}
	e, err := measure.NewEvaluator(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	var is *rowstore.Store[measure.Issue]
	var os *rowstore.Store[measure.Outcome]
	if rows > 0 {
		dir := t.TempDir()
		is, os = rowstore.Issues(rowstore.Options{Dir: dir, Rows: rows}), rowstore.Outcomes(rowstore.Options{Dir: dir, Rows: rows})
		t.Cleanup(func() { is.Close(); os.Close() })
		e.KeepRows(is, os)
	}
	for i := range recs {
		if err := e.Add(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	r, err := e.Result()
	if err != nil {
		t.Fatal(err)
	}
	return r, is, os
}

func read(t *testing.T, r *measure.Result) kept {
	t.Helper()
	var k kept
	for is, err := range r.AllIssues() {
		if err != nil {
			t.Fatal(err)
		}
		k.issues = append(k.issues, is)
	}
	for o, err := range r.AllOutcomes() {
		if err != nil {
			t.Fatal(err)
		}
		k.outcomes = append(k.outcomes, o)
	}
	wl, err := r.Worklist("")
	if err != nil {
		t.Fatal(err)
	}
	for _, wc := range wl.Clinicians {
		v := workView{Entity: wc.Entity, TIN: wc.TIN, NPI: wc.NPI, Clinician: wc.Clinician, Notes: wc.Notes, Fixable: wc.FixableNotes}
		for is, err := range wc.Items() {
			if err != nil {
				t.Fatal(err)
			}
			v.Items = append(v.Items, is)
		}
		k.worklist = append(k.worklist, v)
	}
	return k
}

func TestKeptRowsSameAsInMemory(t *testing.T) {
	mem, _, _ := evaluate(t, 0)
	want := read(t, mem)
	codes := map[measure.Code]bool{}
	for _, is := range want.issues {
		codes[is.Code] = true
	}
	for _, c := range []measure.Code{measure.InvitedLate, measure.InvalidEmail, measure.PossibleDuplicatePatient, measure.NoteMissing} {
		if !codes[c] {
			t.Errorf("practice has no %s row: the test would not cover its fields", c)
		}
	}
	notes := 0
	for _, v := range want.worklist {
		notes += v.Notes
	}
	if len(want.issues) < 500 || len(want.outcomes) < 500 || notes < 200 {
		t.Fatalf("%d issue rows, %d outcomes, %d notes: too few to test", len(want.issues), len(want.outcomes), notes)
	}
	for _, rows := range []int{1, 2, 37, len(want.outcomes) - 1, len(want.issues), len(want.issues) + 1} {
		r, is, os := evaluate(t, rows)
		if r.IssueCount() != len(want.issues) || r.OutcomeCount() != len(want.outcomes) {
			t.Errorf("rows=%d: counts %d, %d; want %d, %d", rows, r.IssueCount(), r.OutcomeCount(), len(want.issues), len(want.outcomes))
		}
		if rows < len(want.issues) && (is.Spilled() == 0 || os.Spilled() == 0) {
			t.Errorf("rows=%d: nothing moved to a file (%d, %d bytes)", rows, is.Spilled(), os.Spilled())
		}
		for pass := 0; pass < 2; pass++ {
			if got := read(t, r); !reflect.DeepEqual(got, want) {
				t.Fatalf("rows=%d pass %d: the rows read back differ from those kept in memory", rows, pass)
			}
		}
	}
}

// A row that cannot be kept fails Add, naming the patient; rows that cannot be read
// back arrive as an error in their place.
func TestKeptRowsErrors(t *testing.T) {
	cfg, p, recs := measure.GenPractice(5, 300)
	e, err := measure.NewEvaluator(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	is := rowstore.Issues(rowstore.Options{Dir: t.TempDir() + "/missing", Rows: 3})
	e.KeepRows(is, nil)
	var addErr error
	for i := range recs {
		if addErr = e.Add(&recs[i]); addErr != nil {
			break
		}
	}
	if addErr == nil || !strings.HasPrefix(addErr.Error(), "add patient ") || !strings.Contains(addErr.Error(), "keep issue rows: create temporary file") {
		t.Fatalf("Add with an unwritable store: %v", addErr)
	}
	if err := e.Add(&recs[len(recs)-1]); !errors.Is(err, addErr) && err.Error() != addErr.Error() {
		t.Errorf("the next Add: %v, want the same error", err)
	}
	if _, err := e.Result(); err == nil {
		t.Errorf("Result after a failed Add: no error")
	}

	r, is2, _ := evaluate(t, 5)
	is2.Close() // the file is gone
	n, failed := 0, false
	for _, err := range r.AllIssues() {
		if err != nil {
			failed = strings.Contains(err.Error(), "read back issue rows: row 1 of ")
			break
		}
		n++
	}
	if !failed || n != 0 {
		t.Errorf("rows of a closed store: %d read, failed %v", n, failed)
	}
	if _, err := r.Worklist(""); err == nil || !strings.Contains(err.Error(), "the clinicians' worklist: read back issue rows") {
		t.Errorf("worklist of a closed store: %v", err)
	}
}
