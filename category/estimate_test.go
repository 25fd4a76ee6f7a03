package category

import (
	"slices"
	"strings"
	"testing"

	"github.com/mipspi/mipspi/measure"
)

func yes() Answer           { v := true; return Answer{Bool: &v} }
func no() Answer            { v := false; return Answer{Bool: &v} }
func ratio(n, d int) Answer { return Answer{Numerator: &n, Denominator: &d} }

// full is a configuration that passes every gate in every embedded year: the answers
// of docs/configuration.md's configuration example.
func full() Answers {
	return Answers{CEHRTID: "0015C8BCD1234XY", Measures: map[string]Answer{
		SRA: yes(), SAFER: yes(), INFBLO: yes(), ONCDIR: yes(),
		EP1: ratio(120, 150), EP2: yes(), HIE5: yes(), PHImmun: yes(), PHCase: yes(),
	}}
}

var year2025 = Period{Year: 2025, Days: 365, From: "2025-01-01", To: "2025-12-31"}

func entity(num, den, pending int) measure.EntityResult {
	e := measure.EntityResult{Numerator: num, Denominator: den, Pending: pending}
	if den > 0 {
		e.Rate = float64(num) / float64(den)
	}
	return e
}

func without(a Answers, ids ...string) Answers {
	m := make(map[string]Answer, len(a.Measures))
	for k, v := range a.Measures {
		if !slices.Contains(ids, k) {
			m[k] = v
		}
	}
	a.Measures = m
	return a
}

func with(a Answers, kv map[string]Answer) Answers {
	a = without(a)
	for k, v := range kv {
		a.Measures[k] = v
	}
	return a
}

// TestCMSRoundingExample holds proportion points to CMS's own scoring example
// (pi-scoring.md): ((861/1809)*40) = 19, ((1123/1951)*20) = 12, ((49/115)*10) = 4.
func TestCMSRoundingExample(t *testing.T) {
	for _, c := range []struct {
		num, den  int
		max, want float64
	}{{861, 1809, 40, 19}, {1123, 1951, 20, 12}, {49, 115, 10, 4}, {0, 10, 25, 0}, {5, 0, 25, 0}, {10, 10, 25, 25}, {1, 2, 25, 13}} {
		if got, _ := proportionPoints(c.num, c.den, c.max); got != c.want {
			t.Errorf("((%d/%d)*%g) = %g, want %g", c.num, c.den, c.max, got, c.want)
		}
	}
}

func TestFullConfigurationScores(t *testing.T) {
	est := Compute(year2025, entity(861, 1809, 0), full())
	if len(est.ZeroReasons) != 0 {
		t.Fatalf("zero reasons %v, want none", est.ZeroReasons)
	}
	// PEA round(861/1809*25)=12, EP_1 round(0.8*10)=8, PDMP 10, HIE_5 30, public health 25.
	if est.Score != 85 || est.Weighted != 21.25 || est.Bonus != 0 || est.Capped {
		t.Errorf("score %g weighted %g bonus %g capped %v, want 85, 21.25, 0, false", est.Score, est.Weighted, est.Bonus, est.Capped)
	}
	want := []MeasurePoints{
		{PEA1, 12, 25, Computed}, {EP1, 8, 10, Answered}, {EP2, 10, 10, Answered}, {HIE5, 30, 30, Answered},
		{PHImmun, 12.5, 12.5, Answered}, {PHCase, 12.5, 12.5, Answered},
	}
	if !slices.Equal(est.Measures, want) {
		t.Errorf("measures\n%v\nwant\n%v", est.Measures, want)
	}
	if len(est.Unverified) != 0 {
		t.Errorf("unverified %q, want none for 2025 without exclusions", est.Unverified)
	}
}

