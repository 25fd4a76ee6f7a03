package measure

import (
	"fmt"
	"math"
	"sort"
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
//
// An Evaluator is not safe for concurrent use.
type Evaluator struct {
	cfg      Config
	cal      *calendar.Calendar
	year     int
	bound    calendar.Date   // R7: last local date for numerator actions
	deadline []calendar.Date // R3 deadline for each date of the period, indexed by date-Start

	offices   []officeInfo
	officeIdx idIndex
	clins     []clinInfo
	clinIdx   idIndex
	tins      []tinInfo
	npis      []string          // distinct NPIs (index = clinInfo.npi)
	names     map[string]string // TIN → practice name (practicename.go)

	// Entity slots: individual (TIN, NPI) created on their first seen visit; one group
	// slot per TIN. slotDense/slotSparse map tin*len(npis)+npi → slot+1.
	ents       []entAcc
	slotDense  []int32
	slotSparse map[int64]int32
	npiSeen    []bool // NPI has a seen visit in a reported entity (INVALID_NPI)

	status *statuses

	// Per-patient scratch, reused across Add calls.
	order []visitRef // the patient's visits in chronological order
	pat   []patEnt   // one per entity the patient touches
	mark  []int32    // slot → index+1 into pat (0 = untouched)
	dups  nameIndex

	rows     []rowRec     // R10 rows in stream order, compact (rows.go)
	rowPats  []rowPatient // patients named by rows
	texts    []string     // data-quality texts named by rows
	curPat   int32        // the current patient's index in rowPats, -1 until its first row
	outcomes []Outcome    // Entity holds the slot until Result remaps it
	counts   Counts
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

// patEnt is one patient's standing in one entity while the patient is being added.
type patEnt struct {
	slot           int32
	seen, timely   int32
	pendVisits     int32
	failing        bool // some visit is not timely
	allFailPending bool // every visit that is not timely is pending (R9, every-visit)
	anyPending     bool // some visit is pending (R9, any-visit)
	allIfLocked    bool // every visit timely if pending notes were locked at as-of
	anyIfLocked    bool
	reason         Code // first reason of the first failing visit
	first, last    calendar.Date
}

// idIndex maps database ids to dense indices: a slice when the ids are small and
// dense enough, a map otherwise.
type idIndex struct {
	dense  []int32 // id → index+1
	sparse map[int64]int32
}

func newIDIndex(ids []int64) (idIndex, error) {
	var max int64 = -1
	dense := true
	for _, id := range ids {
		if id < 0 {
			dense = false
		}
		if id > max {
			max = id
		}
	}
	if max > int64(4*len(ids)+4096) {
		dense = false
	}
	var x idIndex
	if dense {
		x.dense = make([]int32, max+1)
	} else {
		x.sparse = make(map[int64]int32, len(ids))
	}
	for i, id := range ids {
		if _, ok := x.get(id); ok {
			return x, fmt.Errorf("duplicate id %d", id)
		}
		if dense {
			x.dense[id] = int32(i) + 1
		} else {
			x.sparse[id] = int32(i) + 1
		}
	}
	return x, nil
}

func (x *idIndex) get(id int64) (int32, bool) {
	if x.sparse != nil {
		i, ok := x.sparse[id]
		return i - 1, ok
	}
	if id < 0 || id >= int64(len(x.dense)) || x.dense[id] == 0 {
		return -1, false
	}
	return x.dense[id] - 1, true
}

// maxDenseSlots bounds the (TIN, NPI) slot table; larger practices use a map.
const maxDenseSlots = 1 << 22

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
		status: newStatuses(cfg.SeenStatuses),
	}
	// R7: numerator actions stay inside the period, or the calendar year.
	e.bound = cfg.End
	if cfg.NumeratorActions == ActionsCalendarYear {
		e.bound = calendar.NewDate(e.year, time.December, 31)
	}
	// R3: deadlines for every date of the period, computed once.
	e.deadline = make([]calendar.Date, int(cfg.End-cfg.Start)+1)
	for i := range e.deadline {
		e.deadline[i] = e.cal.Deadline(cfg.Start + calendar.Date(i))
	}

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
	if n := int64(len(e.tins)) * int64(len(e.npis)); n <= maxDenseSlots {
		e.slotDense = make([]int32, n)
	} else {
		e.slotSparse = map[int64]int32{}
	}
	return e, nil
}

// reported reports whether an entity passes the Config.TIN / Config.NPI filters.
// Filters never change how an entity is computed.
func (e *Evaluator) reported(tin, npi string) bool {
	return (e.cfg.TIN == "" || e.cfg.TIN == tin) && (e.cfg.NPI == "" || e.cfg.NPI == npi)
}

