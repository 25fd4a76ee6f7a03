package registry

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// -update rewrites golden files, the embedded measure data and the schema copy from
// ../shared/reference (go test ./reports/registry -update).
var update = flag.Bool("update", false, "rewrite golden files and derived data")

// referenceDir is the project's shared reference directory, beside the repository.
const referenceDir = "../../../shared/reference"

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run go test ./reports/registry -update)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (run go test ./reports/registry -update and review the diff)\n--- got ---\n%s", path, got)
	}
}
