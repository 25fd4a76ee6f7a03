package main

// The `ehr:` key and the `openemr:` block of the configuration file (SPEC §4, §8), walked
// like the rest of the file so that every complaint names file, line and key.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

// Whose tables are read (SPEC §4): the section 3 relations or OpenEMR's own (§8).
const (
	ehrMipspi  = "mipspi"
	ehrOpenEMR = "openemr"
)

// openemrBlock is the openemr section of a configuration file.
type openemrBlock struct {
	Line     int // line of the openemr key
	Settings ehr.OpenEMRSettings
	// WindowLines is the line of each of Settings.APIWindows, for the warning about a
	// TIN that matches no facility.
	WindowLines []int
}

// openemrKeys are the keys of the openemr block, in the order the documentation gives.
var openemrKeys = []string{"time_zone", "not_mips_eligible", "note_forms", "api_windows", "visits"}

func parseOpenEMR(name string, line int, v *yaml.Node) (*openemrBlock, error) {
	fail := func(line int, format string, args ...any) (*openemrBlock, error) {
		return nil, &configError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	b := &openemrBlock{Line: line}
	if isNull(v) {
		return b, nil
	}
	if v.Kind != yaml.MappingNode {
		return fail(v.Line, "openemr: want a mapping (%s), got %s", strings.Join(openemrKeys, ", "), describe(v))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := deref(v.Content[i]), deref(v.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return fail(k.Line, "openemr: a key must be a plain word, got %s", describe(k))
		}
		if prev, dup := seen[k.Value]; dup {
			return fail(k.Line, "openemr: key %q repeated (first set on line %d)", k.Value, prev)
		}
		seen[k.Value] = k.Line
		key := "openemr." + k.Value
		switch k.Value {
		case "time_zone":
			if val.Kind != yaml.ScalarNode || isNull(val) || strings.TrimSpace(val.Value) == "" {
				return fail(val.Line, "%s: want an IANA zone name such as America/Chicago, got %s", key, describe(val))
			}
			z := strings.TrimSpace(val.Value)
			if _, err := time.LoadLocation(z); err != nil || z == "Local" {
				return fail(val.Line, "%s: %q is not an IANA zone name (e.g. America/Chicago)", key, z)
			}
			b.Settings.TimeZone = z
		case "not_mips_eligible":
			items, err := stringList(name, key, val, "an NPI or user:ID")
			if err != nil {
				return nil, err
			}
			b.Settings.NotEligible = []string{}
			for _, it := range items {
				if id, ok := strings.CutPrefix(it.Value, "user:"); ok {
					if n, err := strconv.ParseInt(id, 10, 64); err != nil || n < 1 || strings.TrimSpace(id) != id {
						return fail(it.Line, "%s: %q: want user: followed by an OpenEMR user id (users.id), e.g. user:12", key, it.Value)
					}
					b.Settings.NotEligible = append(b.Settings.NotEligible, it.Value)
					continue
				}
				npi := normalizeNPI(it.Value)
				if len(npi) != 10 || strings.Trim(npi, "0123456789") != "" {
					return fail(it.Line, "%s: %q is neither an NPI (10 digits) nor user:ID", key, it.Value)
				}
				b.Settings.NotEligible = append(b.Settings.NotEligible, npi)
			}
		case "note_forms":
			items, err := stringList(name, key, val, "a form directory (forms.formdir)")
			if err != nil {
				return nil, err
			}
			if len(items) == 0 {
				return fail(val.Line, "%s: empty list; no visit would ever have a note (omit the key for soap, clinical_notes, dictation)", key)
			}
			b.Settings.NoteForms = []string{}
			for _, it := range items {
				f := strings.TrimSpace(it.Value)
				if f == "" || f == "*" || strings.Contains(strings.TrimSuffix(f, "*"), "*") {
					return fail(it.Line, "%s: %q: want a form directory such as soap, or a prefix ending in * such as LBF*", key, it.Value)
				}
				b.Settings.NoteForms = append(b.Settings.NoteForms, f)
			}
		case "visits":
			s, err := enumValue(name, key, val, ehr.OpenEMRAppointments, ehr.OpenEMREncounters)
			if err != nil {
				return nil, err
			}
			b.Settings.Visits = s
		case "api_windows":
			if err := parseAPIWindows(name, val, b); err != nil {
				return nil, err
			}
		default:
			return fail(k.Line, "openemr: unknown key %q (known keys: %s)", k.Value, strings.Join(openemrKeys, ", "))
		}
	}
	return b, nil
}

// stringList reads a YAML list of scalars (null: an empty list).
func stringList(name, key string, v *yaml.Node, want string) ([]*yaml.Node, error) {
	if isNull(v) {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, &configError{File: name, Line: v.Line, Msg: fmt.Sprintf("%s: want a list, got %s", key, describe(v))}
	}
	var out []*yaml.Node
	for _, it := range v.Content {
		it = deref(it)
		if it.Kind != yaml.ScalarNode || isNull(it) {
			return nil, &configError{File: name, Line: it.Line, Msg: fmt.Sprintf("%s: want %s, got %s", key, want, describe(it))}
		}
		out = append(out, it)
	}
	return out, nil
}

// parseAPIWindows reads openemr.api_windows (SPEC §8): [{tin, enabled_at, disabled_at}],
// instants in RFC 3339 with an offset (a bare date is refused: an API switch happens at
// an instant), the TIN normalised to its 9 digits, windows of one TIN never overlapping.
func parseAPIWindows(name string, v *yaml.Node, b *openemrBlock) error {
	const key = "openemr.api_windows"
	fail := func(line int, format string, args ...any) error {
		return &configError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		return fail(v.Line, "%s: want a list of {tin, enabled_at, disabled_at}, got %s", key, describe(v))
	}
	instant := func(n *yaml.Node, field string) (time.Time, error) {
		if n.Kind != yaml.ScalarNode || isNull(n) {
			return time.Time{}, fail(n.Line, "%s: %s: want an instant such as 2024-01-02T08:00:00-06:00, got %s", key, field, describe(n))
		}
		s := strings.TrimSpace(n.Value)
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			if _, derr := time.Parse(time.DateOnly, s); derr == nil {
				return time.Time{}, fail(n.Line, "%s: %s: %s is a date; the API is switched at an instant: write the time and its offset, e.g. %sT08:00:00-06:00", key, field, s, s)
			}
			return time.Time{}, fail(n.Line, "%s: %s: %q is not an RFC 3339 instant with an offset (e.g. 2024-01-02T08:00:00-06:00)", key, field, s)
		}
		return t.UTC(), nil
	}
	for i, item := range v.Content {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			return fail(item.Line, "%s: want {tin, enabled_at, disabled_at}, got %s", key, describe(item))
		}
		w := measure.APIWindow{ID: int64(i + 1)}
		have := map[string]int{}
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, val := deref(item.Content[j]), deref(item.Content[j+1])
			if prev, dup := have[k.Value]; dup {
				return fail(k.Line, "%s: key %q repeated (first set on line %d)", key, k.Value, prev)
			}
			have[k.Value] = k.Line
			var err error
			switch k.Value {
			case "tin":
				if val.Kind != yaml.ScalarNode || isNull(val) {
					return fail(val.Line, "%s: tin: want the TIN's 9 digits, got %s", key, describe(val))
				}
				w.TIN = normalizeTIN(val.Value)
				if len(w.TIN) != 9 || strings.Trim(w.TIN, "0123456789") != "" {
					return fail(val.Line, "%s: tin %q is not 9 digits", key, val.Value)
				}
			case "enabled_at":
				w.Enabled, err = instant(val, "enabled_at")
			case "disabled_at":
				if !isNull(val) {
					w.Disabled, err = instant(val, "disabled_at")
				}
			default:
				return fail(k.Line, "%s: unknown key %q (known keys: tin, enabled_at, disabled_at)", key, k.Value)
			}
			if err != nil {
				return err
			}
		}
		for _, req := range []string{"tin", "enabled_at"} {
			if _, ok := have[req]; !ok {
				return fail(item.Line, "%s: a window needs %s", key, req)
			}
		}
		if !w.Disabled.IsZero() && !w.Disabled.After(w.Enabled) {
			return fail(have["disabled_at"], "%s: disabled_at %s is not after enabled_at %s", key,
				w.Disabled.Format(time.RFC3339), w.Enabled.Format(time.RFC3339))
		}
		for k, o := range b.Settings.APIWindows {
			if o.TIN == w.TIN && overlap(o, w) {
				return fail(item.Line, "%s: this window of TIN %s overlaps the one on line %d", key, w.TIN, b.WindowLines[k])
			}
		}
		b.Settings.APIWindows = append(b.Settings.APIWindows, w)
		b.WindowLines = append(b.WindowLines, item.Line)
	}
	return nil
}

