package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// Issue rows and drill-down outcomes read back from the spill files give the same
// report bytes as rows kept in memory, in every format that lists them (every part of
// the workbook), pseudonymised too; the files are used, and nothing is left in the
// temporary directory.
func TestReportSpillSameBytes(t *testing.T) {
	t.Chdir(t.TempDir())
	dsn := "sqlite:g.db"
	mustRun(t, "db", "generate", "--db", dsn, "--clinicians", "8", "--patients", "600", "--appointments", "2500", "--seed", "7")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var made *rowStores
	storesMade = func(s *rowStores) { made = s }
	defer func() { storesMade = func(*rowStores) {}; spillRows = 0 }()
	period := []string{"--db", dsn, "--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2025-11-20T12:00:00Z", "--quiet"}
	for _, extra := range [][]string{
		{"--format", "json"}, {"--format", "csv"}, {"--format", "csv", "--table", "issues"},
		{"--format", "table"}, {"--format", "json", "--pseudonymize", "--pseudonymize-key", "00112233445566778899aabbccddeeff"},
		{"--format", "json", "--patients"}, {"--format", "csv", "--table", "patients"}, {"--format", "html"},
		{"--format", "xlsx"}, {"--format", "xlsx", "--pseudonymize", "--pseudonymize-key", "00112233445566778899aabbccddeeff"},
	} {
		patients := slices.Contains(extra, "--patients") || slices.Contains(extra, "patients") || slices.Contains(extra, "xlsx")
		a := args([]string{"report"}, period, extra)
		spillRows = 0
		mem := mipspi(t, a...)
		if mem.code != 0 {
			t.Fatalf("%v: exit %d: %s", extra, mem.code, mem.stderr)
		}
		if made.issues.Spilled() != 0 {
			t.Fatalf("%v: spilled %d bytes under the default threshold", extra, made.issues.Spilled())
		}
		for _, rows := range []int{1, 50} {
			spillRows = rows
			got := mipspi(t, a...)
			if got.code != 0 {
				t.Fatalf("%v rows=%d: exit %d: %s", extra, rows, got.code, got.stderr)
			}
			if made.issues.Spilled() == 0 {
				t.Fatalf("%v rows=%d: nothing spilled", extra, rows)
			}
			if spilled := made.outcomes.Spilled() > 0; spilled != patients {
				t.Fatalf("%v rows=%d: drill-down spilled %v, want %v", extra, rows, spilled, patients)
			}
			if slices.Contains(extra, "xlsx") {
				sameParts(t, fmt.Sprint(extra, " rows=", rows), mem.stdout, got.stdout)
				continue
			}
			if got.stdout != mem.stdout {
				t.Errorf("%v rows=%d: report differs from the in-memory one (%d vs %d bytes)", extra, rows, len(got.stdout), len(mem.stdout))
			}
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("left in the temporary directory: %v", ents)
	}
}

// --late-clinicians: a percentage; 100 makes most seen visits fail.
func TestGenerateLateClinicians(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, bad := range []string{"0", "101", "-5"} {
		if o := mipspi(t, "db", "generate", "--db", "sqlite:bad.db", "--late-clinicians", bad); o.code != exitUsage {
			t.Errorf("--late-clinicians %s: exit %d, want %d", bad, o.code, exitUsage)
		}
	}
	timely := map[string]float64{}
	for _, pct := range []string{"5", "100"} {
		dsn := "sqlite:late" + pct + ".db"
		mustRun(t, "db", "generate", "--db", dsn, "--clinicians", "10", "--patients", "800", "--appointments", "3000", "--late-clinicians", pct, "--quiet")
		out := mustRun(t, "report", "--db", dsn, "--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-03-31", "--format", "json", "--quiet").stdout
		var rep struct {
			Counts struct {
				Seen   int `json:"seen_visits"`
				Timely int `json:"timely_visits"`
			} `json:"counts"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Counts.Seen == 0 {
			t.Fatalf("late %s: %v, %+v", pct, err, rep.Counts)
		}
		timely[pct] = float64(rep.Counts.Timely) / float64(rep.Counts.Seen)
	}
	if timely["100"] > 0.5 || timely["100"] > timely["5"]-0.1 {
		t.Errorf("timely share %.2f at 5%% late clinicians, %.2f at 100%%: want most visits failing at 100%%, well below 5%%'s share", timely["5"], timely["100"])
	}
}

// sameParts compares two workbooks part by part; [Content_Types].xml as a set of
// elements (excelize writes it in map order).
func sameParts(t *testing.T, name, a, b string) {
	t.Helper()
	pa, pb := xlsxParts(t, a), xlsxParts(t, b)
	if len(pa) != len(pb) || len(pa) < 10 {
		t.Fatalf("%s: %d parts vs %d", name, len(pa), len(pb))
	}
	for path, data := range pa {
		other, ok := pb[path]
		if path == "[Content_Types].xml" {
			x, y := strings.Split(data, "<"), strings.Split(other, "<")
			slices.Sort(x)
			slices.Sort(y)
			data, other = strings.Join(x, "<"), strings.Join(y, "<")
		}
		if !ok || data != other {
			t.Errorf("%s: part %s differs from the in-memory workbook's", name, path)
		}
	}
}

func xlsxParts(t *testing.T, data string) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader([]byte(data)), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(b)
	}
	return out
}
