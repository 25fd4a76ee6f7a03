package registry

// validate.go mirrors the checks CMS applies to a PI submission (issue 5; the rules the
// derived schema's $comment lists as beyond JSON Schema) so that a practice learns of
// every problem before it uploads, not one rejection at a time.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/measure"
)

// Problem severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Problem is one thing CMS would reject (error) or that costs the practice score
// (warning). Entity names the entity ("TIN 123456789 NPI 1234567893",
// "TIN 123456789 (group)") or is "" for the submission as a whole.
type Problem struct {
	Severity string
	Entity   string
	Message  string
	// Code, when set, is the category gate (SPEC §5) this problem also is, so that an
	// export listing the gates can say each reason once (RepeatsGate).
	Code string
}

// String renders p for stderr: "error: TIN 123456789 NPI 1234567893: message".
func (p Problem) String() string {
	if p.Entity == "" {
		return p.Severity + ": " + p.Message
	}
	return p.Severity + ": " + p.Entity + ": " + p.Message
}

// HasErrors reports whether any problem is an error.
func HasErrors(ps []Problem) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == SeverityError })
}

// Validate checks the submission the files would carry and returns every problem,
// errors and warnings, in a stable order: the performance period, the CEHRT ID and
// the configured measures first, then each exported entity in Result order.
func Validate(r *measure.Result, cfg Config, filter EntityFilter) []Problem {
	var ps []Problem
	errorf := func(entity, format string, args ...any) {
		ps = append(ps, Problem{Severity: SeverityError, Entity: entity, Message: fmt.Sprintf(format, args...)})
	}
	warnf := func(entity, format string, args ...any) {
		ps = append(ps, Problem{Severity: SeverityWarning, Entity: entity, Message: fmt.Sprintf(format, args...)})
	}
	if r == nil {
		errorf("", "no result to export")
		return ps
	}

	// Performance period (R11). The report only warns about a short period, but CMS
	// rejects a PI submission whose period is shorter than the minimum or crosses a
	// year, so for export it is an error (the CLI's --force still writes the files).
	start, end, year := period(r)
	pc := measure.CheckPeriod(start, end) // R11, decided in measure
	switch {
	case end < start:
		errorf("", "performance period %s..%s ends before it starts", start, end)
	case !pc.OneYear:
		errorf("", "performance period %s..%s spans two calendar years: CMS requires one", start, end)
	default:
		if r.PerformanceYear != 0 && r.PerformanceYear != start.Year() {
			errorf("", "performance year %d does not match the performance period %s..%s", r.PerformanceYear, start, end)
		}
		if pc.TooShort() {
			errorf("", "performance period %s..%s is %d days: CMS requires at least %d consecutive days in performance year %d", start, end, pc.Days, pc.MinDays, year)
			ps[len(ps)-1].Code = category.PeriodTooShort
		}
	}

	// CEHRT ID.
	switch {
	case strings.TrimSpace(cfg.CEHRTID) == "":
		errorf("", "registry.cehrt_id is missing: set it to the practice's 15-character CMS EHR Certification ID from CHPL")
		ps[len(ps)-1].Code = category.CEHRTIDMissing
	case !category.ValidCEHRTID(cfg.CEHRTID):
		errorf("", "registry.cehrt_id %q is not a CMS EHR Certification ID: want 15 letters or digits with C as the 5th character (e.g. 0015C8BCD1234XY)", cfg.CEHRTID)
		ps[len(ps)-1].Code = category.CEHRTIDInvalid
	}

	// Configured measures against the year's CMS measure data.
	ps = append(ps, validateMeasures(cfg, year)...)

	// Entities.
	ents, err := selected(r, filter)
	if err != nil {
		errorf("", "%v", err)
		return ps
	}
	if len(ents) == 0 {
		errorf("", "no %sentities in the result to export", filterWord(filter))
	}
	files := make(map[string]bool)
	for _, e := range ents {
		who := entityLabel(e)
		switch e.Level {
		case measure.Individual, measure.Group:
		default:
			errorf(who, "level %q: want individual or group", e.Level)
		}
		if !measure.ValidTIN(e.TIN) {
			errorf(who, "TIN %q is not 9 digits", e.TIN)
		}
		if e.Level == measure.Individual {
			switch {
			case !allDigits(e.NPI, 10):
				errorf(who, "NPI %q is not 10 digits", e.NPI)
			case !measure.ValidNPI(e.NPI):
				errorf(who, "NPI %s fails the check digit (Luhn over 80840 + the first 9 digits): the last digit should be %c", e.NPI, measure.NPICheckDigit(e.NPI[:9]))
			}
		}
		name := FileName(QPP, e)
		if files[name] {
			errorf(who, "entity appears more than once in the result")
		}
		files[name] = true
		ps = append(ps, checkRatio(who, measure.MeasureID, e.Numerator, e.Denominator)...)
		if e.Numerator == 0 {
			warnf(who, "%s numerator is 0: the PI category scores 0 without at least one patient in the numerator", measure.MeasureID)
			ps[len(ps)-1].Code = category.NumeratorZero
		}
	}
	return ps
}

