package reports

// The JSON report of SPEC §4. Field names are a contract with the people and scripts that
// read it: the SPEC's names are kept exactly, more fields are only ever added. Structs fix
// the field order and slices keep the Result's order, so the same Result always gives
// byte-identical output (issue 7: identical across SQLite and PostgreSQL, which is why
// the generation time is not written here; the source fingerprint of SPEC §7, the one
// field that names the database, is written only when the caller passes it).

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

// jsonAsOfLocal is the as-of in each office zone (SPEC §4 as_of_local): the local date
// and time of the instant, or, for a bare as-of date, the end of that date in the zone
// (R9).
func jsonAsOfLocal(r *measure.Result, c measure.Config) []wire.LocalAsOf {
	var out []wire.LocalAsOf
	for _, z := range zonesOf(r) {
		lt := c.AsOfIn(z).In(z)
		out = append(out, wire.LocalAsOf{Zone: z.String(), Date: lt.Format("2006-01-02"), Time: lt.Format(time.RFC3339)})
	}
	return out
}

func combinedJSON(c *Combined) *wire.Combined {
	if c == nil {
		return nil
	}
	j := &wire.Combined{Name: c.Name, Match: c.Match, Method: c.Method, Sources: make([]wire.CombinedSource, 0, len(c.Sources))}
	for _, s := range c.Sources {
		j.Sources = append(j.Sources, wire.CombinedSource{File: s.File, Source: s.Source, AsOf: s.AsOf, Version: s.Version, Entities: s.Entities})
	}
	return j
}

