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
)

type jsonReport struct {
	MeasureID        string               `json:"measure_id"`
	PerformanceYear  int                  `json:"performance_year"`
	PerformanceStart string               `json:"performance_start"`
	PerformanceEnd   string               `json:"performance_end"`
	AsOf             string               `json:"as_of"`
	AsOfLocal        []jsonLocalAsOf      `json:"as_of_local,omitempty"` // the as-of in each office zone (issue 17)
	Policy           string               `json:"policy"`
	Release          string               `json:"release"`
	NumeratorActions string               `json:"numerator_actions"`
	SeenStatuses     []string             `json:"seen_statuses"`
	Holidays         string               `json:"holidays"`
	HolidaysApplied  []jsonHoliday        `json:"holidays_applied"`
	Closures         []string             `json:"closures"`
	TINFilter        string               `json:"tin_filter,omitempty"`
	NPIFilter        string               `json:"npi_filter,omitempty"`
	Version          string               `json:"version,omitempty"`
	Source           *measure.Fingerprint `json:"source,omitempty"`           // SPEC §7
	PseudonymKeyID   string               `json:"pseudonym_key_id,omitempty"` // SPEC §7
	Combined         *jsonCombined        `json:"combined,omitempty"`         // SPEC §7
	Entities         []jsonEntity         `json:"entities"`
	Issues           []jsonIssue          `json:"issues"`
	Findings         []jsonFinding        `json:"findings"`
	Statuses         []jsonStatus         `json:"statuses"`
	Counts           jsonCounts           `json:"counts"`
	Trend            []jsonTrendRow       `json:"trend,omitempty"` // trend.go (issue 17)
	Patients         []jsonPatient        `json:"patients,omitempty"`
	APIEvidence      *jsonEvidence        `json:"api_evidence,omitempty"`
}

// jsonLocalAsOf is the as-of instant as the offices of one zone read it: its local
// date (the date R1 counts visits up to) and wall-clock time with the zone's offset.
type jsonLocalAsOf struct {
	Zone string `json:"zone"`
	Date string `json:"date"`
	Time string `json:"time"`
}

func jsonAsOfLocal(r *measure.Result, t time.Time) []jsonLocalAsOf {
	var out []jsonLocalAsOf
	for _, z := range zonesOf(r) {
		lt := t.In(z)
		out = append(out, jsonLocalAsOf{Zone: z.String(), Date: lt.Format("2006-01-02"), Time: lt.Format(time.RFC3339)})
	}
	return out
}

type jsonHoliday struct {
	Date   string `json:"date"`
	Actual string `json:"actual"`
	Name   string `json:"name"`
}

type jsonEntity struct {
	Level                  string `json:"level"`
	TIN                    string `json:"tin"`
	PracticeName           string `json:"practice_name,omitempty"` // offices.name of the TIN (issue 17)
	NPI                    string `json:"npi,omitempty"`           // SPEC §4: absent on group rows
	Clinician              string `json:"clinician,omitempty"`
	Denominator            int    `json:"denominator"`
	Numerator              int    `json:"numerator"`
	Rate                   num4   `json:"rate"`
	Pending                int    `json:"pending"`
	Points                 num2   `json:"points"`
	NumeratorIfNotesLocked int    `json:"numerator_if_notes_locked"`
	SeenVisits             int    `json:"seen_visits"`
	TimelyVisits           int    `json:"timely_visits"`
	PendingVisits          int    `json:"pending_visits"`
	// The headline (SPEC §5): PI_PEA_1's points of the maximum, the best rate still
	// reachable (R9) and its points, what one more percentage point and the pending
	// visits are worth, and the category estimate when there is a registry block.
	PEAPoints           num2            `json:"pea_points"`
	PEAMaxPoints        num2            `json:"pea_max_points"`
	BestReachableRate   num4            `json:"best_reachable_rate"`
	BestReachablePoints num2            `json:"best_reachable_points"`
	NextPercentPoints   num2            `json:"pea_points_next_percent"`
	PendingPoints       num2            `json:"pea_points_pending"`
	PICategory          *jsonPICategory `json:"pi_category,omitempty"`
}

// jsonPICategory is the whole PI category estimate of SPEC §5.
type jsonPICategory struct {
	EstimatedScore num2               `json:"estimated_score"`
	WeightedScore  num2               `json:"weighted_score"`
	Weight         num4               `json:"weight"`
	Bonus          num2               `json:"bonus"`
	Capped         bool               `json:"capped"`
	ZeroReasons    []jsonZeroReason   `json:"zero_reasons"`
	Measures       []jsonMeasurePoint `json:"measures"`
	Unverified     []string           `json:"unverified"`
}

type jsonZeroReason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type jsonMeasurePoint struct {
	MeasureID string `json:"measure_id"`
	Points    num2   `json:"points"`
	MaxPoints num2   `json:"max_points"`
	Basis     string `json:"basis"`
}

