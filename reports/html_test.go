package reports

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// htmlResult is the hand-built fixture with a release histogram, which the engine
// fills and hand-built results do not: 29 seen visits, 19 released, 10 not.
func htmlResult() *measure.Result {
	r := testResult()
	r.ReleaseLag = make([]int, measure.ReleaseLagBuckets)
	copy(r.ReleaseLag, []int{3, 4, 5, 2, 1, 1, 0, 2})
	r.ReleaseLag[measure.ReleaseLagBuckets-1] = 1
	r.Unreleased = 10
	return r
}

// Hostile strings: each would run script or break the layout if it became markup.
const (
	hostileScript = `<script>window.__pwned=1</script>`
	hostileImg    = `"><img src=x onerror="window.__pwned=1">`
	hostileTable  = `Zoë & O'Brien </td></tr></table><b>bold</b>`
	hostileSVG    = `</text></svg><svg onload="window.__pwned=1">`
	hostileStatus = `</style><script>window.__pwned=1</script>`
	hostileNPI    = `1" onmouseover="window.__pwned=1`
)

// hostileResult is the fixture with markup in every data string a report shows:
// clinician names, an NPI, MRNs, statuses, finding messages and the source.
func hostileResult() *measure.Result {
	r := htmlResult()
	names := map[string]string{"Adams, Ann": hostileScript, "Baker, Bo": hostileImg, "Chen, Cy": hostileSVG}
	npis := map[string]string{npiChen: hostileNPI}
	for i := range r.Entities {
		e := &r.Entities[i]
		if n, ok := names[e.Clinician]; ok {
			e.Clinician = n
		}
		if n, ok := npis[e.NPI]; ok {
			e.NPI = n
		}
	}
	r.Entities[1].Clinician = hostileTable
	rows := issuesOf(r)
	for i := range rows {
		is := &rows[i]
		if n, ok := names[is.Clinician]; ok {
			is.Clinician = n
		}
		if n, ok := npis[is.NPI]; ok {
			is.NPI = n
		}
		if is.MRN != "" {
			is.MRN = hostileImg
		}
	}
	r = withIssues(r, rows)
	for i := range r.Statuses {
		r.Statuses[i].Status = hostileStatus
	}
	for i := range r.Findings {
		r.Findings[i].Status = hostileStatus
		r.Findings[i].Message += " " + hostileScript
	}
	r.Config.SeenStatuses = []string{"Complete", hostileStatus}
	return r
}

func TestHTMLGolden(t *testing.T) {
	var first, second bytes.Buffer
	if err := HTML(&first, htmlResult(), testOptions); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&second, htmlResult(), testOptions); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("two runs on the same result differ")
	}
	golden(t, "html-report.html", first.Bytes())
}

// htmlTree parses page as a browser would.
func htmlTree(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

// markupProblems lists what must never be in the page: script, event-handler
// attributes, elements that load something, and links that leave the page.
func markupProblems(doc *html.Node) []string {
	var bad []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script", "img", "iframe", "object", "embed", "link", "base", "b", "image", "use", "foreignObject":
			bad = append(bad, "<"+n.Data+">")
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"):
				bad = append(bad, "<"+n.Data+" "+a.Key+">")
			case k == "src", k == "xlink:href", k == "srcset":
				bad = append(bad, "<"+n.Data+" "+a.Key+"="+a.Val+">")
			case k == "href" && !strings.HasPrefix(a.Val, "#"):
				bad = append(bad, "<"+n.Data+" href="+a.Val+">")
			case k == "style" && strings.Contains(strings.ToLower(a.Val), "url("):
				bad = append(bad, "<"+n.Data+" style="+a.Val+">")
			}
		}
		if n.Data == "style" && n.FirstChild != nil && (strings.Contains(n.FirstChild.Data, "url(") || strings.Contains(n.FirstChild.Data, "@import")) {
			bad = append(bad, "<style> loads a resource")
		}
	})
	return bad
}

// texts returns every text node's content, in document order.
func texts(doc *html.Node) string {
	var b strings.Builder
	walk(doc, func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte('\n')
		}
	})
	return b.String()
}

