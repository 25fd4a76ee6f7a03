package ehr_test

// The OpenEMR source (SPEC §8) on a real MariaDB holding OpenEMR 8.2's own schema: each
// mapping rule and each trap in a table test of its own, with exact figures and messages.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/internal/mariadbtest"
	"github.com/mipspi/mipspi/measure"
)

// oeNPI makes a valid NPI from a 9-digit stem.
func oeNPI(stem string) string { return stem + string(measure.NPICheckDigit(stem)) }

var (
	npiAnn = oeNPI("100000001")
	npiBob = oeNPI("100000002")
)

// oePractice is an OpenEMR database's rows for one test: a base practice (Chicago,
// facility 10 with TIN 36-1234567, users Ann 5 and Bob 6, patients 1–3) plus the rows
// the case adds.
type oePractice struct {
	globals     []ehr.OEGlobal
	options     []ehr.OEOption
	facilities  []ehr.OEFacility
	users       []ehr.OEUser
	patients    []ehr.OEPatient
	events      []ehr.OEEvent
	tracker     []ehr.OETracker
	encounters  []ehr.OEEncounter
	forms       []ehr.OEForm
	signatures  []ehr.OESignature
	credentials []ehr.OECredentials
	exec        []string
}

func basePractice() *oePractice {
	return &oePractice{
		globals: []ehr.OEGlobal{{Name: "gbl_time_zone", Value: "America/Chicago"}, {Name: "rest_fhir_api", Value: "1"}},
		facilities: []ehr.OEFacility{
			{ID: 10, Name: "North Clinic", FederalEIN: "36-1234567"},
			{ID: 11, Name: "South Clinic", FederalEIN: "36 1234567"},
		},
		users: []ehr.OEUser{
			{ID: 5, Username: "ann", FName: "Ann", LName: "Avery", NPI: npiAnn},
			{ID: 6, Username: "bob", FName: "Bob", LName: "Brown", NPI: npiBob},
		},
		patients: []ehr.OEPatient{
			{PID: 1, PubPID: "MRN1", FName: "Pat", LName: "One", DOB: "1970-01-01", Email: "one@example.com"},
			{PID: 2, PubPID: "MRN2", FName: "Pat", LName: "Two", DOB: "1971-02-02", Email: ""},
			{PID: 3, PubPID: "MRN3", FName: "Pat", LName: "Three", DOB: "0000-00-00", Email: "three@example.com"},
		},
	}
}

// visit adds an appointment of patient pid with Ann at facility 10 on date at hh:mm
// with status, its encounter enc linked through the tracker, and the encounter's
// newpatient form. It returns the encounter number (eid*10).
func (p *oePractice) visit(eid int64, pid int64, date, hhmm, status string) int64 {
	p.events = append(p.events, ehr.OEEvent{EID: eid, CatID: 5, PID: fmt.Sprint(pid), AID: "5", EventDate: date,
		StartTime: hhmm + ":00", Status: status, Facility: 10, BillingLocation: 10})
	enc := eid * 10
	p.encounter(enc, pid, date+" "+hhmm+":00", 5)
	p.tracker = append(p.tracker, ehr.OETracker{ID: eid, EID: eid, PID: pid, Encounter: enc, Date: date + " " + hhmm + ":00",
		ApptDate: date, ApptTime: hhmm + ":00"})
	return enc
}

// encounter adds an encounter with its live newpatient form.
func (p *oePractice) encounter(enc, pid int64, at string, provider int64) {
	p.encounters = append(p.encounters, ehr.OEEncounter{ID: enc, Encounter: enc, PID: pid, Date: at, ProviderID: provider, FacilityID: 10, BillingFacility: 10})
	p.form(enc*10, enc, pid, "newpatient", at, false)
}

func (p *oePractice) form(id, enc, pid int64, dir, at string, deleted bool) {
	p.forms = append(p.forms, ehr.OEForm{ID: id, Encounter: enc, PID: pid, FormID: id, Date: at, FormName: dir, FormDir: dir, User: "ann", Deleted: deleted})
}

// note adds a live soap form (id) to encounter enc with its signature rows: "s@…" a
// signature, "l@…" a lock.
func (p *oePractice) note(id, enc, pid int64, dir string, sigs ...string) {
	p.form(id, enc, pid, dir, "2025-03-03 10:30:00", false)
	p.sign("forms", id, sigs...)
}

var sigID int64

func (p *oePractice) sign(table string, tid int64, sigs ...string) {
	for _, s := range sigs {
		sigID++
		p.signatures = append(p.signatures, ehr.OESignature{ID: sigID, TID: tid, Table: table, UID: 5,
			DateTime: s[2:], IsLock: s[0] == 'l'})
	}
}

func (p *oePractice) creds(id, pid int64, at string) {
	p.credentials = append(p.credentials, ehr.OECredentials{ID: id, PID: pid, Username: fmt.Sprint("u", pid), DateCreated: at})
}

