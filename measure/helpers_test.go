package measure

import (
	"iter"
	"testing"
)

// rowsOf collects rows, failing t on a row that cannot be read.
func rowsOf[T any](t testing.TB, rows iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for v, err := range rows {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// resultOf finishes e, failing t when it cannot.
func resultOf(t testing.TB, e *Evaluator) *Result {
	t.Helper()
	r, err := e.Result()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// worklistOf is r.Worklist(npi), failing t on an error.
func worklistOf(t testing.TB, r *Result, npi string) Worklist {
	t.Helper()
	w, err := r.Worklist(npi)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