func TestHTMLEscapes(t *testing.T) {
	cases := []struct {
		name string
		r    *measure.Result
		o    Options
	}{
		{"fixture", htmlResult(), testOptions},
		{"hostile data", hostileResult(), Options{Source: hostileScript, Version: hostileImg}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var page bytes.Buffer
			if err := HTML(&page, c.r, c.o); err != nil {
				t.Fatal(err)
			}
			doc := htmlTree(t, page.Bytes())
			if bad := markupProblems(doc); len(bad) > 0 {
				t.Errorf("page has markup it must not have: %q", bad)
			}
			if c.name != "hostile data" {
				return
			}
			// Every hostile string is in the page as text, whole.
			all := texts(doc)
			for _, s := range []string{hostileScript, hostileImg, hostileTable, hostileSVG, hostileStatus, hostileNPI} {
				if !strings.Contains(all, s) {
					t.Errorf("page text lacks %q: it was changed or became markup", s)
				}
			}
		})
	}
}

// TestMarkupProblemsBites checks the checker: unescaped output is caught.
func TestMarkupProblemsBites(t *testing.T) {
	for _, page := range []string{
		`<p>` + hostileScript + `</p>`,
		`<p title="` + hostileImg + `"></p>`,
		`<div data-npi="` + hostileNPI + `"></div>`,
		`<svg><text>` + hostileSVG + `</text></svg>`,
		`<style>body{background:url(http://example.com/x.png)}</style>`,
		`<a href="https://example.com/">x</a>`,
	} {
		if bad := markupProblems(htmlTree(t, []byte(page))); len(bad) == 0 {
			t.Errorf("not caught: %s", page)
		}
	}
}

func TestHTMLControlCharacters(t *testing.T) {
	r := htmlResult()
	r.Entities[0].Clinician = "Adams\x00\x1b[31m\u2028Ann\xff"
	var page bytes.Buffer
	if err := HTML(&page, r, testOptions); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"\x00", "\x1b", "\u2028", "\xff"} {
		if bytes.Contains(page.Bytes(), []byte(c)) {
			t.Errorf("page carries %q from the data", c)
		}
	}
	if !bytes.Contains(page.Bytes(), []byte("Adams\uFFFD\uFFFD[31m\uFFFDAnn\uFFFD")) {
		t.Errorf("control characters not replaced by U+FFFD")
	}
}

