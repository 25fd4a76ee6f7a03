package category

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

// TestAnswersFor: an entity's answers (SPEC §4) — a group takes its TIN's, an
// individual its clinician's, each answer falling back to the TIN's and then the
// practice's; an APM Entity the practice's; the entity's TIN and NPI are read like the
// configuration's keys; For of a result changes nothing.
func TestAnswersFor(t *testing.T) {
	a := Answers{
		CEHRTID:  "PRACTICE",
		Measures: map[string]Answer{EP1: ratio(1, 2), SRA: yes(), HIE1: ratio(5, 6)},
		TINs: map[string]TINAnswers{
			"742345678": {
				CEHRTID:  "TIN",
				Measures: map[string]Answer{EP1: ratio(3, 4), SRA: no()},
				NPIs:     map[string]map[string]Answer{"1088264514": {EP1: ratio(7, 8)}},
			},
			"361234567": {NPIs: map[string]map[string]Answer{"1298765433": {HIE1: ratio(9, 9)}}},
		},
	}
	practice, tin := Origin{Level: FromPractice}, Origin{Level: FromTIN, TIN: "742345678"}
	npi := Origin{Level: FromNPI, TIN: "742345678", NPI: "1088264514"}
	flat := func(cehrt string, from Origin, ms map[string]Answer, origins map[string]Origin) Resolved {
		return Resolved{Answers: Answers{CEHRTID: cehrt, Measures: ms}, CEHRTIDFrom: from, From: origins}
	}
	for _, tc := range []struct {
		name string
		e    measure.Entity
		want Resolved
	}{
		{"clinician with own count", measure.Entity{Level: measure.Individual, TIN: "742345678", NPI: "1088264514"},
			flat("TIN", tin, map[string]Answer{EP1: ratio(7, 8), SRA: no(), HIE1: ratio(5, 6)},
				map[string]Origin{EP1: npi, SRA: tin, HIE1: practice})},
		{"hyphenated TIN and spaced NPI in the data", measure.Entity{Level: measure.Individual, TIN: "74-2345678", NPI: "1088 264 514"},
			flat("TIN", tin, map[string]Answer{EP1: ratio(7, 8), SRA: no(), HIE1: ratio(5, 6)},
				map[string]Origin{EP1: npi, SRA: tin, HIE1: practice})},
		{"clinician of the TIN without own counts", measure.Entity{Level: measure.Individual, TIN: "742345678", NPI: "1177483926"},
			flat("TIN", tin, map[string]Answer{EP1: ratio(3, 4), SRA: no(), HIE1: ratio(5, 6)},
				map[string]Origin{EP1: tin, SRA: tin, HIE1: practice})},
		{"group never takes a clinician's", measure.Entity{Level: measure.Group, TIN: "742345678"},
			flat("TIN", tin, map[string]Answer{EP1: ratio(3, 4), SRA: no(), HIE1: ratio(5, 6)},
				map[string]Origin{EP1: tin, SRA: tin, HIE1: practice})},
		{"TIN with only clinicians' answers", measure.Entity{Level: measure.Individual, TIN: "361234567", NPI: "1298765433"},
			flat("PRACTICE", practice, map[string]Answer{EP1: ratio(1, 2), SRA: yes(), HIE1: ratio(9, 9)},
				map[string]Origin{EP1: practice, SRA: practice, HIE1: {Level: FromNPI, TIN: "361234567", NPI: "1298765433"}})},
		{"TIN not configured", measure.Entity{Level: measure.Group, TIN: "123456789"},
			flat("PRACTICE", practice, map[string]Answer{EP1: ratio(1, 2), SRA: yes(), HIE1: ratio(5, 6)},
				map[string]Origin{EP1: practice, SRA: practice, HIE1: practice})},
		{"APM Entity", measure.Entity{Level: measure.APMEntity, TIN: "742345678"},
			flat("PRACTICE", practice, map[string]Answer{EP1: ratio(1, 2), SRA: yes(), HIE1: ratio(5, 6)},
				map[string]Origin{EP1: practice, SRA: practice, HIE1: practice})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := a.For(tc.e)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("For (-want +got):\n%s", diff)
			}
			if again := got.Answers.For(tc.e).Answers; !cmp.Equal(got.Answers, again) {
				t.Errorf("For of a result changed it: %+v", again)
			}
		})
	}
	if got := (Origin{Level: FromNPI, TIN: "742345678", NPI: "1088264514"}).Path(); got != "registry.tins.742345678.npis.1088264514" {
		t.Errorf("Path = %q", got)
	}
}

// TestComputeTakesTheEntitysAnswers: the estimate of each entity reads its own answers
// (SPEC §5): a TIN that answers the security risk analysis no is zeroed, its
// neighbour's entities are not.
func TestComputeTakesTheEntitysAnswers(t *testing.T) {
	a := full()
	a.TINs = map[string]TINAnswers{"742345678": {Measures: map[string]Answer{SRA: no()}}}
	e := entity(8, 10, 0)
	e.Level, e.TIN = measure.Group, "742345678"
	if est := Compute(year2025, e, a); len(est.ZeroReasons) != 1 || est.ZeroReasons[0].Code != AttestationMissing {
		t.Errorf("TIN answering no: %+v", est.ZeroReasons)
	}
	e.TIN = "361234567"
	if est := Compute(year2025, e, a); len(est.ZeroReasons) != 0 || est.Score == 0 {
		t.Errorf("other TIN: %+v, score %g", est.ZeroReasons, est.Score)
	}
}
