package combine

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

// report is a minimal valid JSON report with the given entity rows and extra fields.
func report(extra, entities string) string {
	return `{"measure_id": "PI_PEA_1", "performance_year": 2025, "performance_start": "2025-01-01",
"performance_end": "2025-12-31", "as_of": "2026-01-15T12:00:00Z", "policy": "every-visit",
"release": "lock", "numerator_actions": "period"` + extra + `, "entities": [` + entities + `]}`
}

const okRows = `{"level": "individual", "tin": "111111111", "npi": "1234567893", "denominator": 4, "numerator": 3, "rate": 0.75, "pending": 1, "numerator_if_notes_locked": 4, "seen_visits": 5, "timely_visits": 4, "pending_visits": 1},
{"level": "group", "tin": "111111111", "denominator": 4, "numerator": 3, "rate": 0.75, "pending": 1, "numerator_if_notes_locked": 4, "seen_visits": 5, "timely_visits": 4, "pending_visits": 1}`

// TestReadSkipsWhatItDoesNotNeed: issue rows, unknown fields (a later version's) and
// the drill-down when not matching are read past; the figures are kept.
func TestReadSkipsWhatItDoesNotNeed(t *testing.T) {
	in := report(`, "issues": [{"code": "NOTE_MISSING", "nested": {"a": [1, 2, {"b": null}]}}, {"code": "X"}],
"future_field": {"x": [1, 2]}, "patients": [{"level": "group", "tin": "111111111", "patient_id": 1, "in_numerator": true}]`, okRows)
	rep, err := Read("r.json", strings.NewReader(in), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Entities) != 2 || rep.Entities[0].Numerator != 3 || rep.Entities[1].Level != measure.Group || len(rep.Patients) != 0 {
		t.Errorf("entities %+v, patients %d", rep.Entities, len(rep.Patients))
	}
	rep, err = Read("r.json", strings.NewReader(in), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Patients) != 1 || !rep.Patients[0].InNumerator {
		t.Errorf("patients = %+v", rep.Patients)
	}
}

// TestReadRefuses: each malformed report is refused with the file name and a reason
// that says what is wrong and where.
func TestReadRefuses(t *testing.T) {
	row := func(s string) string { return report("", s) }
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "r.json: truncated"},
		{"cut", report("", okRows)[:200], "r.json: truncated"},
		{"garbage after", report("", okRows) + "{}", "r.json: is not a mipspi JSON report: more data after"},
		{"not an object", `[1, 2]`, "r.json: is not a mipspi JSON report"},
		{"no entities", `{"measure_id": "PI_PEA_1"}`, `r.json: is not a mipspi JSON report: no "performance_start" field`},
		{"string numerator", row(`{"level": "group", "tin": "1", "denominator": 1, "numerator": "1"}`), `r.json: field "entities": string where int was expected`},
		{"fraction", row(`{"level": "group", "tin": "1", "denominator": 1.5, "numerator": 1}`), `r.json: field "entities": number 1.5 where int was expected`},
		{"numerator > denominator", row(`{"level": "group", "tin": "1", "denominator": 2, "numerator": 3, "rate": 1.5}`), "r.json: TIN 1 (group): numerator 3 is greater than denominator 2"},
		{"negative", row(`{"level": "group", "tin": "1", "denominator": -2, "numerator": -3}`), "r.json: TIN 1 (group): denominator -2 is negative"},
		{"pending not out", row(`{"level": "group", "tin": "1", "denominator": 2, "numerator": 2, "rate": 1, "pending": 1}`), "r.json: TIN 1 (group): 1 pending patients but only 0 are out of the numerator"},
		{"rate", row(`{"level": "group", "tin": "1", "denominator": 3, "numerator": 2, "rate": 0.6}`), "r.json: TIN 1 (group): rate 0.6 is not numerator/denominator 2/3"},
		{"twice", row(okRows + "," + okRows), "r.json: TIN 111111111 NPI 1234567893 appears twice"},
		{"no group", row(`{"level": "individual", "tin": "1", "npi": "2", "denominator": 1, "numerator": 1, "rate": 1}`), "r.json: TIN 1 has clinician rows but no group row"},
		{"group too small", row(`{"level": "individual", "tin": "1", "npi": "2", "denominator": 3, "numerator": 1, "rate": 0.3333},
			{"level": "group", "tin": "1", "denominator": 2, "numerator": 1, "rate": 0.5}`), "r.json: TIN 1 (group): 1/2 does not fit its clinicians' figures"},
		{"missing figures", row(`{"level": "group", "tin": "1"}`), "r.json: entities[0]: no numerator or denominator"},
		{"unknown level", row(`{"level": "team", "tin": "1", "denominator": 0, "numerator": 0}`), `r.json: entities[0]: level "team" is not individual or group`},
		{"apm row", row(`{"level": "apm_entity", "tin": "", "denominator": 0, "numerator": 0}`), "r.json: is itself a combined report"},
		{"bad policy", strings.Replace(report("", okRows), "every-visit", "most-visits", 1), `r.json: policy "most-visits" is not every-visit or any-visit`},
		{"bad date", strings.Replace(report("", okRows), "2025-12-31", "2025-13-01", 1), `r.json: performance_end "2025-13-01" is not a date`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read("r.json", strings.NewReader(tc.in), false)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to start with %q", err, tc.want)
			}
		})
	}
}

