package reports

// The Excel workbook (issue 4): Summary (the entity table as an Excel table, rates as
// percentages, points, a bar chart of each clinician's rate), Issues (every R10 row,
// filterable), Patients (the drill-down), Worklist (the clinicians' notes) and Run (what
// a reviewer needs months later to audit the figures). Big sheets go through excelize's
// StreamWriter; a sheet that would pass Excel's 1,048,576-row limit continues on
// "Issues (2)" and so on, and the Run sheet says so. Dates are real Excel dates, numbers
// real numbers; strings are stored as text, never as formulas, so no CSV-style injection
// applies here.

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// sheetRowLimit is Excel's row limit per worksheet. A variable so tests can exercise the
// continuation sheets without writing a million rows.
var sheetRowLimit = 1048576

// Sheet names of the workbook (continuations of the big sheets add " (2)", " (3)"…).
const (
	SheetSummary  = "Summary"
	SheetIssues   = "Issues"
	SheetPatients = "Patients"
	SheetWorklist = "Worklist"
	SheetRun      = "Run"
	// SheetClinicians is the per-clinician what-if block of the worklist: on its own
	// sheet so that the Worklist freezes only its header row (issue 17).
	SheetClinicians = "Clinicians"
	// SheetCauses: per entity, the patients each cause keeps out of the numerator.
	SheetCauses = "Causes"
)

var (
	summaryColumns = []string{"Level", "TIN", "NPI", "Clinician", "Denominator", "Numerator", "Rate",
		"Pending", "Best reachable rate", "Numerator if notes locked", "Seen visits",
		"Timely visits", "Pending visits",
		// the headline (SPEC §5): PEA points are the whole points CMS awards; the PI
		// columns are empty without a registry block
		"PEA points", "PEA max points", "Best reachable points", "PI category estimate",
		"PI weighted score", "PI zero reasons",
		"Practice"} // offices.name of the TIN (issue 17)
	issueHeader = []string{"Code", "Severity", "TIN", "NPI", "Clinician", "Patient ID", "MRN",
		"Appointment ID", "Visit date", "Deadline", "Fix by", "Event date", "Business days", "Fixable",
		"Counts if locked", "Has email", "Recipient", "Channel", "Detail"}
	patientHeader = []string{"Level", "TIN", "NPI", "Clinician", "Patient ID", "MRN", "Last name",
		"First name", "Birth date", "In numerator", "Pending", "Reason", "Seen visits",
		"Timely visits", "First visit", "Last visit"}
	worklistHeader = []string{"TIN", "NPI", "Clinician", "Lock by", "Business days left", "Days late",
		"Visit date", "Patient ID", "MRN", "Appointment ID", "Code", "Problem", "Fixable",
		"Can still count", "Why not", "Also needs"}
	worklistSummaryHeader = []string{"TIN", "NPI", "Clinician", "Notes to fix", "Fixable notes",
		"Rate now", "Rate if locked", "What if"}
)

type styles struct {
	bold, date, datetime, percent, title int
	wrap                                 int // wrapped, top-aligned
	note                                 int // bold, wrapped: the note above a long list
	label                                int // bold, top-aligned beside a wrapped cell
	header                               int // wrapped, so a narrow column prints its whole name
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	dateFmt, dtFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	s.bold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}})
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	s.date = mk(&excelize.Style{CustomNumFmt: &dateFmt})
	s.datetime = mk(&excelize.Style{CustomNumFmt: &dtFmt})
	s.percent = mk(&excelize.Style{NumFmt: 10}) // 0.00%
	s.note = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	s.label = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
	s.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	s.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	return s, err
}

// excelDate is d as an Excel serial day number (1900 system) in a date-formatted cell,
// or as YYYY-MM-DD text for dates Excel cannot show (before March 1900, after 9999).
func (s styles) excelDate(d calendar.Date) any {
	if y := d.Year(); y < 1901 || y > 9999 {
		return d.String()
	}
	return excelize.Cell{StyleID: s.date, Value: int(d) + 25569} // 25569 = serial of 1970-01-01
}

// optExcelDate is excelDate when ok, else an empty cell.
func (s styles) optExcelDate(d calendar.Date, ok bool) any {
	if !ok {
		return nil
	}
	return s.excelDate(d)
}

// excelInstant is t (UTC) as an Excel date-time serial in a date-time cell.
func (s styles) excelInstant(t time.Time) any {
	t = t.UTC()
	if y := t.Year(); y < 1901 || y > 9999 {
		return instant(t)
	}
	days := float64(t.Unix())/86400 + 25569
	return excelize.Cell{StyleID: s.datetime, Value: days}
}

// sheetNames returns base, base (2), … enough for rows data rows, each sheet having
// above rows above its header row.
func sheetNames(base string, rows, above int) []string {
	names := []string{base}
	capacity := max(sheetRowLimit-above-1, 1)
	for rows > capacity {
		rows -= capacity
		names = append(names, fmt.Sprintf("%s (%d)", base, len(names)+1))
	}
	return names
}

// adjacentColumns is the range ("C:D") of the columns named first and second of
// header, when second follows first; "" otherwise.
func adjacentColumns(header []string, first, second string) string {
	i := slices.Index(header, first)
	if i < 0 || i+1 >= len(header) || header[i+1] != second {
		return ""
	}
	a, _ := excelize.ColumnNumberToName(i + 1)
	b, _ := excelize.ColumnNumberToName(i + 2)
	return a + ":" + b
}

// listNoteRows is the number of rows above the header row of each sheet of a long list
// (Issues, Patients, Worklist): its note, the sheet's print area (xlsxprint.go).
const listNoteRows = 1

