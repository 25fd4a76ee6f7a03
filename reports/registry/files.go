package registry

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/mipspi/mipspi/measure"
)

// Format is a registry file format (`mipspi export --to`).
type Format string

const (
	QPP   Format = "qpp"   // QPP Submissions API JSON, one file per entity
	QRDA3 Format = "qrda3" // QRDA Category III XML, one file per entity
	CSV   Format = "csv"   // one registry.csv, a row per entity, for keying by hand
)

// EntityFilter chooses which entities are exported (`--entity`).
type EntityFilter string

const (
	Individuals EntityFilter = "individual" // TIN + NPI entities
	Groups      EntityFilter = "group"      // TIN entities
	All         EntityFilter = "all"        // both; "" means All
)

// CSVName is the name of the single file Files renders for Format CSV.
const CSVName = "registry.csv"

// selected returns the entities of r that filter keeps, in Result order.
func selected(r *measure.Result, filter EntityFilter) ([]measure.EntityResult, error) {
	if r == nil {
		return nil, fmt.Errorf("select entities: no result")
	}
	switch filter {
	case "", All, Individuals, Groups:
	default:
		return nil, fmt.Errorf("entity filter %q: want individual, group or all", filter)
	}
	var out []measure.EntityResult
	for _, e := range r.Entities {
		if filter == "" || filter == All || string(e.Level) == string(filter) {
			out = append(out, e)
		}
	}
	return out, nil
}

// entityLabel names an entity in problems: "TIN 123456789 NPI 1234567893" or
// "TIN 123456789 (group)".
func entityLabel(e measure.EntityResult) string {
	if e.Level == measure.Group {
		return "TIN " + e.TIN + " (group)"
	}
	return "TIN " + e.TIN + " NPI " + e.NPI
}

// FileName returns the name Files gives an entity's document in format f, e.g.
// "qpp-123456789-1234567893.json" or "qrda3-123456789-group.xml". Characters other than
// letters and digits in an identifier become "_" so that a bad TIN written with
// --force can never escape the output directory.
func FileName(f Format, e measure.EntityResult) string {
	who := safe(e.TIN) + "-group"
	if e.Level != measure.Group {
		who = safe(e.TIN) + "-" + safe(e.NPI)
	}
	switch f {
	case QRDA3:
		return "qrda3-" + who + ".xml"
	case CSV:
		return CSVName
	default:
		return "qpp-" + who + ".json"
	}
}

// fileNamePattern matches every name FileName gives.
var fileNamePattern = regexp.MustCompile(`^(qpp-[A-Za-z0-9_]+-[A-Za-z0-9_]+\.json|qrda3-[A-Za-z0-9_]+-[A-Za-z0-9_]+\.xml|registry\.csv)$`)

// IsFileName reports whether name is one FileName gives in some format, so that the CLI
// can tell its own files from anyone else's.
func IsFileName(name string) bool { return fileNamePattern.MatchString(name) }

func safe(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// Files renders the registry files for the entities filter keeps: one document per
// entity for QPP and QRDA3 (named by FileName), a single CSVName for CSV. It renders
// whatever it is given (the CLI's --force); call Validate first. It fails on an
// unknown format or filter, on no entity to export, on two entities that would share a
// file name, and on a configured answer that has no single value.
func Files(r *measure.Result, cfg Config, f Format, filter EntityFilter) (map[string][]byte, error) {
	ents, err := selected(r, filter)
	if err != nil {
		return nil, fmt.Errorf("registry files: %w", err)
	}
	if len(ents) == 0 {
		return nil, fmt.Errorf("registry files: no %sentities in the result", filterWord(filter))
	}
	out := make(map[string][]byte)
	switch f {
	case CSV:
		var b bytes.Buffer
		if err := writeCSV(&b, r, cfg, ents); err != nil {
			return nil, fmt.Errorf("registry files: %w", err)
		}
		out[CSVName] = b.Bytes()
		return out, nil
	case QPP, QRDA3:
	default:
		return nil, fmt.Errorf("registry files: format %q: want qpp, qrda3 or csv", f)
	}
	for _, e := range ents {
		name := FileName(f, e)
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("registry files: two entities would both be written to %s (%s)", name, entityLabel(e))
		}
		var b bytes.Buffer
		if f == QPP {
			err = WriteQPP(&b, r, e, cfg)
		} else {
			err = WriteQRDA3(&b, r, e, cfg)
		}
		if err != nil {
			return nil, fmt.Errorf("registry files: %s: %w", entityLabel(e), err)
		}
		out[name] = b.Bytes()
	}
	return out, nil
}

func filterWord(f EntityFilter) string {
	if f == "" || f == All {
		return "" // "no entities", never "no all entities"
	}
	return string(f) + " "
}