// write loads the practice into a fresh OpenEMR database and returns the open store.
func (p *oePractice) write(t testing.TB) *ehr.Store {
	t.Helper()
	s := open(t, mariadbtest.NewOpenEMR(t))
	w, err := s.OpenEMRWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range p.exec {
		must(t, w.Exec(q))
	}
	for _, r := range p.globals {
		must(t, w.Global(r))
	}
	for _, r := range p.options {
		must(t, w.Option(r))
	}
	for _, r := range p.facilities {
		must(t, w.Facility(r))
	}
	for _, r := range p.users {
		must(t, w.User(r))
	}
	for _, r := range p.patients {
		must(t, w.Patient(r))
	}
	for _, r := range p.events {
		must(t, w.Event(r))
	}
	for _, r := range p.tracker {
		must(t, w.Tracker(r))
	}
	for _, r := range p.encounters {
		must(t, w.Encounter(r))
	}
	for _, r := range p.forms {
		must(t, w.Form(r))
	}
	for _, r := range p.signatures {
		must(t, w.Signature(r))
	}
	for _, r := range p.credentials {
		must(t, w.Credentials(r))
	}
	must(t, w.Close())
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// oeSettings attest the API on for TIN 361234567 since 2020.
func oeSettings() ehr.OpenEMRSettings {
	return ehr.OpenEMRSettings{APIWindows: []measure.APIWindow{{ID: 1, TIN: "361234567", Enabled: ts("2020-01-01T00:00:00Z")}}}
}

// oeRead reads the practice for 2025 into a recorder.
func oeRead(t testing.TB, s *ehr.Store, set ehr.OpenEMRSettings) (*recorder, ehr.ReadStats, error) {
	t.Helper()
	r := &recorder{}
	st, err := s.ReadOpenEMR(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), set, r)
	return r, st, err
}

// oeEval is a Sink that evaluates (the measure rules) and takes the findings.
type oeEval struct {
	cfg measure.Config
	ev  *measure.Evaluator
}

func (e *oeEval) Practice(p measure.Practice) (err error) {
	e.ev, err = measure.NewEvaluator(e.cfg, p)
	return err
}
func (e *oeEval) Patient(r *measure.PatientRecord) error { return e.ev.Add(r) }
func (e *oeEval) Dangling(c measure.Code, n int, ex []int64) error {
	return e.ev.Dangling(c, n, ex)
}
func (e *oeEval) SourceFinding(f measure.Finding) error { return e.ev.SourceFinding(f) }

// oeConfig is the measure configuration of a 2025 report as of 2026-03-02 with
// OpenEMR's seen set.
func oeConfig() measure.Config {
	return measure.Config{Start: calendar.MustParseDate("2025-01-01"), End: calendar.MustParseDate("2025-12-31"),
		AsOf: ts("2026-03-02T12:00:00Z"), FederalHolidays: true, SeenStatuses: ehr.OpenEMRSeenStatuses}
}

func oeEvaluate(t testing.TB, s *ehr.Store, set ehr.OpenEMRSettings) (*measure.Result, error) {
	t.Helper()
	e := &oeEval{cfg: oeConfig()}
	if _, err := s.ReadOpenEMR(context.Background(), e.cfg.Start, e.cfg.End, set, e); err != nil {
		return nil, err
	}
	return e.ev.Result(), nil
}

// visitsOf flattens the recorder's visits by id.
func visitsOf(r *recorder) map[int64]measure.Visit {
	out := map[int64]measure.Visit{}
	for _, p := range r.patients {
		for _, v := range p.Visits {
			out[v.ID] = v
		}
	}
	return out
}

func chi(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, zone("America/Chicago"))
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// patient adds patient pid (MRN "M<pid>").
func (p *oePractice) patient(pid int64) {
	p.patients = append(p.patients, ehr.OEPatient{PID: pid, PubPID: fmt.Sprint("M", pid), FName: "Case", LName: fmt.Sprint("P", pid),
		DOB: "1980-05-05", Email: fmt.Sprint("p", pid, "@example.com")})
}

