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
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
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
)

var (
	summaryColumns = []string{"Level", "TIN", "NPI", "Clinician", "Denominator", "Numerator", "Rate",
		"Pending", "Best reachable rate", "Points", "Numerator if notes locked", "Seen visits",
		"Timely visits", "Pending visits",
		// the headline (SPEC §5); the PI columns are empty without a registry block
		"PEA points", "PEA max points", "Best reachable points", "PI category estimate",
		"PI weighted score", "PI zero reasons"}
	issueHeader = []string{"Code", "Severity", "TIN", "NPI", "Clinician", "Patient ID", "MRN",
		"Appointment ID", "Visit date", "Deadline", "Event date", "Business days", "Fixable",
		"Counts if locked", "Has email", "Recipient", "Channel", "Detail"}
	patientHeader = []string{"Level", "TIN", "NPI", "Clinician", "Patient ID", "MRN", "Last name",
		"First name", "Birth date", "In numerator", "Pending", "Reason", "Seen visits",
		"Timely visits", "First visit", "Last visit"}
	worklistHeader = []string{"TIN", "NPI", "Clinician", "Lock by", "Business days left", "Days late",
		"Visit date", "Patient ID", "MRN", "Appointment ID", "Code", "Problem", "Fixable",
		"Can still count"}
	worklistSummaryHeader = []string{"TIN", "NPI", "Clinician", "Notes to fix", "Fixable notes",
		"Rate now", "Rate if locked", "What if"}
)

type styles struct {
	bold, date, datetime, percent, points, title int
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
	s.points = mk(&excelize.Style{NumFmt: 2})   // 0.00
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

// sheetNames returns base, base (2), … enough for rows data rows after the header,
// the first sheet having first rows already used above its header.
func sheetNames(base string, rows, first int) []string {
	names := []string{base}
	capacity := max(sheetRowLimit-first-1, 0)
	for rows > capacity {
		rows -= capacity
		names = append(names, fmt.Sprintf("%s (%d)", base, len(names)+1))
		capacity = sheetRowLimit - 1
	}
	return names
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
	wl := r.Worklist("")
	wb := &workbook{f: f, st: st, r: r, o: o, wl: wl}
	wb.issueSheets = sheetNames(SheetIssues, r.IssueCount(), 0)
	wb.patientSheets = sheetNames(SheetPatients, max(len(r.Outcomes), 1), 0)
	items := 0
	for _, c := range wl.Clinicians {
		items += len(c.Items)
	}
	wb.worklistSheets = sheetNames(SheetWorklist, items, worklistPrelude(wl))

	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	var order []string
	order = append(order, wb.issueSheets...)
	order = append(order, wb.patientSheets...)
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
		{"Issues sheet", wb.issues},
		{"Patients sheet", wb.patients},
		{"Worklist sheet", wb.worklist},
		{"API evidence sheet", wb.evidence},
		{"Run sheet", wb.run},
		{"document properties", wb.props},
	} {
		if err := step.fn(); err != nil {
			return fmt.Errorf("write workbook: %s: %w", step.what, err)
		}
	}
	f.SetActiveSheet(0)
	if err := writeArchive(f, w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// zip64Threshold is the uncompressed size of a part above which the archive needs ZIP64.
// A variable so tests can exercise the buffered fallback without a 4 GiB sheet.
var zip64Threshold int64 = math.MaxUint32

// writeArchive writes the zip archive of f to w as it is compressed. excelize's own
// Write (WriteTo → WriteToBuffer) assembles the whole compressed archive in a
// bytes.Buffer before copying it out — 74 MB of workbook held (in a 128 MB buffer, plus
// the copies made while it grows) at 1M appointments, most of the peak at 5M — so the
// archive goes straight to w through excelize's ZipWriter hook instead.
//
// The one thing the buffer is for: a part over 4 GiB uncompressed needs ZIP64, and
// Excel then insists on version 4.5 in the part's local header, which excelize patches
// into the buffer afterwards (Go's archive/zip writes 2.0 there). A first pass counts
// each part's uncompressed size without compressing (the sheets are re-read from
// excelize's stream files); only a workbook with such a part takes the buffered path.
func writeArchive(f *excelize.File, w io.Writer) error {
	sizes := &sizingZip{}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return sizes })
	if _, err := f.WriteToBuffer(); err != nil {
		return fmt.Errorf("size the parts: %w", err)
	}
	if sizes.largest > zip64Threshold {
		f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
		return f.Write(w)
	}
	zw := zip.NewWriter(w)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	_, err := f.WriteToBuffer() // writes through zw to w; the returned buffer stays empty
	return err
}

