package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

// Dates shown to people are local dates (issue 17). The as-of instant 22:30 on 31
// January in New York (UTC-5) is already 1 February in UTC: every format shows it as
// the New York evening, the trend ends on 31 January (the date R1 counted the visits
// up to), and the JSON keeps as_of as the UTC instant of SPEC §4 with the local date
// beside it.
func TestDatesShownAreLocal(t *testing.T) {
	ny := mustZone("America/New_York")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	cfg := measure.Config{Start: d("2025-01-01"), End: d("2025-12-31"), AsOf: at("2025-01-31 22:30"), FederalHolidays: true}
	p := measure.Practice{
		Offices:    []measure.Office{{ID: 1, TIN: tinA, Name: "Main", Zone: ny}},
		Clinicians: []measure.Clinician{{ID: 1, NPI: npiAdams, LastName: "Adams", FirstName: "Ann", Eligible: true}},
		APIWindows: []measure.APIWindow{{ID: 1, TIN: tinA, Enabled: at("2020-01-01 00:00")}},
	}
	inv := &measure.Invitation{ID: 1, SentAt: at("2019-01-01 09:00"), Recipient: "patient", Channel: "email"}
	locked := func(id int64, when string) measure.PatientRecord {
		v := at(when)
		return measure.PatientRecord{Patient: measure.Patient{ID: id, MRN: "M1"}, FirstInvitation: inv,
			Visits: []measure.Visit{{ID: id, OfficeID: 1, ClinicianID: 1, ScheduledAt: v, Status: "Complete",
				Notes: measure.Notes{Count: 1, FirstSigned: v.Add(time.Hour), FirstLocked: v.Add(time.Hour)}}}}
	}
	r, err := measure.Evaluate(cfg, p, []measure.PatientRecord{locked(1, "2025-01-13 10:00"), locked(2, "2025-01-31 21:00")})
	if err != nil {
		t.Fatal(err)
	}
	const local = "2025-01-31 22:30 EST (America/New_York)"

	var tb bytes.Buffer
	if err := Table(&tb, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tb.String(), "As of   "+local+"\n") {
		t.Errorf("table does not show the as-of as %q:\n%s", local, tb.String())
	}
	var wb bytes.Buffer
	if err := WorklistTable(&wb, r, worklist(r, ""), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(wb.String(), "as of "+local+"\n") {
		t.Errorf("worklist does not show the as-of as %q:\n%s", local, wb.String())
	}
	var hb bytes.Buffer
	if err := HTML(&hb, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(hb.String(), `<dd data-field="as_of">`+local+`</dd>`) {
		t.Errorf("HTML does not show the as-of as %q", local)
	}

	var jb bytes.Buffer
	if err := JSON(&jb, r, Options{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		AsOf      string           `json:"as_of"`
		AsOfLocal []wire.LocalAsOf `json:"as_of_local"`
		Trend     []wire.TrendRow  `json:"trend"`
		Entities  []struct {
			Numerator, Denominator int
		} `json:"entities"`
	}
	if err := json.Unmarshal(jb.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.AsOf != "2025-02-01T03:30:00Z" {
		t.Errorf("as_of %q, want the UTC instant", doc.AsOf)
	}
	if diff := cmp.Diff([]wire.LocalAsOf{{Zone: "America/New_York", Date: "2025-01-31", Time: "2025-01-31T22:30:00-05:00"}}, doc.AsOfLocal); diff != "" {
		t.Errorf("as_of_local (-want +got):\n%s", diff)
	}
	if len(doc.Trend) != 2 { // Adams, then the group: one point each
		t.Fatalf("trend rows %+v, want one per entity", doc.Trend)
	}
	for i, row := range doc.Trend {
		if row.Date != "2025-01-31" || row.Denominator != 2 || row.Denominator != doc.Entities[i].Denominator || row.Numerator != doc.Entities[i].Numerator {
			t.Errorf("trend row %+v, want dated 2025-01-31 with the entity's figures %+v", row, doc.Entities[i])
		}
	}

	var wj bytes.Buffer
	if err := WorklistJSON(&wj, r, worklist(r, ""), Options{}); err != nil {
		t.Fatal(err)
	}
	var wdoc struct {
		AsOf      string           `json:"as_of"`
		AsOfLocal []wire.LocalAsOf `json:"as_of_local"`
	}
	if err := json.Unmarshal(wj.Bytes(), &wdoc); err != nil {
		t.Fatal(err)
	}
	if wdoc.AsOf != doc.AsOf || !cmp.Equal(wdoc.AsOfLocal, doc.AsOfLocal) {
		t.Errorf("worklist JSON as_of %q %+v, want the report's %q %+v", wdoc.AsOf, wdoc.AsOfLocal, doc.AsOf, doc.AsOfLocal)
	}

	var cb bytes.Buffer
	if err := CSV(&cb, r, "trend", Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cb.String(), "2025-02-01") || !strings.Contains(cb.String(), "\n2025-01-31,") {
		t.Errorf("CSV trend not dated by the local as-of date:\n%s", cb.String())
	}

	_, f := writeXLSX(t, r)
	if got, _ := f.GetCellValue(SheetSummary, "B3"); got != local {
		t.Errorf("Summary as-of %q, want %q", got, local)
	}
	if got, _ := f.GetCellValue(SheetTrend, "E3"); got == "" {
		t.Errorf("Trend sheet has no cutoff column")
	}
	if got, _ := f.GetCellValue(SheetTrend, "F3"); got != "" {
		t.Errorf("Trend sheet has a second cutoff %q (the UTC date)", got)
	}
}

// TestAsOfLocal: one zone, several zones (each named), and a result naming no zone
// (made by hand or combined), which says UTC.
func TestAsOfLocal(t *testing.T) {
	instant := measure.Config{AsOf: time.Date(2026, time.January, 15, 12, 0, 0, 0, time.UTC)}
	bare := measure.Config{}.WithBareAsOf(calendar.MustParseDate("2025-11-30"))
	for _, tc := range []struct {
		cfg   measure.Config
		zones []string
		want  string
	}{
		{instant, nil, "2026-01-15 12:00 UTC"},
		{instant, []string{"America/Chicago"}, "2026-01-15 06:00 CST (America/Chicago)"},
		{instant, []string{"America/Chicago", "America/Denver"}, "2026-01-15 06:00 CST (America/Chicago); 2026-01-15 05:00 MST (America/Denver)"},
		{instant, []string{"Pacific/Auckland"}, "2026-01-16 01:00 NZDT (Pacific/Auckland)"},
		// R9: a bare date is that date everywhere, ending in each office's own zone.
		{bare, nil, "2025-11-30, end of day in each office's time zone"},
		{bare, []string{"America/Chicago", "America/Los_Angeles"}, "2025-11-30, end of day in each office's time zone (America/Chicago, America/Los_Angeles)"},
	} {
		r := &measure.Result{}
		for _, z := range tc.zones {
			r.Zones = append(r.Zones, z)
		}
		if got := asOfLocal(r, tc.cfg); got != tc.want {
			t.Errorf("zones %v: %q, want %q", tc.zones, got, tc.want)
		}
	}
	// The JSON keeps the bare date as given, with the end of that date in each zone.
	r := &measure.Result{Config: bare, Zones: []string{"America/Chicago", "America/Los_Angeles"}}
	var buf bytes.Buffer
	if err := JSON(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	var rep wire.Report
	if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	want := []wire.LocalAsOf{
		{Zone: "America/Chicago", Date: "2025-11-30", Time: "2025-11-30T23:59:59-06:00"},
		{Zone: "America/Los_Angeles", Date: "2025-11-30", Time: "2025-11-30T23:59:59-08:00"},
	}
	if rep.AsOf != "2025-11-30" || !cmp.Equal(rep.AsOfLocal, want) {
		t.Errorf("as_of %q, as_of_local %+v; want 2025-11-30 and %+v", rep.AsOf, rep.AsOfLocal, want)
	}
}
