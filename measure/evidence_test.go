package measure

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
)

// The evidence summary (SPEC §6) over a small period: 2025-03-03..2025-03-05 in New York
// (EST, UTC-5), so the observed period is 05:00Z on the 3rd to 05:00Z on the 6th.
func TestSummarizeAPIEvidence(t *testing.T) {
	ny := mustZone("America/New_York")
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	practice := Practice{
		Offices: []Office{{ID: 2, TIN: tinA, Zone: ny}, {ID: 3, TIN: tinB, Zone: time.UTC}},
		APIWindows: []APIWindow{
			{TIN: tinA, Enabled: at("2025-01-01T00:00:00Z"), Disabled: at("2025-03-04T12:00:00Z")},
			{TIN: tinA, Enabled: at("2025-03-04T18:00:00Z")},
		},
	}
	result := func(asOf time.Time, tins ...string) *Result {
		r := &Result{Config: Config{Start: calendar.MustParseDate("2025-03-03"), End: calendar.MustParseDate("2025-03-05"), AsOf: asOf}}
		for _, tin := range tins {
			r.Entities = append(r.Entities, EntityResult{Entity: Entity{Level: Group, TIN: tin}})
		}
		return r
	}
	from, to := at("2025-03-03T05:00:00Z"), at("2025-03-06T05:00:00Z")
	for _, tc := range []struct {
		name     string
		probes   []Probe
		asOf     time.Time
		tins     []string
		want     []TINEvidence
		findings []Code
		message  string
	}{
		{
			name: "no probe at all: the whole period is one gap",
			asOf: at("2026-01-01T00:00:00Z"), tins: []string{tinA},
			want:     []TINEvidence{{TIN: tinA, From: from, To: to, LongestGap: to.Sub(from), GapFrom: from, GapTo: to}},
			findings: []Code{APINotProbed},
			message:  "no probe of the patient API",
		},
		{
			name: "probes outside the observed period do not count; the edges are exact",
			asOf: at("2026-01-01T00:00:00Z"), tins: []string{tinA},
			probes: []Probe{
				{At: from.Add(-time.Second), TIN: tinA, OK: true},
				{At: from, TIN: tinA, OK: true}, // first instant: in
				{At: to, TIN: tinA, OK: true},   // end is exclusive
			},
			want: []TINEvidence{{TIN: tinA, From: from, To: to, Probes: 1, Passing: 1, Uptime: 1,
				LongestGap: to.Sub(from), GapFrom: from, GapTo: to}},
		},
		{
			name: "failure while enabled is a finding; failure while disabled is not; longest stretch between passes",
			asOf: at("2026-01-01T00:00:00Z"), tins: []string{tinA},
			probes: []Probe{
				{At: at("2025-03-03T06:00:00Z"), TIN: tinA, OK: true},
				{At: at("2025-03-04T10:00:00Z"), TIN: tinA, Failed: "smart.configuration: HTTP 503"}, // enabled
				{At: at("2025-03-04T13:00:00Z"), TIN: tinA, Failed: "tls"},                           // disabled window
				{At: at("2025-03-04T20:00:00Z"), TIN: tinA, OK: true},
				{At: at("2025-03-05T20:00:00Z"), TIN: "", OK: true}, // no TIN: stands for every TIN
				{At: at("2025-03-05T21:00:00Z"), TIN: tinB, OK: false},
			},
			want: []TINEvidence{{TIN: tinA, From: from, To: to, Probes: 5, Passing: 3, Uptime: 0.6,
				LongestGap: at("2025-03-04T20:00:00Z").Sub(at("2025-03-03T06:00:00Z")),
				GapFrom:    at("2025-03-03T06:00:00Z"), GapTo: at("2025-03-04T20:00:00Z"),
				FailedWhileEnabled: 1, FirstFailed: at("2025-03-04T10:00:00Z"), FirstFailedReason: "smart.configuration: HTTP 503"}},
			findings: []Code{APIProbeFailed},
			message:  "1 of 5 probes of the patient API failed while api_windows says it was enabled; check api_windows against the outage. First: 2025-03-04T10:00:00Z, smart.configuration: HTTP 503",
		},
		{
			name: "as-of inside the period ends the observed period; later probes have not happened",
			asOf: at("2025-03-04T05:00:00Z"), tins: []string{tinA},
			probes: []Probe{
				{At: at("2025-03-03T05:00:00Z"), TIN: tinA, OK: true},
				{At: at("2025-03-04T05:00:00Z"), TIN: tinA, OK: true}, // at the as-of instant: has happened
				{At: at("2025-03-04T05:00:01Z"), TIN: tinA, OK: false},
			},
			want: []TINEvidence{{TIN: tinA, From: from, To: at("2025-03-04T05:00:00Z"), Probes: 2, Passing: 2, Uptime: 1,
				LongestGap: 24 * time.Hour, GapFrom: from, GapTo: at("2025-03-04T05:00:00Z")}},
		},
		{
			name: "two TINs, zones from their offices; a TIN without offices uses UTC",
			asOf: at("2026-01-01T00:00:00Z"), tins: []string{tinB, tinA, tinB},
			probes: []Probe{{At: at("2025-03-03T05:00:00Z"), TIN: tinA, OK: true}},
			want: []TINEvidence{
				{TIN: tinA, From: from, To: to, Probes: 1, Passing: 1, Uptime: 1, LongestGap: 72 * time.Hour, GapFrom: from, GapTo: to},
				{TIN: tinB, From: at("2025-03-03T00:00:00Z"), To: at("2025-03-06T00:00:00Z"),
					LongestGap: 72 * time.Hour, GapFrom: at("2025-03-03T00:00:00Z"), GapTo: at("2025-03-06T00:00:00Z")},
			},
			findings: []Code{APINotProbed},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SummarizeAPIEvidence(tc.probes, practice, result(tc.asOf, tc.tins...))
			if d := cmp.Diff(tc.want, got.TINs); d != "" {
				t.Errorf("TINs (-want +got):\n%s", d)
			}
			var codes []Code
			for _, f := range got.Findings {
				codes = append(codes, f.Code)
				if f.Severity != SeverityWarning {
					t.Errorf("%s severity %s, want warning (evidence never changes a figure)", f.Code, f.Severity)
				}
				if tc.message != "" && !strings.Contains(f.Message, tc.message) {
					t.Errorf("message %q lacks %q", f.Message, tc.message)
				}
			}
			if d := cmp.Diff(tc.findings, codes); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
		})
	}
}
