package reports

// The headline every report format leads with (issue 14, SPEC §5): per entity, the
// PI_PEA_1 rate and its points of the maximum, the best rate still reachable (R9) and
// its points, and — when the configuration has a registry block — the estimated whole
// PI category score with the gates that zero it. The figures come from package
// category; this file only words and shapes them.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/measure"
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
func points(x float64) string { return strconv.FormatFloat(round(x, 2), 'f', -1, 64) }

// who names the entity for a headline: "TIN 123456789 NPI 1234567893 Dr Ann Lee" or
// "TIN 123456789 group".
func (h headline) who(max int) string {
	e := h.Entity
	switch e.Level {
	case measure.Group:
		return "TIN " + terminal(e.TIN, max) + " group (all clinicians)"
	case measure.APMEntity: // mipspi combine (SPEC §7)
		return "APM Entity " + terminal(e.Clinician, max) + " (all TINs)"
	}
	s := "TIN " + terminal(e.TIN, max) + " NPI " + terminal(e.NPI, max)
	if e.Clinician != "" {
		s += " " + terminal(e.Clinician, max)
	}
	return s
}

// peaText: "PEA 80.00% (4/5) = 20 of 25 points; one more percentage point: +1; best
// reachable 90.00% = 23 points (the pending visits can still win 3)".
func (h headline) peaText() string {
	f := h.PEA
	return fmt.Sprintf("PEA %s (%d/%d) = %s of %s points; one more percentage point: +%s; best reachable %s = %s points (the pending visits can still win %s)",
		pct(h.Entity.Rate), h.Entity.Numerator, h.Entity.Denominator, points(f.Points), points(f.MaxPoints),
		points(f.NextPercentGain), pct(f.BestReachableRate), points(f.BestReachablePoints), points(f.PendingGain))
}

// categoryText: "PI category estimate 85 of 100 (21.25 weighted at 25%)", or "PI
// category estimate 0: CEHRT_ID_MISSING, MEASURE_MISSING", or what is missing to make
// an estimate at all.
func (h headline) categoryText() string {
	if h.Est == nil {
		return "PI category: not estimated (the configuration has no registry block with the CEHRT ID and the other PI answers)"
	}
	est := h.Est
	if len(est.ZeroReasons) > 0 {
		return "PI category estimate 0 of 100: " + strings.Join(reasonCodes(est.ZeroReasons), ", ")
	}
	s := fmt.Sprintf("PI category estimate %s of 100 (%s weighted at %s%%)", points(est.Score), points(est.Weighted), points(est.Weight*100))
	if len(est.Unverified) > 0 {
		s += "; rests on unverified facts"
	}
	return s
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

// reasonsOnce and unverifiedOnce collect the sentences over all headlines, each once, in
// first-seen order: most gates are the practice's, not one entity's.
func reasonsOnce(hs []headline) []category.Reason {
	var out []category.Reason
	for _, h := range hs {
		if h.Est == nil {
			continue
		}
		for _, r := range h.Est.ZeroReasons {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

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

// tableHeadline writes the headline block of the terminal report.
func tableHeadline(e *errWriter, r *measure.Result, o Options) {
	hs := headlines(r, o)
	if len(hs) == 0 {
		return
	}
	e.printf("\nHeadline\n")
	for _, h := range hs {
		e.printf("  %s\n    %s\n    %s\n", h.who(nameWidth), h.peaText(), h.categoryText())
	}
	if rs := reasonsOnce(hs); len(rs) > 0 {
		e.printf("\nWhy the PI category would score 0\n")
		for _, r := range rs {
			e.printf("  %s  %s\n", r.Code, r.Message)
		}
	}
	if us := unverifiedOnce(hs); len(us) > 0 {
		e.printf("\nUnverified figures in the estimate\n")
		for _, u := range us {
			e.printf("  - %s\n", u)
		}
	}
}
