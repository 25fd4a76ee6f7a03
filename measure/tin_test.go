package measure

import (
	"testing"
	"time"
)

// TestNormalTIN: SPEC §3's three spellings are one TIN; anything else stays as written.
func TestNormalTIN(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"361234567", "361234567"},
		{"36-1234567", "361234567"},
		{"36 1234567", "361234567"},
		{" 36-1234567 ", "361234567"},
		{"361-23-4567", "361234567"},
		{"36-123456", "36-123456"},     // 8 digits: kept as written for INVALID_TIN
		{"36-12345678", "36-12345678"}, // 10 digits
		{"36_1234567", "36_1234567"},
		{"３６1234567", "３６1234567"}, // full-width digits are not digits here
		{"", ""},
	} {
		if got := NormalTIN(c.in); got != c.want {
			t.Errorf("NormalTIN(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestOneTINHoweverWritten: offices and API windows that write one TIN three ways make
// one group (R2), one API window set (R6) and no INVALID_TIN warning; the caller's
// practice is not changed.
func TestOneTINHoweverWritten(t *testing.T) {
	cfg, p := testConfig(), testPractice()
	p.Offices[0].TIN = "12-3456789" // offNY
	p.Offices[1].TIN = "123456789"  // offLA
	p.Offices[3].TIN = "12 3456789" // offChi
	// The only window of TIN A is written with the hyphen; it must reach all three offices.
	p.APIWindows = []APIWindow{
		{ID: 1, TIN: "12-3456789", Enabled: utc("2020-01-01T00:00:00Z")},
		{ID: 2, TIN: tinB, Enabled: utc("2020-01-01T00:00:00Z")},
	}
	visit := ny("2025-03-03 10:00:00")
	timely := lockedAt(ny("2025-03-04 09:00:00"))
	recs := []PatientRecord{
		patientRec(1, invitedLongAgo(), at(seen(7, visit, timely), offNY, clinAnn)),
		patientRec(2, invitedLongAgo(), at(seen(8, visit.Add(time.Hour), timely), offLA, clinAnn)),
		patientRec(3, invitedLongAgo(), at(seen(9, visit.Add(2*time.Hour), timely), offChi, clinBob)),
	}
	r := mustEvaluate(t, cfg, p, recs...)
	type row struct {
		level      Level
		tin, npi   string
		num, den   int
		practiceNm string
	}
	var got []row
	for _, e := range r.Entities {
		got = append(got, row{e.Level, e.TIN, e.NPI, e.Numerator, e.Denominator, e.PracticeName})
	}
	want := []row{
		{Individual, tinA, npiAnn, 2, 2, "Lakeside / Main / West"},
		{Individual, tinA, npiBob, 1, 1, "Lakeside / Main / West"},
		{Group, tinA, "", 3, 3, "Lakeside / Main / West"},
	}
	if len(got) != len(want) {
		t.Fatalf("entities:\n got %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entity %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, f := range r.Findings {
		t.Errorf("unexpected finding %s: %s", f.Code, f.Message)
	}
	for _, is := range rowsOf(t, r.AllIssues()) {
		if is.Code == InvalidTIN {
			t.Errorf("INVALID_TIN for %q", is.Text)
		}
	}
	if p.Offices[0].TIN != "12-3456789" || p.APIWindows[0].TIN != "12-3456789" {
		t.Error("the caller's practice was changed")
	}
	// The evidence summary reads the same TINs: a probe recorded for the hyphenated TIN
	// counts for the group.
	ev := SummarizeAPIEvidence([]Probe{{At: utc("2025-03-03T15:00:00Z"), TIN: tinA, OK: true}}, p, r)
	if len(ev.TINs) != 1 || ev.TINs[0].TIN != tinA || ev.TINs[0].Probes != 1 || ev.TINs[0].From != utc("2025-01-01T05:00:00Z") {
		t.Errorf("evidence: %+v", ev.TINs)
	}
}
