package reports

// The HTML report opened in a real headless Chromium (issue 8): the figures a person
// reads on the page equal the JSON report's, the charts render with the right number of
// bars and sizes, the page loads nothing but itself, and the console stays clean. A
// screenshot (and a PDF, for the print layout) is saved for people to look at.
//
// Chromium is Debian's `chromium` package; .ci/run installs it. Without it the test
// skips, except under CI=true where a missing browser is a failure.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

// chromiumPath finds Debian's Chromium, or skips (fails under CI=true).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run must install Debian's chromium package")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// browserEnv points the browser's home, temporary and XDG directories into dir.
func browserEnv(t *testing.T, dir string) []string {
	t.Helper()
	var env []string
	for _, v := range []struct{ name, sub string }{
		{"HOME", "home"}, {"TMPDIR", "tmp"}, {"XDG_CONFIG_HOME", "config"},
		{"XDG_CACHE_HOME", "cache"}, {"XDG_DATA_HOME", "data"}, {"XDG_RUNTIME_DIR", "run"},
	} {
		p := filepath.Join(dir, v.sub)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, v.name+"="+p)
	}
	return env
}

// browserLog collects what the page must not produce: console calls, uncaught
// exceptions, browser log entries, and requests for anything but the page itself.
type browserLog struct {
	mu       sync.Mutex
	page     string
	console  []string
	requests []string
}

func (b *browserLog) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range e.Args {
			args = append(args, string(a.Value)+a.Description)
		}
		b.console = append(b.console, fmt.Sprintf("console.%s(%s)", e.Type, strings.Join(args, ", ")))
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.console = append(b.console, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, msg))
	case *log.EventEntryAdded:
		b.console = append(b.console, fmt.Sprintf("log %s %s: %s %s", e.Entry.Level, e.Entry.Source, e.Entry.Text, e.Entry.URL))
	case *network.EventRequestWillBeSent:
		if e.Request.URL != b.page {
			b.requests = append(b.requests, e.Request.URL)
		}
	}
}

// pageFigures is what the browser test reads off the page through the data- hooks and
// the layout engine.
type pageFigures struct {
	Entities []struct {
		Level, TIN, NPI                                       string
		Numerator, Denominator, Pending                       int
		Rate                                                  float64
		NumeratorText, DenominatorText, RateText, PendingText string
	}
	// The headline table (SPEC §5), in page order.
	Headline []struct {
		Level, TIN, NPI                                 string
		Rate, Points, Max, Best, BestPoints, Pend, Next float64
		RateText, PointsText, BestText, PendText        string
	}
	NotEstimated int // visible "not estimated" paragraphs
	Charts       []struct {
		ID            string
		Width, Height float64
	}
	Bars []struct {
		TIN, NPI      string
		Rate          float64
		Width, Height float64
		Track         float64
	}
	LagBars []struct {
		Bucket        string
		Count         int
		Height, Width float64
		X             float64
	}
	Deadline struct {
		X, Height float64
	}
	Codes []struct {
		Code string
		Rows int
	}
	Worklists []struct {
		TIN, NPI string
		Rows     int
		Height   float64
	}
	Print struct {
		Breaks   []string // computed break-before of each worklist section
		NavShown bool
	}
	Trend []struct {
		Level, TIN, NPI string
		Points          []struct {
			Date                   string
			Rate                   float64
			Numerator, Denominator int
			Y                      float64 // rendered centre, page pixels
		}
		Top, Bottom float64 // the chart's plot area (0% and 100% lines), page pixels
	}
	Title     string
	External  []string
	Scripts   int
	Pwned     bool
	Clinician []string
}