// period returns the performance period and the performance year (the Result's, or the
// period's start year when the Result leaves it 0).
func period(r *measure.Result) (start, end calendar.Date, year int) {
	start, end = r.Config.Start, r.Config.End
	year = r.PerformanceYear
	if year == 0 {
		year = start.Year()
	}
	return start, end, year
}

// checkRatio applies CMS's proportion rules to one numerator/denominator: counts are
// not negative, a zero denominator goes only with a zero numerator, numerator ≤
// denominator.
func checkRatio(entity, id string, num, den int) []Problem {
	var msg string
	switch {
	case num < 0 || den < 0:
		msg = fmt.Sprintf("%s numerator %d / denominator %d: counts cannot be negative", id, num, den)
	case den == 0 && num != 0:
		msg = fmt.Sprintf("%s denominator is 0 but numerator is %d: a zero denominator requires a zero numerator", id, num)
	case num > den:
		msg = fmt.Sprintf("%s numerator %d is greater than denominator %d", id, num, den)
	default:
		return nil
	}
	return []Problem{{Severity: SeverityError, Entity: entity, Message: msg}}
}

// validateMeasures checks registry.measures against the year's PI measures: known ids,
// answer type matching metricType, proportion rules, no measure with its exclusion or
// substitute. Which required measures are missing is category's rule (see Gates).
func validateMeasures(cfg Config, year int) []Problem {
	var ps []Problem
	errorf := func(format string, args ...any) {
		ps = append(ps, Problem{Severity: SeverityError, Message: fmt.Sprintf(format, args...)})
	}
	ym := measuresFor(year)
	if ym == nil {
		errorf("performance year %d: no CMS PI measure data embedded (have %s)", year, yearsText())
	}
	ids := make([]string, 0, len(cfg.Measures))
	for id := range cfg.Measures {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	sent := map[string]bool{measure.MeasureID: true}
	for _, id := range ids {
		a := cfg.Measures[id]
		if id == measure.MeasureID {
			errorf("registry.measures.%s: %s is computed by mipspi from the EHR; remove it from the configuration", id, id)
			continue
		}
		sent[id] = true
		switch {
		case a.IsBool(), a.IsRatio():
		case a.Bool == nil && a.Numerator == nil && a.Denominator == nil:
			errorf("registry.measures.%s: no value: want true, false or {numerator, denominator}", id)
			continue
		default:
			errorf("registry.measures.%s: want either true/false or {numerator, denominator}, not a mix", id)
			continue
		}
		if a.IsRatio() {
			for _, p := range checkRatio("", id, *a.Numerator, *a.Denominator) {
				p.Message = "registry.measures." + id + ": " + p.Message
				ps = append(ps, p)
			}
		}
		if ym == nil {
			continue
		}
		m, ok := ym.ByID[id]
		if !ok {
			errorf("registry.measures.%s: %s is not a PI measure in performance year %d", id, id, year)
			continue
		}
		switch {
		case m.MetricType == category.MetricProportion && a.IsBool():
			errorf("registry.measures.%s: %s is a proportion measure in %d: want {numerator, denominator}, not %s", id, id, year, a)
		case m.MetricType == category.MetricBoolean && a.IsRatio():
			errorf("registry.measures.%s: %s is a boolean measure in %d: want true or false, not {numerator, denominator}", id, id, year)
		}
	}
	if ym == nil {
		return ps
	}

	// Exclusions and substitutes: CMS refuses a measure sent with either.
	sentIDs := make([]string, 0, len(sent))
	for id := range sent {
		if _, ok := ym.ByID[id]; ok {
			sentIDs = append(sentIDs, id)
		}
	}
	slices.Sort(sentIDs)
	pairs := make(map[[2]string]bool)
	for _, id := range sentIDs {
		m := ym.ByID[id]
		for _, ex := range m.Exclusion {
			if sent[ex] {
				errorf("registry.measures: %s and its exclusion %s are both configured: CMS accepts one or the other", id, ex)
				ps[len(ps)-1].Code = category.ConflictingMeasures
			}
		}
		for _, sub := range m.Substitutes {
			key := [2]string{min(id, sub), max(id, sub)}
			if sent[sub] && !pairs[key] {
				pairs[key] = true
				errorf("registry.measures: %s and its substitute %s are both configured: CMS accepts one or the other", key[0], key[1])
				ps[len(ps)-1].Code = category.ConflictingMeasures
			}
		}
	}

	// Required measures are not checked here: package category alone decides which are
	// missing, answered no or unscorable (SPEC §5), and Gates reports them as the
	// reasons the category would score 0.
	return ps
}

func yearsText() string {
	ys := Years()
	if len(ys) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d-%d", ys[0], ys[len(ys)-1])
}

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
