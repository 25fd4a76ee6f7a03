package ehr_test

import (
	"context"
	"testing"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

type countSink struct{ visits int }

func (c *countSink) Practice(measure.Practice) error { return nil }
func (c *countSink) Patient(p *measure.PatientRecord) error {
	c.visits += len(p.Visits)
	return nil
}

const benchPatients, benchVisits = 20000, 200000

func bulkLoad(b *testing.B, s *ehr.Store, rows []func(ehr.RowWriter) error) {
	ctx := context.Background()
	w, err := s.BulkWriter(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, row := range rows {
		if err := row(w); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRead: the whole period read of 200k appointments (20k patients), one op =
// one Read; visits/s reported.
func BenchmarkRead(b *testing.B) {
	rows, _ := synthetic(benchPatients, benchVisits)
	for _, d := range []struct {
		name string
		open func(testing.TB) *ehr.Store
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			s := d.open(b)
			if err := s.Init(context.Background(), false); err != nil {
				b.Fatal(err)
			}
			bulkLoad(b, s, rows)
			if s.Dialect() == ehr.Postgres {
				if _, err := s.DB().DB.Exec("VACUUM ANALYZE"); err != nil {
					b.Fatal(err)
				}
			}
			from, to := calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var c countSink
				if _, err := s.Read(context.Background(), from, to, &c); err != nil {
					b.Fatal(err)
				}
				if c.visits != benchVisits {
					b.Fatalf("read %d visits", c.visits)
				}
			}
			b.ReportMetric(float64(benchVisits)*float64(b.N)/b.Elapsed().Seconds(), "visits/s")
		})
	}
}

// BenchmarkBulkWriter: loading 200k appointments with their notes, invitations and
// patients; rows/s reported.
func BenchmarkBulkWriter(b *testing.B) {
	rows, _ := synthetic(benchPatients, benchVisits)
	for _, d := range []struct {
		name string
		open func(testing.TB) *ehr.Store
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s := d.open(b)
				if err := s.Init(context.Background(), false); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				bulkLoad(b, s, rows)
			}
			b.ReportMetric(float64(len(rows))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
