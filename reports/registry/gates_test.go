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
	for _, c := range []string{category.CEHRTIDInvalid, category.ConflictingMeasures, category.MeasureMissing, category.NumeratorZero} {
		if !codes[c] {
			t.Errorf("no problem carries %s (have %v)", c, codes)
		}
	}
}