// individualSlot returns the slot of (TIN, NPI), creating it on first use (R2).
func (e *Evaluator) individualSlot(tin int32, ci int32) int32 {
	c := &e.clins[ci]
	key := int64(tin)*int64(len(e.npis)) + int64(c.npi)
	var s int32
	if e.slotDense != nil {
		s = e.slotDense[key]
	} else {
		s = e.slotSparse[key]
	}
	if s != 0 {
		return s - 1
	}
	tinS, npiS := e.tins[tin].tin, e.npis[c.npi]
	slot := e.newSlot(entAcc{
		ent:      Entity{Level: Individual, TIN: tinS, NPI: npiS, Clinician: c.display},
		tin:      tin,
		reported: e.reported(tinS, npiS),
	})
	if e.slotDense != nil {
		e.slotDense[key] = slot + 1
	} else {
		e.slotSparse[key] = slot + 1
	}
	return slot
}

// groupSlot returns the slot of the TIN's group entity, creating it on first use (R2).
func (e *Evaluator) groupSlot(tin int32) int32 {
	t := &e.tins[tin]
	if t.group < 0 {
		t.group = e.newSlot(entAcc{
			ent:      Entity{Level: Group, TIN: t.tin},
			tin:      tin,
			reported: e.reported(t.tin, ""),
		})
	}
	return t.group
}

func (e *Evaluator) newSlot(a entAcc) int32 {
	e.ents = append(e.ents, a)
	e.mark = append(e.mark, 0)
	return int32(len(e.ents) - 1)
}

// patAcc returns the patient's scratch entry for slot.
func (e *Evaluator) patAcc(slot int32, v calendar.Date) *patEnt {
	if m := e.mark[slot]; m > 0 {
		return &e.pat[m-1]
	}
	e.pat = append(e.pat, patEnt{slot: slot, allFailPending: true, allIfLocked: true, first: v})
	e.mark[slot] = int32(len(e.pat))
	return &e.pat[len(e.pat)-1]
}

