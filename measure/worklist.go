package measure

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// Worklist is the clinicians' note worklist (SPEC §4 `mipspi notes`): every seen visit
// whose note is missing, unsigned, unlocked or released late, grouped by clinician.
type Worklist struct {
	AsOf       time.Time
	Clinicians []WorkClinician // sorted by TIN, NPI
}

// WorkClinician is one clinician's (TIN+NPI) worklist.
type WorkClinician struct {
	Entity    int // index into Result.Entities (the individual entity)
	TIN, NPI  string
	Clinician string
	Notes     int // note rows (Items)
	// FixableNotes are the items that can still count (WorkItem.CanCount): they come
	// first in Items.
	FixableNotes int
	RateNow      float64 // the entity's Rate
	RateIfLocked float64 // NumeratorIfNotesLocked / Denominator, rounded to 4 decimals

	rows  Rows[Issue]        // where Items reads the rows
	items []workKey          // this clinician's items, in order
	facts map[int64]WorkFact // what the rows do not say (blockers.go)
}

// WorkItem is one note of the worklist: its issue row (R10) and whether locking it can
// still bring the patient into the clinician's numerator.
type WorkItem struct {
	Issue
	// CanCount: the visit is pending (R9) and the patient can still count in the
	// clinician's entity under the policy (R8) — no other visit already decided it.
	CanCount bool
	// Blocker is why not, when !CanCount.
	Blocker Blocker
	// NeedsInvitation, NeedsAPI: the note can still count, but only with a portal
	// invitation or the patient API in time as well (locking alone is not enough).
	NeedsInvitation, NeedsAPI bool
}

// noteCode reports whether c is about the visit's note (the clinicians' worklist).
func noteCode(c Code) bool {
	switch c {
	case NoteMissing, NoteUnsigned, NoteNotLocked, NoteLockedLate, NoteSignedLate:
		return true
	}
	return false
}

// workKey is one worklist item: small and pointer-free. Items are not expanded up front:
// at a health system's scale the expanded rows would be most of a workbook's memory.
type workKey struct {
	pos    int64 // where the row is kept (Rows.At)
	appt   int64
	fixBy  calendar.Date
	clin   int32 // index into Worklist.Clinicians
	cannot bool  // the item cannot count any more: it sorts after those that can
}

// Worklist is the clinicians' note worklist (SPEC §4 `mipspi notes`): the note rows of
// R10 grouped per individual entity (TIN+NPI), each clinician's items that can still
// count first (WorkItem.CanCount), then those that cannot, each part sorted by fix-by
// date (the lock-by date, R9) then appointment. npi "" lists every clinician of the
// result; otherwise only that NPI (under each of its TINs). Every matching individual
// entity is listed, also with no items, so a clinician sees their rate either way.
// RateIfLocked is the what-if of R9: pending notes locked at the as-of instant.
//
// It reads the issue rows once and keeps a small key per item; WorkClinician.Items
// reads each item again from the rows.
func (r *Result) Worklist(npi string) (Worklist, error) {
	w := Worklist{AsOf: r.Config.AsOf}
	for i, en := range r.Entities {
		if en.Level != Individual || (npi != "" && en.NPI != npi) {
			continue
		}
		wc := WorkClinician{Entity: i, TIN: en.TIN, NPI: en.NPI, Clinician: en.Clinician, RateNow: en.Rate}
		if en.Denominator > 0 {
			wc.RateIfLocked = Round(float64(en.NumeratorIfNotesLocked)/float64(en.Denominator), 4)
		}
		w.Clinicians = append(w.Clinicians, wc)
	}
	slices.SortStableFunc(w.Clinicians, func(a, b WorkClinician) int {
		if c := strings.Compare(a.TIN, b.TIN); c != 0 {
			return c
		}
		return strings.Compare(a.NPI, b.NPI)
	})
	type key struct{ tin, npi string }
	at := make(map[key]int32, len(w.Clinicians))
	for j, wc := range w.Clinicians {
		at[key{wc.TIN, wc.NPI}] = int32(j)
	}
	rows := orNone(r.Issues)
	var keys []workKey
	err := rows.Scan(func(pos int64, is *Issue) error {
		if !noteCode(is.Code) {
			return nil
		}
		j, ok := at[key{is.TIN, is.NPI}]
		if !ok {
			return nil
		}
		wc := &w.Clinicians[j]
		wc.Notes++
		cannot := !is.Fixable || r.Work[is.AppointmentID].Blocker.Kind != NotBlocked
		if !cannot {
			wc.FixableNotes++
		}
		keys = append(keys, workKey{pos: pos, appt: is.AppointmentID, fixBy: is.FixBy, clin: j, cannot: cannot})
		return nil
	})
	if err != nil {
		return Worklist{}, fmt.Errorf("the clinicians' worklist: %w", err)
	}
	// Positions grow in the order rows were kept, so they break ties as that order does.
	slices.SortFunc(keys, func(a, b workKey) int {
		if a.clin != b.clin {
			return cmp.Compare(a.clin, b.clin)
		}
		if a.cannot != b.cannot {
			return cmpBool(a.cannot, b.cannot)
		}
		if a.fixBy != b.fixBy {
			return cmp.Compare(a.fixBy, b.fixBy)
		}
		if a.appt != b.appt {
			return cmp.Compare(a.appt, b.appt)
		}
		return cmp.Compare(a.pos, b.pos)
	})
	lo := 0
	for j := range w.Clinicians {
		wc := &w.Clinicians[j]
		wc.rows, wc.items, wc.facts = rows, keys[lo:lo+wc.Notes:lo+wc.Notes], r.Work
		lo += wc.Notes
	}
	return w, nil
}