// listNote is the note above a long list: how many rows it holds, where, and how to
// print it, since it is not printed with the workbook.
func listNote(what string, rows int, sheets []string) string {
	where := ""
	if len(sheets) > 1 {
		where = " on sheets " + strings.Join(sheets, ", ")
	}
	return fmt.Sprintf("%s: %d rows%s. Not printed with the workbook: to print, filter the table (to one clinician, say), "+
		"select its rows and print the selection (Excel: Print Selection; LibreOffice: Selected cells).", what, rows, where)
}

// tableName is the Excel table name for a streamed sheet: "Table_Issues",
// "Table_Issues_2" (letters, digits and underscores only).
func tableName(sheet string) string {
	return "Table_" + strings.NewReplacer(" (", "_", ")", "", " ", "_").Replace(sheet)
}

// XLSX writes the workbook.
func XLSX(w io.Writer, r *measure.Result, o Options) (err error) {
	if r == nil {
		return errors.New("write workbook: no result")
	}
	f := excelize.NewFile()
	defer func() {
		// Close removes the StreamWriter's temporary files (they hold patient rows).
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("write workbook: %w", cerr)
		}
	}()
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("write workbook: styles: %w", err)
	}
	m := newModel(r, o)
	wl, err := m.worklist()
	if err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	wb := &workbook{f: f, st: st, m: m, r: r, o: o, wl: wl}
	wb.issueSheets = sheetNames(SheetIssues, r.IssueCount(), listNoteRows)
	wb.patientSheets = sheetNames(SheetPatients, max(r.OutcomeCount(), 1), listNoteRows)
	items := 0
	for _, c := range wl.Clinicians {
		items += c.Notes
	}
	wb.worklistSheets = sheetNames(SheetWorklist, items, listNoteRows)

	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	var order []string
	order = append(order, SheetCauses, SheetTrend)
	order = append(order, wb.issueSheets...)
	order = append(order, wb.patientSheets...)
	order = append(order, SheetClinicians)
	order = append(order, wb.worklistSheets...)
	if o.Evidence != nil {
		order = append(order, SheetEvidence)
	}
	order = append(order, SheetRun)
	for _, name := range order {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("write workbook: add sheet %q: %w", name, err)
		}
	}
	for _, step := range []struct {
		what string
		fn   func() error
	}{
		{"Summary sheet", wb.summary},
		{"Causes sheet", wb.causes},
		{"Trend sheet", wb.trendSheet},
		{"Issues sheet", wb.issues},
		{"Patients sheet", wb.patients},
		{"Clinicians sheet", wb.clinicians},
		{"Worklist sheet", wb.worklist},
		{"API evidence sheet", wb.evidence},
		{"Run sheet", wb.run},
		{"print settings", wb.printSettings},
		{"document properties", wb.props},
	} {
		if err := step.fn(); err != nil {
			return fmt.Errorf("write workbook: %s: %w", step.what, err)
		}
	}
	f.SetActiveSheet(0)
	if err := wb.writeArchive(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// writeArchive writes the zip archive of f to w as it is compressed, through excelize's
// ZipWriter hook: excelize's own Write assembles the whole compressed archive in a
// bytes.Buffer first (74 MB of workbook held at 1M appointments). The big sheets' parts
// are mipspi's own (xlsxrows.go): excelize hands over the frame of each, mipspi writes
// the whole part, rows included, after excelize's other parts.
func (wb *workbook) writeArchive(w io.Writer) error {
	z := &partZip{wb: wb, zw: fastZip(w)}
	wb.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return z })
	if wb.o.Progress != nil {
		wb.o.Progress(0, wb.bigRows)
	}
	if _, err := wb.f.WriteToBuffer(); err != nil { // writes through z to w; the returned buffer stays empty
		return err
	}
	if wb.o.Progress != nil {
		wb.o.Progress(wb.bigRows, wb.bigRows)
	}
	return nil
}

type workbook struct {
	f                                          *excelize.File
	st                                         styles
	m                                          *model
	r                                          *measure.Result // m.r
	o                                          Options         // m.o
	wl                                         measure.Worklist
	issueSheets, patientSheets, worklistSheets []string
	tables                                     []*bigTable // the big sheets (xlsxrows.go)
	bigRows                                    int         // data rows of the big sheets, for progress
	summaryRows                                int         // last row of the Summary's entity table
	chartAt, chartRows                         int         // first row of the Summary chart and the rows it covers (0: none)
	chartHeight, aboveChart                    float64     // the Summary chart's height and the rows' above it (points)
	runRows                                    int         // rows of the Run sheet
	causesRows                                 int         // rows of the Causes sheet
}

// setCell writes one value (an excelize.Cell carries its style) at col, row.
func (wb *workbook) setCell(sheet string, col, row int, v any) error {
	ref := cellName(col, row)
	style := 0
	if c, ok := v.(excelize.Cell); ok {
		v, style = c.Value, c.StyleID
	}
	if err := wb.f.SetCellValue(sheet, ref, v); err != nil {
		return fmt.Errorf("cell %s: %w", ref, err)
	}
	if style != 0 {
		return wb.f.SetCellStyle(sheet, ref, ref, style)
	}
	return nil
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row) // col, row ≥ 1 by construction
	return n
}

// setRow writes values from column A of row in a normal (non-streamed) sheet; an
// excelize.Cell value carries its style.
func (wb *workbook) setRow(sheet string, row int, values ...any) error {
	for i, v := range values {
		if v == nil {
			continue
		}
		ref := cellName(i+1, row)
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			v, style = c.Value, c.StyleID
		}
		if err := wb.f.SetCellValue(sheet, ref, v); err != nil {
			return fmt.Errorf("cell %s: %w", ref, err)
		}
		if style != 0 {
			if err := wb.f.SetCellStyle(sheet, ref, ref, style); err != nil {
				return fmt.Errorf("cell %s: %w", ref, err)
			}
		}
	}
	return nil
}

