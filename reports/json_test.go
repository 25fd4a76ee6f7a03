package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

// TestJSONContract asserts every field name of SPEC §4 explicitly, on the golden fixture.
func TestJSONContract(t *testing.T) {
	r := testResult()
	var buf bytes.Buffer
	if err := JSON(&buf, r, testOptions); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(buf.String(), "}\n") || !strings.HasPrefix(buf.String(), "{\n  \"measure_id\"") {
		t.Errorf("want 2-space indented JSON with a trailing newline, got %q…", buf.String()[:20])
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"measure_id", "performance_start", "performance_end", "as_of", "policy", "entities", "issues"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("top level: no %q", k)
		}
	}
	if _, ok := doc["generated"]; ok {
		t.Errorf("generated time in JSON: output would not be deterministic")
	}
	if got, want := doc["as_of"], "2025-03-31T15:00:00Z"; got != want {
		t.Errorf("as_of = %v, want %v", got, want)
	}
	ents := doc["entities"].([]any)
	if len(ents) != len(r.Entities) {
		t.Fatalf("%d entities, want %d", len(ents), len(r.Entities))
	}
	for i, x := range ents {
		e := x.(map[string]any)
		for _, k := range []string{"level", "tin", "denominator", "numerator", "rate", "pending"} {
			if _, ok := e[k]; !ok {
				t.Errorf("entity %d: no %q", i, k)
			}
		}
		want := r.Entities[i]
		_, hasNPI := e["npi"]
		if hasNPI != (want.Level == measure.Individual) {
			t.Errorf("entity %d (%s): npi present = %v", i, want.Level, hasNPI)
		}
		got := []float64{e["denominator"].(float64), e["numerator"].(float64), e["rate"].(float64), e["pending"].(float64)}
		if diff := cmp.Diff([]float64{float64(want.Denominator), float64(want.Numerator), want.Rate, float64(want.Pending)}, got); diff != "" {
			t.Errorf("entity %d figures (-want +got):\n%s", i, diff)
		}
	}
	iss := doc["issues"].([]any)
	rows := issuesOf(r)
	if len(iss) != len(rows) {
		t.Fatalf("%d issues, want %d", len(iss), len(rows))
	}
	for i, x := range iss {
		m := x.(map[string]any)
		for _, k := range []string{"code", "severity", "tin", "npi", "patient_id", "appointment_id", "visit_date", "deadline", "fixable", "detail"} {
			if _, ok := m[k]; !ok {
				t.Errorf("issue %d (%s): no %q", i, rows[i].Code, k)
			}
		}
		if m["code"] != string(rows[i].Code) || m["detail"] != rows[i].Detail() {
			t.Errorf("issue %d: code/detail %v/%v, want %v/%v", i, m["code"], m["detail"], rows[i].Code, rows[i].Detail())
		}
	}
}

func TestJSONNumbers(t *testing.T) {
	cases := []struct {
		name string
		rate float64
		want string
	}{
		{"exact", 0.8, `"rate": 0.8,`},
		{"four decimals", 0.7778, `"rate": 0.7778,`},
		{"float noise rounded", 7.0 / 9.0, `"rate": 0.7778,`},
		{"zero", 0, `"rate": 0,`},
		{"one", 1, `"rate": 1,`},
		{"negative zero", math.Copysign(0, -1), `"rate": 0,`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &measure.Result{Config: measure.Config{AsOf: time.Unix(0, 0)},
				Entities: []measure.EntityResult{{Entity: measure.Entity{Level: measure.Group, TIN: "123456789"}, Rate: tc.rate}}}
			var buf bytes.Buffer
			if err := JSON(&buf, r, Options{}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tc.want) {
				t.Errorf("want %s in\n%s", tc.want, buf.String())
			}
			if strings.Contains(buf.String(), `"version"`) {
				t.Errorf("version written though empty")
			}
		})
	}
}
