package registry

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

// TestCSV: one row per entity with the keying columns: the period, the as-of and how
// final the figures are, the entity's CEHRT ID, PI_PEA_1's figures with the whole
// points CMS awards, then the entity's answers; the clinician cell that a spreadsheet
// would run as a formula is defused; quotes and commas survive.
func TestCSV(t *testing.T) {
	files, err := Files(twoTIN(), withOwnCounts(fullConfig()), CSV, All)
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
	const fin = "final as of 2026-01-15,2025-01-01,2025-12-31,2026-01-15T12:00:00Z,0015CAB12CD34EF"
	const yes = "yes,yes,yes,yes,yes,yes,yes,no"
	want := [][]string{
		strings.Split("tin,npi,clinician,level,status,performance_start,performance_end,as_of,cehrt_id,numerator,denominator,rate,pea_points,pea_max_points,"+
			"PI_EP_1_numerator,PI_EP_1_denominator,PI_EP_2,PI_HIE_1_numerator,PI_HIE_1_denominator,PI_HIE_4_numerator,PI_HIE_4_denominator,"+
			"PI_INFBLO_1,PI_ONCACB_1,PI_ONCDIR_1,PI_PHCDRR_1,PI_PHCDRR_3,PI_PPHI_1,PI_PPHI_2", ","),
		slices.Concat([]string{"123456789", "1234567893", "Philips, Trevor", "individual"}, strings.Split(fin+",600,800,0.7500,19,25,70,90,yes,20,26,3,4,"+yes[4:], ",")),
		slices.Concat([]string{"123456789", "2345678900", `O'Brien & <Sons>, "Ann"`, "individual"}, strings.Split(fin+",7,9,0.7778,19,25,48,61,yes,20,26,2,5,"+yes[4:], ",")),
		slices.Concat([]string{"123456789", "", "", "group"}, strings.Split(fin+",605,806,0.7506,19,25,118,151,yes,40,52,0,0,"+yes[4:], ",")),
		slices.Concat([]string{"987654321", "3456789015", "'=Cmd, Eve", "individual"}, strings.Split(fin+",1,3,0.3333,8,25,5,7,yes,1,2,1,1,"+yes[4:], ",")),
		slices.Concat([]string{"987654321", "", "", "group"}, strings.Split(fin+",1,3,0.3333,8,25,118,151,yes,40,52,0,0,"+yes[4:], ",")),
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
