package category

// estimate.go: the whole PI category estimate of SPEC §5 — gates, points per measure,
// redistribution, bonus, cap, weight — for one entity.

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/mipspi/mipspi/measure"
)

// Period is the performance period as the gates need it.
type Period struct {
	Year     int    // performance year
	Days     int    // consecutive days, both ends counted
	From, To string // YYYY-MM-DD, for messages
}

// PeriodOf returns the performance period of a result (the year of its start when
// the Result leaves PerformanceYear 0).
func PeriodOf(r *measure.Result) Period {
	start, end := r.Config.Start, r.Config.End
	y := r.PerformanceYear
	if y == 0 {
		y = start.Year()
	}
	return Period{Year: y, Days: int(end-start) + 1, From: start.String(), To: end.String()}
}

// Gate codes (SPEC §5): any of them makes the estimate 0.
const (
	CEHRTIDMissing      = "CEHRT_ID_MISSING"
	CEHRTIDInvalid      = "CEHRT_ID_INVALID"
	PeriodTooShort      = "PERIOD_TOO_SHORT"
	AttestationMissing  = "ATTESTATION_MISSING"
	MeasureMissing      = "MEASURE_MISSING"
	ConflictingMeasures = "CONFLICTING_MEASURES"
	NumeratorZero       = "NUMERATOR_ZERO"
	NoMeasureData       = "NO_MEASURE_DATA"
)

// Reason is one gate that zeroes the category: a code and a sentence for a clerk.
type Reason struct {
	Code    string
	Message string
}

// Basis says where a measure's points come from.
type Basis string

const (
	Computed      Basis = "computed"      // PI_PEA_1, from the EHR
	Answered      Basis = "answered"      // the practice's answer in the configuration
	Excluded      Basis = "excluded"      // an exclusion is claimed: 0 of 0 points
	Redistributed Basis = "redistributed" // worth more because an excluded measure's points moved here
)

// MeasurePoints is one scored measure of the estimate.
type MeasurePoints struct {
	ID        string
	Points    float64
	MaxPoints float64
	Basis     Basis
}

// PEAFigures are PI_PEA_1's points and what is still within reach (SPEC §5
// sensitivity). Points follow CMS's rounding: rate × points to the nearest integer.
type PEAFigures struct {
	Rate                float64 // the entity's rate (4 decimals)
	Points              float64
	MaxPoints           float64
	BestReachableRate   float64 // (numerator + pending) / denominator (R9)
	BestReachablePoints float64
	// NextPercentGain is the points one more percentage point of rate would add (0 at
	// 100%); PendingGain the points the pending visits can still win.
	NextPercentGain float64
	PendingGain     float64
	MinimumApplied  bool // the 1-point minimum lifted Points (unverified)
}

// Estimate is one entity's PI category estimate.
type Estimate struct {
	Year        int
	Score       float64 // 0–100; 0 when any gate fails
	Weight      float64 // the category's weight in the MIPS final score
	Weighted    float64 // Score × Weight, 2 decimals
	ZeroReasons []Reason
	Measures    []MeasurePoints // PI_PEA_1 first, then the other scored measures, bonus last
	Bonus       float64         // at most 5
	Capped      bool            // measure points + bonus exceeded 100
	PEA         PEAFigures      // at PI_PEA_1's points in this estimate (after redistribution)
	Unverified  []string        // figures that rest on facts not verified in a CMS source
}

// cehrtPattern is the CMS EHR Certification ID as the derived QPP schema states it
// (cehrtId): 15 letters or digits with "C" as the fifth character.
var cehrtPattern = regexp.MustCompile(`^[A-Za-z0-9]{4}C[A-Za-z0-9]{10}$`)

// ValidCEHRTID reports whether id has the form of a CMS EHR Certification ID.
func ValidCEHRTID(id string) bool { return cehrtPattern.MatchString(id) }

// MinPeriodDays is the shortest PI performance period: 90 consecutive days up to
// performance year 2023, 180 from 2024 (R11; CMS scoring reason PI-006), as measure
// decides it.
func MinPeriodDays(year int) int { return measure.MinPeriodDays(year) }

