package reports

// The trend (issue 17): each entity's period-to-date rate at every month's end up to
// the as-of date (measure.Trend), as a table in the JSON and the CSV, a line chart in
// the HTML page and the workbook. Dates are local: an entity's last point is dated its
// as-of local date (measure.Trend.Date), as its figures are counted.

import (
	"encoding/csv"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

var trendColumns = []string{"date", "level", "tin", "npi", "clinician", "numerator", "denominator", "rate"}

// trendOf is r's trend when it matches r's entities (nil otherwise: a result made by
// hand, or one whose entities were changed after the evaluation).
func trendOf(r *measure.Result) *measure.Trend {
	t := r.Trend
	if t == nil || len(t.Points) != len(r.Entities) {
		return nil
	}
	return t
}

func jsonTrend(r *measure.Result) []wire.TrendRow {
	t := trendOf(r)
	if t == nil {
		return nil
	}
	rows := make([]wire.TrendRow, 0, len(r.Entities)*len(t.Cutoffs))
	for i, e := range r.Entities {
		for k, p := range t.Points[i] {
			rows = append(rows, wire.TrendRow{Date: t.Date(i, k).String(), Level: string(e.Level), TIN: e.TIN, NPI: e.NPI,
				Numerator: p.Numerator, Denominator: p.Denominator, Rate: wire.Dec4(p.Rate)})
		}
	}
	return rows
}

func csvTrend(cw *csv.Writer, r *measure.Result) error {
	if err := cw.Write(trendColumns); err != nil {
		return err
	}
	t := trendOf(r)
	if t == nil {
		return nil
	}
	for i, e := range r.Entities {
		for k, p := range t.Points[i] {
			if err := cw.Write([]string{t.Date(i, k).String(), string(e.Level), sanitize.CSVCell(e.TIN), sanitize.CSVCell(e.NPI), sanitize.CSVCell(e.Clinician),
				itoa(p.Numerator), itoa(p.Denominator), wire.Decimal(p.Rate, 4)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// htmlTrendChart is the trend as an SVG line chart: x the cutoffs, y 0–100%.
type htmlTrendChart struct {
	Width, Height  int
	X0, X1, Y0, Y1 int
	XTicks, YTicks []htmlTick
	Lines          []htmlTrendLine
	Omitted        int // individual entities not drawn (too many lines to read)
}

type htmlTrendLine struct {
	Level, TIN, NPI string
	Group           bool
	Label           string
	Points          string // SVG polyline points
	Dots            []htmlTrendDot
	Color           string
}

type htmlTrendDot struct {
	X, Y      string
	Date      string
	Rate      string // decimal, as in the JSON
	Num, Den  int
	Tooltip   string
	LabelText string
}

// trendMaxLines is the most lines one chart draws: beyond it only the groups are drawn.
const trendMaxLines = 12

var trendColors = []string{"#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b", "#975a16", "#4a5568"}

func trendChart(r *measure.Result) *htmlTrendChart {
	t := trendOf(r)
	if t == nil || len(t.Cutoffs) == 0 || len(r.Entities) == 0 {
		return nil
	}
	drawAll := len(r.Entities) <= trendMaxLines
	ch := &htmlTrendChart{Width: 760, Height: 300, X0: 56, X1: 600, Y0: 20, Y1: 260}
	n := len(t.Cutoffs)
	x := func(k int) float64 {
		if n == 1 {
			return float64(ch.X0+ch.X1) / 2
		}
		return float64(ch.X0) + float64(k)*float64(ch.X1-ch.X0)/float64(n-1)
	}
	y := func(rate float64) float64 { return float64(ch.Y1) - rate*float64(ch.Y1-ch.Y0) }
	for k, c := range t.Cutoffs {
		ch.XTicks = append(ch.XTicks, htmlTick{X: coord(x(k)), Y: itoa(ch.Y1 + 18), Label: c.String()[5:]})
	}
	for p := 0; p <= 100; p += 25 {
		ch.YTicks = append(ch.YTicks, htmlTick{X: itoa(ch.X0 - 6), Y: coord(y(float64(p) / 100)), Label: itoa(p) + "%"})
	}
	for i, e := range r.Entities {
		group := e.Level == measure.Group
		if !drawAll && !group {
			ch.Omitted++
			continue
		}
		label := "TIN " + sanitize.Display(e.TIN, htmlNameWidth) + " group"
		if !group {
			label = sanitize.Display(e.Clinician, htmlNameWidth) + " (TIN " + sanitize.Display(e.TIN, htmlNameWidth) + ")"
		}
		l := htmlTrendLine{Level: string(e.Level), TIN: sanitize.Display(e.TIN, htmlNameWidth), NPI: sanitize.Display(e.NPI, htmlNameWidth),
			Group: group, Label: label, Color: trendColors[len(ch.Lines)%len(trendColors)]}
		var pts []byte
		for k, p := range t.Points[i] {
			if k > 0 {
				pts = append(pts, ' ')
			}
			pts = append(pts, coord(x(k))+","+coord(y(p.Rate))...)
			l.Dots = append(l.Dots, htmlTrendDot{X: coord(x(k)), Y: coord(y(p.Rate)), Date: t.Date(i, k).String(),
				Rate: wire.Decimal(p.Rate, 4), Num: p.Numerator, Den: p.Denominator,
				Tooltip: label + ", as of " + t.Date(i, k).String() + ": " + pct(p.Rate) + " (" + itoa(p.Numerator) + " of " + itoa(p.Denominator) + " patients)"})
		}
		l.Points = string(pts)
		ch.Lines = append(ch.Lines, l)
	}
	return ch
}

// SheetTrend is the workbook's trend sheet.
const SheetTrend = "Trend"

// trendSheet writes the trend as a table (one row per entity, one rate column per
// cutoff; numerator and denominator in the cell comments would be hidden, so they
// follow as a second block) and a line chart of it below.
func (wb *workbook) trendSheet() error {
	r, st, sh := wb.r, wb.st, SheetTrend
	t := trendOf(r)
	if err := wb.setRow(sh, 1, excelize.Cell{StyleID: st.title, Value: "Period-to-date rate at each month's end"}); err != nil {
		return err
	}
	if t == nil || len(t.Cutoffs) == 0 || len(r.Entities) == 0 {
		return wb.setRow(sh, 3, "no trend for this report")
	}
	const head = 3
	fixed := []string{"Level", "TIN", "NPI", "Clinician"}
	hdr := headerCells(fixed)
	for _, c := range t.Cutoffs {
		hdr = append(hdr, st.excelDate(c))
	}
	if err := wb.setRow(sh, head, hdr...); err != nil {
		return err
	}
	if err := wb.f.SetCellStyle(sh, cellName(1, head), cellName(len(fixed), head), st.header); err != nil {
		return err
	}
	row := head
	var chartRows []int
	for i, e := range r.Entities {
		row++
		npi, name := any(e.NPI), any(e.Clinician)
		if e.Level == measure.Group {
			npi, name = nil, "(group)"
		}
		vals := []any{string(e.Level), e.TIN, npi, name}
		for _, p := range t.Points[i] {
			vals = append(vals, excelize.Cell{StyleID: st.percent, Value: p.Rate})
		}
		if err := wb.setRow(sh, row, vals...); err != nil {
			return err
		}
		if len(r.Entities) <= trendMaxLines || e.Level == measure.Group {
			chartRows = append(chartRows, row)
		}
	}
	// Numerator and denominator of each point, below the rates.
	row += 2
	if err := wb.setRow(sh, row, wb.bold("Numerator / denominator")); err != nil {
		return err
	}
	for i, e := range r.Entities {
		row++
		npi, name := any(e.NPI), any(e.Clinician)
		if e.Level == measure.Group {
			npi, name = nil, "(group)"
		}
		vals := []any{string(e.Level), e.TIN, npi, name}
		for _, p := range t.Points[i] {
			vals = append(vals, itoa(p.Numerator)+" / "+itoa(p.Denominator))
		}
		if err := wb.setRow(sh, row, vals...); err != nil {
			return err
		}
	}
	for _, cw := range []struct {
		from, to string
		width    float64
	}{{"A", "A", 11}, {"B", "C", 12}, {"D", "D", 26}} {
		if err := wb.f.SetColWidth(sh, cw.from, cw.to, cw.width); err != nil {
			return err
		}
	}
	lastCol, _ := excelize.ColumnNumberToName(len(fixed) + len(t.Cutoffs))
	firstCol, _ := excelize.ColumnNumberToName(len(fixed) + 1)
	if err := wb.f.SetColWidth(sh, firstCol, lastCol, 11); err != nil {
		return err
	}
	if err := wb.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: head, TopLeftCell: cellName(1, head+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	var series []excelize.ChartSeries
	for _, cr := range chartRows {
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$B$%d", sh, cr),
			Categories: fmt.Sprintf("%s!$%s$%d:$%s$%d", sh, firstCol, head, lastCol, head),
			Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", sh, firstCol, cr, lastCol, cr),
			Line:       excelize.LineOptions{Width: 2},
			Marker:     excelize.ChartMarker{Symbol: "circle", Size: 5},
		})
		// Name the series by clinician (or the TIN for a group): column D is "(group)".
		if name, _ := wb.f.GetCellValue(sh, cellName(4, cr)); name != "(group)" {
			series[len(series)-1].Name = fmt.Sprintf("%s!$D$%d", sh, cr)
		}
	}
	zero, one := 0.0, 1.0
	at := row + 2
	if err := wb.f.AddChart(sh, cellName(1, at), &excelize.Chart{
		Type:      excelize.Line,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: wb.m.id + " period-to-date rate"}}},
		Legend:    excelize.ChartLegend{Position: "right"},
		YAxis:     excelize.ChartAxis{Minimum: &zero, Maximum: &one, MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
		XAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "mmm d"}},
		Dimension: excelize.ChartDimension{Width: 760, Height: 320},
	}); err != nil {
		return fmt.Errorf("trend chart: %w", err)
	}
	if err := printSetup(wb.f, sh); err != nil {
		return err
	}
	return printTitles(wb.f, sh, head, head)
}