// TestGates: one test per gate and per alternative rule, with the exact sentence.
func TestGates(t *testing.T) {
	for _, c := range []struct {
		name string
		p    Period
		e    measure.EntityResult
		a    Answers
		want []Reason
	}{
		{"cehrt missing", year2025, entity(5, 10, 0), func() Answers { a := full(); a.CEHRTID = " "; return a }(), []Reason{{CEHRTIDMissing,
			"The CMS EHR Certification ID is missing: CMS scores the whole Promoting Interoperability category 0 without it. Copy the practice's 15-character ID from the CHPL website into registry.cehrt_id."}}},
		{"cehrt invalid", year2025, entity(5, 10, 0), func() Answers { a := full(); a.CEHRTID = "0015X8BCD1234XY"; return a }(), []Reason{{CEHRTIDInvalid,
			`The CMS EHR Certification ID "0015X8BCD1234XY" is not in CMS's format (15 letters or digits with C as the 5th character, like 0015C8BCD1234XY): CMS scores the category 0 without a valid one. Copy it again from the CHPL website.`}}},
		{"period 179 days in 2025", Period{Year: 2025, Days: 179, From: "2025-07-06", To: "2025-12-31"}, entity(5, 10, 0), full(), []Reason{{PeriodTooShort,
			"The reporting period 2025-07-06 to 2025-12-31 is 179 days: CMS requires at least 180 days in a row in 2025 and scores the category 0 for a shorter period."}}},
		{"period 89 days in 2023", Period{Year: 2023, Days: 89, From: "2023-10-04", To: "2023-12-31"}, entity(5, 10, 0), full(), []Reason{{PeriodTooShort,
			"The reporting period 2023-10-04 to 2023-12-31 is 89 days: CMS requires at least 90 days in a row in 2023 and scores the category 0 for a shorter period."}}},
		{"attestation not answered", year2025, entity(5, 10, 0), without(full(), SRA), []Reason{{AttestationMissing,
			"PI_PPHI_1 (Security Risk Analysis) is not answered: CMS scores the category 0 unless the practice answers yes. Once it is true, set PI_PPHI_1: true in the registry block."}}},
		{"attestation answered no", year2025, entity(5, 10, 0), with(full(), map[string]Answer{ONCDIR: no()}), []Reason{{AttestationMissing,
			"PI_ONCDIR_1 (ONC Direct Review Attestation) is answered no: CMS scores the category 0 unless the practice answers yes. Once it is true, set PI_ONCDIR_1: true in the registry block."}}},
		{"measure missing with one exclusion", year2025, entity(5, 10, 0), without(full(), EP1), []Reason{{MeasureMissing,
			"PI_EP_1 (e-Prescribing) is missing from the registry block: CMS scores the category 0 unless it is reported or its exclusion PI_LVPP_1 is claimed."}}},
		{"measure missing with several exclusions", year2025, entity(5, 10, 0), without(full(), EP2), []Reason{{MeasureMissing,
			"PI_EP_2 (Query of the Prescription Drug Monitoring Program (PDMP)) is missing from the registry block: CMS scores the category 0 unless it is reported or one of its exclusions (PI_EP_2_EX_1, PI_EP_2_EX_2) is claimed."}}},
		{"yes/no measure answered no", year2025, entity(5, 10, 0), with(full(), map[string]Answer{PHCase: no()}), []Reason{{MeasureMissing,
			"PI_PHCDRR_3 (Electronic Case Reporting) is answered no: CMS scores the category 0 unless it is answered yes or one of its exclusions (PI_PHCDRR_3_EX_1, PI_PHCDRR_3_EX_2, PI_PHCDRR_3_EX_3) is claimed."}}},
		{"proportion measure numerator 0", year2025, entity(5, 10, 0), with(full(), map[string]Answer{EP1: ratio(0, 40)}), []Reason{{NumeratorZero,
			"PI_EP_1 (e-Prescribing) has 0 in its numerator: CMS scores the category 0 unless each required measure has at least 1 in its numerator or its exclusion PI_LVPP_1 is claimed."}}},
		{"proportion answered yes/no", year2025, entity(5, 10, 0), with(full(), map[string]Answer{EP1: yes()}), []Reason{{MeasureMissing,
			"PI_EP_1 (e-Prescribing) is answered true, which CMS cannot score (want {numerator: N, denominator: D} with N at least 1 and at most D): CMS scores the category 0 unless it is reported or its exclusion PI_LVPP_1 is claimed."}}},
		{"numerator above denominator", year2025, entity(5, 10, 0), with(full(), map[string]Answer{EP1: ratio(151, 150)}), []Reason{{MeasureMissing,
			"PI_EP_1 (e-Prescribing) is answered {numerator: 151, denominator: 150}, which CMS cannot score (want {numerator: N, denominator: D} with N at least 1 and at most D): CMS scores the category 0 unless it is reported or its exclusion PI_LVPP_1 is claimed."}}},
		{"attestation answered with numbers", year2025, entity(5, 10, 0), with(full(), map[string]Answer{SAFER: ratio(1, 1)}), []Reason{{AttestationMissing,
			"PI_PPHI_2 (SAFER Guides High Priority Practices Guide) is answered {numerator: 1, denominator: 1}, not yes: CMS scores the category 0 unless the practice answers yes. Once it is true, set PI_PPHI_2: true in the registry block."}}},
		{"no HIE alternative", year2025, entity(5, 10, 0), without(full(), HIE5), []Reason{{MeasureMissing,
			"None of the alternatives is complete: report one of PI_HIE_1 + PI_HIE_4, PI_HIE_5, PI_HIE_6, each measure answered or its exclusion claimed; CMS scores the category 0 otherwise."}}},
		{"HIE pair half done", year2025, entity(5, 10, 0), with(without(full(), HIE5), map[string]Answer{HIE1: ratio(3, 4)}), []Reason{{MeasureMissing,
			"None of the alternatives is complete (PI_HIE_1 + PI_HIE_4 lacks PI_HIE_4): report one of PI_HIE_1 + PI_HIE_4, PI_HIE_5, PI_HIE_6, each measure answered or its exclusion claimed; CMS scores the category 0 otherwise."}}},
		{"HIE_5 answered no", year2025, entity(5, 10, 0), with(full(), map[string]Answer{HIE5: no()}), []Reason{{MeasureMissing,
			"None of the alternatives is complete: report one of PI_HIE_1 + PI_HIE_4, PI_HIE_5, PI_HIE_6, each measure answered or its exclusion claimed; CMS scores the category 0 otherwise."}}},
		{"2022 alternatives", Period{Year: 2022, Days: 365, From: "2022-01-01", To: "2022-12-31"}, entity(5, 10, 0), without(full(), HIE5, EP2), []Reason{{MeasureMissing,
			"None of the alternatives is complete: report one of PI_HIE_1 + PI_HIE_4, PI_HIE_5, each measure answered or its exclusion claimed; CMS scores the category 0 otherwise."}}},
		{"measure with its exclusion", year2025, entity(5, 10, 0), with(full(), map[string]Answer{lvpp: no()}), []Reason{{ConflictingMeasures,
			"PI_EP_1 and its exclusion PI_LVPP_1 are both in the registry block: CMS accepts only one of them and would score the category 0. Remove one from the registry block."}}},
		{"measure with its alternative", year2025, entity(5, 10, 0), with(full(), map[string]Answer{HIE6: yes()}), []Reason{{ConflictingMeasures,
			"PI_HIE_5 and its alternative PI_HIE_6 are both in the registry block: CMS accepts only one of them and would score the category 0. Remove one from the registry block."}}},
		{"measure with its alternative's exclusion", year2025, entity(5, 10, 0), with(full(), map[string]Answer{"PI_LVOTC_1": yes()}), []Reason{{ConflictingMeasures,
			"PI_HIE_5 and PI_LVOTC_1 (the exclusion of its alternative PI_HIE_1) are both in the registry block: CMS accepts only one of them and would score the category 0. Remove one from the registry block."}}},
		{"measure with its stage measure", year2025, entity(5, 10, 0), with(full(), map[string]Answer{"PI_PHCDRR_1_PRE": yes()}), []Reason{{ConflictingMeasures,
			"PI_PHCDRR_1 and its stage measure PI_PHCDRR_1_PRE are both in the registry block: CMS accepts only one of them and would score the category 0. Remove one from the registry block."}}},
		{"PEA numerator 0", year2025, entity(0, 10, 3), full(), []Reason{{NumeratorZero,
			"No patient counts toward PI_PEA_1 (numerator 0): it is required and has no exclusion, so CMS scores the whole category 0."}}},
		{"year without data", Period{Year: 2021, Days: 365, From: "2021-01-01", To: "2021-12-31"}, entity(5, 10, 0), full(), []Reason{{NoMeasureData,
			"mipspi has no CMS measure list for performance year 2021 (it has 2022 to 2027), so it cannot tell which measures the category needs."}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			est := Compute(c.p, c.e, c.a)
			if !slices.Equal(est.ZeroReasons, c.want) {
				t.Errorf("reasons\n%q\nwant\n%q", est.ZeroReasons, c.want)
			}
			if est.Score != 0 || est.Weighted != 0 {
				t.Errorf("score %g weighted %g, want 0 with a failing gate", est.Score, est.Weighted)
			}
		})
	}
}

