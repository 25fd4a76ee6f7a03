package measure

// R10's data-quality rows, which never change a figure: about a patient with a seen
// visit in a reported entity (INVALID_EMAIL, POSSIBLE_DUPLICATE_PATIENT), after that
// patient's visit rows; and, once every patient is in, about the reported TINs
// (INVALID_TIN) and the NPIs with a seen visit in a reported entity (INVALID_NPI),
// sorted, after every other row.

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// qualityRows observes the visits and patients and keeps the data-quality rows in the
// same store as the issue rows.
type qualityRows struct {
	rows       RowStore[Issue]
	tins, npis []string
	npiSeen    []bool // NPI has a seen visit in a reported entity (INVALID_NPI)
	dups       nameIndex
}

// patient writes the patient's rows when they have a seen visit in a reported entity;
// every patient with a birth date stays a candidate for later duplicates.
func (q *qualityRows) patient(jp *judgedPatient) error {
	in := false
	for i := range jp.visits {
		j := &jp.visits[i]
		if j.indReported {
			q.npiSeen[j.npi] = true
		}
		in = in || j.indReported || j.grpReported
	}
	p := &jp.rec.Patient
	if !in {
		if p.HasBirthDate {
			q.rememberName(p)
		}
		return nil
	}
	if p.Email != "" && !usableEmailFast(p.Email) && !UsableEmail(p.Email) {
		row := q.patientRow(InvalidEmail, p.ID, p.MRN, fmt.Sprintf("email on file is not a usable address: %q", echo(p.Email)))
		if err := q.rows.Append(&row); err != nil {
			return err
		}
	}
	if !p.HasBirthDate {
		return nil
	}
	prev, dup := q.rememberName(p)
	if !dup || prev.id == p.ID {
		return nil
	}
	row := q.patientRow(PossibleDuplicatePatient, p.ID, p.MRN, fmt.Sprintf("same name and birth date as patient %d", prev.id))
	if p.ID < prev.id { // streamed out of id order: the row is about the other one
		row = q.patientRow(PossibleDuplicatePatient, prev.id, prev.mrn, fmt.Sprintf("same name and birth date as patient %d", p.ID))
	}
	return q.rows.Append(&row)
}

func (q *qualityRows) patientRow(code Code, id int64, mrn, text string) Issue {
	return Issue{Code: code, Severity: codeSeverity(code), PatientID: id, MRN: mrn, Text: text}
}

// rememberName records the patient's (name, birth date) key, keeping the lowest id
// met, and returns the entry that was there before, if any. Names compare trimmed and
// case-insensitively. Patients without a name or birth date are not compared.
func (q *qualityRows) rememberName(p *Patient) (dupEntry, bool) {
	first, last := strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
	if !p.HasBirthDate || (first == "" && last == "") {
		return dupEntry{}, false
	}
	h := uint64(14695981039346656037)
	mix := func(s string) {
		for _, r := range s {
			r = unicode.ToLower(r)
			h ^= uint64(r)
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	mix(first)
	mix(last)
	h ^= uint64(uint32(p.BirthDate))
	h *= 1099511628211
	return q.dups.remember(h, p.ID, p.MRN)
}

// finish keeps, after every other row, the rows about the reported entities' TINs
// that are not 9 digits and the NPIs that fail their check digit, sorted by TIN, NPI
// and code.
func (q *qualityRows) finish(slots []int32, ents []entAcc) error {
	var dq []Issue
	done := make([]bool, len(q.tins))
	for _, s := range slots {
		t := ents[s].tin
		if !done[t] && !ValidTIN(q.tins[t]) {
			dq = append(dq, Issue{Code: InvalidTIN, Severity: SeverityWarning, TIN: q.tins[t], Text: echo(q.tins[t])})
		}
		done[t] = true
	}
	for n, seen := range q.npiSeen {
		if seen && !ValidNPI(q.npis[n]) {
			dq = append(dq, Issue{Code: InvalidNPI, Severity: SeverityWarning, NPI: q.npis[n], Text: echo(q.npis[n])})
		}
	}
	sort.SliceStable(dq, func(i, j int) bool {
		if dq[i].TIN != dq[j].TIN {
			return dq[i].TIN < dq[j].TIN
		}
		if dq[i].NPI != dq[j].NPI {
			return dq[i].NPI < dq[j].NPI
		}
		return dq[i].Code < dq[j].Code
	})
	for i := range dq {
		if err := q.rows.Append(&dq[i]); err != nil {
			return err
		}
	}
	return nil
}
