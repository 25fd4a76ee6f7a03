package main

// The configuration file (SPEC §4). It is walked as a yaml.Node rather than decoded
// into a struct so that every complaint can name the file, the line and the key: an
// unknown key, a wrong YAML type or a bad value is a usage error (exit 2) with one
// clear line, never a silently ignored setting. This is stricter than yaml.v3's
// KnownFields(true), whose messages name neither the key nor, for type errors, the
// setting that was meant.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
)

// maxConfigSize bounds what is read from a configuration file: a practice's settings
// are a few lines; anything near this size is not a configuration file.
const maxConfigSize = 1 << 20

// fileConfig is the content of a configuration file. Zero values mean "not set".
type fileConfig struct {
	Name   string // the file as named on the command line, for messages
	SHA256 string // hex SHA-256 of the file's bytes as read ("" when not read from a file), for export's manifest

	Holidays         string          // "federal", "none" or "" (not set → federal)
	Closures         []calendar.Date // practice closures (R3)
	SeenStatuses     []string        // nil when not set (R1: replaces the default set)
	Policy           measure.Policy
	Release          measure.Release
	NumeratorActions measure.NumeratorActions

	Registry *registryBlock // nil when the file has no registry block

	EHR     string        // "mipspi", "openemr" or "" (not set)
	OpenEMR *openemrBlock // nil when the file has no openemr block
}

// configKeys are the top-level keys, in the order the README documents them.
var configKeys = []string{"holidays", "closures", "seen_statuses", "policy", "release", "numerator_actions", "registry", "ehr", "openemr"}

// loadConfig reads and parses the configuration file at path.
func loadConfig(path string) (*fileConfig, error) {
	f, err := openInput(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, unwrapPathError(err))
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("config %s: larger than %d bytes, not a configuration file", path, maxConfigSize)
	}
	cfg, err := parseConfig(path, data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	cfg.SHA256 = hex.EncodeToString(sum[:])
	return cfg, nil
}

// unwrapPathError drops the path that *fs.PathError repeats, since messages name it first.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// configError is a complaint about one place in a configuration file.
type configError struct {
	File string
	Line int // 0 when the whole file is meant
	Msg  string
}