// jsonIssue keeps every SPEC §4 key on every row; keys that do not apply to a
// data-quality row (no patient, no visit) are null rather than a misleading 0.
type jsonIssue struct {
	Code           string  `json:"code"`
	Severity       string  `json:"severity"`
	TIN            string  `json:"tin"`
	NPI            string  `json:"npi"`
	Clinician      string  `json:"clinician,omitempty"`
	PatientID      *int64  `json:"patient_id"`
	MRN            string  `json:"mrn,omitempty"`
	AppointmentID  *int64  `json:"appointment_id"`
	VisitDate      *string `json:"visit_date"`
	Deadline       *string `json:"deadline"`
	FixBy          string  `json:"fix_by,omitempty"`
	Fixable        bool    `json:"fixable"`
	Detail         string  `json:"detail"`
	EventDate      string  `json:"event_date,omitempty"`
	BusinessDays   *int    `json:"business_days,omitempty"`
	CountsIfLocked bool    `json:"counts_if_locked"`
	HasEmail       *bool   `json:"has_email,omitempty"`
	Recipient      string  `json:"recipient,omitempty"`
	Channel        string  `json:"channel,omitempty"`
	Text           string  `json:"text,omitempty"`
}

type jsonFinding struct {
	Code     string  `json:"code"`
	Severity string  `json:"severity"`
	TIN      string  `json:"tin,omitempty"`
	NPI      string  `json:"npi,omitempty"`
	Status   string  `json:"status,omitempty"`
	Count    int     `json:"count,omitempty"`
	Examples []int64 `json:"examples,omitempty"` // DANGLING_*: a few of the ids
	Message  string  `json:"message"`
}

type jsonStatus struct {
	Status string `json:"status"`
	Count  int    `json:"count"`
	Seen   bool   `json:"seen"`
	Known  bool   `json:"known"`
}

type jsonCounts struct {
	Patients            int `json:"patients"`
	Appointments        int `json:"appointments"`
	OutsidePeriod       int `json:"outside_period"`
	NotSeen             int `json:"not_seen"`
	NotEligible         int `json:"not_eligible"`
	AfterAsOf           int `json:"after_as_of"`
	SeenVisits          int `json:"seen_visits"`
	TimelyVisits        int `json:"timely_visits"`
	PendingVisits       int `json:"pending_visits"`
	PatientsInNumerator int `json:"patients_in_numerator"`
}

// jsonPatient is one row of the drill-down (present only when the run kept outcomes).
type jsonPatient struct {
	Level        string `json:"level"`
	TIN          string `json:"tin"`
	NPI          string `json:"npi,omitempty"`
	PatientID    int64  `json:"patient_id"`
	MRN          string `json:"mrn,omitempty"`
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
	BirthDate    string `json:"birth_date,omitempty"`
	InNumerator  bool   `json:"in_numerator"`
	Pending      bool   `json:"pending"`
	Reason       string `json:"reason,omitempty"`
	SeenVisits   int    `json:"seen_visits"`
	TimelyVisits int    `json:"timely_visits"`
	FirstVisit   string `json:"first_visit"`
	LastVisit    string `json:"last_visit"`
	PatientKey   string `json:"patient_key,omitempty"` // SPEC §7: pseudonymised reports only
}

// jsonCombined says how a combined report was added up and from what (SPEC §7).
type jsonCombined struct {
	Name    string               `json:"name,omitempty"`
	Match   string               `json:"match"`
	Method  string               `json:"method"`
	Sources []jsonCombinedSource `json:"sources"`
}

type jsonCombinedSource struct {
	File     string               `json:"file"`
	Source   *measure.Fingerprint `json:"source,omitempty"`
	AsOf     string               `json:"as_of"`
	Version  string               `json:"version,omitempty"`
	Entities int                  `json:"entities"`
}

func combinedJSON(c *Combined) *jsonCombined {
	if c == nil {
		return nil
	}
	j := &jsonCombined{Name: c.Name, Match: c.Match, Method: c.Method, Sources: make([]jsonCombinedSource, 0, len(c.Sources))}
	for _, s := range c.Sources {
		j.Sources = append(j.Sources, jsonCombinedSource{File: s.File, Source: s.Source, AsOf: s.AsOf, Version: s.Version, Entities: s.Entities})
	}
	return j
}