// JSON writes the report of SPEC §4 with 2-space indent and a trailing newline.
func JSON(w io.Writer, r *measure.Result, o Options) error {
	if r == nil {
		return fmt.Errorf("write JSON report: no result")
	}
	m := newModel(r, o)
	c, ci := m.cfg, m.cal
	rep := wire.Report{
		MeasureID:        m.id,
		PerformanceYear:  r.PerformanceYear,
		PerformanceStart: c.Start.String(),
		PerformanceEnd:   c.End.String(),
		AsOf:             c.AsOfText(), // SPEC §4: as given (R9)
		AsOfLocal:        m.asOfZones,
		Policy:           string(c.Policy),
		Release:          string(c.Release),
		NumeratorActions: string(c.NumeratorActions),
		SeenStatuses:     append([]string{}, c.SeenStatuses...),
		Holidays:         ci.Holidays,
		HolidaysApplied:  []wire.Holiday{},
		Closures:         []string{},
		TINFilter:        c.TIN,
		NPIFilter:        c.NPI,
		Version:          o.Version,
		Source:           o.Fingerprint,
		PseudonymKeyID:   o.PseudonymKeyID,
		Combined:         combinedJSON(o.Combined),
		Entities:         make([]wire.Entity, 0, len(r.Entities)),
		Findings:         make([]wire.Finding, 0, len(r.Findings)),
		Statuses:         make([]wire.Status, 0, len(r.Statuses)),
		APIEvidence:      jsonEvidenceOf(o.Evidence),
		Counts: wire.Counts{
			Patients: r.Counts.Patients, Appointments: r.Counts.Appointments,
			OutsidePeriod: r.Counts.OutsidePeriod, NotSeen: r.Counts.NotSeen,
			NotEligible: r.Counts.NotEligible, AfterAsOf: r.Counts.AfterAsOf, SeenVisits: r.Counts.SeenVisits,
			TimelyVisits: r.Counts.TimelyVisits, PendingVisits: r.Counts.PendingVisits,
			PatientsInNumerator: r.Counts.PatientsInNumerator,
		},
	}
	if c.TIN != "" || c.NPI != "" {
		k := r.Counts.InFilter
		rep.Counts.InFilter = &wire.FilterCounts{Patients: k.Patients, SeenVisits: k.SeenVisits, TimelyVisits: k.TimelyVisits, PendingVisits: k.PendingVisits}
	}
	rep.Trend = jsonTrend(r)
	for _, h := range ci.Applied {
		rep.HolidaysApplied = append(rep.HolidaysApplied, wire.Holiday{Date: h.Observed.String(), Actual: h.Actual.String(), Name: h.Name})
	}
	for _, d := range ci.Closures {
		rep.Closures = append(rep.Closures, d.String())
	}
	for _, h := range m.heads {
		e := h.Entity
		rep.Entities = append(rep.Entities, wire.Entity{
			Level: string(e.Level), TIN: e.TIN, PracticeName: e.PracticeName, NPI: e.NPI, Clinician: e.Clinician,
			Denominator: e.Denominator, Numerator: e.Numerator, Rate: wire.Dec4(e.Rate), Pending: e.Pending,
			Points: wire.Dec2(e.Points), NumeratorIfNotesLocked: e.NumeratorIfNotesLocked,
			SeenVisits: e.SeenVisits, TimelyVisits: e.TimelyVisits, PendingVisits: e.PendingVisits,
			PEAPoints: wire.Dec2(h.PEA.Points), PEAMaxPoints: wire.Dec2(h.PEA.MaxPoints),
			BestReachableRate: wire.Dec4(h.PEA.BestReachableRate), BestReachablePoints: wire.Dec2(h.PEA.BestReachablePoints),
			NextPercentPoints: wire.Dec2(h.PEA.NextPercentGain), PendingPoints: wire.Dec2(h.PEA.PendingGain),
			PICategory: piCategoryJSON(h.Est), Causes: causesJSON(e.Causes),
		})
	}
	for _, f := range r.Findings {
		rep.Findings = append(rep.Findings, wire.Finding{
			Code: string(f.Code), Severity: string(f.Severity), TIN: f.TIN, NPI: f.NPI,
			Status: f.Status, Count: f.Count, Examples: f.Examples, Message: f.Message,
		})
	}
	for _, s := range r.Statuses {
		rep.Statuses = append(rep.Statuses, wire.Status{Status: s.Status, Count: s.Count, Seen: s.Seen, Known: s.Known})
	}
	for _, err := range outcomes(r) { // a report with a dangling row is not started
		if err != nil {
			return fmt.Errorf("write JSON report: %w", err)
		}
	}
	// Issues and the drill-down grow with the practice (millions of rows for a health
	// system): they are encoded one row at a time into a buffered writer instead of
	// building the whole document in memory. The bytes are the same as
	// json.Encoder.SetIndent("", "  ") on the whole report (golden tests).
	// The rows are encoded ahead on the other cores (ahead.go); encodeIndented asks for
	// them in order, always with the same prefix.
	var issues *ahead[measure.Issue]
	defer func() { issues.stop() }()
	nextOutcome, stopOutcomes := iter.Pull2(outcomes(r))
	defer stopOutcomes()
	streams := map[string]jsonStream{
		"issues": {n: r.IssueCount(), appendElem: func(dst []byte, _ int, prefix string) ([]byte, error) {
			if issues == nil {
				issues = encodeAhead(r.AllIssues(), func(dst []byte, is *measure.Issue) []byte {
					j := issueJSON(*is)
					return appendIssueJSON(dst, &j, prefix)
				})
			}
			out, ok, err := issues.next(dst)
			if !ok && err == nil {
				err = errors.New("fewer issue rows than counted")
			}
			return out, err
		}},
		"patients": {n: r.OutcomeCount(), elem: func(int) (any, error) {
			p, err, ok := nextOutcome()
			if !ok && err == nil {
				err = errors.New("fewer drill-down rows than counted")
			}
			if err != nil {
				return nil, err
			}
			e := p.e
			return wire.Patient{
				Level: string(e.Level), TIN: e.TIN, NPI: e.NPI, PatientID: p.PatientID, MRN: p.MRN,
				FirstName: p.FirstName, LastName: p.LastName, BirthDate: optDate(p.BirthDate, p.HasBirthDate),
				InNumerator: p.InNumerator, Pending: p.Pending, Reason: string(p.Reason),
				SeenVisits: p.SeenVisits, TimelyVisits: p.TimelyVisits,
				FirstVisit: p.FirstVisit.String(), LastVisit: p.LastVisit.String(),
				PatientKey: p.PatientKey,
			}, nil
		}},
	}
	if err := encodeIndented(w, &rep, streams); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

func piCategoryJSON(est *category.Estimate) *wire.PICategory {
	if est == nil {
		return nil
	}
	j := &wire.PICategory{
		EstimatedScore: wire.Dec2(est.Score), WeightedScore: wire.Dec2(est.Weighted), Weight: wire.Dec4(est.Weight),
		Bonus: wire.Dec2(est.Bonus), Capped: est.Capped,
		ZeroReasons: []wire.ZeroReason{}, Measures: []wire.MeasurePoint{}, Unverified: []string{},
	}
	for _, z := range est.ZeroReasons {
		j.ZeroReasons = append(j.ZeroReasons, wire.ZeroReason{Code: z.Code, Message: z.Message})
	}
	for _, m := range est.Measures {
		j.Measures = append(j.Measures, wire.MeasurePoint{MeasureID: m.ID, Points: wire.Dec2(m.Points), MaxPoints: wire.Dec2(m.MaxPoints), Basis: string(m.Basis)})
	}
	j.Unverified = append(j.Unverified, est.Unverified...)
	return j
}

func issueJSON(is measure.Issue) wire.Issue {
	j := wire.Issue{
		Code: string(is.Code), Severity: string(is.Severity), TIN: is.TIN, NPI: is.NPI,
		Clinician: is.Clinician, MRN: is.MRN, Fixable: is.Fixable, Detail: is.Detail(),
		EventDate: optDate(is.EventDate, is.HasEvent), CountsIfLocked: is.CountsIfLocked,
		Recipient: is.Recipient, Channel: is.Channel, Text: is.Text,
	}
	if is.PatientID != 0 {
		j.PatientID = &is.PatientID
	}
	if aboutVisit(is) {
		j.AppointmentID = &is.AppointmentID
		v, d := is.VisitDate.String(), is.Deadline.String()
		j.VisitDate, j.Deadline = &v, &d
		j.FixBy = lockBy(is).String() // R9's fix-by date beside R3's deadline (SPEC §4)
		j.BusinessDays = &is.BusinessDays
	}
	if is.Code == measure.NotInvited {
		j.HasEmail = &is.HasEmail
	}
	return j
}

// entityOutcome is a drill-down row with its entity.
type entityOutcome struct {
	measure.Outcome
	e *measure.EntityResult
}

// outcomes yields the drill-down rows with their entities; a row that cannot be read,
// or whose entity index points at nothing, is yielded as an error and ends them.
func outcomes(r *measure.Result) iter.Seq2[entityOutcome, error] {
	return func(yield func(entityOutcome, error) bool) {
		for p, err := range r.AllOutcomes() {
			if err == nil && (p.Entity < 0 || p.Entity >= len(r.Entities)) {
				err = fmt.Errorf("patient %d: entity index %d out of range (%d entities)", p.PatientID, p.Entity, len(r.Entities))
			}
			if err != nil {
				yield(entityOutcome{}, err)
				return
			}
			if !yield(entityOutcome{p, &r.Entities[p.Entity]}, nil) {
				return
			}
		}
	}
}

// causesJSON is an entity's causes as the JSON writes them; nil (absent) when unknown.
func causesJSON(cs []measure.CauseCount) []wire.Cause {
	var out []wire.Cause
	for _, c := range cs {
		out = append(out, wire.Cause{Code: string(c.Code), Patients: c.Patients, Pending: c.Pending})
	}
	return out
}