// Items yields the clinician's notes: those that can still count first, then the
// others, each part sorted by FixBy (the lock-by date, R9), then appointment. A row
// that cannot be read back is yielded as an error, which ends them.
func (wc WorkClinician) Items() iter.Seq2[WorkItem, error] {
	return func(yield func(WorkItem, error) bool) {
		for _, k := range wc.items {
			is, err := wc.rows.At(k.pos)
			if err != nil {
				yield(WorkItem{}, fmt.Errorf("the worklist of NPI %s: %w", wc.NPI, err))
				return
			}
			if !yield(wc.item(is, k.cannot), nil) {
				return
			}
		}
	}
}

// OnlyFixable is the worklist with only the notes that can still count (`mipspi notes
// --fixable`); every clinician stays, with their rates.
func (w Worklist) OnlyFixable() Worklist {
	out := w
	out.Clinicians = slices.Clone(w.Clinicians)
	for i := range out.Clinicians {
		wc := &out.Clinicians[i]
		wc.items = wc.items[:wc.FixableNotes:wc.FixableNotes]
		wc.Notes = wc.FixableNotes
	}
	return out
}

// item is the worklist item of row is: whether it can still count and, if not, why
// (the row's own lateness, or what blockers.go kept about its appointment).
func (wc WorkClinician) item(is Issue, cannot bool) WorkItem {
	it := WorkItem{Issue: is}
	f := wc.facts[is.AppointmentID]
	switch {
	case !cannot:
		it.CanCount, it.NeedsInvitation, it.NeedsAPI = true, f.NeedsInvitation, f.NeedsAPI
	case is.Fixable || f.Blocker.Kind != NotBlocked:
		it.Blocker = f.Blocker // the visit is pending, the patient's standing is decided
	case is.HasEvent:
		it.Blocker = Blocker{Kind: NoteLate, Date: is.EventDate, Code: is.Code}
	default:
		it.Blocker = Blocker{Kind: FixByPassed}
	}
	return it
}

// WhyNot is why the note cannot count any more, "" when it can (Blocker.String).
func (it WorkItem) WhyNot() string { return it.Blocker.String() }

// AlsoNeeds is what else a note that can still count needs by its lock-by date, ""
// when locking it is enough or it cannot count: "an invitation", "the patient API",
// "an invitation and the patient API".
func (it WorkItem) AlsoNeeds() string {
	switch {
	case !it.CanCount:
		return ""
	case it.NeedsInvitation && it.NeedsAPI:
		return "an invitation and the patient API"
	case it.NeedsInvitation:
		return "an invitation"
	case it.NeedsAPI:
		return "the patient API"
	}
	return ""
}

// Standing is the worklist's "can still count" cell as people read it: "yes",
// "yes, with an invitation too by 2025-03-31", "no: lock-by date passed".
func (it WorkItem) Standing() string {
	if !it.CanCount {
		return "no: " + it.WhyNot()
	}
	if also := it.AlsoNeeds(); also != "" {
		by := it.FixBy
		if by == 0 {
			by = it.Deadline
		}
		return fmt.Sprintf("yes, with %s too by %s", also, by)
	}
	return "yes"
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
