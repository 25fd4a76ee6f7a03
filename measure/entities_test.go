package measure

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPolicies covers R8 on a late first and a late second visit.
func TestPolicies(t *testing.T) {
	v7 := ny("2025-03-03 10:00:00") // deadline 2025-03-07
	v8 := ny("2025-04-07 10:00:00") // deadline 2025-04-11
	lateFirst := patientRec(1, invitedLongAgo(),
		seen(7, v7, lockedAt(ny("2025-03-10 09:00:00"))), seen(8, v8, lockedAt(ny("2025-04-08 09:00:00"))))
	lateSecond := patientRec(1, invitedLongAgo(),
		seen(7, v7, lockedAt(ny("2025-03-04 09:00:00"))), seen(8, v8, lockedAt(ny("2025-04-14 09:00:00"))))
	// The database may hand the visits over in any order.
	lateSecondReversed := lateSecond
	lateSecondReversed.Visits = []Visit{lateSecond.Visits[1], lateSecond.Visits[0]}
	firstRow := row(NoteLockedLate, 1, 7, "2025-03-03", "2025-03-07", event("2025-03-10"), bdays(1))
	secondRow := row(NoteLockedLate, 1, 8, "2025-04-07", "2025-04-11", event("2025-04-14"), bdays(1))
	anyVisit := func(c *Config) { c.Policy = AnyVisit }
	out := view{Entities: annAlone(0, 0, 0, 2, 1, 0), Findings: annZero()}
	in := view{Entities: annAlone(1, 0, 1, 2, 1, 0)}
	with := func(v view, rows ...Issue) view { v.Issues = rows; return v }
	runRuleCases(t, []ruleCase{
		{name: "every-visit, late first visit: out", recs: []PatientRecord{lateFirst}, want: with(out, firstRow)},
		{name: "every-visit, late second visit: out", recs: []PatientRecord{lateSecond}, want: with(out, secondRow)},
		{name: "every-visit, visits in reverse order", recs: []PatientRecord{lateSecondReversed}, want: with(out, secondRow)},
		{name: "any-visit, late first visit: in", cfg: anyVisit, recs: []PatientRecord{lateFirst}, want: with(in, firstRow)},
		{name: "any-visit, late second visit: in", cfg: anyVisit, recs: []PatientRecord{lateSecond}, want: with(in, secondRow)},
	})
}

