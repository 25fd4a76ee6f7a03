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
// errors and warnings, in a stable order: the performance period, the CEHRT IDs and the
// configured answers the exported entities take (SPEC §4: the practice's, their TINs'
// and their clinicians'), configuration keys that match nothing in the result, then
// each exported entity in Result order.
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

	ents, err := selected(r, filter)
	if err != nil {
		errorf("", "%v", err)
		return ps
	}
	ps = append(ps, validateCEHRTIDs(cfg, ents)...)
	ps = append(ps, validateMeasures(cfg, ents, year)...)
	ps = append(ps, UnmatchedKeys(r, cfg)...)

	// Entities.
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
		if e.Level == measure.Individual {
			if p, ok := notOwnCounts(cfg, e, year); ok {
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// validateCEHRTIDs checks each CEHRT ID the exported entities take, once per
// configuration key it comes from: missing, not in CMS's form, or one of the examples
// in mipspi's documentation (SPEC §4: refused unless --force). A key that only some
// exported entities take names their TINs.
func validateCEHRTIDs(cfg Config, ents []measure.EntityResult) []Problem {
	type use struct {
		id, key string
		tins    []string
		n       int
	}
	var uses []*use
	byKey := map[string]*use{}
	if len(ents) == 0 {
		uses = append(uses, &use{id: cfg.CEHRTID, key: "registry.cehrt_id"})
	}
	for _, e := range ents {
		own, res := cfg.For(e)
		key := res.CEHRTIDFrom.Path() + ".cehrt_id"
		u := byKey[key]
		if u == nil {
			u = &use{id: own.CEHRTID, key: key}
			byKey[key] = u
			uses = append(uses, u)
		}
		u.n++
		if !slices.Contains(u.tins, e.TIN) {
			u.tins = append(u.tins, e.TIN)
		}
	}
	var ps []Problem
	for _, u := range uses {
		who := ""
		if u.n < len(ents) {
			who = "TIN " + strings.Join(u.tins, ", TIN ")
		}
		p := Problem{Severity: SeverityError, Entity: who}
		switch {
		case strings.TrimSpace(u.id) == "":
			p.Message = u.key + " is missing: set it to the practice's 15-character CMS EHR Certification ID from CHPL"
			p.Code = category.CEHRTIDMissing
		case !category.ValidCEHRTID(u.id):
			p.Message = fmt.Sprintf("%s %q is not a CMS EHR Certification ID: want 15 letters or digits with C as the 5th character (e.g. 0015C8BCD1234XY)", u.key, u.id)
			p.Code = category.CEHRTIDInvalid
		case IsExampleCEHRTID(u.id):
			p.Message = fmt.Sprintf("%s %s is the example in mipspi's documentation, not the practice's CMS EHR Certification ID: copy the practice's own from CHPL", u.key, u.id)
		default:
			continue
		}
		ps = append(ps, p)
	}
	return ps
}

// validateMeasures checks the configured answers the exported files carry against the
// year's PI measures: each answer once where it is configured (known id, answer type
// matching metricType, proportion rules, not an example count from the
// documentation), then each entity's own set for a measure sent with its exclusion or
// substitute. Which required measures are missing is category's rule (see Gates).
func validateMeasures(cfg Config, ents []measure.EntityResult, year int) []Problem {
	var ps []Problem
	ym := measuresFor(year)
	if ym == nil {
		ps = append(ps, Problem{Severity: SeverityError, Message: fmt.Sprintf("performance year %d: no CMS PI measure data embedded (have %s)", year, yearsText())})
	}
	// Only the answers some exported file carries: one that every file overrides (or a
	// TIN's outside --tin) is sent nowhere.
	sent := map[string]bool{} // "path id"
	for _, e := range ents {
		_, res := cfg.For(e)
		for id, o := range res.From {
			sent[o.Path()+".measures "+id] = true
		}
	}
	carried := func(path string, ms map[string]Answer) map[string]Answer {
		if len(ents) == 0 {
			return ms
		}
		out := map[string]Answer{}
		for id, a := range ms {
			if sent[path+" "+id] {
				out[id] = a
			}
		}
		return out
	}
	ps = append(ps, checkAnswers("registry.measures", carried("registry.measures", cfg.Measures), ym, year)...)
	for _, tin := range sortedKeys(cfg.TINs) {
		t := cfg.TINs[tin]
		path := "registry.tins." + tin
		ps = append(ps, checkAnswers(path+".measures", carried(path+".measures", t.Measures), ym, year)...)
		for _, npi := range sortedKeys(t.NPIs) {
			at := path + ".npis." + npi + ".measures"
			ps = append(ps, checkAnswers(at, carried(at, t.NPIs[npi].Measures), ym, year)...)
		}
	}
	if ym == nil {
		return ps
	}

	// Exclusions and substitutes: CMS refuses a measure sent with either, judged on each
	// entity's own answers; a conflict every exported entity has is said once.
	var msgs []string
	who := map[string][]string{}
	for _, e := range ents {
		own, _ := cfg.For(e)
		for _, m := range conflicts(own.Measures, ym) {
			if _, ok := who[m]; !ok {
				msgs = append(msgs, m)
			}
			who[m] = append(who[m], entityLabel(e))
		}
	}
	if len(ents) == 0 {
		msgs = conflicts(cfg.Measures, ym)
	}
	for _, m := range msgs {
		p := Problem{Severity: SeverityError, Message: m, Code: category.ConflictingMeasures}
		if len(who[m]) < len(ents) {
			p.Entity = strings.Join(who[m], ", ")
		}
		ps = append(ps, p)
	}

	// Required measures are not checked here: package category alone decides which are
	// missing, answered no or unscorable (SPEC §5), and Gates reports them as the
	// reasons the category would score 0.
	return ps
}

// checkAnswers checks the answers configured under one key (path, e.g.
// "registry.tins.742345678.measures") on their own.
func checkAnswers(path string, ms map[string]Answer, ym *category.YearMeasures, year int) []Problem {
	var ps []Problem
	errorf := func(format string, args ...any) {
		ps = append(ps, Problem{Severity: SeverityError, Message: fmt.Sprintf(format, args...)})
	}
	for _, id := range sortedKeys(ms) {
		a := ms[id]
		key := path + "." + id
		if id == measure.MeasureID {
			errorf("%s: %s is computed by mipspi from the EHR; remove it from the configuration", key, id)
			continue
		}
		switch {
		case a.IsBool(), a.IsRatio():
		case a.Bool == nil && a.Numerator == nil && a.Denominator == nil:
			errorf("%s: no value: want true, false or {numerator, denominator}", key)
			continue
		default:
			errorf("%s: want either true/false or {numerator, denominator}, not a mix", key)
			continue
		}
		if a.IsRatio() {
			for _, p := range checkRatio("", id, *a.Numerator, *a.Denominator) {
				p.Message = key + ": " + p.Message
				ps = append(ps, p)
			}
			if IsExampleCount(id, a) {
				ps = append(ps, Problem{Severity: SeverityWarning, Message: fmt.Sprintf(
					"%s: %s is the example in mipspi's documentation: check that it is the practice's own count", key, a)})
			}
		}
		if ym == nil {
			continue
		}
		m, ok := ym.ByID[id]
		if !ok {
			errorf("%s: %s is not a PI measure in performance year %d", key, id, year)
			continue
		}
		switch {
		case m.MetricType == category.MetricProportion && a.IsBool():
			errorf("%s: %s is a proportion measure in %d: want {numerator, denominator}, not %s", key, id, year, a)
		case m.MetricType == category.MetricBoolean && a.IsRatio():
			errorf("%s: %s is a boolean measure in %d: want true or false, not {numerator, denominator}", key, id, year)
		}
	}
	return ps
}

// conflicts lists the measures of one answer set that CMS accepts only one of: a
// measure with its exclusion or its substitute. PI_PEA_1 is always sent.
func conflicts(ms map[string]Answer, ym *category.YearMeasures) []string {
	sent := map[string]bool{measure.MeasureID: true}
	for id := range ms {
		sent[id] = true
	}
	sentIDs := make([]string, 0, len(sent))
	for id := range sent {
		if _, ok := ym.ByID[id]; ok {
			sentIDs = append(sentIDs, id)
		}
	}
	slices.Sort(sentIDs)
	var out []string
	pairs := make(map[[2]string]bool)
	for _, id := range sentIDs {
		m := ym.ByID[id]
		for _, ex := range m.Exclusion {
			if sent[ex] {
				out = append(out, fmt.Sprintf("registry.measures: %s and its exclusion %s are both configured: CMS accepts one or the other", id, ex))
			}
		}
		for _, sub := range m.Substitutes {
			key := [2]string{min(id, sub), max(id, sub)}
			if sent[sub] && !pairs[key] {
				pairs[key] = true
				out = append(out, fmt.Sprintf("registry.measures: %s and its substitute %s are both configured: CMS accepts one or the other", key[0], key[1]))
			}
		}
	}
	return out
}

// notOwnCounts is the warning for an individual entity whose proportion answers are
// not its clinician's own but the TIN's or the practice's (SPEC §4): an individual
// file would report the group's counts as the clinician's.
func notOwnCounts(cfg Config, e measure.EntityResult, year int) (Problem, bool) {
	own, res := cfg.For(e)
	ym := measuresFor(year)
	var ids, from []string
	for _, id := range sortedKeys(own.Measures) {
		a := own.Measures[id]
		if !a.IsRatio() || id == measure.MeasureID || res.From[id].Level == category.FromNPI {
			continue
		}
		if ym != nil {
			if m, ok := ym.ByID[id]; ok && m.MetricType != category.MetricProportion {
				continue // a wrong answer type, said once where it is configured
			}
		}
		ids = append(ids, id)
		if k := res.From[id].Path() + ".measures"; !slices.Contains(from, k) {
			from = append(from, k)
		}
	}
	if len(ids) == 0 {
		return Problem{}, false
	}
	who := entityLabel(e)
	if e.Clinician != "" {
		who += " (" + e.Clinician + ")"
	}
	what := "is not the clinician's own count but the one"
	if len(ids) > 1 {
		what = "are not the clinician's own counts but those"
	}
	tin, npi := measure.NormalTIN(e.TIN), measure.NormalNPI(e.NPI)
	return Problem{Severity: SeverityWarning, Entity: who, Message: fmt.Sprintf(
		"%s %s in %s: set the clinician's under registry.tins.%s.npis.%s.measures",
		strings.Join(ids, ", "), what, strings.Join(from, " and "), tin, npi)}, true
}

// UnmatchedKeys warns of each key of registry.tins and of its npis that matches no
// entity of the result (SPEC §4): its answers would go into no file and no estimate.
// Keys outside the run's --tin/--npi filter are not looked at.
func UnmatchedKeys(r *measure.Result, cfg Config) []Problem {
	var ps []Problem
	line := func(n int) string {
		if n > 0 {
			return fmt.Sprintf(" (line %d)", n)
		}
		return ""
	}
	for _, tin := range sortedKeys(cfg.TINs) {
		if f := r.Config.TIN; f != "" && measure.NormalTIN(f) != tin {
			continue
		}
		t := cfg.TINs[tin]
		if !slices.ContainsFunc(r.Entities, func(e measure.EntityResult) bool { return measure.NormalTIN(e.TIN) == tin }) {
			ps = append(ps, Problem{Severity: SeverityWarning, Message: fmt.Sprintf(
				"registry.tins.%s%s matches no TIN in the report: its answers go into no file", tin, line(t.Line))})
			continue
		}
		for _, npi := range sortedKeys(t.NPIs) {
			if f := r.Config.NPI; f != "" && measure.NormalNPI(f) != npi {
				continue
			}
			if !slices.ContainsFunc(r.Entities, func(e measure.EntityResult) bool {
				return e.Level == measure.Individual && measure.NormalTIN(e.TIN) == tin && measure.NormalNPI(e.NPI) == npi
			}) {
				ps = append(ps, Problem{Severity: SeverityWarning, Message: fmt.Sprintf(
					"registry.tins.%s.npis.%s%s matches no clinician of TIN %s in the report: its answers go into no file", tin, npi, line(t.NPIs[npi].Line), tin)})
			}
		}
	}
	return ps
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
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
