package measure

import (
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// MeasureID is the CMS identifier of the measure this package computes.
const MeasureID = "PI_PEA_1"

// Office is a practice location. Its TIN decides attribution (R2) and its zone decides
// every local date (R1, R3).
type Office struct {
	ID   int64
	TIN  string
	Name string
	Zone *time.Location
}

// Clinician is a rendering clinician. Only MIPS-eligible clinicians' visits count (R1).
type Clinician struct {
	ID        int64
	NPI       string
	FirstName string
	LastName  string
	Eligible  bool
}

// DisplayName is "Last, First" (or whichever part is present).
func (c Clinician) DisplayName() string {
	switch {
	case c.LastName != "" && c.FirstName != "":
		return c.LastName + ", " + c.FirstName
	case c.LastName != "":
		return c.LastName
	default:
		return c.FirstName
	}
}

// Patient is one patient. BirthDate is meaningful only when HasBirthDate is true.
type Patient struct {
	ID           int64
	MRN          string
	FirstName    string
	LastName     string
	BirthDate    calendar.Date
	HasBirthDate bool
	Email        string // "" when the EHR has none
}

// Invitation is a portal invitation (R5): any recipient, any channel.
type Invitation struct {
	ID        int64
	SentAt    time.Time // UTC
	Recipient string    // patient | representative | ...
	Channel   string    // email | printed | sms | ...
}

// Notes summarises the clinical notes of one appointment (R4). The database layer hands
// each note to Add (release.go), which keeps the count and the earliest times, so that
// the engine never needs every note; a later addendum never moves FirstLocked.
type Notes struct {
	Count       int       // number of notes on the appointment; 0 = NOTE_MISSING
	FirstSigned time.Time // earliest signed_at; zero when no note is signed
	FirstLocked time.Time // earliest locked_at; zero when no note is locked
}

// Visit is one appointment with its note summary.
type Visit struct {
	ID          int64 // appointment id
	OfficeID    int64
	ClinicianID int64
	ScheduledAt time.Time // UTC instant
	Status      string    // as stored; matched case-insensitively and trimmed (R1)
	Notes       Notes
}

// PatientRecord is everything the engine needs about one patient: the patient, their
// first portal invitation (R5, chosen by EarliestInvitation; nil when never invited) and
// all of their appointments
// in the period (any status; the engine applies R1). The database layer streams one
// record per patient.
type PatientRecord struct {
	Patient         Patient
	FirstInvitation *Invitation
	Visits          []Visit
}

// APIWindow is an interval during which the patient API is enabled for a TIN (R6):
// Enabled ≤ t < Disabled, open-ended when Disabled is zero.
type APIWindow struct {
	ID       int64
	TIN      string
	Enabled  time.Time
	Disabled time.Time
}

// Practice is the reference data loaded before patients are streamed.
type Practice struct {
	Offices    []Office
	Clinicians []Clinician
	APIWindows []APIWindow
	// Statuses is the EHR's own list of appointment status codes when it keeps one
	// (OpenEMR's apptstat list, SPEC §8); nil for the section 3 relations, whose
	// statuses are words.
	Statuses []StatusCode
}

// StatusCode is one entry of an EHR's list of appointment statuses (SPEC §8): the code
// as stored in the appointment, its title in the EHR's list, and whether the EHR's stock
// list defines it as not seen (R1: a recognised status, never UNKNOWN_STATUS).
type StatusCode struct {
	Code    string
	Title   string
	NotSeen bool
}
