package reports

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

// TestTrendGap: a cutoff before an entity's first patient (0 of 0) has no rate. It is
// a gap in the charts and a blank in the tables (null in the JSON), where a cutoff
// whose patients all failed (0 of 3) is a real 0%. The axes label the month-ends.
func TestTrendGap(t *testing.T) {
	r := testResult()
	// The first entity: no patient by Jan 31, 0 of 3 by Feb 28, 1 of 4 by Mar 31.
	r.Trend.Points[0] = []measure.TrendPoint{{}, {Numerator: 0, Denominator: 3}, {Numerator: 1, Denominator: 4, Rate: 0.25}}
	e := r.Entities[0]

	t.Run("json", func(t *testing.T) {
		var b bytes.Buffer
		if err := JSON(&b, r, testOptions); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Trend []json.RawMessage `json:"trend"`
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, raw := range doc.Trend[:3] {
			var row map[string]any
			if err := json.Unmarshal(raw, &row); err != nil {
				t.Fatal(err)
			}
			var c bytes.Buffer
			if err := json.Compact(&c, raw); err != nil {
				t.Fatal(err)
			}
			got = append(got, c.String()[strings.Index(c.String(), `"numerator"`):])
			if _, ok := row["rate"]; !ok {
				t.Errorf("trend row %s has no rate field", raw)
			}
		}
		want := []string{
			`"numerator":0,"denominator":0,"rate":null}`,
			`"numerator":0,"denominator":3,"rate":0}`,
			`"numerator":1,"denominator":4,"rate":0.25}`,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("JSON trend of %s (-want +got):\n%s", e.Clinician, diff)
		}
		var rows []wire.TrendRow
		for _, raw := range doc.Trend[:3] {
			var row wire.TrendRow
			if err := json.Unmarshal(raw, &row); err != nil {
				t.Fatalf("a trend row does not read back: %v", err)
			}
			rows = append(rows, row)
		}
		if rows[0].Rate != nil || rows[1].Rate == nil || *rows[1].Rate != 0 {
			t.Errorf("trend rows read back as %+v, want no rate, then 0", rows)
		}
	})

	t.Run("csv", func(t *testing.T) {
		var b bytes.Buffer
		if err := CSV(&b, r, "trend", Options{}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(b.String(), "\n")
		want := []string{
			"2025-01-31,individual,123456789," + e.NPI + "," + csvName(e.Clinician) + ",0,0,",
			"2025-02-28,individual,123456789," + e.NPI + "," + csvName(e.Clinician) + ",0,3,0",
			"2025-03-31,individual,123456789," + e.NPI + "," + csvName(e.Clinician) + ",1,4,0.25",
		}
		if diff := cmp.Diff(want, lines[1:4]); diff != "" {
			t.Errorf("CSV trend (-want +got):\n%s", diff)
		}
	})

	t.Run("xlsx", func(t *testing.T) {
		data, f := writeXLSX(t, r)
		if got := rows(t, f, SheetTrend, false)[3][4:7]; !cmp.Equal(got, []string{"", "0.00%", "25.00%"}) {
			t.Errorf("Trend sheet rates of %s: %q, want a blank, 0.00%%, 25.00%%", e.Clinician, got)
		}
		if got := rows(t, f, SheetTrend, false)[2][4:7]; !cmp.Equal(got, []string{"Jan 31", "Feb 28", "Mar 31"}) {
			t.Errorf("Trend sheet cutoffs %q, want the month-ends", got)
		}
		chart := zipPart(t, data, "xl/charts/chart2.xml")
		if !strings.Contains(chart, `<c:dispBlanksAs val="gap"`) && !strings.Contains(chart, `<dispBlanksAs val="gap"`) {
			t.Errorf("the trend chart does not leave blank cells as gaps:\n%.600s", chart)
		}
	})

	t.Run("html", func(t *testing.T) {
		ch := trendChart(r)
		l := ch.Lines[0]
		// x: 56 (Jan 31), 328 (Feb 28), 600 (Mar 31); y: 260 at 0%, 20 at 100%.
		if l.Path != "M328,260 L600,200" {
			t.Errorf("trend line of %s: path %q, want it to start at Feb 28 (0%%) and end at Mar 31 (25%%)", e.Clinician, l.Path)
		}
		var dates []string
		for _, d := range l.Dots {
			dates = append(dates, d.Date+" "+d.Rate)
		}
		if diff := cmp.Diff([]string{"2025-02-28 0", "2025-03-31 0.25"}, dates); diff != "" {
			t.Errorf("points drawn (-want +got):\n%s", diff)
		}
		var ticks []string
		for _, x := range ch.XTicks {
			ticks = append(ticks, x.Label)
		}
		if diff := cmp.Diff([]string{"Jan 31", "Feb 28", "Mar 31"}, ticks); diff != "" {
			t.Errorf("axis labels (-want +got):\n%s", diff)
		}
	})
}

// csvName is a name as a CSV field (quoted when it holds a comma).
func csvName(s string) string {
	if strings.ContainsAny(s, `,"`) {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// zipPart is the text of one part of an archive.
func zipPart(t *testing.T, data []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range z.File {
		if zf.Name == name {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no %s in the workbook", name)
	return ""
}