// TestMatchFollowsPolicy: a patient in two reports counts once, in the numerator as the
// policy (R8) says: every-visit only when in it everywhere, any-visit when in it
// anywhere; pending (R9) when not in but every (any) report has them in or pending.
func TestMatchFollowsPolicy(t *testing.T) {
	type pat struct {
		in, pending bool
	}
	// Patient "p" in report 1 and 2 with the states below; both reports have one
	// clinician under one TIN.
	for _, tc := range []struct {
		name                 string
		policy               measure.Policy
		a, b                 pat
		num, pending, denSum int
	}{
		{"every-visit: in both", measure.EveryVisit, pat{true, false}, pat{true, false}, 1, 0, 2},
		{"every-visit: out in one", measure.EveryVisit, pat{true, false}, pat{false, false}, 0, 0, 2},
		{"every-visit: pending in one", measure.EveryVisit, pat{true, false}, pat{false, true}, 0, 1, 2},
		{"every-visit: lost in one, pending in other", measure.EveryVisit, pat{false, false}, pat{false, true}, 0, 0, 2},
		{"any-visit: in one", measure.AnyVisit, pat{true, false}, pat{false, false}, 1, 0, 2},
		{"any-visit: pending in one", measure.AnyVisit, pat{false, false}, pat{false, true}, 0, 1, 2},
		{"any-visit: out in both", measure.AnyVisit, pat{false, false}, pat{false, false}, 0, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Options{Match: MatchPatients, Name: "E"})
			for i, p := range []pat{tc.a, tc.b} {
				rep := matchReport(tc.policy, "111111111", "1234567893", "anon-0123456789abcdef", p.in, p.pending)
				rep.Digest[0] = byte(i)
				rep.Source = &measure.Fingerprint{Dialect: "sqlite", Host: "h", Database: string(rune('a' + i))}
				if err := c.Add("r"+string(rune('a'+i)), rep); err != nil {
					t.Fatal(err)
				}
			}
			res, err := c.Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range res.Result.Entities {
				if e.Denominator != 1 || e.Numerator != tc.num || e.Pending != tc.pending {
					t.Errorf("%s %s: %d/%d pending %d, want %d/1 pending %d", e.Level, e.TIN, e.Numerator, e.Denominator, e.Pending, tc.num, tc.pending)
				}
			}
			plain := New(Options{})
			for i, p := range []pat{tc.a, tc.b} {
				rep := matchReport(tc.policy, "111111111", "1234567893", "anon-0123456789abcdef", p.in, p.pending)
				rep.Digest[0] = byte(i)
				if err := plain.Add("r", rep); err != nil {
					t.Fatal(err)
				}
			}
			pres, _ := plain.Result()
			if got := pres.Result.Entities[0].Denominator; got != tc.denSum {
				t.Errorf("without matching: denominator %d, want %d", got, tc.denSum)
			}
		})
	}
}

