package ehr

import (
	"time"

	"github.com/uptrace/bun"
)

// The row types below are the bun models of the seven relations of SPEC §3 and the one
// description of them: their struct tags give the column names, the SQL types,
// NOT NULL and the defaults, and from them come `db init` (bun's CREATE TABLE, see
// schema.go), the bulk loader's column lists (bulk.go), the YAML fixture columns
// (fixture.go) and the columns the reader selects and validates (read.go, visits.go).
// See models.go for how the tags are read.
//
// Tags: type is the PostgreSQL type of SPEC §3 (SQLite gets TEXT for dates and
// timestamps, INTEGER for booleans and ids); notnull is SPEC's NOT NULL; nullzero
// writes the zero value as NULL, or as the default when there is one.
//
// Nullable text columns use "" for NULL; nullable timestamps use the zero time.Time
// for NULL; BirthDate is "YYYY-MM-DD" or "" for NULL.

// OfficeRow is a row of offices.
type OfficeRow struct {
	bun.BaseModel `bun:"table:offices"`
	ID            int64  `bun:"id,pk"`
	TIN           string `bun:"tin,type:text,notnull"`
	Name          string `bun:"name,type:text,notnull"`
	Timezone      string `bun:"timezone,type:text,notnull"` // IANA zone name
}

// ClinicianRow is a row of clinicians.
type ClinicianRow struct {
	bun.BaseModel `bun:"table:clinicians"`
	ID            int64  `bun:"id,pk"`
	NPI           string `bun:"npi,type:text,notnull"`
	FirstName     string `bun:"first_name,type:text,nullzero"`
	LastName      string `bun:"last_name,type:text,nullzero"`
	MIPSEligible  bool   `bun:"mips_eligible,type:boolean,notnull,default:TRUE"`
}

// PatientRow is a row of patients.
type PatientRow struct {
	bun.BaseModel `bun:"table:patients"`
	ID            int64  `bun:"id,pk"`
	MRN           string `bun:"mrn,type:text,nullzero"`
	FirstName     string `bun:"first_name,type:text,nullzero"`
	LastName      string `bun:"last_name,type:text,nullzero"`
	BirthDate     string `bun:"birth_date,type:date,nullzero"` // YYYY-MM-DD or "" for NULL
	Email         string `bun:"email,type:text,nullzero"`      // "" for NULL
}

// AppointmentRow is a row of appointments.
type AppointmentRow struct {
	bun.BaseModel `bun:"table:appointments"`
	ID            int64     `bun:"id,pk"`
	PatientID     int64     `bun:"patient_id,notnull"`
	OfficeID      int64     `bun:"office_id,notnull"`
	ClinicianID   int64     `bun:"clinician_id,notnull"`
	ScheduledAt   time.Time `bun:"scheduled_at,type:timestamptz,notnull"`
	Status        string    `bun:"status,type:text,notnull"`
}

// NoteRow is a row of clinical_notes.
type NoteRow struct {
	bun.BaseModel `bun:"table:clinical_notes"`
	ID            int64     `bun:"id,pk"`
	AppointmentID int64     `bun:"appointment_id,notnull"`
	SignedAt      time.Time `bun:"signed_at,type:timestamptz,nullzero"` // zero → NULL
	LockedAt      time.Time `bun:"locked_at,type:timestamptz,nullzero"` // zero → NULL
}

// InvitationRow is a row of portal_invitations.
type InvitationRow struct {
	bun.BaseModel `bun:"table:portal_invitations"`
	ID            int64     `bun:"id,pk"`
	PatientID     int64     `bun:"patient_id,notnull"`
	SentAt        time.Time `bun:"sent_at,type:timestamptz,notnull"`
	Recipient     string    `bun:"recipient,type:text,notnull,nullzero,default:'patient'"` // "" → 'patient'
	Channel       string    `bun:"channel,type:text,notnull,nullzero,default:'email'"`     // "" → 'email'
}

// APIWindowRow is a row of api_windows.
type APIWindowRow struct {
	bun.BaseModel `bun:"table:api_windows"`
	ID            int64     `bun:"id,pk"`
	TIN           string    `bun:"tin,type:text,notnull"`
	EnabledAt     time.Time `bun:"enabled_at,type:timestamptz,notnull"`
	DisabledAt    time.Time `bun:"disabled_at,type:timestamptz,nullzero"` // zero → NULL (open-ended)
}

// RowWriter receives rows in any order (the relations have no foreign keys; dangling
// ids are caught when reading). Implementations buffer and write in bulk.
type RowWriter interface {
	Office(OfficeRow) error
	Clinician(ClinicianRow) error
	Patient(PatientRow) error
	Appointment(AppointmentRow) error
	Note(NoteRow) error
	Invitation(InvitationRow) error
	APIWindow(APIWindowRow) error
}

// writeModel hands a model to the RowWriter method of its type.
func writeModel(w RowWriter, m any) error {
	switch r := m.(type) {
	case *OfficeRow:
		return w.Office(*r)
	case *ClinicianRow:
		return w.Clinician(*r)
	case *PatientRow:
		return w.Patient(*r)
	case *AppointmentRow:
		return w.Appointment(*r)
	case *NoteRow:
		return w.Note(*r)
	case *InvitationRow:
		return w.Invitation(*r)
	case *APIWindowRow:
		return w.APIWindow(*r)
	}
	panic("ehr: not a model of SPEC §3")
}
