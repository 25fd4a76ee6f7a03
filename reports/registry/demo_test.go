package registry

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures"
	"github.com/mipspi/mipspi/measure"
)

// evalSink feeds a store read into the measure engine.
type evalSink struct {
	cfg measure.Config
	ev  *measure.Evaluator
}

func (s *evalSink) Practice(p measure.Practice) (err error) {
	s.ev, err = measure.NewEvaluator(s.cfg, p)
	return err
}

func (s *evalSink) Patient(r *measure.PatientRecord) error { return s.ev.Add(r) }

// demoResult builds the demo practice in a temp SQLite file, reads it back and
// evaluates it as `mipspi report` does for the demo year.
func demoResult(t *testing.T) *measure.Result {
	t.Helper()
	ctx := context.Background()
	st, err := ehr.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Init(ctx, false); err != nil {
		t.Fatal(err)
	}
	w, err := st.BulkWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fixtures.Demo(w); err != nil {
		w.Abort()
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sink := &evalSink{cfg: measure.Config{
		Start: fixtures.DemoStart, End: fixtures.DemoEnd, AsOf: fixtures.DemoAsOf, FederalHolidays: true,
	}}
	if _, err := st.Read(ctx, fixtures.DemoStart, fixtures.DemoEnd, sink); err != nil {
		t.Fatal(err)
	}
	r, err := sink.ev.Result()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDemoQPP (issue 5): the demo practice's QPP submissions pass validation, validate
// against the derived QPP schema and equal their golden copies; each carries the
// entity's PI_PEA_1 figures from the engine.
func TestDemoQPP(t *testing.T) {
	r := demoResult(t)
	cfg := fullConfig()
	if probs := Validate(r, cfg, All); HasErrors(probs) {
		t.Fatalf("demo does not validate: %v", probs)
	}
	files, err := Files(r, cfg, QPP, All)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(r.Entities) {
		t.Errorf("%d files for %d entities", len(files), len(r.Entities))
	}
	sch := qppSchema(t)
	for _, e := range r.Entities {
		name := FileName(QPP, e)
		b, ok := files[name]
		if !ok {
			t.Errorf("no file %s for %+v", name, e.Entity)
			continue
		}
		if err := validateJSON(sch, b); err != nil {
			t.Errorf("%s does not validate against the derived schema: %v", name, err)
		}
		golden(t, filepath.Join("demo-qpp", name), b)
	}
}
