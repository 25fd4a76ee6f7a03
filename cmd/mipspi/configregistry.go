package main

// configregistry.go: the configuration file's `registry:` block (SPEC §4): the
// practice's CEHRT ID and answers, and under `tins` each TIN's own, with under `npis`
// each clinician's. Keys that name a TIN or an NPI are read as the text written (never
// as numbers, so leading zeros stay) and normalised like --tin and --npi; two keys
// equal after that, or a key that is not a TIN (9 digits) or an NPI (10 digits), is an
// error at file:line.

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/registry"
)

// registryBlock is the registry section, its answers decoded by reports/registry's own
// Answer type so that attestation vs numerator/denominator is judged in one place.
type registryBlock struct {
	Line   int // line of the registry key, for messages
	Config registry.Config
}

// registryParser walks the block, naming the file in every complaint.
type registryParser struct{ file string }

func (p registryParser) fail(line int, format string, args ...any) error {
	return &configError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func parseRegistry(name string, line int, v *yaml.Node) (*registryBlock, error) {
	p := registryParser{file: name}
	rb := &registryBlock{Line: line}
	rb.Config.Measures = map[string]registry.Answer{}
	err := p.mapping("registry", v, []string{"cehrt_id", "measures", "tins"}, func(key string, k, val *yaml.Node) error {
		var err error
		switch key {
		case "cehrt_id":
			rb.Config.CEHRTID, err = p.cehrtID("registry.cehrt_id", val)
		case "measures":
			rb.Config.Measures, err = p.measures("registry.measures", val)
		case "tins":
			rb.Config.TINs, err = p.tins(val)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return rb, nil
}

// mapping calls f for each key of the mapping v at path, in order, refusing a key that
// is not a plain word, a key given twice and a key not in known. A null v is an empty
// mapping; anything else that is not a mapping is refused.
func (p registryParser) mapping(path string, v *yaml.Node, known []string, f func(key string, k, val *yaml.Node) error) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return p.fail(v.Line, "%s: want a mapping (%s), got %s", path, strings.Join(known, ", "), describe(v))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := deref(v.Content[i]), deref(v.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return p.fail(k.Line, "%s: a key must be a plain word, got %s", path, describe(k))
		}
		if prev, dup := seen[k.Value]; dup {
			return p.fail(k.Line, "%s: key %q repeated (first set on line %d)", path, k.Value, prev)
		}
		seen[k.Value] = k.Line
		if !slices.Contains(known, k.Value) {
			return p.fail(k.Line, "%s: unknown key %q (known keys: %s)", path, k.Value, strings.Join(known, ", "))
		}
		if err := f(k.Value, k, val); err != nil {
			return err
		}
	}
	return nil
}

func (p registryParser) cehrtID(path string, val *yaml.Node) (string, error) {
	if val.Kind != yaml.ScalarNode || isNull(val) {
		return "", p.fail(val.Line, "%s: want the CMS EHR Certification ID, got %s", path, describe(val))
	}
	return val.Value, nil // raw text: an all-digit ID keeps its leading zeros
}

func (p registryParser) measures(path string, val *yaml.Node) (map[string]registry.Answer, error) {
	out := map[string]registry.Answer{}
	if isNull(val) {
		return out, nil
	}
	if val.Kind != yaml.MappingNode {
		return nil, p.fail(val.Line, "%s: want a mapping of measure IDs to answers, got %s", path, describe(val))
	}
	ids := map[string]int{}
	for j := 0; j+1 < len(val.Content); j += 2 {
		mk, mv := deref(val.Content[j]), deref(val.Content[j+1])
		if mk.Kind != yaml.ScalarNode || isNull(mk) {
			return nil, p.fail(mk.Line, "%s: a key must be a measure ID, got %s", path, describe(mk))
		}
		if prev, dup := ids[mk.Value]; dup {
			return nil, p.fail(mk.Line, "%s: %s repeated (first set on line %d)", path, mk.Value, prev)
		}
		ids[mk.Value] = mk.Line
		if isNull(mv) { // yaml.v3 never calls UnmarshalYAML for a null
			return nil, p.fail(mk.Line, "%s.%s: no answer: want true, false or {numerator: N, denominator: D}", path, mk.Value)
		}
		ans, err := decodeAnswer(mv)
		if err != nil {
			return nil, p.fail(mv.Line, "%s.%s: %s", path, mk.Value, err)
		}
		out[mk.Value] = ans
	}
	return out, nil
}

// idKeys reads the keys of a mapping that name TINs or NPIs (kind): as text,
// normalised by norm, each valid (digits says how many) and none twice after
// normalising.
func (p registryParser) idKeys(path, kind string, digits int, val *yaml.Node, norm func(string) string, valid func(string) bool, f func(id string, k, v *yaml.Node) error) error {
	if isNull(val) {
		return nil
	}
	if val.Kind != yaml.MappingNode {
		return p.fail(val.Line, "%s: want a mapping of %ss to their answers, got %s", path, kind, describe(val))
	}
	article := "a"
	if kind == "NPI" {
		article = "an"
	}
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(val.Content); i += 2 {
		k, v := deref(val.Content[i]), deref(val.Content[i+1])
		if k.Kind != yaml.ScalarNode || isNull(k) {
			return p.fail(k.Line, "%s: a key must be %s %s, got %s", path, article, kind, describe(k))
		}
		id := norm(k.Value)
		if !valid(id) {
			return p.fail(k.Line, "%s: %q is not %s %s (%d digits)", path, k.Value, article, kind, digits)
		}
		if prev, dup := first[id]; dup {
			if prev.Value == k.Value {
				return p.fail(k.Line, "%s: %s repeated (first set on line %d)", path, id, prev.Line)
			}
			return p.fail(k.Line, "%s: %q and %q (line %d) are the same %s, %s", path, k.Value, prev.Value, prev.Line, kind, id)
		}
		first[id] = k
		if err := f(id, k, v); err != nil {
			return err
		}
	}
	return nil
}

func (p registryParser) tins(val *yaml.Node) (map[string]registry.TINConfig, error) {
	out := map[string]registry.TINConfig{}
	err := p.idKeys("registry.tins", "TIN", 9, val, measure.NormalTIN, measure.ValidTIN, func(tin string, k, v *yaml.Node) error {
		path := "registry.tins." + tin
		t := registry.TINConfig{Line: k.Line}
		err := p.mapping(path, v, []string{"cehrt_id", "measures", "npis"}, func(key string, _, val *yaml.Node) error {
			var err error
			switch key {
			case "cehrt_id":
				t.CEHRTID, err = p.cehrtID(path+".cehrt_id", val)
			case "measures":
				t.Measures, err = p.measures(path+".measures", val)
			case "npis":
				t.NPIs, err = p.npis(path+".npis", val)
			}
			return err
		})
		out[tin] = t
		return err
	})
	return out, err
}

func (p registryParser) npis(path string, val *yaml.Node) (map[string]registry.NPIConfig, error) {
	out := map[string]registry.NPIConfig{}
	validNPI := func(s string) bool { return len(s) == 10 && strings.Trim(s, "0123456789") == "" }
	err := p.idKeys(path, "NPI", 10, val, measure.NormalNPI, validNPI, func(npi string, k, v *yaml.Node) error {
		at := path + "." + npi
		n := registry.NPIConfig{Line: k.Line}
		err := p.mapping(at, v, []string{"measures"}, func(_ string, _, val *yaml.Node) error {
			var err error
			n.Measures, err = p.measures(at+".measures", val)
			return err
		})
		out[npi] = n
		return err
	})
	return out, err
}

var answerLine = regexp.MustCompile(`^line \d+: `)

// decodeAnswer decodes one PI measure answer with registry.Answer's rules; its message
// loses the "line N:" prefix, which the caller puts in front of the file name.
func decodeAnswer(n *yaml.Node) (ans registry.Answer, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cannot decode: %v", p)
		}
	}()
	if err := n.Decode(&ans); err != nil {
		return ans, errors.New(answerLine.ReplaceAllString(oneLine(err.Error()), ""))
	}
	return ans, nil
}
