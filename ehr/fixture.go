package ehr

// Fixture YAML (mipspi db load, scenario tests): one key per SPEC §3 relation, each a
// list of rows keyed by column name:
//
//	offices:      [{id: 1, tin: "123456789", name: Main, timezone: America/Chicago}]
//	appointments: [{id: 1, patient_id: 1, office_id: 1, clinician_id: 1,
//	                scheduled_at: "2025-03-03T15:00:00Z", status: Complete}]
//
// The loader checks shapes and types (unknown relations or columns, ids that are not
// integers, unparseable timestamps and dates, missing required values) and names file,
// line, relation, row and column. It does not check meaning — time zones, dangling ids —
// so that hostile scenarios can be loaded; Read reports those.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

type colKind int

const (
	kInt colKind = iota
	kText
	kInstant
	kDate
	kBool
)

type fixtureCol struct {
	name     string
	kind     colKind
	required bool
}

// fixtureCols follows bulkColumns (same order) with SPEC §3 nullability.
var fixtureCols = [7][]fixtureCol{
	{{"id", kInt, true}, {"tin", kText, true}, {"name", kText, true}, {"timezone", kText, true}},
	{{"id", kInt, true}, {"npi", kText, true}, {"first_name", kText, false}, {"last_name", kText, false},
		{"mips_eligible", kBool, false}},
	{{"id", kInt, true}, {"mrn", kText, false}, {"first_name", kText, false}, {"last_name", kText, false},
		{"birth_date", kDate, false}, {"email", kText, false}},
	{{"id", kInt, true}, {"patient_id", kInt, true}, {"office_id", kInt, true}, {"clinician_id", kInt, true},
		{"scheduled_at", kInstant, true}, {"status", kText, true}},
	{{"id", kInt, true}, {"appointment_id", kInt, true}, {"signed_at", kInstant, false},
		{"locked_at", kInstant, false}},
	{{"id", kInt, true}, {"patient_id", kInt, true}, {"sent_at", kInstant, true},
		{"recipient", kText, false}, {"channel", kText, false}},
	{{"id", kInt, true}, {"tin", kText, true}, {"enabled_at", kInstant, true},
		{"disabled_at", kInstant, false}},
}

// LoadYAML loads fixture YAML read from r (name is the file name for messages) in one
// transaction: either every row is written or none.
func (s *Store) LoadYAML(ctx context.Context, name string, r io.Reader) error {
	rows, err := parseFixture(name, r)
	if err != nil {
		return err
	}
	w, err := s.bulkWriter(ctx, true)
	if err != nil {
		return fmt.Errorf("load %s: %w", name, err)
	}
	for _, row := range rows {
		if err := row.write(w); err != nil {
			w.Abort()
			return fmt.Errorf("load %s: line %d: %w", name, row.line, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("load %s: %w", name, err)
	}
	return nil
}

// fixtureRow is one parsed row: values in fixtureCols order (nil = NULL/absent).
type fixtureRow struct {
	rel  int
	line int
	vals []any
}

func (row fixtureRow) write(w RowWriter) error {
	v := row.vals
	i := func(k int) int64 { x, _ := v[k].(int64); return x }
	t := func(k int) string { x, _ := v[k].(string); return x }
	ts := func(k int) timeVal { x, _ := v[k].(timeVal); return x }
	switch row.rel {
	case 0:
		return w.Office(OfficeRow{ID: i(0), TIN: t(1), Name: t(2), Timezone: t(3)})
	case 1:
		eligible := true // SPEC §3 DEFAULT TRUE
		if b, ok := v[4].(bool); ok {
			eligible = b
		}
		return w.Clinician(ClinicianRow{ID: i(0), NPI: t(1), FirstName: t(2), LastName: t(3), MIPSEligible: eligible})
	case 2:
		return w.Patient(PatientRow{ID: i(0), MRN: t(1), FirstName: t(2), LastName: t(3), BirthDate: t(4), Email: t(5)})
	case 3:
		return w.Appointment(AppointmentRow{ID: i(0), PatientID: i(1), OfficeID: i(2), ClinicianID: i(3),
			ScheduledAt: ts(4).t, Status: t(5)})
	case 4:
		return w.Note(NoteRow{ID: i(0), AppointmentID: i(1), SignedAt: ts(2).t, LockedAt: ts(3).t})
	case 5:
		return w.Invitation(InvitationRow{ID: i(0), PatientID: i(1), SentAt: ts(2).t, Recipient: t(3), Channel: t(4)})
	default:
		return w.APIWindow(APIWindowRow{ID: i(0), TIN: t(1), EnabledAt: ts(2).t, DisabledAt: ts(3).t})
	}
}

var yamlSyntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func parseFixture(name string, r io.Reader) ([]fixtureRow, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("load %s: empty file", name)
		}
		// A syntax error names the file and line the way editors do: "load f.yaml:12: …".
		if m := yamlSyntaxLine.FindStringSubmatch(err.Error()); m != nil {
			return nil, fmt.Errorf("load %s:%s: YAML syntax: %s", name, m[1], m[2])
		}
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	fail := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("load %s: line %d: %s", name, n.Line, fmt.Sprintf(format, args...))
	}
	top := &doc
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	if top.Kind != yaml.MappingNode {
		return nil, fail(top, "want a mapping of relation names to lists of rows")
	}
	var out []fixtureRow
	for k := 0; k+1 < len(top.Content); k += 2 {
		key, list := top.Content[k], top.Content[k+1]
		rel := indexOf(Relations, key.Value)
		if rel < 0 {
			return nil, fail(key, "unknown relation %q (want one of %s)", key.Value, strings.Join(Relations, ", "))
		}
		if isNull(list) {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			return nil, fail(list, "%s: want a list of rows", key.Value)
		}
		seen := map[int64]int{}
		for idx, item := range list.Content {
			row, err := parseRow(key.Value, rel, idx, item)
			if err != nil {
				return nil, fmt.Errorf("load %s: %w", name, err)
			}
			id := row.vals[0].(int64)
			if first, dup := seen[id]; dup {
				return nil, fail(item, "%s[%d] (id %d): duplicate id (first at line %d)", key.Value, idx, id, first)
			}
			seen[id] = item.Line
			out = append(out, row)
		}
	}
	return out, nil
}

