package ehr

// OpenEMR's own tables (SPEC §8). With --ehr openemr mipspi reads an OpenEMR database on
// MariaDB/MySQL directly, and this file with the other openemr*.go files is the one
// place that maps OpenEMR into the section 3 model: facilities into offices, users into
// clinicians, calendar events into appointments, an appointment's encounter and its
// signed forms into clinical notes, portal credentials into invitations, and the API
// windows the practice attests in its configuration. The rules stay in measure: what is
// handed over is the same Practice and PatientRecord stream the section 3 reader sends.
//
// This file holds the settings and the mapping rules as functions over OpenEMR's
// values; openemr_read.go runs the queries, openemr_clock.go reads OpenEMR's local times.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mipspi/mipspi/measure"
)

// How visits are read (SPEC §8, openemr.visits).
const (
	// OpenEMRAppointments: visits are calendar appointments (the default).
	OpenEMRAppointments = "appointments"
	// OpenEMREncounters: visits are encounters with a live newpatient form, as
	// OpenEMR's own AMC report counts them.
	OpenEMREncounters = "encounters"
	// OpenEMREncounterStatus is the status of a visit read from an encounter: the seen
	// set of a run with visits: encounters is exactly this status.
	OpenEMREncounterStatus = "Encounter"
)

// OpenEMRSeenStatuses is the default seen set for OpenEMR (R1, SPEC §8): the apptstat
// option ids @ Arrived, ~ Arrived late, < In exam room, > Checked out, $ Coding done.
var OpenEMRSeenStatuses = []string{"@", "~", "<", ">", "$"}

// openEMRNotSeen are OpenEMR's other stock apptstat ids: known, not seen. "!" (Left
// without visit) is a check-out status and not seen.
var openEMRNotSeen = []string{"-", "*", "+", "#", "^", "x", "%", "?", "!", "AVM", "SMS", "EMAIL", "CALL"}

// DefaultNoteForms are the forms (forms.formdir) that are a visit's clinical notes
// (SPEC §8); a trailing * matches a prefix.
var DefaultNoteForms = []string{"soap", "clinical_notes", "dictation"}

// OpenEMRSettings are the `openemr:` settings of the configuration (SPEC §8).
type OpenEMRSettings struct {
	// TimeZone is the installation's IANA zone; "" reads globals.gbl_time_zone.
	TimeZone string
	// NotEligible names clinicians who are not MIPS eligible: NPIs (10 digits) and
	// users as "user:ID".
	NotEligible []string
	// NoteForms are the formdir values of note forms; nil means DefaultNoteForms.
	NoteForms []string
	// APIWindows are the attested windows of the patient API per TIN (9 digits).
	APIWindows []measure.APIWindow
	// Visits is OpenEMRAppointments ("" too) or OpenEMREncounters.
	Visits string
	// SeenStatuses is the run's seen set (R1) as apptstat ids; nil means
	// OpenEMRSeenStatuses. The reader needs it for the data errors that only a seen
	// visit in the period raises, and for RECURRING_APPOINTMENT.
	SeenStatuses []string
}

func (o OpenEMRSettings) noteForms() []string {
	if o.NoteForms == nil {
		return DefaultNoteForms
	}
	return o.NoteForms
}

func (o OpenEMRSettings) seenStatuses() []string {
	if o.SeenStatuses == nil {
		return OpenEMRSeenStatuses
	}
	return o.SeenStatuses
}

// SettingError is a setting a report cannot run with (SPEC §8: no zone, an invalid
// zone, the patient API on with no attested windows): a usage error, exit 2. Fix says
// how to set it.
type SettingError struct {
	Setting string // e.g. "openemr.time_zone"
	Problem string
	Fix     string
}

func (e *SettingError) Error() string {
	if e.Fix == "" {
		return e.Setting + ": " + e.Problem
	}
	return e.Setting + ": " + e.Problem + "; " + e.Fix
}

// zoneSource says where the installation's zone came from, for db check.
const (
	zoneFromConfig  = "configuration (openemr.time_zone)"
	zoneFromGlobals = "OpenEMR's globals (gbl_time_zone)"
)

// oeGlobal is one globals row.
type oeGlobal struct {
	index int64
	value string
}