// JSON writes the report of SPEC §4 with 2-space indent and a trailing newline.
func JSON(w io.Writer, r *measure.Result, o Options) error {
	if r == nil {
		return fmt.Errorf("write JSON report: no result")
	}
	c := cfg(r)
	ci := calendarOf(r)
	rep := jsonReport{
		MeasureID:        measureID(r),
		PerformanceYear:  r.PerformanceYear,
		PerformanceStart: c.Start.String(),
		PerformanceEnd:   c.End.String(),
		AsOf:             instant(c.AsOf),
		AsOfLocal:        jsonAsOfLocal(r, c.AsOf),
		Policy:           string(c.Policy),
		Release:          string(c.Release),
		NumeratorActions: string(c.NumeratorActions),
		SeenStatuses:     append([]string{}, c.SeenStatuses...),
		Holidays:         ci.Holidays,
		HolidaysApplied:  []jsonHoliday{},
		Closures:         []string{},
		TINFilter:        c.TIN,
		NPIFilter:        c.NPI,
		Version:          o.Version,
		Source:           o.Fingerprint,
		PseudonymKeyID:   o.PseudonymKeyID,
		Combined:         combinedJSON(o.Combined),
		Entities:         make([]jsonEntity, 0, len(r.Entities)),
		Findings:         make([]jsonFinding, 0, len(r.Findings)),
		Statuses:         make([]jsonStatus, 0, len(r.Statuses)),
		APIEvidence:      jsonEvidenceOf(o.Evidence),
		Counts: jsonCounts{
			Patients: r.Counts.Patients, Appointments: r.Counts.Appointments,
			OutsidePeriod: r.Counts.OutsidePeriod, NotSeen: r.Counts.NotSeen,
			NotEligible: r.Counts.NotEligible, AfterAsOf: r.Counts.AfterAsOf, SeenVisits: r.Counts.SeenVisits,
			TimelyVisits: r.Counts.TimelyVisits, PendingVisits: r.Counts.PendingVisits,
			PatientsInNumerator: r.Counts.PatientsInNumerator,
		},
	}
	rep.Trend = jsonTrend(r)
	for _, h := range ci.Applied {
		rep.HolidaysApplied = append(rep.HolidaysApplied, jsonHoliday{Date: h.Observed.String(), Actual: h.Actual.String(), Name: h.Name})
	}
	for _, d := range ci.Closures {
		rep.Closures = append(rep.Closures, d.String())
	}
	for _, h := range headlines(r, o) {
		e := h.Entity
		rep.Entities = append(rep.Entities, jsonEntity{
			Level: string(e.Level), TIN: e.TIN, PracticeName: e.PracticeName, NPI: e.NPI, Clinician: e.Clinician,
			Denominator: e.Denominator, Numerator: e.Numerator, Rate: num4(e.Rate), Pending: e.Pending,
			Points: num2(e.Points), NumeratorIfNotesLocked: e.NumeratorIfNotesLocked,
			SeenVisits: e.SeenVisits, TimelyVisits: e.TimelyVisits, PendingVisits: e.PendingVisits,
			PEAPoints: num2(h.PEA.Points), PEAMaxPoints: num2(h.PEA.MaxPoints),
			BestReachableRate: num4(h.PEA.BestReachableRate), BestReachablePoints: num2(h.PEA.BestReachablePoints),
			NextPercentPoints: num2(h.PEA.NextPercentGain), PendingPoints: num2(h.PEA.PendingGain),
			PICategory: piCategoryJSON(h.Est),
		})
	}
	for _, f := range r.Findings {
		rep.Findings = append(rep.Findings, jsonFinding{
			Code: string(f.Code), Severity: string(f.Severity), TIN: f.TIN, NPI: f.NPI,
			Status: f.Status, Count: f.Count, Examples: f.Examples, Message: f.Message,
		})
	}
	for _, s := range r.Statuses {
		rep.Statuses = append(rep.Statuses, jsonStatus{Status: s.Status, Count: s.Count, Seen: s.Seen, Known: s.Known})
	}
	for p, err := range r.AllOutcomes() {
		if err == nil {
			_, err = outcomeEntity(r, p)
		}
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
	nextOutcome, stopOutcomes := iter.Pull2(r.AllOutcomes())
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
			e := r.Entities[p.Entity] // checked above
			return jsonPatient{
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

func piCategoryJSON(est *category.Estimate) *jsonPICategory {
	if est == nil {
		return nil
	}
	j := &jsonPICategory{
		EstimatedScore: num2(est.Score), WeightedScore: num2(est.Weighted), Weight: num4(est.Weight),
		Bonus: num2(est.Bonus), Capped: est.Capped,
		ZeroReasons: []jsonZeroReason{}, Measures: []jsonMeasurePoint{}, Unverified: []string{},
	}
	for _, z := range est.ZeroReasons {
		j.ZeroReasons = append(j.ZeroReasons, jsonZeroReason{Code: z.Code, Message: z.Message})
	}
	for _, m := range est.Measures {
		j.Measures = append(j.Measures, jsonMeasurePoint{MeasureID: m.ID, Points: num2(m.Points), MaxPoints: num2(m.MaxPoints), Basis: string(m.Basis)})
	}
	j.Unverified = append(j.Unverified, est.Unverified...)
	return j
}

func issueJSON(is measure.Issue) jsonIssue {
	j := jsonIssue{
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
		if is.FixBy != 0 {
			j.FixBy = is.FixBy.String()
		}
		j.BusinessDays = &is.BusinessDays
	}
	if is.Code == measure.NotInvited {
		j.HasEmail = &is.HasEmail
	}
	return j
}

// outcomeEntity resolves an outcome's entity index, refusing a dangling one.
func outcomeEntity(r *measure.Result, p measure.Outcome) (measure.EntityResult, error) {
	if p.Entity < 0 || p.Entity >= len(r.Entities) {
		return measure.EntityResult{}, fmt.Errorf("patient %d: entity index %d out of range (%d entities)", p.PatientID, p.Entity, len(r.Entities))
	}
	return r.Entities[p.Entity], nil
}
