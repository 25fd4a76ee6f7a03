package ehr

// What `mipspi db check` finds in a database before any report (SPEC §8): for the
// section 3 relations, rows per relation, the offices with their zones and TINs, the
// clinicians with their NPIs, the API windows; for OpenEMR, also the version, the zone
// and where it came from, the facilities, the users with visits, the forms that carry
// signatures, how appointments find their encounters, the recurring series, the
// credentials' dates, the API switch — and every setting a report would refuse. The
// period's statuses, findings and data errors come from the same read a report makes,
// into the caller's Sink.

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// Check is what db check found.
type Check struct {
	Relations  []RelationRows
	Offices    []CheckOffice
	Clinicians []CheckClinician
	APIWindows []measure.APIWindow
	// Statuses is the EHR's own status list (OpenEMR's apptstat titles), nil for the
	// section 3 relations.
	Statuses []measure.StatusCode
	OpenEMR  *OpenEMRFacts
	// Refusals are the settings a report would refuse (SPEC §8: the zone, the API
	// windows), each with how to fix it.
	Refusals []error
	// Read is the read's error: a data error, a missing relation, the database.
	Read error
}

// RelationRows is one relation or table read, with its rows, or why it cannot be read.
type RelationRows struct {
	Name    string `json:"name"`
	Rows    int64  `json:"rows"`
	Problem string `json:"problem,omitempty"`
}

// CheckOffice is an office (a facility in OpenEMR).
type CheckOffice struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	TIN         string `json:"tin"` // normalised to its digits
	TINValid    bool   `json:"tin_valid"`
	Zone        string `json:"zone"`
	ZoneProblem string `json:"zone_problem,omitempty"`
}

// CheckClinician is a clinician (a user in OpenEMR), with why it is not eligible.
type CheckClinician struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	NPI         string `json:"npi"`
	NPIValid    bool   `json:"npi_valid"`
	Eligible    bool   `json:"eligible"`
	NotEligible string `json:"not_eligible,omitempty"`
	Visits      int    `json:"appointments"` // OpenEMR: appointments in the period
}

// OpenEMRFacts are db check's OpenEMR facts.
type OpenEMRFacts struct {
	Version      string      `json:"version"`
	Zone         string      `json:"zone"`
	ZoneFrom     string      `json:"zone_from"`
	RestFHIRAPI  string      `json:"rest_fhir_api"` // the globals value, or "absent"
	Forms        []CheckForm `json:"forms"`
	EncounterSig CheckForm   `json:"encounter_level"` // encounter-level signatures (FormDir "(encounter level)")
	Links        CheckLinks  `json:"links"`
	Series       int         `json:"series"`      // recurring series overlapping the period
	SeenSeries   int         `json:"seen_series"` // of them, with a seen status (RECURRING_APPOINTMENT)
	Credentials  int         `json:"credentials"`
	SharedCount  int         `json:"shared_count"` // the most credentials sharing one date_created
	SharedAt     string      `json:"shared_at"`
	Suspect      bool        `json:"suspect"` // INVITATION_DATES_SUSPECT
}

// CheckForm is one formdir of the period's encounters.
type CheckForm struct {
	FormDir string `json:"formdir"`
	Note    bool   `json:"note"` // a note form (openemr.note_forms)
	Deleted bool   `json:"deleted"`
	Forms   int    `json:"forms"`  // forms (with or without a signature)
	Signed  int    `json:"signed"` // forms with a signature row
	Locked  int    `json:"locked"` // forms with a locking row
}

// CheckLinks counts the period's appointments by how they found their encounter.
type CheckLinks struct {
	Tracker   int `json:"tracker"`
	Fallback  int `json:"fallback"`
	None      int `json:"none"`
	Ambiguous int `json:"ambiguous"`
}

var section3Relations = []string{"offices", "clinicians", "patients", "appointments", "clinical_notes", "portal_invitations", "api_windows"}