// oeGlobalValue is the value of a setting in OpenEMR's globals: the row with gl_index 0,
// else the lowest; "" is absent (SPEC §8).
func oeGlobalValue(rows []oeGlobal) (string, bool) {
	best := -1
	for i, g := range rows {
		if best < 0 || g.index == 0 || rows[best].index != 0 && g.index < rows[best].index {
			best = i
		}
	}
	if best < 0 || rows[best].value == "" {
		return "", false
	}
	return rows[best].value, true
}

// oeZone decides the installation's zone (SPEC §8): the configuration, else
// globals.gbl_time_zone, else a usage error saying how to set it; an invalid IANA name
// is a usage error.
func oeZone(configured string, globals []oeGlobal) (*time.Location, string, error) {
	name, from := configured, zoneFromConfig
	if name == "" {
		v, ok := oeGlobalValue(globals)
		if !ok {
			return nil, "", &SettingError{Setting: "openemr.time_zone",
				Problem: "OpenEMR's globals hold no gbl_time_zone, and the configuration names none",
				Fix:     "set the zone of the installation in the configuration, e.g. openemr: {time_zone: America/Chicago}, or in OpenEMR (Administration > Globals > Locale > Time Zone)"}
		}
		name, from = strings.TrimSpace(v), zoneFromGlobals
	}
	loc, err := loadZone(name)
	if err != nil {
		setting := "openemr.time_zone"
		if from == zoneFromGlobals {
			setting = "globals gbl_time_zone"
		}
		return nil, from, &SettingError{Setting: setting, Problem: err.Error(),
			Fix: "set openemr.time_zone in the configuration to the installation's IANA zone"}
	}
	return loc, from, nil
}

// oeTIN is a facility's TIN: federal_ein without its dashes and spaces (SPEC §8; what is
// left and is not 9 digits is INVALID_TIN, R10).
func oeTIN(ein string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, ein)
}

// oeOffice maps a facility row to an office (SPEC §8). name NULL or ” is "facility ID".
func oeOffice(id int64, name, ein string, loc *time.Location) measure.Office {
	if strings.TrimSpace(name) == "" {
		name = "facility " + strconv.FormatInt(id, 10)
	}
	return measure.Office{ID: id, TIN: oeTIN(ein), Name: name, Zone: loc}
}

// oeEligibility decides which users are MIPS eligible (SPEC §8): a user with an empty or
// Luhn-invalid NPI is not, nor one named in openemr.not_mips_eligible (by NPI or as
// user:ID). why is "" for an eligible user, else the reason for db check.
type oeEligibility struct {
	npis  map[string]bool
	users map[int64]bool
}

func newOEEligibility(notEligible []string) oeEligibility {
	e := oeEligibility{npis: map[string]bool{}, users: map[int64]bool{}}
	for _, s := range notEligible {
		if id, ok := strings.CutPrefix(s, "user:"); ok {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				e.users[n] = true
			}
			continue
		}
		e.npis[s] = true
	}
	return e
}

func (e oeEligibility) why(id int64, npi string) string {
	switch {
	case e.users[id]:
		return fmt.Sprintf("named as user:%d in openemr.not_mips_eligible", id)
	case npi == "":
		return "no NPI"
	case !measure.ValidNPI(npi):
		return "NPI " + quote(npi) + " is not a valid NPI (Luhn check)"
	case e.npis[npi]:
		return "NPI named in openemr.not_mips_eligible"
	}
	return ""
}

// oeClinician maps a users row to a clinician (SPEC §8).
func oeClinician(id int64, npi, fname, lname string, e oeEligibility) measure.Clinician {
	npi = strings.TrimSpace(npi)
	return measure.Clinician{ID: id, NPI: npi, FirstName: fname, LastName: lname, Eligible: e.why(id, npi) == ""}
}

// oeStatusCodes is OpenEMR's status list for measure (SPEC §8): every apptstat option
// with its title, the stock not-seen ids marked (also when the practice removed them
// from its list).
func oeStatusCodes(options []oeOption) []measure.StatusCode {
	var out []measure.StatusCode
	have := map[string]bool{}
	for _, o := range options {
		have[o.id] = true
		out = append(out, measure.StatusCode{Code: o.id, Title: o.title, NotSeen: slices.Contains(openEMRNotSeen, o.id)})
	}
	for _, id := range openEMRNotSeen {
		if !have[id] {
			out = append(out, measure.StatusCode{Code: id, NotSeen: true})
		}
	}
	return out
}