func (wb *workbook) bold(s string) excelize.Cell { return excelize.Cell{StyleID: wb.st.bold, Value: s} }

func headerCells(names []string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

// summary writes the entity table (R2 entities, as an Excel table) and the chart of each
// clinician's rate.
func (wb *workbook) summary() error {
	r, st, sh := wb.r, wb.st, SheetSummary
	m := wb.m
	c := m.cfg
	if err := wb.setRow(sh, 1, excelize.Cell{StyleID: st.title, Value: m.id + " — Provide Patients Electronic Access to Their Health Information"}); err != nil {
		return err
	}
	if err := wb.setRow(sh, 2, wb.bold("Period"), st.excelDate(c.Start), st.excelDate(c.End)); err != nil {
		return err
	}
	if err := wb.setRow(sh, 3, wb.bold("As of"), m.asOf); err != nil {
		return err
	}
	if err := wb.setRow(sh, 4, wb.bold("Policy"), string(c.Policy)); err != nil {
		return err
	}
	pi := strings.TrimPrefix(notEstimated, "PI category: ") + " " + notEstimatedFix // said once, not per row
	if wb.o.Registry != nil {
		pi = "estimated per entity in the last columns; why an estimate is 0 and which figures rest on unverified facts: Run sheet"
	}
	if err := wb.setRow(sh, 5, excelize.Cell{StyleID: st.label, Value: "PI category"}, pi); err != nil {
		return err
	}
	const head = 6
	if err := wb.setRow(sh, head, headerCells(summaryColumns)...); err != nil {
		return err
	}
	if err := wb.f.SetCellStyle(sh, cellName(1, head), cellName(len(summaryColumns), head), st.header); err != nil {
		return err
	}
	row := head
	hs := m.heads
	for i, e := range r.Entities {
		h := hs[i]
		var score, weighted, reasons any
		if h.Est != nil {
			score, weighted = h.Est.Score, h.Est.Weighted
			reasons = strings.Join(reasonCodes(h.Est.ZeroReasons), ", ")
		}
		row++
		best := e.BestReachableRate()
		npi, name := any(e.NPI), any(e.Clinician)
		if e.Level == measure.Group {
			npi, name = nil, "(group)"
		}
		if err := wb.setRow(sh, row, string(e.Level), e.TIN, npi, name, e.Denominator, e.Numerator,
			excelize.Cell{StyleID: st.percent, Value: e.Rate}, e.Pending,
			excelize.Cell{StyleID: st.percent, Value: best},
			e.NumeratorIfNotesLocked, e.SeenVisits, e.TimelyVisits, e.PendingVisits,
			h.PEA.Points, h.PEA.MaxPoints, h.PEA.BestReachablePoints, score, weighted, reasons,
			excelize.Cell{StyleID: st.wrap, Value: e.PracticeName}); err != nil {
			return err
		}
		// A long practice name (several joined by " / ") wraps rather than be cut at the
		// page's edge.
		if err := wb.wrapHeight(sh, row, e.PracticeName, summaryWidth["Practice"]); err != nil {
			return err
		}
	}
	if row == head { // an Excel table needs a data row
		row++
		if err := wb.setRow(sh, row, "no entity has a seen visit in the period"); err != nil {
			return err
		}
	}
	if err := wb.f.AddTable(sh, &excelize.Table{
		Range: cellName(1, head) + ":" + cellName(len(summaryColumns), row), Name: "Entities",
		StyleName: "TableStyleMedium2",
	}); err != nil {
		return fmt.Errorf("entity table: %w", err)
	}
	widths := summaryWidths()
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := wb.f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	if err := wb.f.SetRowHeight(sh, head, headerHeight(summaryColumns, widths)); err != nil {
		return err
	}
	// The PI category sentence wraps across the first page's columns.
	last := cellName(summarySplit()-1, 5)
	if err := wb.f.MergeCell(sh, "B5", last); err != nil {
		return err
	}
	if err := wb.f.SetCellStyle(sh, "B5", last, st.wrap); err != nil {
		return err
	}
	px := 0.0
	for _, w := range widths[1 : summarySplit()-1] {
		px += colPx(w)
	}
	if err := wb.f.SetRowHeight(sh, 5, float64(wrappedLines(pi, int(px/8))*lineHeight)); err != nil {
		return err
	}
	if err := wb.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: head, TopLeftCell: cellName(1, head+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	wb.summaryRows = row
	row, err := wb.summaryLists(row + 2)
	if err != nil {
		return err
	}
	return wb.chart(row + 1)
}

// summaryWidth is the width of each Summary column by name (summaryWidthDefault for
// others): the identifying columns and the patient figures print on one page, the
// points, PI estimate and practice on a second with the identifying columns repeated.
var summaryWidth = map[string]float64{
	// TIN and NPI above the table also hold the period's dates (B2, C2).
	"Level": 10, "TIN": 11, "NPI": 11, "Clinician": 19, "Denominator": 12, "Numerator": 10.5, "Rate": 8,
	"Pending": 8.5, "Best reachable rate": 10.5, "Numerator if notes locked": 10.5, "Seen visits": 7,
	"Timely visits": 7.5, "Pending visits": 8.5,
	"PEA points": 8, "PEA max points": 8, "Best reachable points": 10.5, "PI category estimate": 9.5,
	"PI weighted score": 9.5, "PI zero reasons": 18, "Practice": 28,
}

const summaryWidthDefault = 9.5

func summaryWidths() []float64 {
	ws := make([]float64, len(summaryColumns))
	for i, c := range summaryColumns {
		ws[i] = summaryWidthDefault
		if w, ok := summaryWidth[c]; ok {
			ws[i] = w
		}
	}
	return ws
}

// summaryRepeat are the Summary columns printed at the left of its second page.
const summaryRepeat = "B:D"

// summarySplit is the Summary column (1-based) that starts its second printed page:
// the PEA points (the columns before it hold who and the patient figures).
func summarySplit() int {
	for i, c := range summaryColumns {
		if c == "PEA points" {
			return i + 1
		}
	}
	return len(summaryColumns) + 1
}

// sheetList names sheets: "sheet Issues", "sheets Issues, Issues (2)".
func sheetList(sheets []string) string {
	if len(sheets) == 1 {
		return "sheet " + sheets[0]
	}
	return "sheets " + strings.Join(sheets, ", ")
}

// summaryLists says, below the entity table from row at, where the long lists are:
// they are not printed with the workbook (xlsxprint.go). It returns the last row used.
func (wb *workbook) summaryLists(at int) (int, error) {
	sh := SheetSummary
	items := 0
	for _, c := range wb.wl.Clinicians {
		items += c.Notes
	}
	lines := []any{
		wb.bold("Long lists, each on its own sheet and not printed with the workbook (each sheet says how to print it):"),
		fmt.Sprintf("Worklist: %d notes to lock (%s); Issues: %d rows (%s); Patients: %d rows (%s).",
			items, sheetList(wb.worklistSheets), wb.r.IssueCount(), sheetList(wb.issueSheets), wb.r.OutcomeCount(), sheetList(wb.patientSheets)),
	}
	for i, l := range lines {
		if err := wb.setRow(sh, at+i, l); err != nil {
			return 0, err
		}
	}
	return at + len(lines) - 1, nil
}

// chartDataCol is the Summary column of the chart's data (label, then rate): right of
// the entity table and outside the printed area, so it neither prints nor crowds it.
var chartDataCol = len(summaryColumns) + 3

// chart writes the chart data (one row per clinician: label, rate) beside the entity
// table and a horizontal bar chart of it below the table from row at, in view of a
// laptop screen and inside the printed area.
func (wb *workbook) chart(at int) error {
	r, sh := wb.r, SheetSummary
	tins := map[string]bool{}
	for _, e := range r.Entities {
		tins[e.TIN] = true
	}
	var labels []string
	var rates []float64
	for _, e := range r.Entities {
		if e.Level != measure.Individual {
			continue
		}
		label := e.Clinician
		if label == "" {
			label = "NPI " + e.NPI
		}
		if len(tins) > 1 {
			label += " (TIN " + e.TIN + ")"
		}
		labels = append(labels, label)
		rates = append(rates, e.Rate)
	}
	if len(labels) == 0 {
		return nil
	}
	lc, vc := chartDataCol, chartDataCol+1
	labelCol, _ := excelize.ColumnNumberToName(lc)
	valueCol, _ := excelize.ColumnNumberToName(vc)
	set := func(row int, label, value any) error {
		if err := wb.setCell(sh, lc, row, label); err != nil {
			return err
		}
		return wb.setCell(sh, vc, row, value)
	}
	wb.chartAt = at
	// The rows above the chart, their heights as set or 15 points (the title's 19).
	for row := 1; row < at; row++ {
		h, err := wb.f.GetRowHeight(SheetSummary, row)
		if err != nil {
			return err
		}
		if row == 1 {
			h = max(h, 19)
		}
		wb.aboveChart += h
	}
	const dataHead = 1
	if err := set(dataHead, wb.bold("Chart data: clinician"), wb.bold("Rate")); err != nil {
		return err
	}
	for i := range labels {
		if err := set(dataHead+1+i, labels[i], excelize.Cell{StyleID: wb.st.percent, Value: rates[i]}); err != nil {
			return err
		}
	}
	if err := wb.f.SetColWidth(sh, labelCol, labelCol, 36); err != nil {
		return err
	}
	first, last := dataHead+1, dataHead+len(labels)
	zero, one := 0.0, 1.0
	height := uint(min(120+22*len(labels), 4000))
	wb.chartHeight = float64(height) * 0.75 // points
	// Default rows are 20 pixels high in Excel, 17 in LibreOffice: the print area
	// takes the rows the chart covers in either.
	wb.chartRows = int(height)/17 + 1
	return wb.f.AddChart(sh, cellName(1, at), &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			Name:       "Rate",
			Categories: fmt.Sprintf("%s!$%s$%d:$%s$%d", sh, labelCol, first, labelCol, last),
			Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", sh, valueCol, first, valueCol, last),
			DataLabel:  excelize.ChartDataLabel{Font: chartFont},
		}},
		Title:     chartTitle(wb.m.id + " rate by clinician"),
		Legend:    excelize.ChartLegend{Position: "none"},
		XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: chartFont},
		YAxis:     excelize.ChartAxis{Minimum: &zero, Maximum: &one, MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Font: chartFont},
		Dimension: excelize.ChartDimension{Width: 720, Height: height},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.0%"}},
	})
}