// count is one relation's rows (its own query: a missing one does not stop the others).
func (s *Store) count(ctx context.Context, table, where string) RelationRows {
	q := "SELECT COUNT(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int64
	if err := s.db.DB.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return RelationRows{Name: table, Problem: oneLine(s.scrub(err).Error())}
	}
	return RelationRows{Name: table, Rows: n}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// CheckRelations checks the section 3 relations and reads the period [from, to] into
// sink, as a report does.
func (s *Store) CheckRelations(ctx context.Context, from, to calendar.Date, sink Sink) *Check {
	c := &Check{}
	for _, rel := range section3Relations {
		c.Relations = append(c.Relations, s.count(ctx, rel, ""))
	}
	c.Offices = s.checkOffices(ctx)
	c.Clinicians = s.checkClinicians(ctx)
	w := &practiceTap{Sink: sink, from: from, to: to}
	_, c.Read = s.Read(ctx, from, to, tapped(w))
	c.APIWindows = w.p.APIWindows
	for i := range c.Clinicians {
		c.Clinicians[i].Visits = w.visits[c.Clinicians[i].ID]
	}
	return c
}

// checkOffices lists the offices as stored, each zone tried (a report stops at the
// first bad one).
func (s *Store) checkOffices(ctx context.Context) []CheckOffice {
	var out []CheckOffice
	rows, err := s.db.DB.QueryContext(ctx, "SELECT id, name, tin, timezone FROM offices ORDER BY id")
	if err != nil {
		return nil // the relation's count names the problem
	}
	defer rows.Close()
	for rows.Next() {
		var id sql.NullInt64
		var name, tin, zone sql.NullString
		if rows.Scan(&id, &name, &tin, &zone) != nil {
			continue
		}
		o := CheckOffice{ID: id.Int64, Name: name.String, TIN: oeTIN(strings.TrimSpace(tin.String)), Zone: zone.String}
		o.TINValid = measure.ValidTIN(o.TIN)
		if _, err := loadZone(zone.String); err != nil {
			o.ZoneProblem = err.Error()
		}
		out = append(out, o)
	}
	return out
}

func (s *Store) checkClinicians(ctx context.Context) []CheckClinician {
	var out []CheckClinician
	rows, err := s.db.DB.QueryContext(ctx, "SELECT id, npi, first_name, last_name, mips_eligible FROM clinicians ORDER BY id")
	if err != nil {
		return nil
	}
	defer rows.Close()
	for rows.Next() {
		var id sql.NullInt64
		var npi, first, last sql.NullString
		var eligible any
		if rows.Scan(&id, &npi, &first, &last, &eligible) != nil {
			continue
		}
		c := CheckClinician{ID: id.Int64, NPI: npi.String, Name: measure.Clinician{FirstName: first.String, LastName: last.String}.DisplayName()}
		c.NPIValid = measure.ValidNPI(c.NPI)
		c.Eligible = truthy(eligible)
		if !c.Eligible {
			c.NotEligible = "mips_eligible is false"
		}
		out = append(out, c)
	}
	return out
}

// truthy reads a boolean as the dialects hand it over.
func truthy(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case int64:
		return b != 0
	case []byte:
		x := strings.ToLower(string(b))
		return x == "1" || x == "t" || x == "true"
	case string:
		x := strings.ToLower(b)
		return x == "1" || x == "t" || x == "true"
	}
	return false
}

// practiceTap keeps the Practice a read hands over and counts the period's
// appointments of each clinician.
type practiceTap struct {
	Sink
	from, to calendar.Date
	p        measure.Practice
	zones    map[int64]*time.Location
	visits   map[int64]int
}

func (t *practiceTap) Practice(p measure.Practice) error {
	t.p, t.zones, t.visits = p, map[int64]*time.Location{}, map[int64]int{}
	for _, o := range p.Offices {
		t.zones[o.ID] = o.Zone
	}
	return t.Sink.Practice(p)
}