// sizingZip is an excelize.ZipWriter that only measures the largest part.
type sizingZip struct {
	largest int64
	cur     *countingWriter
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func (z *sizingZip) Create(string) (io.Writer, error) {
	z.done()
	z.cur = &countingWriter{}
	return z.cur, nil
}

func (z *sizingZip) done() {
	if z.cur != nil {
		z.largest = max(z.largest, z.cur.n)
	}
}

func (z *sizingZip) AddFS(fs.FS) error { return errors.New("AddFS is not used") }

func (z *sizingZip) Close() error {
	z.done()
	return nil
}

type workbook struct {
	f                                          *excelize.File
	st                                         styles
	r                                          *measure.Result
	o                                          Options
	wl                                         measure.Worklist
	issueSheets, patientSheets, worklistSheets []string
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
	c := cfg(r)
	if err := wb.setRow(sh, 1, excelize.Cell{StyleID: st.title, Value: measureID(r) + " — Provide Patients Electronic Access to Their Health Information"}); err != nil {
		return err
	}
	if err := wb.setRow(sh, 2, wb.bold("Period"), st.excelDate(c.Start), st.excelDate(c.End)); err != nil {
		return err
	}
	if err := wb.setRow(sh, 3, wb.bold("As of (UTC)"), st.excelInstant(c.AsOf), instant(c.AsOf)); err != nil {
		return err
	}
	if err := wb.setRow(sh, 4, wb.bold("Policy"), string(c.Policy)); err != nil {
		return err
	}
	pi := "not estimated: the configuration has no registry block (CEHRT ID and the other PI answers)"
	if wb.o.Registry != nil {
		pi = "estimated per entity in the last columns; why an estimate is 0 and which figures rest on unverified facts: Run sheet"
	}
	if err := wb.setRow(sh, 5, wb.bold("PI category"), pi); err != nil {
		return err
	}
	const head = 6
	if err := wb.setRow(sh, head, headerCells(summaryColumns)...); err != nil {
		return err
	}
	row := head
	hs := headlines(r, wb.o)
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
			excelize.Cell{StyleID: st.percent, Value: best}, excelize.Cell{StyleID: st.points, Value: e.Points},
			e.NumeratorIfNotesLocked, e.SeenVisits, e.TimelyVisits, e.PendingVisits,
			h.PEA.Points, h.PEA.MaxPoints, h.PEA.BestReachablePoints, score, weighted, reasons); err != nil {
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
	for _, cw := range []struct {
		from, to string
		width    float64
	}{{"A", "A", 12}, {"B", "C", 13}, {"D", "D", 28}, {"E", "S", 14}, {"T", "T", 40}} {
		if err := wb.f.SetColWidth(sh, cw.from, cw.to, cw.width); err != nil {
			return err
		}
	}
	if err := wb.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: head, TopLeftCell: cellName(1, head+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return wb.chart(row + 3)
}

// chart writes the chart data (one row per clinician: label, rate) from row at and a
// horizontal bar chart of it beside the entity table.
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
	if err := wb.setRow(sh, at, wb.bold("Chart data: clinician"), wb.bold("Rate")); err != nil {
		return err
	}
	for i := range labels {
		if err := wb.setRow(sh, at+1+i, labels[i], excelize.Cell{StyleID: wb.st.percent, Value: rates[i]}); err != nil {
			return err
		}
	}
	first, last := at+1, at+len(labels)
	zero, one := 0.0, 1.0
	height := uint(min(120+22*len(labels), 4000))
	return wb.f.AddChart(sh, "P2", &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			Name:       "Rate",
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", sh, first, last),
			Values:     fmt.Sprintf("%s!$B$%d:$B$%d", sh, first, last),
		}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: measureID(r) + " rate by clinician"}}},
		Legend:    excelize.ChartLegend{Position: "none"},
		XAxis:     excelize.ChartAxis{ReverseOrder: true},
		YAxis:     excelize.ChartAxis{Minimum: &zero, Maximum: &one, MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
		Dimension: excelize.ChartDimension{Width: 640, Height: height},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.0%"}},
	})
}

// stream writes a table of rows over one or more pre-created sheets, each a filterable
// Excel table with a frozen header row, continuing on the next sheet at the row limit.
type stream struct {
	f       *excelize.File
	sheets  []string
	header  []string
	widths  []float64
	prelude [][]any // rows above the first sheet's header (Worklist summary)
	i       int     // current sheet
	sw      *excelize.StreamWriter
	head    int // header row of the current sheet
	row     int // last row written on the current sheet
}

func (s *stream) open() error {
	sw, err := s.f.NewStreamWriter(s.sheets[s.i])
	if err != nil {
		return err
	}
	s.sw = sw
	for i, w := range s.widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	var prelude [][]any
	if s.i == 0 {
		prelude = s.prelude
	}
	s.head = len(prelude) + 1
	// Panes must be set before the first row is written.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: s.head, TopLeftCell: cellName(1, s.head+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, p := range prelude {
		if err := sw.SetRow(cellName(1, i+1), p); err != nil {
			return err
		}
	}
	s.row = s.head
	return sw.SetRow(cellName(1, s.head), headerCells(s.header))
}

