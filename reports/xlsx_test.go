package reports

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/measure"
)

func writeXLSX(t *testing.T, r *measure.Result) ([]byte, *excelize.File) {
	t.Helper()
	var b bytes.Buffer
	if err := XLSX(&b, r, testOptions); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return b.Bytes(), f
}

func rows(t *testing.T, f *excelize.File, sheet string, raw bool) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet, excelize.Options{RawCellValue: raw})
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	return rs
}

// listRows are the rows of a long list's sheet under its note (the sheet's print area,
// xlsxprint.go): the header row, then the data rows.
func listRows(t *testing.T, f *excelize.File, sheet string, raw bool) [][]string {
	t.Helper()
	rs := rows(t, f, sheet, raw)
	if len(rs) < listNoteRows+1 || len(rs[0]) != 1 || !strings.Contains(rs[0][0], "Not printed with the workbook") && !strings.Contains(rs[0][0], "not kept") {
		t.Fatalf("%s does not open with its note: %q", sheet, rs)
	}
	return rs[listNoteRows:]
}

// definedName is the formula of the defined name scoped to sheet ("" if none).
func definedName(t *testing.T, f *excelize.File, name, sheet string) string {
	t.Helper()
	for _, d := range f.GetDefinedName() {
		if d.Name == name && d.Scope == sheet {
			return d.RefersTo
		}
	}
	return ""
}

