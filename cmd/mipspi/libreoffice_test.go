package main

// A real spreadsheet application opens the demo workbook (issue 17): LibreOffice Calc
// from Debian (libreoffice-calc-nogui) converts it to PDF headless. The PDF must have a
// sensible number of pages (the Summary one page wide, not split across 80 pages), and,
// when poppler-utils' pdftotext is there, the printed text must show the as-of
// instant (not "###"), repeat each sheet's header row on its pages and leave the
// chart's data out of the printed Summary.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// requireTool returns the path of one of names, skipping the test when none is
// installed, except under CI=true, where a missing tool fails it (like internal/pgtest).
func requireTool(t *testing.T, pkg string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed and CI=true (apt-get install %s)", names[0], pkg)
	}
	t.Skipf("%s is not installed (apt-get install %s)", names[0], pkg)
	return ""
}

var (
	pdfPage    = regexp.MustCompile(`/Type\s*/Page[^s]`)
	patientRow = regexp.MustCompile(`(?m)^\s*(individual|group)\s+\d{9}\s`)
)

func TestWorkbookPrintsInLibreOffice(t *testing.T) {
	soffice := requireTool(t, "libreoffice-calc-nogui", "soffice", "libreoffice")
	demoDB(t) // chdir'd into a temp dir holding mipspi-demo.xlsx
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(dir, "mipspi-demo.xlsx")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A private profile: no clash with a LibreOffice the developer has open.
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "lo-profile"),
		"--headless", "--convert-to", "pdf", "--outdir", dir, xlsx)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice --convert-to pdf: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "mipspi-demo.pdf"))
	if err != nil {
		t.Fatalf("LibreOffice did not convert the workbook: %v", err)
	}
	pages := len(pdfPage.FindAll(pdf, -1))
	// Summary 1, Issues 1, Patients ~10 (600 rows), Clinicians 1, Worklist 1, Run 1.
	if pages < 6 || pages > 20 {
		t.Errorf("the demo workbook prints on %d pages, want 6..20 (one page wide per sheet)", pages)
	}

	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Logf("pdftotext (poppler-utils) not installed: printed text not checked")
		return
	}
	page := func(n int) string {
		out, err := exec.CommandContext(ctx, pdftotext, "-layout", "-f", itoa(n), "-l", itoa(n), filepath.Join(dir, "mipspi-demo.pdf"), "-").Output()
		if err != nil {
			t.Fatalf("pdftotext page %d: %v", n, err)
		}
		return string(out)
	}
	first := page(1)
	for _, want := range []string{"As of", "2026-01-15 06:00 CST (America/Chicago); 2026-01-15 05:00 MST (America/Denver)", "Lakeside Family Medicine", "Practice", "rate by clinician"} {
		if !strings.Contains(first, want) {
			t.Errorf("printed Summary lacks %q:\n%s", want, first)
		}
	}
	for _, bad := range []string{"###", "Chart data"} {
		if strings.Contains(first, bad) {
			t.Errorf("printed Summary shows %q:\n%s", bad, first)
		}
	}
	// Every Patients page repeats the header row.
	patients := 0
	for n := 2; n <= pages; n++ {
		p := page(n)
		if patientRow.MatchString(p) && !strings.Contains(p, "%") { // Summary and Trend show rates

			patients++
			if !strings.HasPrefix(strings.TrimSpace(p), "Level") {
				t.Errorf("page %d (Patients) does not start with the header row:\n%.300s", n, p)
			}
		}
	}
	if patients < 2 {
		t.Errorf("Patients printed on %d pages with a header row, want the header on each of several pages", patients)
	}
}