// readPage runs in the page and returns pageFigures as JSON.
const readPage = `(() => {
  const box = el => el ? el.getBoundingClientRect() : {width: 0, height: 0, x: 0};
  const field = (tr, f) => tr.querySelector('[data-field="' + f + '"]');
  const out = {};
  out.entities = [...document.querySelectorAll('tr[data-level]')].map(tr => ({
    level: tr.dataset.level, tin: tr.dataset.tin, npi: tr.dataset.npi,
    numerator: Number(field(tr, 'numerator').dataset.value),
    denominator: Number(field(tr, 'denominator').dataset.value),
    pending: Number(field(tr, 'pending').dataset.value),
    rate: Number(field(tr, 'rate').dataset.value),
    numeratorText: field(tr, 'numerator').textContent,
    denominatorText: field(tr, 'denominator').textContent,
    rateText: field(tr, 'rate').textContent,
    pendingText: field(tr, 'pending').textContent,
  }));
  out.headline = [...document.querySelectorAll('table.headline tr[data-hl-level]')].map(tr => ({
    level: tr.dataset.hlLevel, tin: tr.dataset.tin, npi: tr.dataset.npi,
    rate: Number(field(tr, 'pea_rate').dataset.value), points: Number(field(tr, 'pea_points').dataset.value),
    max: Number(field(tr, 'pea_points').dataset.max), best: Number(field(tr, 'best_reachable').dataset.value),
    bestPoints: Number(field(tr, 'best_reachable').dataset.points), pend: Number(field(tr, 'pending_gain').dataset.value),
    next: Number(field(tr, 'next_percent_gain').dataset.value),
    rateText: field(tr, 'pea_rate').textContent, pointsText: field(tr, 'pea_points').textContent,
    bestText: field(tr, 'best_reachable').textContent, pendText: field(tr, 'pending_gain').textContent,
  }));
  out.notEstimated = [...document.querySelectorAll('#headline p')].filter(p => box(p).height > 0 && p.textContent.includes('not estimated')).length;
  out.charts = [...document.querySelectorAll('svg')].map(s => ({id: s.id, width: box(s).width, height: box(s).height}));
  out.bars = [...document.querySelectorAll('#rate-chart rect.bar')].map(r => ({
    tin: r.dataset.tin, npi: r.dataset.npi, rate: Number(r.dataset.rate),
    width: box(r).width, height: box(r).height,
    track: box(r.parentNode.querySelector('rect.track')).width,
  }));
  out.lagBars = [...document.querySelectorAll('#lag-chart rect.lag-bar')].map(r => ({
    bucket: r.dataset.bucket, count: Number(r.dataset.count), height: box(r).height, width: box(r).width, x: box(r).x,
  }));
  const dl = document.querySelector('#lag-chart line.deadline');
  out.deadline = {x: box(dl).x, height: box(dl).height};
  out.codes = [...document.querySelectorAll('table.codes tr[data-code]')].map(tr => ({
    code: tr.dataset.code, rows: Number(field(tr, 'rows').dataset.value)}));
  out.worklists = [...document.querySelectorAll('section.worklist[data-npi]')].map(s => ({
    tin: s.dataset.tin, npi: s.dataset.npi, rows: s.querySelectorAll('tbody tr').length, height: box(s).height}));
  const grid = [...document.querySelectorAll('#trend-chart line.grid')].map(l => box(l).y);
  out.trend = [...document.querySelectorAll('#trend-chart g.trend-line')].map(g => ({
    level: g.dataset.level, tin: g.dataset.tin, npi: g.dataset.npi,
    top: Math.min(...grid), bottom: Math.max(...grid),
    points: [...g.querySelectorAll('circle.trend-point')].map(c => ({
      date: c.dataset.date, rate: Number(c.dataset.rate), numerator: Number(c.dataset.numerator),
      denominator: Number(c.dataset.denominator), y: box(c).y + box(c).height / 2}))}));
  out.title = document.title;
  out.external = [...document.querySelectorAll('[src], link, [href]:not([href^="#"])')].map(e => e.outerHTML.slice(0, 200));
  out.scripts = document.scripts.length;
  out.pwned = window.__pwned === 1;
  out.clinician = [...document.querySelectorAll('tr.individual td:first-child')].map(td => td.textContent);
  return JSON.stringify(out);
})()`

// readPrint runs in the page with print media emulated.
const readPrint = `JSON.stringify({
  breaks: [...document.querySelectorAll('section.worklist[data-npi]')].map(s => getComputedStyle(s).breakBefore),
  navShown: getComputedStyle(document.querySelector('nav')).display !== 'none',
})`

