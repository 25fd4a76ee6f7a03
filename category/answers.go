package category

// answers.go: the practice's answers for the PI measures other than PI_PEA_1 (the
// configuration's `registry` block, SPEC §4) and which of them an entity reports: a
// group its TIN's, an individual its clinician's, each falling back to the TIN's and
// then the practice's, answer by answer.

import "github.com/mipspi/mipspi/measure"

// Answer is one PI measure's answer from the configuration: a yes/no attestation (Bool
// set) or a proportion (Numerator and Denominator set). reports/registry decodes the
// YAML into the same shape.
type Answer struct {
	Bool                   *bool
	Numerator, Denominator *int
}

// Answers are the practice's answers: the `registry` block of the configuration.
type Answers struct {
	CEHRTID  string
	Measures map[string]Answer
	// TINs overrides the practice-wide answers for one TIN, keyed by the TIN's 9 digits
	// (measure.NormalTIN).
	TINs map[string]TINAnswers
}

// TINAnswers are one TIN's own answers (SPEC §4 `registry.tins`).
type TINAnswers struct {
	CEHRTID  string            // "" = the practice's
	Measures map[string]Answer // each overrides the practice's answer for that measure
	// NPIs are the clinicians' own answers under this TIN, keyed by the 10-digit NPI
	// (measure.NormalNPI); each overrides the TIN's answer for that measure.
	NPIs map[string]map[string]Answer
}

// Where an answer can come from (Origin.Level).
const (
	FromPractice = "practice"
	FromTIN      = "tin"
	FromNPI      = "npi"
)

// Origin says where one of an entity's answers was configured.
type Origin struct {
	Level    string // FromPractice, FromTIN or FromNPI
	TIN, NPI string // the keys of registry.tins and of its npis, when Level says so
}

// Path names the configuration mapping the answer was read from, as a clerk finds it
// in the file: "registry", "registry.tins.742345678" or
// "registry.tins.742345678.npis.1088264514".
func (o Origin) Path() string {
	switch o.Level {
	case FromTIN:
		return "registry.tins." + o.TIN
	case FromNPI:
		return "registry.tins." + o.TIN + ".npis." + o.NPI
	}
	return "registry"
}

// Resolved are one entity's answers, flat (TINs is nil), with where each came from.
type Resolved struct {
	Answers
	CEHRTIDFrom Origin
	From        map[string]Origin // by measure id, for every entry of Answers.Measures
}

// For returns the answers entity e reports (SPEC §4): a group its TIN's, an individual
// its clinician's, each answer falling back to the TIN's and then to the practice's;
// any other entity (an APM Entity) the practice's. The CEHRT ID is the TIN's or the
// practice's. The entity's TIN and NPI are read like the configuration's keys
// (measure.NormalTIN, NormalNPI). Calling For on its result changes nothing.
func (a Answers) For(e measure.Entity) Resolved {
	out := Resolved{
		Answers:     Answers{CEHRTID: a.CEHRTID, Measures: make(map[string]Answer, len(a.Measures))},
		CEHRTIDFrom: Origin{Level: FromPractice},
		From:        make(map[string]Origin, len(a.Measures)),
	}
	set := func(ms map[string]Answer, o Origin) {
		for id, ans := range ms {
			out.Measures[id] = ans
			out.From[id] = o
		}
	}
	set(a.Measures, Origin{Level: FromPractice})
	if e.Level != measure.Group && e.Level != measure.Individual {
		return out
	}
	tin := measure.NormalTIN(e.TIN)
	t, ok := a.TINs[tin]
	if !ok {
		return out
	}
	if t.CEHRTID != "" {
		out.CEHRTID, out.CEHRTIDFrom = t.CEHRTID, Origin{Level: FromTIN, TIN: tin}
	}
	set(t.Measures, Origin{Level: FromTIN, TIN: tin})
	if e.Level == measure.Individual {
		npi := measure.NormalNPI(e.NPI)
		set(t.NPIs[npi], Origin{Level: FromNPI, TIN: tin, NPI: npi})
	}
	return out
}
