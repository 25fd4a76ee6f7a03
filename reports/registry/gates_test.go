package registry

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/category"
)

func passingConfig() Config {
	c := fullConfig()
	c.Measures["PI_PPHI_2"] = Attest(true)
	c.Measures["PI_HIE_4"] = Ratio(3, 4)
	return c
}

func TestGates(t *testing.T) {
	if gs, err := Gates(twoTIN(), passingConfig(), All); err != nil || len(gs) != 0 {
		t.Fatalf("passing configuration: gates %v, %v", gs, err)
	}

	// Practice-wide reasons are said once without entities; an entity's own reason
	// names the entity.
	r := twoTIN()
	r.Entities[3].Numerator, r.Entities[4].Numerator = 0, 0
	cfg := passingConfig()
	cfg.CEHRTID = ""
	gs, err := Gates(r, cfg, All)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gs {
		got = append(got, g.Code+" "+strings.Join(g.Entities, ","))
	}
	want := []string{category.CEHRTIDMissing + " ", category.NumeratorZero + " TIN 987654321 NPI 3456789015,TIN 987654321 (group)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gates (-want +got):\n%s", diff)
	}
	if s := gs[1].String(); !strings.HasPrefix(s, "NUMERATOR_ZERO: TIN 987654321 NPI 3456789015, TIN 987654321 (group): No patient counts toward PI_PEA_1") {
		t.Errorf("String() = %q", s)
	}
	// Only the first TIN's individuals exported: no numerator gate.
	if gs, _ := Gates(r, cfg, Individuals); len(gs) != 2 {
		t.Errorf("individuals: %v, want CEHRT and the one zero-numerator clinician", gs)
	}

	// No registry block: everything the category needs is listed.
	gs, _ = Gates(twoTIN(), Config{}, All)
	if len(gs) != 10 || gs[0].Code != category.CEHRTIDMissing {
		t.Errorf("empty configuration: %d gates %v, want the CEHRT ID, 4 attestations and 5 measures", len(gs), gs)
	}
}

// TestProblemCodesRepeatGates: the validation problems that say again what a gate says
// carry its code, so an export lists each reason once.
func TestProblemCodesRepeatGates(t *testing.T) {
	r := twoTIN()
	r.Entities[3].Numerator = 0
	cfg := fullConfig()
	cfg.CEHRTID = "bad"
	cfg.Measures["PI_LVPP_1"] = Attest(true)
	delete(cfg.Measures, "PI_EP_2")
	codes := map[string]bool{}
	for _, p := range Validate(r, cfg, All) {
		if p.RepeatsGate() {
			codes[p.Code] = true
		}
	}
	for _, c := range []string{category.CEHRTIDInvalid, category.ConflictingMeasures, category.NumeratorZero} {
		if !codes[c] {
			t.Errorf("no problem carries %s (have %v)", c, codes)
		}
	}
}

// TestRequiredMeasuresAreCategorys: which required measures are missing is decided in
// package category alone (SPEC §5): Gates lists them with category's words, each
// alternative named as one, and Validate no longer repeats the rule. An exclusion or a
// substitute stands in for a required measure.
func TestRequiredMeasuresAreCategorys(t *testing.T) {
	drop := func(c Config, ids ...string) Config {
		for _, id := range ids {
			delete(c.Measures, id)
		}
		return c
	}
	missing := drop(passingConfig(), "PI_EP_1", "PI_HIE_4", "PI_PPHI_2")
	gs, err := Gates(twoTIN(), missing, All)
	if err != nil {
		t.Fatal(err)
	}
	want := []Gate{
		{Code: category.AttestationMissing, Message: "PI_PPHI_2 (SAFER Guides High Priority Practices Guide) is not answered: CMS scores the category 0 unless the practice answers yes. Once it is true, set PI_PPHI_2: true in the registry block."},
		{Code: category.MeasureMissing, Message: "PI_EP_1 (e-Prescribing) is missing from the registry block: CMS scores the category 0 unless it is reported or its exclusion PI_LVPP_1 is claimed."},
		{Code: category.MeasureMissing, Message: "None of the alternatives is complete (PI_HIE_1 + PI_HIE_4 lacks PI_HIE_4): report one of PI_HIE_1 + PI_HIE_4, PI_HIE_5, PI_HIE_6, each measure answered or its exclusion claimed; CMS scores the category 0 otherwise."},
	}
	if diff := cmp.Diff(want, gs); diff != "" {
		t.Errorf("gates (-want +got):\n%s", diff)
	}
	// (the group files carry the practice's answers; individual files would add that
	// the clinicians' counts are not their own)
	if ps := Validate(twoTIN(), missing, Groups); len(ps) != 0 {
		t.Errorf("Validate repeats category's rule: %v", ps)
	}

	standIn := drop(passingConfig(), "PI_EP_1", "PI_HIE_1", "PI_HIE_4", "PI_PHCDRR_1")
	standIn.Measures["PI_LVPP_1"] = Attest(true)        // exclusion of PI_EP_1
	standIn.Measures["PI_HIE_5"] = Attest(true)         // substitute of PI_HIE_1 and PI_HIE_4
	standIn.Measures["PI_PHCDRR_1_EX_2"] = Attest(true) // exclusion of PI_PHCDRR_1
	if gs, err := Gates(twoTIN(), standIn, All); err != nil || len(gs) != 0 {
		t.Errorf("exclusion and substitute standing in: gates %v, %v", gs, err)
	}
	if ps := Validate(twoTIN(), standIn, Groups); len(ps) != 0 {
		t.Errorf("exclusion and substitute standing in: problems %v", ps)
	}
}

// TestDemoPassesGatesAndValidates: the answers `mipspi demo` writes (cmd/mipspi
// demoConfig) pass every gate on the demo practice, validation finds nothing but their
// being examples, and the QPP files they give validate against the derived QPP schema.
func TestDemoPassesGatesAndValidates(t *testing.T) {
	r := demoResult(t)
	cfg := Config{CEHRTID: "0015C8BCD1234XY", Measures: map[string]Answer{
		"PI_INFBLO_1": Attest(true), "PI_ONCDIR_1": Attest(true), "PI_PPHI_1": Attest(true), "PI_PPHI_2": Attest(true),
		"PI_EP_1": Ratio(120, 150), "PI_EP_2": Attest(true), "PI_HIE_1": Ratio(40, 50), "PI_HIE_4": Ratio(30, 40),
		"PI_PHCDRR_1": Attest(true), "PI_PHCDRR_3": Attest(true),
	}}
	if gs, err := Gates(r, cfg, All); err != nil || len(gs) != 0 {
		t.Fatalf("demo answers: gates %v, %v", gs, err)
	}
	// Validation says what a clerk must still replace: the example CEHRT ID and counts,
	// and the practice's counts in the clinicians' files (SPEC §4).
	for _, p := range Validate(r, cfg, All) {
		if !strings.Contains(p.Message, "is the example in mipspi's documentation") && !strings.Contains(p.Message, "not the clinician's own count") {
			t.Errorf("demo answers: problem %v", p)
		}
	}
	files, err := Files(r, cfg, QPP, All)
	if err != nil {
		t.Fatal(err)
	}
	sch := qppSchema(t)
	for name, b := range files {
		if err := validateJSON(sch, b); err != nil {
			t.Errorf("%s does not validate against the derived schema: %v", name, err)
		}
	}
}