func cell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestXLSX(t *testing.T) {
	r := testResult()
	data, f := writeXLSX(t, r)

	if diff := cmp.Diff([]string{SheetSummary, SheetCauses, SheetTrend, SheetIssues, SheetPatients, SheetClinicians, SheetWorklist, SheetRun}, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}

	t.Run("summary figures", func(t *testing.T) {
		sum := rows(t, f, SheetSummary, true)
		if diff := cmp.Diff(summaryColumns, sum[5]); diff != "" {
			t.Errorf("Summary header (-want +got):\n%s", diff)
		}
		type fig struct {
			Level, TIN, NPI   string
			Den, Num, Pending int
			Rate, Points      float64
		}
		var got, want []fig
		for _, row := range sum[6 : 6+len(r.Entities)] {
			num := func(i int) float64 {
				x, err := strconv.ParseFloat(row[i], 64)
				if err != nil {
					t.Fatalf("row %v column %s: %v", row, summaryColumns[i], err)
				}
				return x
			}
			got = append(got, fig{row[0], row[1], row[2], int(num(4)), int(num(5)), int(num(7)), num(6), num(13)})
		}
		// Points: the whole PI_PEA_1 points CMS awards, the headline's (SPEC §5).
		hs := headlines(r, testOptions)
		for i, e := range r.Entities {
			want = append(want, fig{string(e.Level), e.TIN, e.NPI, e.Denominator, e.Numerator, e.Pending, e.Rate, hs[i].PEA.Points})
		}
		if summaryColumns[13] != "PEA points" || slices.Contains(summaryColumns, "Points") {
			t.Errorf("summary columns %v: want PEA points and no unrounded Points", summaryColumns)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Summary figures (-want +got):\n%s", diff)
		}
		// Rates are numbers shown as percentages.
		if got := cell(t, f, SheetSummary, "G7"); got != pct(r.Entities[0].Rate) {
			t.Errorf("G7 shows %q, want %q", got, pct(r.Entities[0].Rate))
		}
		tables, err := f.GetTables(SheetSummary)
		if err != nil || len(tables) != 1 || tables[0].Name != "Entities" || tables[0].Range != "A6:T12" {
			t.Errorf("Summary tables = %+v, %v; want Entities on A6:T12", tables, err)
		}
	})

	t.Run("chart", func(t *testing.T) {
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var chart string
		for _, zf := range z.File {
			if zf.Name == "xl/charts/chart1.xml" {
				rc, _ := zf.Open()
				var b bytes.Buffer
				b.ReadFrom(rc)
				rc.Close()
				chart = b.String()
			}
		}
		if chart == "" {
			t.Fatal("no xl/charts/chart1.xml in the workbook")
		}
		if !strings.Contains(chart, "<barChart>") || !strings.Contains(chart, "Summary!$"+mustColumn(chartDataCol+1)+"$") {
			t.Errorf("chart1.xml is not a bar chart over the Summary rates:\n%.400s", chart)
		}
		// The chart's data, right of the table (column R, S) from row 2: one row per
		// individual entity with its rate.
		sum := rows(t, f, SheetSummary, true)
		var got []string
		for _, row := range sum[1:] {
			if len(row) > chartDataCol && row[chartDataCol] != "" {
				got = append(got, row[chartDataCol])
			}
		}
		var want []string
		for _, e := range r.Entities {
			if e.Level == measure.Individual {
				want = append(want, strconv.FormatFloat(e.Rate, 'f', -1, 64))
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("chart data rates (-want +got):\n%s", diff)
		}
	})

	t.Run("issues", func(t *testing.T) {
		is := listRows(t, f, SheetIssues, false)
		if diff := cmp.Diff(issueHeader, is[0]); diff != "" {
			t.Errorf("Issues header (-want +got):\n%s", diff)
		}
		if len(is) != r.IssueCount()+1 {
			t.Fatalf("%d Issues rows, want %d", len(is), r.IssueCount()+1)
		}
		for i, want := range issuesOf(r) {
			row := is[i+1]
			if row[0] != string(want.Code) || row[len(row)-1] != want.Detail() {
				t.Errorf("row %d: %q … %q, want %s … %s", i+2, row[0], row[len(row)-1], want.Code, want.Detail())
			}
			if aboutVisit(want) && (row[8] != want.VisitDate.String() || row[9] != want.Deadline.String()) {
				t.Errorf("row %d dates %s %s, want %s %s", i+2, row[8], row[9], want.VisitDate, want.Deadline)
			}
		}
		// Dates are real dates: numbers with a date format.
		raw := listRows(t, f, SheetIssues, true)
		if _, err := strconv.Atoi(raw[1][8]); err != nil {
			t.Errorf("visit date stored as %q, want a serial day number", raw[1][8])
		}
		tables, err := f.GetTables(SheetIssues)
		if err != nil || len(tables) != 1 {
			t.Errorf("Issues tables = %+v, %v; want one (the autofilter)", tables, err)
		}
	})

	t.Run("patients", func(t *testing.T) {
		ps := listRows(t, f, SheetPatients, false)
		if diff := cmp.Diff(patientHeader, ps[0]); diff != "" {
			t.Errorf("Patients header (-want +got):\n%s", diff)
		}
		outs := outcomesOf(r)
		if len(ps) != len(outs)+1 {
			t.Fatalf("%d Patients rows, want %d", len(ps), len(outs)+1)
		}
		o := outs[0]
		if got := ps[1][4:10]; !cmp.Equal(got, []string{strconv.FormatInt(o.PatientID, 10), o.MRN, o.LastName, o.FirstName, o.BirthDate.String(), "no"}) {
			t.Errorf("first patient row %q", got)
		}
	})

	t.Run("worklist", func(t *testing.T) {
		wl := worklist(r, "")
		ws := listRows(t, f, SheetWorklist, false)
		head := 0 // one header row, the only frozen one
		if diff := cmp.Diff(worklistHeader, ws[head]); diff != "" {
			t.Errorf("Worklist header (-want +got):\n%s", diff)
		}
		var wantWhatIf, gotWhatIf []string
		for i, c := range wl.Clinicians {
			wantWhatIf = append(wantWhatIf, whatIf(c.FixableNotes, c.RateNow, c.RateIfLocked))
			gotWhatIf = append(gotWhatIf, rows(t, f, SheetClinicians, false)[clinicianHead+i][7])
		}
		if diff := cmp.Diff(wantWhatIf, gotWhatIf); diff != "" {
			t.Errorf("what-if lines (-want +got):\n%s", diff)
		}
		var wantLockBy, gotLockBy []string
		for _, c := range wl.Clinicians {
			for is := range c.Items() {
				wantLockBy = append(wantLockBy, is.FixBy.String())
			}
		}
		for _, row := range ws[head+1:] {
			gotLockBy = append(gotLockBy, row[3])
		}
		if diff := cmp.Diff(wantLockBy, gotLockBy); diff != "" {
			t.Errorf("lock-by dates (-want +got):\n%s", diff)
		}
		// Fixable, Can still count, Why not, Also needs: the notes that can still count
		// first, then the others with why; yes/no written as text in both yes/no columns.
		var got [][]string
		for _, row := range ws[head+1:] {
			got = append(got, append(row[12:14:14], cellOr(row, 14), cellOr(row, 15)))
		}
		want := [][]string{
			{"yes", "yes", "", ""}, {"yes", "yes", "", ""},
			{"no", "no", "note locked after the lock-by date", ""}, {"no", "no", "lock-by date passed", ""},
			{"yes", "yes", "", ""},
			{"no", "no", "note signed after the lock-by date", ""},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Worklist's last columns (-want +got):\n%s", diff)
		}
		for i := range got {
			for _, col := range []int{13, 14} {
				cell := cellName(col, head+2+i)
				typ, err := f.GetCellType(SheetWorklist, cell)
				if err != nil {
					t.Fatal(err)
				}
				if typ == excelize.CellTypeBool || typ == excelize.CellTypeNumber {
					t.Errorf("Worklist %s is not text (type %v)", cell, typ)
				}
			}
		}
	})

	// One cell type per yes/no column: yes/no are text everywhere, no cell is a
	// boolean (Excel's TRUE/FALSE, LibreOffice's 0/1 under a number format).
	t.Run("no boolean cells", func(t *testing.T) {
		for _, sh := range f.GetSheetList() {
			for i, row := range rows(t, f, sh, false) {
				for j := range row {
					cell := cellName(j+1, i+1)
					if typ, err := f.GetCellType(sh, cell); err != nil {
						t.Fatal(err)
					} else if typ == excelize.CellTypeBool {
						t.Errorf("%s!%s is a boolean cell", sh, cell)
					}
				}
			}
		}
	})

	t.Run("causes", func(t *testing.T) {
		cs := rows(t, f, SheetCauses, false)
		if diff := cmp.Diff(causesHeader, cs[causesHead-1]); diff != "" {
			t.Errorf("Causes header (-want +got):\n%s", diff)
		}
		want := [][]string{
			{"individual", tinA, npiAdams, "Adams, Ann", "5", "3", "NOTE_MISSING", "no note", "2", "1", "40.00%"},
			{"individual", tinA, npiAdams, "Adams, Ann", "5", "3", "NOTE_UNSIGNED", "note not signed", "1", "1", "20.00%"},
			{"group", tinA, "", "", "7", "3", "NOTE_MISSING", "no note", "1", "1", "14.29%"},
		}
		if diff := cmp.Diff(want, cs[causesHead:causesHead+3]); diff != "" {
			t.Errorf("Causes rows (-want +got):\n%s", diff)
		}
		if n := len(cs) - causesHead; n != 8 {
			t.Errorf("%d cause rows, want 8", n)
		}
	})

	t.Run("run sheet", func(t *testing.T) {
		var text strings.Builder
		for _, row := range rows(t, f, SheetRun, false) {
			text.WriteString(strings.Join(row, "|") + "\n")
		}
		for _, want := range []string{
			"Period start|2025-01-01", "Period end|2025-03-31", "Policy|every-visit",
			"Release|lock", "Numerator actions|period", "Holidays|federal",
			"2025-01-20|2025-01-20|Martin Luther King Jr. Day", "2025-02-17|2025-02-17|Presidents' Day",
			"2025-03-14|Friday", "Seen visits|29", "Left Early|3|no|no",
			"API_NEVER_ENABLED|error|555000111", "mipspi version|" + testOptions.Version,
			"Source|" + testOptions.Source, "Issues|16 rows on sheet Issues",
		} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("Run sheet lacks %q:\n%s", want, text.String())
			}
		}
	})

	t.Run("properties", func(t *testing.T) {
		p, err := f.GetDocProps()
		if err != nil {
			t.Fatal(err)
		}
		if p.Title != "PI_PEA_1 report 2025-01-01 to 2025-03-31" || p.Creator != "mipspi "+testOptions.Version || p.Created != "2025-04-02T15:30:00Z" {
			t.Errorf("doc properties %+v", p)
		}
	})
}