// timeVal wraps a parsed instant so a NULL (nil) and a value are told apart.
type timeVal struct{ t time.Time }

func parseRow(relName string, rel, idx int, item *yaml.Node) (fixtureRow, error) {
	where := fmt.Sprintf("%s[%d]", relName, idx)
	if item.Kind != yaml.MappingNode {
		return fixtureRow{}, fmt.Errorf("line %d: %s: want a mapping of column: value", item.Line, where)
	}
	cols := fixtureCols[rel]
	row := fixtureRow{rel: rel, line: item.Line, vals: make([]any, len(cols))}
	set := make([]bool, len(cols))
	// The id first, so that later messages can name it.
	for k := 0; k+1 < len(item.Content); k += 2 {
		if item.Content[k].Value == "id" {
			if n, err := strconv.ParseInt(item.Content[k+1].Value, 10, 64); err == nil && item.Content[k+1].Tag == "!!int" {
				where = fmt.Sprintf("%s[%d] (id %d)", relName, idx, n)
			}
		}
	}
	for k := 0; k+1 < len(item.Content); k += 2 {
		key, val := item.Content[k], item.Content[k+1]
		c := -1
		for j, col := range cols {
			if col.name == key.Value {
				c = j
			}
		}
		if c < 0 {
			names := make([]string, len(cols))
			for j, col := range cols {
				names[j] = col.name
			}
			return row, fmt.Errorf("line %d: %s: unknown column %q (want %s)", key.Line, where, key.Value,
				strings.Join(names, ", "))
		}
		if set[c] {
			return row, fmt.Errorf("line %d: %s: column %s given twice", key.Line, where, key.Value)
		}
		set[c] = true
		v, err := fixtureValue(cols[c], val)
		if err != nil {
			return row, fmt.Errorf("line %d: %s column %s: %v", val.Line, where, key.Value, err)
		}
		row.vals[c] = v
	}
	for j, col := range cols {
		if col.required && row.vals[j] == nil {
			return row, fmt.Errorf("line %d: %s column %s: required value missing", item.Line, where, col.name)
		}
	}
	return row, nil
}

func fixtureValue(col fixtureCol, n *yaml.Node) (any, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("want a single value, got a %s", kindName(n.Kind))
	}
	if isNull(n) {
		if col.required {
			return nil, errors.New(problemNull)
		}
		return nil, nil
	}
	switch col.kind {
	case kInt:
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil || n.Tag != "!!int" {
			return nil, fmt.Errorf("not an integer: %s", quote(n.Value))
		}
		return v, nil
	case kInstant:
		t, ok := parseInstant(n.Value)
		if !ok {
			return nil, fmt.Errorf("unparseable timestamp %s", quote(n.Value))
		}
		return timeVal{t}, nil
	case kDate:
		if _, ok := parseDate(n.Value); !ok {
			return nil, fmt.Errorf("unparseable date %s (want YYYY-MM-DD)", quote(n.Value))
		}
		return n.Value, nil
	case kBool:
		switch n.Value {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		return nil, fmt.Errorf("not a boolean: %s (want true or false)", quote(n.Value))
	}
	// Text keeps the literal as written: a TIN 012345678 stays 012345678.
	return n.Value, nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
