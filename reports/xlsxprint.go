package reports

// Printing the workbook: billing staff print the summaries for a meeting, clinicians
// their part of the worklist. Every sheet prints landscape on Letter paper at a scale
// chosen from its column widths so that its 11-point text prints at 8 points or more
// (columns that do not fit continue on the next page, the identifying columns
// repeated), with its header row repeated on every page and tall enough for its
// wrapped names. The long lists (Issues, Patients, Worklist) are not in the workbook's
// print: their print area is a note above the table saying how to print them (filter,
// select, print the selection), and the Summary says where they are.
//
// The settings are made on the empty sheet before excelize's StreamWriter opens it: the
// stream writer copies the sheet's page setup into its output, whereas setting it on a
// streamed sheet afterwards would read the whole sheet back into memory.

import (
	"fmt"
	"math"
	"strings"

	"github.com/xuri/excelize/v2"
)

const (
	// printMargin is the left and right page margin (inches).
	printMargin = 0.5
	// printWidthPx is the width a Letter landscape page prints inside its margins, in
	// pixels at 100% (96 per inch).
	printWidthPx = (11 - 2*printMargin) * 96
	// printTopMargin is the top and bottom page margin (inches).
	printTopMargin = 0.6
	// printHeightPt is the height a Letter landscape page prints inside its top and
	// bottom margins, in points at 100%.
	printHeightPt = (8.5 - 2*printTopMargin) * 72
	// minPrintScale is the smallest scale (%) a sheet prints at: the workbook's
	// 11-point text then prints at 8.25 points. Columns that do not fit continue on
	// the next page.
	minPrintScale = 75
	// lineHeight is the height (points) of one line of 11-point text in a row.
	lineHeight = 15
	// charPx is the width in pixels of one character of column width as the widest
	// application draws it: a column's width counts digits of the default font, Calibri
	// (7 pixels at 11 points) in Excel, but where Calibri is missing LibreOffice
	// measures, and draws, with its substitute, DejaVu Sans (9.3 pixels). Sheets are
	// laid out for the wider, so they print whole in either.
	charPx = 9.4
)

// colPx is the width in pixels of a column of width w.
func colPx(w float64) float64 { return w * charPx }

// pageChars is how many characters of column width print on one page at scale (%).
func pageChars(scale int) float64 { return printWidthPx * 100 / float64(scale) / charPx }

// printScale is the scale (%) at which the widest of blocks (the column widths of
// what prints side by side on one page) fits the page, between minPrintScale and 100.
func printScale(blocks ...[]float64) int {
	widest := 0.0
	for _, b := range blocks {
		px := 0.0
		for _, w := range b {
			px += colPx(w)
		}
		widest = max(widest, px)
	}
	if widest == 0 {
		return 100
	}
	// 1% spare: applications round column widths a little differently.
	s := int(math.Floor(printWidthPx * 0.99 / widest * 100))
	return min(max(s, minPrintScale), 100)
}

// printSetup makes sheet print landscape on Letter paper at scale (%), the pages of a
// sheet wider than one page in row order (all of a row's columns before the next rows).
func printSetup(f *excelize.File, sheet string, scale int) error {
	landscape, order, letter := "landscape", "overThenDown", 1
	s := uint(scale)
	fit := false
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("%s: page setup: %w", sheet, err)
	}
	side, top, edge := printMargin, printTopMargin, 0.3
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
		Left: &side, Right: &side, Top: &top, Bottom: &top, Header: &edge, Footer: &edge,
	}); err != nil {
		return fmt.Errorf("%s: page margins: %w", sheet, err)
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Size: &letter, Orientation: &landscape, AdjustTo: &s, PageOrder: &order,
	}); err != nil {
		return fmt.Errorf("%s: page layout: %w", sheet, err)
	}
	return nil
}

// printTitles repeats rows first..last of sheet at the top of every printed page, and
// columns cols ("B:D", or "" for none) at the left of every page.
func printTitles(f *excelize.File, sheet string, first, last int, cols string) error {
	ref := fmt.Sprintf("%s!$%d:$%d", quoteSheet(sheet), first, last)
	if cols != "" {
		from, to, _ := strings.Cut(cols, ":")
		ref = fmt.Sprintf("%s!$%s:$%s,%s", quoteSheet(sheet), from, to, ref)
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet, RefersTo: ref})
}

// printArea limits what prints of sheet to the ranges given as pairs of cells
// ("A1", "M40", "N6", "T17"): each range prints on pages of its own.
func printArea(f *excelize.File, sheet string, cells ...string) error {
	abs := func(cell string) string {
		col, row, _ := excelize.SplitCellName(cell)
		return fmt.Sprintf("$%s$%d", col, row)
	}
	var ranges []string
	for i := 0; i+1 < len(cells); i += 2 {
		ranges = append(ranges, fmt.Sprintf("%s!%s:%s", quoteSheet(sheet), abs(cells[i]), abs(cells[i+1])))
	}
	return f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Area", Scope: sheet, RefersTo: strings.Join(ranges, ","),
	})
}

// quoteSheet quotes a sheet name for a formula reference ('Issues (2)').
func quoteSheet(sheet string) string {
	return "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
}

// headerHeight is the height (points) of a header row whose names wrap within columns
// of widths: enough lines for the longest, so the wrapped names do not print over the
// first data row. A bold character is taken as 10 pixels wide, as DejaVu Sans Bold
// draws it (see charPx).
func headerHeight(names []string, widths []float64) float64 {
	lines := 1
	for i, n := range names {
		w := 10.0
		if i < len(widths) {
			w = widths[i]
		}
		lines = max(lines, wrappedLines(n, int(colPx(w)/10)))
	}
	return float64(lines*lineHeight + 3)
}

// wrappedLines is the number of lines s takes wrapped at spaces to lines of at most
// width characters (a longer word takes lines of its own).
func wrappedLines(s string, width int) int {
	width = max(width, 1)
	lines, cur := 0, 0
	for _, word := range strings.Fields(s) {
		n := len([]rune(word))
		switch {
		case cur == 0:
			cur = n
			lines++
		case cur+1+n <= width:
			cur += 1 + n
		default:
			cur = n
			lines++
		}
		for cur > width { // a word longer than the column breaks where it must
			cur -= width
			lines++
		}
	}
	return max(lines, 1)
}
