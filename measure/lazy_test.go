package measure

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// evalLazy is Evaluate with LazyResult.
func evalLazy(t *testing.T, cfg Config, p Practice, recs []PatientRecord) *Result {
	t.Helper()
	e, err := NewEvaluator(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := e.Add(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return e.LazyResult()
}

func TestLazyResultEqualsResult(t *testing.T) {
	for _, tc := range []struct {
		name     string
		seed     uint64
		patients int
		keep     bool
	}{
		{"small practice", 3, 200, false},
		{"larger practice with drill-down", 5, 3000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, p, recs := genPractice(tc.seed, tc.patients)
			cfg.KeepPatients = tc.keep
			eager, err := Evaluate(cfg, p, recs)
			if err != nil {
				t.Fatal(err)
			}
			lazy := evalLazy(t, cfg, p, recs)
			if lazy.Issues != nil {
				t.Fatalf("LazyResult set Issues (%d rows); want them expanded on demand", len(lazy.Issues))
			}
			if lazy.IssueCount() != len(eager.Issues) || len(eager.Issues) == 0 {
				t.Fatalf("IssueCount = %d, eager result has %d issues (want equal, > 0)", lazy.IssueCount(), len(eager.Issues))
			}
			if diff := cmp.Diff(eager.Issues, slices.Collect(lazy.AllIssues())); diff != "" {
				t.Errorf("lazy issue rows differ (-eager +lazy):\n%s", diff)
			}
			// Everything else is the same result.
			for _, f := range []struct {
				name string
				a, b any
			}{
				{"Entities", eager.Entities, lazy.Entities}, {"Outcomes", eager.Outcomes, lazy.Outcomes},
				{"Findings", eager.Findings, lazy.Findings}, {"Statuses", eager.Statuses, lazy.Statuses},
				{"Counts", eager.Counts, lazy.Counts}, {"ReleaseLag", eager.ReleaseLag, lazy.ReleaseLag},
			} {
				if diff := cmp.Diff(f.a, f.b); diff != "" {
					t.Errorf("%s differ (-eager +lazy):\n%s", f.name, diff)
				}
			}
		})
	}
}

func TestMapIssuesBothForms(t *testing.T) {
	cfg, p, recs := genPractice(7, 300)
	mark := func(is *Issue) { is.MRN = "x-" + is.MRN }
	eager, err := Evaluate(cfg, p, recs)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(eager.Issues)
	for i := range want {
		mark(&want[i])
	}
	eager.MapIssues(mark)
	lazy := evalLazy(t, cfg, p, recs)
	lazy.MapIssues(mark)
	for _, tc := range []struct {
		name string
		r    *Result
	}{{"eager", eager}, {"lazy", lazy}} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(want, slices.Collect(tc.r.AllIssues())); diff != "" {
				t.Errorf("mapped issues differ (-want +got):\n%s", diff)
			}
		})
	}
}
