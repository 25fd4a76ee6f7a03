package ehr

// Writing OpenEMR's own tables, the way OpenEMR stores them (SPEC §8), for `db generate
// --ehr openemr` and the tests: never on a production EHR. The schema is OpenEMR's own
// (its installer, or the pinned sql/database.sql); this writer only adds rows, buffered
// per table and sent as multi-row INSERTs inside one transaction. Local times are
// written as OpenEMR writes them: wall-clock text of the installation's zone.

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// OEFacility is a facility row.
type OEFacility struct {
	ID         int64
	Name       string
	FederalEIN string
}

// OEUser is a users row.
type OEUser struct {
	ID                          int64
	Username, FName, LName, NPI string
}

// OEPatient is a patient_data row; DOB "" is NULL.
type OEPatient struct {
	PID                              int64
	PubPID, FName, LName, DOB, Email string
}

// OEEvent is an openemr_postcalendar_events row. PID and AID are text, as OpenEMR keeps
// them; EventDate, EndDate ("" NULL) and StartTime ("" NULL) are local.
type OEEvent struct {
	EID                       int64
	CatID                     int
	PID, AID, Title           string
	EventDate, EndDate        string
	StartTime                 string
	Status                    string // apptstat option id
	Facility, BillingLocation int64
	RecurrType                int    // 0 a single appointment; 1 or 2 a series
	RecurrSpec                string // the series' rule, as OpenEMR serialises it
}

// OETracker is a patient_tracker row; ApptDate and ApptTime are local.
type OETracker struct {
	ID, EID, PID, Encounter  int64
	Date, ApptDate, ApptTime string
}

// OEEncounter is a form_encounter row; Date is local.
type OEEncounter struct {
	ID, Encounter, PID                      int64
	Date, Reason                            string
	ProviderID, FacilityID, BillingFacility int64
}

// OEForm is a forms row; Date is local.
type OEForm struct {
	ID, Encounter, PID, FormID int64
	Date, FormName, FormDir    string
	User                       string
	Deleted                    bool
}

// OESignature is an esign_signatures row: Table "forms" (TID a forms.id) or
// "form_encounter" (TID an encounter number); DateTime is local.
type OESignature struct {
	ID, TID, UID int64
	Table        string
	DateTime     string
	IsLock       bool
}

// OECredentials is a patient_access_onsite row; DateCreated is local.
type OECredentials struct {
	ID, PID               int64
	Username, DateCreated string
}

// OEGlobal is a globals row.
type OEGlobal struct {
	Name  string
	Index int
	Value string
}

// OEOption is a list_options row.
type OEOption struct {
	ListID, OptionID, Title string
	Seq                     int
}

// oeTables are the tables the writer fills, with the columns it writes.
var oeTables = []struct {
	name string
	cols []string
}{
	{"facility", []string{"id", "name", "federal_ein", "service_location", "billing_location"}},
	{"users", []string{"id", "username", "fname", "lname", "npi", "authorized", "active"}},
	{"patient_data", []string{"pid", "pubpid", "fname", "lname", "DOB", "email"}},
	{"openemr_postcalendar_events", []string{"pc_eid", "pc_catid", "pc_multiple", "pc_aid", "pc_pid", "pc_title", "pc_eventDate",
		"pc_endDate", "pc_startTime", "pc_apptstatus", "pc_facility", "pc_billing_location", "pc_recurrtype", "pc_recurrspec", "pc_duration"}},
	{"patient_tracker", []string{"id", "date", "apptdate", "appttime", "eid", "pid", "encounter"}},
	{"form_encounter", []string{"id", "date", "reason", "facility_id", "pid", "encounter", "provider_id", "billing_facility"}},
	{"forms", []string{"id", "date", "encounter", "form_name", "form_id", "pid", "user", "formdir", "deleted", "authorized"}},
	{"esign_signatures", []string{"id", "tid", "`table`", "uid", "datetime", "is_lock", "hash", "signature_hash"}},
	{"patient_access_onsite", []string{"id", "pid", "portal_username", "date_created"}},
	{"globals", []string{"gl_name", "gl_index", "gl_value"}},
	{"list_options", []string{"list_id", "option_id", "title", "seq"}},
}

