package measure

// The trend (issue 17): billing staff check the rate month by month. For every entity,
// the period-to-date rate as of the end of each month of the period, up to the as-of
// date: the patients with a seen visit on or before that month's end (the denominator)
// and, of them, those whose visits up to then are timely under the policy (R8), each
// visit judged as this report judges it (R3–R7, R9 as of the report's as-of). The last
// point covers every counted visit, so it equals the entity's figures.
//
// It is computed in the same pass as the figures: the evaluator calls trendAcc.visit
// once per counted visit, where it has decided the visit's timeliness; nothing else
// about the evaluation changes.

import (
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// Trend is the period-to-date rate of every entity at each cutoff.
type Trend struct {
	// Cutoffs are the local dates each point is "as of": the last day of each month
	// of the period up to the month of the as-of date, the last one being the as-of
	// date itself (or the period's end, when the as-of date is later).
	Cutoffs []calendar.Date
	// Points[i][k] is Result.Entities[i] as of Cutoffs[k].
	Points [][]TrendPoint
}

// TrendPoint is one entity's period-to-date figures at one cutoff.
type TrendPoint struct {
	Numerator, Denominator int
	Rate                   float64 // Numerator/Denominator rounded to 4 decimals; 0 when Denominator is 0
}

// noMonth marks "never" in a patient's per-entity months.
const noMonth = int8(-1)

// trendPat is one patient's months in one entity: the month of their first counted
// visit, of their first visit that is not timely, and of their first timely visit.
type trendPat struct {
	slot                    int32
	first, failed, timelyAt int8
}

// trendAcc accumulates the trend.
type trendAcc struct {
	patient int        // the patient whose visits are in pats
	pats    []trendPat // the current patient's entities
	den     [][12]int  // per slot: patients whose first visit is in month m
	num     [][12]int  // per slot: change of the numerator at month m (every-visit: +1 at first, -1 at failed)
}

// visit records one counted visit of patient (a number that changes between patients)
// in the individual and group slots, with its local date and whether it is timely.
// Visits of one patient come in chronological order.
func (t *trendAcc) visit(patient int, ind, grp int32, d calendar.Date, timely bool, policy Policy) {
	if patient != t.patient {
		t.flush(policy)
		t.patient = patient
	}
	_, mo, _ := d.Civil()
	m := int8(mo - 1)
	for _, slot := range [2]int32{ind, grp} {
		p := t.pat(slot, m)
		if !timely && p.failed == noMonth {
			p.failed = m
		}
		if timely && p.timelyAt == noMonth {
			p.timelyAt = m
		}
	}
}

func (t *trendAcc) pat(slot int32, m int8) *trendPat {
	for i := range t.pats {
		if t.pats[i].slot == slot {
			return &t.pats[i]
		}
	}
	t.pats = append(t.pats, trendPat{slot: slot, first: m, failed: noMonth, timelyAt: noMonth})
	return &t.pats[len(t.pats)-1]
}

// flush folds the current patient into the per-slot counts (R8).
func (t *trendAcc) flush(policy Policy) {
	for _, p := range t.pats {
		for int(p.slot) >= len(t.den) {
			t.den = append(t.den, [12]int{})
			t.num = append(t.num, [12]int{})
		}
		t.den[p.slot][p.first]++
		if policy == AnyVisit {
			if p.timelyAt != noMonth {
				t.num[p.slot][p.timelyAt]++ // in from the first timely visit on
			}
			continue
		}
		// Every visit: in from the first visit until the first one that is not timely.
		if p.failed != p.first {
			t.num[p.slot][p.first]++
			if p.failed != noMonth {
				t.num[p.slot][p.failed]--
			}
		}
	}
	t.pats = t.pats[:0]
}

// result is the trend of the reported entities: slots[i] is the slot of
// Result.Entities[i].
func (t *trendAcc) result(cfg Config, slots []int32) *Trend {
	t.flush(cfg.Policy)
	last := cfg.End
	if d := calendar.LocalDate(cfg.AsOf, time.UTC); d < last {
		last = d
	}
	// An office east of UTC may already hold a visit in the next month: the last
	// point always covers every counted visit.
	for _, den := range t.den {
		for m := 11; m >= 0; m-- {
			if den[m] > 0 {
				if c := calendar.NewDate(cfg.Start.Year(), time.Month(m+1), 1); c > last {
					last = min(cfg.End, c)
				}
				break
			}
		}
	}
	tr := &Trend{Points: make([][]TrendPoint, len(slots))}
	if last < cfg.Start {
		return tr
	}
	_, m0, _ := cfg.Start.Civil()
	_, m1, _ := last.Civil()
	for m := m0; m <= m1; m++ {
		c := calendar.NewDate(cfg.Start.Year(), m+1, 1).AddDays(-1) // the month's last day
		if m == m1 {
			c = last
		}
		tr.Cutoffs = append(tr.Cutoffs, c)
	}
	for i, s := range slots {
		var den, num int
		for m := m0; m <= m1; m++ {
			if int(s) < len(t.den) {
				den += t.den[s][m-1]
				num += t.num[s][m-1]
			}
			p := TrendPoint{Numerator: num, Denominator: den}
			if den > 0 {
				p.Rate = round(float64(num)/float64(den), 4)
			}
			tr.Points[i] = append(tr.Points[i], p)
		}
	}
	return tr
}