// TestEmptyAnswersListEverythingMissing: a period with no configuration answers says
// what is missing, each reason once.
func TestEmptyAnswersListEverythingMissing(t *testing.T) {
	est := Compute(year2025, entity(5, 10, 0), Answers{})
	var codes []string
	for _, r := range est.ZeroReasons {
		codes = append(codes, r.Code)
	}
	want := []string{CEHRTIDMissing, AttestationMissing, AttestationMissing, AttestationMissing, AttestationMissing,
		MeasureMissing, MeasureMissing, MeasureMissing, MeasureMissing, MeasureMissing}
	if !slices.Equal(codes, want) {
		t.Errorf("codes %v, want %v", codes, want)
	}
	seen := map[string]bool{}
	for _, r := range est.ZeroReasons {
		if seen[r.Message] {
			t.Errorf("reason listed twice: %s", r.Message)
		}
		seen[r.Message] = true
	}
}

// TestAlternativesThatPass: each alternative rule also lets a complete submission pass.
func TestAlternativesThatPass(t *testing.T) {
	for _, c := range []struct {
		name string
		a    Answers
	}{
		{"HIE_1 + HIE_4", with(without(full(), HIE5), map[string]Answer{HIE1: ratio(3, 4), HIE4: ratio(1, 2)})},
		{"HIE_6", with(without(full(), HIE5), map[string]Answer{HIE6: yes()})},
		{"HIE_1 + exclusion of HIE_4", with(without(full(), HIE5), map[string]Answer{HIE1: ratio(3, 4), "PI_LVITC_2": yes()})},
		{"e-Prescribing excluded", with(without(full(), EP1, EP2), map[string]Answer{lvpp: yes(), "PI_EP_2_EX_1": yes()})},
		{"immunization through the PROD stage measure", with(without(full(), PHImmun), map[string]Answer{"PI_PHCDRR_1_PROD": yes()})},
		{"both public-health measures excluded", with(without(full(), PHImmun, PHCase), map[string]Answer{"PI_PHCDRR_1_EX_1": yes(), "PI_PHCDRR_3_EX_2": yes()})},
	} {
		t.Run(c.name, func(t *testing.T) {
			est := Compute(year2025, entity(9, 10, 0), c.a)
			if len(est.ZeroReasons) != 0 || est.Score == 0 {
				t.Errorf("score %g reasons %q, want a score and no reason", est.Score, est.ZeroReasons)
			}
		})
	}
}

