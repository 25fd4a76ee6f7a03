package reports

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

// yearEndResult evaluates a small practice with the measure engine, as of Tue
// 2025-12-30: visits of the period's last days (deadline in January, so the fix-by date
// is Dec 31, R9), a pending note due before the year end, a note already past its
// fix-by date, and a late lock.
func yearEndResult(t *testing.T) *measure.Result {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	cfg := measure.Config{Start: d("2025-01-01"), End: d("2025-12-31"), AsOf: at("2025-12-30 12:00"),
		FederalHolidays: true, KeepPatients: true}
	p := measure.Practice{
		Offices:    []measure.Office{{ID: 1, TIN: tinA, Name: "Main", Zone: ny}},
		Clinicians: []measure.Clinician{{ID: 1, NPI: npiAdams, LastName: "Adams", FirstName: "Ann", Eligible: true}},
		APIWindows: []measure.APIWindow{{ID: 1, TIN: tinA, Enabled: at("2020-01-01 00:00")}},
	}
	inv := &measure.Invitation{ID: 1, SentAt: at("2019-01-01 09:00"), Recipient: "patient", Channel: "email"}
	visit := func(id int64, when string, n measure.Notes) measure.Visit {
		return measure.Visit{ID: id, OfficeID: 1, ClinicianID: 1, ScheduledAt: at(when), Status: "Complete", Notes: n}
	}
	pat := func(id int64, vs ...measure.Visit) measure.PatientRecord {
		return measure.PatientRecord{Patient: measure.Patient{ID: id, MRN: "M" + strconv.FormatInt(id, 10)},
			FirstInvitation: inv, Visits: vs}
	}
	r, err := measure.Evaluate(cfg, p, []measure.PatientRecord{
		pat(1, visit(11, "2025-12-29 10:00", measure.Notes{})),                                              // fix-by Dec 31, pending
		pat(2, visit(12, "2025-12-23 10:00", measure.Notes{Count: 1, FirstSigned: at("2025-12-24 09:00")})), // deadline Dec 30: pending
		pat(3, visit(13, "2025-12-15 10:00", measure.Notes{Count: 1})),                                      // past its fix-by date
		pat(4, visit(14, "2025-12-01 10:00", measure.Notes{Count: 1, FirstLocked: at("2025-12-13 10:00")})), // locked late (a Saturday)
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type lockRow struct {
	LockBy  string
	Fixable bool
}

// TestWorklistViewsAgree: the worklist, the JSON issue rows, the xlsx Worklist sheet
// and the HTML report give every note row the same fix-by (lock-by) date and the same
// fixable flag (issue 11).
func TestWorklistViewsAgree(t *testing.T) {
	r := yearEndResult(t)
	want := map[int64]lockRow{}
	for _, c := range worklist(r, "").Clinicians {
		for is := range c.Items() {
			want[is.AppointmentID] = lockRow{is.FixBy.String(), is.Fixable}
		}
	}
	// The fixture must exercise the cap and both flags, or agreement proves little.
	if want[11] != (lockRow{"2025-12-31", true}) || want[13].Fixable || len(want) != 4 {
		t.Fatalf("engine worklist %v: want appointment 11 fixable by 2025-12-31, 13 not fixable, 4 rows", want)
	}

	// JSON issue rows.
	var buf bytes.Buffer
	if err := JSON(&buf, r, testOptions); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Issues []struct {
			Code          string `json:"code"`
			AppointmentID int64  `json:"appointment_id"`
			FixBy         string `json:"fix_by"`
			Fixable       bool   `json:"fixable"`
		} `json:"issues"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	gotJSON := map[int64]lockRow{}
	for _, is := range doc.Issues {
		if noteRow(measure.Code(is.Code)) {
			gotJSON[is.AppointmentID] = lockRow{is.FixBy, is.Fixable}
		}
	}
	if diff := cmp.Diff(want, gotJSON); diff != "" {
		t.Errorf("JSON issue rows (-worklist +json):\n%s", diff)
	}

	// xlsx Worklist sheet.
	_, f := writeXLSX(t, r)
	ws := listRows(t, f, SheetWorklist, false)
	head := 0 // the Worklist sheet has one header row (the per-clinician block is on Clinicians)
	col := map[string]int{}
	for i, h := range ws[head] {
		col[h] = i
	}
	gotXLSX := map[int64]lockRow{}
	for _, row := range ws[head+1:] {
		appt, err := strconv.ParseInt(row[col["Appointment ID"]], 10, 64)
		if err != nil {
			t.Fatalf("worklist row %q: %v", row, err)
		}
		gotXLSX[appt] = lockRow{row[col["Lock by"]], row[col["Fixable"]] == "TRUE" || row[col["Fixable"]] == "yes"}
	}
	if diff := cmp.Diff(want, gotXLSX); diff != "" {
		t.Errorf("xlsx Worklist (-worklist +xlsx):\n%s", diff)
	}

	// HTML worklist tables: fixable rows carry class "fixable".
	buf.Reset()
	if err := HTML(&buf, r, testOptions); err != nil {
		t.Fatal(err)
	}
	rowRE := regexp.MustCompile(`<tr( class="fixable")?><td class="id">(\d{4}-\d{2}-\d{2})</td><td class="num">[^<]*</td><td class="id">[^<]*</td><td class="num">\d+</td><td>[^<]*</td><td class="num">(\d+)</td>`)
	gotHTML := map[int64]lockRow{}
	for _, m := range rowRE.FindAllStringSubmatch(buf.String(), -1) {
		appt, _ := strconv.ParseInt(m[3], 10, 64)
		gotHTML[appt] = lockRow{m[2], m[1] != ""}
	}
	if diff := cmp.Diff(want, gotHTML); diff != "" {
		t.Errorf("HTML worklist (-worklist +html):\n%s", diff)
	}
}

// noteRow reports whether an issue code is a note row (those the worklist lists).
func noteRow(c measure.Code) bool {
	switch c {
	case measure.NoteMissing, measure.NoteUnsigned, measure.NoteNotLocked, measure.NoteLockedLate, measure.NoteSignedLate:
		return true
	}
	return false
}
