package registry

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/mipspi/mipspi/category"
)

// Config is the `registry:` block of the mipspi YAML config (SPEC §4): the practice's
// CMS EHR Certification ID and its answers for the PI measures other than PI_PEA_1,
// keyed by CMS measure id.
type Config struct {
	CEHRTID  string            `yaml:"cehrt_id"`
	Measures map[string]Answer `yaml:"measures"`
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

// UnmarshalYAML implements yaml.Unmarshaler for the `registry:` block so that an
// answer's error names its measure id, a measure given twice is refused, and a
// misspelt key (cehrtid) is an error rather than a silently missing CEHRT ID.
func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("registry: line %d: want a mapping with cehrt_id and measures", n.Line)
	}
	var out Config
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "cehrt_id":
			if v.Kind != yaml.ScalarNode {
				return fmt.Errorf("registry.cehrt_id: line %d: want a string", v.Line)
			}
			out.CEHRTID = v.Value
		case "measures":
			if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
				continue
			}
			if v.Kind != yaml.MappingNode {
				return fmt.Errorf("registry.measures: line %d: want a mapping of measure id to answer", v.Line)
			}
			out.Measures = make(map[string]Answer, len(v.Content)/2)
			seen := make(map[string]int)
			for j := 0; j+1 < len(v.Content); j += 2 {
				mk, mv := v.Content[j], v.Content[j+1]
				id := mk.Value
				if line, dup := seen[id]; dup {
					return fmt.Errorf("registry.measures.%s: given twice (lines %d and %d)", id, line, mk.Line)
				}
				seen[id] = mk.Line
				if mv.Kind == yaml.ScalarNode && mv.ShortTag() == "!!null" {
					// yaml.v3 never calls UnmarshalYAML for a null; refuse it here.
					return fmt.Errorf("registry.measures.%s: line %d: no answer: want true, false or {numerator: N, denominator: D}", id, mk.Line)
				}
				var ans Answer
				if err := mv.Decode(&ans); err != nil {
					return fmt.Errorf("registry.measures.%s: %w", id, err)
				}
				out.Measures[id] = ans
			}
		default:
			return fmt.Errorf("registry: line %d: unknown key %q: want cehrt_id or measures", k.Line, k.Value)
		}
	}
	*c = out
	return nil
}

// Answers returns the block as the category estimate reads it (SPEC §5).
func (c Config) Answers() category.Answers {
	out := category.Answers{CEHRTID: c.CEHRTID, Measures: make(map[string]category.Answer, len(c.Measures))}
	for id, a := range c.Measures {
		out.Measures[id] = category.Answer(a)
	}
	return out
}
