package reports

// De-identification for reports that leave the practice (issue 7, `--deidentify`):
// patient names, MRNs and birth dates become keyed hashes. The key comes from the caller
// (a flag or environment variable) and is never stored; the same key gives the same
// pseudonym, so rows of one patient still line up across sheets, runs and formats, while
// without the key a pseudonym cannot be checked against a guessed MRN. Patient ids stay:
// they are the EHR's internal keys, needed to act on a row.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"iter"
	"strings"

	"github.com/mipspi/mipspi/measure"
)

// anonPrefix marks a pseudonym.
const anonPrefix = "anon-"

// Deidentify returns a de-identified view of r: patient names and MRNs in the issue
// rows and the drill-down become "anon-" + the first 16 hex digits of
// HMAC-SHA256(key, field + value), and birth dates are dropped (a Date cannot hold a
// hash; the patient id and the name pseudonym already identify the row). The free text
// of patient data-quality rows (the bad email, the duplicate's name and birth date) is
// hashed as well. Empty values stay empty. Rows are mapped as they are read, so nothing
// is expanded or copied up front; r itself is left unchanged (the view reads the same
// kept rows), and everything read from the view (the worklist included) is
// de-identified, whatever the order of calls.
func Deidentify(r *measure.Result, key []byte) *measure.Result {
	if r == nil {
		return nil
	}
	p := &pseudonymizer{mac: hmac.New(sha256.New, key)}
	v := *r
	if r.Issues != nil {
		v.Issues = &mappedRows[measure.Issue]{rows: r.Issues, f: func(is *measure.Issue) {
			is.MRN = p.anon("mrn", is.MRN)
			if patientText(is.Code) {
				is.Text = p.anon("text", is.Text)
			}
		}}
	}
	if r.Outcomes != nil {
		v.Outcomes = &mappedRows[measure.Outcome]{rows: r.Outcomes, f: func(o *measure.Outcome) {
			if o.PatientKey == "" { // before the names and birth date are replaced
				o.PatientKey = p.patientKey(o)
			}
			o.MRN = p.anon("mrn", o.MRN)
			o.FirstName = p.anon("first_name", o.FirstName)
			o.LastName = p.anon("last_name", o.LastName)
			o.BirthDate, o.HasBirthDate = 0, false
		}}
	}
	return &v
}

// mappedRows reads rows with f applied to each.
type mappedRows[T any] struct {
	rows measure.Rows[T]
	f    func(*T)
}

func (m *mappedRows[T]) Len() int { return m.rows.Len() }

func (m *mappedRows[T]) All() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for v, err := range m.rows.All() {
			if err == nil {
				m.f(&v)
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

func (m *mappedRows[T]) Scan(f func(int64, *T) error) error {
	return m.rows.Scan(func(pos int64, v *T) error {
		m.f(v)
		return f(pos, v)
	})
}

func (m *mappedRows[T]) At(pos int64) (T, error) {
	v, err := m.rows.At(pos)
	if err == nil {
		m.f(&v)
	}
	return v, err
}

// patientKey is the pseudonym of the person behind an outcome, the same in every report
// made with the same key whatever the EHR (SPEC §7, `mipspi combine --match patients`):
// a keyed hash of last name, first name and birth date, compared without case and extra
// spaces. Patient ids and MRNs are not used: two EHRs number patients differently. A
// patient without a birth date or a last name gets no key and is never matched.
func (p *pseudonymizer) patientKey(o *measure.Outcome) string {
	if !o.HasBirthDate || strings.TrimSpace(o.LastName) == "" || isAnon(o.LastName) {
		return ""
	}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	return p.anon("patient", norm(o.LastName)+"\x00"+norm(o.FirstName)+"\x00"+o.BirthDate.String())
}

// KeyID names a pseudonymisation key without revealing it: reports made with the same
// key carry the same id, so `mipspi combine --match patients` can refuse reports whose
// pseudonyms cannot match (SPEC §7).
func KeyID(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("mipspi pseudonym key id"))
	return hex.EncodeToString(mac.Sum(nil)[:6])
}

// patientText reports whether an issue code's Text carries patient data (R10): the
// email that is not an email, the name and birth date shared by possible duplicates.
func patientText(c measure.Code) bool {
	return c == measure.InvalidEmail || c == measure.PossibleDuplicatePatient
}

type pseudonymizer struct {
	mac hash.Hash
	sum []byte
}

// anon hashes value under field (so an MRN and a name that happen to be equal get
// different pseudonyms). Already-pseudonymous values are kept, so calling Deidentify
// twice with the same key changes nothing more.
func (p *pseudonymizer) anon(field, value string) string {
	if value == "" || isAnon(value) {
		return value
	}
	p.mac.Reset()
	p.mac.Write([]byte(field))
	p.mac.Write([]byte{0})
	p.mac.Write([]byte(value))
	p.sum = p.mac.Sum(p.sum[:0])
	return anonPrefix + hex.EncodeToString(p.sum[:8])
}

func isAnon(s string) bool {
	if len(s) != len(anonPrefix)+16 || s[:len(anonPrefix)] != anonPrefix {
		return false
	}
	_, err := hex.DecodeString(s[len(anonPrefix):])
	return err == nil
}
