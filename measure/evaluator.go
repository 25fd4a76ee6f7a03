package measure

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// Evaluator computes PI_PEA_1 over a stream of patients (SPEC §2, R1–R11).
//
// The database layer calls Add once per patient, with all of that patient's
// appointments, and Result at the end. Add judges each seen visit (judge, verdict.go),
// folds the verdict into the patient's entities (R2, R8) and publishes the patient's
// verdicts to the observers, each in its own file: the issue rows (issuerows.go), the
// data-quality rows (quality.go), the drill-down (outcomes.go), the trend (trend.go) and
// the release-lag histogram (releaselag.go). The rows they publish go to RowStores (KeepRows); the
// evaluator itself keeps only per-entity counters and a small per-patient scratch state
// reused across Add calls, never the visits.
//
// As-of: the evaluation reproduces what was knowable at Config.AsOf. Note locks and
// signatures, invitations and API-window openings stamped after AsOf are treated as not
// yet happened, and an API window disabled after AsOf counts as still open. A report
// "as of" a past date therefore gives the figures that could have been reported then.
// A seen visit counts when its local date is on or before the as-of local date (R1).
//
// An Evaluator is not safe for concurrent use.
type Evaluator struct {
	cfg      Config
	cal      *calendar.Calendar
	rules    runRules // what every verdict shares (verdict.go)
	year     int
	deadline []calendar.Date // R3 deadline for each date of the period, indexed by date-Start

	offices   []officeInfo
	officeIdx idIndex
	clins     []clinInfo
	clinIdx   idIndex
	tins      []tinInfo
	npis      []string          // distinct NPIs (index = clinInfo.npi)
	names     map[string]string // TIN → practice name (practicename.go)

	// Entity slots: individual (TIN, NPI) created on their first seen visit; one group
	// slot per TIN. slots maps tin*len(npis)+npi → slot (a built-in map: a dense
	// table measured no faster, BENCHMARKS.md).
	ents  []entAcc
	slots map[int64]int32

	status *statuses

	// Per-patient scratch, reused across Add calls.
	order  []visitRef // the patient's visits in chronological order
	judged []judged   // the patient's seen visits, judged, in that order
	pat    []patEnt   // one per entity the patient touches
	mark   []int32    // slot → index+1 into pat (0 = untouched)
	facts  visitFacts // the current visit's facts (verdict.go)
	// published is the patient handed to the observers (a field: it does not escape
	// per patient).
	published judgedPatient

	// The observers, called in this order for every patient.
	issues    *issueRows
	quality   *qualityRows
	outcomes  *outcomeRows
	trend     *trendAcc
	lag       *releaseLag
	blockers  *blockers
	observers []observer

	counts   Counts
	filtered bool      // Config.TIN or Config.NPI is set: Counts.InFilter is counted
	dangling []Finding // DANGLING_NOTE / DANGLING_INVITATION from the reader
	source   []Finding // findings of the EHR source itself (SourceFinding)
	err      error     // a row could not be kept: the evaluation cannot go on
	result   *Result   // set by Result: the evaluation is finished
}

// observer collects what Add publishes, once per patient: their judged visits in
// chronological order and their standing in each entity they touched.
type observer interface {
	patient(p *judgedPatient) error
}

// judgedPatient is one patient as Add publishes it.
type judgedPatient struct {
	rec    *PatientRecord
	visits []judged // the seen visits (R1), in chronological order
	ents   []patEnt // the patient's standing in each entity of the visits (R2, R8, R9)
}

// judged is one seen visit as Add publishes it.
type judged struct {
	rec      *PatientRecord
	visit    *Visit
	verdict  Verdict
	office   *officeInfo
	clin     int32 // index into the run's clinicians
	npi      int32 // index into the run's NPIs
	ind, grp int32 // entity slots (R2)
	// reported: the entity passes Config.TIN / Config.NPI.
	indReported, grpReported bool
}

type visitRef struct{ v, office, clin int32 }

type officeInfo struct {
	id       int64
	tin      int32
	zone     *zoneDays
	asOf     time.Time     // R9: the as-of instant for this office's events
	asOfDate calendar.Date // R9: its local date in this office
}

