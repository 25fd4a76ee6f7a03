package measure

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// Evaluator computes PI_PEA_1 over a stream of patients (SPEC §2, R1–R11).
//
// The database layer calls Add once per patient, with all of that patient's
// appointments, and Result at the end. The evaluator keeps only per-entity counters,
// a small per-patient scratch state reused across Add calls, the itemised issue rows
// and (with Config.KeepPatients) one outcome per patient and entity; it never holds
// the visits themselves.
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
	ents    []entAcc
	slots   map[int64]int32
	npiSeen []bool // NPI has a seen visit in a reported entity (INVALID_NPI)

	status *statuses

	// Per-patient scratch, reused across Add calls.
	order   []visitRef // the patient's visits in chronological order
	pat     []patEnt   // one per entity the patient touches
	mark    []int32    // slot → index+1 into pat (0 = untouched)
	verdict Verdict    // the current visit's verdict
	dups    nameIndex

	issues   issueStore   // R10 rows in stream order, compact (store.go)
	curPat   int32        // the current patient's index in issues.pats, -1 until its first row
	outcomes outcomeStore // Entity holds the slot; the Result remaps it as rows are read
	counts   Counts
	dangling []Finding              // DANGLING_NOTE / DANGLING_INVITATION from the reader
	source   []Finding              // findings of the EHR source itself (SourceFinding)
	lag      [ReleaseLagBuckets]int // Result.ReleaseLag, fixed size: no allocation per visit
	unrel    int                    // Result.Unreleased
	trend    trendAcc               // Result.Trend (trend.go)
	result   *Result                // set by Result: the evaluation is finished
}

type visitRef struct{ v, office, clin int32 }

type officeInfo struct {
	id       int64
	tin      int32
	zone     *zoneDays
	asOfDate calendar.Date // R9: the as-of instant's local date in this office
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
}

// NewEvaluator prepares an evaluation of p under cfg (defaults filled, then
// validated). It fails on an invalid configuration, an office without a time zone,
// and duplicate office or clinician ids.
func NewEvaluator(cfg Config, p Practice) (*Evaluator, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new evaluator: %w", err)
	}
	e := &Evaluator{
		cfg:    cfg,
		cal:    calendar.New(cfg.FederalHolidays, cfg.Closures),
		year:   cfg.Start.Year(),
		status: newStatuses(cfg.SeenStatuses, p.Statuses),
	}
	e.rules = runRules{cal: e.cal, release: cfg.Release, asOf: cfg.AsOf, bound: actionBound(cfg)}
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
		e.tins[i].api = newAPIWindows(byTIN[e.tins[i].tin], cfg.AsOf)
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
		e.offices = append(e.offices, officeInfo{id: o.ID, tin: tinIdx[o.TIN], zone: z, asOfDate: z.date(cfg.AsOf)})
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
	e.npiSeen = make([]bool, len(e.npis))
	e.issues = issueStore{npis: e.npis, bound: e.rules.bound, calendarYear: cfg.NumeratorActions == ActionsCalendarYear}
	for _, t := range e.tins {
		e.issues.tins = append(e.issues.tins, t.tin)
	}
	for _, c := range e.clins {
		e.issues.clins = append(e.issues.clins, c.display)
	}
	e.slots = map[int64]int32{}
	return e, nil
}