// matchReport is a pseudonymised report with one patient under one clinician.
func matchReport(policy measure.Policy, tin, npi, key string, in, pending bool) *Report {
	num, pend := 0, 0
	if in {
		num = 1
	} else if pending {
		pend = 1
	}
	ent := func(lv measure.Level, npi string) measure.EntityResult {
		return measure.EntityResult{Entity: measure.Entity{Level: lv, TIN: tin, NPI: npi}, Denominator: 1, Numerator: num, Pending: pend, NumeratorIfNotesLocked: num, Rate: float64(num)}
	}
	pat := func(lv measure.Level, npi string) Patient {
		return Patient{Level: lv, TIN: tin, NPI: npi, PatientID: 7, Key: key, InNumerator: in, Pending: pending && !in}
	}
	return &Report{
		MeasureID: "PI_PEA_1", PerformanceYear: 2025, Start: 20250101, End: 20251231, Policy: policy,
		Release: measure.ReleaseLock, NumeratorActions: measure.ActionsPeriod, PseudonymKeyID: "k1",
		Entities: []measure.EntityResult{ent(measure.Individual, npi), ent(measure.Group, "")},
		Patients: []Patient{pat(measure.Individual, npi), pat(measure.Group, "")},
	}
}

// TestSumAndOrder: rows are summed per (TIN, NPI) and per TIN, sorted as SPEC §4 sorts
// them, with the apm_entity row last summing every TIN, rate and points recomputed.
func TestSumAndOrder(t *testing.T) {
	c := New(Options{Name: "ACO"})
	add := func(file, rows string) {
		t.Helper()
		rep, err := Read(file, strings.NewReader(report("", rows)), false)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Add(file, rep); err != nil {
			t.Fatal(err)
		}
	}
	add("a", okRows)
	add("b", `{"level": "individual", "tin": "111111111", "npi": "1234567893", "denominator": 2, "numerator": 0, "rate": 0},
{"level": "individual", "tin": "000000001", "npi": "1245319599", "denominator": 3, "numerator": 3, "rate": 1},
{"level": "group", "tin": "111111111", "denominator": 2, "numerator": 0, "rate": 0},
{"level": "group", "tin": "000000001", "denominator": 3, "numerator": 3, "rate": 1}`)
	res, err := c.Result()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Level     measure.Level
		TIN, NPI  string
		Num, Den  int
		Rate, Pts float64
	}
	var got []row
	for _, e := range res.Result.Entities {
		got = append(got, row{e.Level, e.TIN, e.NPI, e.Numerator, e.Denominator, e.Rate, e.Points})
	}
	want := []row{
		{measure.Individual, "000000001", "1245319599", 3, 3, 1, 25},
		{measure.Group, "000000001", "", 3, 3, 1, 25},
		{measure.Individual, "111111111", "1234567893", 3, 6, 0.5, 12.5},
		{measure.Group, "111111111", "", 3, 6, 0.5, 12.5},
		{measure.APMEntity, "", "", 6, 9, 0.6667, 16.67},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("combined rows (-want +got):\n%s", diff)
	}
	if res.Method != MethodSummed || res.Result.Entities[4].Clinician != "ACO" || len(res.Sources) != 2 {
		t.Errorf("method %q, name %q, sources %d", res.Method, res.Result.Entities[4].Clinician, len(res.Sources))
	}
	if len(res.Warnings) != 2 {
		t.Errorf("warnings = %q, want one per report without a source", res.Warnings)
	}
}

