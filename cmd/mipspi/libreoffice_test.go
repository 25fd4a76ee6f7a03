package main

// A real spreadsheet application prints the workbook: LibreOffice Calc from Debian
// (libreoffice-calc-nogui) converts it to PDF headless, as "print everything" would.
// The summaries print in a few pages whose text is 8 points or more, no text printed
// over other text (a wrapped header row over the first data row), the practice name
// and the as-of instant whole; the long lists print only their note, which says how
// to print them; and printed from its sheet (the print area cleared, as a selection
// prints), a list repeats its header row on every page, legibly too. Font sizes are
// read from the PDF's text operators, word boxes from poppler-utils' pdftotext -bbox.

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

func TestWorkbookPrintsInLibreOffice(t *testing.T) {
	soffice := requireTool(t, "libreoffice-calc-nogui", "soffice", "libreoffice")
	pdftotext := requireTool(t, "poppler-utils", "pdftotext")
	dsn, _ := demoDB(t) // chdir'd into a temp dir holding mipspi-demo.xlsx
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// One TIN of the demo practice, and the demo workbook as a clinician prints a list
	// from its sheet (a selection prints without the sheet's print area).
	mustRun(t, args([]string{"report", "--db", dsn, "--tin", "361234567", "-f", "xlsx", "-o", "one-tin.xlsx", "--quiet"}, demoPeriod)...)
	withoutPrintAreas(t, "mipspi-demo.xlsx", "lists.xlsx")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// A private profile: no clash with a LibreOffice the developer has open.
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "lo-profile"),
		"--headless", "--convert-to", "pdf", "--outdir", dir, "mipspi-demo.xlsx", "one-tin.xlsx", "lists.xlsx")
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice --convert-to pdf: %v\n%s", err, out)
	}
	printed := func(name string) (pdf []byte, pages []string, words [][]pdfWord) {
		pdf, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("LibreOffice did not convert the workbook: %v", err)
		}
		n := len(pdfPage.FindAll(pdf, -1))
		for p := 1; p <= n; p++ {
			out, err := exec.CommandContext(ctx, pdftotext, "-layout", "-f", itoa(p), "-l", itoa(p), name, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext %s page %d: %v", name, p, err)
			}
			pages = append(pages, string(out))
		}
		out, err := exec.CommandContext(ctx, pdftotext, "-bbox", name, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext -bbox %s: %v", name, err)
		}
		return pdf, pages, bboxWords(string(out))
	}

	for _, c := range []struct {
		pdf      string
		maxPages int
	}{
		// Summary 2-3 (who and patient figures with the chart, on a page of its own
		// when it does not fit under them; points and practice), Causes 1-2, Trend 2,
		// the three lists' notes 3, Clinicians 1, Run 2.
		{"mipspi-demo.pdf", 14},
		{"one-tin.pdf", 14},
	} {
		t.Run(c.pdf, func(t *testing.T) {
			pdf, pages, words := printed(c.pdf)
			if len(pages) < 6 || len(pages) > c.maxPages {
				t.Errorf("prints on %d pages, want 6..%d (the summaries; the long lists print only their notes)", len(pages), c.maxPages)
			}
			checkLegible(t, pdf, words)
			for n, p := range pages {
				if strings.TrimSpace(p) == "" { // e.g. a title running past the print width
					t.Errorf("page %d prints nothing", n+1)
				}
			}
			// The Summary: its table (with the chart under it, or on the next page when
			// it does not fit), then its points and practice page.
			summary := strings.Join(pages[:3], "\f")
			all := strings.Join(pages, "\f")
			for _, want := range []string{"As of", "2026-01-15 06:00 CST (America/Chicago)", "Lakeside Family Medicine",
				"Practice", "Clinician", "rate by clinician", "Long lists, each on its own sheet and not printed with the workbook"} {
				if !strings.Contains(summary, want) {
					t.Errorf("printed Summary lacks %q:\n%s", want, summary)
				}
			}
			if !strings.Contains(all, "Period-to-date rate at each month's end") {
				t.Errorf("the Trend sheet does not print")
			}
			for _, bad := range []string{"###", "Chart data"} {
				if strings.Contains(summary, bad) {
					t.Errorf("printed Summary shows %q:\n%s", bad, summary)
				}
			}
			for _, sheet := range []string{"Issues", "Patients in each entity", "Notes to lock"} {
				if !regexp.MustCompile(sheet + `: \d+ rows\. Not printed with the workbook: to print, filter the table`).MatchString(all) {
					t.Errorf("no printed note says how to print %s", sheet)
				}
			}
		})
	}

	t.Run("lists printed from their sheets", func(t *testing.T) {
		pdf, pages, words := printed("lists.pdf")
		checkLegible(t, pdf, words)
		// Every Patients and Worklist page starts with its header row (repeated), the
		// first under the list's note; a list wider than the page continues on the next
		// with the header of its repeated and last columns.
		patients, worklist := 0, 0
		for n, p := range pages {
			first := strings.TrimSpace(p)
			if strings.Contains(first, "Not printed with the workbook") {
				_, first, _ = strings.Cut(first, "LibreOffice: Selected cells).")
				first = strings.TrimSpace(first)
			}
			switch {
			case strings.Contains(p, "by cause") || strings.HasPrefix(first, "Level") && strings.Contains(first, "What it means"):
				// The Causes sheet, a summary printed whole.
			case strings.Contains(p, "First name") || regexp.MustCompile(`(?m)^\s*(individual|group)\s+\d{9}\s.*\s(yes|no)\s`).MatchString(p) && !strings.Contains(p, "%"):
				patients++
				if !strings.HasPrefix(first, "Level") {
					t.Errorf("page %d (Patients) does not start with the header row:\n%.300s", n+1, p)
				}
			case strings.Contains(p, "Can still") || strings.Contains(p, "Days late"):
				worklist++
				// The Worklist's right-hand pages repeat the clinician and lock-by columns.
				if !strings.HasPrefix(first, "TIN") && !strings.HasPrefix(first, "Clinician") {
					t.Errorf("page %d (Worklist) does not start with the header row:\n%.300s", n+1, p)
				}
			}
		}
		if patients < 2 || worklist < 1 {
			t.Errorf("Patients printed on %d pages, the Worklist on %d: want the header on each of several pages", patients, worklist)
		}
	})
}

