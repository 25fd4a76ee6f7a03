package registry

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaFile = "qpp-submission-pi.derived.schema.json"

// TestSchemaCopyMatchesReference keeps testdata's copy of the derived QPP schema equal
// to ../shared/reference (skipped where that directory is absent; -update recopies).
func TestSchemaCopyMatchesReference(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join(referenceDir, schemaFile))
	if err != nil {
		t.Skipf("reference schema not present: %v", err)
	}
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", schemaFile), ref, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(filepath.Join("testdata", schemaFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ref) {
		t.Errorf("testdata/%s differs from %s: run go test ./reports/registry -update", schemaFile, referenceDir)
	}
}

// qppSchema compiles the derived QPP submission schema with format assertions on
// (performanceStart/End are "date").
func qppSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", schemaFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "file:///" + schemaFile
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

func validateJSON(sch *jsonschema.Schema, b []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// TestQPPFiles: every QPP file of the two-TIN result validates against the derived
// schema and equals its golden copy.
func TestQPPFiles(t *testing.T) {
	sch := qppSchema(t)
	files, err := Files(twoTIN(), fullConfig(), QPP, All)
	if err != nil {
		t.Fatal(err)
	}
	names := sortedKeys(files)
	want := []string{
		"qpp-123456789-1234567893.json", "qpp-123456789-2345678900.json", "qpp-123456789-group.json",
		"qpp-987654321-3456789015.json", "qpp-987654321-group.json",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("file names = %v, want %v", names, want)
	}
	for _, name := range names {
		b := files[name]
		if err := validateJSON(sch, b); err != nil {
			t.Errorf("%s does not validate against the derived schema: %v", name, err)
		}
		golden(t, filepath.Join("qpp", name), b)
	}
}

// TestQPPSchemaRejects proves the schema check bites: documents broken in ways the
// schema forbids are refused.
func TestQPPSchemaRejects(t *testing.T) {
	sch := qppSchema(t)
	files, err := Files(twoTIN(), fullConfig(), QPP, All)
	if err != nil {
		t.Fatal(err)
	}
	good := files["qpp-123456789-1234567893.json"]
	for _, tt := range []struct{ name, from, to string }{
		{"bad cehrtId", `"0015CAB12CD34EF"`, `"0015EAB12CD34EF"`},
		{"bad date", `"2025-12-31"`, `"2025-12-32"`},
		{"string value", `"value": true`, `"value": "true"`},
		{"short TIN", `"123456789"`, `"12345678"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tt.from, tt.to, 1)
			if bad == string(good) {
				t.Fatalf("%q not found in the document", tt.from)
			}
			if err := validateJSON(sch, []byte(bad)); err == nil {
				t.Error("schema accepted the broken document")
			}
		})
	}
}

// TestQPPShape decodes one file and checks the fields the registry reads.
func TestQPPShape(t *testing.T) {
	cases := []struct {
		name, file, entityType, npi string
		pea                         qppRatio
	}{
		{"individual", "qpp-123456789-1234567893.json", "individual", "1234567893", qppRatio{600, 800}},
		{"group", "qpp-987654321-group.json", "group", "", qppRatio{1, 3}},
	}
	files, err := Files(twoTIN(), fullConfig(), QPP, All)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				EntityType      string  `json:"entityType"`
				NPI             *string `json:"nationalProviderIdentifier"`
				PerformanceYear int     `json:"performanceYear"`
				MeasurementSets []struct {
					SubmissionMethod string `json:"submissionMethod"`
					Measurements     []struct {
						MeasureID string          `json:"measureId"`
						Value     json.RawMessage `json:"value"`
					} `json:"measurements"`
				} `json:"measurementSets"`
			}
			if err := json.Unmarshal(files[tt.file], &got); err != nil {
				t.Fatal(err)
			}
			if got.EntityType != tt.entityType || got.PerformanceYear != 2025 || len(got.MeasurementSets) != 1 ||
				got.MeasurementSets[0].SubmissionMethod != "registry" {
				t.Fatalf("header = %+v", got)
			}
			if (got.NPI == nil) != (tt.npi == "") || got.NPI != nil && *got.NPI != tt.npi {
				t.Errorf("nationalProviderIdentifier = %v, want %q", got.NPI, tt.npi)
			}
			var ids []string
			for _, m := range got.MeasurementSets[0].Measurements {
				ids = append(ids, m.MeasureID)
				if m.MeasureID == "PI_PEA_1" {
					var v qppRatio
					if err := json.Unmarshal(m.Value, &v); err != nil || v != tt.pea {
						t.Errorf("PI_PEA_1 value = %s, want %+v", m.Value, tt.pea)
					}
				}
			}
			if !slices.IsSorted(ids) || len(ids) != len(fullConfig().Measures)+1 {
				t.Errorf("measure ids = %v, want the %d configured ones and PI_PEA_1, sorted", ids, len(fullConfig().Measures))
			}
		})
	}
}
