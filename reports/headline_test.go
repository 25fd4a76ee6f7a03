package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/measure"
)

func boolAnswer(v bool) category.Answer { return category.Answer{Bool: &v} }
func ratioAnswer(n, d int) category.Answer {
	return category.Answer{Numerator: &n, Denominator: &d}
}

// registryAnswers passes every gate except the ones a test provokes; both public-health
// measures are excluded, so PI_PEA_1 is worth 50 (unverified).
func registryAnswers() *category.Answers {
	return &category.Answers{CEHRTID: "0015C8BCD1234XY", Measures: map[string]category.Answer{
		"PI_PPHI_1": boolAnswer(true), "PI_PPHI_2": boolAnswer(true), "PI_INFBLO_1": boolAnswer(true), "PI_ONCDIR_1": boolAnswer(true),
		"PI_EP_1": ratioAnswer(120, 150), "PI_EP_2": boolAnswer(true), "PI_HIE_5": boolAnswer(true),
		"PI_PHCDRR_1_EX_1": boolAnswer(true), "PI_PHCDRR_3_EX_2": boolAnswer(true),
	}}
}

// fullYear is the fixture over the whole of 2025, so that the period gate passes.
func fullYear() *measure.Result {
	r := testResult()
	r.Config.End = d("2025-12-31")
	return r
}

func TestHeadlineGolden(t *testing.T) {
	o := testOptions
	o.Registry = registryAnswers()
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer, *measure.Result) error
	}{
		{"report-registry.txt", func(b *bytes.Buffer, r *measure.Result) error { return Table(b, r, o) }},
		{"report-registry.json", func(b *bytes.Buffer, r *measure.Result) error { return JSON(b, r, o) }},
		{"entities-registry.csv", func(b *bytes.Buffer, r *measure.Result) error { return CSV(b, r, "entities", o) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.write(&b, fullYear()); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, b.Bytes())
		})
	}
}

