package combine

// Adding reports (SPEC §7): refuse what cannot be added, then sum per clinician, per TIN
// and for the APM Entity.

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// Match says how patients are counted across reports.
type Match string

const (
	// MatchNone sums the reports' figures: patients are de-duplicated within each
	// report only (CMS: unique patients need not be reconciled across EHRs).
	MatchNone Match = "none"
	// MatchPatients counts the same patient once across reports, matched by the
	// pseudonym of the per-patient drill-down (reports pseudonymised with one key).
	MatchPatients Match = "patients"
)

// Method sentences, written in every output (SPEC §7).
const (
	MethodSummed  = "summed across sources; patients de-duplicated within each source"
	MethodMatched = "summed across sources; patients de-duplicated across them (matched by a shared pseudonym of name and birth date; each source's own counts stand)"
)

// Options configure a combination.
type Options struct {
	Name  string // the APM Entity's name, for its row; "" → its TINs' practice names
	Match Match  // "" → MatchNone
}

// Source is one report that went into the result, for the output's list of sources.
type Source struct {
	File     string
	Source   *measure.Fingerprint
	AsOf     time.Time
	Version  string
	Entities int
}

// Combined is the result: a measure.Result whose entities are the combined rows (the
// apm_entity row last), so that every report encoder and the whole-category estimate
// of SPEC §5 read it like any other result, plus how it was made.
type Combined struct {
	Result  *measure.Result
	Name    string
	Match   Match
	Method  string
	Sources []Source
	// Warnings are sentences for stderr: what could not be checked.
	Warnings []string
	// Matched is, with MatchPatients, how many patients were matched across reports
	// (-1 without matching).
	Matched int
}

type entityKey struct {
	level    measure.Level
	tin, npi string
}

// sums are one entity's running totals.
type sums struct {
	clinician                                       string
	den, num, pending, ifLocked, seen, timely, pend int
	gain                                            int // MatchPatients: Σ (numerator if notes locked − numerator)
}

// Combiner adds reports one at a time; only the running sums stay in memory.
type Combiner struct {
	opt       Options
	first     *Report
	firstName string
	sources   []Source
	named     []sourceUse // the reports added that name their database
	byDigest  map[[32]byte]string
	ents      map[entityKey]*sums
	names     map[string]string // TIN → practice name over every report (issue 17)
	counts    measure.Counts
	statuses  map[string]*measure.StatusCount
	seenSet   []string
	federal   bool
	closures  map[calendar.Date]bool
	findings  []measure.Finding // PERIOD_TOO_SHORT: the same for every report of one period
	keyID     string
	patients  map[entityKey]map[string]uint8 // MatchPatients
	lastAsOf  time.Time
	zones     []string // every report's office zones, for showing the as-of locally
	unnamed   []string // files without a source fingerprint
	apmDen    int      // Σ group denominators so far (overflow.go)
	// MatchPatients (match.go): in how many reports each pseudonym names one patient, and
	// how many pseudonyms named two or more patients within one report.
	seenIn       map[string]int
	unmatchable  int
	siteFindings []measure.Finding // every report's run warnings, with the report named
}

type sourceUse struct {
	file, tinFilter string
	source          measure.Fingerprint
}

// New starts a combination.
func New(o Options) *Combiner {
	if o.Match == "" {
		o.Match = MatchNone
	}
	return &Combiner{
		opt: o, byDigest: map[[32]byte]string{},
		ents: map[entityKey]*sums{}, names: map[string]string{}, statuses: map[string]*measure.StatusCount{},
		closures: map[calendar.Date]bool{}, federal: true,
		patients: map[entityKey]map[string]uint8{}, seenIn: map[string]int{},
	}
}

// NeedsPatients reports whether Read must keep the drill-down for this combination.
func (c *Combiner) NeedsPatients() bool { return c.opt.Match == MatchPatients }