// proportionPoints is CMS's proportion score: num/den × max rounded to the nearest
// integer, at least 1 point when num ≥ 1 (mipsMinimumScore, unverified).
func proportionPoints(num, den int, max float64) (pts float64, minimum bool) {
	if den <= 0 || num <= 0 || max <= 0 {
		return 0, false
	}
	return ratePoints(float64(num)/float64(den), max)
}

func ratePoints(rate, max float64) (pts float64, minimum bool) {
	if rate <= 0 || max <= 0 {
		return 0, false
	}
	pts = math.Round(math.Min(rate, 1) * max)
	if pts < minPts {
		return minPts, true
	}
	return pts, false
}

// PEA returns PI_PEA_1's figures for an entity at max points (PEAMaxPoints of the year
// when no estimate moved points to it).
func PEA(e measure.EntityResult, max float64) PEAFigures {
	f := PEAFigures{Rate: e.Rate, MaxPoints: max, BestReachableRate: e.BestReachableRate()}
	if e.Denominator <= 0 {
		return f
	}
	rate := float64(e.Numerator) / float64(e.Denominator)
	f.Points, f.MinimumApplied = proportionPoints(e.Numerator, e.Denominator, max)
	f.BestReachablePoints, _ = proportionPoints(e.Numerator+e.Pending, e.Denominator, max)
	f.PendingGain = f.BestReachablePoints - f.Points
	if rate < 1 {
		next, _ := ratePoints(rate+0.01, max)
		f.NextPercentGain = next - f.Points
	}
	return f
}

// facts about one measure's answer.
type answers struct {
	a  Answers
	ym *YearMeasures
}

func (s answers) get(id string) (Answer, bool) { a, ok := s.a.Measures[id]; return a, ok }

// yes: a boolean answered true.
func (s answers) yes(id string) bool {
	a, ok := s.get(id)
	return ok && a.Bool != nil && *a.Bool && a.Numerator == nil && a.Denominator == nil
}

// reportedAs returns the id under which measure id is reported with a yes or a
// numerator of at least 1 — itself or one of its PRE/PROD stage measures — or "".
func (s answers) reportedAs(id string) string {
	m := s.ym.ByID[id]
	if m.MetricType == MetricProportion {
		if a, ok := s.get(id); ok && a.Bool == nil && a.Numerator != nil && a.Denominator != nil && *a.Numerator >= 1 && *a.Denominator >= *a.Numerator {
			return id
		}
		return ""
	}
	for _, c := range append([]string{id}, m.Preprod...) {
		if s.yes(c) {
			return c
		}
	}
	return ""
}

// excludedBy returns the exclusion of id claimed (answered yes), or "".
func (s answers) excludedBy(id string) string {
	for _, x := range s.ym.ByID[id].Exclusion {
		if s.yes(x) {
			return x
		}
	}
	return ""
}

func (s answers) covered(id string) bool { return s.reportedAs(id) != "" || s.excludedBy(id) != "" }

func (s answers) answered(id string) bool { _, ok := s.get(id); return ok }

// answerText renders an answer as it is written in the configuration.
func answerText(a Answer) string {
	switch {
	case a.Bool != nil && a.Numerator == nil && a.Denominator == nil:
		return fmt.Sprint(*a.Bool)
	case a.Bool == nil && a.Numerator != nil && a.Denominator != nil:
		return fmt.Sprintf("{numerator: %d, denominator: %d}", *a.Numerator, *a.Denominator)
	default:
		return "with no usable value"
	}
}

// answeredNo: answered, but with "no" or a numerator of 0.
func (s answers) answeredNo(id string) bool {
	a, ok := s.get(id)
	if !ok {
		return false
	}
	return (a.Bool != nil && !*a.Bool) || (a.Numerator != nil && *a.Numerator == 0)
}

// objective is a group of required measures that replace each other, as options: an
// option is met when each of its measures is reported or excluded ("PI_HIE_1 +
// PI_HIE_4", "PI_HIE_5", "PI_HIE_6").
type objective [][]string

func optionText(opt []string) string { return strings.Join(opt, " + ") }

