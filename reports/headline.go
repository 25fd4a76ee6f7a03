package reports

// The headline every report format leads with (issue 14, SPEC §5): per entity, the
// PI_PEA_1 rate and its points of the maximum, the best rate still reachable (R9) and
// its points, and — when the configuration has a registry block — the estimated whole
// PI category score with the gates that zero it. The figures come from package
// category; this file only words and shapes them.

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

// headline is one entity's leading figures.
type headline struct {
	Entity measure.EntityResult
	PEA    category.PEAFigures
	Est    *category.Estimate // nil when the configuration has no registry block
}

// headlines computes the headline of every entity of r, in Result order.
func headlines(r *measure.Result, o Options) []headline {
	p := category.PeriodOf(r)
	out := make([]headline, 0, len(r.Entities))
	for _, e := range r.Entities {
		h := headline{Entity: e, PEA: category.PEA(e, category.PEAMaxPoints(p.Year))}
		if o.Registry != nil {
			est := category.Compute(p, e, *o.Registry)
			h.Est, h.PEA = &est, est.PEA
		}
		out = append(out, h)
	}
	return out
}

// points prints a point figure: "12", "12.5".
func points(x float64) string { return strconv.FormatFloat(measure.Round(x, 2), 'f', -1, 64) }

// pointsOfMax prints PI_PEA_1's whole points of its maximum, "14 of 25" (SPEC §5).
func (h headline) pointsOfMax() string {
	return points(h.PEA.Points) + " of " + points(h.PEA.MaxPoints)
}

// who names the entity in a zero reason's list: "TIN 123456789 NPI 1234567893 Lee,
// Ann", "TIN 123456789 group" or "APM Entity X".
func (h headline) who(max int) string {
	e := h.Entity
	switch e.Level {
	case measure.Group:
		return "TIN " + sanitize.Display(e.TIN, max) + " group"
	case measure.APMEntity: // mipspi combine (SPEC §7)
		return "APM Entity " + sanitize.Display(e.Clinician, max)
	}
	s := "TIN " + sanitize.Display(e.TIN, max) + " NPI " + sanitize.Display(e.NPI, max)
	if e.Clinician != "" {
		s += " " + sanitize.Display(e.Clinician, max)
	}
	return s
}

// notEstimated is said once above the headline table when the configuration has no
// registry block (SPEC §5), never per entity: the cause and the cure are the practice's.
const (
	notEstimated    = "PI category: not estimated: the configuration has no registry: block."
	notEstimatedFix = "Add one with the practice's CEHRT ID and its answers for the other Promoting Interoperability " +
		"measures (docs/configuration.md in mipspi's documentation shows one) to see each entity's estimated category score."
)

// hlRow is one row of the headline table, worded for a person. Pending and Next are
// empty when they would add nothing, Category when there is no registry block.
type hlRow struct {
	Level, TIN, NPI string
	Name            string // the practice name with "(group)", the clinician, or the APM Entity
	Rate            string // "57.14% (4/7)"
	Points          string // "14 of 25"
	Best            string // "100.00% = 25"
	Pending         string // "+11": the points the pending visits can still win (R9)
	Next            string // "+1": the points one more percentage point would add
	Category        string // "77 (19.25)", "0: NUMERATOR_ZERO", or ""
	Unverified      bool   // the estimate rests on a fact not verified in a CMS source
	// The figures as numbers, for the HTML's data-value attributes (the JSON's values).
	RateValue, PointsValue, MaxValue, BestValue, BestPointsValue string
	PendingValue, NextValue, ScoreValue                          string // ScoreValue "" when not estimated
}

// gain prints a sensitivity figure, "" when it adds nothing.
func gain(x float64) string {
	if measure.Round(x, 2) <= 0 {
		return ""
	}
	return "+" + points(x)
}

// row words h for the headline table; max caps data strings, practice the practice
// name (a TIN's offices' names joined, shown in full in the figures below).
func (h headline) row(max, practice int) hlRow {
	e, f := h.Entity, h.PEA
	r := hlRow{Level: string(e.Level), TIN: sanitize.Display(e.TIN, max), NPI: sanitize.Display(e.NPI, max),
		Rate:    fmt.Sprintf("%s (%d/%d)", pct(e.Rate), e.Numerator, e.Denominator),
		Points:  h.pointsOfMax(),
		Best:    pct(f.BestReachableRate) + " = " + points(f.BestReachablePoints),
		Pending: gain(f.PendingGain), Next: gain(f.NextPercentGain),
		RateValue: wire.Decimal(e.Rate, 4), PointsValue: points(f.Points), MaxValue: points(f.MaxPoints),
		BestValue: wire.Decimal(f.BestReachableRate, 4), BestPointsValue: points(f.BestReachablePoints),
		PendingValue: points(f.PendingGain), NextValue: points(f.NextPercentGain)}
	switch e.Level {
	case measure.Group:
		r.Name = "(group)"
		if e.PracticeName != "" {
			r.Name = sanitize.Display(e.PracticeName, practice) + " (group)"
		}
	case measure.APMEntity:
		r.TIN, r.Name = "all TINs", "APM Entity "+sanitize.Display(e.Clinician, max)
	default:
		r.Name = sanitize.Display(e.Clinician, max)
	}
	if est := h.Est; est != nil {
		if len(est.ZeroReasons) > 0 {
			r.Category = "0: " + strings.Join(reasonCodes(est.ZeroReasons), ", ")
		} else {
			r.Category = fmt.Sprintf("%s (%s)", points(est.Score), points(est.Weighted))
		}
		// a zero rests on a gate, not on the unverified points
		r.Unverified, r.ScoreValue = len(est.ZeroReasons) == 0 && len(est.Unverified) > 0, points(est.Score)
	}
	return r
}

