package main

// End-to-end tests of the command line, in-process through run() with buffers
// (STYLE 9). Databases are built through run itself (db init, db load) so the tests
// exercise the commands a user types. Goldens live in testdata/golden and are
// rewritten with `go test ./cmd/mipspi -update`.

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mipspi/mipspi/internal/mariadbtest"
	"github.com/mipspi/mipspi/internal/pgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// pinnedNow is the clock of every test run: the default --as-of and the generation time.
var pinnedNow = time.Date(2025, time.July, 8, 17, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	now = func() time.Time { return pinnedNow }
	// No test may depend on the developer's environment.
	os.Unsetenv("MIPSPI_DB")
	os.Unsetenv("MIPSPI_DEIDENTIFY_KEY")
	os.Unsetenv("MIPSPI_CONFIG")
	os.Unsetenv("MIPSPI_EHR")
	os.Unsetenv("MIPSPI_PSEUDONYMIZE_KEY")
	code := m.Run()
	pgtest.Stop()
	mariadbtest.Stop()
	os.Exit(code)
}

// testdataDir is the absolute testdata path (tests may chdir into a temp dir).
var testdataDir = func() string {
	d, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return d
}()

type outcome struct {
	code           int
	stdout, stderr string
}

// mipspi runs the command line in-process.
func mipspi(t *testing.T, args ...string) outcome {
	t.Helper()
	return mipspiCtx(t, context.Background(), args...)
}

func mipspiCtx(t *testing.T, ctx context.Context, args ...string) outcome {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, append([]string{"mipspi"}, args...), strings.NewReader(""), &out, &errb)
	return outcome{code: code, stdout: out.String(), stderr: errb.String()}
}

// mustRun runs mipspi and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) outcome {
	t.Helper()
	o := mipspi(t, args...)
	if o.code != 0 {
		t.Fatalf("mipspi %s: exit %d\nstderr:\n%s", strings.Join(args, " "), o.code, o.stderr)
	}
	return o
}

// golden compares got with testdata/golden/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s (run with -update to create it): %v", name, err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended):\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// smallDB builds testdata/small.yaml into a SQLite file through `db init` and `db load`,
// chdirs into its directory and returns the DSN, relative so that outputs naming the
// source are the same on every machine.
func smallDB(t *testing.T) string {
	t.Helper()
	t.Chdir(t.TempDir())
	dsn := "sqlite:small.db"
	mustRun(t, "db", "init", "--db", dsn)
	mustRun(t, "db", "load", "--db", dsn, filepath.Join(testdataDir, "small.yaml"))
	return dsn
}

// The small scenario's period and as-of: mid-year, so one visit is pending (R9).
var smallPeriod = []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2025-07-08T12:00:00Z"}

func args(a ...[]string) []string {
	var out []string
	for _, x := range a {
		out = append(out, x...)
	}
	return out
}