func (t *practiceTap) Patient(r *measure.PatientRecord) error {
	for _, v := range r.Visits {
		if z := t.zones[v.OfficeID]; z != nil {
			if d := calendar.LocalDate(v.ScheduledAt, z); d >= t.from && d <= t.to {
				t.visits[v.ClinicianID]++
			}
		}
	}
	return t.Sink.Patient(r)
}

// tapped keeps the optional interfaces of the tap's Sink.
func tapped(t *practiceTap) Sink {
	d, dOK := t.Sink.(DanglingSink)
	f, fOK := t.Sink.(SourceFindingSink)
	switch {
	case dOK && fOK:
		return struct {
			*practiceTap
			DanglingSink
			SourceFindingSink
		}{t, d, f}
	case dOK:
		return struct {
			*practiceTap
			DanglingSink
		}{t, d}
	}
	return t
}

// CheckOpenEMR checks an OpenEMR database and reads the period [from, to] into sink, as
// a report does (when the settings let it).
func (s *Store) CheckOpenEMR(ctx context.Context, from, to calendar.Date, set OpenEMRSettings, sink Sink) *Check {
	c := &Check{OpenEMR: &OpenEMRFacts{}}
	f := c.OpenEMR
	for _, t := range []struct{ table, where string }{
		{"facility", ""}, {"users", ""}, {"patient_data", ""}, {"openemr_postcalendar_events", ""}, {"patient_tracker", ""},
		{"form_encounter", ""}, {"forms", ""}, {"esign_signatures", ""}, {"patient_access_onsite", ""},
		{"list_options", "list_id = 'apptstat'"}, {"globals", ""}, {"version", ""},
	} {
		c.Relations = append(c.Relations, s.count(ctx, t.table, t.where))
	}
	var ma, mi, pa, rp, vdb sql.NullInt64
	var tag sql.NullString
	if err := s.db.DB.QueryRowContext(ctx, "SELECT v_major, v_minor, v_patch, v_realpatch, v_tag, v_database FROM version LIMIT 1").
		Scan(&ma, &mi, &pa, &rp, &tag, &vdb); err == nil {
		f.Version = fmt.Sprintf("%d.%d.%d", ma.Int64, mi.Int64, pa.Int64)
		if rp.Int64 != 0 {
			f.Version += fmt.Sprintf(" (patch %d)", rp.Int64)
		}
		f.Version += tag.String + fmt.Sprintf(", database %d", vdb.Int64)
		if ma.Int64 == 0 && vdb.Int64 == 0 {
			f.Version += " (the schema file as loaded: OpenEMR's installer writes the real version)"
		}
	}
	// The settings a report would refuse, all of them (a read stops at the first).
	globals := map[string][]oeGlobal{}
	if rows, err := s.db.DB.QueryContext(ctx, "SELECT gl_name, gl_index, gl_value FROM globals WHERE gl_name IN ('gbl_time_zone', 'rest_fhir_api')"); err == nil {
		for rows.Next() {
			var n, v string
			var i int64
			if rows.Scan(&n, &i, &v) == nil {
				globals[n] = append(globals[n], oeGlobal{index: i, value: v})
			}
		}
		rows.Close()
	}
	if v, ok := oeGlobalValue(globals["rest_fhir_api"]); ok {
		f.RestFHIRAPI = v
	} else {
		f.RestFHIRAPI = "absent"
	}
	loc, from0, zerr := oeZone(set.TimeZone, globals["gbl_time_zone"])
	f.ZoneFrom = from0
	if zerr != nil {
		c.Refusals = append(c.Refusals, zerr)
	} else {
		f.Zone = loc.String()
	}
	apiRefused := false
	if _, err := oeAPIWindows(set.APIWindows, globals["rest_fhir_api"]); err != nil {
		c.Refusals = append(c.Refusals, err)
		apiRefused = true // listed: read on to show the rest
	}
	c.APIWindows = set.APIWindows
	f.Forms, f.EncounterSig = s.checkForms(ctx, from, to, set)
	if zerr != nil {
		return c // no zone, no local time can be read
	}
	var st ReadStats
	w := &practiceTap{Sink: sink, from: from, to: to}
	r, err := s.readOpenEMR(ctx, from, to, set, tapped(w), &st, apiRefused)
	c.Read = err
	el := newOEEligibility(set.NotEligible)
	for _, o := range w.p.Offices {
		if o.ID != noSuch {
			c.Offices = append(c.Offices, CheckOffice{ID: o.ID, Name: o.Name, TIN: o.TIN, TINValid: measure.ValidTIN(o.TIN), Zone: o.Zone.String()})
		}
	}
	c.Statuses = w.p.Statuses
	if r == nil {
		return c
	}
	for _, u := range w.p.Clinicians {
		if u.ID == noSuch {
			continue
		}
		c.Clinicians = append(c.Clinicians, CheckClinician{ID: u.ID, Name: u.DisplayName(), NPI: u.NPI, NPIValid: measure.ValidNPI(u.NPI),
			Eligible: u.Eligible, NotEligible: el.why(u.ID, u.NPI), Visits: w.visits[u.ID]})
	}
	if n := w.visits[noSuch]; n > 0 {
		c.Clinicians = append(c.Clinicians, CheckClinician{ID: noSuch, Name: "(no such user)", NotEligible: "pc_aid names no user", Visits: n})
	}
	f.Links = CheckLinks{Tracker: r.linkCount[linkTracker], Fallback: r.linkCount[linkFallback], None: r.linkCount[linkNone], Ambiguous: r.linkCount[linkAmbiguous]}
	f.Series, f.SeenSeries = r.series, r.seenSeries
	f.Credentials, f.SharedCount, f.SharedAt = r.credsTotal, r.credsShare, r.credsAt
	f.Suspect = oeInvitationsSuspect(r.credsTotal, r.credsShare)
	return c
}