type clinInfo struct {
	npi      int32
	eligible bool
	display  string
}

type tinInfo struct {
	tin   string
	api   apiWindows
	group int32 // group slot, -1 until the TIN has a seen visit
}

// entAcc accumulates one entity's figures.
type entAcc struct {
	ent        Entity
	tin        int32
	reported   bool // passes Config.TIN / Config.NPI
	den, num   int
	pending    int
	ifLocked   int
	seen       int
	timely     int
	pendVisits int
	causes     causeAcc // patients out of the numerator by cause (causes.go)
}

// NewEvaluator prepares an evaluation of p under cfg (defaults filled, then
// validated). It fails on an invalid configuration, an office without a time zone,
// and duplicate office or clinician ids.
func NewEvaluator(cfg Config, p Practice) (*Evaluator, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new evaluator: %w", err)
	}
	p = p.WithNormalTINs() // SPEC §3: one TIN however it is written
	e := &Evaluator{
		cfg:    cfg,
		cal:    calendar.New(cfg.FederalHolidays, cfg.Closures),
		year:   cfg.Start.Year(),
		status: newStatuses(cfg.SeenStatuses, p.Statuses),
	}
	if cfg.BareAsOf && len(p.Offices) > 0 {
		// R9: a bare as-of date reaches furthest in the westernmost office zone.
		cfg.AsOf = time.Time{}
		for _, o := range p.Offices {
			if o.Zone != nil && cfg.AsOfIn(o.Zone).After(cfg.AsOf) {
				cfg.AsOf = cfg.AsOfIn(o.Zone)
			}
		}
		if cfg.AsOf.IsZero() {
			cfg.AsOf = cfg.AsOfDate.End(time.UTC)
		}
		e.cfg = cfg
	}
	e.rules = runRules{cal: e.cal, release: cfg.Release, bound: actionBound(cfg)}
	e.deadline = deadlines(e.cal, cfg.Start, cfg.End)

	e.names = PracticeNames(p.Offices)
	// TINs in first-met order, windows indexed by TIN.
	tinIdx := map[string]int32{}
	for _, o := range p.Offices {
		if _, ok := tinIdx[o.TIN]; !ok {
			tinIdx[o.TIN] = int32(len(e.tins))
			e.tins = append(e.tins, tinInfo{tin: o.TIN, group: -1})
		}
	}
	byTIN := map[string][]APIWindow{}
	for _, w := range p.APIWindows {
		byTIN[w.TIN] = append(byTIN[w.TIN], w)
	}
	for i := range e.tins {
		// R9: the API windows are a fact of the TIN as a whole.
		e.tins[i].api = newAPIWindows(byTIN[e.tins[i].tin], cfg.tinAsOf(p.Offices, e.tins[i].tin))
	}

	// Offices: zone tables shared per zone, spanning the period with a wide margin
	// (events outside it take the slow path).
	lo := cfg.Start.AddDays(-400).Time().Unix()
	hi := cfg.End.AddDays(800).Time().Unix()
	zones := map[*time.Location]*zoneDays{}
	ids := make([]int64, len(p.Offices))
	for i, o := range p.Offices {
		if o.Zone == nil {
			return nil, fmt.Errorf("new evaluator: office %d (%q) has no time zone", o.ID, o.Name)
		}
		z, ok := zones[o.Zone]
		if !ok {
			z = newZoneDays(o.Zone, lo, hi)
			zones[o.Zone] = z
		}
		ids[i] = o.ID
		asOf := cfg.AsOfIn(o.Zone) // R9: the office's own as-of instant
		e.offices = append(e.offices, officeInfo{id: o.ID, tin: tinIdx[o.TIN], zone: z, asOf: asOf, asOfDate: z.date(asOf)})
	}
	var err error
	if e.officeIdx, err = newIDIndex(ids); err != nil {
		return nil, fmt.Errorf("new evaluator: offices: %w", err)
	}

	npiIdx := map[string]int32{}
	ids = ids[:0]
	for _, c := range p.Clinicians {
		n, ok := npiIdx[c.NPI]
		if !ok {
			n = int32(len(e.npis))
			npiIdx[c.NPI] = n
			e.npis = append(e.npis, c.NPI)
		}
		ids = append(ids, c.ID)
		e.clins = append(e.clins, clinInfo{npi: n, eligible: c.Eligible, display: c.DisplayName()})
	}
	if e.clinIdx, err = newIDIndex(ids); err != nil {
		return nil, fmt.Errorf("new evaluator: clinicians: %w", err)
	}
	e.slots = map[int64]int32{}
	tins := make([]string, len(e.tins))
	for i, t := range e.tins {
		tins[i] = t.tin
	}
	clins := make([]string, len(e.clins))
	for i, c := range e.clins {
		clins[i] = c.display
	}
	issues := RowsOf[Issue](nil)
	e.issues = &issueRows{rows: issues, tins: tins, npis: e.npis, clins: clins,
		bound: e.rules.bound, calendarYear: cfg.NumeratorActions == ActionsCalendarYear}
	e.quality = &qualityRows{rows: issues, tins: tins, npis: e.npis, npiSeen: make([]bool, len(e.npis))}
	e.outcomes = &outcomeRows{keep: cfg.KeepPatients, rows: RowsOf[Outcome](nil)}
	e.trend = &trendAcc{policy: cfg.Policy}
	e.lag = &releaseLag{cal: e.cal}
	e.blockers = &blockers{}
	e.filtered = cfg.TIN != "" || cfg.NPI != ""
	e.observers = []observer{e.issues, e.lag, e.trend, e.outcomes, e.quality, e.blockers}
	return e, nil
}