// wrapHeight makes row of sheet tall enough for text wrapped in a column of width w
// (characters; xlsxprint.go), when it takes more than one line.
func (wb *workbook) wrapHeight(sheet string, row int, text string, w float64) error {
	lines := wrappedLines(text, int(colPx(w)/9))
	if lines < 2 {
		return nil
	}
	return wb.f.SetRowHeight(sheet, row, min(float64(lines*lineHeight+2), 409)) // 409: Excel's tallest row
}

func sum(ws []float64) float64 {
	t := 0.0
	for _, w := range ws {
		t += w
	}
	return t
}

// chartFont is the charts' text: dark and 11 points, so that it prints at 8 points or
// more at the smallest print scale (xlsxprint.go); excelize's default is a pale grey.
var chartFont = excelize.Font{Size: 11, Color: "1F1F1F"}

// chartTitle is a chart's title, dark like its text.
func chartTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Bold: true, Size: 13, Color: "1F1F1F"}}}}
}

// issues writes every itemised row (R10).
func (wb *workbook) issues() error {
	st, r := wb.st, wb.r
	return wb.writeBig(&bigTable{sheets: wb.issueSheets, header: issueHeader, headerStyle: st.header,
		widths: []float64{24, 9, 12, 12, 24, 11, 14, 14, 12, 12, 12, 12, 10, 9, 10, 10, 14, 10, 60},
		count:  r.IssueCount(), note: listNote("Issues", r.IssueCount(), wb.issueSheets),
		rows: func(yield func([]any) bool) error {
			row := make([]any, len(issueHeader))
			for is, err := range r.AllIssues() {
				if err != nil {
					return err
				}
				var appt, visit, deadline, fixBy, days, hasEmail any
				if aboutVisit(is) {
					appt, visit, deadline, days = is.AppointmentID, st.excelDate(is.VisitDate), st.excelDate(is.Deadline), is.BusinessDays
					fixBy = st.excelDate(lockBy(is)) // R9
				}
				if is.Code == measure.NotInvited {
					hasEmail = yesNo(is.HasEmail)
				}
				var patient any
				if is.PatientID != 0 {
					patient = is.PatientID
				}
				row = append(row[:0], string(is.Code), string(is.Severity), is.TIN, is.NPI, is.Clinician, patient, is.MRN,
					appt, visit, deadline, fixBy, st.optExcelDate(is.EventDate, is.HasEvent), days, yesNo(is.Fixable),
					yesNo(is.CountsIfLocked), hasEmail, is.Recipient, is.Channel, is.Detail())
				if !yield(row) {
					return nil
				}
			}
			return nil
		},
	})
}