// checkForms counts the forms of the period's encounters that are note forms or carry
// signatures, by formdir and deleted, and the encounter-level signatures.
func (s *Store) checkForms(ctx context.Context, from, to calendar.Date, set OpenEMRSettings) ([]CheckForm, CheckForm) {
	lo, hi := from.String()+" 00:00:00", to.AddDays(1).String()+" 00:00:00"
	forms := newNoteForms(set.noteForms())
	var out []CheckForm
	rows, err := s.db.DB.QueryContext(ctx, `SELECT f.formdir, f.deleted, COUNT(DISTINCT f.id), COUNT(DISTINCT s.tid),
  COUNT(DISTINCT CASE WHEN s.is_lock = 1 THEN s.tid END)
FROM form_encounter fe JOIN forms f ON f.pid = fe.pid AND f.encounter = fe.encounter
LEFT JOIN esign_signatures s ON s.tid = f.id AND s.`+"`table`"+` = 'forms'
WHERE fe.date >= ? AND fe.date < ? GROUP BY f.formdir, f.deleted ORDER BY f.formdir, f.deleted`, lo, hi)
	if err == nil {
		for rows.Next() {
			var dir sql.NullString
			var del, n, sg, lk int64
			if rows.Scan(&dir, &del, &n, &sg, &lk) != nil {
				continue
			}
			cf := CheckForm{FormDir: dir.String, Note: forms.match(dir.String), Deleted: del != 0, Forms: int(n), Signed: int(sg), Locked: int(lk)}
			if cf.Note || cf.Signed > 0 {
				out = append(out, cf)
			}
		}
		rows.Close()
	}
	enc := CheckForm{FormDir: "(encounter level)", Note: true}
	var n, lk int64
	if s.db.DB.QueryRowContext(ctx, `SELECT COUNT(DISTINCT s.tid), COUNT(DISTINCT CASE WHEN s.is_lock = 1 THEN s.tid END)
FROM form_encounter fe JOIN esign_signatures s ON s.tid = fe.encounter AND s.`+"`table`"+` = 'form_encounter'
WHERE fe.date >= ? AND fe.date < ?`, lo, hi).Scan(&n, &lk) == nil {
		enc.Forms, enc.Signed, enc.Locked = int(n), int(n), int(lk)
	}
	return out, enc
}
