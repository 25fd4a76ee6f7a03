package measure

import (
	"iter"

	"github.com/mipspi/mipspi/calendar"
)

// Level says whether an entity is one clinician under a TIN or the whole TIN (R2).
type Level string

const (
	Individual Level = "individual" // TIN + NPI
	Group      Level = "group"      // TIN, patients de-duplicated across its clinicians
	// APMEntity is a row only `mipspi combine` makes (SPEC §7): every TIN of an APM
	// Entity added together; its TIN and NPI are "" and Clinician holds the entity's name.
	APMEntity Level = "apm_entity"
)

// Entity identifies a reporting entity (R2).
type Entity struct {
	Level     Level
	TIN       string
	NPI       string // "" for a group
	Clinician string // display name, "" for a group
	// PracticeName is the name of the TIN's offices (offices.name; several distinct
	// names joined by " / "), so that people know a group by more than its TIN.
	PracticeName string
}

// EntityResult is one entity's figures.
type EntityResult struct {
	Entity
	Denominator int     // unique patients with a seen visit attributed to the entity (R1, R2)
	Numerator   int     // patients given timely access under the policy (R7, R8)
	Pending     int     // out now, in if every pending visit is made timely by its fix-by date (R9)
	Rate        float64 // Numerator/Denominator rounded to 4 decimals; 0 when Denominator is 0
	Points      float64 // estimated PI points: exact rate × 40 (≤2022) or × 25 (≥2023), rounded to 2 decimals
	// NumeratorIfNotesLocked is the numerator the entity would have if every pending
	// visit's note were locked (released) at the as-of instant, invitations and the API
	// as they are: the what-if of the clinicians' worklist.
	NumeratorIfNotesLocked int
	SeenVisits             int // seen visits attributed to the entity
	TimelyVisits           int
	PendingVisits          int
}

// Code names an issue or finding (R10, R11).
type Code string

const (
	// Reasons a seen visit is not timely (severity error).
	NoteMissing       Code = "NOTE_MISSING"
	NoteUnsigned      Code = "NOTE_UNSIGNED"
	NoteNotLocked     Code = "NOTE_NOT_LOCKED"
	NoteLockedLate    Code = "NOTE_LOCKED_LATE"
	NoteSignedLate    Code = "NOTE_SIGNED_LATE" // release: sign
	NotInvited        Code = "NOT_INVITED"
	InvitedLate       Code = "INVITED_LATE"
	APINotEnabled     Code = "API_NOT_ENABLED"
	AccessAfterPeriod Code = "ACCESS_AFTER_PERIOD"

	// Data-quality warnings: they never change a figure.
	LockBeforeVisit          Code = "LOCK_BEFORE_VISIT"
	UnknownStatus            Code = "UNKNOWN_STATUS"
	InvalidNPI               Code = "INVALID_NPI"
	InvalidTIN               Code = "INVALID_TIN"
	InvalidEmail             Code = "INVALID_EMAIL"
	PossibleDuplicatePatient Code = "POSSIBLE_DUPLICATE_PATIENT"

	// Run-level findings.
	APINeverEnabled    Code = "API_NEVER_ENABLED"   // one per TIN, instead of a row per visit (R10)
	VisitAfterAsOf     Code = "VISIT_AFTER_AS_OF"   // seen visits on a later local date than the as-of date (R1)
	DanglingNote       Code = "DANGLING_NOTE"       // notes of an unknown appointment (R10)
	DanglingInvitation Code = "DANGLING_INVITATION" // invitations of an unknown patient (R10)
	PeriodTooShort     Code = "PERIOD_TOO_SHORT"    // R11

	// Findings of an EHR source (SPEC §8, OpenEMR): warnings that change no figure.
	RecurringAppointment   Code = "RECURRING_APPOINTMENT"    // recurring series with a seen status over the period: never a visit
	AmbiguousEncounter     Code = "AMBIGUOUS_ENCOUNTER"      // several encounters could be the visit's: none is linked
	InvitationDatesSuspect Code = "INVITATION_DATES_SUSPECT" // many portal credentials share one creation instant
	NumeratorZero          Code = "NUMERATOR_ZERO"           // R11: the PI category would score 0
)

// Severity of an issue or finding.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Issue is one itemised row (R10). Visit-level rows carry the appointment; data-quality
// rows about a clinician, office or patient leave the fields that do not apply zero.
type Issue struct {
	Code          Code
	Severity      Severity
	TIN           string
	NPI           string
	Clinician     string // display name
	PatientID     int64
	MRN           string
	AppointmentID int64
	VisitDate     calendar.Date // zero Date with AppointmentID 0 means "not about a visit"
	Deadline      calendar.Date // R3
	// FixBy is the last local date on which the missing action can still make the visit
	// timely: Deadline capped at the period end, or Dec 31 with numerator_actions:
	// calendar-year (R9). Zero on rows not about a visit.
	FixBy calendar.Date
	// EventDate is the local date of the late event (lock, sign, invitation, access)
	// when HasEvent; BusinessDays is how many business days after the deadline it fell
	// (late rows, never 0: R9), or business days left until the fix-by date (fixable
	// rows, ≥ 0), or business days the fix-by date has passed by as of the report
	// (missing events; 0 when the visit failed for another reason before that date).
	EventDate    calendar.Date
	HasEvent     bool
	BusinessDays int
	Fixable      bool // the visit is pending (R9): it can still be made timely
	// CountsIfLocked is set on note rows when locking the note at the as-of instant
	// would make the visit timely with the invitation and API as they are.
	CountsIfLocked bool
	HasEmail       bool   // NOT_INVITED: whether the patient has a usable email
	Recipient      string // INVITED_LATE: recipient of the first invitation
	Channel        string // INVITED_LATE: channel of the first invitation
	Text           string // detail for data-quality rows (e.g. the bad value)
	// Bound is, on ACCESS_AFTER_PERIOD rows, the last local date numerator actions may
	// happen (R7): the period's end, or Dec 31 when CalendarYear (numerator_actions:
	// calendar-year).
	Bound        calendar.Date
	CalendarYear bool
}