// TestAttribution covers R2: group de-duplication, one NPI under two TINs, and a
// clinician who is not MIPS eligible.
func TestAttribution(t *testing.T) {
	early := ny("2025-03-03 10:00:00") // deadline 2025-03-07
	later := ny("2025-04-07 10:00:00") // deadline 2025-04-11
	timely := lockedAt(ny("2025-03-04 09:00:00"))
	timelyLater := lockedAt(ny("2025-04-08 09:00:00"))
	late := lockedAt(ny("2025-04-14 09:00:00"))
	twoClinicians := []PatientRecord{
		patientRec(1, invitedLongAgo(), seen(7, early, timely), at(seen(8, later, late), offNY, clinBob)),
		patientRec(2, invitedLongAgo(), at(seen(9, early, timely), offNY, clinBob)),
	}
	bobLate := row(NoteLockedLate, 1, 8, "2025-04-07", "2025-04-11", event("2025-04-14"), bdays(1), npiOf(npiBob))
	twoTINs := []PatientRecord{
		patientRec(1, invitedLongAgo(), seen(7, early, timely), at(seen(8, later, late), offB, clinAnn)),
	}
	anyVisit := func(c *Config) { c.Policy = AnyVisit }
	neverB := "the patient API was never enabled for TIN " + tinB + " as of 2026-03-02T12:00:00Z: no visit under this TIN can be timely"
	runRuleCases(t, []ruleCase{
		{
			name: "group de-duplicates a patient seen by two clinicians (every-visit)",
			recs: twoClinicians,
			want: view{
				Entities: []EntityResult{
					ent(Individual, tinA, npiAnn, 1, 1, 0, 1, 1, 1, 0, 1, 25),
					ent(Individual, tinA, npiBob, 2, 1, 0, 1, 2, 1, 0, 0.5, 12.5),
					ent(Group, tinA, "", 2, 1, 0, 1, 3, 2, 0, 0.5, 12.5),
				},
				Issues: []Issue{bobLate},
			},
		},
		{
			name: "group de-duplicates a patient seen by two clinicians (any-visit)",
			cfg:  anyVisit,
			recs: twoClinicians,
			want: view{
				Entities: []EntityResult{
					ent(Individual, tinA, npiAnn, 1, 1, 0, 1, 1, 1, 0, 1, 25),
					ent(Individual, tinA, npiBob, 2, 1, 0, 1, 2, 1, 0, 0.5, 12.5),
					ent(Group, tinA, "", 2, 2, 0, 2, 3, 2, 0, 1, 25),
				},
				Issues: []Issue{bobLate},
			},
		},
		{
			name: "one NPI under two TINs: no credit crosses (any-visit)",
			cfg:  anyVisit,
			recs: twoTINs,
			want: view{
				Entities: []EntityResult{
					ent(Individual, tinA, npiAnn, 1, 1, 0, 1, 1, 1, 0, 1, 25),
					ent(Group, tinA, "", 1, 1, 0, 1, 1, 1, 0, 1, 25),
					ent(Individual, tinB, npiAnn, 1, 0, 0, 0, 1, 0, 0, 0, 0),
					ent(Group, tinB, "", 1, 0, 0, 0, 1, 0, 0, 0, 0),
				},
				Issues:   []Issue{row(NoteLockedLate, 1, 8, "2025-04-07", "2025-04-11", event("2025-04-14"), bdays(1), tinOf(tinB))},
				Findings: []Finding{numZero(tinB, npiAnn, 1), numZero(tinB, "", 1)},
			},
		},
		{
			name:     "one NPI under two TINs: the other TIN's API does not count",
			practice: windows(APIWindow{ID: 1, TIN: tinA, Enabled: utc("2020-01-01T00:00:00Z")}),
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(7, early, timely),
				at(seen(8, later, timelyLater), offB, clinAnn))},
			want: view{
				Entities: []EntityResult{
					ent(Individual, tinA, npiAnn, 1, 1, 0, 1, 1, 1, 0, 1, 25),
					ent(Group, tinA, "", 1, 1, 0, 1, 1, 1, 0, 1, 25),
					ent(Individual, tinB, npiAnn, 1, 0, 0, 0, 1, 0, 0, 0, 0),
					ent(Group, tinB, "", 1, 0, 0, 0, 1, 0, 0, 0, 0),
				},
				Findings: []Finding{
					{Code: APINeverEnabled, Severity: SeverityError, TIN: tinB, Message: neverB},
					numZero(tinB, npiAnn, 1), numZero(tinB, "", 1),
				},
			},
		},
		{
			name: "clinician not MIPS eligible counts nowhere, not even in the group",
			practice: func(p *Practice) {
				p.Clinicians[2].NPI = "not-an-npi" // no INVALID_NPI: Cy has no counted visit
			},
			recs: []PatientRecord{
				patientRec(1, invitedLongAgo(), at(seen(7, early, timely), offNY, clinCy)),
				patientRec(2, invitedLongAgo(), at(seen(8, early, lockedAt(ny("2025-03-12 09:00:00"))), offNY, clinCy),
					seen(9, ny("2025-03-05 10:00:00"), lockedAt(ny("2025-03-06 09:00:00")))),
			},
			want: view{Entities: annAlone(1, 0, 1, 1, 1, 0)},
		},
	})
}

