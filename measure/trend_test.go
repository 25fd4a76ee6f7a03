package measure

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
)

// TestTrend: the period-to-date rate at each month's end, as each visit is judged in
// the report. Ann's patients: 1 timely in January and March; 2 timely in January, late
// in March (out from March under every-visit, in throughout under any-visit); 3 late in
// February, timely in April (never in under every-visit, in from April under
// any-visit); 4 first seen in April, timely.
func TestTrend(t *testing.T) {
	timely := func(id int64, v string) Visit {
		vt := utc(v)
		return seen(id, vt, lockedAt(vt.Add(2*3600e9)))
	}
	late := func(id int64, v string) Visit {
		vt := utc(v)
		return seen(id, vt, lockedAt(vt.AddDate(0, 0, 20)))
	}
	recs := []PatientRecord{
		patientRec(1, invitedLongAgo(), timely(11, "2025-01-13T15:00:00Z"), timely(12, "2025-03-10T15:00:00Z")),
		patientRec(2, invitedLongAgo(), timely(21, "2025-01-14T15:00:00Z"), late(22, "2025-03-11T15:00:00Z")),
		patientRec(3, invitedLongAgo(), late(31, "2025-02-11T15:00:00Z"), timely(32, "2025-04-08T15:00:00Z")),
		patientRec(4, invitedLongAgo(), timely(41, "2025-04-15T15:00:00Z")),
	}
	cfg := testConfig()
	cfg.AsOf = utc("2025-05-20T12:00:00Z")
	cutoffs := []calendar.Date{day("2025-01-31"), day("2025-02-28"), day("2025-03-31"), day("2025-04-30"), day("2025-05-20")}
	pt := func(num, den int, rate float64) TrendPoint {
		return TrendPoint{Numerator: num, Denominator: den, Rate: rate}
	}
	for _, tc := range []struct {
		policy Policy
		want   []TrendPoint
	}{
		{EveryVisit, []TrendPoint{pt(2, 2, 1), pt(2, 3, 0.6667), pt(1, 3, 0.3333), pt(2, 4, 0.5), pt(2, 4, 0.5)}},
		{AnyVisit, []TrendPoint{pt(2, 2, 1), pt(2, 3, 0.6667), pt(2, 3, 0.6667), pt(4, 4, 1), pt(4, 4, 1)}},
	} {
		t.Run(string(tc.policy), func(t *testing.T) {
			c := cfg
			c.Policy = tc.policy
			r := mustEvaluate(t, c, testPractice(), recs...)
			if r.Trend == nil || len(r.Trend.Points) != len(r.Entities) {
				t.Fatalf("trend %+v for %d entities", r.Trend, len(r.Entities))
			}
			if diff := cmp.Diff(cutoffs, r.Trend.Cutoffs); diff != "" {
				t.Errorf("cutoffs (-want +got):\n%s", diff)
			}
			for i, e := range r.Entities { // Ann alone, then the group: the same patients
				if diff := cmp.Diff(tc.want, r.Trend.Points[i]); diff != "" {
					t.Errorf("%s %s trend (-want +got):\n%s", e.Level, e.NPI, diff)
				}
				last := r.Trend.Points[i][len(r.Trend.Points[i])-1]
				if last.Numerator != e.Numerator || last.Denominator != e.Denominator || last.Rate != e.Rate {
					t.Errorf("%s %s: last point %+v, entity %d/%d %v", e.Level, e.NPI, last, e.Numerator, e.Denominator, e.Rate)
				}
			}
		})
	}
}

// TestTrendEndsAtTheFigures: on the property generator's random practices, the last
// point of every entity's trend is the entity's figures, and denominators never fall.
func TestTrendEndsAtTheFigures(t *testing.T) {
	for seed := int64(1); seed <= 30; seed++ {
		for _, policy := range []Policy{EveryVisit, AnyVisit} {
			cfg := testConfig()
			cfg.Policy = policy
			cfg.AsOf = utc("2025-09-15T12:00:00Z").AddDate(0, 0, int(seed)*5)
			r := mustEvaluate(t, cfg, testPractice(), trendRecords(seed)...)
			if r.Trend == nil {
				t.Fatal("no trend")
			}
			for i, e := range r.Entities {
				ps := r.Trend.Points[i]
				if len(ps) == 0 || len(ps) > len(r.Trend.Cutoffs) || r.Trend.Date(i, len(ps)-1) != r.Trend.AsOf[i] {
					t.Fatalf("seed %d: %d points for %d cutoffs", seed, len(ps), len(r.Trend.Cutoffs))
				}
				last := ps[len(ps)-1]
				if last.Numerator != e.Numerator || last.Denominator != e.Denominator {
					t.Errorf("seed %d %s %s %s: last point %d/%d, figures %d/%d", seed, policy, e.Level, e.NPI,
						last.Numerator, last.Denominator, e.Numerator, e.Denominator)
				}
				for k := 1; k < len(ps); k++ {
					if ps[k].Denominator < ps[k-1].Denominator || ps[k].Numerator > ps[k].Denominator || ps[k].Numerator < 0 {
						t.Errorf("seed %d: point %d %+v after %+v", seed, k, ps[k], ps[k-1])
					}
				}
			}
		}
	}
}