// TestOpenEMRNotes covers the notes of a visit (SPEC §8): the encounter's live note
// forms and the encounter itself when it has an encounter-level signature; every
// signature row signs, is_lock locks; deleted forms and other forms never count. Each
// case is its own patient (pid 100+i) with one visit (eid 1000+i) in one database.
func TestOpenEMRNotes(t *testing.T) {
	type ids struct{ pid, enc, form int64 } // form: the case's first free form id
	cases := []struct {
		name string
		add  func(p *oePractice, c ids)
		set  func(*ehr.OpenEMRSettings)
		want measure.Notes
	}{
		{"no note form: NOTE_MISSING", func(p *oePractice, c ids) {}, nil, measure.Notes{}},
		{"soap form never signed", func(p *oePractice, c ids) { p.note(c.form, c.enc, c.pid, "soap") }, nil, measure.Notes{Count: 1}},
		{"signed then locked", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "soap", "s@2025-03-03 11:00:00", "l@2025-03-04 09:00:00")
		}, nil, measure.Notes{Count: 1, FirstSigned: chi("2025-03-03 11:00:00"), FirstLocked: chi("2025-03-04 09:00:00")}},
		{"one locking row signs too (OpenEMR's defaults)", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "soap", "l@2025-03-04 09:00:00")
		}, nil, measure.Notes{Count: 1, FirstSigned: chi("2025-03-04 09:00:00"), FirstLocked: chi("2025-03-04 09:00:00")}},
		{"a later addendum never moves the first lock", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "soap", "l@2025-03-04 09:00:00", "l@2025-04-01 09:00:00")
			p.note(c.form+1, c.enc, c.pid, "clinical_notes", "l@2025-03-20 09:00:00")
		}, nil, measure.Notes{Count: 2, FirstSigned: chi("2025-03-04 09:00:00"), FirstLocked: chi("2025-03-04 09:00:00")}},
		{"encounter-level signature is a note of its own", func(p *oePractice, c ids) {
			p.sign("form_encounter", c.enc, "s@2025-03-03 12:00:00", "l@2025-03-05 08:00:00")
		}, nil, measure.Notes{Count: 1, FirstSigned: chi("2025-03-03 12:00:00"), FirstLocked: chi("2025-03-05 08:00:00")}},
		{"encounter-level lock with an unsigned form", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "dictation")
			p.sign("form_encounter", c.enc, "l@2025-03-05 08:00:00")
		}, nil, measure.Notes{Count: 2, FirstSigned: chi("2025-03-05 08:00:00"), FirstLocked: chi("2025-03-05 08:00:00")}},
		{"a forms row whose tid is the encounter number is not the encounter's", func(p *oePractice, c ids) {
			p.sign("forms", c.enc, "l@2025-03-04 09:00:00")
		}, nil, measure.Notes{}},
		{"locked vitals never release", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "vitals", "l@2025-03-03 10:40:00")
			p.note(c.form+1, c.enc, c.pid, "soap")
		}, nil, measure.Notes{Count: 1}},
		{"the work/school note (formdir note) is not a visit note", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "note", "l@2025-03-03 10:40:00")
		}, nil, measure.Notes{}},
		{"a deleted soap form never counts", func(p *oePractice, c ids) {
			p.form(c.form, c.enc, c.pid, "soap", "2025-03-03 10:30:00", true)
			p.sign("forms", c.form, "l@2025-03-03 10:40:00")
			p.note(c.form+1, c.enc, c.pid, "soap", "l@2025-03-10 10:40:00")
		}, nil, measure.Notes{Count: 1, FirstSigned: chi("2025-03-10 10:40:00"), FirstLocked: chi("2025-03-10 10:40:00")}},
		{"a form of another patient in the encounter is not its note", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, 2, "soap", "l@2025-03-03 10:40:00")
		}, nil, measure.Notes{}},
		{"note_forms with a prefix: LBF*", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "LBFprogress", "l@2025-03-04 10:40:00")
			p.note(c.form+1, c.enc, c.pid, "soap", "l@2025-03-03 10:40:00")
			p.note(c.form+2, c.enc, c.pid, "LBF_x", "s@2025-03-03 10:35:00")
			p.note(c.form+3, c.enc, c.pid, "LBXprogress", "l@2025-03-03 10:20:00")
		}, func(s *ehr.OpenEMRSettings) { s.NoteForms = []string{"LBF*"} },
			measure.Notes{Count: 2, FirstSigned: chi("2025-03-03 10:35:00"), FirstLocked: chi("2025-03-04 10:40:00")}},
		{"a prefix's _ is not a wildcard", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "LBFxy", "l@2025-03-04 10:40:00")
			p.note(c.form+1, c.enc, c.pid, "LBF_y", "l@2025-03-05 10:40:00")
		}, func(s *ehr.OpenEMRSettings) { s.NoteForms = []string{"LBF_*"} },
			measure.Notes{Count: 1, FirstSigned: chi("2025-03-05 10:40:00"), FirstLocked: chi("2025-03-05 10:40:00")}},
		{"the autumn's repeated hour: the earlier instant", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "soap", "l@2025-11-02 01:30:00")
		}, nil, measure.Notes{Count: 1, FirstSigned: ts("2025-11-02T06:30:00Z"), FirstLocked: ts("2025-11-02T06:30:00Z")}},
		{"the spring's skipped hour: forward by the gap", func(p *oePractice, c ids) {
			p.note(c.form, c.enc, c.pid, "soap", "l@2025-03-09 02:30:00")
		}, nil, measure.Notes{Count: 1, FirstSigned: ts("2025-03-09T08:30:00Z"), FirstLocked: ts("2025-03-09T08:30:00Z")}},
	}
	p := basePractice()
	for i, c := range cases {
		id := ids{pid: int64(100 + i), form: int64(500000 + 100*i)}
		p.patient(id.pid)
		id.enc = p.visit(int64(1000+i), id.pid, "2025-03-03", "10:00", "@")
		c.add(p, id)
	}
	s := p.write(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := oeSettings()
			if c.set != nil {
				c.set(&set)
			}
			r, _, err := oeRead(t, s, set)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := visitsOf(r)[int64(1000+i)]
			if !ok {
				t.Fatalf("visit %d not read", 1000+i)
			}
			if diff := cmp.Diff(c.want, v.Notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}