// TestBareAsOfDate: a report made as of a bare date (R9) keeps it as given; its as-of
// instant is the latest end of that date among its zones. Combining reports all as of
// the same date keeps the date; a date and an instant give the latest instant.
func TestBareAsOfDate(t *testing.T) {
	bare := func(tin string) string {
		rows := strings.ReplaceAll(okRows, "111111111", tin)
		return strings.Replace(report(`, "as_of_local": [
{"zone": "America/New_York", "date": "2025-11-30", "time": "2025-11-30T23:59:59-05:00"},
{"zone": "America/Los_Angeles", "date": "2025-11-30", "time": "2025-11-30T23:59:59-08:00"}]`, rows),
			`"as_of": "2026-01-15T12:00:00Z"`, `"as_of": "2025-11-30"`, 1)
	}
	rep, err := Read("a.json", strings.NewReader(bare("111111111")), false)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.BareAsOf || rep.AsOfDate.String() != "2025-11-30" || rep.AsOf.Format("2006-01-02T15:04:05Z07:00") != "2025-12-01T07:59:59Z" {
		t.Errorf("bare %v, date %s, as-of %v; want 2025-11-30 ending 2025-12-01T07:59:59Z (Los Angeles)", rep.BareAsOf, rep.AsOfDate, rep.AsOf)
	}
	combined := func(ins ...string) *Combined {
		t.Helper()
		c := New(Options{})
		for i, in := range ins {
			rep, err := Read("r.json", strings.NewReader(in), false)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Add(string(rune('a'+i))+".json", rep); err != nil {
				t.Fatal(err)
			}
		}
		out, err := c.Result()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := combined(bare("111111111"), bare("222222222")).Result.Config.AsOfText(); got != "2025-11-30" {
		t.Errorf("two reports as of 2025-11-30 combine as of %q", got)
	}
	mixed := strings.ReplaceAll(report("", okRows), "111111111", "333333333")
	if got := combined(bare("111111111"), mixed).Result.Config.AsOfText(); got != "2026-01-15T12:00:00Z" {
		t.Errorf("a date and a later instant combine as of %q, want the instant", got)
	}
}

// TestCausesSummed: summed reports add their causes per entity (SPEC §7: patients are
// summed as the sites counted them); a row with patients out but no causes (an older
// report) leaves the entity's causes unknown, and a cause outside the denominator is
// refused.
func TestCausesSummed(t *testing.T) {
	row := func(level, npi, causes string) string {
		n := ""
		if npi != "" {
			n = `"npi": "` + npi + `", `
		}
		return `{"level": "` + level + `", "tin": "111111111", ` + n + `"denominator": 4, "numerator": 1, "rate": 0.25` + causes + `}`
	}
	a := `, "causes": [{"code": "NOTE_LOCKED_LATE", "patients": 2, "pending": 0}, {"code": "NOT_INVITED", "patients": 1, "pending": 1}]`
	b := `, "causes": [{"code": "NOT_INVITED", "patients": 3, "pending": 0}]`
	combined := func(t *testing.T, reps ...string) *Combined {
		t.Helper()
		c := New(Options{Name: "ACO"})
		for i, rows := range reps {
			rep, err := Read(string(rune('a'+i)), strings.NewReader(report("", rows)), false)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Add(string(rune('a'+i)), rep); err != nil {
				t.Fatal(err)
			}
		}
		res, err := c.Result()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := combined(t, row("individual", "1234567893", a)+",\n"+row("group", "", a), row("individual", "1234567893", b)+",\n"+row("group", "", b))
	want := []measure.CauseCount{{Code: measure.NotInvited, Patients: 4, Pending: 1}, {Code: measure.NoteLockedLate, Patients: 2}}
	for _, e := range res.Result.Entities {
		if diff := cmp.Diff(want, e.Causes); diff != "" {
			t.Errorf("%s causes (-want +got):\n%s", e.Level, diff)
		}
	}
	res = combined(t, row("individual", "1234567893", a)+",\n"+row("group", "", a), row("individual", "1234567893", "")+",\n"+row("group", "", ""))
	for _, e := range res.Result.Entities {
		if e.Causes != nil {
			t.Errorf("%s: causes %v, want none (one report carries none)", e.Level, e.Causes)
		}
	}
	_, err := Read("bad", strings.NewReader(report("", row("group", "", `, "causes": [{"code": "NOT_INVITED", "patients": 5, "pending": 0}]`))), false)
	if err == nil || !strings.Contains(err.Error(), "entities[0]: causes[0]: 5 patients (0 pending) is not within the denominator 4") {
		t.Errorf("out-of-range cause: %v", err)
	}
}