// KeepRows makes the evaluator keep its issue rows (R10) in issues and its drill-down
// (Config.KeepPatients) in outcomes, instead of in memory; nil leaves that kind in
// memory. Call it before the first Add.
func (e *Evaluator) KeepRows(issues RowStore[Issue], outcomes RowStore[Outcome]) {
	if issues != nil {
		e.issues.rows, e.quality.rows = issues, issues
	}
	if outcomes != nil {
		e.outcomes.rows = outcomes
	}
}

// Add evaluates one patient with all of their appointments (any status, possibly some
// outside the period). Appointments whose local date falls outside the period are only
// counted (Counts.OutsidePeriod); statuses are tallied for the others (R1). Visits are
// judged in chronological order whatever order they come in. It does not retain rec
// or rec.Visits. It fails, without changing any figure, when a visit names an unknown
// office or clinician, and fails when a row cannot be kept (the evaluation cannot go
// on).
func (e *Evaluator) Add(rec *PatientRecord) error {
	if err := e.begin(rec); err != nil {
		return err
	}
	for _, ref := range e.order {
		e.visit(rec, ref)
	}
	return e.end(rec)
}

// begin resolves every visit's office and clinician before anything changes, so a bad
// record leaves the figures untouched, and puts the visits in chronological order:
// "first failing visit" and outcomes then do not depend on the order the database
// returned them in.
func (e *Evaluator) begin(rec *PatientRecord) error {
	switch {
	case e.result != nil:
		return fmt.Errorf("add patient %d: the evaluation is already finished (Result was called)", rec.Patient.ID)
	case e.err != nil:
		return e.err
	}
	e.order = e.order[:0]
	for i := range rec.Visits {
		v := &rec.Visits[i]
		oi, ok := e.officeIdx.get(v.OfficeID)
		if !ok {
			return fmt.Errorf("add patient %d: appointment %d names unknown office %d", rec.Patient.ID, v.ID, v.OfficeID)
		}
		ci, ok := e.clinIdx.get(v.ClinicianID)
		if !ok {
			return fmt.Errorf("add patient %d: appointment %d names unknown clinician %d", rec.Patient.ID, v.ID, v.ClinicianID)
		}
		e.order = append(e.order, visitRef{v: int32(i), office: oi, clin: ci})
	}
	slices.SortFunc(e.order, func(a, b visitRef) int { return visitOrder(&rec.Visits[a.v], &rec.Visits[b.v]) })
	e.counts.Patients++
	e.counts.Appointments += len(rec.Visits)
	return nil
}

