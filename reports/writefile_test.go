package reports

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// entries lists a directory's file names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("content %q", b)
	}
	if diff := cmp.Diff([]string{"report.json"}, entries(t, dir)); diff != "" {
		t.Errorf("directory after write (-want +got):\n%s", diff)
	}

	// Overwriting an existing world-readable file leaves a 0600 file.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "newer"); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("after overwrite: mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestWriteFileError(t *testing.T) {
	cases := []struct {
		name     string
		existing bool
	}{
		{"new file", false},
		{"existing file kept", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "report.xlsx")
			var want []string
			if tc.existing {
				if err := os.WriteFile(path, []byte("old report"), 0o600); err != nil {
					t.Fatal(err)
				}
				want = []string{"report.xlsx"}
			}
			boom := errors.New("database went away")
			err := WriteFile(path, func(w io.Writer) error {
				// Write more than any buffer holds, so partial data reaches the temp file.
				if _, err := w.Write(make([]byte, 1<<20)); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want it to wrap %v", err, boom)
			}
			if diff := cmp.Diff(want, entries(t, dir)); diff != "" {
				t.Errorf("directory after failed write (-want +got):\n%s", diff)
			}
			if tc.existing {
				if b, _ := os.ReadFile(path); string(b) != "old report" {
					t.Errorf("target changed: %q", b)
				}
			}
		})
	}
}

func TestWriteFileBadDir(t *testing.T) {
	err := WriteFile(filepath.Join(t.TempDir(), "missing", "r.json"), func(w io.Writer) error { return nil })
	if err == nil {
		t.Fatal("no error for a missing directory")
	}
}