// patients writes the drill-down: each patient's standing in each entity.
func (wb *workbook) patients() error {
	st, r := wb.st, wb.r
	t := &bigTable{sheets: wb.patientSheets, header: patientHeader, headerStyle: st.header,
		widths: []float64{11, 12, 12, 24, 11, 14, 18, 18, 12, 12, 9, 22, 11, 12, 12, 12},
		count:  r.OutcomeCount(), note: listNote("Patients in each entity", r.OutcomeCount(), wb.patientSheets)}
	if r.OutcomeCount() == 0 {
		t.note = "The patient drill-down was not kept for this run."
	}
	t.rows = func(yield func([]any) bool) error {
		row := make([]any, len(patientHeader))
		for p, err := range outcomes(r) {
			if err != nil {
				return err
			}
			e := p.e
			var npi any
			if e.NPI != "" {
				npi = e.NPI
			}
			row = append(row[:0], string(e.Level), e.TIN, npi, e.Clinician, p.PatientID, p.MRN, p.LastName, p.FirstName,
				st.optExcelDate(p.BirthDate, p.HasBirthDate), yesNo(p.InNumerator), yesNo(p.Pending), string(p.Reason),
				p.SeenVisits, p.TimelyVisits, st.excelDate(p.FirstVisit), st.excelDate(p.LastVisit))
			if !yield(row) {
				return nil
			}
		}
		return nil
	}
	return wb.writeBig(t)
}

// clinicianHead is the header row of the Clinicians sheet (a title above it).
const clinicianHead = 2

var (
	clinicianWidths = []float64{10, 11, 19, 8, 9, 8, 8, 55}
	runWidths       = []float64{40, 12, 12, 12, 16, 9, 35}
)

// clinicians writes the worklist's per-clinician what-if block: notes to fix, fixable
// notes, the rate now and if they were locked.
func (wb *workbook) clinicians() error {
	st, wl, sh := wb.st, wb.wl, SheetClinicians
	title := "Notes to lock, as of " + wb.m.asOf + " (lock by = the 4th business day after the visit, and no later than the end of the period)"
	if err := wb.setRow(sh, 1, excelize.Cell{StyleID: st.note, Value: title}); err != nil {
		return err
	}
	if err := wb.f.MergeCell(sh, "A1", cellName(len(clinicianWidths), 1)); err != nil {
		return err
	}
	if err := wb.wrapHeight(sh, 1, title, sum(clinicianWidths)); err != nil {
		return err
	}
	hdr := make([]any, len(worklistSummaryHeader))
	for i, h := range worklistSummaryHeader {
		hdr[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := wb.setRow(sh, clinicianHead, hdr...); err != nil {
		return err
	}
	row := clinicianHead
	for _, c := range wl.Clinicians {
		row++
		if err := wb.setRow(sh, row, c.TIN, c.NPI, c.Clinician, c.Notes, c.FixableNotes,
			excelize.Cell{StyleID: st.percent, Value: c.RateNow}, excelize.Cell{StyleID: st.percent, Value: c.RateIfLocked},
			excelize.Cell{StyleID: st.wrap, Value: whatIf(c.FixableNotes, c.RateNow, c.RateIfLocked)}); err != nil {
			return err
		}
		if err := wb.wrapHeight(sh, row, whatIf(c.FixableNotes, c.RateNow, c.RateIfLocked), clinicianWidths[7]); err != nil {
			return err
		}
	}
	if len(wl.Clinicians) == 0 {
		if err := wb.setRow(sh, clinicianHead+1, "no clinician has a note to lock"); err != nil {
			return err
		}
	}
	if err := wb.f.SetRowHeight(sh, clinicianHead, headerHeight(worklistSummaryHeader, clinicianWidths)); err != nil {
		return err
	}
	for i, w := range clinicianWidths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := wb.f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	return wb.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: clinicianHead, TopLeftCell: cellName(1, clinicianHead+1), ActivePane: "bottomLeft"})
}

