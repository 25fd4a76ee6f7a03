package reports

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

func TestSafe(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"formula", "=1+1", "'=1+1"},
		{"plus", "+15551234", "'+15551234"},
		{"minus", "-2", "'-2"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\tx", "'\tx"},
		{"carriage return", "\rx", "'\rx"},
		{"plain", "Adams, Ann", "Adams, Ann"},
		{"inner equals", "a=b", "a=b"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sanitize.CSVCell(tc.in); got != tc.want {
				t.Errorf("sanitize.CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestCSVInjection puts formulas in every data field a CSV cell can carry and checks
// that no cell of any table starts with a formula character.
func TestCSVInjection(t *testing.T) {
	evil := "=HYPERLINK(\"http://x\",\"y\")"
	r := &measure.Result{
		Config: testResult().Config,
		Entities: []measure.EntityResult{
			{Entity: measure.Entity{Level: measure.Individual, TIN: "+1", NPI: "-1", Clinician: evil}, Denominator: 1,
				Causes: []measure.CauseCount{{Code: measure.NoteMissing, Patients: 1}}},
		},
		Trend: &measure.Trend{Cutoffs: []calendar.Date{1}, Points: [][]measure.TrendPoint{{{Denominator: 1}}}},
	}
	r = withOutcomes(withIssues(r, []measure.Issue{
		{Code: measure.UnknownStatus, TIN: "@x", NPI: "=1", Clinician: evil, PatientID: 1, MRN: "+2", AppointmentID: 3, Text: evil},
		{Code: measure.InvitedLate, Clinician: "\tTab", PatientID: 1, MRN: "\r", AppointmentID: 4, Recipient: "=r", Channel: "-c"},
		{Code: measure.NoteMissing, TIN: "+1", NPI: "-1", PatientID: 1, MRN: "-m", AppointmentID: 5},
	}), []measure.Outcome{{Entity: 0, PatientID: 1, MRN: "=m", FirstName: "@f", LastName: "+l", Reason: "=x"}})
	wl := worklist(r, "")
	if len(wl.Clinicians) != 1 || wl.Clinicians[0].Notes != 1 {
		t.Fatalf("worklist %+v: want the one note row", wl)
	}
	outputs := map[string]func(*bytes.Buffer) error{}
	for _, table := range CSVTables {
		ev := &measure.APIEvidence{TINs: []measure.TINEvidence{{TIN: "=e"}}}
		outputs[table] = func(b *bytes.Buffer) error { return CSV(b, r, table, Options{Evidence: ev}) }
	}
	outputs["worklist"] = func(b *bytes.Buffer) error { return WorklistCSV(b, r, wl, Options{}) }
	for name, write := range outputs {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := write(&b); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&b).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 2 {
				t.Fatalf("no data rows")
			}
			for i, row := range rows {
				for j, cell := range row {
					if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
						t.Errorf("row %d column %s: %q starts with a formula character", i, rows[0][j], cell)
					}
				}
			}
		})
	}
}

func TestCSVUnknownTable(t *testing.T) {
	var b bytes.Buffer
	err := CSV(&b, testResult(), "visits", Options{})
	if err == nil || !strings.Contains(err.Error(), `"visits"`) {
		t.Errorf("err = %v, want one naming the table", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q for an unknown table", b.String())
	}
}

// TestCSVFigures reads the entities table back and compares it with the result.
func TestCSVFigures(t *testing.T) {
	r := testResult()
	var b bytes.Buffer
	if err := CSV(&b, r, "entities", Options{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got, want [][]string
	for _, row := range rows[1:] {
		got = append(got, row[:8])
	}
	for _, e := range r.Entities {
		want = append(want, []string{string(e.Level), e.TIN, e.NPI, e.Clinician, itoa(e.Denominator),
			itoa(e.Numerator), wire.Decimal(e.Rate, 4), itoa(e.Pending)})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entities (-want +got):\n%s", diff)
	}
}
