// Package wire is the JSON report of SPEC §4 as it travels: its field names, order and
// number forms, defined once. reports writes it and combine reads it (SPEC §7); the
// names are a contract with the people and scripts that read the report — the SPEC's
// are kept exactly and more fields are only ever added.
package wire

import (
	"strconv"

	"github.com/mipspi/mipspi/measure"
)

// Decimal prints x with at most places decimals and no trailing zeros ("0.7778", "1",
// "0"): the form of every rate and point figure mipspi writes.
func Decimal(x float64, places int) string {
	x = measure.Round(x, places)
	if x == 0 {
		x = 0 // no "-0"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// Dec4 and Dec2 are JSON numbers printed with at most 4 (rates) or 2 (points)
// decimals. They read back as any JSON number.
type (
	Dec4 float64
	Dec2 float64
)

func (n Dec4) MarshalJSON() ([]byte, error) { return []byte(Decimal(float64(n), 4)), nil }
func (n Dec2) MarshalJSON() ([]byte, error) { return []byte(Decimal(float64(n), 2)), nil }

// Report is the whole JSON report, its fields in the order written. Issues and Patients
// grow with the practice: the writer streams them row by row (reports/jsonstream.go),
// the reader skips or reads them one at a time.
type Report struct {
	MeasureID        string               `json:"measure_id"`
	PerformanceYear  int                  `json:"performance_year"`
	PerformanceStart string               `json:"performance_start"`
	PerformanceEnd   string               `json:"performance_end"`
	AsOf             string               `json:"as_of"`
	AsOfLocal        []LocalAsOf          `json:"as_of_local,omitempty"` // the as-of in each office zone (issue 17)
	Policy           string               `json:"policy"`
	Release          string               `json:"release"`
	NumeratorActions string               `json:"numerator_actions"`
	SeenStatuses     []string             `json:"seen_statuses"`
	Holidays         string               `json:"holidays"`
	HolidaysApplied  []Holiday            `json:"holidays_applied"`
	Closures         []string             `json:"closures"`
	TINFilter        string               `json:"tin_filter,omitempty"`
	NPIFilter        string               `json:"npi_filter,omitempty"`
	Version          string               `json:"version,omitempty"`
	Source           *measure.Fingerprint `json:"source,omitempty"`           // SPEC §7
	PseudonymKeyID   string               `json:"pseudonym_key_id,omitempty"` // SPEC §7
	Combined         *Combined            `json:"combined,omitempty"`         // SPEC §7
	Entities         []Entity             `json:"entities"`
	Issues           []Issue              `json:"issues"`
	Findings         []Finding            `json:"findings"`
	Statuses         []Status             `json:"statuses"`
	Counts           Counts               `json:"counts"`
	Trend            []TrendRow           `json:"trend,omitempty"` // trend.go (issue 17)
	Patients         []Patient            `json:"patients,omitempty"`
	APIEvidence      *Evidence            `json:"api_evidence,omitempty"`
}

// LocalAsOf is the as-of instant as the offices of one zone read it: its local
// date (the date R1 counts visits up to) and wall-clock time with the zone's offset.
type LocalAsOf struct {
	Zone string `json:"zone"`
	Date string `json:"date"`
	Time string `json:"time"`
}

// Holiday is an observed federal holiday the run applied (R3).
type Holiday struct {
	Date   string `json:"date"`
	Actual string `json:"actual"`
	Name   string `json:"name"`
}

// Entity is one row of "entities": an entity's figures (R2, R8, R9) and its headline
// (SPEC §5).
type Entity struct {
	Level                  string `json:"level"`
	TIN                    string `json:"tin"`
	PracticeName           string `json:"practice_name,omitempty"` // offices.name of the TIN (issue 17)
	NPI                    string `json:"npi,omitempty"`           // SPEC §4: absent on group rows
	Clinician              string `json:"clinician,omitempty"`
	Denominator            int    `json:"denominator"`
	Numerator              int    `json:"numerator"`
	Rate                   Dec4   `json:"rate"`
	Pending                int    `json:"pending"`
	Points                 Dec2   `json:"points"`
	NumeratorIfNotesLocked int    `json:"numerator_if_notes_locked"`
	SeenVisits             int    `json:"seen_visits"`
	TimelyVisits           int    `json:"timely_visits"`
	PendingVisits          int    `json:"pending_visits"`
	// The headline (SPEC §5): PI_PEA_1's points of the maximum, the best rate still
	// reachable (R9) and its points, what one more percentage point and the pending
	// visits are worth, and the category estimate when there is a registry block.
	PEAPoints           Dec2        `json:"pea_points"`
	PEAMaxPoints        Dec2        `json:"pea_max_points"`
	BestReachableRate   Dec4        `json:"best_reachable_rate"`
	BestReachablePoints Dec2        `json:"best_reachable_points"`
	NextPercentPoints   Dec2        `json:"pea_points_next_percent"`
	PendingPoints       Dec2        `json:"pea_points_pending"`
	PICategory          *PICategory `json:"pi_category,omitempty"`
	// Causes: the patients each cause keeps out of the numerator, most first
	// (measure.EntityResult.Causes); absent when not known (a combined row).
	Causes []Cause `json:"causes,omitempty"`
}

// Cause is how many of an entity's patients one cause keeps out of its numerator: the
// first reason (R10 order) of each patient's earliest visit that is not timely; Pending
// of them can still count.
type Cause struct {
	Code     string `json:"code"`
	Patients int    `json:"patients"`
	Pending  int    `json:"pending"`
}

// PICategory is the whole PI category estimate of SPEC §5.
type PICategory struct {
	EstimatedScore Dec2           `json:"estimated_score"`
	WeightedScore  Dec2           `json:"weighted_score"`
	Weight         Dec4           `json:"weight"`
	Bonus          Dec2           `json:"bonus"`
	Capped         bool           `json:"capped"`
	ZeroReasons    []ZeroReason   `json:"zero_reasons"`
	Measures       []MeasurePoint `json:"measures"`
	Unverified     []string       `json:"unverified"`
}

// ZeroReason is one gate that makes the PI category score 0 (SPEC §5).
type ZeroReason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// MeasurePoint is one PI measure's points in the category estimate (SPEC §5).
type MeasurePoint struct {
	MeasureID string `json:"measure_id"`
	Points    Dec2   `json:"points"`
	MaxPoints Dec2   `json:"max_points"`
	Basis     string `json:"basis"`
}

// Issue keeps every SPEC §4 key on every row; keys that do not apply to a
// data-quality row (no patient, no visit) are null rather than a misleading 0.
type Issue struct {
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

// Finding is one run-level finding (R10, R11).
type Finding struct {
	Code     string  `json:"code"`
	Severity string  `json:"severity"`
	TIN      string  `json:"tin,omitempty"`
	NPI      string  `json:"npi,omitempty"`
	Status   string  `json:"status,omitempty"`
	Count    int     `json:"count,omitempty"`
	Examples []int64 `json:"examples,omitempty"` // DANGLING_*: a few of the ids
	Message  string  `json:"message"`
}

// Status is one appointment status as found in the data (R1).
type Status struct {
	Status string `json:"status"`
	Count  int    `json:"count"`
	Seen   bool   `json:"seen"`
	Known  bool   `json:"known"`
}

// Counts is what the run read, for the audit trail.
type Counts struct {
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
	// InFilter: what the --tin / --npi filters keep (measure.Counts.InFilter); absent
	// without a filter.
	InFilter *FilterCounts `json:"in_filter,omitempty"`
}

// FilterCounts are the data counts of the entities a filtered report shows.
type FilterCounts struct {
	Patients      int `json:"patients"`
	SeenVisits    int `json:"seen_visits"`
	TimelyVisits  int `json:"timely_visits"`
	PendingVisits int `json:"pending_visits"`
}

// Patient is one row of the drill-down (present only when the run kept outcomes).
type Patient struct {
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

// Combined says how a combined report was added up and from what (SPEC §7).
type Combined struct {
	Name    string           `json:"name,omitempty"`
	Match   string           `json:"match"`
	Method  string           `json:"method"`
	Sources []CombinedSource `json:"sources"`
}

// CombinedSource is one report a combined report was made from (SPEC §7).
type CombinedSource struct {
	File     string               `json:"file"`
	Source   *measure.Fingerprint `json:"source,omitempty"`
	AsOf     string               `json:"as_of"`
	Version  string               `json:"version,omitempty"`
	Entities int                  `json:"entities"`
}

// TrendRow is one entity at one cutoff. Rows come entity by entity (in the order
// of "entities"), each in date order.
type TrendRow struct {
	Date        string `json:"date"`
	Level       string `json:"level"`
	TIN         string `json:"tin"`
	NPI         string `json:"npi,omitempty"`
	Numerator   int    `json:"numerator"`
	Denominator int    `json:"denominator"`
	Rate        *Dec4  `json:"rate"` // null before the entity's first patient (0 of 0): no rate, not 0
}

// Evidence is the "api_evidence" object of the JSON report.
type Evidence struct {
	File  string         `json:"file"`
	TINs  []EvidenceTIN  `json:"tins"`
	Chain *EvidenceChain `json:"chain,omitempty"`
}

// EvidenceTIN is one TIN's recorded API probes (SPEC §6).
type EvidenceTIN struct {
	TIN                string `json:"tin"`
	ObservedFrom       string `json:"observed_from"`
	ObservedTo         string `json:"observed_to"`
	Probes             int    `json:"probes"`
	Passing            int    `json:"passing"`
	Uptime             Dec4   `json:"uptime"`
	LongestGapSeconds  int64  `json:"longest_without_pass_seconds"`
	LongestGapFrom     string `json:"longest_without_pass_from"`
	LongestGapTo       string `json:"longest_without_pass_to"`
	FailedWhileEnabled int    `json:"failed_while_enabled"`
}

// EvidenceChain is the evidence store's own check and the head to keep (SPEC §6).
type EvidenceChain struct {
	Rows       int      `json:"rows"`
	Unchained  int      `json:"unchained"`
	HeadRow    int64    `json:"head_row"`
	HeadAt     string   `json:"head_at"`
	HeadSHA256 string   `json:"head_sha256"`
	Problems   int      `json:"problems"`
	Named      []string `json:"named"`
}