func TestHTMLEmptyAndErrors(t *testing.T) {
	if err := HTML(&bytes.Buffer{}, nil, testOptions); err == nil {
		t.Error("nil result: no error")
	}
	empty := &measure.Result{Config: htmlResult().Config}
	var page bytes.Buffer
	if err := HTML(&page, empty, Options{}); err != nil {
		t.Fatal(err)
	}
	all := texts(htmlTree(t, page.Bytes()))
	for _, s := range []string{"No entity has a seen visit", "No clinician has a seen visit", "carries no release timing", "No issues.", "No clinician to list."} {
		if !strings.Contains(all, s) {
			t.Errorf("empty result page lacks %q", s)
		}
	}
	boom := errors.New("disk full")
	if err := HTML(failWriter{boom}, htmlResult(), testOptions); !errors.Is(err, boom) {
		t.Errorf("write error: got %v, want it wrapped", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// engineResult evaluates a deterministic generated practice with the engine (so that
// ReleaseLag is the engine's): two TINs in two zones, ten clinicians with their own
// habits for locking notes, 400 patients with one to three visits in 2025.
func engineResult(t testing.TB, seed uint64) *measure.Result {
	t.Helper()
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	p := measure.Practice{
		Offices: []measure.Office{
			{ID: 1, TIN: tinA, Name: "Main", Zone: zone("America/New_York")},
			{ID: 2, TIN: tinB, Name: "Lakeside", Zone: zone("America/Chicago")},
		},
		APIWindows: []measure.APIWindow{
			{ID: 1, TIN: tinA, Enabled: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
			{ID: 2, TIN: tinB, Enabled: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)},
		},
	}
	names := [][2]string{{"Ann", "Avery"}, {"Bob", "Brown"}, {"Cy", "Cole"}, {"Dee", "Diaz"}, {"Eve", "Eng"},
		{"Fay", "Fox"}, {"Gus", "Gray"}, {"Hal", "Hunt"}, {"Ida", "Ivanova-Featherstonehaugh"}, {"Jo", "Jones"}}
	for i, n := range names {
		stem := fmt.Sprintf("1%08d", 2000+i)
		p.Clinicians = append(p.Clinicians, measure.Clinician{ID: int64(10 + i), NPI: stem + string(measure.NPICheckDigit(stem)),
			FirstName: n[0], LastName: n[1], Eligible: true})
	}
	rng := rand.New(rand.NewPCG(seed, seed*7919))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []measure.PatientRecord
	appt := int64(1000)
	for id := int64(1); id <= 400; id++ {
		rec := measure.PatientRecord{Patient: measure.Patient{ID: id, MRN: fmt.Sprintf("M%04d", id), FirstName: "Pat", LastName: "Doe",
			Email: "pat@example.com"}}
		if rng.IntN(10) > 0 {
			rec.FirstInvitation = &measure.Invitation{ID: id, SentAt: time.Date(2023, 5, 1, 12, 0, 0, 0, time.UTC), Recipient: "patient", Channel: "email"}
		}
		clin := rng.IntN(len(names))
		office := int64(1 + clin%2)
		for v := rng.IntN(3); v >= 0; v-- {
			at := start.Add(time.Duration(rng.IntN(300*24)) * time.Hour).Add(14 * time.Hour)
			n := measure.Notes{}
			switch k := rng.IntN(20); {
			case k == 0: // no note
			case k == 1: // signed, never locked
				n = measure.Notes{Count: 1, FirstSigned: at.Add(time.Hour)}
			default: // locked after a lag that grows with the clinician's index
				lag := time.Duration(rng.IntN(2+clin*2)*24+2) * time.Hour
				n = measure.Notes{Count: 1, FirstSigned: at.Add(lag), FirstLocked: at.Add(lag)}
			}
			appt++
			rec.Visits = append(rec.Visits, measure.Visit{ID: appt, OfficeID: office, ClinicianID: int64(10 + clin),
				ScheduledAt: at, Status: "Complete", Notes: n})
		}
		recs = append(recs, rec)
	}
	cfg := measure.Config{Start: calendar.NewDate(2025, time.January, 1), End: calendar.NewDate(2025, time.December, 31),
		AsOf: time.Date(2025, 10, 29, 15, 0, 0, 0, time.UTC), FederalHolidays: true}
	r, err := measure.Evaluate(cfg, p, recs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestHTMLEngineHistogram checks the histogram shows the engine's counts.
func TestHTMLEngineHistogram(t *testing.T) {
	r := engineResult(t, 11)
	if len(r.ReleaseLag) != measure.ReleaseLagBuckets || r.Unreleased == 0 {
		t.Fatalf("engine result has no usable histogram: %v, %d unreleased", r.ReleaseLag, r.Unreleased)
	}
	var page bytes.Buffer
	if err := HTML(&page, r, testOptions); err != nil {
		t.Fatal(err)
	}
	var got []string
	walk(htmlTree(t, page.Bytes()), func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "rect" {
			var bucket, count string
			for _, a := range n.Attr {
				switch a.Key {
				case "data-bucket":
					bucket = a.Val
				case "data-count":
					count = a.Val
				}
			}
			if bucket != "" {
				got = append(got, bucket+"="+count)
			}
		}
	})
	var want []string
	for i, c := range r.ReleaseLag {
		b := strconv.Itoa(i)
		if i == len(r.ReleaseLag)-1 {
			b += "+"
		}
		want = append(want, b+"="+strconv.Itoa(c))
	}
	want = append(want, "none="+strconv.Itoa(r.Unreleased))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("histogram bars (-result +page):\n%s", diff)
	}
}