// openInChromium writes page to a temp file, opens it in a fresh headless Chromium and
// returns what readPage found, what the page logged, and a screenshot and a PDF.
func openInChromium(t *testing.T, page []byte) (pageFigures, *browserLog, []byte, []byte) {
	t.Helper()
	exe := chromiumPath(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, page, 0o600); err != nil {
		t.Fatal(err)
	}
	pageURL := (&url.URL{Scheme: "file", Path: file}).String()

	// One budget for starting the browser, loading and reading: no wait is timed,
	// this only stops a hung browser from hanging the test run.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1366, 900), // a laptop screen
		// Issue 13: the browser keeps everything in the test's own directory, which
		// t.TempDir removes: its profile above, and HOME, TMPDIR and the XDG
		// directories, where Chromium otherwise leaves /tmp/.org.chromium.* folders and
		// writes the user's ~/.config/chromium and ~/.cache.
		chromedp.Env(browserEnv(t, dir)...),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-crash-reporter", true),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bl := &browserLog{page: pageURL}
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithListener(bl.listen))
	defer bcancel()

	if err := chromedp.Do(bctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("open %s in chromium: %v", pageURL, err)
	}
	raw, err := chromedp.Run(bctx, chromedp.Evaluate[string](readPage))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	var got pageFigures
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("decode what the page said: %v\n%s", err, raw)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// Print layout: with print media emulated, every clinician's worklist starts a
	// page and the navigation is gone.
	printRaw, err := chromedp.Run(bctx, chromedp.Action[string](func(ctx context.Context, t *chromedp.Target) (string, error) {
		if _, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			return "", err
		}
		return chromedp.Evaluate[string](readPrint)(ctx, t)
	}))
	if err != nil {
		t.Fatalf("read the print layout: %v", err)
	}
	if err := json.Unmarshal([]byte(printRaw), &got.Print); err != nil {
		t.Fatalf("decode the print layout: %v\n%s", err, printRaw)
	}
	pdf, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperLetter), chromedp.PDFMargin(0.5)))
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	bcancel() // close the browser before reading the log: every event is in
	acancel()
	return got, bl, shot, pdf
}

// saveArtifact writes a file to the test's temp dir and, when MIPSPI_SCREENSHOT_DIR is
// set, there too, and logs where.
func saveArtifact(t *testing.T, name string, data []byte) {
	t.Helper()
	dirs := []string{t.TempDir()}
	if d := os.Getenv("MIPSPI_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("MIPSPI_SCREENSHOT_DIR: %v", err)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("saved %s", p)
	}
}

// jsonFigures is the part of the JSON report the page must agree with.
type jsonFigures struct {
	Entities []struct {
		Level       string  `json:"level"`
		TIN         string  `json:"tin"`
		NPI         string  `json:"npi"`
		Numerator   int     `json:"numerator"`
		Denominator int     `json:"denominator"`
		Rate        float64 `json:"rate"`
		Pending     int     `json:"pending"`
		PEAPoints   float64 `json:"pea_points"`
		PEAMax      float64 `json:"pea_max_points"`
		BestRate    float64 `json:"best_reachable_rate"`
		BestPoints  float64 `json:"best_reachable_points"`
		NextPoints  float64 `json:"pea_points_next_percent"`
		PendPoints  float64 `json:"pea_points_pending"`
	} `json:"entities"`
	Issues []struct {
		Code string `json:"code"`
	} `json:"issues"`
	Trend []struct {
		Date        string   `json:"date"`
		Level       string   `json:"level"`
		TIN         string   `json:"tin"`
		NPI         string   `json:"npi"`
		Numerator   int      `json:"numerator"`
		Denominator int      `json:"denominator"`
		Rate        *float64 `json:"rate"` // null: no patient yet, a gap in the chart
	} `json:"trend"`
}

func TestHTMLInChromium(t *testing.T) {
	chromiumPath(t)
	cases := []struct {
		name string // also the screenshot's name
		r    *measure.Result
	}{
		{"html-report", htmlResult()},        // the hand-built fixture of the golden tests
		{"html-engine", engineResult(t, 11)}, // a practice evaluated by the engine
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkInChromium(t, c.name, c.r) })
	}
}

