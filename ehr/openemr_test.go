package ehr_test

// The OpenEMR source (SPEC §8) on a real MariaDB holding OpenEMR 8.2's own schema: each
// mapping rule and each trap in a table test of its own, with exact figures and messages.

import (
	"context"
	"errors"
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
	return e.ev.Result()
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
			p.note(c.form+4, c.enc, c.pid, "lbfprogress", "l@2025-03-03 10:10:00") // another case: another form
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

// TestOpenEMRLinks covers the encounter of an appointment (SPEC §8): the tracker row with
// its eid and apptdate (several: the highest id), else the one encounter of the same
// patient, date and provider with a live newpatient form that no tracker row links to
// another appointment; several are no link. Each case is its own patient; its visit
// (eid 2000+i) on 2025-04-07 10:00 has a locked soap note only in the encounter that
// should be found (enc A); the others have none.
func TestOpenEMRLinks(t *testing.T) {
	const day = "2025-04-07"
	locked := measure.Notes{Count: 1, FirstSigned: chi("2025-04-08 09:00:00"), FirstLocked: chi("2025-04-08 09:00:00")}
	type ids struct{ pid, eid, a, b int64 } // encounters a (with the note) and b
	// visitOnly adds the appointment without a tracker row.
	visitOnly := func(p *oePractice, c ids, aid string) {
		p.events = append(p.events, ehr.OEEvent{EID: c.eid, CatID: 5, PID: fmt.Sprint(c.pid), AID: aid, EventDate: day,
			StartTime: "10:00:00", Status: ">", Facility: 10, BillingLocation: 10})
	}
	track := func(p *oePractice, id, eid, pid, enc int64, date string) {
		p.tracker = append(p.tracker, ehr.OETracker{ID: id, EID: eid, PID: pid, Encounter: enc, ApptDate: date, ApptTime: "10:00:00"})
	}
	withNote := func(p *oePractice, c ids) {
		p.note(c.a*10+1, c.a, c.pid, "soap", "l@2025-04-08 09:00:00")
	}
	cases := []struct {
		name      string
		add       func(p *oePractice, c ids)
		want      measure.Notes
		ambiguous bool
	}{
		{"tracker link", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 10:05:00", 6) // another provider: the tracker decides
			withNote(p, c)
			track(p, c.eid, c.eid, c.pid, c.a, day)
		}, locked, false},
		{"several tracker rows: the highest id", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 10:05:00", 5)
			p.encounter(c.b, c.pid, day+" 11:05:00", 5)
			withNote(p, c)
			track(p, c.eid*10+2, c.eid, c.pid, c.a, day)
			track(p, c.eid*10+1, c.eid, c.pid, c.b, day)
		}, locked, false},
		{"tracker row with encounter 0: the fallback", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 10:05:00", 5)
			withNote(p, c)
			track(p, c.eid, c.eid, c.pid, 0, day)
		}, locked, false},
		{"tracker row of another date (rescheduled): the fallback still finds its encounter", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 10:05:00", 5)
			withNote(p, c)
			track(p, c.eid, c.eid, c.pid, c.a, "2025-04-04")
		}, locked, false},
		{"fallback: same patient, date and provider", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 15:00:00", 5)
			withNote(p, c)
		}, locked, false},
		{"fallback: another provider is no link", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 10:05:00", 6)
			withNote(p, c)
		}, measure.Notes{}, false},
		{"fallback: another date is no link", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, "2025-04-08 10:05:00", 5)
			withNote(p, c)
		}, measure.Notes{}, false},
		{"fallback: a deleted newpatient form is no link", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 10:05:00", 5)
			p.forms[len(p.forms)-1].Deleted = true
			withNote(p, c)
		}, measure.Notes{}, false},
		{"fallback: an encounter linked to another appointment is not a candidate", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 10:05:00", 5)
			withNote(p, c)
			track(p, c.eid, c.eid+500, c.pid, c.a, day)
		}, measure.Notes{}, false},
		{"fallback: one candidate left when the other is linked elsewhere", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 10:05:00", 5)
			p.encounter(c.b, c.pid, day+" 11:05:00", 5)
			withNote(p, c)
			track(p, c.eid, c.eid+500, c.pid, c.b, day)
		}, locked, false},
		{"fallback: two candidates are AMBIGUOUS_ENCOUNTER", func(p *oePractice, c ids) {
			visitOnly(p, c, "5")
			p.encounter(c.a, c.pid, day+" 10:05:00", 5)
			p.encounter(c.b, c.pid, day+" 11:05:00", 5)
			withNote(p, c)
		}, measure.Notes{}, true},
	}
	p := basePractice()
	for i, c := range cases {
		id := ids{pid: int64(200 + i), eid: int64(2000 + i), a: int64(30000 + 10*i), b: int64(30000 + 10*i + 5)}
		p.patient(id.pid)
		c.add(p, id)
	}
	s := p.write(t)
	r, _, err := oeRead(t, s, oeSettings())
	if err != nil {
		t.Fatal(err)
	}
	vs := visitsOf(r)
	var wantAmb []int64
	for i, c := range cases {
		if c.ambiguous {
			wantAmb = append(wantAmb, int64(2000+i))
		}
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, vs[int64(2000+i)].Notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
	res, err := oeEvaluate(t, s, oeSettings())
	if err != nil {
		t.Fatal(err)
	}
	got := findings(res, measure.AmbiguousEncounter)
	want := []measure.Finding{{Code: measure.AmbiguousEncounter, Severity: measure.SeverityWarning, Count: 1, Examples: wantAmb,
		Message: fmt.Sprintf("1 seen visits in the period have several encounters of the same patient, date and provider and no tracker link (pc_eid %d); none is taken, so they have no note: link each visit to its encounter in OpenEMR's flow board", wantAmb[0])}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// findings are res's findings of code.
func findings(res *measure.Result, code measure.Code) []measure.Finding {
	var out []measure.Finding
	for _, f := range res.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// TestOpenEMRAppointments covers the appointments (SPEC §8): pc_pid all digits and not
// 0 (text ids, leading zeros, events of no patient), pc_recurrtype 0, the status kept as
// its option id, the billing facility as the office, local times (NULL start 00:00,
// 24:00 the next day), a user that does not exist on a visit that is not seen, the
// patient's columns and first credentials.
func TestOpenEMRAppointments(t *testing.T) {
	p := basePractice()
	ev := func(eid int64, pid, aid, date, start, status string, fac, bill int64) {
		p.events = append(p.events, ehr.OEEvent{EID: eid, CatID: 5, PID: pid, AID: aid, EventDate: date, StartTime: start,
			Status: status, Facility: fac, BillingLocation: bill})
	}
	p.patient(7)
	ev(1, "1", "5", "2025-03-03", "09:00:00", "@", 10, 11) // billing facility 11 is the office
	ev(2, "1", "6", "2025-03-04", "", "x", 11, 0)          // NULL start: 00:00; billing 0: facility 11
	ev(3, "007", "5", "2025-03-05", "24:00:00", "TH", 10, 10)
	ev(4, "7", "99", "2025-03-06", "10:00:00", "?", 10, 10) // no such user, not seen: a placeholder
	ev(5, "12abc", "5", "2025-03-07", "10:00:00", "@", 10, 10)
	ev(6, "0", "5", "2025-03-07", "12:00:00", "-", 10, 10) // lunch: no patient
	ev(7, "", "5", "2025-03-07", "12:00:00", "-", 10, 10)
	ev(8, "00", "5", "2025-03-07", "12:00:00", "-", 10, 10)
	p.events = append(p.events, ehr.OEEvent{EID: 9, CatID: 5, PID: "2", AID: "5", EventDate: "2025-01-06", EndDate: "2025-12-29",
		StartTime: "09:00:00", Status: "-", Facility: 10, RecurrType: 1, RecurrSpec: "weekly"})
	ev(10, "2", "5", "2024-12-30", "23:00:00", "@", 10, 10) // two days before the period: not read
	ev(11, "3", "5", "2024-12-31", "23:30:00", "@", 10, 10) // the day before: read (measure decides)
	p.creds(1, 1, "2019-06-01 09:00:00")
	p.creds(2, 3, "0000-00-00 00:00:00") // a zero date: no invitation
	s := p.write(t)
	r, st, err := oeRead(t, s, oeSettings())
	if err != nil {
		t.Fatal(err)
	}
	inv := &measure.Invitation{ID: 1, SentAt: chi("2019-06-01 09:00:00"), Recipient: "patient", Channel: "portal"}
	want := []measure.PatientRecord{
		{Patient: measure.Patient{ID: 1, MRN: "MRN1", FirstName: "Pat", LastName: "One", BirthDate: calendar.MustParseDate("1970-01-01"),
			HasBirthDate: true, Email: "one@example.com"}, FirstInvitation: inv, Visits: []measure.Visit{
			{ID: 1, OfficeID: 11, ClinicianID: 5, ScheduledAt: chi("2025-03-03 09:00:00"), Status: "@"},
			{ID: 2, OfficeID: 11, ClinicianID: 6, ScheduledAt: chi("2025-03-04 00:00:00"), Status: "x"},
		}},
		{Patient: measure.Patient{ID: 3, MRN: "MRN3", FirstName: "Pat", LastName: "Three", Email: "three@example.com"}, Visits: []measure.Visit{
			{ID: 11, OfficeID: 10, ClinicianID: 5, ScheduledAt: chi("2024-12-31 23:30:00"), Status: "@"},
		}},
		{Patient: measure.Patient{ID: 7, MRN: "M7", FirstName: "Case", LastName: "P7", BirthDate: calendar.MustParseDate("1980-05-05"),
			HasBirthDate: true, Email: "p7@example.com"}, Visits: []measure.Visit{
			{ID: 3, OfficeID: 10, ClinicianID: 5, ScheduledAt: chi("2025-03-06 00:00:00"), Status: "TH"},
			{ID: 4, OfficeID: 10, ClinicianID: -1, ScheduledAt: chi("2025-03-06 10:00:00"), Status: "?"},
		}},
	}
	if diff := cmp.Diff(want, r.patients); diff != "" {
		t.Errorf("patients (-want +got):\n%s", diff)
	}
	if st.Patients != 3 || st.Appointments != 5 || st.Invitations != 1 || st.Offices != 3 || st.Clinicians != 2 {
		t.Errorf("stats = %+v", st)
	}
	// Offices: facility 3 of the schema has no TIN; the placeholder comes last.
	var tins []string
	for _, o := range r.practice.Offices {
		tins = append(tins, fmt.Sprintf("%d %s %q %s", o.ID, o.Name, o.TIN, o.Zone))
	}
	wantOffices := []string{`3 Your Clinic Name Here "" America/Chicago`, `10 North Clinic "361234567" America/Chicago`,
		`11 South Clinic "361234567" America/Chicago`, `-1 no such facility "" America/Chicago`}
	if diff := cmp.Diff(wantOffices, tins); diff != "" {
		t.Errorf("offices (-want +got):\n%s", diff)
	}
}

// TestOpenEMRDataErrors covers the rows that stop a read (SPEC §8): a TIME outside the
// day, and a seen visit of the period whose user, facility or patient does not exist;
// each named by table, id and column. Each case lives in a year of its own and is read
// with that year as the period.
func TestOpenEMRDataErrors(t *testing.T) {
	p := basePractice()
	ev := func(eid int64, pid, aid, date, start, status string, fac int64) {
		p.events = append(p.events, ehr.OEEvent{EID: eid, CatID: 5, PID: pid, AID: aid, EventDate: date, StartTime: start,
			Status: status, Facility: fac, BillingLocation: fac})
	}
	ev(1, "1", "5", "2021-03-03", "25:00:00", "x", 10)
	ev(2, "1", "99", "2022-03-03", "09:00:00", ">", 10)
	ev(3, "1", "5", "2023-03-03", "09:00:00", "@", 42)
	ev(4, "404", "5", "2024-03-03", "09:00:00", "~", 10)
	ev(5, "404", "5", "2019-03-03", "09:00:00", "x", 42) // not seen: placeholders, no error
	enc := p.visit(6, 1, "2020-03-03", "09:00", "@")
	p.note(60, enc, 1, "soap", "l@0000-00-00 00:00:00")
	zeroSig := sigID
	p.encounter(7000, 1, "2018-03-03 09:00:00", 5)
	p.encounters = append(p.encounters, ehr.OEEncounter{ID: 7001, Encounter: 7000, PID: 2, Date: "2018-04-04 09:00:00", ProviderID: 5, FacilityID: 10})
	s := p.write(t)
	cases := []struct {
		year int
		want string
	}{
		{2021, `openemr_postcalendar_events id 1 column pc_startTime: time "25:00:00" is outside 00:00–24:00`},
		{2022, `openemr_postcalendar_events id 2 column pc_aid: user "99" not found in users (a seen visit in the period)`},
		{2023, `openemr_postcalendar_events id 3 column pc_billing_location: neither the billing facility 42 nor the facility 42 is in facility (a seen visit in the period)`},
		{2024, `openemr_postcalendar_events id 4 column pc_pid: patient 404 not found in patient_data (a seen visit in the period)`},
		{2020, fmt.Sprintf("esign_signatures id %d column datetime: zero date: a signature without its time", zeroSig)},
		{2018, "form_encounter id encounter 7000 column encounter: two form_encounter rows of the period have this encounter number"},
		{2019, ""},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.year), func(t *testing.T) {
			_, err := s.ReadOpenEMR(context.Background(), calendar.NewDate(c.year, 1, 1), calendar.NewDate(c.year, 12, 31), oeSettings(), &recorder{})
			if c.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			var de *ehr.DataError
			if !errors.As(err, &de) || err.Error() != c.want {
				t.Errorf("err = %v, want the data error %q", err, c.want)
			}
		})
	}
}

// TestOpenEMRFindings covers the findings of the OpenEMR source (SPEC §8) with their
// exact counts and messages: RECURRING_APPOINTMENT, INVITATION_DATES_SUSPECT, the rows
// that point at nothing (signatures of no form or encounter, credentials of no
// patient), UNKNOWN_STATUS named with its list title; and the refusal of a patient API
// switched on with no attested window.
func TestOpenEMRFindings(t *testing.T) {
	p := basePractice()
	series := func(eid int64, pid, status, end string) {
		p.events = append(p.events, ehr.OEEvent{EID: eid, CatID: 5, PID: pid, AID: "5", EventDate: "2024-06-03", EndDate: end,
			StartTime: "09:00:00", Status: status, Facility: 10, RecurrType: 1, RecurrSpec: "weekly"})
	}
	series(50, "1", "@", "2025-02-01")
	series(51, "1", "@", "2024-12-01") // ended before the period
	series(52, "1", "-", "2025-12-01") // not seen
	series(53, "2", ">", "")           // open-ended
	series(54, "2", "~", "0000-00-00") // a zero end date is open-ended too
	series(55, "0", "@", "")           // no patient: not an appointment series
	p.options = append(p.options, ehr.OEOption{ListID: "apptstat", OptionID: "TH", Title: "Telehealth done", Seq: 100})
	p.visit(60, 1, "2025-05-05", "09:00", "TH")
	p.visit(61, 2, "2025-05-05", "09:00", "TH")
	p.visit(62, 3, "2025-05-05", "09:00", "ZZ")
	// 52 credentials: 50 of patients 1000–1049 (11 created at one instant), one of a
	// patient who does not exist and one of no patient.
	for i := int64(0); i < 50; i++ {
		p.patient(1000 + i)
		at := fmt.Sprintf("2023-02-%02d 10:00:00", 1+i%27)
		if i < 11 {
			at = "2023-01-10 03:00:00"
		} else if i >= 27 {
			at = fmt.Sprintf("2023-03-%02d 10:00:00", 1+i%27)
		}
		p.creds(1000+i, 1000+i, at)
	}
	p.creds(2000, 9001, "2023-05-01 10:00:00")
	p.exec = append(p.exec, "INSERT INTO patient_access_onsite (id, pid, date_created) VALUES (2001, NULL, '2023-05-02 10:00:00')")
	enc := p.visit(70, 1, "2025-06-02", "09:00", "@")
	p.form(700, enc, 1, "soap", "2025-06-02 09:30:00", true) // deleted: its signature is not dangling
	p.sign("forms", 700, "l@2025-06-02 10:00:00")
	p.sign("forms", 999999, "l@2025-06-02 10:00:00")
	danglingForm := sigID
	p.sign("form_encounter", 888888, "l@2025-06-02 10:00:00")
	danglingEnc := sigID
	s := p.write(t)

	res, err := oeEvaluate(t, s, oeSettings())
	if err != nil {
		t.Fatal(err)
	}
	var got []measure.Finding
	for _, f := range res.Findings {
		switch f.Code {
		case measure.NumeratorZero, measure.PeriodTooShort:
		default:
			got = append(got, f)
		}
	}
	w := measure.SeverityWarning
	want := []measure.Finding{
		{Code: measure.UnknownStatus, Severity: w, Status: "TH", Count: 2,
			Message: `appointment status "TH" ("Telehealth done" in the EHR's status list) (2 appointments) is not a known status; it is not counted as seen unless added to seen_statuses`},
		{Code: measure.UnknownStatus, Severity: w, Status: "ZZ", Count: 1,
			Message: `appointment status "ZZ" (1 appointments) is not a known status; it is not counted as seen unless added to seen_statuses`},
		{Code: measure.DanglingNote, Severity: w, Count: 2, Examples: []int64{danglingForm, danglingEnc},
			Message: fmt.Sprintf("2 clinical notes name an appointment that does not exist; they are left out (ids %d, %d)", danglingForm, danglingEnc)},
		{Code: measure.DanglingInvitation, Severity: w, Count: 2, Examples: []int64{2000, 2001},
			Message: "2 portal invitations name a patient who does not exist; they are left out (ids 2000, 2001)"},
		{Code: measure.RecurringAppointment, Severity: w, Count: 3, Examples: []int64{50, 53, 54},
			Message: "3 recurring appointment series with a seen status overlap the period (pc_eid 50, 53, 54); a series is one calendar row for many dates and is never counted as a visit: in OpenEMR, edit each visit that took place so that it becomes an appointment of its own"},
		{Code: measure.InvitationDatesSuspect, Severity: w, Count: 11,
			Message: `11 of 52 portal credentials (patient_access_onsite) were created at the same instant, "2023-01-10 03:00:00": OpenEMR 7.0.0's upgrade stamped the credentials it found with its own time, so those patients' first invitations may be earlier than mipspi reads`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}

	// The API switched on in globals with no attested window: a usage error.
	_, _, err = oeRead(t, s, ehr.OpenEMRSettings{})
	var se *ehr.SettingError
	if !errors.As(err, &se) || se.Setting != "openemr.api_windows" {
		t.Errorf("err = %v, want the openemr.api_windows setting error", err)
	}
}

// TestOpenEMREncounterVisits covers openemr.visits: encounters (SPEC §8): every
// encounter with a live newpatient form is a seen visit (id the encounter number, office
// the billing facility else the facility, clinician the provider, its local time), its
// notes found with the encounter as its own link; appointments are not read.
func TestOpenEMREncounterVisits(t *testing.T) {
	p := basePractice()
	enc := p.visit(1, 1, "2025-03-03", "10:00", "x") // a cancelled appointment's encounter is still a visit
	p.note(11, enc, 1, "soap", "l@2025-03-04 09:00:00")
	p.encounter(500, 2, "2025-04-01 08:15:00", 6) // no appointment at all
	p.encounters[len(p.encounters)-1].BillingFacility = 0
	p.encounters[len(p.encounters)-1].FacilityID = 11
	p.sign("form_encounter", 500, "s@2025-04-01 09:00:00")
	p.encounter(600, 3, "2025-04-02 08:15:00", 6)
	p.forms[len(p.forms)-1].Deleted = true // no live newpatient form: not a visit
	p.events = append(p.events, ehr.OEEvent{EID: 2, CatID: 5, PID: "3", AID: "5", EventDate: "2025-04-02", StartTime: "08:00:00", Status: "@", Facility: 10, BillingLocation: 10})
	s := p.write(t)
	set := oeSettings()
	set.Visits = ehr.OpenEMREncounters
	r, _, err := oeRead(t, s, set)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]measure.Visit{}
	for _, pr := range r.patients {
		for _, v := range pr.Visits {
			got[v.ID] = v
		}
	}
	want := map[int64]measure.Visit{
		enc: {ID: enc, OfficeID: 10, ClinicianID: 5, ScheduledAt: chi("2025-03-03 10:00:00"), Status: ehr.OpenEMREncounterStatus,
			Notes: measure.Notes{Count: 1, FirstSigned: chi("2025-03-04 09:00:00"), FirstLocked: chi("2025-03-04 09:00:00")}},
		500: {ID: 500, OfficeID: 11, ClinicianID: 6, ScheduledAt: chi("2025-04-01 08:15:00"), Status: ehr.OpenEMREncounterStatus,
			Notes: measure.Notes{Count: 1, FirstSigned: chi("2025-04-01 09:00:00")}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("visits (-want +got):\n%s", diff)
	}
}
