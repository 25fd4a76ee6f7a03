package category

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// -update rewrites the embedded measure data from ../shared/reference.
var update = flag.Bool("update", false, "rewrite derived data")

// referenceDir is the project's shared reference directory, beside the repository.
const referenceDir = "../../shared/reference"

// referenceFile is the layout of ../shared/reference/qpp-measures-pi-YEAR.json: the CMS
// measures data filtered to category "pi", verbatim, with its source.
type referenceFile struct {
	Source          source    `json:"source"`
	PerformanceYear int       `json:"performanceYear"`
	Measures        []Measure `json:"measures"` // decoding keeps only the fields we embed
}

// deriveMeasureData builds data/pi-measures.json from the reference files: one measure
// per line, sorted by id, so that a new CMS release shows as a readable diff.
func deriveMeasureData(dir string) ([]byte, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "qpp-measures-pi-*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no qpp-measures-pi-*.json in %s", dir)
	}
	slices.Sort(paths)
	var b bytes.Buffer
	b.WriteString("{\n  \"comment\": \"Derived from ../shared/reference/qpp-measures-pi-YEAR.json (CMSgov/qpp-measures-data measures-data.json, category pi) by TestMeasureDataMatchesReference in category; fields kept: measureId, title, metricType, isRequired, isBonus, reportingCategory, exclusion, substitutes, preprod; measures sorted by id. Regenerate with: go test ./category -run TestMeasureData -update\",\n  \"years\": [\n")
	for i, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var rf referenceFile
		if err := json.Unmarshal(raw, &rf); err != nil {
			return nil, fmt.Errorf("decode %s: %w", p, err)
		}
		if rf.PerformanceYear == 0 || len(rf.Measures) == 0 {
			return nil, fmt.Errorf("%s: no performance year or no measures", p)
		}
		slices.SortFunc(rf.Measures, func(a, b Measure) int { return strings.Compare(a.ID, b.ID) })
		src, _ := json.Marshal(rf.Source)
		fmt.Fprintf(&b, "    {\n      \"performanceYear\": %d,\n      \"source\": %s,\n      \"measures\": [\n", rf.PerformanceYear, src)
		for j, m := range rf.Measures {
			line, err := json.Marshal(m)
			if err != nil {
				return nil, err
			}
			sep := ","
			if j == len(rf.Measures)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "        %s%s\n", line, sep)
		}
		sep := ","
		if i == len(paths)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "      ]\n    }%s\n", sep)
	}
	b.WriteString("  ]\n}\n")
	return b.Bytes(), nil
}

// TestMeasureDataMatchesReference keeps the embedded data in step with the shared CMS
// reference files (skipped where the reference directory is absent).
func TestMeasureDataMatchesReference(t *testing.T) {
	if _, err := os.Stat(referenceDir); err != nil {
		t.Skipf("reference directory %s not present: %v", referenceDir, err)
	}
	got, err := deriveMeasureData(referenceDir)
	if err != nil {
		t.Fatal(err)
	}
	const path = "data/pi-measures.json"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, piMeasuresJSON) {
		t.Errorf("%s is stale against %s: run go test ./category -run TestMeasureData -update", path, referenceDir)
	}
}

// TestEmbeddedMeasures checks the facts the validator relies on in every embedded year.
func TestEmbeddedMeasures(t *testing.T) {
	if got, want := Years(), []int{2022, 2023, 2024, 2025, 2026, 2027}; !slices.Equal(got, want) {
		t.Fatalf("Years() = %v, want %v", got, want)
	}
	for _, y := range Years() {
		ym := MeasuresFor(y)
		pea, ok := ym.ByID["PI_PEA_1"]
		if !ok || pea.MetricType != MetricProportion || !pea.Required() || len(pea.Exclusion) != 0 || len(pea.Substitutes) != 0 {
			t.Errorf("%d: PI_PEA_1 = %+v, want a required proportion without exclusions or substitutes", y, pea)
		}
		for _, id := range ym.Order {
			m := ym.ByID[id]
			if m.MetricType != MetricBoolean && m.MetricType != MetricProportion {
				t.Errorf("%d: %s has metricType %q", y, id, m.MetricType)
			}
			for _, ref := range slices.Concat(m.Exclusion, m.Substitutes, m.Preprod) {
				if _, ok := ym.ByID[ref]; !ok {
					t.Errorf("%d: %s refers to %s, which is not a measure of the year", y, id, ref)
				}
			}
		}
	}
	if MeasuresFor(2021) != nil {
		t.Error("MeasuresFor(2021) is not nil")
	}
}
