package measure

import "github.com/mipspi/mipspi/calendar"

// patEnt is one patient's standing in one entity while the patient is being added: a
// fold of the verdicts of the patient's seen visits attributed to the entity.
type patEnt struct {
	slot           int32
	reported       bool // the entity passes Config.TIN / Config.NPI
	seen, timely   int32
	pendVisits     int32
	failing        bool // some visit is not timely
	allFailPending bool // every visit that is not timely is pending (R9, every-visit)
	anyPending     bool // some visit is pending (R9, any-visit)
	allIfLocked    bool // every visit timely if pending notes were locked at as-of
	anyIfLocked    bool
	reason         Code // first reason of the first failing visit
	first, last    calendar.Date
	firstFailed    calendar.Date // the first visit that is not timely, when failing
	firstTimely    calendar.Date // the first timely visit, when timely > 0
	// The earliest failed visit (its date and first reason), for the worklist's
	// "patient already out" (blockers.go).
	failedOn   calendar.Date
	failedCode Code
	// The standing once every visit is folded (flushPatient): R8, R9, the what-if.
	in, pending, ifLocked bool
}

// add folds one verdict in; visits come in chronological order.
func (a *patEnt) add(v *Verdict) {
	a.seen++
	switch v.State {
	case Timely:
		if a.timely == 0 {
			a.firstTimely = v.Visit
		}
		a.timely++
	case Pending:
		a.anyPending = true
		a.pendVisits++
	}
	if v.State != Timely && !a.failing {
		a.failing = true
		a.reason = v.FirstReason()
		a.firstFailed = v.Visit
	}
	if v.State == Failed {
		if a.allFailPending {
			a.failedOn, a.failedCode = v.Visit, v.FirstReason()
		}
		a.allFailPending = false
	}
	if v.IfLocked {
		a.anyIfLocked = true
	} else {
		a.allIfLocked = false
	}
	a.last = v.Visit
}

// standing is R8 (and R9's pending) for one patient in one entity. Under every-visit
// (the default) the patient is in the numerator when every seen visit is timely, and
// pending when every visit that is not timely is pending; under any-visit one timely
// visit suffices, and one pending visit makes the patient pending. ifLocked is the
// worklist's what-if: in the numerator if pending notes were locked at the as-of
// instant.
func standing(p Policy, a *patEnt) (in, pending, ifLocked bool) {
	if p == AnyVisit {
		in = a.timely > 0
		return in, !in && a.anyPending, a.anyIfLocked
	}
	in = a.timely == a.seen
	return in, !in && a.allFailPending, a.allIfLocked
}

// flushPatient decides the patient's standing in each entity they touched (R8, R9)
// and folds it into the entity's figures.
func (e *Evaluator) flushPatient() {
	for i := range e.pat {
		a := &e.pat[i]
		ent := &e.ents[a.slot]
		a.in, a.pending, a.ifLocked = standing(e.cfg.Policy, a)
		ent.den++
		ent.num += b2i(a.in)
		ent.pending += b2i(a.pending)
		ent.ifLocked += b2i(a.ifLocked)
		ent.seen += int(a.seen)
		ent.timely += int(a.timely)
		ent.pendVisits += int(a.pendVisits)
		if !a.in {
			ent.causes.add(a.reason, a.pending)
		}
		if ent.ent.Level == Individual && a.in {
			e.counts.PatientsInNumerator++
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