// TestXLSXContinuation lowers the row limit so the big sheets continue on "(2)" sheets.
func TestXLSXContinuation(t *testing.T) {
	defer func(n int) { sheetRowLimit = n }(sheetRowLimit)
	sheetRowLimit = 10
	r := testResult()
	_, f := writeXLSX(t, r)
	// The 6 worklist items fit under the Worklist's note and header row (the
	// per-clinician block is on the Clinicians sheet).
	// Each sheet of a list holds its note and header row above at most 8 data rows.
	want := []string{SheetSummary, SheetCauses, SheetTrend, "Issues", "Issues (2)", "Patients", "Patients (2)", SheetClinicians, "Worklist", SheetRun}
	if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	// Every issue row appears once, in order, under a header on each sheet.
	var codes []string
	for _, sh := range []string{"Issues", "Issues (2)"} {
		rs := listRows(t, f, sh, false)
		if len(rs)+listNoteRows > sheetRowLimit {
			t.Errorf("%s has %d rows, limit %d", sh, len(rs)+listNoteRows, sheetRowLimit)
		}
		if rs[0][0] != "Code" {
			t.Errorf("%s: no header row", sh)
		}
		for _, row := range rs[1:] {
			codes = append(codes, row[0])
		}
	}
	var wantCodes []string
	for is := range r.AllIssues() {
		wantCodes = append(wantCodes, string(is.Code))
	}
	if diff := cmp.Diff(wantCodes, codes); diff != "" {
		t.Errorf("issue rows across sheets (-want +got):\n%s", diff)
	}
	// Where the long lists are, said on the Summary and above each list (not printed
	// with the workbook: each list's print area is its note).
	var summary strings.Builder
	for _, row := range rows(t, f, SheetSummary, false) {
		summary.WriteString(strings.Join(row, "|") + "\n")
	}
	if want := "\nWorklist: 6 notes to lock (sheet Worklist); Issues: 16 rows (sheets Issues, Issues (2)); Patients: 9 rows (sheets Patients, Patients (2)).\n"; !strings.Contains(summary.String(), want) {
		t.Errorf("Summary does not say where the long lists are (want %q):\n%s", want, summary.String())
	}
	for _, sh := range []string{"Issues", "Issues (2)"} {
		want := "Issues: 16 rows on sheets Issues, Issues (2). Not printed with the workbook: to print, filter the table (to one clinician, say), " +
			"select its rows and print the selection (Excel: Print Selection; LibreOffice: Selected cells)."
		if got := cell(t, f, sh, "A1"); got != want {
			t.Errorf("%s note %q, want %q", sh, got, want)
		}
		if area := definedName(t, f, "_xlnm.Print_Area", sh); area != "'"+sh+"'!$A$1:$I$1" {
			t.Errorf("%s prints %q, want its note only (over the columns A..I of one page)", sh, area)
		}
	}
	var run strings.Builder
	for _, row := range rows(t, f, SheetRun, false) {
		run.WriteString(strings.Join(row, "|") + "\n")
	}
	if want := "Issues|16 rows: more than Excel's 10 rows per sheet, continued on sheets Issues, Issues (2)"; !strings.Contains(run.String(), want) {
		t.Errorf("Run sheet does not say where Issues continue (want %q):\n%s", want, run.String())
	}
	items := 0
	for _, sh := range []string{"Worklist"} {
		rs := listRows(t, f, sh, false)
		if len(rs)+listNoteRows > sheetRowLimit {
			t.Errorf("%s has %d rows, limit %d", sh, len(rs)+listNoteRows, sheetRowLimit)
		}
		for _, row := range rs {
			if len(row) > 3 && strings.HasPrefix(row[3], "2025-") {
				items++
			}
		}
	}
	if items != 6 {
		t.Errorf("%d worklist items across sheets, want 6", items)
	}
}

