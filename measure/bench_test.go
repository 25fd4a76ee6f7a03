package measure

import "testing"

// BenchmarkEvaluate streams a generated practice (genPractice: 2 TINs, 3 zones, ~3
// visits per patient, ~80% seen, ~70% of seen visits timely) through the Evaluator
// and reports visits per second of wall time and of CPU time (cpu-visits/s, steadier on
// a shared machine). Run with -cpu=1 (see BENCHMARKS.md).
func BenchmarkEvaluate(b *testing.B) { benchEvaluate(b, false) }

// BenchmarkEvaluateReadIssues is BenchmarkEvaluate plus reading every issue row once
// through Result.AllIssues, as a report writer does: the work the engine's Result did
// when it expanded the rows itself.
func BenchmarkEvaluateReadIssues(b *testing.B) { benchEvaluate(b, true) }

func benchEvaluate(b *testing.B, read bool) {
	cfg, p, recs := genPractice(1, 50_000)
	visits := 0
	for i := range recs {
		visits += len(recs[i].Visits)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		e, err := NewEvaluator(cfg, p)
		if err != nil {
			b.Fatal(err)
		}
		for j := range recs {
			if err := e.Add(&recs[j]); err != nil {
				b.Fatal(err)
			}
		}
		r := resultOf(b, e)
		if read {
			n := 0
			for range r.AllIssues() {
				n++
			}
			if n != r.IssueCount() {
				b.Fatalf("read %d issue rows, IssueCount %d", n, r.IssueCount())
			}
		}
	}
	b.StopTimer()
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(visits)*float64(b.N)/cpu, "cpu-visits/s")
	}
	b.ReportMetric(float64(visits)*float64(b.N)/b.Elapsed().Seconds(), "visits/s")
	b.ReportMetric(float64(visits), "visits/op")
}
