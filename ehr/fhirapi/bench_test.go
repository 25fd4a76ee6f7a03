package fhirapi

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mipspi/mipspi/internal/memwatch"
)

// worstBodies are 4 MiB CapabilityStatements (just under MaxBody) built to make a parser
// allocate: millions of empty resources, of resources whose profile is in another form,
// of format strings; one huge string; nesting as deep as the limit allows, repeated.
func worstBodies() map[string][]byte {
	const size = MaxBody - 256
	fill := func(head, unit, tail string) []byte {
		n := (size - len(head) - len(tail)) / (len(unit) + 1)
		var b strings.Builder
		b.Grow(size)
		b.WriteString(head)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(unit)
		}
		b.WriteString(tail)
		return []byte(b.String())
	}
	cs := `{"resourceType":"CapabilityStatement","fhirVersion":"4.0.1",`
	return map[string][]byte{
		"empty resources":     fill(cs+`"rest":[{"mode":"server","resource":[`, `{}`, `]}]}`),
		"profile objects":     fill(cs+`"rest":[{"mode":"server","resource":[`, `{"profile":{}}`, `]}]}`),
		"patient resources":   fill(cs+`"rest":[{"mode":"server","resource":[`, `{"type":"Patient"}`, `]}]}`),
		"format strings":      fill(cs+`"format":[`, `"x"`, `]}`),
		"empty arrays":        fill(cs+`"x":[`, `[]`, `]}`),
		"one string":          []byte(cs + `"software":{"name":"` + strings.Repeat("a", size-len(cs)-40) + `"}}`),
		"deep nesting, again": fill(cs+`"x":[`, strings.Repeat("[", 60)+strings.Repeat("]", 60), `]}`),
	}
}

// BenchmarkProbeWorstCapability: one probe of a server whose metadata is each worst
// body; reports the peak live heap above the start (SPEC §6: bounded memory; target
// ≤ 64 MB). The server's own copy of the body is made before the measurement.
//
//	go test -run '^$' -bench BenchmarkProbeWorstCapability -benchtime 5x ./ehr/fhirapi
func BenchmarkProbeWorstCapability(b *testing.B) {
	for name, body := range worstBodies() {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			f := newEHR(&testing.T{}, nil, map[string]route{
				wellKnown: jsonFile("smart-v2.json", plainJSON),
				metadata: func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", fhirJSON)
					w.Write(body)
				},
			})
			defer f.Close()
			var worst uint64
			b.ResetTimer()
			for range b.N {
				var r *Result
				p := memwatch.Peak(func() { r = probe(&testing.T{}, f, f.roots(), 30*time.Second) })
				worst = max(worst, p)
				if c := checkOf(&testing.T{}, r, "metadata.capability_statement"); c.Status == Fail && !strings.Contains(c.Detail, "nests deeper") {
					b.Fatalf("%s: %s", name, c.Detail)
				}
			}
			b.ReportMetric(float64(worst)/(1<<20), "peak-MB")
		})
	}
}