// TestJSONPICategory reads the SPEC §5 fields back from the JSON report.
func TestJSONPICategory(t *testing.T) {
	o := testOptions
	o.Registry = registryAnswers()
	var b bytes.Buffer
	if err := JSON(&b, fullYear(), o); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Entities []struct {
			NPI               string  `json:"npi"`
			Level             string  `json:"level"`
			PEAPoints         float64 `json:"pea_points"`
			PEAMaxPoints      float64 `json:"pea_max_points"`
			BestReachableRate float64 `json:"best_reachable_rate"`
			PICategory        *struct {
				EstimatedScore float64                          `json:"estimated_score"`
				WeightedScore  float64                          `json:"weighted_score"`
				ZeroReasons    []struct{ Code, Message string } `json:"zero_reasons"`
				Measures       []struct {
					MeasureID string  `json:"measure_id"`
					Points    float64 `json:"points"`
					MaxPoints float64 `json:"max_points"`
					Basis     string  `json:"basis"`
				} `json:"measures"`
				Unverified []string `json:"unverified"`
			} `json:"pi_category"`
		} `json:"entities"`
	}
	if err := json.Unmarshal(b.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	// Adams: 2/5 → round(0.4 × 50) = 20 of 50 (public health excluded); best (2+2)/5.
	a := rep.Entities[0]
	if a.NPI != npiAdams || a.PEAPoints != 20 || a.PEAMaxPoints != 50 || a.BestReachableRate != 0.8 || a.PICategory == nil {
		t.Fatalf("Adams headline = %+v", a)
	}
	pc := a.PICategory
	// 20 + EP_1 round(0.8 × 10) = 8 + PDMP 10 + HIE_5 30 = 68.
	if pc.EstimatedScore != 68 || pc.WeightedScore != 17 || len(pc.ZeroReasons) != 0 {
		t.Errorf("Adams estimate %+v", pc)
	}
	if pc.Measures[0].MeasureID != "PI_PEA_1" || pc.Measures[0].Basis != "redistributed" || pc.Measures[0].MaxPoints != 50 {
		t.Errorf("PEA row %+v, want redistributed of 50", pc.Measures[0])
	}
	if len(pc.Unverified) == 0 || !strings.Contains(pc.Unverified[0], "PI_PEA_1 worth 50") {
		t.Errorf("unverified %q, want the public-health redistribution flagged", pc.Unverified)
	}
	// Chen: numerator 0 zeroes the category for that entity only.
	var chen = rep.Entities[4]
	if chen.PICategory == nil || chen.PICategory.EstimatedScore != 0 || len(chen.PICategory.ZeroReasons) != 1 || chen.PICategory.ZeroReasons[0].Code != "NUMERATOR_ZERO" {
		t.Errorf("Chen estimate %+v", chen.PICategory)
	}

	// The fixture's own 90-day period is too short for 2025: every entity says so.
	b.Reset()
	if err := JSON(&b, testResult(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"code": "PERIOD_TOO_SHORT"`) {
		t.Errorf("90-day period in 2025: no PERIOD_TOO_SHORT in the JSON report")
	}
	// Without a registry block there is no pi_category, but the PEA headline stays.
	b.Reset()
	if err := JSON(&b, fullYear(), testOptions); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "pi_category") || !strings.Contains(b.String(), `"pea_max_points": 25`) {
		t.Errorf("JSON without registry: pi_category present or pea_max_points missing")
	}
}

// TestEveryFormatLeadsWithTheHeadline: table, HTML and the workbook carry the estimate.
func TestEveryFormatLeadsWithTheHeadline(t *testing.T) {
	o := testOptions
	o.Registry = registryAnswers()
	var tb, hb bytes.Buffer
	if err := Table(&tb, fullYear(), o); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&hb, fullYear(), o); err != nil {
		t.Fatal(err)
	}
	txt, page := tb.String(), hb.String()
	if i, j := strings.Index(txt, "Headline"), strings.Index(txt, "\nTIN 123456789 "); i < 0 || j < 0 || i > j {
		t.Errorf("table: headline at %d, entity table at %d: the headline must come first", i, j)
	}
	for _, want := range []string{"OF 100 (WEIGHTED AT 25%)", "68 (17) *", "0: NUMERATOR_ZERO", "Unverified figures in the estimate"} {
		if !strings.Contains(txt, want) {
			t.Errorf("table lacks %q", want)
		}
		if want = strings.Replace(want, "OF 100 (WEIGHTED AT", "of 100 (weighted at", 1); !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if i, j := strings.Index(page, `id="headline"`), strings.Index(page, `id="entities"`); i < 0 || i > j {
		t.Errorf("HTML: headline section at %d, figures at %d", i, j)
	}
}

// TestXLSXHeadline: the Summary sheet's entity table carries the headline columns and
// the Run sheet says why an estimate is 0 and which figures are unverified.
func TestXLSXHeadline(t *testing.T) {
	o := testOptions
	o.Registry = registryAnswers()
	var b bytes.Buffer
	if err := XLSX(&b, fullYear(), o); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	sum := rows(t, f, SheetSummary, true)
	head := sum[5]
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %v", name, head)
		return -1
	}
	adams, chen := sum[6], sum[10]
	for _, c := range []struct {
		row        []string
		name, want string
	}{
		{adams, "PEA points", "20"}, {adams, "PEA max points", "50"}, {adams, "Best reachable points", "40"},
		{adams, "PI category estimate", "68"}, {adams, "PI weighted score", "17"},
		{chen, "PI category estimate", "0"}, {chen, "PI zero reasons", "NUMERATOR_ZERO"},
	} {
		if got := c.row[col(c.name)]; got != c.want {
			t.Errorf("%s of %s = %q, want %q", c.name, c.row[3], got, c.want)
		}
	}
	run := rows(t, f, SheetRun, false)
	var text []string
	for _, r := range run {
		text = append(text, strings.Join(r, "|"))
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"Why the PI category would score 0", "NUMERATOR_ZERO|No patient counts toward PI_PEA_1", "Unverified figures in the PI category estimate", "PI_PEA_1 worth 50"} {
		if !strings.Contains(all, want) {
			t.Errorf("Run sheet lacks %q", want)
		}
	}
}

// TestHeadlineNotEstimatedOnce: without a registry block, a multi-entity report says
// once, above the headline table, that the PI category is not estimated and what to
// add; no row repeats it, and the groups lead the table.
func TestHeadlineNotEstimatedOnce(t *testing.T) {
	r := fullYear()
	if len(r.Entities) < 4 {
		t.Fatalf("fixture has %d entities, want several", len(r.Entities))
	}
	var tb, hb bytes.Buffer
	if err := Table(&tb, r, testOptions); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&hb, r, testOptions); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"table": tb.String(), "HTML": hb.String()} {
		if n := strings.Count(out, "not estimated"); n != 1 {
			t.Errorf("%s: %q %d times, want once", name, "not estimated", n)
		}
		if n := strings.Count(out, "registry: block"); n != 1 {
			t.Errorf("%s: what to add (the registry: block) said %d times, want once", name, n)
		}
		head := out[strings.Index(out, "Headline"):]
		g1, g2, a := strings.Index(head, "Main Street Clinic (group)"), strings.Index(head, "Annex / Westside (group)"), strings.Index(head, "Adams, Ann")
		if g1 < 0 || g2 < 0 || a < 0 || g1 > a || g2 > a {
			t.Errorf("%s: group rows at %d and %d, first clinician at %d: the groups come first", name, g1, g2, a)
		}
		if strings.Contains(head[:strings.Index(head, "Adams, Ann")], "PI category of 100") {
			t.Errorf("%s: a PI category column without a registry block", name)
		}
	}
	// The workbook says it once too, in the Summary's head, not in the rows.
	var xb bytes.Buffer
	if err := XLSX(&xb, r, testOptions); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, row := range rows(t, f, SheetSummary, true) {
		for _, c := range row {
			n += strings.Count(c, "not estimated")
		}
	}
	if n != 1 {
		t.Errorf("Summary sheet: %q %d times, want once", "not estimated", n)
	}
}

// TestHeadlineZeroReasonsOnce: a practice-wide gate (no CEHRT ID) and one entity's gate
// (Chen's numerator 0) are each explained once under the headline with the count of the
// entities they zero; the rows carry only the codes.
func TestHeadlineZeroReasonsOnce(t *testing.T) {
	o := testOptions
	o.Registry = registryAnswers()
	o.Registry.CEHRTID = ""
	r := fullYear()
	total := len(r.Entities)
	var tb, hb, xb bytes.Buffer
	if err := Table(&tb, r, o); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&hb, r, o); err != nil {
		t.Fatal(err)
	}
	if err := XLSX(&xb, r, o); err != nil {
		t.Fatal(err)
	}
	est := category.Compute(category.PeriodOf(r), r.Entities[0], *o.Registry)
	if len(est.ZeroReasons) != 1 || est.ZeroReasons[0].Code != "CEHRT_ID_MISSING" {
		t.Fatalf("fixture: zero reasons %+v, want CEHRT_ID_MISSING alone", est.ZeroReasons)
	}
	cehrt := est.ZeroReasons[0].Message
	var numZero string
	for _, e := range r.Entities {
		for _, z := range category.Compute(category.PeriodOf(r), e, *o.Registry).ZeroReasons {
			if z.Code == "NUMERATOR_ZERO" {
				numZero = z.Message
			}
		}
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	var run []string
	for _, row := range rows(t, f, SheetRun, false) {
		run = append(run, strings.Join(row, "|"))
	}
	affects := map[string]string{cehrt: fmt.Sprintf("all %d entities", total), numZero: "1 entity: TIN 987654321 NPI 1679576722 Chen, Cy"}
	for name, out := range map[string]string{"table": tb.String(), "HTML": html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(hb.String(), "")), "Run sheet": strings.Join(run, "\n")} {
		for msg, who := range affects {
			if n := strings.Count(out, msg); n != 1 {
				t.Errorf("%s: reason %q %d times, want once", name, msg, n)
			}
			want := msg + " (" + who + ")" // the table and the page
			if name == "Run sheet" {
				want = msg + "|" + who // its own column
			}
			if !strings.Contains(out, want) {
				t.Errorf("%s: reason %q not followed by %q", name, msg, who)
			}
		}
		if name == "Run sheet" {
			continue
		}
		// Each row carries the codes only: one per entity.
		if n := strings.Count(out, "0: CEHRT_ID_MISSING"); n != total {
			t.Errorf("%s: %d rows say 0: CEHRT_ID_MISSING, want %d", name, n, total)
		}
	}
}

// TestZeroReasonsCountBeyondNames: past a handful of entities a reason counts them
// rather than naming them all.
func TestZeroReasonsCountBeyondNames(t *testing.T) {
	var hs []headline
	z := category.Reason{Code: "X", Message: "m"}
	for i := range reasonNameLimit + 2 {
		hs = append(hs, headline{Entity: measure.EntityResult{Entity: measure.Entity{Level: measure.Individual, TIN: "123456789", NPI: fmt.Sprint(i)}},
			Est: &category.Estimate{ZeroReasons: []category.Reason{z}}})
	}
	hs = append(hs, headline{Entity: measure.EntityResult{Entity: measure.Entity{Level: measure.Group, TIN: "123456789"}}, Est: &category.Estimate{}})
	got := zeroReasons(hs, nameWidth)
	if len(got) != 1 || got[0].Count != reasonNameLimit+2 || got[0].Entities != "" {
		t.Fatalf("zeroReasons = %+v", got)
	}
	if a := got[0].Affects(len(hs)); a != fmt.Sprintf("%d entities", reasonNameLimit+2) {
		t.Errorf("Affects = %q", a)
	}
	if a := got[0].Affects(reasonNameLimit + 2); a != fmt.Sprintf("all %d entities", reasonNameLimit+2) {
		t.Errorf("Affects over all = %q", a)
	}
	got = zeroReasons(hs[:2], nameWidth)
	if a := got[0].Affects(3); a != "2 entities: TIN 123456789 NPI 0; TIN 123456789 NPI 1" {
		t.Errorf("Affects of two = %q", a)
	}
}
