package measure

// The drill-down (Config.KeepPatients): one Outcome per patient and reported entity,
// published when the patient's standing is decided (R8, R9). At a health system's
// scale there are millions, with the patient's MRN and names; a RowStore keeps them.

import "iter"

// outcomeRows observes the patients and keeps their outcomes.
type outcomeRows struct {
	keep bool
	rows RowStore[Outcome]
	out  Outcome // the outcome being kept (a field: it does not escape per row)
}

func (o *outcomeRows) patient(jp *judgedPatient) error {
	if !o.keep {
		return nil
	}
	p := &jp.rec.Patient
	for i := range jp.ents {
		a := &jp.ents[i]
		if !a.reported {
			continue
		}
		out := &o.out
		*out = Outcome{
			Entity: int(a.slot), PatientID: p.ID, MRN: p.MRN, FirstName: p.FirstName, LastName: p.LastName,
			BirthDate: p.BirthDate, HasBirthDate: p.HasBirthDate,
			InNumerator: a.in, Pending: a.pending, SeenVisits: int(a.seen), TimelyVisits: int(a.timely),
			FirstVisit: a.first, LastVisit: a.last,
		}
		if !a.in {
			out.Reason = a.reason
		}
		if err := o.rows.Append(out); err != nil {
			return err
		}
	}
	return nil
}

// result is the drill-down of the result: the outcomes with each entity slot turned
// into its index in Result.Entities (entity[slot]); nil when they were not kept.
func (o *outcomeRows) result(entity []int) Rows[Outcome] {
	if !o.keep {
		return nil
	}
	return &entityRows{rows: o.rows, entity: entity}
}

// entityRows reads kept outcomes with Entity turned from the evaluator's slot into the
// index into Result.Entities.
type entityRows struct {
	rows   Rows[Outcome]
	entity []int
}

func (r *entityRows) Len() int { return r.rows.Len() }

func (r *entityRows) fix(o *Outcome) {
	if o.Entity >= 0 && o.Entity < len(r.entity) {
		o.Entity = r.entity[o.Entity]
	} else {
		o.Entity = -1 // never kept by the evaluator: reads as a dangling entity
	}
}

func (r *entityRows) All() iter.Seq2[Outcome, error] {
	return func(yield func(Outcome, error) bool) {
		for o, err := range r.rows.All() {
			r.fix(&o)
			if !yield(o, err) || err != nil {
				return
			}
		}
	}
}

func (r *entityRows) Scan(f func(int64, *Outcome) error) error {
	return r.rows.Scan(func(pos int64, o *Outcome) error {
		r.fix(o)
		return f(pos, o)
	})
}

func (r *entityRows) At(pos int64) (Outcome, error) {
	o, err := r.rows.At(pos)
	r.fix(&o)
	return o, err
}