// checkLegible fails when text of pdf is smaller than 8 points or two words printed on
// one page overlap (a wrapped header over the first data row, a label over a label).
func checkLegible(t *testing.T, pdf []byte, pages [][]pdfWord) {
	t.Helper()
	sizes := pdfFontSizes(t, pdf)
	if len(sizes) == 0 {
		t.Fatal("no text operator found in the PDF")
	}
	smallest := sizes[0]
	for _, s := range sizes {
		smallest = min(smallest, s)
	}
	if smallest < 8 {
		t.Errorf("smallest printed text is %.2f pt, want at least 8", smallest)
	}
	t.Logf("%d runs of text, the smallest %.2f pt; %d pages", len(sizes), smallest, len(pages))
	overlaps := 0
	for p, words := range pages {
		for i, a := range words {
			for _, b := range words[i+1:] {
				// Boxes meeting by more than a point across and by more than 30% of
				// their height: one text printed over another. (Poppler's boxes are 1.3
				// times the font size tall, taller than the lines of a wrapped cell are
				// apart: those meet by about 10%.)
				h := min(a.y1-a.y0, b.y1-b.y0)
				if min(a.x1, b.x1)-max(a.x0, b.x0) > 1 && min(a.y1, b.y1)-max(a.y0, b.y0) > 0.3*h {
					if overlaps++; overlaps <= 5 {
						t.Errorf("page %d: %q and %q print over each other (%v, %v)", p+1, a.text, b.text, a, b)
					}
				}
			}
		}
	}
}

// pdfWord is one word of pdftotext -bbox: its box in points from the page's top left.
type pdfWord struct {
	x0, y0, x1, y1 float64
	text           string
}

var (
	bboxPage = regexp.MustCompile(`<page `)
	bboxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// bboxWords reads pdftotext -bbox output: the words of each page.
func bboxWords(out string) [][]pdfWord {
	var pages [][]pdfWord
	for _, page := range bboxPage.Split(out, -1)[1:] {
		var ws []pdfWord
		for _, m := range bboxWord.FindAllStringSubmatch(page, -1) {
			f := func(s string) float64 { x, _ := strconv.ParseFloat(s, 64); return x }
			ws = append(ws, pdfWord{f(m[1]), f(m[2]), f(m[3]), f(m[4]), html.UnescapeString(m[5])})
		}
		pages = append(pages, ws)
	}
	return pages
}

var (
	pdfStream = regexp.MustCompile(`(?s)stream\r?\n`)
	// A text operator with its size ("/F1 8.25 Tf"), or a text matrix before it
	// ("0.99 0 0 1 81.8 195.3 Tm"), whose vertical scale d multiplies the size.
	textOps = regexp.MustCompile(`(?:([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) [-\d.]+ [-\d.]+ Tm)|(?:/\w+ ([\d.]+) Tf)|(?:[-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ cm)`)
)

// pdfFontSizes reads the size of every run of text of pdf from its (deflated) content
// streams: LibreOffice writes each run's size in its Tf operator, with a text matrix
// at most for condensed chart labels and no scaling transformation (a cm operator
// this test cannot follow fails it).
func pdfFontSizes(t *testing.T, pdf []byte) []float64 {
	t.Helper()
	var sizes []float64
	for _, loc := range pdfStream.FindAllIndex(pdf, -1) {
		start := loc[1]
		end := bytes.Index(pdf[start:], []byte("endstream"))
		if end < 0 {
			break
		}
		zr, err := zlib.NewReader(bytes.NewReader(pdf[start : start+end]))
		if err != nil {
			continue // not a deflated stream (an image, a font program…)
		}
		content, err := io.ReadAll(zr)
		if err != nil && len(content) == 0 {
			continue
		}
		if !bytes.Contains(content, []byte(" Tf")) {
			continue
		}
		scale := 1.0
		for _, m := range textOps.FindAllSubmatch(content, -1) {
			switch {
			case m[1] != nil:
				d, _ := strconv.ParseFloat(string(m[4]), 64)
				scale = d
			case m[5] != nil:
				s, _ := strconv.ParseFloat(string(m[5]), 64)
				sizes = append(sizes, s*scale)
			default:
				if !bytes.HasPrefix(m[0], []byte("1 0 0 1 ")) {
					t.Fatalf("the PDF scales its text with %q: this test reads sizes from Tf operators only", m[0])
				}
			}
		}
	}
	return sizes
}

// withoutPrintAreas copies workbook from to to without the print areas of its long
// lists: what prints when a clinician selects a list and prints the selection.
func withoutPrintAreas(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	parts := xlsxParts(t, string(data))
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	area := regexp.MustCompile(`<definedName[^>]*name="_xlnm.Print_Area"[^>]*>(&#39;|')(Issues|Patients|Worklist)[^<]*</definedName>`)
	for _, f := range zr.File { // in the archive's order
		b := parts[f.Name]
		if f.Name == "xl/workbook.xml" {
			if !area.MatchString(b) {
				t.Fatalf("%s has no print area to clear", from)
			}
			b = area.ReplaceAllString(b, "")
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
