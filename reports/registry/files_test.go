package registry

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

// TestCSV: one row per entity with the keying columns; the clinician cell that a
// spreadsheet would run as a formula is defused; quotes and commas survive.
func TestCSV(t *testing.T) {
	files, err := Files(twoTIN(), fullConfig(), CSV, All)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[CSVName] == nil {
		t.Fatalf("files = %v, want only %s", sortedKeys(files), CSVName)
	}
	rows, err := csv.NewReader(bytes.NewReader(files[CSVName])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"tin", "npi", "clinician", "level", "numerator", "denominator", "rate", "points"},
		{"123456789", "1234567893", "Philips, Trevor", "individual", "600", "800", "0.7500", "18.75"},
		{"123456789", "2345678900", `O'Brien & <Sons>, "Ann"`, "individual", "7", "9", "0.7778", "19.44"},
		{"123456789", "", "", "group", "605", "806", "0.7506", "18.77"},
		{"987654321", "3456789015", "'=Cmd, Eve", "individual", "1", "3", "0.3333", "8.33"},
		{"987654321", "", "", "group", "1", "3", "0.3333", "8.33"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	golden(t, CSVName, files[CSVName])
}

// TestFilesSelection: the entity filter picks the files; bad formats and filters,
// nothing to export, and colliding names are errors.
func TestFilesSelection(t *testing.T) {
	tests := []struct {
		name    string
		format  Format
		filter  EntityFilter
		mutate  func(*measure.Result, *Config)
		want    []string
		wantErr string
	}{
		{name: "individuals", format: QPP, filter: Individuals, want: []string{
			"qpp-123456789-1234567893.json", "qpp-123456789-2345678900.json", "qpp-987654321-3456789015.json"}},
		{name: "groups", format: QRDA3, filter: Groups, want: []string{"qrda3-123456789-group.xml", "qrda3-987654321-group.xml"}},
		{name: "empty filter means all", format: QRDA3, filter: "", want: []string{
			"qrda3-123456789-1234567893.xml", "qrda3-123456789-2345678900.xml", "qrda3-123456789-group.xml",
			"qrda3-987654321-3456789015.xml", "qrda3-987654321-group.xml"}},
		{name: "csv is one file", format: CSV, filter: Groups, want: []string{"registry.csv"}},
		{
			name: "identifiers cannot escape the directory", format: QPP, filter: Individuals,
			mutate: func(r *measure.Result, _ *Config) {
				r.Entities = r.Entities[:1]
				r.Entities[0].TIN, r.Entities[0].NPI = "../../etc", ""
			},
			want: []string{"qpp-______etc-_.json"},
		},
		{name: "unknown format", format: "xlsx", filter: All, wantErr: `registry files: format "xlsx": want qpp, qrda3 or csv`},
		{name: "unknown filter", format: QPP, filter: "npi", wantErr: `registry files: entity filter "npi": want individual, group or all`},
		{
			name: "nothing to export", format: QPP, filter: Groups,
			mutate:  func(r *measure.Result, _ *Config) { r.Entities = r.Entities[:2] },
			wantErr: "registry files: no group entities in the result",
		},
		{
			name: "colliding names", format: QPP, filter: All,
			mutate:  func(r *measure.Result, _ *Config) { r.Entities = append(r.Entities, r.Entities[2]) },
			wantErr: "registry files: two entities would both be written to qpp-123456789-group.json (TIN 123456789 (group))",
		},
		{
			name: "answer without a value", format: QRDA3, filter: Groups,
			mutate:  func(_ *measure.Result, c *Config) { c.Measures["PI_PPHI_1"] = Answer{} },
			wantErr: "registry files: TIN 123456789 (group): registry.measures.PI_PPHI_1: want exactly one of true/false or {numerator, denominator}",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, cfg := twoTIN(), fullConfig()
			if tt.mutate != nil {
				tt.mutate(r, &cfg)
			}
			files, err := Files(r, cfg, tt.format, tt.filter)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sortedKeys(files)); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := Files(nil, fullConfig(), QPP, All); err == nil {
		t.Error("Files(nil) did not fail")
	}
}