func (o objective) text() string {
	parts := make([]string, len(o))
	for i, opt := range o {
		parts[i] = optionText(opt)
	}
	return strings.Join(parts, ", ")
}

// objectives derives the required objectives of a year from the CMS data: required
// measures other than PI_PEA_1 and the attestations, without PRE/PROD stage measures
// (they stand for their parent), grouped by the substitutes relation; within a group,
// measures that are not substitutes of each other form one option together.
func objectives(ym *YearMeasures) []objective {
	var req []string
	for _, id := range ym.Order {
		m := ym.ByID[id]
		if m.Required() && len(ym.Parent[id]) == 0 && id != PEA1 && !slices.Contains(Attestations, id) {
			req = append(req, id)
		}
	}
	subs := func(a, b string) bool {
		return slices.Contains(ym.ByID[a].Substitutes, b) || slices.Contains(ym.ByID[b].Substitutes, a)
	}
	var out []objective
	done := make(map[string]bool)
	for _, id := range req {
		if done[id] {
			continue
		}
		// the connected component of id under substitutes, in id order
		comp := []string{id}
		done[id] = true
		for grew := true; grew; {
			grew = false
			for _, other := range req {
				if !done[other] && slices.ContainsFunc(comp, func(c string) bool { return subs(c, other) }) {
					comp = append(comp, other)
					done[other] = true
					grew = true
				}
			}
		}
		slices.Sort(comp)
		var obj objective
		for _, c := range comp {
			placed := false
			for i, opt := range obj {
				if !slices.ContainsFunc(opt, func(o string) bool { return subs(o, c) }) {
					obj[i] = append(obj[i], c)
					placed = true
					break
				}
			}
			if !placed {
				obj = append(obj, []string{c})
			}
		}
		out = append(out, obj)
	}
	return out
}

// name is "PI_EP_1 (e-Prescribing)".
func (s answers) name(id string) string {
	t := strings.Join(strings.Fields(s.ym.Title(id)), " ")
	if t == id || t == "" {
		return id
	}
	return id + " (" + t + ")"
}

func exclusionText(ex []string) string {
	switch len(ex) {
	case 0:
		return ""
	case 1:
		return " or its exclusion " + ex[0] + " is claimed"
	default:
		return " or one of its exclusions (" + strings.Join(ex, ", ") + ") is claimed"
	}
}

