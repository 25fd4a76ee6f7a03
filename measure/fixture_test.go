package measure

// Shared fixtures for the rule tests: a small practice (two TINs, offices in three
// zones, three clinicians of whom one is not MIPS eligible) and builders for patients,
// visits and the expected issue rows.

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mipspi/mipspi/calendar"
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	nyZ  = mustZone("America/New_York")
	laZ  = mustZone("America/Los_Angeles")
	chiZ = mustZone("America/Chicago")
)

const (
	tinA = "123456789"
	tinB = "987654321"

	// Offices.
	offNY  = 1 // TIN A, New York
	offLA  = 2 // TIN A, Los Angeles
	offB   = 3 // TIN B, New York
	offChi = 4 // TIN A, Chicago

	// Clinicians.
	clinAnn = 10 // eligible
	clinBob = 11 // eligible
	clinCy  = 12 // not MIPS eligible
)

func mkNPI(stem string) string { return stem + string(NPICheckDigit(stem)) }

var (
	npiAnn = mkNPI("100000001")
	npiBob = mkNPI("100000002")
	npiCy  = mkNPI("100000003")
)

var nameByNPI = map[string]string{npiAnn: "Avery, Ann", npiBob: "Brown, Bob", npiCy: "Cole, Cy"}

func testPractice() Practice {
	return Practice{
		Offices: []Office{
			{ID: offNY, TIN: tinA, Name: "Main", Zone: nyZ},
			{ID: offLA, TIN: tinA, Name: "West", Zone: laZ},
			{ID: offB, TIN: tinB, Name: "Annex", Zone: nyZ},
			{ID: offChi, TIN: tinA, Name: "Lakeside", Zone: chiZ},
		},
		Clinicians: []Clinician{
			{ID: clinAnn, NPI: npiAnn, FirstName: "Ann", LastName: "Avery", Eligible: true},
			{ID: clinBob, NPI: npiBob, FirstName: "Bob", LastName: "Brown", Eligible: true},
			{ID: clinCy, NPI: npiCy, FirstName: "Cy", LastName: "Cole", Eligible: false},
		},
		APIWindows: []APIWindow{
			{ID: 1, TIN: tinA, Enabled: utc("2020-01-01T00:00:00Z")},
			{ID: 2, TIN: tinB, Enabled: utc("2020-01-01T00:00:00Z")},
		},
	}
}

func testConfig() Config {
	return Config{
		Start:           day("2025-01-01"),
		End:             day("2025-12-31"),
		AsOf:            utc("2026-03-02T12:00:00Z"),
		FederalHolidays: true,
	}
}

