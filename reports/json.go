package reports

// The JSON report of SPEC §4. Field names are a contract with the people and scripts that
// read it: the SPEC's names are kept exactly, more fields are only ever added. Structs fix
// the field order and slices keep the Result's order, so the same Result always gives
// byte-identical output (issue 7: identical across SQLite and PostgreSQL, which is why
// neither the generation time nor the database source is written here).

import (
	"fmt"
	"io"
	"iter"

	"github.com/mipspi/mipspi/measure"
)

type jsonReport struct {
	MeasureID        string        `json:"measure_id"`
	PerformanceYear  int           `json:"performance_year"`
	PerformanceStart string        `json:"performance_start"`
	PerformanceEnd   string        `json:"performance_end"`
	AsOf             string        `json:"as_of"`
	Policy           string        `json:"policy"`
	Release          string        `json:"release"`
	NumeratorActions string        `json:"numerator_actions"`
	SeenStatuses     []string      `json:"seen_statuses"`
	Holidays         string        `json:"holidays"`
	HolidaysApplied  []jsonHoliday `json:"holidays_applied"`
	Closures         []string      `json:"closures"`
	TINFilter        string        `json:"tin_filter,omitempty"`
	NPIFilter        string        `json:"npi_filter,omitempty"`
	Version          string        `json:"version,omitempty"`
	Entities         []jsonEntity  `json:"entities"`
	Issues           []jsonIssue   `json:"issues"`
	Findings         []jsonFinding `json:"findings"`
	Statuses         []jsonStatus  `json:"statuses"`
	Counts           jsonCounts    `json:"counts"`
	Patients         []jsonPatient `json:"patients,omitempty"`
}

type jsonHoliday struct {
	Date   string `json:"date"`
	Actual string `json:"actual"`
	Name   string `json:"name"`
}

type jsonEntity struct {
	Level                  string `json:"level"`
	TIN                    string `json:"tin"`
	NPI                    string `json:"npi,omitempty"` // SPEC §4: absent on group rows
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
		Entities:         make([]jsonEntity, 0, len(r.Entities)),
		Findings:         make([]jsonFinding, 0, len(r.Findings)),
		Statuses:         make([]jsonStatus, 0, len(r.Statuses)),
		Counts: jsonCounts{
			Patients: r.Counts.Patients, Appointments: r.Counts.Appointments,
			OutsidePeriod: r.Counts.OutsidePeriod, NotSeen: r.Counts.NotSeen,
			NotEligible: r.Counts.NotEligible, AfterAsOf: r.Counts.AfterAsOf, SeenVisits: r.Counts.SeenVisits,
			TimelyVisits: r.Counts.TimelyVisits, PendingVisits: r.Counts.PendingVisits,
			PatientsInNumerator: r.Counts.PatientsInNumerator,
		},
	}
	for _, h := range ci.Applied {
		rep.HolidaysApplied = append(rep.HolidaysApplied, jsonHoliday{Date: h.Observed.String(), Actual: h.Actual.String(), Name: h.Name})
	}
	for _, d := range ci.Closures {
		rep.Closures = append(rep.Closures, d.String())
	}
	for _, e := range r.Entities {
		rep.Entities = append(rep.Entities, jsonEntity{
			Level: string(e.Level), TIN: e.TIN, NPI: e.NPI, Clinician: e.Clinician,
			Denominator: e.Denominator, Numerator: e.Numerator, Rate: num4(e.Rate), Pending: e.Pending,
			Points: num2(e.Points), NumeratorIfNotesLocked: e.NumeratorIfNotesLocked,
			SeenVisits: e.SeenVisits, TimelyVisits: e.TimelyVisits, PendingVisits: e.PendingVisits,
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
	for _, p := range r.Outcomes {
		if _, err := outcomeEntity(r, p); err != nil {
			return fmt.Errorf("write JSON report: %w", err)
		}
	}
	// Issues and the drill-down grow with the practice (millions of rows for a health
	// system): they are encoded one row at a time into a buffered writer instead of
	// building the whole document in memory. The bytes are the same as
	// json.Encoder.SetIndent("", "  ") on the whole report (golden tests).
	nextIssue, stop := iter.Pull(r.AllIssues()) // encodeIndented asks for rows in order
	defer stop()
	streams := map[string]jsonStream{
		"issues": {n: r.IssueCount(), appendElem: func(dst []byte, _ int, prefix string) []byte {
			is, _ := nextIssue()
			j := issueJSON(is)
			return appendIssueJSON(dst, &j, prefix)
		}},
		"patients": {n: len(r.Outcomes), elem: func(i int) any {
			p := r.Outcomes[i]
			e := r.Entities[p.Entity] // checked above
			return jsonPatient{
				Level: string(e.Level), TIN: e.TIN, NPI: e.NPI, PatientID: p.PatientID, MRN: p.MRN,
				FirstName: p.FirstName, LastName: p.LastName, BirthDate: optDate(p.BirthDate, p.HasBirthDate),
				InNumerator: p.InNumerator, Pending: p.Pending, Reason: string(p.Reason),
				SeenVisits: p.SeenVisits, TimelyVisits: p.TimelyVisits,
				FirstVisit: p.FirstVisit.String(), LastVisit: p.LastVisit.String(),
			}
		}},
	}
	if err := encodeIndented(w, &rep, streams); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
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