// visit counts one appointment (R1) and, when it is a seen visit, judges it (R3–R9)
// and folds the verdict into the patient's individual and group entities (R2).
func (e *Evaluator) visit(rec *PatientRecord, ref visitRef) {
	v := &rec.Visits[ref.v]
	o := &e.offices[ref.office]
	date := o.zone.date(v.ScheduledAt)
	if !e.seen(v, date, o, ref.clin) {
		return
	}
	f := &e.facts
	f.zone, f.asOf, f.asOfDate, f.api = o.zone, o.asOf, o.asOfDate, &e.tins[o.tin].api
	f.inv, f.hasInv = firstInvitation(rec.FirstInvitation, o.asOf) // R5, as the office knows it (R9)
	f.deadline = e.deadline[date-e.cfg.Start]                      // R3
	ind, grp := e.individualSlot(o.tin, ref.clin), e.groupSlot(o.tin)
	e.judged = append(e.judged, judged{rec: rec, visit: v, office: o, clin: ref.clin, npi: e.clins[ref.clin].npi,
		ind: ind, grp: grp, indReported: e.ents[ind].reported, grpReported: e.ents[grp].reported})
	j := &e.judged[len(e.judged)-1]
	e.rules.judge(v, date, f, &j.verdict)
	switch j.verdict.State {
	case Timely:
		e.counts.TimelyVisits++
	case Pending:
		e.counts.PendingVisits++
	}
	if e.filtered && j.indReported { // the filter's own counts
		k := &e.counts.InFilter
		k.SeenVisits++
		switch j.verdict.State {
		case Timely:
			k.TimelyVisits++
		case Pending:
			k.PendingVisits++
		}
	}
	e.patAcc(j.ind, date).add(&j.verdict)
	e.patAcc(j.grp, date).add(&j.verdict) // R2: the group sees every visit under the TIN
}

// seen is R1 for one appointment: its local date in the period, a seen status, an
// eligible clinician, a date on or before the as-of date. It tallies the appointment
// in Counts and the status.
func (e *Evaluator) seen(v *Visit, date calendar.Date, o *officeInfo, clin int32) bool {
	if !inPeriod(date, e.cfg) {
		e.counts.OutsidePeriod++
		return false
	}
	st := &e.status.accs[e.status.index(v.Status)]
	st.count++
	switch seenVisit(st.seen, e.clins[clin].eligible, date, o.asOfDate) {
	case notSeen:
		e.counts.NotSeen++
		return false
	case notEligible:
		e.counts.NotEligible++ // R2: counts in no entity, not even the group
		return false
	case afterAsOf:
		e.counts.AfterAsOf++
		return false
	}
	e.counts.SeenVisits++
	return true
}

// end folds the patient into the entities (R8, R9), publishes the patient, and
// reports a row that could not be kept.
func (e *Evaluator) end(rec *PatientRecord) error {
	e.flushPatient()
	if e.filtered {
		for i := range e.pat {
			if e.pat[i].reported && e.ents[e.pat[i].slot].ent.Level == Individual {
				e.counts.InFilter.Patients++
				break
			}
		}
	}
	p := &e.published
	*p = judgedPatient{rec: rec, visits: e.judged, ents: e.pat}
	for _, ob := range e.observers {
		e.keep(ob.patient(p))
	}
	*p = judgedPatient{}
	for i := range e.pat {
		e.mark[e.pat[i].slot] = 0
	}
	e.pat, e.judged = e.pat[:0], e.judged[:0]
	if e.err != nil {
		e.err = fmt.Errorf("add patient %d: %w", rec.Patient.ID, e.err)
	}
	return e.err
}

// keep records the first error of an observer.
func (e *Evaluator) keep(err error) {
	if err != nil && e.err == nil {
		e.err = err
	}
}