// Add adds one report read from file. On error nothing of the report is added and the
// error names the file and the reason.
func (c *Combiner) Add(file string, rep *Report) error {
	if err := c.admit(file, rep); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := c.checkSums(rep); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	var drill map[entityKey][]Patient
	if c.opt.Match == MatchPatients {
		var err error
		if drill, err = c.drillDown(rep); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	// Admitted: from here on nothing fails.
	if c.first == nil {
		c.first, c.firstName = rep, file
		c.seenSet = slices.Clone(rep.SeenStatuses)
		for _, f := range rep.Findings {
			if f.Code == measure.PeriodTooShort {
				c.findings = append(c.findings, f)
			}
		}
		c.keyID = rep.PseudonymKeyID
	} else if !slices.Equal(c.seenSet, rep.SeenStatuses) {
		c.seenSet = union(c.seenSet, rep.SeenStatuses)
	}
	c.siteFindings = append(c.siteFindings, siteFindings(file, rep.Findings)...)
	c.byDigest[rep.Digest] = file
	if rep.Source != nil {
		c.named = append(c.named, sourceUse{file, rep.TINFilter, *rep.Source})
	} else {
		c.unnamed = append(c.unnamed, file)
	}
	c.sources = append(c.sources, Source{File: file, Source: rep.Source, AsOf: rep.AsOf, Version: rep.Version, Entities: len(rep.Entities)})
	if rep.AsOf.After(c.lastAsOf) {
		c.lastAsOf = rep.AsOf
	}
	c.zones = union(c.zones, rep.Zones)
	slices.Sort(c.zones)
	c.federal = c.federal && rep.Holidays != "none"
	for _, d := range rep.Closures {
		c.closures[d] = true
	}
	addCounts(&c.counts, rep.Counts)
	for _, s := range rep.Statuses {
		if t := c.statuses[s.Status]; t != nil {
			t.Count += s.Count
			t.Seen, t.Known = t.Seen || s.Seen, t.Known || s.Known
		} else {
			cp := s
			c.statuses[s.Status] = &cp
		}
	}
	for _, e := range rep.Entities {
		k := entityKey{e.Level, e.TIN, e.NPI}
		if e.Level == measure.Group {
			k.npi = ""
		}
		s := c.ents[k]
		if s == nil {
			s = &sums{clinician: e.Clinician}
			c.ents[k] = s
		}
		if s.clinician == "" {
			s.clinician = e.Clinician
		}
		c.names[e.TIN] = joinNames(c.names[e.TIN], e.PracticeName) // a TIN is named by all its offices
		if e.Level == measure.Group {
			c.apmDen += e.Denominator
		}
		s.den += e.Denominator
		s.num += e.Numerator
		s.pending += e.Pending
		s.ifLocked += e.NumeratorIfNotesLocked
		s.gain += e.NumeratorIfNotesLocked - e.Numerator
		s.seen += e.SeenVisits
		s.timely += e.TimelyVisits
		s.pend += e.PendingVisits
	}
	if drill != nil {
		c.addPatients(len(c.sources)-1, drill)
	}
	return nil
}

// admit refuses a report that cannot be added to those already added (SPEC §7).
func (c *Combiner) admit(file string, rep *Report) error {
	if prev, ok := c.byDigest[rep.Digest]; ok {
		return fmt.Errorf("the same report as %s (identical contents): each source may be added once", prev)
	}
	if rep.NPIFilter != "" {
		return fmt.Errorf("covers one clinician only (made with --npi %s): a TIN's figures need all of its clinicians", rep.NPIFilter)
	}
	if rep.Source != nil {
		for _, u := range c.named {
			if !u.source.SameDatabase(*rep.Source) {
				continue
			}
			if u.tinFilter == "" || rep.TINFilter == "" || u.tinFilter == rep.TINFilter {
				also := ""
				if u.source.String() != rep.Source.String() {
					also = fmt.Sprintf(" is %s under another name: identity %s", u.source, rep.Source.Identity)
				}
				return fmt.Errorf("the same source as %s (%s%s): its patients would be counted twice", u.file, rep.Source, also)
			}
		}
	}
	f := c.first
	if f == nil {
		return nil
	}
	switch {
	case rep.MeasureID != f.MeasureID:
		return fmt.Errorf("measure %s differs from %s's %s", rep.MeasureID, c.firstName, f.MeasureID)
	case rep.Start != f.Start || rep.End != f.End:
		return fmt.Errorf("performance period %s..%s differs from %s's %s..%s", rep.Start, rep.End, c.firstName, f.Start, f.End)
	case rep.Policy != f.Policy:
		return fmt.Errorf("policy %s differs from %s's %s", rep.Policy, c.firstName, f.Policy)
	case rep.Release != f.Release:
		return fmt.Errorf("release rule (information released on note %s) differs from %s's (note %s)", rep.Release, c.firstName, f.Release)
	case rep.NumeratorActions != f.NumeratorActions:
		return fmt.Errorf("numerator actions bound %s differs from %s's %s", rep.NumeratorActions, c.firstName, f.NumeratorActions)
	}
	return nil
}

// Result returns the combined figures. It fails when no report was added.
func (c *Combiner) Result() (*Combined, error) {
	if c.first == nil {
		return nil, errors.New("no report to combine")
	}
	f := c.first
	cfg := measure.Config{
		Start: f.Start, End: f.End, AsOf: c.lastAsOf, SeenStatuses: c.seenSet,
		FederalHolidays: c.federal, Policy: f.Policy, Release: f.Release, NumeratorActions: f.NumeratorActions,
	}
	for d := range c.closures {
		cfg.Closures = append(cfg.Closures, d)
	}
	slices.Sort(cfg.Closures)
	r := &measure.Result{
		MeasureID: f.MeasureID, Config: cfg, PerformanceYear: f.PerformanceYear,
		Counts: c.counts, Calendar: calendar.New(cfg.FederalHolidays, cfg.Closures), Zones: c.zones,
	}
	keys := make([]entityKey, 0, len(c.ents))
	for k := range c.ents {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.tin != b.tin {
			return a.tin < b.tin
		}
		if a.level != b.level {
			return a.level == measure.Individual // the group row after its clinicians (SPEC §4)
		}
		return a.npi < b.npi
	})
	name := c.opt.Name
	if name == "" {
		name = c.defaultName(keys)
	}
	// The APM Entity sums every TIN's group row (SPEC §7).
	apm := sums{clinician: name}
	for _, k := range keys {
		if s := c.ents[k]; k.level == measure.Group {
			apm.den += s.den
			apm.num += s.num
			apm.pending += s.pending
			apm.ifLocked += s.ifLocked
			apm.gain += s.gain
			apm.seen += s.seen
			apm.timely += s.timely
			apm.pend += s.pend
		}
	}
	if c.opt.Match == MatchPatients {
		c.applyMatches(&apm)
	}
	for _, k := range keys {
		s := c.ents[k]
		r.Entities = append(r.Entities, c.entity(measure.Entity{Level: k.level, TIN: k.tin, NPI: k.npi, Clinician: s.clinician, PracticeName: c.names[k.tin]}, s))
	}
	if len(keys) > 0 {
		r.Entities = append(r.Entities, c.entity(measure.Entity{Level: measure.APMEntity, Clinician: name}, &apm))
	}
	for _, s := range c.statuses {
		r.Statuses = append(r.Statuses, *s)
	}
	sort.Slice(r.Statuses, func(i, j int) bool {
		a, b := r.Statuses[i], r.Statuses[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Status < b.Status
	})
	r.Findings = append(r.Findings, c.findings...)
	r.Findings = append(r.Findings, numeratorZero(r.Entities)...)
	r.Findings = append(r.Findings, c.siteFindings...)
	method := MethodSummed
	matched := -1
	if c.opt.Match == MatchPatients {
		matched = c.matchedAcross()
		method = matchedMethod(matched, c.unmatchable)
	}
	var warn []string
	for _, f := range c.unnamed {
		warn = append(warn, fmt.Sprintf("%s names no source database (written by an older mipspi): it could not be checked against the other reports for the same source", f))
	}
	return &Combined{Result: r, Name: name, Match: c.opt.Match, Method: method, Sources: c.sources, Warnings: warn, Matched: matched}, nil
}

// entity finishes one combined row: rate and points as the measure computes them
// (measure.RateAndPoints, R2).
func (c *Combiner) entity(en measure.Entity, s *sums) measure.EntityResult {
	er := measure.EntityResult{
		Entity: en, Denominator: s.den, Numerator: s.num, Pending: s.pending,
		NumeratorIfNotesLocked: min(s.ifLocked, s.den), SeenVisits: s.seen, TimelyVisits: s.timely, PendingVisits: s.pend,
	}
	er.Rate, er.Points = measure.RateAndPoints(s.num, s.den, c.first.PerformanceYear)
	return er
}

// numeratorZero is R11's finding for the combined rows: a numerator of 0 would make the
// whole Promoting Interoperability category score 0.
func numeratorZero(ents []measure.EntityResult) []measure.Finding {
	var out []measure.Finding
	for _, en := range ents {
		if en.Denominator == 0 || en.Numerator != 0 {
			continue
		}
		who := "TIN " + en.TIN
		switch en.Level {
		case measure.Individual:
			who += " NPI " + en.NPI
		case measure.APMEntity:
			who = "APM Entity " + en.Clinician
		}
		out = append(out, measure.Finding{
			Code: measure.NumeratorZero, Severity: measure.SeverityError, TIN: en.TIN, NPI: en.NPI,
			Message: fmt.Sprintf("%s: numerator is 0 of %d patients; PI_PEA_1 is required, so the Promoting Interoperability category would score 0",
				who, en.Denominator),
		})
	}
	return out
}

func addCounts(t *measure.Counts, c measure.Counts) {
	t.Patients += c.Patients
	t.Appointments += c.Appointments
	t.OutsidePeriod += c.OutsidePeriod
	t.NotSeen += c.NotSeen
	t.NotEligible += c.NotEligible
	t.AfterAsOf += c.AfterAsOf
	t.SeenVisits += c.SeenVisits
	t.TimelyVisits += c.TimelyVisits
	t.PendingVisits += c.PendingVisits
	t.PatientsInNumerator += c.PatientsInNumerator
}

// union keeps a's order and appends b's statuses a lacks.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// joinNames is the union of two practice names, each a " / "-joined list of office
// names (as measure.PracticeNames writes them), sorted and joined again: a TIN seen
// through two EHRs is named by all of its offices.
func joinNames(a, b string) string {
	if a == b || b == "" {
		return a
	}
	if a == "" {
		return b
	}
	set := map[string]bool{}
	for _, n := range append(strings.Split(a, " / "), strings.Split(b, " / ")...) {
		set[n] = true
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, " / ")
}