// oeOption is one list_options row of the apptstat list.
type oeOption struct{ id, title string }

// oePatientID reads pc_pid: all digits and not 0 (SPEC §8; never a CAST, which reads
// "12abc" as 12). Leading zeros name the same patient ("007" is pid 7).
func oePatientID(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n != 0
}

// oePatientRegexp is the same test in SQL: the rows an appointment query keeps.
const oePatientRegexp = `^0*[1-9][0-9]*$`

// oeUserID reads pc_aid (text): a user id, or false when it is not one.
func oeUserID(b []byte) (int64, bool) { return oePatientID(b) }

// noteForms matches forms.formdir against openemr.note_forms (SPEC §8): exact names, or
// prefixes written with a trailing *.
type noteForms struct {
	exact    []string
	prefixes []string
}

func newNoteForms(patterns []string) noteForms {
	var n noteForms
	for _, p := range patterns {
		if s, ok := strings.CutSuffix(p, "*"); ok {
			n.prefixes = append(n.prefixes, s)
		} else {
			n.exact = append(n.exact, p)
		}
	}
	return n
}

// match is the Go side of the test (db check, tests); SQL runs sql().
func (n noteForms) match(formdir string) bool {
	if slices.Contains(n.exact, formdir) {
		return true
	}
	for _, p := range n.prefixes {
		if strings.HasPrefix(formdir, p) {
			return true
		}
	}
	return false
}

// sql is the WHERE condition on column col with its arguments: an IN list and one LIKE
// per prefix (its % and _ escaped).
func (n noteForms) sql(col string) (string, []any) {
	var parts []string
	var args []any
	if len(n.exact) > 0 {
		parts = append(parts, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(n.exact)), ", ")+")")
		for _, e := range n.exact {
			args = append(args, e)
		}
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	for _, p := range n.prefixes {
		parts = append(parts, col+` LIKE ? ESCAPE '\\'`)
		args = append(args, esc.Replace(p)+"%")
	}
	if len(parts) == 0 {
		return "FALSE", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// oeInvitationsSuspect is SPEC §8's INVITATION_DATES_SUSPECT: at least 50 credential rows
// and 20% or more of all of them sharing one date_created second (OpenEMR 7.0.0's
// upgrade stamped the rows it found with its own instant).
func oeInvitationsSuspect(total, largestShare int) bool {
	return total >= 50 && largestShare*5 >= total
}

// oeAPIWindows are the run's API windows (SPEC §8): OpenEMR keeps no history of its API
// switch, so they come from the configuration. With none configured, rest_fhir_api on
// ("1") is a usage error asking for the attested windows; off ("0", "" or absent) is no
// window at all, which measure reports as the API never enabled.
func oeAPIWindows(configured []measure.APIWindow, restFHIR []oeGlobal) ([]measure.APIWindow, error) {
	if len(configured) > 0 {
		return configured, nil
	}
	if v, ok := oeGlobalValue(restFHIR); ok && strings.TrimSpace(v) == "1" {
		return nil, &SettingError{Setting: "openemr.api_windows",
			Problem: "OpenEMR's patient API (globals rest_fhir_api) is on, but OpenEMR keeps no record of since when, and the configuration attests no window",
			Fix:     "list the windows the API was on for each TIN, e.g. openemr: {api_windows: [{tin: \"123456789\", enabled_at: \"2024-01-02T08:00:00-06:00\"}]}"}
	}
	return nil, nil
}

// oeSeenSet tells whether an apptstat id is in the run's seen set (R1's comparison:
// trimmed, case-insensitive), for the data errors and findings only a seen visit
// raises; measure decides R1 itself.
type oeSeenSet map[string]bool

func newOESeenSet(seen []string) oeSeenSet {
	s := oeSeenSet{}
	for _, x := range seen {
		s[strings.ToLower(strings.TrimSpace(x))] = true
	}
	return s
}

func (s oeSeenSet) has(status string) bool { return s[strings.ToLower(strings.TrimSpace(status))] }

// noSuch are the ids of the placeholder office and clinician a visit gets when its
// facility or user does not exist and it is not a seen visit of the period (SPEC §8:
// only then is it a data error). They are never attributed: the clinician is not
// eligible.
const noSuch = -1