// Compute returns the category estimate of one entity (SPEC §5), from the entity's own
// answers (Answers.For: the clinician's, the TIN's, then the practice's, SPEC §4).
func Compute(p Period, e measure.EntityResult, a Answers) Estimate {
	a = a.For(e.Entity).Answers
	est := Estimate{Year: p.Year, Weight: weight}
	pts := pointsFor(p.Year)
	est.PEA = PEA(e, pts.points[PEA1])
	gate := func(code, format string, args ...any) {
		est.ZeroReasons = append(est.ZeroReasons, Reason{Code: code, Message: fmt.Sprintf(format, args...)})
	}
	note := func(format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		if !slices.Contains(est.Unverified, s) {
			est.Unverified = append(est.Unverified, s)
		}
	}
	ym := MeasuresFor(p.Year)
	if ym == nil {
		ys := Years()
		gate(NoMeasureData, "mipspi has no CMS measure list for performance year %d (it has %d to %d), so it cannot tell which measures the category needs.", p.Year, ys[0], ys[len(ys)-1])
		return est
	}
	s := answers{a: a, ym: ym}
	if pts.unverified != "" {
		note("%s", pts.unverified)
	}

	// Gates, in the order a clerk would fix them.
	switch id := strings.TrimSpace(a.CEHRTID); {
	case id == "":
		gate(CEHRTIDMissing, "The CMS EHR Certification ID is missing: CMS scores the whole Promoting Interoperability category 0 without it. Copy the practice's 15-character ID from the CHPL website into registry.cehrt_id.")
	case !ValidCEHRTID(id):
		gate(CEHRTIDInvalid, "The CMS EHR Certification ID %q is not in CMS's format (15 letters or digits with C as the 5th character, like 0015C8BCD1234XY): CMS scores the category 0 without a valid one. Copy it again from the CHPL website.", a.CEHRTID)
	}
	if min := MinPeriodDays(p.Year); p.Days < min {
		gate(PeriodTooShort, "The reporting period %s to %s is %d days: CMS requires at least %d days in a row in %d and scores the category 0 for a shorter period.", p.From, p.To, p.Days, min, p.Year)
	}
	for _, id := range Attestations {
		if _, ok := ym.ByID[id]; !ok {
			continue
		}
		if s.yes(id) {
			continue
		}
		what := "is not answered"
		if a, ok := s.get(id); ok {
			what = "is answered " + answerText(a) + ", not yes"
			if s.answeredNo(id) {
				what = "is answered no"
			}
		}
		gate(AttestationMissing, "%s %s: CMS scores the category 0 unless the practice answers yes. Once it is true, set %s: true in the registry block.", s.name(id), what, id)
	}
	for _, obj := range objectives(ym) {
		met := slices.ContainsFunc(obj, func(opt []string) bool {
			return !slices.ContainsFunc(opt, func(id string) bool { return !s.covered(id) })
		})
		if met {
			continue
		}
		if len(obj) == 1 && len(obj[0]) == 1 {
			id := obj[0][0]
			m := ym.ByID[id]
			ex := exclusionText(m.Exclusion)
			switch {
			case s.answeredNo(id) && m.MetricType == MetricProportion:
				gate(NumeratorZero, "%s has 0 in its numerator: CMS scores the category 0 unless each required measure has at least 1 in its numerator%s.", s.name(id), ex)
				note("%s with a numerator of 0 is taken to zero the category (CMS requires at least 1 in the numerator of each required measure, as recalled)", id)
			case s.answeredNo(id):
				gate(MeasureMissing, "%s is answered no: CMS scores the category 0 unless it is answered yes%s.", s.name(id), ex)
				note("%s answered no is taken to zero the category (CMS requires a yes on each required yes/no measure, as recalled)", id)
			case s.answered(id):
				want := "true"
				if m.MetricType == MetricProportion {
					want = "{numerator: N, denominator: D} with N at least 1 and at most D"
				}
				gate(MeasureMissing, "%s is answered %s, which CMS cannot score (want %s): CMS scores the category 0 unless it is reported%s.", s.name(id), answerText(s.a.Measures[id]), want, ex)
			default:
				gate(MeasureMissing, "%s is missing from the registry block: CMS scores the category 0 unless it is reported%s.", s.name(id), ex)
			}
			continue
		}
		// Alternatives: named as alternatives, with what is incomplete.
		var partial []string
		for _, opt := range obj {
			var have, lack []string
			for _, id := range opt {
				if s.covered(id) {
					have = append(have, id)
				} else {
					lack = append(lack, id)
				}
			}
			if len(have) > 0 {
				partial = append(partial, fmt.Sprintf("%s lacks %s", optionText(opt), strings.Join(lack, " and ")))
			}
		}
		detail := ""
		if len(partial) > 0 {
			detail = " (" + strings.Join(partial, "; ") + ")"
		}
		gate(MeasureMissing, "None of the alternatives is complete%s: report one of %s, each measure answered or its exclusion claimed; CMS scores the category 0 otherwise.", detail, obj.text())
	}
	for _, c := range conflicts(s) {
		gate(ConflictingMeasures, "%s", c)
	}
	if e.Numerator == 0 {
		gate(NumeratorZero, "No patient counts toward %s (numerator 0): it is required and has no exclusion, so CMS scores the whole category 0.", PEA1)
	}

	// Points (SPEC §5) with redistribution (pi-scoring.md: unverified).
	max := make(map[string]float64, len(pts.points))
	for id, v := range pts.points {
		max[id] = v
	}
	base := pts.points
	excluded := map[string]bool{}
	if _, ok := ym.ByID[EP2]; ok && !ym.ByID[EP2].IsBonus && s.excludedBy(EP2) != "" {
		excluded[EP2] = true
		max[EP1] += max[EP2]
		max[EP2] = 0
		note("%s worth %g: the %g points of %s (excluded) are taken to move to it (recalled from the PI User Guides, not verified)", EP1, max[EP1], base[EP2], EP2)
	}
	hie := hieOption(s, ym)
	if s.excludedBy(EP1) != "" {
		excluded[EP1] = true
		moved := max[EP1]
		max[EP1] = 0
		var to []string
		for _, id := range hie {
			if s.excludedBy(id) == "" {
				to = append(to, id)
			}
		}
		if len(to) == 0 {
			to = []string{PEA1}
		}
		for _, id := range to {
			max[id] += moved / float64(len(to))
		}
		note("e-Prescribing's %g points (%s excluded) are taken to move to %s (recalled from the PI User Guides, not verified)", moved, EP1, strings.Join(to, " and "))
	}
	if len(hie) == 2 {
		x0, x1 := s.excludedBy(hie[0]) != "", s.excludedBy(hie[1]) != ""
		switch {
		case x0 && x1:
			max[PEA1] += max[hie[0]] + max[hie[1]]
			note("%s worth %g: the points of %s and %s (both excluded) are taken to move to it (recalled from the PI User Guides, not verified)", PEA1, max[PEA1], hie[0], hie[1])
			excluded[hie[0]], excluded[hie[1]] = true, true
			max[hie[0]], max[hie[1]] = 0, 0
		case x0 || x1:
			from, to := hie[0], hie[1]
			if x1 {
				from, to = to, from
			}
			max[to] += max[from]
			max[from] = 0
			excluded[from] = true
			note("%s worth %g: the points of %s (excluded) are taken to move to it (recalled from the PI User Guides, not verified)", to, max[to], from)
		}
	}
	phX1, phX3 := s.excludedBy(PHImmun) != "", s.excludedBy(PHCase) != ""
	switch {
	case phX1 && phX3:
		max[PEA1] += max[PHImmun] + max[PHCase]
		note("%s worth %g: both public-health measures are excluded and their %g points are taken to move to it (recalled from the PI User Guides, not verified; CMS's public data shows PEA scores of 49 and 50)", PEA1, max[PEA1], max[PHImmun]+max[PHCase])
		excluded[PHImmun], excluded[PHCase] = true, true
		max[PHImmun], max[PHCase] = 0, 0
	case phX1 || phX3:
		from, to := PHImmun, PHCase
		if phX3 {
			from, to = to, from
		}
		max[to] += max[from]
		max[from] = 0
		excluded[from] = true
		note("%s worth %g: the points of %s (excluded) are taken to move to the other public-health measure (inferred, not verified)", to, max[to], from)
	}

	// PI_PEA_1 at its points after redistribution.
	est.PEA = PEA(e, max[PEA1])
	if est.PEA.MinimumApplied {
		note("%s %g point: a numerator of at least 1 is taken to earn at least 1 point (inferred from CMS's mipsMinimumScore, not verified)", PEA1, est.PEA.Points)
	}
	peaBasis := Computed
	if max[PEA1] > base[PEA1] {
		peaBasis = Redistributed
	}
	est.Measures = append(est.Measures, MeasurePoints{ID: PEA1, Points: est.PEA.Points, MaxPoints: max[PEA1], Basis: peaBasis})

	scored := []string{EP1}
	if m, ok := ym.ByID[EP2]; ok && !m.IsBonus {
		scored = append(scored, EP2)
	}
	scored = append(scored, hie...)
	scored = append(scored, PHImmun, PHCase)
	total := est.PEA.Points
	for _, id := range scored {
		m, ok := ym.ByID[id]
		if !ok {
			continue
		}
		if excluded[id] || (s.excludedBy(id) != "" && s.reportedAs(id) == "") {
			est.Measures = append(est.Measures, MeasurePoints{ID: id, Basis: Excluded})
			continue
		}
		row := MeasurePoints{ID: id, MaxPoints: max[id], Basis: Answered}
		if max[id] > base[id] {
			row.Basis = Redistributed
		}
		if as := s.reportedAs(id); as != "" {
			row.ID = as
			if m.MetricType == MetricProportion {
				ans := s.a.Measures[id]
				var minimum bool
				row.Points, minimum = proportionPoints(*ans.Numerator, *ans.Denominator, max[id])
				if minimum {
					note("%s %g point: a numerator of at least 1 is taken to earn at least 1 point (inferred from CMS's mipsMinimumScore, not verified)", id, row.Points)
				}
			} else {
				row.Points = max[id]
			}
		} else if _, ok := s.get(id); !ok {
			continue // missing: a gate says so; no row for a measure not sent
		}
		total += row.Points
		est.Measures = append(est.Measures, row)
	}
	for _, id := range ym.Order {
		m := ym.ByID[id]
		if !m.IsBonus || len(ym.Parent[id]) > 0 {
			continue
		}
		as := s.reportedAs(id)
		if as == "" {
			continue
		}
		est.Measures = append(est.Measures, MeasurePoints{ID: as, Points: pts.bonus, MaxPoints: pts.bonus, Basis: Answered})
		est.Bonus += pts.bonus
		if id == PHTEFCA {
			note("%s bonus of %g points: its value for %d is not verified", id, pts.bonus, p.Year)
		}
	}
	est.Bonus = math.Min(est.Bonus, bonusMx)
	total += est.Bonus
	if total > maxCat {
		total, est.Capped = maxCat, true
	}
	if len(est.ZeroReasons) == 0 {
		est.Score = total
	}
	est.Weighted = math.Round(est.Score*est.Weight*100) / 100
	return est
}