func (e *configError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", e.File, e.Msg)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parseConfig parses a configuration file's content; name is used in messages only.
// It never panics, whatever data holds (FuzzLoadConfig).
func parseConfig(name string, data []byte) (*fileConfig, error) {
	cfg := &fileConfig{Name: name}
	fail := func(line int, format string, args ...any) (*fileConfig, error) {
		return nil, &configError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := safeDecode(dec, &doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // an empty file sets nothing
		}
		msg := oneLine(err.Error())
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			var line int
			fmt.Sscan(m[1], &line)
			return fail(line, "%s", strings.TrimPrefix(msg, m[0]))
		}
		return fail(0, "%s", strings.TrimPrefix(msg, "yaml: "))
	}
	var extra yaml.Node
	if err := safeDecode(dec, &extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		return fail(line, "more than one YAML document; a configuration file holds one")
	}

	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return cfg, nil
		}
		root = root.Content[0]
	}
	root = deref(root)
	if isNull(root) {
		return cfg, nil // a file holding only comments or "~"
	}
	if root.Kind != yaml.MappingNode {
		return fail(root.Line, "want a mapping of settings (%s), got %s", strings.Join(configKeys, ", "), describe(root))
	}

	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := deref(root.Content[i]), deref(root.Content[i+1])
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			return fail(k.Line, "a key must be a plain word, got %s", describe(k))
		}
		if prev, dup := seen[key]; dup {
			return fail(k.Line, "key %q repeated (first set on line %d)", key, prev)
		}
		seen[key] = k.Line
		switch key {
		case "holidays":
			s, err := enumValue(name, key, v, "federal", "none")
			if err != nil {
				return nil, err
			}
			cfg.Holidays = s
		case "closures":
			if isNull(v) {
				continue
			}
			if v.Kind != yaml.SequenceNode {
				return fail(v.Line, "closures: want a list of dates (YYYY-MM-DD), got %s", describe(v))
			}
			for _, item := range v.Content {
				item = deref(item)
				if item.Kind != yaml.ScalarNode || isNull(item) {
					return fail(item.Line, "closures: want a date (YYYY-MM-DD), got %s", describe(item))
				}
				d, err := calendar.ParseDate(item.Value)
				if err != nil {
					return fail(item.Line, "closures: %q is not a date (YYYY-MM-DD)", item.Value)
				}
				cfg.Closures = append(cfg.Closures, d)
			}
		case "seen_statuses":
			if v.Kind != yaml.SequenceNode {
				return fail(v.Line, "seen_statuses: want a list of appointment statuses, got %s", describe(v))
			}
			if len(v.Content) == 0 {
				return fail(v.Line, "seen_statuses: empty list; no visit would ever count (omit the key for the default set)")
			}
			cfg.SeenStatuses = []string{}
			for _, item := range v.Content {
				item = deref(item)
				if item.Kind != yaml.ScalarNode || isNull(item) || strings.TrimSpace(item.Value) == "" {
					return fail(item.Line, "seen_statuses: want a status name, got %s", describe(item))
				}
				cfg.SeenStatuses = append(cfg.SeenStatuses, item.Value)
			}
		case "policy":
			s, err := enumValue(name, key, v, string(measure.EveryVisit), string(measure.AnyVisit))
			if err != nil {
				return nil, err
			}
			cfg.Policy = measure.Policy(s)
		case "release":
			s, err := enumValue(name, key, v, string(measure.ReleaseLock), string(measure.ReleaseSign))
			if err != nil {
				return nil, err
			}
			cfg.Release = measure.Release(s)
		case "numerator_actions":
			s, err := enumValue(name, key, v, string(measure.ActionsPeriod), string(measure.ActionsCalendarYear))
			if err != nil {
				return nil, err
			}
			cfg.NumeratorActions = measure.NumeratorActions(s)
		case "registry":
			rb, err := parseRegistry(name, k.Line, v)
			if err != nil {
				return nil, err
			}
			cfg.Registry = rb
		case "ehr":
			e, err := parseEHR(name, v)
			if err != nil {
				return nil, err
			}
			cfg.EHR = e
		case "openemr":
			ob, err := parseOpenEMR(name, k.Line, v)
			if err != nil {
				return nil, err
			}
			cfg.OpenEMR = ob
		default:
			return fail(k.Line, "unknown key %q (known keys: %s)", key, strings.Join(configKeys, ", "))
		}
	}
	if err := checkOpenEMRConfig(name, cfg, seen["seen_statuses"]); err != nil {
		return nil, err
	}
	return cfg, nil
}

// safeDecode is dec.Decode with a guard: the YAML parser is third-party code fed with
// whatever file a user names, and a parser bug must be an error, not a crash.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("yaml: cannot parse: %v", p)
		}
	}()
	return dec.Decode(n)
}

// enumValue reads a scalar that must be one of want.
func enumValue(file, key string, v *yaml.Node, want ...string) (string, error) {
	if v.Kind != yaml.ScalarNode || isNull(v) {
		return "", &configError{File: file, Line: v.Line, Msg: fmt.Sprintf("%s: want %s, got %s", key, strings.Join(want, " or "), describe(v))}
	}
	for _, w := range want {
		if v.Value == w {
			return w, nil
		}
	}
	return "", &configError{File: file, Line: v.Line, Msg: fmt.Sprintf("%s: %q is not one of %s", key, v.Value, strings.Join(want, ", "))}
}

// deref follows an alias (&anchor / *alias) to the node it names. Anchors cannot
// form cycles in a tree yaml.v3 accepted, and one hop is what an alias is.
func deref(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names a node's YAML type for people ("a list", "a string \"x\"").
func describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		switch n.Tag {
		case "!!null":
			return "nothing (null)"
		case "!!bool":
			return fmt.Sprintf("a boolean (%s)", v)
		case "!!timestamp":
			return fmt.Sprintf("a date (%s)", v)
		case "!!int", "!!float":
			return fmt.Sprintf("a number (%s)", v)
		case "!!str":
			return fmt.Sprintf("a string %q", v)
		default:
			return fmt.Sprintf("a value %q", v)
		}
	}
	return "an unknown node"
}

// oneLine folds a multi-line message (yaml.v3's unmarshal errors) onto one line, made
// safe for stderr (printable).
func oneLine(s string) string {
	return printable(strings.Join(strings.Fields(s), " "))
}

// printable makes a message safe for stderr: messages quote EHR data (a TIN, a status,
// a practice name), which may hold escape sequences, a NUL or a right-to-left override,
// or be 10 KB long. Unsafe characters are written escaped and each line is cut
// (sanitize.Line).
func printable(s string) string { return sanitize.Line(s) }