// causesHead is the Causes sheet's header row (under its title).
const causesHead = 2

// causesWidths are the Causes sheet's column widths.
// They fit one Letter landscape page at the smallest print scale (xlsxprint.go), the
// header names wrapping.
var causesWidths = []float64{9.5, 10, 10.5, 14, 12, 10, 19.5, 20, 8.5, 8.5, 12}

var causesHeader = []string{"Level", "TIN", "NPI", "Clinician", "Denominator", "Out of numerator", "Cause",
	"What it means", "Patients", "Can still count", "Share of denominator"}

// causes writes, per entity, the patients each cause keeps out of its numerator
// (measure.EntityResult.Causes): one row per entity and cause, most patients first.
func (wb *workbook) causes() error {
	st, sh := wb.st, SheetCauses
	title := "Patients out of the numerator, by cause (" + causesNote + ")"
	if err := wb.setRow(sh, 1, excelize.Cell{StyleID: st.note, Value: title}); err != nil {
		return err
	}
	// Wrapped within the table's width: a title running past it would print on a page
	// of its own.
	if err := wb.f.MergeCell(sh, "A1", cellName(len(causesWidths), 1)); err != nil {
		return err
	}
	if err := wb.wrapHeight(sh, 1, title, sum(causesWidths)); err != nil {
		return err
	}
	hdr := make([]any, len(causesHeader))
	for i, h := range causesHeader {
		hdr[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := wb.setRow(sh, causesHead, hdr...); err != nil {
		return err
	}
	if err := wb.f.SetRowHeight(sh, causesHead, headerHeight(causesHeader, causesWidths)); err != nil {
		return err
	}
	row := causesHead
	for _, e := range wb.r.Entities {
		for _, c := range e.Causes {
			row++
			share := 0.0
			if e.Denominator > 0 {
				share = float64(c.Patients) / float64(e.Denominator)
			}
			if err := wb.setRow(sh, row, string(e.Level), e.TIN, e.NPI, e.Clinician, e.Denominator, e.Denominator-e.Numerator,
				string(c.Code), excelize.Cell{StyleID: st.wrap, Value: measure.CauseText(c.Code)}, c.Patients, c.Pending,
				excelize.Cell{StyleID: st.percent, Value: share}); err != nil {
				return err
			}
			if err := wb.wrapHeight(sh, row, measure.CauseText(c.Code), causesWidths[7]); err != nil {
				return err
			}
		}
	}
	if row == causesHead {
		row++
		if err := wb.setRow(sh, row, "every patient is in the numerator, or the causes are not known (a combined report)"); err != nil {
			return err
		}
	}
	wb.causesRows = row
	for i, w := range causesWidths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := wb.f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	return wb.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: causesHead, TopLeftCell: cellName(1, causesHead+1), ActivePane: "bottomLeft"})
}

// worklist writes every note item under one frozen header row.
func (wb *workbook) worklist() error {
	st, wl := wb.st, wb.wl
	n := 0
	for _, c := range wl.Clinicians {
		n += c.Notes
	}
	return wb.writeBig(&bigTable{sheets: wb.worklistSheets, header: worklistHeader, headerStyle: st.header,
		widths: []float64{12, 12, 20, 12, 12, 10, 12, 11, 14, 14, 18, 56, 9, 12, 40, 24},
		count:  n, note: listNote("Notes to lock", n, wb.worklistSheets),
		// Wider than a page: who and the lock-by date again left of the problems.
		repeat: adjacentColumns(worklistHeader, "Clinician", "Lock by"),
		rows: func(yield func([]any) bool) error {
			row := make([]any, len(worklistHeader))
			for _, c := range wl.Clinicians {
				for is, err := range c.Items() {
					if err != nil {
						return err
					}
					var left, late any
					if is.Fixable {
						left = is.BusinessDays
					} else {
						late = is.BusinessDays
					}
					row = append(row[:0], c.TIN, c.NPI, c.Clinician, st.excelDate(lockBy(is.Issue)), left, late,
						st.excelDate(is.VisitDate), is.PatientID, is.MRN, is.AppointmentID, string(is.Code),
						is.Detail(), yesNo(is.Fixable), yesNo(is.CanCount), is.WhyNot(), is.AlsoNeeds())
					if !yield(row) {
						return nil
					}
				}
			}
			return nil
		},
	})
}