// visitEval is what the engine decides about one seen visit.
type visitEval struct {
	v, deadline calendar.Date
	hasRel      bool
	rel         time.Time
	hasA        bool
	a           time.Time
	aDate       calendar.Date
	timely      bool
	pending     bool
	ifLocked    bool // timely, or would be if its note were released at as-of
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
	e.counts.Patients++
	e.counts.Appointments += len(rec.Visits)
	e.curPat = -1
	p := &rec.Patient
	asOf := e.cfg.AsOf

	// R5: access from the earliest invitation, any recipient or channel, as of AsOf.
	var inv time.Time
	hasInv := false
	if fi := rec.FirstInvitation; fi != nil && !fi.SentAt.IsZero() && !fi.SentAt.After(asOf) {
		inv, hasInv = fi.SentAt, true
	}

	// Chronological order makes "first failing visit" and outcomes independent of the
	// order the database returned the visits in.
	for i := 1; i < len(e.order); i++ {
		for j := i; j > 0 && visitBefore(&rec.Visits[e.order[j].v], &rec.Visits[e.order[j-1].v]); j-- {
			e.order[j], e.order[j-1] = e.order[j-1], e.order[j]
		}
	}

	emailState := 0 // 0 unknown, 1 usable, 2 not usable
	inReported := false
	for _, ref := range e.order {
		v := &rec.Visits[ref.v]
		ci := ref.clin
		o := &e.offices[ref.office]
		c := &e.clins[ci]

		// R1: local date in the period, seen status, eligible clinician.
		vd := o.zone.date(v.ScheduledAt)
		if vd < e.cfg.Start || vd > e.cfg.End {
			e.counts.OutsidePeriod++
			continue
		}
		st := &e.status.accs[e.status.index(v.Status)]
		st.count++
		if !st.seen {
			e.counts.NotSeen++
			continue
		}
		if !c.eligible {
			e.counts.NotEligible++ // R2: counts in no entity, not even the group
			continue
		}
		// As of AsOf, a visit scheduled later has not happened yet, whatever status the
		// data gives it now: like every other event after AsOf, it is left out (R9), so
		// a report as of a past instant reproduces what was knowable then.
		if v.ScheduledAt.After(asOf) {
			e.counts.AfterAsOf++
			continue
		}
		e.counts.SeenVisits++

		ev := visitEval{v: vd, deadline: e.deadline[vd-e.cfg.Start]} // R3
		tw := &e.tins[o.tin].api
		// R4: release at the earliest lock (or signature), as of AsOf; no note → none.
		if v.Notes.Count > 0 {
			r := v.Notes.FirstLocked
			if e.cfg.Release == ReleaseSign {
				r = v.Notes.FirstSigned
			}
			if !r.IsZero() && !r.After(asOf) {
				ev.rel, ev.hasRel = r, true
			}
		}
		// R6/R7: A = earliest enabled instant ≥ max(release, invitation); timely when its
		// local date is ≤ the deadline and ≤ the numerator-action bound.
		if ev.hasRel && hasInv {
			ev.a, ev.hasA = tw.next(later(ev.rel, inv))
			if ev.hasA {
				ev.aDate = o.zone.date(ev.a)
				ev.timely = ev.aDate <= ev.deadline && ev.aDate <= e.bound
			}
		}
		ev.ifLocked = ev.timely
		if !ev.timely {
			// R9: not timely with the deadline on or after the as-of local date.
			ev.pending = ev.deadline >= o.asOfDate
			if ev.pending && !ev.hasRel && hasInv {
				// What-if: the note released at AsOf (invitation ≤ AsOf, so T0 = AsOf).
				if a, ok := tw.next(asOf); ok {
					d := o.zone.date(a)
					ev.ifLocked = d <= ev.deadline && d <= e.bound
				}
			}
		}

		ind := e.individualSlot(o.tin, ci)
		grp := e.groupSlot(o.tin)
		indRep := e.ents[ind].reported
		if indRep || e.ents[grp].reported {
			inReported = true
		}
		if indRep {
			e.npiSeen[c.npi] = true
		}
		if indRep || e.ents[grp].reported {
			e.countLag(&ev, o)
		}

		var reason Code
		if !ev.timely {
			e.counts.PendingVisits += b2i(ev.pending)
			var base rowRec
			if indRep {
				base = rowRec{
					appt: v.ID, patient: e.curRowPatient(p, rec.FirstInvitation), text: -1,
					tin: o.tin, npi: c.npi, clin: ci, visit: vd, deadline: ev.deadline,
				}
				if ev.pending {
					base.flags = rowFixable
				}
				if emailState == 0 && !hasInv {
					emailState = 2
					if usableEmailFast(p.Email) || UsableEmail(p.Email) {
						emailState = 1
					}
				}
			}
			reason = e.reasons(indRep, &base, v, o, &ev, hasInv, inv, emailState == 1)
		} else {
			e.counts.TimelyVisits++
		}
		// R10 data quality: a lock before the visit itself.
		if indRep && v.Notes.Count > 0 && !v.Notes.FirstLocked.IsZero() && !v.Notes.FirstLocked.After(asOf) &&
			v.Notes.FirstLocked.Before(v.ScheduledAt) {
			e.rows = append(e.rows, rowRec{
				code: codeIndex[LockBeforeVisit], appt: v.ID, patient: e.curRowPatient(p, rec.FirstInvitation), text: -1,
				tin: o.tin, npi: c.npi, clin: ci, visit: vd, deadline: ev.deadline,
				event: o.zone.date(v.Notes.FirstLocked), flags: rowHasEvent,
			})
		}

		e.patAcc(ind, vd).add(&ev, reason)
		e.patAcc(grp, vd).add(&ev, reason)                                      // R2: the group sees every visit under the TIN
		e.trend.visit(e.counts.Patients, ind, grp, vd, ev.timely, e.cfg.Policy) // trend.go
	}

	e.flushPatient(rec)
	if inReported {
		e.patientQuality(p)
	} else if p.HasBirthDate {
		e.rememberName(p) // still a candidate for later duplicates
	}
	return nil
}

