package measure

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/mipspi/mipspi/calendar"
)

// noteCode reports whether c is about the visit's note (the clinicians' worklist).
func noteCode(c Code) bool {
	switch c {
	case NoteMissing, NoteUnsigned, NoteNotLocked, NoteLockedLate, NoteSignedLate:
		return true
	}
	return false
}

// Worklist is the clinicians' note worklist (SPEC §4 `mipspi notes`): the note rows of
// R10 grouped per individual entity (TIN+NPI), each clinician's items sorted by
// fix-by date (the lock-by date, R9) then appointment. npi "" lists every clinician of the
// result; otherwise only that NPI (under each of its TINs). Every matching individual
// entity is listed, also with no items, so a clinician sees their rate either way.
// RateIfLocked is the what-if of R9: pending notes locked at the as-of instant.
//
// The items are not expanded here (issue 17: at 5M appointments a million and a half
// expanded rows were most of a workbook's memory): the worklist keeps a small key per
// item (clinician, fix-by date, appointment, where the row is stored) and reads each
// row again from the issue store, or the spill, when WorkClinician.Items is ranged
// over. After reading them, a non-nil Result.Err means the items read were incomplete.
func (r *Result) Worklist(npi string) Worklist {
	w := Worklist{AsOf: r.Config.AsOf}
	for i, en := range r.Entities {
		if en.Level != Individual || (npi != "" && en.NPI != npi) {
			continue
		}
		wc := WorkClinician{Entity: i, TIN: en.TIN, NPI: en.NPI, Clinician: en.Clinician, RateNow: en.Rate}
		if en.Denominator > 0 {
			wc.RateIfLocked = round(float64(en.NumeratorIfNotesLocked)/float64(en.Denominator), 4)
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
	ws := &workStore{r: r}
	ws.collect(func(is *Issue) (int32, bool) {
		if !noteCode(is.Code) {
			return 0, false
		}
		j, ok := at[key{is.TIN, is.NPI}]
		if !ok {
			return 0, false
		}
		wc := &w.Clinicians[j]
		wc.Notes++
		if is.Fixable {
			wc.FixableNotes++
		}
		return j, true
	})
	// Stream order breaks ties: loc grows with it (workStore).
	slices.SortFunc(ws.keys, func(a, b workKey) int {
		if a.clin != b.clin {
			return cmp.Compare(a.clin, b.clin)
		}
		if a.fixBy != b.fixBy {
			return cmp.Compare(a.fixBy, b.fixBy)
		}
		if a.appt != b.appt {
			return cmp.Compare(a.appt, b.appt)
		}
		return cmp.Compare(a.loc, b.loc)
	})
	lo := 0
	for j := range w.Clinicians {
		w.Clinicians[j].items, w.Clinicians[j].lo = ws, lo
		lo += w.Clinicians[j].Notes
	}
	return w
}

// workKey is one worklist item: small and pointer-free.
type workKey struct {
	loc   int64 // where the row is (workStore.row)
	appt  int64
	fixBy calendar.Date
	clin  int32 // index into Worklist.Clinicians
}

// workStore is where a worklist's items are read from. A row's loc counts, in stream
// order: the spilled rows by their byte offset in the spill (or, when the spill cannot
// be read at an offset, their index in held), then the rows in memory, then the tail.
type workStore struct {
	r    *Result
	keys []workKey
	ra   io.ReaderAt // the spill, read at a row's offset; nil: held
	held []Issue     // spilled rows kept whole when ra is nil
	base int64       // locs below it are spilled rows
	br   *bufio.Reader
	at   atReader
}

// collect ranges over every issue row once (as AllIssues yields them, mapping
// included) and keeps a key for each row pick accepts.
func (ws *workStore) collect(pick func(*Issue) (int32, bool)) {
	s := &ws.r.issues
	f := ws.r.mapping
	add := func(loc int64, is *Issue) {
		if f != nil {
			f(is)
		}
		if j, ok := pick(is); ok {
			ws.keys = append(ws.keys, workKey{loc: loc, appt: is.AppointmentID, fixBy: is.FixBy, clin: j})
		}
	}
	if s.sp != nil && s.sp.spilled > 0 && s.sp.err == nil {
		src, err := s.sp.spill.ReadBack()
		if err != nil {
			s.sp.err = fmt.Errorf("read back spilled issue rows: %w", err)
			return
		}
		ws.ra, _ = src.(io.ReaderAt)
		if ws.ra != nil {
			ws.base = s.sp.bytes
		}
		ok := s.spilledRowsAt(src, func(off int64, is Issue) bool {
			if ws.ra != nil {
				add(off, &is)
				return true
			}
			n := len(ws.keys)
			add(int64(len(ws.held)), &is)
			if len(ws.keys) > n {
				ws.held = append(ws.held, is)
			} else {
				ws.held = append(ws.held, Issue{}) // keeps locs in step; never read
			}
			return true
		})
		if !ok {
			return
		}
		if ws.ra == nil {
			ws.base = int64(len(ws.held))
		}
	}
	for i := range s.rows {
		is := s.expand(&s.rows[i])
		add(ws.base+int64(i), &is)
	}
	for i := range s.tail {
		is := s.tail[i]
		add(ws.base+int64(len(s.rows)+i), &is)
	}
}

// row reads the issue row at loc again (mapping applied, as AllIssues would).
func (ws *workStore) row(loc int64) (Issue, error) {
	s := &ws.r.issues
	var is Issue
	switch {
	case loc < ws.base && ws.ra != nil:
		if ws.br == nil {
			ws.br = bufio.NewReaderSize(&ws.at, 512)
		}
		ws.at = atReader{ra: ws.ra, off: loc}
		ws.br.Reset(&ws.at)
		var fixed [spillRec]byte
		var err error
		if is, err = s.readRow(ws.br, fixed[:]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return Issue{}, err
		}
	case loc < ws.base:
		return ws.held[loc], nil // mapped when collected
	case loc < ws.base+int64(len(s.rows)):
		is = s.expand(&s.rows[loc-ws.base])
	default:
		is = s.tail[loc-ws.base-int64(len(s.rows))]
	}
	if f := ws.r.mapping; f != nil {
		f(&is)
	}
	return is, nil
}

// Items yields the clinician's note rows, sorted by FixBy (the lock-by date, R9), then
// appointment.
func (wc WorkClinician) Items() iter.Seq[Issue] { return wc.ItemsFrom(0) }

// ItemsFrom is Items without the first k.
func (wc WorkClinician) ItemsFrom(k int) iter.Seq[Issue] {
	return func(yield func(Issue) bool) {
		if wc.items == nil || k >= wc.Notes {
			return
		}
		ws := wc.items
		for _, key := range ws.keys[wc.lo+max(k, 0) : wc.lo+wc.Notes] {
			is, err := ws.row(key.loc)
			if err != nil {
				if sp := ws.r.issues.sp; sp != nil && sp.err == nil {
					sp.err = fmt.Errorf("read back a spilled worklist row: %w", err)
				}
				return
			}
			if !yield(is) {
				return
			}
		}
	}
}
