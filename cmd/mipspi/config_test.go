package main

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/registry"
)

func TestParseConfig(t *testing.T) {
	ok := func(n int) *int { return &n }
	tr := true
	tests := []struct {
		name string
		yaml string
		want *fileConfig
	}{
		{name: "empty file", yaml: "", want: &fileConfig{Name: "c.yaml"}},
		{name: "comments only", yaml: "# nothing\n", want: &fileConfig{Name: "c.yaml"}},
		{name: "null document", yaml: "~\n", want: &fileConfig{Name: "c.yaml"}},
		{
			name: "every key",
			yaml: `holidays: none
closures: [2025-12-26, 2025-11-28]
seen_statuses: [Arrived, "Checked Out"]
policy: any-visit
release: sign
numerator_actions: calendar-year
registry:
  cehrt_id: 0015C8BCD1234XY
  measures:
    PI_PPHI_1: true
    PI_EP_1: {numerator: 120, denominator: 150}
`,
			want: &fileConfig{
				Name:             "c.yaml",
				Holidays:         "none",
				Closures:         []calendar.Date{calendar.MustParseDate("2025-12-26"), calendar.MustParseDate("2025-11-28")},
				SeenStatuses:     []string{"Arrived", "Checked Out"},
				Policy:           measure.AnyVisit,
				Release:          measure.ReleaseSign,
				NumeratorActions: measure.ActionsCalendarYear,
				Registry: &registryBlock{Line: 7, Config: registry.Config{
					CEHRTID: "0015C8BCD1234XY",
					Measures: map[string]registry.Answer{
						"PI_PPHI_1": {Bool: &tr},
						"PI_EP_1":   {Numerator: ok(120), Denominator: ok(150)},
					},
				}},
			},
		},
		{
			name: "all-digit CEHRT ID keeps its leading zeros",
			yaml: "registry:\n  cehrt_id: 001500000000000\n",
			want: &fileConfig{Name: "c.yaml", Registry: &registryBlock{Line: 1, Config: registry.Config{
				CEHRTID: "001500000000000", Measures: map[string]registry.Answer{},
			}}},
		},
		{
			name: "anchors and aliases resolve",
			yaml: "closures: &c [2025-01-02]\nseen_statuses: [Arrived]\n",
			want: &fileConfig{Name: "c.yaml", Closures: []calendar.Date{calendar.MustParseDate("2025-01-02")}, SeenStatuses: []string{"Arrived"}},
		},
		{name: "null closures", yaml: "closures:\n", want: &fileConfig{Name: "c.yaml"}},
		{
			name: "answers per TIN and per clinician, keys read as text and normalised",
			yaml: `registry:
  cehrt_id: 0015CPRACTICE01
  tins:
    36-1234567:
      cehrt_id: 0015CLAKESIDE01
      measures: {PI_EP_1: {numerator: 80, denominator: 95}}
      npis:
        "1088 264 514": {measures: {PI_EP_1: {numerator: 30, denominator: 31}}}
    012345678:
    742345678: {npis: {1177483926: }}
`,
			want: &fileConfig{Name: "c.yaml", Registry: &registryBlock{Line: 1, Config: registry.Config{
				CEHRTID: "0015CPRACTICE01", Measures: map[string]registry.Answer{},
				TINs: map[string]registry.TINConfig{
					"361234567": {Line: 4, CEHRTID: "0015CLAKESIDE01",
						Measures: map[string]registry.Answer{"PI_EP_1": {Numerator: ok(80), Denominator: ok(95)}},
						NPIs: map[string]registry.NPIConfig{"1088264514": {Line: 8,
							Measures: map[string]registry.Answer{"PI_EP_1": {Numerator: ok(30), Denominator: ok(31)}}}}},
					"012345678": {Line: 9},
					"742345678": {Line: 10, NPIs: map[string]registry.NPIConfig{"1177483926": {Line: 10}}},
				},
			}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseConfig("c.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "holidays: federal\nholiday: none\n",
			`config c.yaml:2: unknown key "holiday" (known keys: holidays, closures, seen_statuses, policy, release, numerator_actions, registry, ehr, openemr)`},
		{"closures not a list", "closures: 2025-12-26\n",
			`config c.yaml:1: closures: want a list of dates (YYYY-MM-DD), got a date (2025-12-26)`},
		{"impossible closure date", "closures:\n  - 2025-01-02\n  - 2025-02-30\n",
			`config c.yaml:3: closures: "2025-02-30" is not a date (YYYY-MM-DD)`},
		{"closure is a mapping", "closures: [{day: 1}]\n",
			`config c.yaml:1: closures: want a date (YYYY-MM-DD), got a mapping`},
		{"seen_statuses a string", "seen_statuses: Arrived\n",
			`config c.yaml:1: seen_statuses: want a list of appointment statuses, got a string "Arrived"`},
		{"seen_statuses empty", "seen_statuses: []\n",
			`config c.yaml:1: seen_statuses: empty list; no visit would ever count (omit the key for the default set)`},
		{"seen status null", "seen_statuses: [Arrived, ~]\n",
			`config c.yaml:1: seen_statuses: want a status name, got nothing (null)`},
		{"bad policy", "policy: every_visit\n",
			`config c.yaml:1: policy: "every_visit" is not one of every-visit, any-visit`},
		{"policy a number", "policy: 3\n",
			`config c.yaml:1: policy: "3" is not one of every-visit, any-visit`},
		{"holidays a boolean", "holidays: true\n",
			`config c.yaml:1: holidays: "true" is not one of federal, none`},
		{"release a list", "release: [lock]\n",
			`config c.yaml:1: release: want lock or sign, got a list`},
		{"numerator_actions null", "numerator_actions:\n",
			`config c.yaml:1: numerator_actions: want period or calendar-year, got nothing (null)`},
		{"root a list", "- holidays\n",
			`config c.yaml:1: want a mapping of settings (holidays, closures, seen_statuses, policy, release, numerator_actions, registry, ehr, openemr), got a list`},
		{"repeated key", "policy: any-visit\npolicy: every-visit\n",
			`config c.yaml:2: key "policy" repeated (first set on line 1)`},
		{"syntax error", "policy: [any-visit\n",
			`config c.yaml:1: did not find expected ',' or ']'`},
		{"two documents", "policy: any-visit\n---\npolicy: every-visit\n",
			`config c.yaml:3: more than one YAML document; a configuration file holds one`},
		{"registry unknown key", "registry:\n  cehrtid: X\n",
			`config c.yaml:2: registry: unknown key "cehrtid" (known keys: cehrt_id, measures, tins)`},
		{"registry a string", "registry: yes\n",
			`config c.yaml:1: registry: want a mapping (cehrt_id, measures, tins), got a string "yes"`},
		{"answer a quoted boolean", "registry:\n  measures:\n    PI_PPHI_1: \"true\"\n",
			`config c.yaml:3: registry.measures.PI_PPHI_1: got "true": want true, false or {numerator: N, denominator: D}`},
		{"answer numerator not a number", "registry:\n  measures:\n    PI_EP_1: {numerator: many, denominator: 2}\n",
			`config c.yaml:3: registry.measures.PI_EP_1: numerator "many" is not a whole number`},
		{"measure repeated", "registry:\n  measures:\n    PI_PPHI_1: true\n    PI_PPHI_1: false\n",
			`config c.yaml:4: registry.measures: PI_PPHI_1 repeated (first set on line 3)`},
		{"answer with no value", "registry:\n  measures:\n    PI_PPHI_1:\n",
			`config c.yaml:3: registry.measures.PI_PPHI_1: no answer: want true, false or {numerator: N, denominator: D}`},
		{"fractional count", "registry:\n  measures:\n    PI_EP_1: {numerator: 1.5, denominator: 2}\n",
			`config c.yaml:3: registry.measures.PI_EP_1: numerator "1.5" is not a whole number`},
		{"missing denominator", "registry:\n  measures:\n    PI_EP_1: {numerator: 1}\n",
			`config c.yaml:3: registry.measures.PI_EP_1: want both numerator and denominator`},
		// SPEC §4: keys naming TINs and NPIs are text, normalised like --tin and --npi.
		{"TIN key not 9 digits", "registry:\n  tins:\n    \"36123456\": {cehrt_id: X}\n",
			`config c.yaml:3: registry.tins: "36123456" is not a TIN (9 digits)`},
		{"TIN key with letters", "registry:\n  tins:\n    36-123456X: {}\n",
			`config c.yaml:3: registry.tins: "36-123456X" is not a TIN (9 digits)`},
		{"TIN key twice after normalising", "registry:\n  tins:\n    \"361234567\": {}\n    36-1234567: {}\n",
			`config c.yaml:4: registry.tins: "36-1234567" and "361234567" (line 3) are the same TIN, 361234567`},
		{"TIN key twice as written", "registry:\n  tins:\n    361234567: {}\n    361234567: {}\n",
			`config c.yaml:4: registry.tins: 361234567 repeated (first set on line 3)`},
		{"TIN not a mapping", "registry:\n  tins:\n    361234567: [a]\n",
			`config c.yaml:3: registry.tins.361234567: want a mapping (cehrt_id, measures, npis), got a list`},
		{"TIN unknown key", "registry:\n  tins:\n    361234567:\n      npi: {}\n",
			`config c.yaml:4: registry.tins.361234567: unknown key "npi" (known keys: cehrt_id, measures, npis)`},
		{"TIN answer", "registry:\n  tins:\n    361234567:\n      measures: {PI_EP_1: yes}\n",
			`config c.yaml:4: registry.tins.361234567.measures.PI_EP_1: got "yes": want true, false or {numerator: N, denominator: D}`},
		{"NPI key not 10 digits", "registry:\n  tins:\n    361234567:\n      npis:\n        108826451: {}\n",
			`config c.yaml:5: registry.tins.361234567.npis: "108826451" is not an NPI (10 digits)`},
		{"NPI key twice after normalising", "registry:\n  tins:\n    361234567:\n      npis:\n        1088264514: {}\n        \"1088 264 514\": {}\n",
			`config c.yaml:6: registry.tins.361234567.npis: "1088 264 514" and "1088264514" (line 5) are the same NPI, 1088264514`},
		{"NPI CEHRT ID", "registry:\n  tins:\n    361234567:\n      npis:\n        1088264514: {cehrt_id: X}\n",
			`config c.yaml:5: registry.tins.361234567.npis.1088264514: unknown key "cehrt_id" (known keys: measures)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig("c.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("parseConfig succeeded; want %s", tc.want)
			}
			var ce *configError
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *configError", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// FuzzLoadConfig: whatever bytes a configuration file holds, parsing returns a config or
// an error naming the file, and never panics.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte("holidays: federal\nclosures: [2025-12-26]\n"))
	f.Add([]byte("registry:\n  cehrt_id: 0015C8BCD1234XY\n  measures:\n    PI_EP_1: {numerator: 1, denominator: 2}\n"))
	f.Add([]byte("registry:\n  tins:\n    36-1234567:\n      cehrt_id: X\n      npis: {\"1088 264 514\": {measures: {PI_EP_1: {numerator: 1, denominator: 2}}}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("policy: !!binary aGVsbG8=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseConfig("fuzz.yaml", data)
		if err != nil {
			if cfg != nil {
				t.Errorf("both a config and an error: %v", err)
			}
			var ce *configError
			if !errors.As(err, &ce) || ce.File != "fuzz.yaml" {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		if cfg == nil {
			t.Fatal("no config and no error")
		}
		for _, s := range cfg.SeenStatuses {
			if s == "" {
				t.Error("empty seen status accepted")
			}
		}
		switch cfg.Holidays {
		case "", "federal", "none":
		default:
			t.Errorf("holidays %q accepted", cfg.Holidays)
		}
	})
}