// TestStatusesAndPeriod covers R1: trimmed, case-insensitive statuses, custom statuses
// (with and without a configured seen set), the unknown-status finding, local dates at
// the period's edges, and the run's counts.
func TestStatusesAndPeriod(t *testing.T) {
	lock := lockedAt(ny("2025-03-04 09:00:00"))
	st := func(id int64, hour string, status string) Visit {
		v := seen(id, ny("2025-03-03 "+hour+":00:00"), lock)
		v.Status = status
		return v
	}
	rec := patientRec(1, invitedLongAgo(),
		st(1, "08", "  checked IN "),
		st(2, "09", "COMPLETE"),
		st(3, "10", "Telehealth Done"),
		st(4, "11", "telehealth done"),
		st(5, "12", "No-Show"),
		st(6, "13", "Cancelled"),
		st(7, "14", "Arrived"),
		// 22:00 Pacific on Dec 31 2024 is Jan 1 2025 in UTC: outside the period.
		at(seen(8, local(laZ, "2024-12-31 22:00:00"), lock), offLA, clinAnn),
		// 22:00 Pacific on Dec 31 2025 is Jan 1 2026 in UTC: inside the period.
		at(seen(9, local(laZ, "2025-12-31 22:00:00"), lockedAt(local(laZ, "2025-12-31 23:00:00"))), offLA, clinAnn),
	)
	unknown := func(status string, n int) Finding {
		return Finding{Code: UnknownStatus, Severity: SeverityWarning, Status: status, Count: n,
			Message: "appointment status " + quote(status) + " (" + itoa(n) + " appointments) is not a known status; it is not counted as seen unless added to seen_statuses"}
	}
	type want struct {
		Entities []EntityResult
		Findings []Finding
		Statuses []StatusCount
		Counts   Counts
	}
	cases := []struct {
		name string
		seen []string
		want want
	}{
		{
			name: "default seen set",
			want: want{
				Entities: annAlone(1, 0, 1, 4, 4, 0),
				Findings: []Finding{unknown("Telehealth Done", 2)},
				Statuses: []StatusCount{
					{Status: "COMPLETE", Count: 2, Seen: true, Known: true},
					{Status: "Telehealth Done", Count: 2},
					{Status: "  checked IN ", Count: 1, Seen: true, Known: true},
					{Status: "Arrived", Count: 1, Seen: true, Known: true},
					{Status: "Cancelled", Count: 1, Known: true},
					{Status: "No-Show", Count: 1, Known: true},
				},
				Counts: Counts{Patients: 1, Appointments: 9, OutsidePeriod: 1, NotSeen: 4, SeenVisits: 4, TimelyVisits: 4, PatientsInNumerator: 1},
			},
		},
		{
			name: "configured seen set replaces the default",
			seen: []string{"telehealth DONE", " Complete"},
			want: want{
				Entities: annAlone(1, 0, 1, 4, 4, 0),
				Findings: []Finding{unknown("  checked IN ", 1), unknown("Arrived", 1)},
				Statuses: []StatusCount{
					{Status: "COMPLETE", Count: 2, Seen: true, Known: true},
					{Status: "Telehealth Done", Count: 2, Seen: true, Known: true},
					{Status: "  checked IN ", Count: 1},
					{Status: "Arrived", Count: 1},
					{Status: "Cancelled", Count: 1, Known: true},
					{Status: "No-Show", Count: 1, Known: true},
				},
				Counts: Counts{Patients: 1, Appointments: 9, OutsidePeriod: 1, NotSeen: 4, SeenVisits: 4, TimelyVisits: 4, PatientsInNumerator: 1},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.SeenStatuses = c.seen
			r := mustEvaluate(t, cfg, testPractice(), rec)
			got := want{Entities: r.Entities, Findings: r.Findings, Statuses: r.Statuses, Counts: r.Counts}
			if diff := cmp.Diff(c.want, got, cmpOpts...); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if r.IssueCount() != 0 {
				t.Errorf("issues = %v, want none", rowsOf(t, r.AllIssues()))
			}
		})
	}
}

func quote(s string) string { return `"` + s + `"` }