func find(t *testing.T, est Estimate, id string) MeasurePoints {
	t.Helper()
	for _, m := range est.Measures {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no row for %s in %v", id, est.Measures)
	return MeasurePoints{}
}

func hasUnverified(est Estimate, part string) bool {
	return slices.ContainsFunc(est.Unverified, func(s string) bool { return strings.Contains(s, part) })
}

func TestRedistributionIsMarkedUnverified(t *testing.T) {
	t.Run("PDMP excluded", func(t *testing.T) {
		est := Compute(year2025, entity(861, 1809, 0), with(without(full(), EP2), map[string]Answer{"PI_EP_2_EX_1": yes()}))
		if got := find(t, est, EP1); got != (MeasurePoints{EP1, 16, 20, Redistributed}) {
			t.Errorf("PI_EP_1 row %+v, want 16 of 20 redistributed", got)
		}
		if got := find(t, est, EP2); got != (MeasurePoints{EP2, 0, 0, Excluded}) {
			t.Errorf("PI_EP_2 row %+v, want excluded", got)
		}
		if est.Score != 12+16+30+25 || !hasUnverified(est, "PI_EP_1 worth 20") {
			t.Errorf("score %g unverified %q", est.Score, est.Unverified)
		}
	})
	t.Run("both public-health measures excluded: PEA worth 50", func(t *testing.T) {
		est := Compute(year2025, entity(861, 1809, 0), with(without(full(), PHImmun, PHCase), map[string]Answer{"PI_PHCDRR_1_EX_1": yes(), "PI_PHCDRR_3_EX_2": yes()}))
		// round(861/1809 × 50) = round(23.797) = 24
		if got := find(t, est, PEA1); got != (MeasurePoints{PEA1, 24, 50, Redistributed}) {
			t.Errorf("PI_PEA_1 row %+v, want 24 of 50 redistributed", got)
		}
		if est.PEA.MaxPoints != 50 || est.Score != 24+8+10+30 || !hasUnverified(est, "PI_PEA_1 worth 50") {
			t.Errorf("PEA max %g score %g unverified %q", est.PEA.MaxPoints, est.Score, est.Unverified)
		}
	})
	t.Run("one HIE measure excluded", func(t *testing.T) {
		est := Compute(year2025, entity(9, 10, 0), with(without(full(), HIE5), map[string]Answer{HIE1: ratio(3, 4), "PI_LVITC_2": yes()}))
		if got := find(t, est, HIE1); got != (MeasurePoints{HIE1, 23, 30, Redistributed}) {
			t.Errorf("PI_HIE_1 row %+v, want round(0.75×30)=23 of 30 redistributed", got)
		}
		if !hasUnverified(est, "PI_HIE_1 worth 30") {
			t.Errorf("unverified %q", est.Unverified)
		}
	})
}

func TestBonusAndCap(t *testing.T) {
	a := with(full(), map[string]Answer{EP1: ratio(150, 150), "PI_PHCDRR_2": yes(), "PI_PHCDRR_4_PROD": yes()})
	est := Compute(year2025, entity(10, 10, 0), a)
	if est.Bonus != 5 || est.Score != 100 || !est.Capped || est.Weighted != 25 {
		t.Errorf("bonus %g score %g capped %v weighted %g, want 5, 100, true, 25", est.Bonus, est.Score, est.Capped, est.Weighted)
	}
	est = Compute(year2025, entity(8, 10, 0), with(full(), map[string]Answer{"PI_PHCDRR_5": yes()}))
	if est.Bonus != 5 || est.Score != 20+8+10+30+25+5 || est.Capped {
		t.Errorf("bonus %g score %g capped %v", est.Bonus, est.Score, est.Capped)
	}
}

func TestPEASensitivity(t *testing.T) {
	f := PEA(entity(81, 100, 10), 25)
	// 81% → 20.25 → 20; 82% → 20.5 → 21; best 91% → 22.75 → 23.
	want := PEAFigures{Rate: 0.81, Points: 20, MaxPoints: 25, BestReachableRate: 0.91, BestReachablePoints: 23, NextPercentGain: 1, PendingGain: 3}
	if f != want {
		t.Errorf("PEA = %+v\nwant  %+v", f, want)
	}
	if f := PEA(entity(10, 10, 0), 25); f.NextPercentGain != 0 || f.Points != 25 {
		t.Errorf("at 100%%: %+v", f)
	}
	if f := PEA(entity(0, 0, 0), 25); f != (PEAFigures{MaxPoints: 25}) {
		t.Errorf("empty denominator: %+v", f)
	}
}

func TestMinimumPointIsUnverified(t *testing.T) {
	est := Compute(year2025, entity(1, 100, 0), full())
	if est.PEA.Points != 1 || !est.PEA.MinimumApplied || !hasUnverified(est, "at least 1 point") {
		t.Errorf("PEA %+v unverified %q", est.PEA, est.Unverified)
	}
}

func TestYearsTables(t *testing.T) {
	if PEAMaxPoints(2022) != 40 || PEAMaxPoints(2023) != 25 || PEAMaxPoints(2027) != 25 {
		t.Errorf("PEA max 2022/2023/2027 = %g/%g/%g", PEAMaxPoints(2022), PEAMaxPoints(2023), PEAMaxPoints(2027))
	}
	for _, y := range Years() {
		est := Compute(Period{Year: y, Days: 365}, entity(5, 10, 0), full())
		if len(est.ZeroReasons) != 0 {
			t.Errorf("%d: docs/configuration.md's configuration fails %q", y, est.ZeroReasons)
		}
		flagged := hasUnverified(est, "points")
		if want := y == 2022 || y == 2027; flagged != want {
			t.Errorf("%d: points table flagged unverified %v, want %v (%q)", y, flagged, want, est.Unverified)
		}
	}
}

func TestObjectivesFromCMSData(t *testing.T) {
	for y, want := range map[int][]string{
		2022: {"PI_EP_1", "PI_HIE_1 + PI_HIE_4, PI_HIE_5", "PI_PHCDRR_1", "PI_PHCDRR_3"},
		2025: {"PI_EP_1", "PI_EP_2", "PI_HIE_1 + PI_HIE_4, PI_HIE_5, PI_HIE_6", "PI_PHCDRR_1", "PI_PHCDRR_3"},
	} {
		var got []string
		for _, o := range objectives(MeasuresFor(y)) {
			got = append(got, o.text())
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d objectives %q, want %q", y, got, want)
		}
	}
}

// TestRedistributionKeepsTheTotal: whatever exclusions are claimed, the measures'
// maximum points still add up to 100 (redistribution moves points, never makes or
// loses them), for both HIE options.
func TestRedistributionKeepsTheTotal(t *testing.T) {
	claims := []struct{ measure, exclusion string }{
		{EP1, lvpp}, {EP2, "PI_EP_2_EX_1"}, {HIE1, "PI_LVOTC_1"}, {HIE4, "PI_LVITC_2"},
		{PHImmun, "PI_PHCDRR_1_EX_2"}, {PHCase, "PI_PHCDRR_3_EX_1"},
	}
	for _, hie5 := range []bool{false, true} {
		for mask := 0; mask < 1<<len(claims); mask++ {
			a := without(full(), HIE5)
			if hie5 {
				a.Measures[HIE5] = yes()
			} else {
				a.Measures[HIE1], a.Measures[HIE4] = ratio(3, 4), ratio(2, 4)
			}
			claimed := false
			for i, c := range claims {
				if mask&(1<<i) == 0 {
					continue
				}
				if hie5 && (c.measure == HIE1 || c.measure == HIE4) {
					continue
				}
				claimed = true
				delete(a.Measures, c.measure)
				a.Measures[c.exclusion] = yes()
			}
			est := Compute(year2025, entity(7, 10, 0), a)
			if len(est.ZeroReasons) != 0 {
				t.Errorf("hie5=%v mask %06b: reasons %q", hie5, mask, est.ZeroReasons)
				continue
			}
			total := 0.0
			for _, m := range est.Measures {
				total += m.MaxPoints
			}
			if total != 100 {
				t.Errorf("hie5=%v mask %06b: maximum points add up to %g, want 100: %v", hie5, mask, total, est.Measures)
			}
			if claimed && len(est.Unverified) == 0 {
				t.Errorf("hie5=%v mask %06b: an exclusion moved points but nothing is marked unverified", hie5, mask)
			}
		}
	}
}