// TestXLSXEmpty encodes a result with nothing in it: the workbook must still open.
func TestXLSXEmpty(t *testing.T) {
	r := &measure.Result{Config: testResult().Config}
	_, f := writeXLSX(t, r)
	if got := len(f.GetSheetList()); got != 8 {
		t.Errorf("%d sheets, want 8", got)
	}
}

// TestXLSXHostileStrings feeds control characters, markup and 10 KB strings through
// every sheet: the workbook must open and every XML part must be well-formed.
func TestXLSXHostileStrings(t *testing.T) {
	r := testResult()
	nasty := "Ann\x00\x01\x1b[31m<b>&amp;</b>\u2028\uFFFE" + strings.Repeat("x", 10<<10)
	r.Entities[0].Clinician = nasty
	is := issuesOf(r)
	is[0].Clinician, is[0].MRN = nasty, nasty
	r = withIssues(r, is)
	outs := outcomesOf(r)
	outs[0].FirstName, outs[0].LastName = nasty, "_x0041_"
	r = withOutcomes(r, outs)
	r.Statuses[0].Status = nasty
	r.Findings[1].Status, r.Findings[1].Message = nasty, nasty
	data, f := writeXLSX(t, r)
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range z.File {
		if !strings.HasSuffix(zf.Name, ".xml") && !strings.HasSuffix(zf.Name, ".rels") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s is not well-formed XML: %v", zf.Name, err)
				break
			}
		}
		rc.Close()
	}
	if got := cell(t, f, SheetPatients, "G3"); got != "_x0041_" { // under the note and the header
		t.Errorf("a name that looks like an OOXML escape came back as %q", got)
	}
}