// overlap tells whether two windows [enabled, disabled) share an instant (a zero
// disabled is open-ended).
func overlap(a, b measure.APIWindow) bool {
	before := func(x, end time.Time) bool { return end.IsZero() || x.Before(end) }
	return before(a.Enabled, b.Disabled) && before(b.Enabled, a.Disabled)
}

// parseEHR reads the ehr key: mipspi or openemr.
func parseEHR(name string, v *yaml.Node) (string, error) {
	return enumValue(name, "ehr", v, ehrMipspi, ehrOpenEMR)
}

// checkOpenEMRConfig holds the file together: seen_statuses means nothing when visits
// are encounters (every encounter with a live newpatient form is seen).
func checkOpenEMRConfig(name string, cfg *fileConfig, seenLine int) error {
	if cfg.OpenEMR != nil && cfg.OpenEMR.Settings.Visits == ehr.OpenEMREncounters && cfg.SeenStatuses != nil {
		return &configError{File: name, Line: seenLine,
			Msg: "seen_statuses: with openemr.visits: encounters every encounter with a live newpatient form is a seen visit; remove seen_statuses or read appointments"}
	}
	return nil
}

// apiWindowTINWarnings are the configured API windows whose TIN matches no facility
// (SPEC §8: a warning).
func (fc *fileConfig) apiWindowTINWarnings(p measure.Practice) []string {
	if fc == nil || fc.OpenEMR == nil {
		return nil
	}
	tins := map[string]bool{}
	for _, o := range p.Offices {
		tins[o.TIN] = true
	}
	var out []string
	for i, w := range fc.OpenEMR.Settings.APIWindows {
		if !tins[w.TIN] && !slices.Contains(out, w.TIN) {
			out = append(out, fmt.Sprintf("config %s:%d: openemr.api_windows: TIN %s matches no facility's federal_ein; its window counts for nothing",
				fc.Name, fc.OpenEMR.WindowLines[i], w.TIN))
		}
	}
	return out
}
