package registry

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// TestValidate: one case per rule, each breaking the valid two-TIN fixture in one way
// and expecting exactly the problems that break causes, with their messages.
func TestValidate(t *testing.T) {
	const (
		who   = "TIN 123456789 NPI 1234567893"
		group = "TIN 123456789 (group)"
	)
	errAt := func(entity, msg string) Problem {
		return Problem{Severity: SeverityError, Entity: entity, Message: msg}
	}
	warnAt := func(entity, msg string) Problem {
		return Problem{Severity: SeverityWarning, Entity: entity, Message: msg}
	}
	period := func(from, to string) func(*measure.Result, *Config) {
		return func(r *measure.Result, _ *Config) {
			r.Config.Start, r.Config.End = calendar.MustParseDate(from), calendar.MustParseDate(to)
			r.PerformanceYear = r.Config.Start.Year()
		}
	}
	first := func(f func(e *measure.EntityResult)) func(*measure.Result, *Config) {
		return func(r *measure.Result, _ *Config) { f(&r.Entities[0]) }
	}
	answer := func(id string, a Answer) func(*measure.Result, *Config) {
		return func(_ *measure.Result, c *Config) { c.Measures[id] = a }
	}
	tin := func(key string, f func(*TINConfig)) func(*measure.Result, *Config) {
		return func(_ *measure.Result, c *Config) {
			t := c.TINs[key]
			f(&t)
			c.TINs[key] = t
		}
	}

	tests := []struct {
		name   string
		filter EntityFilter
		mutate func(*measure.Result, *Config)
		want   []Problem
	}{
		{name: "valid submission", mutate: func(*measure.Result, *Config) {}},
		{
			name:   "numerator greater than denominator",
			mutate: first(func(e *measure.EntityResult) { e.Numerator, e.Denominator = 9, 8 }),
			want:   []Problem{errAt(who, "PI_PEA_1 numerator 9 is greater than denominator 8")},
		},
		{
			name:   "zero denominator with a numerator",
			mutate: first(func(e *measure.EntityResult) { e.Numerator, e.Denominator = 2, 0 }),
			want:   []Problem{errAt(who, "PI_PEA_1 denominator is 0 but numerator is 2: a zero denominator requires a zero numerator")},
		},
		{
			name:   "negative count",
			mutate: first(func(e *measure.EntityResult) { e.Numerator, e.Denominator = 1, -1 }),
			want:   []Problem{errAt(who, "PI_PEA_1 numerator 1 / denominator -1: counts cannot be negative")},
		},
		{
			name:   "numerator zero warns",
			mutate: first(func(e *measure.EntityResult) { e.Numerator = 0 }),
			want:   []Problem{warnAt(who, "PI_PEA_1 numerator is 0: the PI category scores 0 without at least one patient in the numerator")},
		},
		{
			name: "TIN not 9 digits",
			mutate: func(r *measure.Result, _ *Config) {
				r.Entities[2].TIN = "12-3456789"
			},
			want: []Problem{errAt("TIN 12-3456789 (group)", `TIN "12-3456789" is not 9 digits`)},
		},
		{
			name:   "NPI not 10 digits",
			mutate: first(func(e *measure.EntityResult) { e.NPI = "123456789" }),
			want: []Problem{
				warnAt("", "registry.tins.123456789.npis.1234567893 matches no clinician of TIN 123456789 in the report: its answers go into no file"),
				errAt("TIN 123456789 NPI 123456789", `NPI "123456789" is not 10 digits`),
				warnAt("TIN 123456789 NPI 123456789 (Philips, Trevor)", "PI_EP_1, PI_HIE_1, PI_HIE_4 are not the clinician's own counts but those in registry.measures: set the clinician's under registry.tins.123456789.npis.123456789.measures"),
			},
		},
		{
			name:   "NPI check digit",
			mutate: first(func(e *measure.EntityResult) { e.NPI = "1234567890" }),
			want: []Problem{
				warnAt("", "registry.tins.123456789.npis.1234567893 matches no clinician of TIN 123456789 in the report: its answers go into no file"),
				errAt("TIN 123456789 NPI 1234567890", "NPI 1234567890 fails the check digit (Luhn over 80840 + the first 9 digits): the last digit should be 3"),
				warnAt("TIN 123456789 NPI 1234567890 (Philips, Trevor)", "PI_EP_1, PI_HIE_1, PI_HIE_4 are not the clinician's own counts but those in registry.measures: set the clinician's under registry.tins.123456789.npis.1234567890.measures"),
			},
		},
		{
			name:   "duplicate entity",
			mutate: func(r *measure.Result, _ *Config) { r.Entities = append(r.Entities, r.Entities[0]) },
			want:   []Problem{errAt(who, "entity appears more than once in the result")},
		},
		{
			name:   "unknown level",
			mutate: first(func(e *measure.EntityResult) { e.Level = "practice" }),
			want:   []Problem{warnAt("", "registry.tins.123456789.npis.1234567893 matches no clinician of TIN 123456789 in the report: its answers go into no file"), errAt(who, `level "practice": want individual or group`)},
		},
		{
			name:   "CEHRT ID missing",
			mutate: func(_ *measure.Result, c *Config) { c.CEHRTID = "" },
			want:   []Problem{errAt("", "registry.cehrt_id is missing: set it to the practice's 15-character CMS EHR Certification ID from CHPL")},
		},
		{
			name:   "CEHRT ID malformed",
			mutate: func(_ *measure.Result, c *Config) { c.CEHRTID = "0015E8BCD1234XY" },
			want:   []Problem{errAt("", `registry.cehrt_id "0015E8BCD1234XY" is not a CMS EHR Certification ID: want 15 letters or digits with C as the 5th character (e.g. 0015C8BCD1234XY)`)},
		},
		{
			name:   "measure id unknown for the year",
			mutate: answer("PI_HIE_2", Attest(true)), // retired before 2022
			want:   []Problem{errAt("", "registry.measures.PI_HIE_2: PI_HIE_2 is not a PI measure in performance year 2025")},
		},
		{
			name:   "measure new in a later year",
			mutate: answer("PI_PHCDRR_6", Attest(true)), // first performance year 2026
			want:   []Problem{errAt("", "registry.measures.PI_PHCDRR_6: PI_PHCDRR_6 is not a PI measure in performance year 2025")},
		},
		{
			name:   "unknown performance year",
			mutate: period("2021-01-01", "2021-12-31"),
			want:   []Problem{errAt("", "performance year 2021: no CMS PI measure data embedded (have 2022-2027)")},
		},
		{
			name:   "boolean given for a proportion measure",
			mutate: answer("PI_EP_1", Attest(true)),
			want:   []Problem{errAt("", "registry.measures.PI_EP_1: PI_EP_1 is a proportion measure in 2025: want {numerator, denominator}, not true")},
		},
		{
			name:   "proportion given for a boolean measure",
			mutate: answer("PI_INFBLO_1", Ratio(1, 2)),
			want:   []Problem{errAt("", "registry.measures.PI_INFBLO_1: PI_INFBLO_1 is a boolean measure in 2025: want true or false, not {numerator, denominator}")},
		},
		{
			name:   "configured proportion numerator greater than denominator",
			mutate: answer("PI_EP_1", Ratio(151, 150)),
			want:   []Problem{errAt("", "registry.measures.PI_EP_1: PI_EP_1 numerator 151 is greater than denominator 150")},
		},
		{
			name:   "configured proportion zero denominator",
			mutate: answer("PI_HIE_1", Ratio(3, 0)),
			want:   []Problem{errAt("", "registry.measures.PI_HIE_1: PI_HIE_1 denominator is 0 but numerator is 3: a zero denominator requires a zero numerator")},
		},
		{
			name:   "answer without a value",
			mutate: answer("PI_PPHI_1", Answer{}),
			want:   []Problem{errAt("", "registry.measures.PI_PPHI_1: no value: want true, false or {numerator, denominator}")},
		},
		{
			name: "answer mixing forms",
			mutate: func(_ *measure.Result, c *Config) {
				a := Ratio(1, 2)
				yes := true
				a.Bool = &yes
				c.Measures["PI_PPHI_1"] = a
			},
			want: []Problem{errAt("", "registry.measures.PI_PPHI_1: want either true/false or {numerator, denominator}, not a mix")},
		},
		{
			name:   "PI_PEA_1 in the configuration",
			mutate: answer("PI_PEA_1", Ratio(1, 1)),
			want:   []Problem{errAt("", "registry.measures.PI_PEA_1: PI_PEA_1 is computed by mipspi from the EHR; remove it from the configuration")},
		},
		{
			name:   "measure sent with its exclusion",
			mutate: answer("PI_LVPP_1", Attest(true)),
			want:   []Problem{errAt("", "registry.measures: PI_EP_1 and its exclusion PI_LVPP_1 are both configured: CMS accepts one or the other")},
		},
		{
			name:   "measure sent with its substitute",
			mutate: answer("PI_HIE_5", Attest(true)),
			want: []Problem{
				errAt("", "registry.measures: PI_HIE_1 and its substitute PI_HIE_5 are both configured: CMS accepts one or the other"),
				errAt("", "registry.measures: PI_HIE_4 and its substitute PI_HIE_5 are both configured: CMS accepts one or the other"),
			},
		},
		{
			name: "PRE and PROD stages together",
			mutate: func(r *measure.Result, c *Config) {
				c.Measures["PI_PHCDRR_1_PRE"] = Attest(true)
				c.Measures["PI_PHCDRR_1_PROD"] = Attest(true)
			},
			want: []Problem{errAt("", "registry.measures: PI_PHCDRR_1_PRE and its substitute PI_PHCDRR_1_PROD are both configured: CMS accepts one or the other")},
		},
		{
			name:   "period spans two years",
			mutate: period("2025-07-01", "2026-06-30"),
			want:   []Problem{errAt("", "performance period 2025-07-01..2026-06-30 spans two calendar years: CMS requires one")},
		},
		{
			name:   "period ends before it starts",
			mutate: period("2025-12-31", "2025-01-01"),
			want:   []Problem{errAt("", "performance period 2025-12-31..2025-01-01 ends before it starts")},
		},
		{
			name:   "period shorter than 180 days from 2024",
			mutate: period("2025-01-01", "2025-06-28"), // 179 days
			want:   []Problem{errAt("", "performance period 2025-01-01..2025-06-28 is 179 days: CMS requires at least 180 consecutive days in performance year 2025")},
		},
		{
			name:   "180 days is enough in 2025",
			mutate: period("2025-01-01", "2025-06-29"),
		},
		{
			name: "90 days is enough in 2023",
			mutate: func(r *measure.Result, c *Config) {
				period("2023-10-03", "2023-12-31")(r, c)
				c.Measures["PI_PHCDRR_3"] = Attest(true)
			},
		},
		{
			name:   "period shorter than 90 days before 2024",
			mutate: period("2023-10-04", "2023-12-31"),
			want:   []Problem{errAt("", "performance period 2023-10-04..2023-12-31 is 89 days: CMS requires at least 90 consecutive days in performance year 2023")},
		},
		{
			name:   "performance year does not match the period",
			mutate: func(r *measure.Result, _ *Config) { r.PerformanceYear = 2024 },
			want: []Problem{
				errAt("", "performance year 2024 does not match the performance period 2025-01-01..2025-12-31"),
			},
		},
		{
			name:   "unknown entity filter",
			filter: "clinician",
			mutate: func(*measure.Result, *Config) {},
			want:   []Problem{errAt("", `entity filter "clinician": want individual, group or all`)},
		},
		{
			name:   "no entities for the filter",
			filter: Groups,
			mutate: func(r *measure.Result, _ *Config) {
				r.Entities = []measure.EntityResult{r.Entities[0], r.Entities[1]}
			},
			want: []Problem{
				warnAt("", "registry.tins.987654321 matches no TIN in the report: its answers go into no file"),
				errAt("", "no group entities in the result to export"),
			},
		},
		{
			name:   "filter checks only the exported entities",
			filter: Groups,
			mutate: first(func(e *measure.EntityResult) { e.NPI = "bad" }),
			want:   []Problem{warnAt("", "registry.tins.123456789.npis.1234567893 matches no clinician of TIN 123456789 in the report: its answers go into no file")}, // the keys are held to the whole result
		},
		{
			name:   "CEHRT ID of the documentation",
			mutate: func(_ *measure.Result, c *Config) { c.CEHRTID = "0015C8BCD1234XY" },
			want:   []Problem{errAt("", "registry.cehrt_id 0015C8BCD1234XY is the example in mipspi's documentation, not the practice's CMS EHR Certification ID: copy the practice's own from CHPL")},
		},
		{
			name:   "count of the documentation",
			mutate: answer("PI_EP_1", Ratio(120, 150)),
			want:   []Problem{warnAt("", "registry.measures.PI_EP_1: {numerator: 120, denominator: 150} is the example in mipspi's documentation: check that it is the practice's own count")},
		},
		{
			name:   "a TIN's own CEHRT ID is checked where it is configured",
			mutate: tin("987654321", func(t *TINConfig) { t.CEHRTID = "0015C8BCD9876ZZ" }),
			want:   []Problem{errAt("TIN 987654321", "registry.tins.987654321.cehrt_id 0015C8BCD9876ZZ is the example in mipspi's documentation, not the practice's CMS EHR Certification ID: copy the practice's own from CHPL")},
		},
		{
			name: "the practice's CEHRT ID is missing for the TIN without its own",
			mutate: func(r *measure.Result, c *Config) {
				tin("987654321", func(t *TINConfig) { t.CEHRTID = "0015CAB12CD34EF" })(r, c)
				c.CEHRTID = ""
			},
			want: []Problem{errAt("TIN 123456789", "registry.cehrt_id is missing: set it to the practice's 15-character CMS EHR Certification ID from CHPL")},
		},
		{
			name:   "a TIN's answer is checked where it is configured",
			mutate: tin("987654321", func(t *TINConfig) { t.Measures = map[string]Answer{"PI_EP_1": Ratio(9, 8)} }),
			want:   []Problem{errAt("", "registry.tins.987654321.measures.PI_EP_1: PI_EP_1 numerator 9 is greater than denominator 8")},
		},
		{
			name: "a clinician's answer is checked where it is configured",
			mutate: tin("123456789", func(t *TINConfig) {
				t.NPIs["2345678900"].Measures["PI_HIE_1"] = Ratio(40, 50)
			}),
			want: []Problem{warnAt("", "registry.tins.123456789.npis.2345678900.measures.PI_HIE_1: {numerator: 40, denominator: 50} is the example in mipspi's documentation: check that it is the practice's own count")},
		},
		{
			name:   "a clinician without counts of their own takes the practice's",
			mutate: tin("123456789", func(t *TINConfig) { delete(t.NPIs, "2345678900") }),
			want: []Problem{warnAt(`TIN 123456789 NPI 2345678900 (O'Brien & <Sons>, "Ann")`,
				"PI_EP_1, PI_HIE_1, PI_HIE_4 are not the clinician's own counts but those in registry.measures: set the clinician's under registry.tins.123456789.npis.2345678900.measures")},
		},
		{
			name: "a clinician with one count of their own takes the others from the TIN and the practice",
			mutate: tin("987654321", func(t *TINConfig) {
				t.Measures = map[string]Answer{"PI_EP_1": Ratio(6, 9)}
				t.NPIs["3456789015"] = NPIConfig{Measures: map[string]Answer{"PI_HIE_1": Ratio(1, 2)}}
			}),
			want: []Problem{warnAt("TIN 987654321 NPI 3456789015 (=Cmd, Eve)",
				"PI_EP_1, PI_HIE_4 are not the clinician's own counts but those in registry.tins.987654321.measures and registry.measures: set the clinician's under registry.tins.987654321.npis.3456789015.measures")},
		},
		{
			name:   "a TIN's exclusion beside the practice's measure",
			mutate: tin("987654321", func(t *TINConfig) { t.Measures = map[string]Answer{"PI_LVPP_1": Attest(true)} }),
			want: []Problem{errAt("TIN 987654321 NPI 3456789015, TIN 987654321 (group)",
				"registry.measures: PI_EP_1 and its exclusion PI_LVPP_1 are both configured: CMS accepts one or the other")},
		},
		{
			name:   "an answer no exported file carries is not checked",
			filter: Individuals, // every clinician has their own PI_EP_1
			mutate: answer("PI_EP_1", Ratio(9, 8)),
		},
		{
			name: "keys that match nothing",
			mutate: func(r *measure.Result, c *Config) {
				c.TINs["111111111"] = TINConfig{Line: 12}
				tin("987654321", func(t *TINConfig) { t.NPIs["1234567893"] = NPIConfig{Line: 20} })(r, c)
			},
			want: []Problem{
				warnAt("", "registry.tins.111111111 (line 12) matches no TIN in the report: its answers go into no file"),
				warnAt("", "registry.tins.987654321.npis.1234567893 (line 20) matches no clinician of TIN 987654321 in the report: its answers go into no file"),
			},
		},
		{
			name: "keys outside the --tin filter are not looked at",
			mutate: func(r *measure.Result, c *Config) {
				c.TINs["111111111"] = TINConfig{Line: 12}
				r.Config.TIN = "12-3456789"
				r.Entities = r.Entities[:3]
			},
		},
		{
			name: "every problem is listed",
			mutate: func(r *measure.Result, c *Config) {
				c.CEHRTID = ""
				r.Entities[0].NPI = "1234567890"
				r.Entities[2].Numerator = 900
			},
			want: []Problem{
				errAt("", "registry.cehrt_id is missing: set it to the practice's 15-character CMS EHR Certification ID from CHPL"),
				warnAt("", "registry.tins.123456789.npis.1234567893 matches no clinician of TIN 123456789 in the report: its answers go into no file"),
				errAt("TIN 123456789 NPI 1234567890", "NPI 1234567890 fails the check digit (Luhn over 80840 + the first 9 digits): the last digit should be 3"),
				warnAt("TIN 123456789 NPI 1234567890 (Philips, Trevor)", "PI_EP_1, PI_HIE_1, PI_HIE_4 are not the clinician's own counts but those in registry.measures: set the clinician's under registry.tins.123456789.npis.1234567890.measures"),
				errAt(group, "PI_PEA_1 numerator 900 is greater than denominator 806"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, cfg := twoTIN(), withOwnCounts(fullConfig())
			tt.mutate(r, &cfg)
			filter := tt.filter
			if filter == "" {
				filter = All
			}
			got := Validate(r, cfg, filter)
			// Code is held by TestProblemCodesRepeatGates.
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Problem{}, "Code")); diff != "" {
				t.Errorf("Validate() mismatch (-want +got):\n%s", diff)
			}
			if HasErrors(got) != HasErrors(tt.want) {
				t.Errorf("HasErrors = %v", HasErrors(got))
			}
		})
	}
}

func TestProblemString(t *testing.T) {
	for _, tt := range []struct {
		p    Problem
		want string
	}{
		{Problem{Severity: SeverityError, Entity: "TIN 123456789 NPI 1234567893", Message: "m"}, "error: TIN 123456789 NPI 1234567893: m"},
		{Problem{Severity: SeverityWarning, Message: "m"}, "warning: m"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}