const (
	oeFacility = iota
	oeUsers
	oePatientData
	oeEvents
	oeTracker
	oeEncounters
	oeForms
	oeSignatures
	oeCredentials
	oeGlobals
	oeOptions
)

// OpenEMRWriter adds rows to an OpenEMR database's own tables in one transaction.
type OpenEMRWriter struct {
	ctx  context.Context
	tx   *sql.Tx
	bufs [oeOptions + 1][]any
	done bool
	err  error
}

// OpenEMRWriter starts writing OpenEMR rows into the store (MariaDB only). Close
// commits; Abort rolls back.
func (s *Store) OpenEMRWriter(ctx context.Context) (*OpenEMRWriter, error) {
	if s.Dialect() != MariaDB {
		return nil, fmt.Errorf("write OpenEMR rows into %s: OpenEMR's tables live in MariaDB or MySQL (SPEC §8)", s)
	}
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("write OpenEMR rows into %s: %w", s, s.scrub(err))
	}
	return &OpenEMRWriter{ctx: ctx, tx: tx}, nil
}

// null is "" as SQL NULL.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (w *OpenEMRWriter) add(t int, vals ...any) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return fmt.Errorf("write %s: the writer is closed", oeTables[t].name)
	}
	w.bufs[t] = append(w.bufs[t], vals...)
	if len(w.bufs[t]) >= mariadbRowsPerInsert*len(oeTables[t].cols) {
		w.err = w.flush(t)
	}
	return w.err
}

func (w *OpenEMRWriter) flush(t int) error {
	k := len(oeTables[t].cols)
	vals := w.bufs[t]
	for i := 0; i < len(vals); i += mariadbRowsPerInsert * k {
		chunk := vals[i:min(len(vals), i+mariadbRowsPerInsert*k)]
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", oeTables[t].name, strings.Join(oeTables[t].cols, ", "))
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", k), ", ") + ")"
		for r := 0; r < len(chunk)/k; r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
		}
		if _, err := w.tx.ExecContext(w.ctx, b.String(), chunk...); err != nil {
			return fmt.Errorf("write %s: %w", oeTables[t].name, err)
		}
	}
	w.bufs[t] = w.bufs[t][:0]
	return nil
}

func (w *OpenEMRWriter) Facility(f OEFacility) error {
	return w.add(oeFacility, f.ID, null(f.Name), null(f.FederalEIN), 1, 1)
}

func (w *OpenEMRWriter) User(u OEUser) error {
	return w.add(oeUsers, u.ID, null(u.Username), null(u.FName), null(u.LName), null(u.NPI), 1, 1)
}

func (w *OpenEMRWriter) Patient(p OEPatient) error {
	return w.add(oePatientData, p.PID, p.PubPID, p.FName, p.LName, null(p.DOB), p.Email)
}

func (w *OpenEMRWriter) Event(e OEEvent) error {
	return w.add(oeEvents, e.EID, e.CatID, 0, null(e.AID), null(e.PID), null(e.Title), e.EventDate, null(e.EndDate),
		null(e.StartTime), e.Status, e.Facility, e.BillingLocation, e.RecurrType, null(e.RecurrSpec), 900)
}

func (w *OpenEMRWriter) Tracker(t OETracker) error {
	return w.add(oeTracker, t.ID, null(t.Date), null(t.ApptDate), null(t.ApptTime), t.EID, t.PID, t.Encounter)
}

func (w *OpenEMRWriter) Encounter(e OEEncounter) error {
	return w.add(oeEncounters, e.ID, null(e.Date), null(e.Reason), e.FacilityID, e.PID, e.Encounter, e.ProviderID, e.BillingFacility)
}

func (w *OpenEMRWriter) Form(f OEForm) error {
	deleted := 0
	if f.Deleted {
		deleted = 1
	}
	return w.add(oeForms, f.ID, null(f.Date), f.Encounter, f.FormName, f.FormID, f.PID, null(f.User), f.FormDir, deleted, 1)
}