// TestXLSXArchivePaths: the archive streamed to the writer and the buffered one
// excelize writes itself (taken when a part needs ZIP64) hold the same parts, byte for
// byte once uncompressed ([Content_Types].xml, whose Default elements excelize writes in
// map order, compared as a set of elements).
func TestXLSXArchivePaths(t *testing.T) {
	parts := func(data []byte) map[string]string {
		t.Helper()
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("not a zip archive: %v", err)
		}
		out := map[string]string{}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				t.Fatalf("open %s: %v", zf.Name, err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("read %s: %v", zf.Name, err)
			}
			if zf.Name == "[Content_Types].xml" {
				// excelize writes its Default elements in map order: compare them as a set.
				els := strings.Split(string(b), "<")
				slices.Sort(els)
				b = []byte(strings.Join(els, "<"))
			}
			out[zf.Name] = string(b)
		}
		return out
	}
	r := testResult()
	plain, _ := writeXLSX(t, r)
	defer func(n int64) { zip64Threshold = n }(zip64Threshold)
	zip64Threshold = 0 // every big sheet's part counts as one over 4 GiB
	big, _ := writeXLSX(t, r)
	want := parts(plain)
	if len(want) < 10 {
		t.Fatalf("archive has only %d parts", len(want))
	}
	if diff := cmp.Diff(want, parts(big)); diff != "" {
		t.Errorf("the parts differ with ZIP64 headers (-plain +zip64):\n%s", diff)
	}
	// The big sheets' local headers say version 4.5 (Excel wants it for ZIP64), the
	// others 2.0; without the threshold, every one says 2.0.
	versions := func(data []byte) map[string]uint16 {
		out := map[string]uint16{}
		for i := 0; i+30 < len(data); {
			j := bytes.Index(data[i:], []byte("PK\x03\x04"))
			if j < 0 {
				break
			}
			h := data[i+j:]
			n := int(binary.LittleEndian.Uint16(h[26:28]))
			out[string(h[30:30+n])] = binary.LittleEndian.Uint16(h[4:6])
			i += j + 30 + n
		}
		return out
	}
	// The big sheets' parts, by name: workbook.xml names each sheet's relationship id,
	// its relationships file the part.
	sheetOf := map[string]string{}
	pb := parts(big)
	ids := map[string]string{}
	for _, m := range regexp.MustCompile(`<sheet name="([^"]+)" sheetId="\d+" r:id="([^"]+)"`).FindAllStringSubmatch(pb["xl/workbook.xml"], -1) {
		ids[m[2]] = m[1]
	}
	for _, m := range regexp.MustCompile(`Id="([^"]+)"[^>]*Target="(worksheets/[^"]+)"`).FindAllStringSubmatch(pb["xl/_rels/workbook.xml.rels"], -1) {
		if name := ids[m[1]]; strings.HasPrefix(name, SheetIssues) || strings.HasPrefix(name, SheetPatients) || strings.HasPrefix(name, SheetWorklist) {
			sheetOf["xl/"+m[2]] = "big"
		}
	}
	vb, vp := versions(big), versions(plain)
	if len(vb) != len(want) || len(sheetOf) < 3 {
		t.Fatalf("read %d local headers of %d parts, %d big sheets", len(vb), len(want), len(sheetOf))
	}
	for name, v := range vb {
		if wantV := map[bool]uint16{true: 45, false: 20}[sheetOf[name] == "big"]; v != wantV || vp[name] != 20 {
			t.Errorf("%s: local header version %d (%d without ZIP64), want %d (20)", name, v, vp[name], wantV)
		}
	}
}