func (s *stream) add(values ...any) error {
	if s.sw == nil {
		if err := s.open(); err != nil {
			return err
		}
	}
	if s.row >= sheetRowLimit {
		if err := s.finish(); err != nil {
			return err
		}
		s.i++
		if s.i >= len(s.sheets) {
			return fmt.Errorf("more rows than the sheets planned for %s", s.sheets[0])
		}
		if err := s.open(); err != nil {
			return err
		}
	}
	s.row++
	return s.sw.SetRow(cellName(1, s.row), values)
}

func (s *stream) finish() error {
	if err := s.sw.AddTable(&excelize.Table{
		Range:     cellName(1, s.head) + ":" + cellName(len(s.header), max(s.row, s.head+1)),
		Name:      tableName(s.sheets[s.i]),
		StyleName: "TableStyleLight9",
	}); err != nil {
		return fmt.Errorf("%s table: %w", s.sheets[s.i], err)
	}
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("%s: %w", s.sheets[s.i], err)
	}
	return nil
}

// close finishes the current sheet and any planned sheet left empty.
func (s *stream) close() error {
	if s.sw == nil {
		if err := s.open(); err != nil {
			return err
		}
	}
	if err := s.finish(); err != nil {
		return err
	}
	for s.i+1 < len(s.sheets) { // cannot happen when sheetNames planned right; keep sheets valid
		s.i++
		if err := s.open(); err != nil {
			return err
		}
		if err := s.finish(); err != nil {
			return err
		}
	}
	return nil
}

// issues writes every itemised row (R10).
func (wb *workbook) issues() error {
	st := wb.st
	s := &stream{f: wb.f, sheets: wb.issueSheets, header: issueHeader,
		widths: []float64{24, 9, 12, 12, 24, 11, 14, 14, 12, 12, 12, 10, 9, 10, 10, 14, 10, 60}}
	for is := range wb.r.AllIssues() {
		var appt, visit, deadline, days, hasEmail any
		if aboutVisit(is) {
			appt, visit, deadline, days = is.AppointmentID, st.excelDate(is.VisitDate), st.excelDate(is.Deadline), is.BusinessDays
		}
		if is.Code == measure.NotInvited {
			hasEmail = is.HasEmail
		}
		var patient any
		if is.PatientID != 0 {
			patient = is.PatientID
		}
		if err := s.add(string(is.Code), string(is.Severity), is.TIN, is.NPI, is.Clinician, patient, is.MRN,
			appt, visit, deadline, st.optExcelDate(is.EventDate, is.HasEvent), days, is.Fixable,
			is.CountsIfLocked, hasEmail, is.Recipient, is.Channel, is.Detail()); err != nil {
			return err
		}
	}
	return s.close()
}

// patients writes the drill-down: each patient's standing in each entity.
func (wb *workbook) patients() error {
	st := wb.st
	s := &stream{f: wb.f, sheets: wb.patientSheets, header: patientHeader,
		widths: []float64{11, 12, 12, 24, 11, 14, 18, 18, 12, 12, 9, 22, 11, 12, 12, 12}}
	if len(wb.r.Outcomes) == 0 {
		s.prelude = [][]any{{"The patient drill-down was not kept for this run."}}
	}
	for _, p := range wb.r.Outcomes {
		e, err := outcomeEntity(wb.r, p)
		if err != nil {
			return err
		}
		var npi any
		if e.NPI != "" {
			npi = e.NPI
		}
		if err := s.add(string(e.Level), e.TIN, npi, e.Clinician, p.PatientID, p.MRN, p.LastName, p.FirstName,
			st.optExcelDate(p.BirthDate, p.HasBirthDate), p.InNumerator, p.Pending, string(p.Reason),
			p.SeenVisits, p.TimelyVisits, st.excelDate(p.FirstVisit), st.excelDate(p.LastVisit)); err != nil {
			return err
		}
	}
	return s.close()
}

// worklistPrelude is the number of rows above the Worklist table: title, the
// per-clinician what-if block and a blank row.
func worklistPrelude(wl measure.Worklist) int { return 2 + len(wl.Clinicians) + 1 }