// countLag adds a seen visit to the release-lateness histogram (Result.ReleaseLag):
// business days from the visit's local date to the release's (R3, R4), a release on a
// non-business day counting as the next business day.
func (e *Evaluator) countLag(ev *visitEval, o *officeInfo) {
	if !ev.hasRel {
		e.unrel++
		return
	}
	rd := o.zone.date(ev.rel)
	n := 0
	if rd > ev.v {
		n = e.cal.BusinessDaysBetween(ev.v, rd)
		if !e.cal.IsBusinessDay(rd) {
			n++
		}
	}
	e.lag[min(n, ReleaseLagBuckets-1)]++
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func visitBefore(a, b *Visit) bool {
	if c := a.ScheduledAt.Compare(b.ScheduledAt); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}

func (a *patEnt) add(ev *visitEval, reason Code) {
	a.seen++
	if ev.timely {
		a.timely++
	} else {
		if !a.failing {
			a.failing = true
			a.reason = reason
		}
		if !ev.pending {
			a.allFailPending = false
		}
	}
	if ev.pending {
		a.anyPending = true
		a.pendVisits++
	}
	if ev.ifLocked {
		a.anyIfLocked = true
	} else {
		a.allIfLocked = false
	}
	a.last = ev.v
}

// flushPatient folds the patient's scratch state into the entities (R8, R9).
func (e *Evaluator) flushPatient(rec *PatientRecord) {
	every := e.cfg.Policy == EveryVisit
	for i := range e.pat {
		a := &e.pat[i]
		ent := &e.ents[a.slot]
		var in, pend, ifl bool
		if every {
			in = a.timely == a.seen
			pend = !in && a.allFailPending
			ifl = a.allIfLocked
		} else {
			in = a.timely > 0
			pend = !in && a.anyPending
			ifl = a.anyIfLocked
		}
		ent.den++
		ent.num += b2i(in)
		ent.pending += b2i(pend)
		ent.ifLocked += b2i(ifl)
		ent.seen += int(a.seen)
		ent.timely += int(a.timely)
		ent.pendVisits += int(a.pendVisits)
		if ent.ent.Level == Individual && in {
			e.counts.PatientsInNumerator++
		}
		if e.cfg.KeepPatients && ent.reported {
			p := &rec.Patient
			o := Outcome{
				Entity: int(a.slot), PatientID: p.ID, MRN: p.MRN, FirstName: p.FirstName, LastName: p.LastName,
				BirthDate: p.BirthDate, HasBirthDate: p.HasBirthDate,
				InNumerator: in, Pending: pend, SeenVisits: int(a.seen), TimelyVisits: int(a.timely),
				FirstVisit: a.first, LastVisit: a.last,
			}
			if !in {
				o.Reason = a.reason
			}
			e.outcomes = append(e.outcomes, o)
		}
		e.mark[a.slot] = 0
	}
	e.pat = e.pat[:0]
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
// the result takes over the evaluator's rows (no copy), later calls return the same
// Result, and Add fails afterwards.
func (e *Evaluator) Result() *Result {
	return e.finish(false)
}

// LazyResult is Result, except that the issue rows stay in the evaluator's compact form
// and Result.LazyIssues expands them one at a time: Issues is nil, IssueCount and
// IssueAt read the rows. At a health system's scale (millions of visits) the expanded
// rows would be most of the memory a streamed report needs. Calls to Result and
// LazyResult after the first return the first one's result.
func (e *Evaluator) LazyResult() *Result {
	return e.finish(true)
}

func (e *Evaluator) finish(lazy bool) *Result {
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
	mult := 25.0
	if e.year <= 2022 {
		mult = 40
	}
	for i, s := range slots {
		remap[s] = i
		a := &e.ents[s]
		er := EntityResult{
			Entity: a.ent, Denominator: a.den, Numerator: a.num, Pending: a.pending,
			NumeratorIfNotesLocked: a.ifLocked, SeenVisits: a.seen, TimelyVisits: a.timely,
			PendingVisits: a.pendVisits,
		}
		if a.den > 0 {
			frac := float64(a.num) / float64(a.den)
			er.Rate = round(frac, 4)
			er.Points = round(frac*mult, 2)
		}
		r.Entities = append(r.Entities, er)
	}

	namePractices(r.Entities, e.names)
	r.Trend = e.trend.result(e.cfg, slots)

	// Issues: stream order, then data-quality rows about TINs and clinicians, sorted.
	if !lazy {
		r.Issues = make([]Issue, len(e.rows), len(e.rows)+len(e.tins)+len(e.npis))
		for i := range e.rows {
			r.Issues[i] = e.expand(&e.rows[i])
		}
		e.rows, e.rowPats, e.texts = nil, nil, nil
	}
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
	if lazy {
		rows := e.rows
		e.rows = nil
		r.LazyIssueCount = len(rows) + len(dq)
		r.LazyIssues = func(i int) Issue {
			if i < len(rows) {
				return e.expand(&rows[i])
			}
			return dq[i-len(rows)]
		}
	} else {
		r.Issues = append(r.Issues, dq...)
	}

	if e.cfg.KeepPatients {
		r.Outcomes = e.outcomes
		e.outcomes = nil
		for i := range r.Outcomes {
			r.Outcomes[i].Entity = remap[r.Outcomes[i].Entity]
		}
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
// per TIN, unknown statuses with counts (R1), and R11's numerator 0 per entity.
func (e *Evaluator) findings(r *Result, tinReported []bool) []Finding {
	var out []Finding
	days := int(e.cfg.End-e.cfg.Start) + 1 // both ends inclusive
	min := 180
	if e.year <= 2023 {
		min = 90
	}
	if days < min {
		out = append(out, Finding{
			Code: PeriodTooShort, Severity: SeverityWarning,
			Message: fmt.Sprintf("performance period %s..%s is %d days; %d requires at least %d consecutive days",
				e.cfg.Start, e.cfg.End, days, e.year, min),
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
			out = append(out, Finding{
				Code: UnknownStatus, Severity: SeverityWarning, Status: s.Status, Count: s.Count,
				Message: fmt.Sprintf("appointment status %q (%d appointments) is not a known status; it is not counted as seen unless added to seen_statuses",
					sanitize(s.Status), s.Count),
			})
		}
	}
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

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