// TestXLSXProgress: the workbook reports its big-sheet rows as it writes them, ending
// at the total (issue rows + patient rows + worklist items).
func TestXLSXProgress(t *testing.T) {
	r := testResult()
	var calls [][2]int
	o := testOptions
	o.Progress = func(done, total int) { calls = append(calls, [2]int{done, total}) }
	var b bytes.Buffer
	if err := XLSX(&b, r, o); err != nil {
		t.Fatal(err)
	}
	items := 0
	for _, c := range worklist(r, "").Clinicians {
		items += c.Notes
	}
	total := r.IssueCount() + r.OutcomeCount() + items
	if len(calls) < 2 || calls[0] != [2]int{0, total} || calls[len(calls)-1] != [2]int{total, total} {
		t.Errorf("progress calls %v, want from {0 %d} to {%d %d}", calls, total, total, total)
	}
}

// TestXLSXTrend: the Trend sheet holds each entity's rate at every cutoff, as in the
// JSON trend table, and a line chart over those cells.
func TestXLSXTrend(t *testing.T) {
	r := testResult()
	data, f := writeXLSX(t, r)
	ts := rows(t, f, SheetTrend, true)
	head := ts[2]
	if diff := cmp.Diff([]string{"Level", "TIN", "NPI", "Clinician"}, head[:4]); diff != "" {
		t.Errorf("Trend header (-want +got):\n%s", diff)
	}
	// The cutoffs are labels the chart's axis shows as they are: month-ends, not the
	// first of each month a date axis would show.
	for k, c := range r.Trend.Cutoffs {
		if want := c.Time().Format("Jan 2"); head[4+k] != want {
			t.Errorf("cutoff %d: %q, want %q", k, head[4+k], want)
		}
	}
	for i, e := range r.Entities {
		row := ts[3+i]
		if row[0] != string(e.Level) || row[1] != e.TIN {
			t.Errorf("row %d: %q, want %s %s", i, row[:2], e.Level, e.TIN)
		}
		for k, p := range r.Trend.Points[i] {
			if got, _ := strconv.ParseFloat(row[4+k], 64); got != p.Rate {
				t.Errorf("%s %s at %s: %q, want %v", e.Level, e.NPI, r.Trend.Cutoffs[k], row[4+k], p.Rate)
			}
		}
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, zf := range z.File {
		if strings.HasPrefix(zf.Name, "xl/charts/") {
			rc, _ := zf.Open()
			var b bytes.Buffer
			b.ReadFrom(rc)
			rc.Close()
			if strings.Contains(b.String(), "<lineChart>") && strings.Contains(b.String(), "Trend!$E$4:$G$4") {
				lines++
			}
		}
	}
	if lines != 1 {
		t.Errorf("%d line charts over the Trend rows, want 1", lines)
	}
}

func mustColumn(n int) string {
	c, err := excelize.ColumnNumberToName(n)
	if err != nil {
		panic(err)
	}
	return c
}

// cellOr is row[i], "" past the row's end (excelize drops empty trailing cells).
func cellOr(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// TestXLSXFilterCounts: under --tin the Run sheet's data counts add the filter's own.
func TestXLSXFilterCounts(t *testing.T) {
	r := testResult()
	c := *r
	c.Config.TIN = tinA
	c.Counts.InFilter = measure.FilterCounts{Patients: 4, SeenVisits: 9, TimelyVisits: 6, PendingVisits: 1}
	_, f := writeXLSX(t, &c)
	var text strings.Builder
	for _, row := range rows(t, f, SheetRun, false) {
		text.WriteString(strings.Join(row, "|") + "\n")
	}
	for _, want := range []string{"Patients in the filter|4", "Seen visits in the filter|9", "Timely visits in the filter|6", "Pending visits in the filter|1"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("Run sheet lacks %q:\n%s", want, text.String())
		}
	}
}