// Add evaluates one patient with all of their appointments (any status, possibly some
// outside the period). Appointments whose local date falls outside the period are only
// counted (Counts.OutsidePeriod); statuses are tallied for the others (R1). Visits are
// judged in chronological order whatever order they come in. It does not retain rec
// or rec.Visits. It fails, without changing any figure, when a visit names an unknown
// office or clinician.
func (e *Evaluator) Add(rec *PatientRecord) error {
	if e.result != nil {
		return fmt.Errorf("add patient %d: the evaluation is already finished (Result was called)", rec.Patient.ID)
	}
	// Resolve every visit's office and clinician before changing anything, so a bad
	// record leaves the figures untouched.
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
	// Between patients no row refers to a stored patient by index: spill here.
	if sp := e.issues.sp; sp != nil && len(e.issues.rows) >= sp.at {
		if err := e.issues.flush(); err != nil {
			return fmt.Errorf("add patient %d: %w", rec.Patient.ID, err)
		}
	}
	e.counts.Patients++
	e.counts.Appointments += len(rec.Visits)
	e.curPat = -1
	p := &rec.Patient

	// Chronological order makes "first failing visit" and outcomes independent of the
	// order the database returned the visits in.
	slices.SortFunc(e.order, func(a, b visitRef) int { return visitOrder(&rec.Visits[a.v], &rec.Visits[b.v]) })

	var f visitFacts
	f.inv, f.hasInv = firstInvitation(rec.FirstInvitation, e.cfg.AsOf) // R5
	emailState := 0                                                    // 0 unknown, 1 usable, 2 not usable
	inReported := false
	vd := &e.verdict
	for _, ref := range e.order {
		v := &rec.Visits[ref.v]
		ci := ref.clin
		o := &e.offices[ref.office]
		c := &e.clins[ci]

		// R1: local date in the period, seen status, eligible clinician, as of the report.
		date := o.zone.date(v.ScheduledAt)
		if !inPeriod(date, e.cfg) {
			e.counts.OutsidePeriod++
			continue
		}
		st := &e.status.accs[e.status.index(v.Status)]
		st.count++
		switch seenVisit(st.seen, c.eligible, date, o.asOfDate) {
		case notSeen:
			e.counts.NotSeen++
			continue
		case notEligible:
			e.counts.NotEligible++ // R2: counts in no entity, not even the group
			continue
		case afterAsOf:
			e.counts.AfterAsOf++
			continue
		}
		e.counts.SeenVisits++

		f.zone, f.asOfDate, f.api = o.zone, o.asOfDate, &e.tins[o.tin].api
		f.deadline = e.deadline[date-e.cfg.Start] // R3
		e.rules.judge(v, date, &f, vd)

		ind := e.individualSlot(o.tin, ci)
		grp := e.groupSlot(o.tin)
		indRep := e.ents[ind].reported
		if indRep || e.ents[grp].reported {
			inReported = true
			e.countLag(vd, o)
		}
		if indRep {
			e.npiSeen[c.npi] = true
		}
		switch vd.State {
		case Timely:
			e.counts.TimelyVisits++
		case Pending:
			e.counts.PendingVisits++
		}
		if indRep {
			if vd.nReasons > 0 && emailState == 0 && !f.hasInv {
				emailState = 2
				if usableEmailFast(p.Email) || UsableEmail(p.Email) {
					emailState = 1
				}
			}
			e.visitRows(rec, v, o, ci, vd, emailState == 1)
		}
		e.patAcc(ind, date).add(vd)
		e.patAcc(grp, date).add(vd)                                                                                // R2: the group sees every visit under the TIN
		e.trend.visit(e.counts.Patients, ind, grp, date, vd.State == Timely, e.cfg.Policy, o.zone.loc, o.asOfDate) // trend.go
	}

	e.flushPatient(rec)
	if inReported {
		e.patientQuality(p)
	} else if p.HasBirthDate {
		e.rememberName(p) // still a candidate for later duplicates
	}
	return nil
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

// visitRows stores R10's rows for a seen visit of a reported individual entity: one
// per reason of its verdict, then the data-quality warning LOCK_BEFORE_VISIT.
func (e *Evaluator) visitRows(rec *PatientRecord, v *Visit, o *officeInfo, ci int32, vd *Verdict, hasEmail bool) {
	base := rowRec{
		appt: v.ID, patient: -1, text: -1,
		tin: o.tin, npi: e.clins[ci].npi, clin: ci, visit: vd.Visit, deadline: vd.Deadline,
	}
	if vd.State == Pending {
		base.flags = rowFixable
	}
	for _, rs := range vd.Reasons() {
		row := base
		row.patient = e.curRowPatient(&rec.Patient, rec.FirstInvitation)
		row.code = codeIndex[rs.Code]
		row.bdays = int32(rs.BusinessDays)
		if rs.HasEvent {
			row.event, row.flags = rs.Event, row.flags|rowHasEvent
		}
		switch {
		case noteCode(rs.Code) && !rs.HasEvent && vd.IfLocked:
			row.flags |= rowCountsIfLocked
		case rs.Code == NotInvited && hasEmail:
			row.flags |= rowHasEmail
		case rs.Code == AccessAfterPeriod:
			row.bdays = 0
		}
		e.issues.rows = append(e.issues.rows, row)
	}
	// R10 data quality: a lock before the visit itself.
	if l := v.Notes.FirstLocked; v.Notes.Count > 0 && happened(l, e.cfg.AsOf) && l.Before(v.ScheduledAt) {
		row := base
		row.flags = rowHasEvent
		row.patient = e.curRowPatient(&rec.Patient, rec.FirstInvitation)
		row.code, row.event = codeIndex[LockBeforeVisit], o.zone.date(l)
		e.issues.rows = append(e.issues.rows, row)
	}
}

// countLag adds a seen visit to the release-lateness histogram (Result.ReleaseLag):
// business days from the visit's local date to the release's (R3, R4), counted as R9
// counts lateness (a release on a non-business day counts as the next business day).
func (e *Evaluator) countLag(vd *Verdict, o *officeInfo) {
	if !vd.HasRelease {
		e.unrel++
		return
	}
	n := lateness(e.cal, vd.Visit, o.zone.date(vd.Release))
	e.lag[min(n, ReleaseLagBuckets-1)]++
}

// curRowPatient returns the index of the current patient in the issue store, adding
// the patient on their first row.
func (e *Evaluator) curRowPatient(p *Patient, inv *Invitation) int32 {
	if e.curPat < 0 {
		rp := rowPatient{id: p.ID, mrn: p.MRN}
		if inv != nil {
			rp.recipient, rp.channel = inv.Recipient, inv.Channel
		}
		e.issues.pats = append(e.issues.pats, rp)
		e.curPat = int32(len(e.issues.pats) - 1)
	}
	return e.curPat
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
	return e.Result(), nil
}

// Result finalises the figures (R8–R11) and returns them. It finishes the evaluation:
// the result takes over the evaluator's issue store (no copy, no reference back to the
// evaluator), later calls return the same Result, and Add fails afterwards.
func (e *Evaluator) Result() *Result {
	if e.result != nil {
		return e.result
	}
	r := &Result{
		MeasureID:       MeasureID,
		Config:          e.cfg,
		PerformanceYear: e.year,
		Counts:          e.counts,
		Calendar:        e.cal,
		ReleaseLag:      append([]int(nil), e.lag[:]...),
		Unreleased:      e.unrel,
	}

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
	remap := make([]int, len(e.ents))
	for i := range remap {
		remap[i] = -1
	}
	for i, s := range slots {
		remap[s] = i
		a := &e.ents[s]
		er := EntityResult{
			Entity: a.ent, Denominator: a.den, Numerator: a.num, Pending: a.pending,
			NumeratorIfNotesLocked: a.ifLocked, SeenVisits: a.seen, TimelyVisits: a.timely,
			PendingVisits: a.pendVisits,
		}
		er.Rate, er.Points = rateAndPoints(a.num, a.den, e.year)
		r.Entities = append(r.Entities, er)
	}

	namePractices(r.Entities, e.names)
	r.Trend = e.trend.result(e.cfg, slots)
	r.Zones = e.trend.zonesOf(slots)

	// Issues: stream order, then data-quality rows about TINs and clinicians, sorted.
	var dq []Issue
	tinDone := make([]bool, len(e.tins))
	for _, s := range slots {
		t := e.ents[s].tin
		if !tinDone[t] && !ValidTIN(e.tins[t].tin) {
			dq = append(dq, Issue{Code: InvalidTIN, Severity: SeverityWarning, TIN: e.tins[t].tin, Text: sanitize(e.tins[t].tin)})
		}
		tinDone[t] = true
	}
	for n, seen := range e.npiSeen {
		if seen && !ValidNPI(e.npis[n]) {
			dq = append(dq, Issue{Code: InvalidNPI, Severity: SeverityWarning, NPI: e.npis[n], Text: sanitize(e.npis[n])})
		}
	}
	sort.SliceStable(dq, func(i, j int) bool {
		if dq[i].TIN != dq[j].TIN {
			return dq[i].TIN < dq[j].TIN
		}
		if dq[i].NPI != dq[j].NPI {
			return dq[i].NPI < dq[j].NPI
		}
		return dq[i].Code < dq[j].Code
	})
	e.issues.finish()
	r.issues = e.issues
	r.issues.tail = dq
	e.issues = issueStore{}

	if e.cfg.KeepPatients {
		e.outcomes.finish()
		r.outcomes = e.outcomes
		r.outcomes.remap = remap
		e.outcomes = outcomeStore{}
	}

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

	r.Findings = e.findings(r, tinDone)
	e.result = r
	return r
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
				tin, e.cfg.AsOf.UTC().Format(time.RFC3339)),
		})
	}
	for _, s := range r.Statuses {
		if !s.Known {
			named := fmt.Sprintf("%q", sanitize(s.Status))
			if t := e.status.title(s.Status); t != "" { // an EHR's status code: named with its title (SPEC §8)
				named += fmt.Sprintf(" (%q in the EHR's status list)", sanitize(t))
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

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
