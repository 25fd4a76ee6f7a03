package measure

import "sort"

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
func (r *Result) Worklist(npi string) Worklist {
	w := Worklist{AsOf: r.Config.AsOf}
	type key struct{ tin, npi string }
	at := map[key]int{}
	for i, en := range r.Entities {
		if en.Level != Individual || (npi != "" && en.NPI != npi) {
			continue
		}
		wc := WorkClinician{Entity: i, TIN: en.TIN, NPI: en.NPI, Clinician: en.Clinician, RateNow: en.Rate}
		if en.Denominator > 0 {
			wc.RateIfLocked = round(float64(en.NumeratorIfNotesLocked)/float64(en.Denominator), 4)
		}
		at[key{en.TIN, en.NPI}] = len(w.Clinicians)
		w.Clinicians = append(w.Clinicians, wc)
	}
	for is := range r.AllIssues() {
		if !noteCode(is.Code) {
			continue
		}
		j, ok := at[key{is.TIN, is.NPI}]
		if !ok {
			continue
		}
		wc := &w.Clinicians[j]
		wc.Items = append(wc.Items, is)
		if is.Fixable {
			wc.FixableNotes++
		}
	}
	for j := range w.Clinicians {
		items := w.Clinicians[j].Items
		sort.SliceStable(items, func(a, b int) bool {
			if items[a].FixBy != items[b].FixBy {
				return items[a].FixBy < items[b].FixBy
			}
			return items[a].AppointmentID < items[b].AppointmentID
		})
	}
	sort.SliceStable(w.Clinicians, func(a, b int) bool {
		if w.Clinicians[a].TIN != w.Clinicians[b].TIN {
			return w.Clinicians[a].TIN < w.Clinicians[b].TIN
		}
		return w.Clinicians[a].NPI < w.Clinicians[b].NPI
	})
	return w
}