func day(s string) calendar.Date { return calendar.MustParseDate(s) }

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// local returns the instant of wall-clock time s ("2006-01-02 15:04:05") in loc, as UTC.
func local(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// ny is local(nyZ, s), the zone of most fixtures.
func ny(s string) time.Time { return local(nyZ, s) }

// invitedLongAgo is a patient invitation years before the period (R5).
func invitedLongAgo() *Invitation {
	return &Invitation{ID: 900, SentAt: utc("2019-06-01T15:00:00Z"), Recipient: "patient", Channel: "email"}
}

func patientRec(id int64, inv *Invitation, visits ...Visit) PatientRecord {
	return PatientRecord{
		Patient: Patient{ID: id, MRN: mrn(id), FirstName: "Pat", LastName: "Number" + string(rune('A'+id%26)),
			BirthDate: day("1970-01-01").AddDays(int(id)), HasBirthDate: true, Email: "p@example.com"},
		FirstInvitation: inv,
		Visits:          visits,
	}
}

func mrn(id int64) string { return "MRN-" + string(rune('0'+id/10%10)) + string(rune('0'+id%10)) }

// seen is a Complete visit of Ann at the New York office.
func seen(id int64, at time.Time, n Notes) Visit {
	return Visit{ID: id, OfficeID: offNY, ClinicianID: clinAnn, ScheduledAt: at, Status: "Complete", Notes: n}
}

func at(v Visit, office, clin int64) Visit {
	v.OfficeID, v.ClinicianID = office, clin
	return v
}

// lockedAt is one note signed and locked at t.
func lockedAt(t time.Time) Notes { return Notes{Count: 1, FirstSigned: t, FirstLocked: t} }

// signedOnly is one note signed at t and never locked.
func signedOnly(t time.Time) Notes { return Notes{Count: 1, FirstSigned: t} }

// row builds an expected R10 error row for patient p's appointment appt of Ann
// under TIN A; opts adjust it.
func row(code Code, p, appt int64, visit, deadline string, opts ...func(*Issue)) Issue {
	is := Issue{
		Code: code, Severity: SeverityError, TIN: tinA, NPI: npiAnn, Clinician: nameByNPI[npiAnn],
		PatientID: p, MRN: mrn(p), AppointmentID: appt, VisitDate: day(visit), Deadline: day(deadline),
		FixBy: day(deadline), // R9: the deadline unless capped (fixBy)
	}
	for _, o := range opts {
		o(&is)
	}
	return is
}

func event(d string) func(*Issue) {
	return func(i *Issue) { i.EventDate, i.HasEvent = day(d), true }
}
func fixByOn(d string) func(*Issue) { return func(i *Issue) { i.FixBy = day(d) } }
func bdays(n int) func(*Issue)      { return func(i *Issue) { i.BusinessDays = n } }
func fixable() func(*Issue)         { return func(i *Issue) { i.Fixable = true } }
func countsIfLocked() func(*Issue)  { return func(i *Issue) { i.CountsIfLocked = true } }
func hasEmail() func(*Issue)        { return func(i *Issue) { i.HasEmail = true } }
func warning() func(*Issue)         { return func(i *Issue) { i.Severity = SeverityWarning } }
func text(s string) func(*Issue)    { return func(i *Issue) { i.Text = s } }
func via(r, c string) func(*Issue)  { return func(i *Issue) { i.Recipient, i.Channel = r, c } }
func bound(d string) func(*Issue)   { return func(i *Issue) { i.Bound = day(d) } }
func calendarYear() func(*Issue)    { return func(i *Issue) { i.CalendarYear = true } }
func tinOf(t string) func(*Issue)   { return func(i *Issue) { i.TIN = t } }
func noVisit() func(*Issue) {
	return func(i *Issue) { i.AppointmentID, i.VisitDate, i.Deadline, i.FixBy = 0, 0, 0, 0 }
}
func noEntity() func(*Issue) { return func(i *Issue) { i.TIN, i.NPI, i.Clinician = "", "", "" } }
func patientOnly(p int64) func(*Issue) {
	return func(i *Issue) { i.PatientID, i.MRN = p, mrn(p) }
}
func npiOf(n string) func(*Issue) {
	return func(i *Issue) { i.NPI, i.Clinician = n, nameByNPI[n] }
}

// nameByTIN is each TIN's practice name: its offices' names, sorted, joined.
var nameByTIN = map[string]string{tinA: "Lakeside / Main / West", tinB: "Annex"}

// ent is an expected entity row; rate and points are given explicitly.
func ent(level Level, tin, npi string, den, num, pending, ifLocked, seenV, timelyV, pendV int, rate, points float64) EntityResult {
	e := EntityResult{
		Entity:      Entity{Level: level, TIN: tin, NPI: npi, Clinician: nameByNPI[npi], PracticeName: nameByTIN[tin]},
		Denominator: den, Numerator: num, Pending: pending, Rate: rate, Points: points,
		NumeratorIfNotesLocked: ifLocked, SeenVisits: seenV, TimelyVisits: timelyV, PendingVisits: pendV,
	}
	return e
}

// annAlone is the entity pair (Ann under TIN A, group TIN A) for one patient.
func annAlone(num, pending, ifLocked, seenV, timelyV, pendV int) []EntityResult {
	rate, points := 0.0, 0.0
	if num == 1 {
		rate, points = 1, 25
	}
	return []EntityResult{
		ent(Individual, tinA, npiAnn, 1, num, pending, ifLocked, seenV, timelyV, pendV, rate, points),
		ent(Group, tinA, "", 1, num, pending, ifLocked, seenV, timelyV, pendV, rate, points),
	}
}

// numZero is the R11 finding for an entity with numerator 0.
func numZero(tin, npi string, den int) Finding {
	who := "TIN " + tin
	if npi != "" {
		who += " NPI " + npi
	}
	return Finding{Code: NumeratorZero, Severity: SeverityError, TIN: tin, NPI: npi,
		Message: who + ": numerator is 0 of " + itoa(den) + " patients; PI_PEA_1 is required, so the Promoting Interoperability category would score 0"}
}

// annZero is numZero for Ann's entity and group TIN A, one patient.
func annZero() []Finding { return []Finding{numZero(tinA, npiAnn, 1), numZero(tinA, "", 1)} }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// view is the part of a Result a rule case pins down: the whole entity table, every
// issue row and every finding.
type view struct {
	Entities []EntityResult
	Issues   []Issue
	Findings []Finding
}

func viewOf(r *Result) view {
	var rows []Issue
	for is, err := range r.AllIssues() {
		if err != nil {
			panic(err) // rows in memory are always read back
		}
		rows = append(rows, is)
	}
	// The causes and their run warnings have their own tests (causes_test.go).
	var findings []Finding
	for _, f := range r.Findings {
		if f.Code != CauseKeepsOut {
			findings = append(findings, f)
		}
	}
	return view{Entities: r.Entities, Issues: rows, Findings: findings}
}

// cmpOpts compare results; an entity's causes have their own tests (causes_test.go).
var cmpOpts = []cmp.Option{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(EntityResult{}, "Causes")}

func mustEvaluate(t *testing.T, cfg Config, p Practice, recs ...PatientRecord) *Result {
	t.Helper()
	r, err := Evaluate(cfg, p, recs)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return r
}