// run writes the audit trail: configuration, calendar, data counts, statuses, findings,
// where the big sheets continue, version and source.
func (wb *workbook) run() error {
	r, st, sh, o := wb.r, wb.st, SheetRun, wb.o
	c, ci := wb.m.cfg, wb.m.cal
	row := 0
	line := func(values ...any) error {
		row++
		return wb.setRow(sh, row, values...)
	}
	section := func(title string, cols ...string) error {
		row++ // blank line before a section
		vals := []any{excelize.Cell{StyleID: st.title, Value: title}}
		if err := line(vals...); err != nil {
			return err
		}
		if len(cols) == 0 {
			return nil
		}
		hdr := make([]any, len(cols))
		for i, h := range cols {
			hdr[i] = wb.bold(h)
		}
		return line(hdr...)
	}
	orNone := func(s string) any {
		if s == "" {
			return "(all)"
		}
		return s
	}
	generated := any("(not given)")
	if !o.Generated.IsZero() {
		generated = st.excelInstant(o.Generated)
	}
	version := o.Version
	if version == "" {
		version = "(unknown)"
	}
	sheetsNote := func(names []string, rows int) string {
		if len(names) == 1 {
			return fmt.Sprintf("%d rows on sheet %s", rows, names[0])
		}
		return fmt.Sprintf("%d rows: more than Excel's %d rows per sheet, continued on sheets %s",
			rows, sheetRowLimit, strings.Join(names, ", "))
	}
	steps := []func() error{
		func() error { return line(excelize.Cell{StyleID: st.title, Value: "Run"}) },
		func() error { return line(wb.bold("Measure"), wb.m.id) },
		func() error { return line(wb.bold("Performance year"), r.PerformanceYear) },
		func() error { return line(wb.bold("Period start"), st.excelDate(c.Start)) },
		func() error { return line(wb.bold("Period end"), st.excelDate(c.End)) },
		func() error { return line(wb.bold("As of"), wb.m.asOf) },
		func() error {
			if c.BareAsOf { // R9: a date, not one instant
				return line(wb.bold("As of (as given)"), c.AsOfText())
			}
			return line(wb.bold("As of (UTC)"), st.excelInstant(c.AsOf), instant(c.AsOf))
		},
		func() error { return line(wb.bold("Policy"), string(c.Policy)) },
		func() error { return line(wb.bold("Release"), string(c.Release)) },
		func() error { return line(wb.bold("Numerator actions"), string(c.NumeratorActions)) },
		func() error { return line(wb.bold("Seen statuses"), strings.Join(c.SeenStatuses, "; ")) },
		func() error { return line(wb.bold("Holidays"), ci.Holidays) },
		func() error { return line(wb.bold("TIN filter"), orNone(c.TIN)) },
		func() error { return line(wb.bold("NPI filter"), orNone(c.NPI)) },
		func() error { return line(wb.bold("Issues"), sheetsNote(wb.issueSheets, r.IssueCount())) },
		func() error { return line(wb.bold("Patients"), sheetsNote(wb.patientSheets, r.OutcomeCount())) },
		func() error { return line(wb.bold("mipspi version"), version) },
		func() error { return line(wb.bold("Source"), o.Source) },
		func() error { return xlsxCombined(o.Combined, func(s string) any { return wb.bold(s) }, line, section) },
		func() error { return line(wb.bold("Generated (UTC)"), generated) },
		func() error {
			if err := section(fmt.Sprintf("Holidays applied (%s to %s, the last deadline)", ci.From, ci.To), "Observed", "Actual", "Holiday"); err != nil {
				return err
			}
			if len(ci.Applied) == 0 {
				return line("none")
			}
			for _, h := range ci.Applied {
				if err := line(st.excelDate(h.Observed), st.excelDate(h.Actual), h.Name); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			if err := section("Practice closures", "Date", "Weekday"); err != nil {
				return err
			}
			if len(ci.Closures) == 0 {
				return line("none")
			}
			for _, d := range ci.Closures {
				if err := line(st.excelDate(d), d.Weekday().String()); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			if err := section("Data counts", "Count", "Value"); err != nil {
				return err
			}
			k := r.Counts
			for _, kv := range []struct {
				name string
				n    int
			}{
				{"Patients read", k.Patients}, {"Appointments read", k.Appointments},
				{"Outside the period", k.OutsidePeriod}, {"Status not seen", k.NotSeen},
				{"Clinician not MIPS eligible", k.NotEligible}, {"Seen status, on a later date than the as-of date", k.AfterAsOf}, {"Seen visits", k.SeenVisits},
				{"Timely visits", k.TimelyVisits}, {"Pending visits", k.PendingVisits},
				{"Patients in numerator (sum over clinicians)", k.PatientsInNumerator},
				{"Issue rows", r.IssueCount()}, {"Patient drill-down rows", r.OutcomeCount()},
			} {
				if err := line(kv.name, kv.n); err != nil {
					return err
				}
			}
			if c.TIN != "" || c.NPI != "" { // the filter's own counts (the Data line)
				f := k.InFilter
				for _, kv := range []struct {
					name string
					n    int
				}{
					{"Patients in the filter", f.Patients}, {"Seen visits in the filter", f.SeenVisits},
					{"Timely visits in the filter", f.TimelyVisits}, {"Pending visits in the filter", f.PendingVisits},
				} {
					if err := line(kv.name, kv.n); err != nil {
						return err
					}
				}
			}
			return nil
		},
		func() error {
			if err := section("Appointment statuses", "Status", "Appointments", "Seen", "Known"); err != nil {
				return err
			}
			for _, s := range r.Statuses {
				if err := line(s.Status, s.Count, yesNo(s.Seen), yesNo(s.Known)); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			if err := section("Findings", "Code", "Severity", "TIN", "NPI", "Status", "Count", "Message"); err != nil {
				return err
			}
			if len(r.Findings) == 0 {
				return line("none")
			}
			for _, f := range r.Findings {
				var count any
				if f.Count != 0 || f.Code == measure.UnknownStatus {
					count = f.Count
				}
				if err := line(string(f.Code), string(f.Severity), f.TIN, f.NPI, f.Status, count, excelize.Cell{StyleID: st.wrap, Value: f.Message}); err != nil {
					return err
				}
				if err := wb.wrapHeight(sh, row, f.Message, runWidths[6]); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return wb.runCategory(section, line) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	wb.runRows = row
	for i, w := range runWidths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := wb.f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	return nil
}

// printSettings makes the normal (not streamed) sheets print landscape at a legible
// scale, with their header rows repeated (xlsxprint.go). The Summary prints on two pages
// side by side: the table's who and patient figures with the long lists' note and the
// chart, then its points, PI estimate and practice with the who repeated; the chart's
// data does not print.
func (wb *workbook) printSettings() error {
	const summaryHead = 6
	sh := SheetSummary
	widths, split := summaryWidths(), summarySplit()
	repeat := widths[1:4] // B:D, summaryRepeat
	second := append(slices.Clone(repeat), widths[min(split-1, len(widths)):]...)
	scale := printScale(widths[:split-1], second)
	if err := printSetup(wb.f, sh, scale); err != nil {
		return err
	}
	// The chart starts a page when it would not fit whole under the table.
	if wb.chartRows > 0 && wb.aboveChart+wb.chartHeight > printHeightPt*100/float64(scale) {
		if err := wb.f.InsertPageBreak(sh, cellName(1, wb.chartAt)); err != nil {
			return err
		}
	}
	if err := printTitles(wb.f, sh, summaryHead, summaryHead, summaryRepeat); err != nil {
		return err
	}
	last := max(wb.chartAt+wb.chartRows, wb.summaryRows+4)
	areas := []string{"A1", cellName(split-1, last)}
	if split <= len(summaryColumns) {
		areas = append(areas, cellName(split, summaryHead), cellName(len(summaryColumns), wb.summaryRows))
	}
	if err := printArea(wb.f, sh, areas...); err != nil {
		return err
	}
	if err := printSetup(wb.f, SheetClinicians, printScale(clinicianWidths)); err != nil {
		return err
	}
	if err := printTitles(wb.f, SheetClinicians, clinicianHead, clinicianHead, ""); err != nil {
		return err
	}
	if err := printArea(wb.f, SheetClinicians, "A1", cellName(len(clinicianWidths), clinicianHead+max(len(wb.wl.Clinicians), 1))); err != nil {
		return err
	}
	if err := printSetup(wb.f, SheetRun, printScale(runWidths)); err != nil {
		return err
	}
	if err := printSetup(wb.f, SheetCauses, printScale(causesWidths)); err != nil {
		return err
	}
	if err := printTitles(wb.f, SheetCauses, causesHead, causesHead, ""); err != nil {
		return err
	}
	if err := printArea(wb.f, SheetCauses, "A1", cellName(len(causesWidths), wb.causesRows)); err != nil {
		return err
	}
	// Long messages are cut at the page's edge rather than print alone on a page.
	return printArea(wb.f, SheetRun, "A1", cellName(len(runWidths), wb.runRows))
}

// props sets the document properties Excel shows under File > Info.
func (wb *workbook) props() error {
	o := wb.o
	c, id := wb.m.cfg, wb.m.id
	dp := &excelize.DocProperties{
		Title:       fmt.Sprintf("%s report %s to %s", id, c.Start, c.End),
		Subject:     "MIPS Promoting Interoperability: Provide Patients Electronic Access to Their Health Information",
		Creator:     "mipspi",
		Description: fmt.Sprintf("as of %s, policy %s", wb.m.asOf, c.Policy),
		Keywords:    "MIPS, " + id,
		Category:    "report",
		Language:    "en-US",
	}
	if o.Version != "" {
		dp.Version = o.Version
		dp.Creator = "mipspi " + o.Version
	}
	if !o.Generated.IsZero() {
		dp.Created = o.Generated.UTC().Format(time.RFC3339)
		dp.Modified = dp.Created
	}
	return wb.f.SetDocProps(dp)
}

// fastZip is a zip writer deflating at flate.BestSpeed: at 1M appointments deflate at
// the default level was two thirds of the workbook's CPU time (BENCHMARKS.md); the
// sheets' repetitive XML compresses nearly as well at the fastest level.
func fastZip(w io.Writer) *zip.Writer {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

// xlsxCombined adds to the Run sheet how a combined report was made (SPEC §7): the
// method and one line per source report.
func xlsxCombined(c *Combined, bold func(string) any, line func(...any) error, section func(string, ...string) error) error {
	if c == nil {
		return nil
	}
	if err := line(bold("Method"), c.Method); err != nil {
		return err
	}
	if err := section("Combined from", "File", "Source", "As of", "mipspi version", "Entities"); err != nil {
		return err
	}
	for _, s := range c.Sources {
		src := ""
		if s.Source != nil {
			src = s.Source.String()
		}
		if err := line(s.File, src, s.AsOf, s.Version, s.Entities); err != nil {
			return err
		}
	}
	return nil
}

// runCategory writes, when there is a registry block, why the PI category estimate is 0
// (each reason once) and the figures that rest on unverified facts (SPEC §5).
func (wb *workbook) runCategory(section func(string, ...string) error, line func(...any) error) error {
	if wb.o.Registry == nil {
		return nil
	}
	hs := wb.m.heads
	if err := section("Why the PI category would score 0", "Code", "Message", "Entities"); err != nil {
		return err
	}
	rs := zeroReasons(hs, htmlNameWidth)
	if len(rs) == 0 {
		if err := line("none: no gate fails"); err != nil {
			return err
		}
	}
	for _, z := range rs {
		if err := line(z.Code, z.Message, z.Affects(len(hs))); err != nil {
			return err
		}
	}
	if err := section("Unverified figures in the PI category estimate", "Figure"); err != nil {
		return err
	}
	us := unverifiedOnce(hs)
	if len(us) == 0 {
		return line("none")
	}
	for _, u := range us {
		if err := line(u); err != nil {
			return err
		}
	}
	return nil
}
