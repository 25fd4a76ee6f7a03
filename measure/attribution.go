package measure

// R2 attribution: a seen visit counts for the individual entity (TIN of its office, NPI
// of its clinician) and for the TIN's group entity; no credit crosses TINs. Entities
// get a slot on their first seen visit.

import "github.com/mipspi/mipspi/calendar"

// reported reports whether an entity passes the Config.TIN / Config.NPI filters.
// Filters never change how an entity is computed.
func (e *Evaluator) reported(tin, npi string) bool {
	return (e.cfg.TIN == "" || e.cfg.TIN == tin) && (e.cfg.NPI == "" || e.cfg.NPI == npi)
}

// individualSlot returns the slot of (TIN, NPI), creating it on first use (R2).
func (e *Evaluator) individualSlot(tin int32, ci int32) int32 {
	c := &e.clins[ci]
	key := int64(tin)*int64(len(e.npis)) + int64(c.npi)
	if s, ok := e.slots[key]; ok {
		return s
	}
	tinS, npiS := e.tins[tin].tin, e.npis[c.npi]
	slot := e.newSlot(entAcc{
		ent:      Entity{Level: Individual, TIN: tinS, NPI: npiS, Clinician: c.display},
		tin:      tin,
		reported: e.reported(tinS, npiS),
	})
	e.slots[key] = slot
	return slot
}

// groupSlot returns the slot of the TIN's group entity, creating it on first use (R2).
func (e *Evaluator) groupSlot(tin int32) int32 {
	t := &e.tins[tin]
	if t.group < 0 {
		t.group = e.newSlot(entAcc{
			ent:      Entity{Level: Group, TIN: t.tin},
			tin:      tin,
			reported: e.reported(t.tin, ""),
		})
	}
	return t.group
}

func (e *Evaluator) newSlot(a entAcc) int32 {
	e.ents = append(e.ents, a)
	e.mark = append(e.mark, 0)
	return int32(len(e.ents) - 1)
}

// patAcc returns the patient's scratch entry for slot.
func (e *Evaluator) patAcc(slot int32, v calendar.Date) *patEnt {
	if m := e.mark[slot]; m > 0 {
		return &e.pat[m-1]
	}
	e.pat = append(e.pat, patEnt{slot: slot, reported: e.ents[slot].reported, allFailPending: true, allIfLocked: true, first: v})
	e.mark[slot] = int32(len(e.pat))
	return &e.pat[len(e.pat)-1]
}
