package registry

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/measure"
)

// Config is the `registry:` block of the mipspi YAML config (SPEC §4): the practice's
// CMS EHR Certification ID and its answers for the PI measures other than PI_PEA_1,
// keyed by CMS measure id, with the TINs' and clinicians' own answers beside them.
// The command line reads it from the configuration file (cmd/mipspi), so that every
// complaint names the file and the line.
type Config struct {
	CEHRTID  string
	Measures map[string]Answer
	// TINs are the answers of one TIN, keyed by its 9 digits (measure.NormalTIN): its
	// group file and its clinicians' files take them over the practice's.
	TINs map[string]TINConfig
}

// TINConfig is one entry of `registry.tins`.
type TINConfig struct {
	Line     int    // the key's line in the configuration file (0 when unknown), for messages
	CEHRTID  string // "" = the practice's
	Measures map[string]Answer
	// NPIs are the clinicians' own answers, keyed by the 10-digit NPI
	// (measure.NormalNPI): their individual files take them over the TIN's.
	NPIs map[string]NPIConfig
}

// NPIConfig is one entry of `registry.tins.TIN.npis`.
type NPIConfig struct {
	Line     int // the key's line in the configuration file (0 when unknown)
	Measures map[string]Answer
}

// Answer is one PI measure's answer: a boolean attestation (Bool set) or a proportion
// (Numerator and Denominator set). Exactly one form is set in a valid Answer.
type Answer struct {
	Bool                   *bool
	Numerator, Denominator *int
}

// Attest returns a boolean answer.
func Attest(v bool) Answer { return Answer{Bool: &v} }

// Ratio returns a numerator/denominator answer.
func Ratio(numerator, denominator int) Answer {
	return Answer{Numerator: &numerator, Denominator: &denominator}
}

// IsBool reports whether a is a boolean attestation.
func (a Answer) IsBool() bool { return a.Bool != nil && a.Numerator == nil && a.Denominator == nil }

// IsRatio reports whether a is a numerator/denominator answer.
func (a Answer) IsRatio() bool { return a.Bool == nil && a.Numerator != nil && a.Denominator != nil }

// String renders a as it would be written in the configuration.
func (a Answer) String() string {
	switch {
	case a.IsBool():
		return strconv.FormatBool(*a.Bool)
	case a.IsRatio():
		return fmt.Sprintf("{numerator: %d, denominator: %d}", *a.Numerator, *a.Denominator)
	default:
		return "<no value>"
	}
}

// UnmarshalYAML implements yaml.Unmarshaler: `true`/`false`, or a mapping with exactly
// the keys numerator and denominator (integers). Strings such as "yes" or "true" in
// quotes are refused: CMS wants a boolean, and a typo must not become an attestation.
func (a *Answer) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		*a = Attest(b)
		return nil
	case n.Kind == yaml.MappingNode:
		var num, den *int
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			var dst **int
			switch k.Value {
			case "numerator":
				dst = &num
			case "denominator":
				dst = &den
			default:
				return fmt.Errorf("line %d: unknown key %q: want numerator and denominator", k.Line, k.Value)
			}
			if *dst != nil {
				return fmt.Errorf("line %d: %s given twice", k.Line, k.Value)
			}
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" {
				return fmt.Errorf("line %d: %s %q is not a whole number", v.Line, k.Value, v.Value)
			}
			var x int
			if err := v.Decode(&x); err != nil {
				return fmt.Errorf("line %d: %s: %w", v.Line, k.Value, err)
			}
			*dst = &x
		}
		if num == nil || den == nil {
			return fmt.Errorf("line %d: want both numerator and denominator", n.Line)
		}
		*a = Answer{Numerator: num, Denominator: den}
		return nil
	case n.Kind == yaml.SequenceNode:
		return fmt.Errorf("line %d: got a list: want true, false or {numerator: N, denominator: D}", n.Line)
	default:
		return fmt.Errorf("line %d: got %q: want true, false or {numerator: N, denominator: D}", n.Line, n.Value)
	}
}

// Answers returns the block as the category estimate reads it (SPEC §5).
func (c Config) Answers() category.Answers {
	out := category.Answers{CEHRTID: c.CEHRTID, Measures: toCategory(c.Measures)}
	if len(c.TINs) > 0 {
		out.TINs = make(map[string]category.TINAnswers, len(c.TINs))
		for tin, t := range c.TINs {
			ta := category.TINAnswers{CEHRTID: t.CEHRTID, Measures: toCategory(t.Measures)}
			if len(t.NPIs) > 0 {
				ta.NPIs = make(map[string]map[string]category.Answer, len(t.NPIs))
				for npi, n := range t.NPIs {
					ta.NPIs[npi] = toCategory(n.Measures)
				}
			}
			out.TINs[tin] = ta
		}
	}
	return out
}

func toCategory(ms map[string]Answer) map[string]category.Answer {
	out := make(map[string]category.Answer, len(ms))
	for id, a := range ms {
		out[id] = category.Answer(a)
	}
	return out
}

// For returns the answers e's file carries, as a Config without TINs, and where each
// came from (SPEC §4: a group file its TIN's, an individual file its clinician's, each
// falling back to the TIN's and then to the practice's; category.Answers.For).
func (c Config) For(e measure.EntityResult) (Config, category.Resolved) {
	// Only the entity's TIN and clinician are converted: category decides the fallback.
	a := category.Answers{CEHRTID: c.CEHRTID, Measures: toCategory(c.Measures)}
	tin := measure.NormalTIN(e.TIN)
	if t, ok := c.TINs[tin]; ok {
		ta := category.TINAnswers{CEHRTID: t.CEHRTID, Measures: toCategory(t.Measures)}
		if n, ok := t.NPIs[measure.NormalNPI(e.NPI)]; ok {
			ta.NPIs = map[string]map[string]category.Answer{measure.NormalNPI(e.NPI): toCategory(n.Measures)}
		}
		a.TINs = map[string]category.TINAnswers{tin: ta}
	}
	res := a.For(e.Entity)
	out := Config{CEHRTID: res.CEHRTID, Measures: make(map[string]Answer, len(res.Measures))}
	for id, a := range res.Measures {
		out.Measures[id] = Answer(a)
	}
	return out, res
}