// hieOption is the health-information-exchange option the practice chose: the first
// option of the objective holding PI_HIE_1 whose measures are all reported or excluded,
// else the first with any measure answered, else the first.
func hieOption(s answers, ym *YearMeasures) []string {
	for _, obj := range objectives(ym) {
		if !slices.ContainsFunc(obj, func(opt []string) bool { return slices.Contains(opt, HIE1) }) {
			continue
		}
		for _, opt := range obj {
			if !slices.ContainsFunc(opt, func(id string) bool { return !s.covered(id) }) {
				return opt
			}
		}
		for _, opt := range obj {
			if slices.ContainsFunc(opt, func(id string) bool { _, ok := s.get(id); return ok || s.excludedBy(id) != "" }) {
				return opt
			}
		}
		return obj[0]
	}
	return nil
}

// conflicts lists the measures sent together that CMS accepts only one of: a measure
// with its exclusion, a measure with its substitute or its substitute's exclusion, a
// measure with its PRE/PROD stage measure. Every answered measure is sent, whatever the
// answer, and PI_PEA_1 always is.
func conflicts(s answers) []string {
	sent := map[string]bool{PEA1: true}
	for id := range s.a.Measures {
		if _, ok := s.ym.ByID[id]; ok {
			sent[id] = true
		}
	}
	var out []string
	seen := map[[2]string]bool{}
	add := func(a, b, format string, args ...any) {
		key := [2]string{min(a, b), max(a, b)}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, fmt.Sprintf(format, args...))
	}
	const tail = "CMS accepts only one of them and would score the category 0. Remove one from the registry block."
	for _, id := range s.ym.Order {
		if !sent[id] {
			continue
		}
		m := s.ym.ByID[id]
		for _, x := range m.Exclusion {
			if sent[x] {
				add(id, x, "%s and its exclusion %s are both in the registry block: %s", id, x, tail)
			}
		}
		for _, sub := range m.Substitutes {
			if sent[sub] {
				add(id, sub, "%s and its alternative %s are both in the registry block: %s", min(id, sub), max(id, sub), tail)
			}
			if s.ym.ByID[sub].ReportingCategory == "exclusion" {
				continue
			}
			for _, x := range s.ym.ByID[sub].Exclusion {
				if sent[x] {
					add(id, x, "%s and %s (the exclusion of its alternative %s) are both in the registry block: %s", id, x, sub, tail)
				}
			}
		}
		for _, st := range m.Preprod {
			if sent[st] {
				add(id, st, "%s and its stage measure %s are both in the registry block: %s", id, st, tail)
			}
		}
	}
	return out
}
