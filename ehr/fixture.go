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
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

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

// fixtureRow is one parsed row: a model (a pointer to one of the row types of rows.go).
type fixtureRow struct {
	model any
	line  int
}

func (row fixtureRow) write(w RowWriter) error { return writeModel(w, row.model) }

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
		rel := relationByName(key.Value)
		if rel == nil {
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
			row, id, err := parseRow(rel, idx, item)
			if err != nil {
				return nil, fmt.Errorf("load %s: %w", name, err)
			}
			if first, dup := seen[id]; dup {
				return nil, fail(item, "%s[%d] (id %d): duplicate id (first at line %d)", key.Value, idx, id, first)
			}
			seen[id] = item.Line
			out = append(out, row)
		}
	}
	return out, nil
}

// parseRow parses one row of rel into a new model; it returns the row's id too.
func parseRow(rel *relation, idx int, item *yaml.Node) (fixtureRow, int64, error) {
	relName := rel.name
	where := fmt.Sprintf("%s[%d]", relName, idx)
	if item.Kind != yaml.MappingNode {
		return fixtureRow{}, 0, fmt.Errorf("line %d: %s: want a mapping of column: value", item.Line, where)
	}
	m := reflect.New(rel.typ)
	row := fixtureRow{model: m.Interface(), line: item.Line}
	vals := map[*column]any{}
	// The id first, so that later messages can name it.
	for k := 0; k+1 < len(item.Content); k += 2 {
		if item.Content[k].Value == rel.pk.name {
			if n, err := strconv.ParseInt(item.Content[k+1].Value, 10, 64); err == nil && item.Content[k+1].Tag == "!!int" {
				where = fmt.Sprintf("%s[%d] (id %d)", relName, idx, n)
			}
		}
	}
	for k := 0; k+1 < len(item.Content); k += 2 {
		key, val := item.Content[k], item.Content[k+1]
		c, ok := rel.byName[key.Value]
		if !ok {
			return row, 0, fmt.Errorf("line %d: %s: unknown column %q (want %s)", key.Line, where, key.Value,
				strings.Join(rel.names(), ", "))
		}
		if _, dup := vals[c]; dup {
			return row, 0, fmt.Errorf("line %d: %s: column %s given twice", key.Line, where, key.Value)
		}
		v, err := fixtureValue(c, val)
		if err != nil {
			return row, 0, fmt.Errorf("line %d: %s column %s: %v", val.Line, where, key.Value, err)
		}
		vals[c] = v
	}
	for _, c := range rel.cols {
		v := vals[c]
		if v == nil {
			if c.required() {
				return row, 0, fmt.Errorf("line %d: %s column %s: required value missing", item.Line, where, c.name)
			}
			v = c.def // absent or null: the SPEC default, or the zero value (NULL)
		}
		if v != nil {
			m.Elem().FieldByIndex(c.field.Index).Set(reflect.ValueOf(v))
		}
	}
	return row, m.Elem().FieldByIndex(rel.pk.field.Index).Int(), nil
}

func fixtureValue(col *column, n *yaml.Node) (any, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("want a single value, got a %s", kindName(n.Kind))
	}
	if isNull(n) {
		if col.required() {
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
		return t, nil
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