func (w *OpenEMRWriter) Signature(s OESignature) error {
	lock := 0
	if s.IsLock {
		lock = 1
	}
	return w.add(oeSignatures, s.ID, s.TID, s.Table, s.UID, s.DateTime, lock, "", "")
}

func (w *OpenEMRWriter) Credentials(c OECredentials) error {
	return w.add(oeCredentials, c.ID, c.PID, null(c.Username), c.DateCreated)
}

func (w *OpenEMRWriter) Global(g OEGlobal) error {
	return w.add(oeGlobals, g.Name, g.Index, g.Value)
}

func (w *OpenEMRWriter) Option(o OEOption) error {
	return w.add(oeOptions, o.ListID, o.OptionID, o.Title, o.Seq)
}

// Exec runs one statement in the writer's transaction (a test's UPDATE or DELETE of a
// stock row, e.g. the schema's facility 3).
func (w *OpenEMRWriter) Exec(query string, args ...any) error {
	if w.err != nil {
		return w.err
	}
	if _, err := w.tx.ExecContext(w.ctx, query, args...); err != nil {
		w.err = err
	}
	return w.err
}

// Close writes what is buffered and commits.
func (w *OpenEMRWriter) Close() error {
	if w.done {
		return w.err
	}
	w.done = true
	if w.err == nil {
		for t := range oeTables {
			if w.err = w.flush(t); w.err != nil {
				break
			}
		}
	}
	if w.err != nil {
		w.tx.Rollback()
		return w.err
	}
	w.err = w.tx.Commit()
	return w.err
}

// Abort rolls back every row written.
func (w *OpenEMRWriter) Abort() {
	if !w.done {
		w.done = true
		w.tx.Rollback()
	}
}

// oeGenerated are the tables a generated practice fills, with the rows of a fresh
// schema that are not its own (facility 3, the stock status list).
var oeGenerated = []struct{ table, stock string }{
	{"openemr_postcalendar_events", ""}, {"patient_tracker", ""}, {"form_encounter", ""}, {"forms", ""},
	{"esign_signatures", ""}, {"patient_access_onsite", ""}, {"patient_data", ""}, {"users", ""},
	{"facility", "id = 3"}, {"globals", "gl_name NOT IN ('gbl_time_zone', 'rest_fhir_api')"},
	{"list_options", "NOT (list_id = 'apptstat' AND option_id IN ('CO', 'TH'))"},
}

// OpenEMRPopulated checks that the store holds OpenEMR's schema and names the tables of
// a generated practice that already hold rows (beyond a fresh schema's own).
func (s *Store) OpenEMRPopulated(ctx context.Context) ([]string, error) {
	if s.Dialect() != MariaDB {
		return nil, fmt.Errorf("%s: OpenEMR's tables live in MariaDB or MySQL (SPEC §8)", s)
	}
	var full []string
	for _, t := range oeGenerated {
		q := "SELECT EXISTS (SELECT 1 FROM " + t.table
		if t.stock != "" {
			q += " WHERE NOT (" + t.stock + ")"
		}
		var any bool
		if err := s.db.DB.QueryRowContext(ctx, q+")").Scan(&any); err != nil {
			return nil, fmt.Errorf("%s: not an OpenEMR database (load OpenEMR's schema first): %w", s, s.scrub(err))
		}
		if any {
			full = append(full, t.table)
		}
	}
	return full, nil
}

// OpenEMREmpty deletes the rows a generated practice writes, keeping a fresh schema's
// own (demo and test databases only).
func (s *Store) OpenEMREmpty(ctx context.Context) error {
	for _, t := range oeGenerated {
		q := "DELETE FROM " + t.table
		if t.stock != "" {
			q += " WHERE NOT (" + t.stock + ")"
		}
		if _, err := s.db.DB.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("empty %s in %s: %w", t.table, s, s.scrub(err))
		}
	}
	return nil
}
