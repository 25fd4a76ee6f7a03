package measure_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/mipspi/mipspi/internal/rowstore"
	"github.com/mipspi/mipspi/measure"
)

// BenchmarkEvaluate streams a generated practice (GenPractice: 2 TINs, 3 zones, ~3
// visits per patient, ~80% seen, ~70% of seen visits timely) through the Evaluator,
// its rows kept as `mipspi report` keeps them (package rowstore, in memory below the
// threshold), and reports visits per second of wall time and of CPU time
// (cpu-visits/s, steadier on a shared machine). Run with -cpu=1 (see BENCHMARKS.md).
// MIPSPI_BENCH_PATIENTS sets the number of patients (default 50,000, ~150,000
// appointments; 700,000 gives ~2.1 million).
func BenchmarkEvaluate(b *testing.B) { benchEvaluate(b, false, 0) }

// BenchmarkEvaluateReadIssues is BenchmarkEvaluate plus reading every issue row once
// through Result.AllIssues, as a report writer does.
func BenchmarkEvaluateReadIssues(b *testing.B) { benchEvaluate(b, true, 0) }

// BenchmarkEvaluateSpill is BenchmarkEvaluateReadIssues with the rows moved to a
// temporary file every 4,096 rows and read back from it.
func BenchmarkEvaluateSpill(b *testing.B) { benchEvaluate(b, true, 4096) }

func benchEvaluate(b *testing.B, read bool, rows int) {
	patients := 50_000
	if s := os.Getenv("MIPSPI_BENCH_PATIENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("MIPSPI_BENCH_PATIENTS=%q: want a positive number of patients", s)
		}
		patients = n
	}
	cfg, p, recs := measure.GenPractice(1, patients)
	visits := 0
	for i := range recs {
		visits += len(recs[i].Visits)
	}
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := measure.CPUSeconds()
	for i := 0; i < b.N; i++ {
		e, err := measure.NewEvaluator(cfg, p)
		if err != nil {
			b.Fatal(err)
		}
		o := rowstore.Options{Dir: dir, Rows: rows}
		is, os := rowstore.Issues(o), rowstore.Outcomes(o)
		e.KeepRows(is, os)
		for j := range recs {
			if err := e.Add(&recs[j]); err != nil {
				b.Fatal(err)
			}
		}
		r, err := e.Result()
		if err != nil {
			b.Fatal(err)
		}
		if read {
			n := 0
			for _, err := range r.AllIssues() {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != r.IssueCount() {
				b.Fatalf("read %d issue rows, IssueCount %d", n, r.IssueCount())
			}
		}
		is.Close()
		os.Close()
	}
	b.StopTimer()
	if cpu := measure.CPUSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(visits)*float64(b.N)/cpu, "cpu-visits/s")
	}
	b.ReportMetric(float64(visits)*float64(b.N)/b.Elapsed().Seconds(), "visits/s")
	b.ReportMetric(float64(visits), "visits/op")
}