// worklist writes the per-clinician what-if block and then every note item.
func (wb *workbook) worklist() error {
	st, wl := wb.st, wb.wl
	prelude := [][]any{{excelize.Cell{StyleID: st.bold, Value: "Notes to lock, as of " + instant(wl.AsOf) + " (lock by = the R3 deadline)"}}}
	hdr := make([]any, len(worklistSummaryHeader))
	for i, h := range worklistSummaryHeader {
		hdr[i] = excelize.Cell{StyleID: st.bold, Value: h}
	}
	prelude = append(prelude, hdr)
	for _, c := range wl.Clinicians {
		prelude = append(prelude, []any{c.TIN, c.NPI, c.Clinician, len(c.Items), c.FixableNotes,
			excelize.Cell{StyleID: st.percent, Value: c.RateNow}, excelize.Cell{StyleID: st.percent, Value: c.RateIfLocked},
			whatIf(c.FixableNotes, c.RateNow, c.RateIfLocked)})
	}
	prelude = append(prelude, []any{})
	s := &stream{f: wb.f, sheets: wb.worklistSheets, header: worklistHeader, prelude: prelude,
		widths: []float64{12, 12, 24, 12, 12, 10, 12, 11, 14, 14, 18, 60, 9, 12}}
	for _, c := range wl.Clinicians {
		for _, is := range c.Items {
			var left, late any
			if is.Fixable {
				left = is.BusinessDays
			} else {
				late = is.BusinessDays
			}
			if err := s.add(c.TIN, c.NPI, c.Clinician, st.excelDate(lockBy(is)), left, late,
				st.excelDate(is.VisitDate), is.PatientID, is.MRN, is.AppointmentID, string(is.Code),
				is.Detail(), is.Fixable, canStillCount(is)); err != nil {
				return err
			}
		}
	}
	return s.close()
}

// run writes the audit trail: configuration, calendar, data counts, statuses, findings,
// where the big sheets continue, version and source.
func (wb *workbook) run() error {
	r, st, sh, o := wb.r, wb.st, SheetRun, wb.o
	c := cfg(r)
	ci := calendarOf(r)
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
		func() error { return line(wb.bold("Measure"), measureID(r)) },
		func() error { return line(wb.bold("Performance year"), r.PerformanceYear) },
		func() error { return line(wb.bold("Period start"), st.excelDate(c.Start)) },
		func() error { return line(wb.bold("Period end"), st.excelDate(c.End)) },
		func() error { return line(wb.bold("As of (UTC)"), st.excelInstant(c.AsOf), instant(c.AsOf)) },
		func() error { return line(wb.bold("Policy"), string(c.Policy)) },
		func() error { return line(wb.bold("Release"), string(c.Release)) },
		func() error { return line(wb.bold("Numerator actions"), string(c.NumeratorActions)) },
		func() error { return line(wb.bold("Seen statuses"), strings.Join(c.SeenStatuses, "; ")) },
		func() error { return line(wb.bold("Holidays"), ci.Holidays) },
		func() error { return line(wb.bold("TIN filter"), orNone(c.TIN)) },
		func() error { return line(wb.bold("NPI filter"), orNone(c.NPI)) },
		func() error { return line(wb.bold("Issues"), sheetsNote(wb.issueSheets, r.IssueCount())) },
		func() error { return line(wb.bold("Patients"), sheetsNote(wb.patientSheets, len(r.Outcomes))) },
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
				{"Issue rows", r.IssueCount()}, {"Patient drill-down rows", len(r.Outcomes)},
			} {
				if err := line(kv.name, kv.n); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			if err := section("Appointment statuses", "Status", "Appointments", "Seen", "Known"); err != nil {
				return err
			}
			for _, s := range r.Statuses {
				if err := line(s.Status, s.Count, s.Seen, s.Known); err != nil {
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
				if err := line(string(f.Code), string(f.Severity), f.TIN, f.NPI, f.Status, count, f.Message); err != nil {
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
	if err := wb.f.SetColWidth(sh, "A", "A", 44); err != nil {
		return err
	}
	return wb.f.SetColWidth(sh, "B", "G", 20)
}

// props sets the document properties Excel shows under File > Info.
func (wb *workbook) props() error {
	r, o := wb.r, wb.o
	c := cfg(r)
	dp := &excelize.DocProperties{
		Title:       fmt.Sprintf("%s report %s to %s", measureID(r), c.Start, c.End),
		Subject:     "MIPS Promoting Interoperability: Provide Patients Electronic Access to Their Health Information",
		Creator:     "mipspi",
		Description: fmt.Sprintf("as of %s, policy %s", instant(c.AsOf), c.Policy),
		Keywords:    "MIPS, " + measureID(r),
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
	hs := headlines(wb.r, wb.o)
	if err := section("Why the PI category would score 0", "Code", "Message"); err != nil {
		return err
	}
	rs := reasonsOnce(hs)
	if len(rs) == 0 {
		if err := line("none: no gate fails"); err != nil {
			return err
		}
	}
	for _, z := range rs {
		if err := line(z.Code, z.Message); err != nil {
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
