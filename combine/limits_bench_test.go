package combine

import (
	"io"
	"strings"
	"testing"

	"github.com/mipspi/mipspi/internal/memwatch"
)

// genReader streams head, then unit repeated until size bytes in all, then tail: a large
// report without holding it in memory or on disk.
type genReader struct {
	head, unit, tail []byte
	size, n          int64
	pending          []byte
}

func newGen(head, unit, tail string, size int64) *genReader {
	return &genReader{head: []byte(head), unit: []byte(unit), tail: []byte(tail), size: size}
}

func (g *genReader) Read(p []byte) (int, error) {
	out := 0
	for out < len(p) {
		if len(g.pending) == 0 {
			switch {
			case g.n == 0 && len(g.head) > 0:
				g.pending = g.head
			case g.n+int64(len(g.unit))+int64(len(g.tail)) <= g.size:
				g.pending = g.unit
			case g.tail != nil:
				g.pending, g.tail = g.tail, nil
			default:
				if out == 0 {
					return 0, io.EOF
				}
				return out, nil
			}
		}
		k := copy(p[out:], g.pending)
		g.pending = g.pending[k:]
		out += k
		g.n += int64(k)
	}
	return out, nil
}

const reportHead = `{"measure_id": "PI_PEA_1", "performance_year": 2025, "performance_start": "2025-01-01",
"performance_end": "2025-12-31", "as_of": "2026-01-15T12:00:00Z", "policy": "every-visit",
"release": "lock", "numerator_actions": "period", "entities": [` + okRows + `], `

const issueRow = `{"code": "NOTE_LOCKED_LATE", "severity": "error", "tin": "111111111", "npi": "1234567893", "patient_id": 17, "appointment_id": 311, "visit_date": "2025-03-03", "deadline": "2025-03-07", "fixable": false, "detail": "note locked 2025-03-12, 3 business days late"},`

// BenchmarkReadHostile reads inputs built to make combine's memory grow with the input
// (SPEC §7: bounded, or a clear refusal; target ≤ 64 MB): 1 GiB of white space inside
// a report, one 300 MB string, and — for scale — a 1 GiB report of issue rows, which
// must be read (it is what a large practice's report looks like).
//
//	go test ./combine -run '^$' -bench BenchmarkReadHostile -benchtime 1x
func BenchmarkReadHostile(b *testing.B) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name string
		gen  func() io.Reader
	}{
		{"1GiB_white_space", func() io.Reader { return newGen(reportHead+`"issues": [`, strings.Repeat(" ", 4096), `]}`, gib) }},
		{"300MB_string", func() io.Reader {
			return newGen(reportHead+`"issues": [{"detail": "`, strings.Repeat("a", 4096), `"}]}`, 300<<20)
		}},
		{"1GiB_issue_rows", func() io.Reader {
			return newGen(reportHead+`"issues": [`, issueRow, `{}]}`, gib)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var worst uint64
			var err error
			for range b.N {
				worst = max(worst, memwatch.Peak(func() { _, err = Read("r.json", tc.gen(), false) }))
			}
			b.ReportMetric(float64(worst)/(1<<20), "peak-MB")
			if err != nil {
				b.Logf("%s: refused: %v", tc.name, err)
			} else {
				b.ReportMetric(float64(gib)/b.Elapsed().Seconds()*float64(b.N)/(1<<20), "MB/s")
			}
		})
	}
}

// BenchmarkReadIssueRows: Read over 256 MiB of issue rows, what most of a large practice's
// report is: the guard's cost on the common case (BENCHMARKS.md compares it with the
// reader before the guard).
//
//	go test ./combine -run '^$' -bench BenchmarkReadIssueRows -benchtime 2x
func BenchmarkReadIssueRows(b *testing.B) {
	for range b.N {
		if _, err := Read("r.json", newGen(reportHead+`"issues": [`, strings.Repeat(issueRow, 64), `{}]}`, 256<<20), false); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(256 << 20)
}
