package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// demoDB builds the demo practice and its sample configuration in a temp dir (chdir'd)
// and returns its DSN and practiceConfig, answers a practice would give for it.
func demoDB(t *testing.T) (dsn, config string) {
	t.Helper()
	t.Chdir(t.TempDir())
	mustRun(t, "demo", "--dir", ".", "--quiet")
	return "sqlite:" + demoDBName, practiceConfig
}

// practiceConfig answers for the demo practice per TIN and per clinician with values
// no documentation shows: an export with it is clean. (The demo's own sample
// configuration holds the documentation's examples, which export refuses.)
var practiceConfig = filepath.Join(testdataDir, "registry", "practice.yaml")

var demoPeriod = []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-01-15T12:00:00Z"}

// TestExport: the registry files of the demo, one per entity, mode 0600, in a directory
// created 0700; the QPP files carry the report's PI_PEA_1 figures.
func TestExport(t *testing.T) {
	dsn, cfg := demoDB(t)
	for _, tc := range []struct {
		format, entity string
		want           func(names []string) bool
	}{
		{"qpp", "all", func(n []string) bool { return len(n) == 12 && allSuffix(n, ".json") }},
		{"qrda3", "group", func(n []string) bool { return len(n) == 2 && allSuffix(n, ".xml") }},
		{"csv", "individual", func(n []string) bool { return len(n) == 1 && n[0] == "registry.csv" }},
	} {
		t.Run(tc.format+"-"+tc.entity, func(t *testing.T) {
			dir := filepath.Join("export", tc.format, tc.entity)
			o := mustRun(t, args([]string{"export", "--to", tc.format, "--db", dsn, "--config", cfg, "--entity", tc.entity, "--out", dir, "--quiet"}, demoPeriod)...)
			if o.stdout != "" || o.stderr != "" {
				t.Errorf("stdout %q, stderr %q; want both empty with --quiet and a clean config", o.stdout, o.stderr)
			}
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o700 {
				t.Errorf("%s mode %v, want 0700", dir, fi.Mode().Perm())
			}
			names := dirNames(t, dir)
			if !slices.Contains(names, manifestName) {
				t.Errorf("no %s among %v", manifestName, names)
			}
			if files := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == manifestName }); !tc.want(files) {
				t.Errorf("files %v", files)
			}
			for _, n := range names {
				if fi, _ := os.Stat(filepath.Join(dir, n)); fi.Mode().Perm() != 0o600 {
					t.Errorf("%s mode %v, want 0600", n, fi.Mode().Perm())
				}
			}
		})
	}

	// The QPP group file for the first TIN carries the report's group figures.
	var rep struct {
		Entities []struct {
			Level, TIN             string
			Numerator, Denominator int
		} `json:"entities"`
	}
	js := mustRun(t, args([]string{"report", "--db", dsn, "--format", "json", "--quiet"}, demoPeriod)...).stdout
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("export", "qpp", "all")
	for _, e := range rep.Entities {
		if e.Level != "group" {
			continue
		}
		var file string
		for _, n := range dirNames(t, dir) {
			if strings.Contains(n, e.TIN) && strings.Contains(n, "group") {
				file = n
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatalf("no QPP group file for TIN %s: %v", e.TIN, err)
		}
		want := []string{`"numerator": ` + itoa(e.Numerator), `"denominator": ` + itoa(e.Denominator)}
		for _, w := range want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s lacks %s:\n%s", file, w, data)
			}
		}
	}
}

// TestExportValidation: without a CEHRT ID the export fails (exit 1), lists every
// problem on stderr and writes nothing; --force writes the files anyway, with the
// manifest, and exits 3 (written, with problems: issue 13).
func TestExportValidation(t *testing.T) {
	dsn, _ := demoDB(t)
	if err := os.WriteFile("bare.yaml", []byte("registry:\n  measures:\n    PI_PPHI_1: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := args([]string{"export", "--to", "qpp", "--db", dsn, "--config", "bare.yaml", "--out", "reg", "--quiet"}, demoPeriod)
	o := mipspi(t, base...)
	if o.code != exitFail {
		t.Errorf("exit %d, want 1", o.code)
	}
	// The missing CEHRT ID zeroes the PI category: it is listed once, as that gate.
	if !strings.Contains(o.stderr, "mipspi:   CEHRT_ID_MISSING: ") || strings.Contains(o.stderr, "registry.cehrt_id is missing") {
		t.Errorf("stderr does not list the missing CEHRT ID exactly once:\n%s", o.stderr)
	}
	lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "mipspi: export: ") || !strings.Contains(last, "nothing written (--force writes anyway)") {
		t.Errorf("last line %q", last)
	}
	if _, err := os.Stat("reg"); !os.IsNotExist(err) {
		t.Errorf("reg/ exists after a failed validation")
	}
	o = mipspi(t, append(base, "--force")...)
	if o.code != exitWarned {
		t.Fatalf("--force: exit %d, want 3\n%s", o.code, o.stderr)
	}
	if !strings.Contains(o.stderr, "WARNING: --force") || !strings.Contains(o.stderr, "CEHRT_ID_MISSING") {
		t.Errorf("--force hides the problems:\n%s", o.stderr)
	}
	if n := len(dirNames(t, "reg")); n != 13 {
		t.Errorf("--force wrote %d files, want 12 and the manifest", n)
	}
}

// TestExportToOrder: --to FORMAT and --to DATE may come in either order, and --format
// is the same as --to FORMAT.
func TestExportToOrder(t *testing.T) {
	for _, tc := range []struct {
		to     []string
		format string
		want   [2]string
	}{
		{[]string{"qpp", "2025-12-31"}, "", [2]string{"qpp", "2025-12-31"}},
		{[]string{"2025-12-31", "qrda3"}, "", [2]string{"qrda3", "2025-12-31"}},
		{[]string{"2025-06-30"}, "csv", [2]string{"csv", "2025-06-30"}},
		{[]string{"csv"}, "csv", [2]string{"csv", ""}},
	} {
		f, end, err := exportTo(tc.to, tc.format)
		if err != nil {
			t.Errorf("exportTo(%v, %q): %v", tc.to, tc.format, err)
			continue
		}
		if diff := cmp.Diff(tc.want, [2]string{string(f), end}); diff != "" {
			t.Errorf("exportTo(%v, %q) (-want +got):\n%s", tc.to, tc.format, diff)
		}
	}
	for _, bad := range [][]string{{"qpp", "csv"}, {"2025-01-01", "2025-12-31", "qpp"}} {
		if _, _, err := exportTo(bad, ""); err == nil {
			t.Errorf("exportTo(%v) accepted", bad)
		}
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func allSuffix(names []string, suffix string) bool {
	for _, n := range names {
		if !strings.HasSuffix(n, suffix) {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }
