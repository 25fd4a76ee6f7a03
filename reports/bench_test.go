package reports

import (
	"io"
	"testing"

	"github.com/mipspi/mipspi/measure"
)

// bigResult is the fixture with its issue rows repeated to n rows (distinct patients
// and appointments), the size of a large practice's year.
func bigResult(n int) *measure.Result {
	r := testResult()
	base := issuesOf(r)
	rows := make([]measure.Issue, 0, n)
	for i := 0; len(rows) < n; i++ {
		is := base[i%len(base)]
		if is.PatientID != 0 {
			is.PatientID += int64(i) * 1000
		}
		if is.AppointmentID != 0 {
			is.AppointmentID += int64(i) * 1000
		}
		rows = append(rows, is)
	}
	return withIssues(r, rows)
}

// BenchmarkXLSX writes a workbook with ~200k issue rows.
//
//	go test ./reports -run '^$' -bench XLSX -benchmem
func BenchmarkXLSX(b *testing.B) {
	r := bigResult(200_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := XLSX(io.Discard, r, testOptions); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCSVIssues is the same rows as a CSV table, for comparison.
func BenchmarkCSVIssues(b *testing.B) {
	r := bigResult(200_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := CSV(io.Discard, r, "issues", testOptions); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONIssues is the same rows as a JSON report: the part of `mipspi report
// --format json` that runs after the database has been read.
//
//	go test ./reports -run '^$' -bench JSONIssues -benchmem -count 5
func BenchmarkJSONIssues(b *testing.B) {
	r := bigResult(300_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := JSON(io.Discard, r, testOptions); err != nil {
			b.Fatal(err)
		}
	}
}
