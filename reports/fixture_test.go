package reports

import (
	"iter"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// The hand-built result every golden test encodes: two TINs, a clinician under both,
// group rows, an issue row of every code, findings, statuses and a patient drill-down.
// It is built by hand (not by the engine) so that these tests pin the encoders alone.

const (
	tinA = "123456789"
	tinB = "987654321"
)

var (
	npiAdams = npi("123456789")
	npiBaker = npi("124531959")
	npiChen  = npi("167957672")
)

func npi(stem string) string { return stem + string(measure.NPICheckDigit(stem)) }

func d(s string) calendar.Date { return calendar.MustParseDate(s) }

// issuesOf collects a result's issue rows.
func issuesOf(r *measure.Result) []measure.Issue { return must(r.AllIssues()) }

func outcomesOf(r *measure.Result) []measure.Outcome { return must(r.AllOutcomes()) }

// must collects rows kept in memory (they always read back).
func must[T any](rows iter.Seq2[T, error]) []T {
	var out []T
	for v, err := range rows {
		if err != nil {
			panic(err)
		}
		out = append(out, v)
	}
	return out
}

// withIssues is a copy of r whose issue rows are exactly rows.
func withIssues(r *measure.Result, rows []measure.Issue) *measure.Result {
	c := *r
	c.Issues = measure.RowsOf(rows)
	return &c
}

// withOutcomes is a copy of r whose drill-down is exactly rows.
func withOutcomes(r *measure.Result, rows []measure.Outcome) *measure.Result {
	c := *r
	c.Outcomes = measure.RowsOf(rows)
	return &c
}

// worklist is r.Worklist(npi) of rows kept in memory.
func worklist(r *measure.Result, npi string) measure.Worklist {
	w, err := r.Worklist(npi)
	if err != nil {
		panic(err)
	}
	return w
}

func testResult() *measure.Result {
	closures := []calendar.Date{d("2025-03-14")}
	cal := calendar.New(true, closures)
	// As of the period's last day, so that visits of its last days are still pending
	// (R9: fix-by dates are capped at the period end).
	asOf := time.Date(2025, time.March, 31, 15, 0, 0, 0, time.UTC)
	asOfDate := d("2025-03-31")
	cfg := measure.Config{
		Start: d("2025-01-01"), End: d("2025-03-31"), AsOf: asOf,
		FederalHolidays: true, Closures: closures, KeepPatients: true,
	}.WithDefaults()

	// visit builds a visit-level issue row with the R3 deadline from the calendar.
	visit := func(code measure.Code, tin, npi, clin string, patient int64, mrn string, appt int64, v string) measure.Issue {
		vd := d(v)
		dl := cal.Deadline(vd)
		fix := min(dl, cfg.End) // R9
		is := measure.Issue{Code: code, Severity: measure.SeverityError, TIN: tin, NPI: npi, Clinician: clin,
			PatientID: patient, MRN: mrn, AppointmentID: appt, VisitDate: vd, Deadline: dl, FixBy: fix}
		if fix >= asOfDate {
			is.Fixable = true
			is.BusinessDays = cal.BusinessDaysBetween(asOfDate, fix)
		} else {
			is.BusinessDays = cal.BusinessDaysBetween(fix, asOfDate)
		}
		return is
	}
	late := func(is measure.Issue, event string) measure.Issue {
		is.EventDate, is.HasEvent = d(event), true
		is.Fixable = false
		is.BusinessDays = cal.BusinessDaysBetween(is.Deadline, is.EventDate)
		if !cal.IsBusinessDay(is.EventDate) {
			is.BusinessDays++ // R9: never 0 days late
		}
		return is
	}
	locked := func(is measure.Issue) measure.Issue { is.CountsIfLocked = true; return is }
	warn := func(is measure.Issue) measure.Issue {
		is.Severity = measure.SeverityWarning
		is.Fixable, is.BusinessDays = false, 0
		return is
	}

	notInvited := visit(measure.NotInvited, tinB, npiChen, "Chen, Cy", 106, "M106", 606, "2025-03-31")
	notInvited.HasEmail = true
	invitedLate := late(visit(measure.InvitedLate, tinB, npiChen, "Chen, Cy", 107, "M107", 607, "2025-01-15"), "2025-01-27")
	invitedLate.Recipient, invitedLate.Channel = "representative", "printed"
	unknown := warn(visit(measure.UnknownStatus, tinA, npiAdams, "Adams, Ann", 111, "M111", 611, "2025-03-03"))
	unknown.Text = "Left Early"
	after := late(visit(measure.AccessAfterPeriod, tinB, npiChen, "Chen, Cy", 106, "M106", 610, "2025-03-31"), "2025-04-01")
	after.Bound = d("2025-03-31")
	after.BusinessDays = cal.BusinessDaysBetween(after.Bound, after.EventDate)
	lockBefore := warn(late(visit(measure.LockBeforeVisit, tinA, npiBaker, "Baker, Bo", 103, "M103", 603, "2025-03-27"), "2025-03-26"))

	issues := []measure.Issue{
		visit(measure.NoteMissing, tinA, npiAdams, "Adams, Ann", 101, "+15551234", 601, "2025-03-28"),
		locked(visit(measure.NoteUnsigned, tinA, npiAdams, "Adams, Ann", 102, "M102", 602, "2025-03-31")),
		locked(visit(measure.NoteNotLocked, tinA, npiBaker, "Baker, Bo", 103, "M103", 603, "2025-03-27")),
		late(visit(measure.NoteLockedLate, tinA, npiAdams, "Adams, Ann", 104, "M104", 604, "2025-02-13"), "2025-02-25"),
		visit(measure.NoteMissing, tinA, npiAdams, "Adams, Ann", 109, "M109", 609, "2025-03-10"),
		late(visit(measure.NoteSignedLate, tinB, npiBaker, "Baker, Bo", 105, "M105", 605, "2025-01-02"), "2025-01-13"),
		notInvited,
		invitedLate,
		late(visit(measure.APINotEnabled, tinB, npiChen, "Chen, Cy", 108, "M108", 608, "2025-03-20"), "2025-03-31"),
		after,
		lockBefore,
		unknown,
		{Code: measure.InvalidNPI, Severity: measure.SeverityWarning, NPI: "1234567890", Clinician: "Doe, Dan", Text: "1234567890"},
		{Code: measure.InvalidTIN, Severity: measure.SeverityWarning, TIN: "12-3456789", Text: "12-3456789"},
		{Code: measure.InvalidEmail, Severity: measure.SeverityWarning, PatientID: 110, MRN: "M110", Text: "maria.garcia@@example"},
		{Code: measure.PossibleDuplicatePatient, Severity: measure.SeverityWarning, PatientID: 112, MRN: "M112",
			Text: "Garcia, Maria, born 1961-07-04, same as patient 110"},
	}

	ent := func(level measure.Level, tin, npi, clin string, den, num, pending, ifLocked, seen, timely, pv int) measure.EntityResult {
		names := map[string]string{tinA: "Main Street Clinic", tinB: "Annex / Westside"} // offices.name, issue 17
		e := measure.EntityResult{Entity: measure.Entity{Level: level, TIN: tin, NPI: npi, Clinician: clin, PracticeName: names[tin]},
			Denominator: den, Numerator: num, Pending: pending, NumeratorIfNotesLocked: ifLocked,
			SeenVisits: seen, TimelyVisits: timely, PendingVisits: pv}
		if den > 0 {
			exact := float64(num) / float64(den)
			e.Rate = measure.Round(exact, 4)
			e.Points = measure.Round(exact*25, 2)
		}
		return e
	}
	entities := []measure.EntityResult{
		ent(measure.Individual, tinA, npiAdams, "Adams, Ann", 5, 2, 2, 3, 7, 3, 2),
		ent(measure.Individual, tinA, npiBaker, "Baker, Bo", 3, 2, 1, 3, 4, 3, 1),
		ent(measure.Group, tinA, "", "", 7, 4, 3, 6, 11, 6, 3),
		ent(measure.Individual, tinB, npiBaker, "Baker, Bo", 2, 1, 0, 1, 2, 1, 0),
		ent(measure.Individual, tinB, npiChen, "Chen, Cy", 4, 0, 1, 0, 5, 1, 1),
		ent(measure.Group, tinB, "", "", 6, 1, 1, 1, 7, 2, 1),
	}
	// Causes in patients (most first, ties in R10 order), on some entities only: a
	// result may lack them (a combined row).
	entities[0].Causes = []measure.CauseCount{{Code: measure.NoteMissing, Patients: 2, Pending: 1}, {Code: measure.NoteUnsigned, Patients: 1, Pending: 1}}
	entities[2].Causes = []measure.CauseCount{{Code: measure.NoteMissing, Patients: 1, Pending: 1},
		{Code: measure.NoteUnsigned, Patients: 1, Pending: 1}, {Code: measure.NoteNotLocked, Patients: 1, Pending: 1}}
	entities[4].Causes = []measure.CauseCount{{Code: measure.NotInvited, Patients: 2, Pending: 1},
		{Code: measure.InvitedLate, Patients: 1}, {Code: measure.APINotEnabled, Patients: 1}}

	out := func(entity int, patient int64, mrn, first, last, birth string, in, pending bool, reason measure.Code, seen, timely int, first1, lastv string) measure.Outcome {
		o := measure.Outcome{Entity: entity, PatientID: patient, MRN: mrn, FirstName: first, LastName: last,
			InNumerator: in, Pending: pending, Reason: reason, SeenVisits: seen, TimelyVisits: timely,
			FirstVisit: d(first1), LastVisit: d(lastv)}
		if birth != "" {
			o.BirthDate, o.HasBirthDate = d(birth), true
		}
		return o
	}
	outcomes := []measure.Outcome{
		out(0, 101, "+15551234", "Maria", "Garcia", "1961-07-04", false, true, measure.NoteMissing, 1, 0, "2025-03-28", "2025-03-28"),
		out(0, 102, "M102", "Oliver", "Nguyen", "1990-02-28", false, true, measure.NoteUnsigned, 1, 0, "2025-03-31", "2025-03-31"),
		out(0, 104, "M104", "Adaeze", "Okafor", "1975-11-30", false, false, measure.NoteLockedLate, 2, 1, "2025-01-08", "2025-02-13"),
		out(0, 109, "M109", "Liam", "O'Brien", "", false, false, measure.NoteMissing, 1, 0, "2025-03-10", "2025-03-10"),
		out(0, 120, "M120", "Zoe", "Kowalski", "2001-09-09", true, false, "", 2, 2, "2025-01-06", "2025-03-03"),
		out(1, 103, "M103", "Sam", "Patel", "1988-04-15", false, true, measure.NoteNotLocked, 1, 0, "2025-03-27", "2025-03-27"),
		out(2, 120, "M120", "Zoe", "Kowalski", "2001-09-09", true, false, "", 2, 2, "2025-01-06", "2025-03-03"),
		out(4, 106, "M106", "Hana", "Suzuki", "1950-12-25", false, true, measure.NotInvited, 2, 0, "2025-03-31", "2025-03-31"),
		out(5, 107, "M107", "Ivan", "Petrov", "1944-01-01", false, false, measure.InvitedLate, 1, 0, "2025-01-15", "2025-01-15"),
	}

	return withOutcomes(withIssues(&measure.Result{
		MeasureID:       measure.MeasureID,
		Config:          cfg,
		PerformanceYear: 2025,
		Entities:        entities,
		Trend:           fixtureTrend(entities),
		Zones:           []string{"America/New_York"},
		Findings: []measure.Finding{
			{Code: measure.APINeverEnabled, Severity: measure.SeverityError, TIN: "555000111",
				Message: "the patient API was never enabled for TIN 555000111: no visit under it can count"},
			{Code: measure.UnknownStatus, Severity: measure.SeverityWarning, Status: "Left Early", Count: 3,
				Message: `status "Left Early" is not in the seen set; add it to seen_statuses if these visits happened`},
			{Code: measure.PeriodTooShort, Severity: measure.SeverityWarning,
				Message: "the period 2025-01-01..2025-03-31 is 90 days; performance year 2025 needs at least 180 consecutive days"},
			{Code: measure.NumeratorZero, Severity: measure.SeverityWarning, TIN: tinB, NPI: npiChen,
				Message: "numerator is 0: the PI category would score 0"},
		},
		Statuses: []measure.StatusCount{
			{Status: "Complete", Count: 29, Seen: true, Known: true},
			{Status: "Cancelled", Count: 5, Known: true},
			{Status: "Left Early", Count: 3},
			{Status: "No Show", Count: 2, Known: true},
			{Status: "=cmd|' /C calc'!A0", Count: 1},
		},
		Counts: measure.Counts{Patients: 14, Appointments: 44, OutsidePeriod: 2, NotSeen: 11, NotEligible: 2,
			SeenVisits: 29, TimelyVisits: 13, PendingVisits: 5, PatientsInNumerator: 5},
		Calendar: cal,
	}, issues), outcomes)
}

// fixtureTrend is a trend over the fixture's quarter (cutoffs Jan 31, Feb 28 and the
// as-of's Mar 31) that ends at each entity's figures: a third of them by January, two
// thirds by February.
func fixtureTrend(ents []measure.EntityResult) *measure.Trend {
	t := &measure.Trend{Cutoffs: []calendar.Date{d("2025-01-31"), d("2025-02-28"), d("2025-03-31")}}
	for _, e := range ents {
		var ps []measure.TrendPoint
		for k := 1; k <= 3; k++ {
			p := measure.TrendPoint{Numerator: e.Numerator * k / 3, Denominator: e.Denominator * k / 3}
			if p.Denominator > 0 {
				p.Rate = measure.Round(float64(p.Numerator)/float64(p.Denominator), 4)
			}
			ps = append(ps, p)
		}
		t.Points = append(t.Points, ps)
	}
	return t
}

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}
