package measure

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

// memSpill is a Spill in memory, counting what it was asked to do.
type memSpill struct {
	buf       bytes.Buffer
	writes    int
	failWrite error
	failRead  error
	truncate  int // bytes cut off the end on ReadBack
}

func (m *memSpill) Write(p []byte) (int, error) {
	if m.failWrite != nil {
		return 0, m.failWrite
	}
	m.writes++
	return m.buf.Write(p)
}

func (m *memSpill) ReadBack() (io.Reader, error) {
	if m.failRead != nil {
		return nil, m.failRead
	}
	b := m.buf.Bytes()
	return bytes.NewReader(b[:len(b)-m.truncate]), nil
}

func evalWith(t *testing.T, seed uint64, patients int, s Spill, rows int) (*Result, error) {
	t.Helper()
	cfg, p, recs := genPractice(seed, patients)
	// Patient-level rows too: unusable emails and same name and birth date, both ways
	// round in id order.
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
	e, err := NewEvaluator(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	if s != nil {
		e.SetSpill(s, rows)
	}
	for i := range recs {
		if err := e.Add(&recs[i]); err != nil {
			return nil, err
		}
	}
	return e.Result(), nil
}

func collect(r *Result) []Issue {
	var out []Issue
	for is := range r.AllIssues() {
		out = append(out, is)
	}
	return out
}

// Spilled rows read back as the very rows kept in memory, in the same order, at any
// threshold, and as often as they are read.
func TestSpillSameRows(t *testing.T) {
	base, err := evalWith(t, 3, 3000, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := collect(base)
	if len(want) < 100 {
		t.Fatalf("practice has only %d issue rows", len(want))
	}
	codes := map[Code]bool{}
	for _, is := range want {
		codes[is.Code] = true
	}
	for _, c := range []Code{InvitedLate, InvalidEmail, PossibleDuplicatePatient, NoteMissing} {
		if !codes[c] {
			t.Errorf("practice has no %s row: the test would not cover its patient fields", c)
		}
	}
	for _, rows := range []int{1, 2, 7, 100, len(want) - 1, len(want), len(want) + 1} {
		m := &memSpill{}
		r, err := evalWith(t, 3, 3000, m, rows)
		if err != nil {
			t.Fatal(err)
		}
		if r.IssueCount() != base.IssueCount() {
			t.Errorf("rows=%d: IssueCount %d, want %d", rows, r.IssueCount(), base.IssueCount())
		}
		for pass := 0; pass < 2; pass++ {
			if got := collect(r); !reflect.DeepEqual(got, want) {
				t.Errorf("rows=%d pass %d: %d rows differ from the %d kept in memory", rows, pass, len(got), len(want))
			}
		}
		if r.Err() != nil {
			t.Errorf("rows=%d: Err %v", rows, r.Err())
		}
		// Threshold edge: rows spill only once a patient starts with the threshold reached.
		// Below the threshold nothing is written; at or past it, rows spill once the
		// next patient starts.
		stored := len(want) - len(r.issues.tail)
		if spilled := m.buf.Len() > 0; (rows > stored && spilled) || (rows < stored && !spilled) {
			t.Errorf("rows=%d: spilled=%v with %d stored rows", rows, spilled, stored)
		}
		// Mapped copies read the same spill.
		n := 0
		for range r.Mapped(func(is *Issue) { is.MRN = "x" }).AllIssues() {
			n++
		}
		if n != len(want) {
			t.Errorf("rows=%d: Mapped read %d rows, want %d", rows, n, len(want))
		}
	}
}

func TestSpillErrors(t *testing.T) {
	boom := errors.New("disk full")
	if _, err := evalWith(t, 3, 3000, &memSpill{failWrite: boom}, 1); !errors.Is(err, boom) {
		t.Errorf("write failure: Add error %v, want %v", err, boom)
	}
	for _, m := range []*memSpill{{failRead: boom}, {truncate: 3}} {
		r, err := evalWith(t, 3, 3000, m, 1)
		if err != nil {
			t.Fatal(err)
		}
		m.failWrite = errors.New("no write after the result")
		if n := len(collect(r)); n >= r.IssueCount() {
			t.Errorf("read failure: %d rows of %d read", n, r.IssueCount())
		}
		if r.Err() == nil {
			t.Errorf("read failure (%+v): Err is nil", m.failRead)
		}
	}
}

// BenchmarkEvaluateSpill is BenchmarkEvaluateReadIssues with the rows spilled (to
// memory, every 4,096 rows) and read back: the engine's cost of encoding and decoding.
func BenchmarkEvaluateSpill(b *testing.B) {
	cfg, p, recs := genPractice(1, 50_000)
	visits := 0
	for i := range recs {
		visits += len(recs[i].Visits)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, err := NewEvaluator(cfg, p)
		if err != nil {
			b.Fatal(err)
		}
		e.SetSpill(&memSpill{}, 4096)
		for j := range recs {
			if err := e.Add(&recs[j]); err != nil {
				b.Fatal(err)
			}
		}
		n := 0
		for range e.Result().AllIssues() {
			n++
		}
		if n == 0 {
			b.Fatal("no rows")
		}
	}
	b.ReportMetric(float64(visits)*float64(b.N)/b.Elapsed().Seconds(), "visits/s")
}