// headlineOrder puts the rows a practice manager reads first on top: the APM Entity,
// then every TIN's group row, then the clinicians, each in Result order.
func headlineOrder(hs []headline) []headline {
	rank := func(h headline) int {
		switch h.Entity.Level {
		case measure.APMEntity:
			return 0
		case measure.Group:
			return 1
		}
		return 2
	}
	out := slices.Clone(hs)
	slices.SortStableFunc(out, func(a, b headline) int { return rank(a) - rank(b) })
	return out
}

// categoryWeight is the weight of the estimates, for the column heading ("" when none).
func categoryWeight(hs []headline) string {
	for _, h := range hs {
		if h.Est != nil {
			return points(h.Est.Weight*100) + "%"
		}
	}
	return ""
}

// reasonEntities is one zero reason with the entities it zeroes.
type reasonEntities struct {
	category.Reason
	Count    int
	Entities string // the entities named when few, else ""
}

// reasonNameLimit: up to this many entities a zero reason names them; beyond, it counts.
const reasonNameLimit = 5

// Affects words the entities: "1 entity: TIN 987654321 NPI 1679576722 Chen, Cy" or
// "all 201 entities".
func (z reasonEntities) Affects(total int) string {
	noun := "entities"
	if z.Count == 1 {
		noun = "entity"
	}
	switch {
	case z.Count == total && z.Count > 1:
		return fmt.Sprintf("all %d %s", z.Count, noun)
	case z.Entities != "":
		return fmt.Sprintf("%d %s: %s", z.Count, noun, z.Entities)
	}
	return fmt.Sprintf("%d %s", z.Count, noun)
}

// zeroReasons collects each distinct zero reason once, in first-seen order of the
// headline, with the entities it zeroes (SPEC §5: each gate listed once).
func zeroReasons(hs []headline, max int) []reasonEntities {
	var out []reasonEntities
	names := map[int][]string{}
	for _, h := range hs {
		if h.Est == nil {
			continue
		}
		for _, r := range h.Est.ZeroReasons {
			i := slices.IndexFunc(out, func(z reasonEntities) bool { return z.Reason == r })
			if i < 0 {
				out = append(out, reasonEntities{Reason: r})
				i = len(out) - 1
			}
			if n := names[i]; len(n) > 0 && n[len(n)-1] == h.who(max) {
				continue // the same reason twice for one entity
			}
			out[i].Count++
			if len(names[i]) <= reasonNameLimit {
				names[i] = append(names[i], h.who(max))
			}
		}
	}
	for i := range out {
		if out[i].Count <= reasonNameLimit {
			out[i].Entities = strings.Join(names[i], "; ")
		}
	}
	return out
}

// reasonCodes lists the codes once each, in order.
func reasonCodes(rs []category.Reason) []string {
	var out []string
	for _, r := range rs {
		if !slices.Contains(out, r.Code) {
			out = append(out, r.Code)
		}
	}
	return out
}

// unverifiedOnce collects the unverified figures over all headlines, each once, in
// first-seen order: most are the practice's, not one entity's.
func unverifiedOnce(hs []headline) []string {
	var out []string
	for _, h := range hs {
		if h.Est == nil {
			continue
		}
		for _, u := range h.Est.Unverified {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// tableHeadline writes the headline of the terminal report: one table row per entity,
// the groups first, what is missing for the PI category said once above it and each
// zero reason once under it.
func tableHeadline(e *errWriter, m *model) {
	hs, o := m.ordered, m.o
	if len(hs) == 0 {
		return
	}
	e.printf("\nHeadline\n")
	if o.Registry == nil {
		e.printf("%s\n%s\n", notEstimated, notEstimatedFix)
	}
	e.printf("\n")
	var b bytes.Buffer // aligned, then each line's padding trimmed
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	head := "  TIN\tPRACTICE OR CLINICIAN\tNPI\tPEA RATE\tPEA POINTS\tBEST REACHABLE\tPENDING CAN WIN\t+1% RATE WINS"
	if o.Registry != nil {
		head += "\tPI CATEGORY OF 100 (WEIGHTED AT " + categoryWeight(hs) + ")"
	}
	fmt.Fprintln(tw, head)
	unverified := false
	for _, h := range hs {
		x := h.row(nameWidth, nameWidth-8) // "… (group)" as wide as a clinician's name
		line := fmt.Sprintf("  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", x.TIN, x.Name, x.NPI, x.Rate, x.Points, x.Best, x.Pending, x.Next)
		if o.Registry != nil {
			if x.Unverified {
				x.Category += " *"
				unverified = true
			}
			line += "\t" + x.Category
		}
		fmt.Fprintln(tw, line)
	}
	_ = tw.Flush() // a bytes.Buffer does not fail
	for _, l := range strings.SplitAfter(b.String(), "\n") {
		if l != "" {
			e.printf("%s\n", strings.TrimRight(l, " \n"))
		}
	}
	if rs := zeroReasons(hs, nameWidth); len(rs) > 0 {
		e.printf("\nWhy the PI category would score 0\n")
		for _, z := range rs {
			e.printf("  %s  %s (%s)\n", z.Code, z.Message, z.Affects(len(hs)))
		}
	}
	if us := unverifiedOnce(hs); len(us) > 0 && unverified {
		e.printf("\n* Unverified figures in the estimate\n")
		for _, u := range us {
			e.printf("  - %s\n", u)
		}
	}
}
