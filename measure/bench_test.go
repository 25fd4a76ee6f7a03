package measure

import "testing"

// BenchmarkEvaluate streams a generated practice (genPractice: 2 TINs, 3 zones, ~3
// visits per patient, ~80% seen, ~70% of seen visits timely) through the Evaluator
// and reports visits per second. Run with -cpu=1 (see BENCHMARKS.md).
func BenchmarkEvaluate(b *testing.B) {
	cfg, p, recs := genPractice(1, 50_000)
	visits := 0
	for i := range recs {
		visits += len(recs[i].Visits)
	}
	b.ReportAllocs()
	b.ResetTimer()
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
		_ = e.Result()
	}
	b.StopTimer()
	b.ReportMetric(float64(visits)*float64(b.N)/b.Elapsed().Seconds(), "visits/s")
	b.ReportMetric(float64(visits), "visits/op")
}
