//go:build unix

package combine

// Scale (SPEC §7): an APM Entity of 1,000 participant reports of 50 clinicians each.
// go test ./combine -run '^$' -bench Combine -benchtime 3x

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mipspi/mipspi/measure"
)

// writeReports writes n JSON reports of clinicians clinicians (20 issue rows per
// clinician to be skipped) into dir: each under its own TIN, or all under one TIN
// (sharedTIN: one practice's many sources, so the entities kept do not grow).
func writeReports(tb testing.TB, dir string, n, clinicians int, sharedTIN bool) []string {
	tb.Helper()
	var files []string
	for i := 0; i < n; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, `{"measure_id": "PI_PEA_1", "performance_year": 2025, "performance_start": "2025-01-01", "performance_end": "2025-12-31",
"as_of": "2026-01-15T12:00:00Z", "policy": "every-visit", "release": "lock", "numerator_actions": "period",
"source": {"dialect": "postgres", "host": "site%d.example.org", "port": "5432", "database": "ehr"}, "entities": [`, i)
		tin := fmt.Sprintf("%09d", 100000000+i)
		if sharedTIN {
			tin = "100000000"
		}
		gDen, gNum := 0, 0
		for c := 0; c < clinicians; c++ {
			den, num := 100+c, 80+c%20
			gDen += den
			gNum += num
			fmt.Fprintf(&b, `{"level": "individual", "tin": "%s", "npi": "%010d", "clinician": "Clinician %d", "denominator": %d, "numerator": %d, "rate": %s, "pending": 0, "points": 0, "numerator_if_notes_locked": %d, "seen_visits": %d, "timely_visits": %d, "pending_visits": 0},`,
				tin, 1000000000+c, c, den, num, ratef(num, den), num, den*2, num*2)
		}
		fmt.Fprintf(&b, `{"level": "group", "tin": "%s", "denominator": %d, "numerator": %d, "rate": %s, "pending": 0, "points": 0, "numerator_if_notes_locked": %d, "seen_visits": 0, "timely_visits": 0, "pending_visits": 0}], "issues": [`,
			tin, gDen, gNum, ratef(gNum, gDen), gNum)
		for k := 0; k < clinicians*20; k++ {
			if k > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"code": "NOTE_LOCKED_LATE", "severity": "error", "tin": "%s", "npi": "1000000000", "patient_id": %d, "appointment_id": %d, "visit_date": "2025-03-03", "deadline": "2025-03-07", "fixable": false, "detail": "note locked 2025-03-12, 3 business days late"}`, tin, k, k)
		}
		b.WriteString(`], "counts": {"patients": 5000, "appointments": 9000}}`)
		f := filepath.Join(dir, fmt.Sprintf("r%04d.json", i))
		if err := os.WriteFile(f, []byte(b.String()), 0o600); err != nil {
			tb.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// cpuTime is the process's user + system CPU time: on a loaded, shared machine it moves
// far less than the wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ratef(num, den int) string { return fmt.Sprint(measure.Round(float64(num)/float64(den), 4)) }

func combineFiles(tb testing.TB, files []string) (*Combined, uint64) {
	c := New(Options{Name: "bench"})
	var ms runtime.MemStats
	var peak uint64
	for i, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		rep, err := Read(f, bufio.NewReaderSize(fh, 64<<10), false)
		fh.Close()
		if err != nil {
			tb.Fatal(err)
		}
		if err := c.Add(f, rep); err != nil {
			tb.Fatal(err)
		}
		if i%100 == 99 { // the live heap: what combining keeps, not garbage awaiting GC
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	res, err := c.Result()
	if err != nil {
		tb.Fatal(err)
	}
	return res, peak
}

// BenchmarkCombine reports per run the wall time and the largest live heap, measured
// after a forced GC every 100 reports (live-MB): flat memory means it grows with the
// entities kept, not with the reports read.
func BenchmarkCombine(b *testing.B) {
	for _, shared := range []bool{false, true} {
		for _, n := range []int{100, 1000} {
			tins := "own"
			want := n*51 + 1
			if shared {
				tins, want = "shared", 52
			}
			b.Run(fmt.Sprintf("reports=%d/clinicians=50/tin=%s", n, tins), func(b *testing.B) {
				files := writeReports(b, b.TempDir(), n, 50, shared)
				b.ResetTimer()
				var peak uint64
				cpu0 := cpuTime()
				for i := 0; i < b.N; i++ {
					res, p := combineFiles(b, files)
					peak = max(peak, p)
					if got := len(res.Result.Entities); got != want {
						b.Fatalf("%d entity rows, want %d", got, want)
					}
				}
				b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
				b.ReportMetric(float64(peak)/(1<<20), "live-MB")
			})
		}
	}
}