// Finding is a run-level result (R10's API never enabled, unknown statuses, R11).
type Finding struct {
	Code     Code
	Severity Severity
	TIN      string  // when the finding is about one TIN
	NPI      string  // when it is about one clinician
	Status   string  // UNKNOWN_STATUS: the status as stored
	Count    int     // UNKNOWN_STATUS, VISIT_AFTER_AS_OF, DANGLING_*: how many rows
	Examples []int64 // DANGLING_*: a few of the ids
	Message  string  // a sentence for people
}

// Outcome is one patient's standing in one entity (the drill-down).
type Outcome struct {
	Entity       int // index into Result.Entities
	PatientID    int64
	MRN          string
	FirstName    string
	LastName     string
	BirthDate    calendar.Date
	HasBirthDate bool
	InNumerator  bool
	Pending      bool // counted in the entity's Pending (R9)
	Reason       Code // first reason of the first failing visit; "" when in the numerator
	SeenVisits   int
	TimelyVisits int
	FirstVisit   calendar.Date
	LastVisit    calendar.Date
	// PatientKey is a keyed pseudonym of the person (names and birth date), set by
	// reports.Deidentify, so that `mipspi combine --match patients` can count the same
	// patient in two reports once (SPEC §7). "" unless pseudonymised.
	PatientKey string
}

// StatusCount is one appointment status as found in the data.
type StatusCount struct {
	Status string // as stored (first spelling met)
	Count  int
	Seen   bool // in the seen set (R1)
	Known  bool // seen, or a recognised not-seen status such as Cancelled or No Show
}

// Counts describes the data a run read, for the audit trail.
type Counts struct {
	Patients            int // patient records streamed
	Appointments        int // appointments streamed (any status)
	OutsidePeriod       int // local date outside the period (read because of zone margins)
	NotSeen             int // status not in the seen set
	NotEligible         int // clinician not MIPS eligible
	AfterAsOf           int // seen status, but on a later local date than the as-of date (R1): not counted
	SeenVisits          int // counted visits (R1)
	TimelyVisits        int
	PendingVisits       int
	PatientsInNumerator int // sum over individual entities
}

// Result is a whole evaluation.
type Result struct {
	MeasureID       string
	Config          Config // effective configuration (defaults filled)
	PerformanceYear int
	Entities        []EntityResult // sorted: by TIN, individual rows by NPI, then the group row
	Findings        []Finding
	Statuses        []StatusCount // sorted by count descending, then status
	Counts          Counts
	Calendar        *calendar.Calendar // the business calendar applied
	// ReleaseLag is the histogram of how long information took to be released (R4)
	// over the seen visits of reported entities: ReleaseLag[i] counts the visits
	// released i business days after the visit's local date V (R3's counting, V itself
	// never counts), the last bucket ReleaseLagBuckets-1 or more. A release on a
	// non-business day counts as the next business day, so a bucket ≤ 4 is exactly a
	// release on or before the R3 deadline; a release before V counts as 0. Releases
	// after the as-of instant have not happened (R9). Nil for results made by hand.
	ReleaseLag []int
	Unreleased int // seen visits of reported entities with no release as of the as-of instant
	// Trend is each entity's period-to-date rate at the end of each month up to the
	// as-of date (trend.go); nil for results made by hand.
	Trend *Trend
	// Zones are the IANA names of the time zones of the offices where the reported
	// entities have counted visits, sorted: the zones in which people read the report's
	// dates (the as-of instant is shown as a local time in each). Nil for results made
	// by hand.
	Zones []string

	// Issues are the itemised rows (R10): in stream order (patient, then visit), then
	// the data-quality rows about TINs and clinicians. Nil for a result with none.
	Issues Rows[Issue]
	// Outcomes are the drill-down (Config.KeepPatients): one per patient and entity, in
	// stream order. Nil when it was not kept.
	Outcomes Rows[Outcome]
}

// IssueCount is the number of issue rows.
func (r *Result) IssueCount() int { return orNone(r.Issues).Len() }

// AllIssues yields the issue rows (Issues; none when nil).
func (r *Result) AllIssues() iter.Seq2[Issue, error] { return orNone(r.Issues).All() }

// OutcomeCount is the number of drill-down rows (0 unless Config.KeepPatients).
func (r *Result) OutcomeCount() int { return orNone(r.Outcomes).Len() }

// AllOutcomes yields the drill-down (Outcomes; none when nil).
func (r *Result) AllOutcomes() iter.Seq2[Outcome, error] { return orNone(r.Outcomes).All() }
