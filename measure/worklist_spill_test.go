package measure

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// evalKeep evaluates the generated practice with the drill-down kept, issue rows and
// outcomes spilled to is and os (nil: kept in memory) past rows.
func evalKeep(t *testing.T, seed uint64, patients int, is, os Spill, rows int) *Result {
	t.Helper()
	cfg, p, recs := genPractice(seed, patients)
	cfg.KeepPatients = true
	e, err := NewEvaluator(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	if is != nil {
		e.SetSpill(is, rows)
	}
	if os != nil {
		e.SetOutcomeSpill(os, rows)
	}
	for i := range recs {
		if err := e.Add(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return e.Result()
}

// refWorklist is the worklist as it was built before its items were kept as keys:
// every note row expanded in memory, grouped per clinician and sorted stably by
// fix-by date then appointment.
func refWorklist(r *Result) []workView {
	var out []workView
	for i, en := range r.Entities {
		if en.Level != Individual {
			continue
		}
		v := workView{Entity: i, TIN: en.TIN, NPI: en.NPI, Clinician: en.Clinician, RateNow: en.Rate}
		if en.Denominator > 0 {
			v.RateIfLocked = round(float64(en.NumeratorIfNotesLocked)/float64(en.Denominator), 4)
		}
		out = append(out, v)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].TIN != out[b].TIN {
			return out[a].TIN < out[b].TIN
		}
		return out[a].NPI < out[b].NPI
	})
	for is := range r.AllIssues() {
		if !noteCode(is.Code) {
			continue
		}
		for j := range out {
			if out[j].TIN == is.TIN && out[j].NPI == is.NPI {
				out[j].Items = append(out[j].Items, is)
				out[j].Notes++
				if is.Fixable {
					out[j].FixableNotes++
				}
			}
		}
	}
	for j := range out {
		items := out[j].Items
		sort.SliceStable(items, func(a, b int) bool {
			if items[a].FixBy != items[b].FixBy {
				return items[a].FixBy < items[b].FixBy
			}
			return items[a].AppointmentID < items[b].AppointmentID
		})
	}
	return out
}

// plainSpill hides memSpill's io.ReaderAt: the worklist must then keep the spilled
// note rows it needs.
type plainSpill struct{ m *memSpill }

func (p plainSpill) Write(b []byte) (int, error) { return p.m.Write(b) }
func (p plainSpill) ReadBack() (io.Reader, error) {
	r, err := p.m.ReadBack()
	return struct{ io.Reader }{r}, err
}

// The worklist read through keys gives the very items, in the very order, of the old
// in-memory sort: with every row in memory, spilled (read at offsets, or kept when the
// spill cannot be read at an offset), through a mapped copy, and from any item on.
func TestWorklistSpilledSameItems(t *testing.T) {
	mem := evalKeep(t, 5, 3000, nil, nil, 0)
	want := refWorklist(mem)
	notes := 0
	for _, v := range want {
		notes += v.Notes
	}
	if len(want) < 5 || notes < 200 {
		t.Fatalf("practice has %d clinicians and %d note rows: too few to test", len(want), notes)
	}
	if diff := viewWorklist(mem.Worklist("")); !reflect.DeepEqual(diff, want) {
		t.Errorf("in memory: worklist differs from the in-memory sort")
	}
	for _, rows := range []int{1, 37, notes / 2} {
		for name, sp := range map[string]Spill{"at offsets": &memSpill{}, "kept": plainSpill{&memSpill{}}} {
			r := evalKeep(t, 5, 3000, sp, nil, rows)
			if got := viewWorklist(r.Worklist("")); !reflect.DeepEqual(got, want) {
				t.Errorf("rows=%d %s: worklist differs from the in-memory sort", rows, name)
			}
			wl := r.Mapped(func(is *Issue) { is.MRN = "m" + is.MRN }).Worklist("")
			for j, wc := range wl.Clinicians {
				for k, is := range slices.Collect(wc.Items()) {
					if w := want[j].Items[k]; is.MRN != "m"+w.MRN || is.AppointmentID != w.AppointmentID {
						t.Fatalf("rows=%d %s: mapped item %d/%d = %s %d, want m%s %d", rows, name, j, k, is.MRN, is.AppointmentID, w.MRN, w.AppointmentID)
					}
				}
				for _, k := range []int{0, 1, wc.Notes / 2, wc.Notes - 1, wc.Notes, wc.Notes + 3} {
					var ids, wantIDs []int64
					for is := range wc.ItemsFrom(k) {
						ids = append(ids, is.AppointmentID)
					}
					for _, is := range want[j].Items[min(k, len(want[j].Items)):] {
						wantIDs = append(wantIDs, is.AppointmentID)
					}
					if !slices.Equal(ids, wantIDs) {
						t.Errorf("rows=%d %s clinician %d: ItemsFrom(%d) = %d items, want %d", rows, name, j, k, len(ids), len(wantIDs))
					}
				}
			}
			if r.Err() != nil {
				t.Errorf("rows=%d %s: Err %v", rows, name, r.Err())
			}
		}
	}
}

// failAt is a spill whose reads at an offset fail once broken is set.
type failAt struct {
	m      *memSpill
	broken *bool
}

func (f failAt) Write(b []byte) (int, error) { return f.m.Write(b) }
func (f failAt) ReadBack() (io.Reader, error) {
	r, err := f.m.ReadBack()
	if err != nil {
		return nil, err
	}
	return failAtReader{r.(*bytes.Reader), f.broken}, nil
}

type failAtReader struct {
	*bytes.Reader
	broken *bool
}

func (f failAtReader) ReadAt(p []byte, off int64) (int, error) {
	if *f.broken {
		return 0, errors.New("device gone")
	}
	return f.Reader.ReadAt(p, off)
}

// A spill that cannot be read back while the worklist reads its items ends them early
// and says so through Err.
func TestWorklistSpillReadError(t *testing.T) {
	broken := false
	r := evalKeep(t, 5, 3000, failAt{&memSpill{}, &broken}, nil, 1)
	wl := r.Worklist("")
	broken = true
	n, want := 0, 0
	for _, wc := range wl.Clinicians {
		want += wc.Notes
		for range wc.Items() {
			n++
		}
	}
	if n >= want || r.Err() == nil {
		t.Errorf("read %d of %d items, Err %v: want fewer and an error", n, want, r.Err())
	}
}

// Outcomes past the threshold read back as the outcomes kept in memory, in order, from
// any row on, through a mapped copy, and as often as they are read.
func TestOutcomesSpilledSame(t *testing.T) {
	mem := evalKeep(t, 5, 3000, nil, nil, 0)
	want := slices.Collect(mem.AllOutcomes())
	if len(want) < 3*outcomeMark/16 || len(want) != mem.OutcomeCount() {
		t.Fatalf("%d outcomes (count %d): too few to test", len(want), mem.OutcomeCount())
	}
	for _, rows := range []int{1, 100, len(want) - 1, len(want), len(want) + 1} {
		for name, sp := range map[string]Spill{"at offsets": &memSpill{}, "sequential": plainSpill{&memSpill{}}} {
			r := evalKeep(t, 5, 3000, &memSpill{}, sp, rows)
			if r.OutcomeCount() != len(want) {
				t.Errorf("rows=%d %s: OutcomeCount %d, want %d", rows, name, r.OutcomeCount(), len(want))
			}
			for pass := 0; pass < 2; pass++ {
				if got := slices.Collect(r.AllOutcomes()); !reflect.DeepEqual(got, want) {
					t.Errorf("rows=%d %s pass %d: %d outcomes differ from the %d kept in memory", rows, name, pass, len(got), len(want))
				}
			}
			for _, k := range []int{-1, 1, 99, len(want) / 2, len(want) - 1, len(want), len(want) + 5} {
				got := slices.Collect(r.OutcomesFrom(k))
				if w := want[min(max(k, 0), len(want)):]; !reflect.DeepEqual(got, w) && !(len(got) == 0 && len(w) == 0) {
					t.Errorf("rows=%d %s: OutcomesFrom(%d) gives %d outcomes, want %d", rows, name, k, len(got), len(w))
				}
			}
			n := 0
			for o := range r.MappedOutcomes(func(o *Outcome) { o.MRN = "x" }).AllOutcomes() {
				if o.MRN != "x" {
					t.Fatalf("rows=%d %s: mapping not applied", rows, name)
				}
				n++
			}
			if n != len(want) {
				t.Errorf("rows=%d %s: mapped copy read %d outcomes, want %d", rows, name, n, len(want))
			}
			if r.Err() != nil {
				t.Errorf("rows=%d %s: Err %v", rows, name, r.Err())
			}
		}
	}
}

// The marks that let a continuation sheet start mid-spill: many outcomes, a few
// thousand per flush, read from just before, at and after a mark.
func TestOutcomesFromMarks(t *testing.T) {
	var s outcomeStore
	m := &memSpill{}
	s.sp = &spillState{spill: m, at: 3000}
	n := 3*outcomeMark + 123
	for i := 0; i < n; i++ {
		s.add(Outcome{Entity: i % 3, PatientID: int64(i), MRN: "M" + string(rune('a'+i%26)), SeenVisits: i % 7})
	}
	s.finish()
	if s.sp.spilled == 0 || len(s.marks) < 3 {
		t.Fatalf("spilled %d, %d marks", s.sp.spilled, len(s.marks))
	}
	for _, k := range []int{0, outcomeMark - 1, outcomeMark, outcomeMark + 1, 2*outcomeMark + 5, s.sp.spilled - 1, s.sp.spilled, n - 1} {
		next := int64(k)
		for o := range s.from(k) {
			if o.PatientID != next || o.SeenVisits != int(next%7) || o.Entity != int(next%3) {
				t.Fatalf("from(%d): outcome %d read as %+v", k, next, o)
			}
			next++
		}
		if next != int64(n) {
			t.Errorf("from(%d): ended at %d, want %d", k, next, n)
		}
	}
}

// A spill failure while outcomes are stored or read back is reported by Err, never a
// short drill-down passed off as whole.
func TestOutcomesSpillErrors(t *testing.T) {
	boom := errors.New("disk full")
	r := evalKeep(t, 5, 3000, nil, &memSpill{failWrite: boom}, 1)
	if !errors.Is(r.Err(), boom) {
		t.Errorf("write failure: Err %v, want %v", r.Err(), boom)
	}
	for _, m := range []*memSpill{{failRead: boom}, {truncate: 3}} {
		r := evalKeep(t, 5, 3000, nil, m, 1)
		if r.Err() != nil {
			t.Fatalf("before reading: Err %v", r.Err())
		}
		if n := len(slices.Collect(r.AllOutcomes())); n >= r.OutcomeCount() {
			t.Errorf("read failure: %d outcomes of %d read", n, r.OutcomeCount())
		}
		if r.Err() == nil {
			t.Errorf("read failure (%+v): Err is nil", m.failRead)
		}
	}
}