// TestDataQuality covers the warnings of R10 that never change a figure.
func TestDataQuality(t *testing.T) {
	visit := ny("2025-03-03 10:00:00")
	lock := lockedAt(ny("2025-03-04 09:00:00"))
	const badTIN = "12-345678" // 8 digits: not a TIN however it is read (SPEC §3)
	badNPI := "12345\x1b[31m"
	p := testPractice()
	p.Offices = append(p.Offices, Office{ID: 5, TIN: badTIN, Name: "Odd", Zone: nyZ})
	p.Clinicians = append(p.Clinicians, Clinician{ID: 13, NPI: badNPI, FirstName: "Dee", LastName: "Dunn", Eligible: true})
	p.APIWindows = append(p.APIWindows, APIWindow{ID: 5, TIN: badTIN, Enabled: utc("2020-01-01T00:00:00Z")})

	p1 := patientRec(1, invitedLongAgo(), seen(7, visit, lock))
	p1.Patient.Email = "not an email"
	p2 := patientRec(2, invitedLongAgo(), seen(8, visit, lock))
	p2.Patient.Email = strings.Repeat("x", 70) + "\x07@"
	p3 := patientRec(3, invitedLongAgo(), seen(9, visit, lock))
	p3.Patient.FirstName, p3.Patient.LastName, p3.Patient.BirthDate = " PAT", "numberb ", p1.Patient.BirthDate
	p4 := patientRec(4, invitedLongAgo(), at(seen(10, visit, lock), 5, 13))
	// Out of id order: the row is about the higher id, naming the lower.
	p20 := patientRec(20, invitedLongAgo(), seen(11, visit, lock))
	p15 := patientRec(15, invitedLongAgo(), seen(12, visit, lock))
	p15.Patient.FirstName, p15.Patient.LastName, p15.Patient.BirthDate = p20.Patient.FirstName, p20.Patient.LastName, p20.Patient.BirthDate
	// A patient with no seen visit gets no patient-level rows.
	p30 := patientRec(30, invitedLongAgo(), Visit{ID: 13, OfficeID: offNY, ClinicianID: clinAnn, ScheduledAt: visit, Status: "Cancelled"})
	p30.Patient.Email = "bad"

	r := mustEvaluate(t, testConfig(), p, p1, p2, p3, p4, p20, p15, p30)
	dee := Entity{Level: Individual, TIN: badTIN, NPI: badNPI, Clinician: "Dunn, Dee", PracticeName: "Odd"}
	want := view{
		Entities: []EntityResult{
			{Entity: dee, Denominator: 1, Numerator: 1, Rate: 1, Points: 25, NumeratorIfNotesLocked: 1, SeenVisits: 1, TimelyVisits: 1},
			{Entity: Entity{Level: Group, TIN: badTIN, PracticeName: "Odd"}, Denominator: 1, Numerator: 1, Rate: 1, Points: 25, NumeratorIfNotesLocked: 1, SeenVisits: 1, TimelyVisits: 1},
			ent(Individual, tinA, npiAnn, 5, 5, 0, 5, 5, 5, 0, 1, 25),
			ent(Group, tinA, "", 5, 5, 0, 5, 5, 5, 0, 1, 25),
		},
		Issues: []Issue{
			{Code: InvalidEmail, Severity: SeverityWarning, PatientID: 1, MRN: mrn(1), Text: `email on file is not a usable address: "not an email"`},
			{Code: InvalidEmail, Severity: SeverityWarning, PatientID: 2, MRN: mrn(2), Text: `email on file is not a usable address: "` + strings.Repeat("x", 64) + `…"`},
			{Code: PossibleDuplicatePatient, Severity: SeverityWarning, PatientID: 3, MRN: mrn(3), Text: "same name and birth date as patient 1"},
			{Code: PossibleDuplicatePatient, Severity: SeverityWarning, PatientID: 20, MRN: mrn(20), Text: "same name and birth date as patient 15"},
			{Code: InvalidNPI, Severity: SeverityWarning, NPI: badNPI, Text: "12345[31m"},
			{Code: InvalidTIN, Severity: SeverityWarning, TIN: badTIN, Text: badTIN},
		},
	}
	if diff := cmp.Diff(want, viewOf(r), cmpOpts...); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestPeriodChecks covers R11's period length warning and the configuration errors.
func TestPeriodChecks(t *testing.T) {
	short := func(start, end string, days, year, min int) []Finding {
		return []Finding{{Code: PeriodTooShort, Severity: SeverityWarning,
			Message: "performance period " + start + ".." + end + " is " + itoa(days) + " days; " + itoa(year) + " requires at least " + itoa(min) + " consecutive days"}}
	}
	cases := []struct {
		name, start, end string
		want             []Finding
	}{
		{"2025: 179 days", "2025-01-01", "2025-06-28", short("2025-01-01", "2025-06-28", 179, 2025, 180)},
		{"2025: 180 days", "2025-01-01", "2025-06-29", nil},
		{"2024: 179 days", "2024-07-06", "2024-12-31", short("2024-07-06", "2024-12-31", 179, 2024, 180)},
		{"2024: 180 days", "2024-07-05", "2024-12-31", nil},
		{"2023: 89 days", "2023-10-04", "2023-12-31", short("2023-10-04", "2023-12-31", 89, 2023, 90)},
		{"2023: 90 days", "2023-10-03", "2023-12-31", nil},
		{"2022: one day", "2022-12-31", "2022-12-31", short("2022-12-31", "2022-12-31", 1, 2022, 90)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Start, cfg.End = day(c.start), day(c.end)
			r := mustEvaluate(t, cfg, testPractice())
			if diff := cmp.Diff(c.want, r.Findings, cmpOpts...); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	bad := []struct {
		name string
		cfg  func(*Config)
		want string
	}{
		{"spans two years", func(c *Config) { c.Start, c.End = day("2024-10-01"), day("2025-03-31") }, "spans two calendar years"},
		{"end before start", func(c *Config) { c.Start, c.End = day("2025-06-01"), day("2025-05-01") }, "is before start"},
		{"unknown policy", func(c *Config) { c.Policy = "most-visits" }, `policy "most-visits"`},
		{"unknown release", func(c *Config) { c.Release = "sealed" }, `release "sealed"`},
		{"as-of not set", func(c *Config) { c.AsOf = time.Time{} }, "as-of"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			c.cfg(&cfg)
			_, err := NewEvaluator(cfg, testPractice())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("NewEvaluator error = %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestPoints covers the points formula: rate × 40 up to 2022, × 25 from 2023.
func TestPoints(t *testing.T) {
	for _, c := range []struct {
		year   int
		points float64
	}{{2022, 26.67}, {2023, 16.67}, {2025, 16.67}} {
		t.Run(itoa(c.year), func(t *testing.T) {
			y := itoa(c.year)
			cfg := testConfig()
			cfg.Start, cfg.End = day(y+"-01-01"), day(y+"-12-31")
			cfg.AsOf = utc(itoa(c.year+1) + "-03-01T00:00:00Z")
			visit := ny(y + "-03-01 10:00:00")
			r := mustEvaluate(t, cfg, testPractice(),
				patientRec(1, invitedLongAgo(), seen(1, visit, lockedAt(visit.Add(3600e9)))),
				patientRec(2, invitedLongAgo(), seen(2, visit, lockedAt(visit.Add(7200e9)))),
				patientRec(3, invitedLongAgo(), seen(3, visit, lockedAt(visit.AddDate(0, 0, 30)))))
			want := []EntityResult{
				ent(Individual, tinA, npiAnn, 3, 2, 0, 2, 3, 2, 0, 0.6667, c.points),
				ent(Group, tinA, "", 3, 2, 0, 2, 3, 2, 0, 0.6667, c.points),
			}
			if diff := cmp.Diff(want, r.Entities, cmpOpts...); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if r.PerformanceYear != c.year {
				t.Errorf("PerformanceYear = %d, want %d", r.PerformanceYear, c.year)
			}
		})
	}
}
