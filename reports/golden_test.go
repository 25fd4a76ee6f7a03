package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var testOptions = Options{
	Version:   "v0.9.0-test",
	Source:    "sqlite:/var/lib/mipspi/demo.db",
	Generated: time.Date(2025, time.April, 2, 15, 30, 0, 0, time.UTC),
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./reports -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
	}
}

func TestGolden(t *testing.T) {
	wl := func(npi string) func(r *measure.Result) measure.Worklist {
		return func(r *measure.Result) measure.Worklist { return worklist(r, npi) }
	}
	cases := []struct {
		name  string
		write func(*bytes.Buffer, *measure.Result) error
	}{
		{"report.txt", func(b *bytes.Buffer, r *measure.Result) error { return Table(b, r, testOptions) }},
		{"report.json", func(b *bytes.Buffer, r *measure.Result) error { return JSON(b, r, testOptions) }},
		{"entities.csv", func(b *bytes.Buffer, r *measure.Result) error { return CSV(b, r, "entities", testOptions) }},
		{"issues.csv", func(b *bytes.Buffer, r *measure.Result) error { return CSV(b, r, "issues", testOptions) }},
		{"patients.csv", func(b *bytes.Buffer, r *measure.Result) error { return CSV(b, r, "patients", testOptions) }},
		{"notes.txt", func(b *bytes.Buffer, r *measure.Result) error {
			return WorklistTable(b, r, wl("")(r), testOptions)
		}},
		{"notes-npi.txt", func(b *bytes.Buffer, r *measure.Result) error {
			return WorklistTable(b, r, wl(npiAdams)(r), testOptions)
		}},
		{"notes.csv", func(b *bytes.Buffer, r *measure.Result) error { return WorklistCSV(b, r, wl("")(r), testOptions) }},
		{"notes.json", func(b *bytes.Buffer, r *measure.Result) error { return WorklistJSON(b, r, wl("")(r), testOptions) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var first, second bytes.Buffer
			if err := tc.write(&first, testResult()); err != nil {
				t.Fatal(err)
			}
			if err := tc.write(&second, testResult()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Bytes(), second.Bytes()) {
				t.Errorf("two runs on the same result differ")
			}
			golden(t, tc.name, first.Bytes())
		})
	}
}
