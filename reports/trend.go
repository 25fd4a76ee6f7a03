package reports

// The trend (issue 17): each entity's period-to-date rate at every month's end up to
// the as-of date (measure.Trend), as a table in the JSON and the CSV, a line chart in
// the HTML page and the workbook. Dates are local: an entity's last point is dated its
// as-of local date (measure.Trend.Date), as its figures are counted.
//
// A cutoff before an entity's first patient (0 of 0: a new office, a clinician who
// joined in the year) has no rate: a gap in the charts, a blank rate in the tables (null
// in the JSON), never 0%, which would read as a failing month.

import (
	"encoding/csv"
	"fmt"
	"slices"

	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/calendar"
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

// noRate reports whether p is a cutoff with no patient yet (0 of 0): a gap, not 0%.
func noRate(p measure.TrendPoint) bool { return p.Denominator == 0 }

// monthDay is a cutoff as the charts' axes label it: "Jan 31".
func monthDay(d calendar.Date) string {
	return d.Time().Format("Jan 2")
}

func jsonTrend(r *measure.Result) []wire.TrendRow {
	t := trendOf(r)
	if t == nil {
		return nil
	}
	rows := make([]wire.TrendRow, 0, len(r.Entities)*len(t.Cutoffs))
	for i, e := range r.Entities {
		for k, p := range t.Points[i] {
			var rate *wire.Dec4
			if !noRate(p) {
				rate = new(wire.Dec4(p.Rate))
			}
			rows = append(rows, wire.TrendRow{Date: t.Date(i, k).String(), Level: string(e.Level), TIN: e.TIN, NPI: e.NPI,
				Numerator: p.Numerator, Denominator: p.Denominator, Rate: rate})
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
			rate := ""
			if !noRate(p) {
				rate = wire.Decimal(p.Rate, 4)
			}
			if err := cw.Write([]string{t.Date(i, k).String(), string(e.Level), sanitize.CSVCell(e.TIN), sanitize.CSVCell(e.NPI), sanitize.CSVCell(e.Clinician),
				itoa(p.Numerator), itoa(p.Denominator), rate}); err != nil {
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
	Path            string // SVG path: one segment per run of cutoffs with a rate
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
		ch.XTicks = append(ch.XTicks, htmlTick{X: coord(x(k)), Y: itoa(ch.Y1 + 18), Label: monthDay(c)})
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
		var path []byte
		move := true
		for k, p := range t.Points[i] {
			if noRate(p) {
				move = true // the line breaks here
				continue
			}
			if len(path) > 0 {
				path = append(path, ' ')
			}
			if move {
				path = append(path, 'M')
			} else {
				path = append(path, 'L')
			}
			move = false
			path = append(path, coord(x(k))+","+coord(y(p.Rate))...)
			l.Dots = append(l.Dots, htmlTrendDot{X: coord(x(k)), Y: coord(y(p.Rate)), Date: t.Date(i, k).String(),
				Rate: wire.Decimal(p.Rate, 4), Num: p.Numerator, Den: p.Denominator,
				Tooltip: label + ", as of " + t.Date(i, k).String() + ": " + pct(p.Rate) + " (" + itoa(p.Numerator) + " of " + itoa(p.Denominator) + " patients)"})
		}
		l.Path = string(path)
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
	// Column A (the level) does not print ("(group)" says it): the title is in B.
	if err := wb.setRow(sh, 1, nil, excelize.Cell{StyleID: st.title, Value: "Period-to-date rate at each month's end"}); err != nil {
		return err
	}
	if t == nil || len(t.Cutoffs) == 0 || len(r.Entities) == 0 {
		return wb.setRow(sh, 3, "no trend for this report")
	}
	const head = 3
	fixed := []string{"Level", "TIN", "NPI", "Clinician"}
	hdr := headerCells(fixed)
	// The cutoffs as text ("Jan 31"): the chart's axis shows them as they are, where
	// dates would make a date axis that labels each month by its first day.
	for _, c := range t.Cutoffs {
		hdr = append(hdr, monthDay(c))
	}
	if err := wb.setRow(sh, 2, nil, "Each column is the rate from the period's start to that day (the last: the as-of date). "+
		"A blank rate: no patient seen yet by then (0 / 0), not 0%."); err != nil {
		return err
	}
	if err := wb.setRow(sh, head, hdr...); err != nil {
		return err
	}
	if err := wb.f.SetCellStyle(sh, cellName(1, head), cellName(len(hdr), head), st.header); err != nil {
		return err
	}
	row := head
	var chartRows []int
	for i, e := range r.Entities {
		row++
		vals := trendWho(e)
		for _, p := range t.Points[i] {
			var rate any // blank before the first patient: a gap in the chart
			if !noRate(p) {
				rate = excelize.Cell{StyleID: st.percent, Value: p.Rate}
			}
			vals = append(vals, rate)
		}
		if err := wb.setRow(sh, row, vals...); err != nil {
			return err
		}
		if len(r.Entities) <= trendMaxLines || e.Level == measure.Group {
			chartRows = append(chartRows, row)
		}
	}
	// The chart below the rates, then the numerator and the denominator of each point as
	// numbers.
	const chartWidth, chartHeight = 900, 320
	at := row + 2
	row = at + chartHeight/17 + 1 // default rows are 20 pixels high in Excel, 17 in LibreOffice
	for _, block := range []struct {
		title string
		of    func(measure.TrendPoint) int
	}{
		{"Numerator: patients whose visits so far were all timely", func(p measure.TrendPoint) int { return p.Numerator }},
		{"Denominator: patients seen so far", func(p measure.TrendPoint) int { return p.Denominator }},
	} {
		row += 2
		if err := wb.setRow(sh, row, nil, wb.bold(block.title)); err != nil {
			return err
		}
		for i, e := range r.Entities {
			row++
			vals := trendWho(e)
			for _, p := range t.Points[i] {
				vals = append(vals, block.of(p))
			}
			if err := wb.setRow(sh, row, vals...); err != nil {
				return err
			}
		}
	}
	// Column A (the level) does not print: "(group)" says it.
	widths := append([]float64{10, 10, 11, 19}, slices.Repeat([]float64{8}, len(t.Cutoffs))...)
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := wb.f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	if err := wb.f.SetRowHeight(sh, head, headerHeight(fixed, widths)); err != nil {
		return err
	}
	lastCol, _ := excelize.ColumnNumberToName(len(fixed) + len(t.Cutoffs))
	firstCol, _ := excelize.ColumnNumberToName(len(fixed) + 1)
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
	if err := wb.f.AddChart(sh, cellName(2, at), &excelize.Chart{
		Type:         excelize.Line,
		Series:       series,
		Title:        chartTitle(wb.m.id + " period-to-date rate"),
		Legend:       excelize.ChartLegend{Position: "right", Font: new(chartFont)},
		YAxis:        excelize.ChartAxis{Minimum: &zero, Maximum: &one, MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Font: chartFont},
		XAxis:        excelize.ChartAxis{Font: chartFont},
		Dimension:    excelize.ChartDimension{Width: chartWidth, Height: chartHeight},
		ShowBlanksAs: "gap",
	}); err != nil {
		return fmt.Errorf("trend chart: %w", err)
	}
	if err := printSetup(wb.f, sh, printScale(widths[1:])); err != nil {
		return err
	}
	if err := printArea(wb.f, sh, "B1", cellName(len(widths), row)); err != nil {
		return err
	}
	return printTitles(wb.f, sh, head, head, "")
}

// trendWho are the Trend sheet's first cells of e's rows: level, TIN, NPI and
// clinician ("(group)" for a group).
func trendWho(e measure.EntityResult) []any {
	if e.Level == measure.Group {
		return []any{string(e.Level), e.TIN, nil, "(group)"}
	}
	return []any{string(e.Level), e.TIN, e.NPI, e.Clinician}
}
