package measure

// The trend (issue 17): billing staff check the rate month by month. For every entity,
// the period-to-date rate as of the end of each month of the period, up to the as-of
// date: the patients with a seen visit on or before that month's end (the denominator)
// and, of them, those whose visits up to then are timely under the policy (R8), each
// visit judged as this report judges it (R3–R7, R9 as of the report's as-of). The last
// point covers every counted visit, so it equals the entity's figures.
//
// It is computed in the same pass as the figures: trendAcc observes every patient, the
// offices of their counted visits and the months of their standing in each entity;
// nothing else about the evaluation changes.

import (
	"slices"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// Trend is the period-to-date rate of every entity at each cutoff.
//
// Dates are local: an entity's last point is as of the as-of instant's local date in
// its offices' zone (R1 counts a visit by that same date, so the last point is the
// entity's figures). When the practice's offices span zones whose as-of dates fall in
// different months, entities whose as-of date is earlier have fewer points.
type Trend struct {
	// Cutoffs are the dates of the points, shared by all entities: the last day of each
	// month of the period up to the month of the latest entity's as-of date, the last
	// one being that as-of date itself (or the period's end, when it is later).
	Cutoffs []calendar.Date
	// Points[i][k] is Result.Entities[i] as of Cutoffs[k], except its last point, which
	// is as of AsOf[i] (see Date). len(Points[i]) <= len(Cutoffs).
	Points [][]TrendPoint
	// AsOf[i] is Result.Entities[i]'s last cutoff: the as-of instant's local date in
	// the zone of the offices where it has counted visits (the latest, when they span
	// zones), no later than the period's end.
	AsOf []calendar.Date
}

// Date is the local date Points[i][k] is as of.
func (t *Trend) Date(i, k int) calendar.Date {
	if k == len(t.Points[i])-1 && i < len(t.AsOf) {
		return t.AsOf[i]
	}
	return t.Cutoffs[k]
}

// TrendPoint is one entity's period-to-date figures at one cutoff.
type TrendPoint struct {
	Numerator, Denominator int
	Rate                   float64 // Numerator/Denominator rounded to 4 decimals; 0 when Denominator is 0
}

// trendAcc accumulates the trend.
type trendAcc struct {
	policy Policy
	den    [][12]int          // per slot: patients whose first visit is in month m
	asOf   []calendar.Date    // per slot: the latest as-of local date of its counted visits' offices
	zones  [][]*time.Location // per slot: the zones of its counted visits' offices
	num    [][12]int          // per slot: change of the numerator at month m (every-visit: +1 at first, -1 at failed)
}

// patient records the offices of the patient's counted visits and folds the patient
// into the per-slot counts by the months of their standing in each entity (R8): their
// first counted visit, first visit that is not timely, first timely visit.
func (t *trendAcc) patient(p *judgedPatient) error {
	for i := range p.visits {
		j := &p.visits[i]
		t.office(j.ind, j.office.zone.loc, j.office.asOfDate)
		t.office(j.grp, j.office.zone.loc, j.office.asOfDate)
	}
	for i := range p.ents {
		a := &p.ents[i]
		first := month(a.first)
		t.den[a.slot][first]++
		if t.policy == AnyVisit {
			if a.timely > 0 {
				t.num[a.slot][month(a.firstTimely)]++ // in from the first timely visit on
			}
			continue
		}
		// Every visit: in from the first visit until the first one that is not timely.
		switch {
		case !a.failing:
			t.num[a.slot][first]++
		case month(a.firstFailed) != first:
			t.num[a.slot][first]++
			t.num[a.slot][month(a.firstFailed)]--
		}
	}
	return nil
}

// month is the index of d's month in the year (0 for January).
func month(d calendar.Date) int {
	_, m, _ := d.Civil()
	return int(m - 1)
}

// office records that slot has a counted visit in an office of zone, whose as-of
// local date is asOf.
func (t *trendAcc) office(slot int32, zone *time.Location, asOf calendar.Date) {
	for int(slot) >= len(t.den) {
		t.den = append(t.den, [12]int{})
		t.num = append(t.num, [12]int{})
		t.asOf = append(t.asOf, 0)
		t.zones = append(t.zones, nil)
	}
	if asOf > t.asOf[slot] {
		t.asOf[slot] = asOf
	}
	for _, z := range t.zones[slot] {
		if z == zone {
			return
		}
	}
	t.zones[slot] = append(t.zones[slot], zone)
}

// result is the trend of the reported entities: slots[i] is the slot of
// Result.Entities[i].
func (t *trendAcc) result(cfg Config, slots []int32) *Trend {
	tr := &Trend{Points: make([][]TrendPoint, len(slots)), AsOf: make([]calendar.Date, len(slots))}
	// Each entity's last cutoff is its as-of local date (R1): every visit it counts is
	// on or before that date in its office's zone, so its last point is its figures.
	var last calendar.Date
	for i, s := range slots {
		if int(s) >= len(t.asOf) || t.asOf[s] < cfg.Start {
			return &Trend{Points: make([][]TrendPoint, len(slots))} // not an evaluated entity
		}
		tr.AsOf[i] = min(t.asOf[s], cfg.End)
		last = max(last, tr.AsOf[i])
	}
	if len(slots) == 0 {
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
		_, me, _ := tr.AsOf[i].Civil()
		var den, num int
		for m := m0; m <= me; m++ {
			den += t.den[s][m-1]
			num += t.num[s][m-1]
			p := TrendPoint{Numerator: num, Denominator: den}
			if den > 0 {
				p.Rate = Round(float64(num)/float64(den), 4)
			}
			tr.Points[i] = append(tr.Points[i], p)
		}
	}
	return tr
}

// zonesOf is the sorted names of the zones of the reported entities' offices with
// counted visits.
func (t *trendAcc) zonesOf(slots []int32) []string {
	var zs []string
	for _, s := range slots {
		if int(s) >= len(t.zones) {
			continue
		}
		for _, z := range t.zones[s] {
			zs = append(zs, z.String())
		}
	}
	slices.Sort(zs)
	return slices.Compact(zs)
}