// asOfDates is the as-of instant's local date in the offices' zones (R1 counts visits
// up to it), as people read it: "2025-07-16", or "2025-07-16 or 2025-07-17 (by the
// office's time zone)" when the zones disagree.
func (e *Evaluator) asOfDates() string {
	var ds []calendar.Date
	for _, o := range e.offices {
		if !slices.Contains(ds, o.asOfDate) {
			ds = append(ds, o.asOfDate)
		}
	}
	slices.Sort(ds)
	switch len(ds) {
	case 0:
		if e.cfg.BareAsOf {
			return e.cfg.AsOfDate.String()
		}
		return calendar.LocalDate(e.cfg.AsOf, time.UTC).String()
	case 1:
		return ds[0].String()
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, " or ") + " (by the office's time zone)"
}

// visitOrder orders a patient's visits by instant, then appointment id.
func visitOrder(a, b *Visit) int {
	if c := a.ScheduledAt.Compare(b.ScheduledAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// Evaluate is NewEvaluator, Add for each record, then Result.
func Evaluate(cfg Config, p Practice, recs []PatientRecord) (*Result, error) {
	e, err := NewEvaluator(cfg, p)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if err := e.Add(&recs[i]); err != nil {
			return nil, err
		}
	}
	return e.Result()
}

// Result finalises the figures (R8–R11) and returns them. It finishes the evaluation:
// the result takes over the evaluator's rows (no copy, no reference back to the
// evaluator), later calls return the same Result, and Add fails afterwards. It fails
// when a row could not be kept.
func (e *Evaluator) Result() (*Result, error) {
	if e.result != nil {
		return e.result, nil
	}
	if e.err != nil {
		return nil, e.err
	}
	r := &Result{
		MeasureID:       MeasureID,
		Config:          e.cfg,
		PerformanceYear: e.year,
		Counts:          e.counts,
		Calendar:        e.cal,
	}
	r.ReleaseLag, r.Unreleased = e.lag.result()

	// Entities: reported ones, by TIN, individual rows by NPI, then the group row.
	var slots []int32
	for s := range e.ents {
		if e.ents[s].reported && e.ents[s].den > 0 {
			slots = append(slots, int32(s))
		}
	}
	sort.Slice(slots, func(i, j int) bool {
		a, b := &e.ents[slots[i]].ent, &e.ents[slots[j]].ent
		if a.TIN != b.TIN {
			return a.TIN < b.TIN
		}
		if a.Level != b.Level {
			return a.Level == Individual
		}
		return a.NPI < b.NPI
	})
	entity := make([]int, len(e.ents)) // slot → index into r.Entities, -1 when not reported
	for i := range entity {
		entity[i] = -1
	}
	tinReported := make([]bool, len(e.tins))
	for i, s := range slots {
		entity[s] = i
		a := &e.ents[s]
		tinReported[a.tin] = true
		er := EntityResult{
			Entity: a.ent, Denominator: a.den, Numerator: a.num, Pending: a.pending,
			NumeratorIfNotesLocked: a.ifLocked, SeenVisits: a.seen, TimelyVisits: a.timely,
			PendingVisits: a.pendVisits,
		}
		er.Rate, er.Points = RateAndPoints(a.num, a.den, e.year)
		er.Causes = a.causes.result()
		r.Entities = append(r.Entities, er)
	}

	namePractices(r.Entities, e.names)
	r.Trend = e.trend.result(e.cfg, slots)
	r.Zones = e.trend.zonesOf(slots)
	// Issues: stream order, then the data-quality rows about TINs and clinicians.
	if err := e.quality.finish(slots, e.ents); err != nil {
		return nil, err
	}
	r.Issues = e.issues.rows
	r.Outcomes = e.outcomes.result(entity)
	r.Work = e.blockers.facts

	// Statuses by count, then spelling.
	for _, s := range e.status.accs {
		r.Statuses = append(r.Statuses, StatusCount{Status: s.first, Count: s.count, Seen: s.seen, Known: s.known})
	}
	sort.SliceStable(r.Statuses, func(i, j int) bool {
		if r.Statuses[i].Count != r.Statuses[j].Count {
			return r.Statuses[i].Count > r.Statuses[j].Count
		}
		return r.Statuses[i].Status < r.Statuses[j].Status
	})

	r.Findings = append(e.findings(r, tinReported), e.causeFindings(r)...)
	e.result = r
	return r, nil
}

// findings builds the run-level findings: R11's period length, R10's API never enabled
// per TIN, unknown statuses with counts (R1), seen visits after the as-of date (R1),
// rows pointing at nothing (R10), and R11's numerator 0 per entity.
func (e *Evaluator) findings(r *Result, tinReported []bool) []Finding {
	var out []Finding
	if pc := CheckPeriod(e.cfg.Start, e.cfg.End); pc.TooShort() {
		out = append(out, Finding{
			Code: PeriodTooShort, Severity: SeverityWarning,
			Message: fmt.Sprintf("performance period %s..%s is %d days; %d requires at least %d consecutive days",
				e.cfg.Start, e.cfg.End, pc.Days, pc.Year, pc.MinDays),
		})
	}
	var never []string
	for t := range e.tins {
		if tinReported[t] && !e.tins[t].api.everEnabled() {
			never = append(never, e.tins[t].tin)
		}
	}
	sort.Strings(never)
	for _, tin := range never {
		out = append(out, Finding{
			Code: APINeverEnabled, Severity: SeverityError, TIN: tin,
			Message: fmt.Sprintf("the patient API was never enabled for TIN %s as of %s: no visit under this TIN can be timely",
				tin, e.cfg.AsOfText()),
		})
	}
	for _, s := range r.Statuses {
		if !s.Known {
			named := fmt.Sprintf("%q", echo(s.Status))
			if t := e.status.title(s.Status); t != "" { // an EHR's status code: named with its title (SPEC §8)
				named += fmt.Sprintf(" (%q in the EHR's status list)", echo(t))
			}
			out = append(out, Finding{
				Code: UnknownStatus, Severity: SeverityWarning, Status: s.Status, Count: s.Count,
				Message: fmt.Sprintf("appointment status %s (%d appointments) is not a known status; it is not counted as seen unless added to seen_statuses",
					named, s.Count),
			})
		}
	}
	if n := e.counts.AfterAsOf; n > 0 {
		out = append(out, Finding{
			Code: VisitAfterAsOf, Severity: SeverityWarning, Count: n,
			Message: fmt.Sprintf("%d appointments with a seen status fall on a later date than the as-of date %s; they are not counted yet",
				n, e.asOfDates()),
		})
	}
	out = append(out, e.dangling...)
	out = append(out, e.source...)
	for _, en := range r.Entities {
		if en.Denominator > 0 && en.Numerator == 0 {
			who := "TIN " + en.TIN
			if en.Level == Individual {
				who += " NPI " + en.NPI
			}
			out = append(out, Finding{
				Code: NumeratorZero, Severity: SeverityError, TIN: en.TIN, NPI: en.NPI,
				Message: fmt.Sprintf("%s: numerator is 0 of %d patients; PI_PEA_1 is required, so the Promoting Interoperability category would score 0",
					who, en.Denominator),
			})
		}
	}
	return out
}

// Dangling records rows of the EHR that point at nothing (R10): code DANGLING_NOTE (a
// note of an unknown appointment) or DANGLING_INVITATION (an invitation of an unknown
// patient), with their count and a few example ids. They are data-quality findings and
// change no figure. A count of 0 records nothing.
func (e *Evaluator) Dangling(code Code, count int, examples []int64) error {
	var what string
	switch code {
	case DanglingNote:
		what = "clinical notes name an appointment that does not exist"
	case DanglingInvitation:
		what = "portal invitations name a patient who does not exist"
	default:
		return fmt.Errorf("record dangling rows: code %s is not a dangling-row code", code)
	}
	if e.result != nil {
		return fmt.Errorf("record %s: the evaluation is already finished (Result was called)", code)
	}
	if count <= 0 {
		return nil
	}
	msg := fmt.Sprintf("%d %s; they are left out", count, what)
	if len(examples) > 0 {
		ids := make([]string, len(examples))
		for i, id := range examples {
			ids[i] = fmt.Sprint(id)
		}
		msg += " (ids " + strings.Join(ids, ", ")
		if count > len(examples) {
			msg += ", …"
		}
		msg += ")"
	}
	e.dangling = append(e.dangling, Finding{Code: code, Severity: SeverityWarning, Count: count,
		Examples: slices.Clone(examples), Message: msg})
	return nil
}
