package ehr

import "time"

// The row types below are the raw content of the seven relations of SPEC §3 as the
// writers (db init/load/generate, the demo, Synthea import) produce them. They are
// plain values, not bun models: the models stay private to this package.
//
// Nullable text columns use "" for NULL; nullable timestamps use the zero time.Time
// for NULL; BirthDate is "YYYY-MM-DD" or "" for NULL.

// OfficeRow is a row of offices.
type OfficeRow struct {
	ID       int64
	TIN      string
	Name     string
	Timezone string // IANA zone name
}

// ClinicianRow is a row of clinicians.
type ClinicianRow struct {
	ID           int64
	NPI          string
	FirstName    string
	LastName     string
	MIPSEligible bool
}

// PatientRow is a row of patients.
type PatientRow struct {
	ID        int64
	MRN       string
	FirstName string
	LastName  string
	BirthDate string // YYYY-MM-DD or "" for NULL
	Email     string // "" for NULL
}

// AppointmentRow is a row of appointments.
type AppointmentRow struct {
	ID          int64
	PatientID   int64
	OfficeID    int64
	ClinicianID int64
	ScheduledAt time.Time
	Status      string
}

// NoteRow is a row of clinical_notes.
type NoteRow struct {
	ID            int64
	AppointmentID int64
	SignedAt      time.Time // zero → NULL
	LockedAt      time.Time // zero → NULL
}

// InvitationRow is a row of portal_invitations.
type InvitationRow struct {
	ID        int64
	PatientID int64
	SentAt    time.Time
	Recipient string // "" → 'patient'
	Channel   string // "" → 'email'
}

// APIWindowRow is a row of api_windows.
type APIWindowRow struct {
	ID         int64
	TIN        string
	EnabledAt  time.Time
	DisabledAt time.Time // zero → NULL (open-ended)
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
