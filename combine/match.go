package combine

// MatchPatients (SPEC §7): the same patient in two reports counts once. Each report's
// drill-down row says, per entity, whether the patient is in the numerator and whether
// they are pending (R9); the rows of one person carry the same pseudonym when the
// reports were pseudonymised with one key (reports.Deidentify's patient key).
//
// Across reports a patient is combined the way the policy (R8) combines visits:
// every-visit: in the numerator only when in it in every report where they appear;
// any-visit: when in it in any. Pending likewise over "in the numerator or pending".

import (
	"errors"
	"fmt"

	"github.com/mipspi/mipspi/measure"
)

// patient state bits.
const (
	stAllIn uint8 = 1 << iota
	stAnyIn
	stAllOK // in or pending in every report so far
	stAnyOK
)

// drillDown checks a report's drill-down against its figures and groups it by entity.
func (c *Combiner) drillDown(rep *Report) (map[entityKey][]Patient, error) {
	if rep.PseudonymKeyID == "" {
		return nil, errors.New("is not pseudonymised: --match patients needs reports written with mipspi report --format json --patients and a shared pseudonymisation key")
	}
	if c.first != nil && rep.PseudonymKeyID != c.keyID {
		return nil, fmt.Errorf("was pseudonymised with a different key than %s (key id %s, not %s): the same patient would not match", c.firstName, rep.PseudonymKeyID, c.keyID)
	}
	byEnt := map[entityKey][]Patient{}
	for _, p := range rep.Patients {
		k := entityKey{p.Level, p.TIN, p.NPI}
		if p.Level == measure.Group {
			k.npi = ""
		}
		byEnt[k] = append(byEnt[k], p)
	}
	checked := map[entityKey]bool{}
	for _, e := range rep.Entities {
		k := entityKey{e.Level, e.TIN, e.NPI}
		if e.Level == measure.Group {
			k.npi = ""
		}
		rows := byEnt[k]
		in := 0
		for _, p := range rows {
			if p.InNumerator {
				in++
			}
		}
		if len(rows) != e.Denominator || in != e.Numerator {
			if len(rep.Patients) == 0 {
				return nil, errors.New("has no per-patient drill-down: --match patients needs reports written with mipspi report --format json --patients and a shared pseudonymisation key")
			}
			return nil, fmt.Errorf("the drill-down of TIN %s %s has %d patients (%d in the numerator) but the figures say %d/%d",
				e.TIN, levelWord(e.Entity), len(rows), in, e.Numerator, e.Denominator)
		}
		checked[k] = true
	}
	for k := range byEnt {
		if !checked[k] {
			return nil, fmt.Errorf("the drill-down has patients for TIN %s %s, which has no figures", k.tin, levelWord(measure.Entity{Level: k.level, NPI: k.npi}))
		}
	}
	return byEnt, nil
}

func levelWord(e measure.Entity) string {
	if e.Level == measure.Group {
		return "(group)"
	}
	return "NPI " + e.NPI
}

// addPatients merges one report's drill-down (source index src) into the patient sets;
// group rows also feed the APM Entity's set.
//
// A report's own de-duplication stands (SPEC §7): within one report a patient is its
// patient id, so two patients the report counted apart are never merged, even when
// their pseudonyms are equal (two people with one name and birth date). Across reports
// a patient is matched by pseudonym only where the pseudonym names one patient in each
// report that has it; a pseudonym held by two patients of one report is not matched at
// all in that report (there is no telling which of them is the other report's patient).
func (c *Combiner) addPatients(src int, byEnt map[entityKey][]Patient) {
	// The patient ids behind each pseudonym in this report.
	ids := map[string]int64{}
	shared := map[string]bool{}
	for _, rows := range byEnt {
		for _, p := range rows {
			if p.Key == "" {
				continue
			}
			if id, ok := ids[p.Key]; ok && id != p.PatientID {
				shared[p.Key] = true
			}
			ids[p.Key] = p.PatientID
		}
	}
	c.unmatchable += len(shared)
	for key := range ids {
		if !shared[key] {
			c.seenIn[key]++ // the reports where this pseudonym names one patient
		}
	}
	apm := entityKey{level: measure.APMEntity}
	for k, rows := range byEnt {
		for _, p := range rows {
			id := p.Key
			if id == "" || shared[id] { // matched within this report only, by its own id
				id = fmt.Sprintf("\x00%d/%d", src, p.PatientID)
			}
			merge(c.patients, k, id, p)
			if k.level == measure.Group {
				merge(c.patients, apm, id, p)
			}
		}
	}
}

// matchedAcross counts the pseudonyms matched across two or more reports.
func (c *Combiner) matchedAcross() int {
	n := 0
	for _, times := range c.seenIn {
		if times >= 2 {
			n++
		}
	}
	return n
}

func merge(sets map[entityKey]map[string]uint8, k entityKey, id string, p Patient) {
	set := sets[k]
	if set == nil {
		set = map[string]uint8{}
		sets[k] = set
	}
	var b uint8
	if p.InNumerator {
		b |= stAllIn | stAnyIn
	}
	if p.InNumerator || p.Pending {
		b |= stAllOK | stAnyOK
	}
	old, ok := set[id]
	if !ok {
		set[id] = b
		return
	}
	set[id] = (old & b & (stAllIn | stAllOK)) | ((old | b) & (stAnyIn | stAnyOK))
}

// applyMatches replaces each entity's denominator, numerator and pending with the
// matched counts, and keeps the what-if numerator as the numerator plus the sources'
// summed gains (an upper bound once patients are matched), never above the denominator.
// apm is the APM Entity's running sums: visits summed over the TINs; it gets its
// patients from the union of the TINs' sets.
func (c *Combiner) applyMatches(apm *sums) {
	inBit, okBit := stAllIn, stAllOK
	if c.first.Policy == measure.AnyVisit {
		inBit, okBit = stAnyIn, stAnyOK
	}
	count := func(s *sums, set map[string]uint8) {
		s.den, s.num, s.pending = len(set), 0, 0
		for _, b := range set {
			switch {
			case b&inBit != 0:
				s.num++
			case b&okBit != 0:
				s.pending++
			}
		}
		s.ifLocked = min(s.num+s.gain, s.den)
	}
	for k, s := range c.ents {
		count(s, c.patients[k])
	}
	count(apm, c.patients[entityKey{level: measure.APMEntity}])
}