// checkInChromium opens r's HTML report in Chromium and checks it against r's JSON
// report and r itself.
func checkInChromium(t *testing.T, name string, r *measure.Result) {
	var page, js bytes.Buffer
	if err := HTML(&page, r, testOptions); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, r, testOptions); err != nil {
		t.Fatal(err)
	}
	var want jsonFigures
	if err := json.Unmarshal(js.Bytes(), &want); err != nil {
		t.Fatal(err)
	}
	got, bl, shot, pdf := openInChromium(t, page.Bytes())
	saveArtifact(t, name+".png", shot)
	saveArtifact(t, name+".pdf", pdf)

	t.Run("figures equal the JSON report's", func(t *testing.T) {
		type fig struct {
			Level, TIN, NPI                 string
			Numerator, Denominator, Pending int
			Rate                            float64
			Shown                           string // the cells a person reads
		}
		var wantF, gotF []fig
		for _, e := range want.Entities {
			wantF = append(wantF, fig{e.Level, e.TIN, e.NPI, e.Numerator, e.Denominator, e.Pending, e.Rate,
				fmt.Sprintf("%d / %d = %s, %d pending", e.Numerator, e.Denominator, pct(e.Rate), e.Pending)})
		}
		for _, e := range got.Entities {
			gotF = append(gotF, fig{e.Level, e.TIN, e.NPI, e.Numerator, e.Denominator, e.Pending, e.Rate,
				fmt.Sprintf("%s / %s = %s, %s pending", e.NumeratorText, e.DenominatorText, e.RateText, e.PendingText)})
		}
		if len(wantF) == 0 {
			t.Fatal("the JSON report has no entity: nothing to compare")
		}
		if diff := cmp.Diff(wantF, gotF); diff != "" {
			t.Errorf("entity figures on the page differ from the JSON report (-json +page):\n%s", diff)
		}
	})

	t.Run("headline equals the JSON report's", func(t *testing.T) {
		// One row per entity, the groups first, each figure the JSON's, and the words
		// a person reads made of the same figures; the missing registry block said once.
		type hl struct {
			Level, TIN, NPI                                 string
			Rate, Points, Max, Best, BestPoints, Pend, Next float64
			Shown                                           string
		}
		gain := func(x float64) string {
			if x <= 0 {
				return ""
			}
			return "+" + points(x)
		}
		var wantH, gotH []hl
		for _, groups := range []bool{true, false} {
			for _, e := range want.Entities {
				if (e.Level == string(measure.Group)) != groups {
					continue
				}
				wantH = append(wantH, hl{e.Level, e.TIN, e.NPI, e.Rate, e.PEAPoints, e.PEAMax, e.BestRate, e.BestPoints, e.PendPoints, e.NextPoints,
					fmt.Sprintf("%s (%d/%d) | %s of %s | %s = %s | %s", pct(e.Rate), e.Numerator, e.Denominator,
						points(e.PEAPoints), points(e.PEAMax), pct(e.BestRate), points(e.BestPoints), gain(e.PendPoints))})
			}
		}
		for _, h := range got.Headline {
			gotH = append(gotH, hl{h.Level, h.TIN, h.NPI, h.Rate, h.Points, h.Max, h.Best, h.BestPoints, h.Pend, h.Next,
				strings.Join([]string{h.RateText, h.PointsText, h.BestText, h.PendText}, " | ")})
		}
		if diff := cmp.Diff(wantH, gotH); diff != "" {
			t.Errorf("headline on the page differs from the JSON report (-json +page):\n%s", diff)
		}
		if got.NotEstimated != 1 {
			t.Errorf("%d visible paragraphs say the PI category is not estimated, want 1", got.NotEstimated)
		}
	})

	t.Run("trend chart equals the JSON report's trend", func(t *testing.T) {
		// Every drawn line is an entity of the JSON trend table, point by point, and each
		// point sits at its rate's height between the chart's 0% and 100% lines. A cutoff
		// with no patient yet (rate null, 0 of 0) has no point: the line breaks there.
		type pt struct {
			Level, TIN, NPI, Date  string
			Numerator, Denominator int
			Rate                   float64
		}
		wantT := map[string][]pt{}
		gaps := 0
		for _, row := range want.Trend {
			if row.Rate == nil {
				if row.Denominator != 0 {
					t.Errorf("JSON trend row %+v: no rate with patients", row)
				}
				gaps++
				continue
			}
			k := row.Level + "/" + row.TIN + "/" + row.NPI
			wantT[k] = append(wantT[k], pt{row.Level, row.TIN, row.NPI, row.Date, row.Numerator, row.Denominator, *row.Rate})
		}
		if gaps == 0 && name == "html-report" { // Baker joins in February
			t.Errorf("the test report's trend has no cutoff before an entity's first patient: the gap is not exercised")
		}
		if len(want.Trend) == 0 || len(got.Trend) == 0 {
			t.Fatalf("trend: %d JSON rows, %d lines drawn", len(want.Trend), len(got.Trend))
		}
		for _, l := range got.Trend {
			k := l.Level + "/" + l.TIN + "/" + l.NPI
			var gotP []pt
			for _, p := range l.Points {
				gotP = append(gotP, pt{l.Level, l.TIN, l.NPI, p.Date, p.Numerator, p.Denominator, p.Rate})
				wantY := l.Bottom - p.Rate*(l.Bottom-l.Top)
				if d := p.Y - wantY; d > 1.5 || d < -1.5 {
					t.Errorf("%s %s: point drawn at y=%.1f, want %.1f for %v", k, p.Date, p.Y, wantY, p.Rate)
				}
			}
			if diff := cmp.Diff(wantT[k], gotP); diff != "" {
				t.Errorf("trend line %s (-json +page):\n%s", k, diff)
			}
		}
	})

	t.Run("issue code counts equal the JSON report's", func(t *testing.T) {
		wantC := map[string]int{}
		for _, is := range want.Issues {
			wantC[is.Code]++
		}
		gotC := map[string]int{}
		for _, c := range got.Codes {
			gotC[c.Code] += c.Rows
		}
		if diff := cmp.Diff(wantC, gotC); diff != "" {
			t.Errorf("issue counts (-json +page):\n%s", diff)
		}
		for i := 1; i < len(got.Codes); i++ {
			if got.Codes[i].Rows > got.Codes[i-1].Rows {
				t.Errorf("issue codes not most frequent first: %s (%d) after %s (%d)",
					got.Codes[i].Code, got.Codes[i].Rows, got.Codes[i-1].Code, got.Codes[i-1].Rows)
			}
		}
	})

	t.Run("charts render", func(t *testing.T) {
		ids := map[string]bool{}
		for _, c := range got.Charts {
			if c.Width <= 0 || c.Height <= 0 {
				t.Errorf("chart %q has an empty bounding box %gx%g", c.ID, c.Width, c.Height)
			}
			ids[c.ID] = true
		}
		if !ids["rate-chart"] || !ids["lag-chart"] {
			t.Errorf("charts on the page: %v, want rate-chart and lag-chart", ids)
		}
		individuals := 0
		for _, e := range want.Entities {
			if e.Level == string(measure.Individual) {
				individuals++
			}
		}
		if len(got.Bars) != individuals {
			t.Errorf("rate chart has %d bars, want one per clinician (%d individual entities)", len(got.Bars), individuals)
		}
		j := 0
		for _, e := range want.Entities {
			if e.Level != string(measure.Individual) || j >= len(got.Bars) {
				continue
			}
			b := got.Bars[j]
			j++
			if b.TIN != e.TIN || b.NPI != e.NPI || b.Rate != e.Rate {
				t.Errorf("bar %d is TIN %s NPI %s rate %g, want TIN %s NPI %s rate %g", j, b.TIN, b.NPI, b.Rate, e.TIN, e.NPI, e.Rate)
			}
			if b.Track <= 0 || b.Height <= 0 {
				t.Errorf("bar %d (NPI %s) has an empty track %gx%g", j, b.NPI, b.Track, b.Height)
			}
			// The bar's drawn length is the rate, to within a pixel.
			if d := b.Width - e.Rate*b.Track; d > 1 || d < -1 {
				t.Errorf("bar %d (NPI %s) is %.1f px of a %.1f px track, want rate %g", j, b.NPI, b.Width, b.Track, e.Rate)
			}
		}

		wantLag := append(append([]int{}, r.ReleaseLag...), r.Unreleased)
		var gotLag []int
		tallest, tallestH := 0, 0.0
		for _, b := range got.LagBars {
			gotLag = append(gotLag, b.Count)
			if (b.Count > 0) != (b.Height > 0.5) || b.Width <= 0 {
				t.Errorf("histogram bar %s (count %d) is drawn %gx%g", b.Bucket, b.Count, b.Width, b.Height)
			}
			if b.Count > tallest {
				tallest, tallestH = b.Count, b.Height
			}
		}
		if diff := cmp.Diff(wantLag, gotLag); diff != "" {
			t.Errorf("histogram counts (-result +page):\n%s", diff)
		}
		for _, b := range got.LagBars {
			if want := tallestH * float64(b.Count) / float64(tallest); b.Height-want > 1 || want-b.Height > 1 {
				t.Errorf("histogram bar %s is %.1f px high, want %.1f (count %d of %d)", b.Bucket, b.Height, want, b.Count, tallest)
			}
		}
		// The 4-day line stands between bucket 4 and bucket 5.
		if len(got.LagBars) > 5 {
			if got.Deadline.Height <= 0 || got.Deadline.X <= got.LagBars[4].X+got.LagBars[4].Width || got.Deadline.X >= got.LagBars[5].X {
				t.Errorf("deadline line at x=%.1f (height %.1f), want between bucket 4 (ends %.1f) and bucket 5 (starts %.1f)",
					got.Deadline.X, got.Deadline.Height, got.LagBars[4].X+got.LagBars[4].Width, got.LagBars[5].X)
			}
		} else {
			t.Errorf("histogram has %d bars", len(got.LagBars))
		}
	})

	t.Run("worklists", func(t *testing.T) {
		wl := worklist(r, "")
		type w struct {
			TIN, NPI string
			Rows     int
		}
		var wantW, gotW []w
		for _, c := range wl.Clinicians {
			// The page shows the top rows of a long worklist (htmlsize.go).
			top, err := topItems(c.Items(), c.Notes, htmlItemsPerClinician(len(wl.Clinicians)))
			if err != nil {
				t.Fatal(err)
			}
			wantW = append(wantW, w{c.TIN, c.NPI, len(top)})
		}
		for _, c := range got.Worklists {
			gotW = append(gotW, w{c.TIN, c.NPI, c.Rows})
			if c.Height <= 0 {
				t.Errorf("worklist of NPI %s is not rendered", c.NPI)
			}
		}
		if diff := cmp.Diff(wantW, gotW); diff != "" {
			t.Errorf("worklists (-result +page):\n%s", diff)
		}
	})

	t.Run("self-contained and quiet", func(t *testing.T) {
		if len(got.External) > 0 || got.Scripts > 0 {
			t.Errorf("page references %d scripts and outside resources: %q", got.Scripts, got.External)
		}
		if len(bl.requests) > 0 {
			t.Errorf("page requested more than itself: %q", bl.requests)
		}
		if len(bl.console) > 0 {
			t.Errorf("console is not empty:\n%s", strings.Join(bl.console, "\n"))
		}
		if got.Title == "" {
			t.Error("page has no title")
		}
	})

	t.Run("printable", func(t *testing.T) {
		// Each clinician's worklist starts a page, so the PDF has at least one page
		// for the report and one per worklist.
		pages := bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page>")) +
			bytes.Count(pdf, []byte("/Type /Page/"))
		for i, b := range got.Print.Breaks {
			if b != "page" {
				t.Errorf("worklist %d has break-before %q in print, want page", i, b)
			}
		}
		if len(got.Print.Breaks) != len(got.Worklists) || got.Print.NavShown {
			t.Errorf("print layout: %d page breaks for %d worklists, navigation shown %v", len(got.Print.Breaks), len(got.Worklists), got.Print.NavShown)
		}
		if min := 1 + len(got.Worklists); pages < min {
			t.Errorf("printed report has %d pages, want at least %d (a page break before each of %d worklists)", pages, min, len(got.Worklists))
		}
	})
}

// TestHTMLHostileInChromium opens a report whose names, statuses and identifiers are
// markup and checks in the browser that none of it ran or became markup.
func TestHTMLHostileInChromium(t *testing.T) {
	r := hostileResult()
	var page bytes.Buffer
	if err := HTML(&page, r, testOptions); err != nil {
		t.Fatal(err)
	}
	got, bl, shot, _ := openInChromium(t, page.Bytes())
	saveArtifact(t, "html-hostile.png", shot)
	if got.Pwned || got.Scripts > 0 || len(got.External) > 0 {
		t.Errorf("hostile data became markup: pwned=%v scripts=%d outside=%q", got.Pwned, got.Scripts, got.External)
	}
	if len(bl.requests) > 0 || len(bl.console) > 0 {
		t.Errorf("hostile page requested %q, console:\n%s", bl.requests, strings.Join(bl.console, "\n"))
	}
	var names []string
	for _, e := range r.Entities {
		if e.Level == measure.Individual {
			names = append(names, e.Clinician)
		}
	}
	if diff := cmp.Diff(names, got.Clinician); diff != "" {
		t.Errorf("clinician names as the browser shows them (-data +page):\n%s", diff)
	}
}
