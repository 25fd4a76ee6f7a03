package reports

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIndentFlatMatchesJSONIndent(t *testing.T) {
	tests := []struct {
		name string
		in   string
		flat bool // whether the fast path takes it
	}{
		{"scalars", `{"a":1,"b":"x","c":true,"d":null,"e":-1.5e3}`, true},
		{"punctuation inside strings", `{"a:b":"c,d","e":"{[}]","f":"q\"uote, \\","g":"\u003c:\u003e"}`, true},
		{"one field", `{"only":"value"}`, true},
		{"empty object", `{}`, false},
		{"nested object", `{"a":{"b":1}}`, false},
		{"array value", `{"a":[1,2]}`, false},
		{"not an object", `[1,2]`, false},
		{"unterminated string", `{"a":"b}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := indentFlat(nil, []byte(tc.in), "    ")
			if ok != tc.flat {
				t.Fatalf("indentFlat(%s) ok = %v, want %v", tc.in, ok, tc.flat)
			}
			if !ok {
				return
			}
			var want bytes.Buffer
			if err := json.Indent(&want, []byte(tc.in), "    ", "  "); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.String(), string(got)); diff != "" {
				t.Errorf("indentFlat(%s) differs from json.Indent (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestEncodeIndentedMatchesEncoder(t *testing.T) {
	type row struct {
		N int    `json:"n"`
		S string `json:"s,omitempty"`
	}
	type doc struct {
		Name  string         `json:"name"`
		Empty []string       `json:"empty"`
		Omit  string         `json:"omit,omitempty"`
		Rows  []row          `json:"rows"`
		Opt   []row          `json:"opt,omitempty"`
		Map   map[string]int `json:"map"`
		Inner struct {
			X []int `json:"x"`
		} `json:"inner"`
	}
	rows := []row{{1, "a<b"}, {2, ""}, {3, `"q"`}}
	tests := []struct {
		name string
		doc  doc
		opt  []row
	}{
		{"rows and omitted opt", doc{Name: "n", Empty: []string{}, Rows: rows, Map: map[string]int{"b": 2, "a": 1}}, nil},
		{"no rows, opt present", doc{Name: "", Empty: []string{}, Rows: []row{}}, rows[:1]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.doc
			d.Inner.X = []int{1, 2}
			want := d
			want.Opt = tc.opt
			var wb bytes.Buffer
			enc := json.NewEncoder(&wb)
			enc.SetIndent("", "  ")
			if err := enc.Encode(want); err != nil {
				t.Fatal(err)
			}
			streamed := d
			streamed.Rows = nil
			var gb bytes.Buffer
			err := encodeIndented(&gb, &streamed, map[string]jsonStream{
				"rows": {n: len(d.Rows), elem: func(i int) (any, error) { return d.Rows[i], nil }},
				"opt":  {n: len(tc.opt), elem: func(i int) (any, error) { return tc.opt[i], nil }},
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wb.String(), gb.String()); diff != "" {
				t.Errorf("encodeIndented differs from json.Encoder (-want +got):\n%s", diff)
			}
		})
	}
}
