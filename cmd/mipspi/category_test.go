package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeFile writes a test configuration into the current (temp) directory.
func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestExportRefusesZeroCategory (SPEC §5): a submission whose PI category would score 0
// exits 1, lists each reason once and writes nothing; --force writes it with a warning.
func TestExportRefusesZeroCategory(t *testing.T) {
	dsn, cfg := demoDB(t)
	demo, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's configuration without the SAFER guides attestation.
	writeFile(t, "nosafer.yaml", strings.Replace(string(demo), "    PI_PPHI_2: true\n", "", 1))
	base := args([]string{"export", "--to", "qpp", "--db", dsn, "--config", "nosafer.yaml", "--out", "reg", "--quiet"}, demoPeriod)
	o := mipspi(t, base...)
	if o.code != exitFail {
		t.Errorf("exit %d, want 1\n%s", o.code, o.stderr)
	}
	const reason = "mipspi:   ATTESTATION_MISSING: PI_PPHI_2 (SAFER Guides High Priority Practices Guide) is not answered: CMS scores the category 0 unless the practice answers yes. Once it is true, set PI_PPHI_2: true in the registry block.\n"
	if strings.Count(o.stderr, reason) != 1 || strings.Count(o.stderr, "PI_PPHI_2") != 2 {
		t.Errorf("stderr does not give the reason exactly once:\n%s", o.stderr)
	}
	if !strings.Contains(o.stderr, "mipspi: export: refused: the PI category would score 0 (1 reason(s) above); nothing written (--force writes anyway)") {
		t.Errorf("no refusal line:\n%s", o.stderr)
	}
	if _, err := os.Stat("reg"); !os.IsNotExist(err) {
		t.Errorf("reg/ exists after a refused export")
	}
	o = mipspi(t, append(base, "--force")...)
	if o.code != exitWarned { // written, with problems (issue 13)
		t.Fatalf("--force: exit %d, want 3\n%s", o.code, o.stderr)
	}
	if !strings.Contains(o.stderr, "mipspi: WARNING: --force: writing files that CMS would score 0") || strings.Count(o.stderr, reason) != 1 {
		t.Errorf("--force without a loud warning and the reason:\n%s", o.stderr)
	}
	if n := len(dirNames(t, "reg")); n != 13 {
		t.Errorf("--force wrote %d files, want 12 and the manifest", n)
	}
}

// TestExportWithoutAnswers: a configuration with no registry block says what is
// missing, each reason once, instead of guessing.
func TestExportWithoutAnswers(t *testing.T) {
	dsn, _ := demoDB(t)
	writeFile(t, "plain.yaml", "holidays: federal\n")
	for _, cfg := range [][]string{{"--config", "plain.yaml"}, nil} {
		o := mipspi(t, args([]string{"export", "--to", "qpp", "--db", dsn, "--out", "reg", "--quiet"}, cfg, demoPeriod)...)
		if o.code != exitFail {
			t.Errorf("%v: exit %d, want 1", cfg, o.code)
		}
		if !strings.Contains(o.stderr, "the configuration has no registry block") {
			t.Errorf("%v: no word of the missing registry block:\n%s", cfg, o.stderr)
		}
		for _, code := range []string{"CEHRT_ID_MISSING", "PI_PPHI_1 ", "PI_EP_1 ", "one of PI_HIE_1 + PI_HIE_4, PI_HIE_5, PI_HIE_6", "PI_PHCDRR_3 "} {
			if n := strings.Count(o.stderr, code); n != 1 {
				t.Errorf("%v: %q said %d times, want once:\n%s", cfg, code, n, o.stderr)
			}
		}
		if _, err := os.Stat("reg"); !os.IsNotExist(err) {
			t.Errorf("reg/ exists after a refused export")
		}
	}
}

// TestReadmeConfigurationPassesGates holds docs/configuration.md's example (the whole
// file) to what the page says of it: the report's estimate of the demo with it has no
// zero reason, and export refuses its example CEHRT ID unless --force, which writes the
// files.
func TestReadmeConfigurationPassesGates(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	i := strings.Index(s, "## The whole file")
	j := strings.Index(s[max(i, 0):], "```yaml\n")
	if i < 0 || j < 0 {
		t.Fatal("docs/configuration.md has no configuration example under \"The whole file\"")
	}
	block := s[i+j+len("```yaml\n"):]
	block = block[:strings.Index(block, "```")]
	dsn, _ := demoDB(t)
	writeFile(t, "readme.yaml", block)
	export := args([]string{"export", "--to", "qpp", "--db", dsn, "--config", "readme.yaml", "--out", "reg", "--quiet"}, demoPeriod)
	o := mipspi(t, export...)
	checkOutcome(t, "docs/configuration.md's example", o, exitFail, "mipspi: error: registry.cehrt_id 0015C8BCD1234XY is the example in mipspi's documentation, not the practice's CMS EHR Certification ID: copy the practice's own from CHPL\n"+
		"mipspi: export: 1 validation error(s) above; nothing written (--force writes anyway)\n")
	if o := mipspi(t, append(export, "--force")...); o.code != exitWarned {
		t.Errorf("--force: exit %d, want 3\n%s", o.code, o.stderr)
	}
	if n := len(dirNames(t, "reg")); n != 13 {
		t.Errorf("wrote %d files, want 12 and the manifest", n)
	}
	js := mustRun(t, args([]string{"report", "--db", dsn, "--config", "readme.yaml", "--format", "json", "--quiet"}, demoPeriod)...).stdout
	var rep struct {
		Entities []struct {
			PICategory *struct {
				EstimatedScore float64 `json:"estimated_score"`
				ZeroReasons    []any   `json:"zero_reasons"`
			} `json:"pi_category"`
		} `json:"entities"`
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	for k, e := range rep.Entities {
		if e.PICategory == nil || len(e.PICategory.ZeroReasons) != 0 || e.PICategory.EstimatedScore == 0 {
			t.Errorf("entity %d: pi_category %+v, want an estimate with no zero reason", k, e.PICategory)
		}
	}
}

// TestDemoShowsEstimate: the demo's report shows the PI category estimate of the
// configuration it writes, which passes every gate.
func TestDemoShowsEstimate(t *testing.T) {
	t.Chdir(t.TempDir())
	o := mustRun(t, "demo", "--dir", ".", "--quiet")
	// Each headline row ends with its estimate and weighted score: "86 (21.5)".
	est := regexp.MustCompile(`(?m)^  \d{9} .*  [1-9]\d* \(\d+(\.\d+)?\)$`)
	if n := len(est.FindAllString(o.stdout, -1)); n != 12 || !strings.Contains(o.stdout, "PI CATEGORY OF 100 (WEIGHTED AT 25%)") {
		t.Errorf("%d estimates in the demo report, want one per entity (12):\n%s", n, o.stdout)
	}
	if strings.Contains(o.stdout, "not estimated") || strings.Contains(o.stdout, "Why the PI category would score 0") {
		t.Errorf("the demo configuration fails a gate:\n%s", o.stdout)
	}
}