// trendRecords is a deterministic mix of timely, late, unlocked and unseen visits over
// the year for Ann and Bob in two TINs.
func trendRecords(seed int64) []PatientRecord {
	x := uint64(seed)*2654435761 + 1
	next := func(n int) int {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int(x % uint64(n))
	}
	offices := []int64{offNY, offLA, offB, offChi}
	clins := []int64{clinAnn, clinBob}
	var recs []PatientRecord
	appt := int64(1)
	for p := int64(1); p <= 40; p++ {
		var vs []Visit
		for k := 0; k < 1+next(4); k++ {
			vt := utc("2025-01-02T15:00:00Z").AddDate(0, 0, next(360))
			var n Notes
			switch next(4) {
			case 0, 1:
				n = lockedAt(vt.Add(3 * 3600e9))
			case 2:
				n = lockedAt(vt.AddDate(0, 0, 3+next(20)))
			}
			v := at(seen(appt, vt, n), offices[next(len(offices))], clins[next(len(clins))])
			appt++
			vs = append(vs, v)
		}
		inv := invitedLongAgo()
		if next(5) == 0 {
			inv = nil
		}
		recs = append(recs, patientRec(p, inv, vs...))
	}
	return recs
}

// TestTrendLastCutoffIsTheLocalAsOfDate: the as-of instant is 22:30 on 31 January in
// New York (UTC-5), already 1 February in UTC. R1 counts by the office's local date, so
// the trend ends on 31 January for the New York entities — not on the UTC date — and
// the visit at 21:00 local on the 31st (02:00 UTC on 1 February) is in that last
// point, which equals the figures. An entity whose office is in Berlin, where it is
// already 1 February, ends on 1 February and counts its visit of that morning.
func TestTrendLastCutoffIsTheLocalAsOfDate(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	const offBerlin = 5
	p := testPractice()
	p.Offices = append(p.Offices, Office{ID: offBerlin, TIN: tinB, Name: "Berlin", Zone: berlin})
	locked := func(id int64, v time.Time) Visit { return seen(id, v, lockedAt(v.Add(3600e9))) }
	recs := []PatientRecord{
		patientRec(1, invitedLongAgo(), locked(11, ny("2025-01-13 10:00:00"))),
		patientRec(2, invitedLongAgo(), locked(21, ny("2025-01-31 21:00:00"))),
		patientRec(3, invitedLongAgo(), at(locked(31, local(berlin, "2025-02-01 02:00:00")), offBerlin, clinAnn)),
	}
	cfg := testConfig()
	cfg.AsOf = ny("2025-01-31 22:30:00")
	if calendar.LocalDate(cfg.AsOf, time.UTC) != day("2025-02-01") {
		t.Fatalf("as-of %v: the UTC date must differ from the New York date", cfg.AsOf)
	}

	t.Run("one zone", func(t *testing.T) {
		r := mustEvaluate(t, cfg, testPractice(), recs[:2]...)
		if diff := cmp.Diff([]calendar.Date{day("2025-01-31")}, r.Trend.Cutoffs); diff != "" {
			t.Errorf("cutoffs (-want +got):\n%s", diff)
		}
		for i, e := range r.Entities {
			if got := r.Trend.AsOf[i]; got != day("2025-01-31") {
				t.Errorf("%s %s: as-of date %s, want 2025-01-31", e.Level, e.NPI, got)
			}
			if e.Denominator != 2 {
				t.Errorf("%s %s: denominator %d, want 2 (the 21:00 visit counts)", e.Level, e.NPI, e.Denominator)
			}
			checkLastPoint(t, r, i)
		}
		if got := r.Zones; !cmp.Equal(got, []string{"America/New_York"}) {
			t.Errorf("zones %v", got)
		}
	})

	t.Run("two zones", func(t *testing.T) {
		r := mustEvaluate(t, cfg, p, recs...)
		if diff := cmp.Diff([]calendar.Date{day("2025-01-31"), day("2025-02-01")}, r.Trend.Cutoffs); diff != "" {
			t.Errorf("cutoffs (-want +got):\n%s", diff)
		}
		for i, e := range r.Entities {
			want, n := day("2025-01-31"), 1
			if e.TIN == tinB {
				want, n = day("2025-02-01"), 2
			}
			if got := r.Trend.AsOf[i]; got != want || len(r.Trend.Points[i]) != n {
				t.Errorf("%s %s %s: as-of date %s with %d points, want %s with %d", e.Level, e.TIN, e.NPI, got, len(r.Trend.Points[i]), want, n)
			}
			if got := r.Trend.Date(i, len(r.Trend.Points[i])-1); got != want {
				t.Errorf("%s %s %s: last point dated %s, want %s", e.Level, e.TIN, e.NPI, got, want)
			}
			checkLastPoint(t, r, i)
		}
		if got := r.Zones; !cmp.Equal(got, []string{"America/New_York", "Europe/Berlin"}) {
			t.Errorf("zones %v", got)
		}
	})
}

func checkLastPoint(t *testing.T, r *Result, i int) {
	t.Helper()
	e, ps := r.Entities[i], r.Trend.Points[i]
	last := ps[len(ps)-1]
	if last.Numerator != e.Numerator || last.Denominator != e.Denominator || last.Rate != e.Rate {
		t.Errorf("%s %s %s: last point %+v, figures %d/%d %v", e.Level, e.TIN, e.NPI, last, e.Numerator, e.Denominator, e.Rate)
	}
}
