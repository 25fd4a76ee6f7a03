package reports

// Printing the workbook (issue 17): billing staff print the Summary for a meeting and
// the worklist for each clinician. Every sheet prints landscape, one page wide (as many
// pages tall as it needs), with its header row repeated on every page; the Summary
// prints the entity table and its chart, not the chart's data.
//
// The settings are made on the empty sheet before excelize's StreamWriter opens it: the
// stream writer copies the sheet's page setup into its output, whereas setting it on a
// streamed sheet afterwards would read the whole sheet back into memory.

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// printSetup makes sheet print landscape, fit to one page wide.
func printSetup(f *excelize.File, sheet string) error {
	landscape, one, auto := "landscape", 1, 0
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("%s: fit to page: %w", sheet, err)
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{
		Orientation: &landscape, FitToWidth: &one, FitToHeight: &auto,
	}); err != nil {
		return fmt.Errorf("%s: page layout: %w", sheet, err)
	}
	return nil
}

// printTitles repeats rows first..last of sheet at the top of every printed page.
func printTitles(f *excelize.File, sheet string, first, last int) error {
	return f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: fmt.Sprintf("%s!$%d:$%d", quoteSheet(sheet), first, last),
	})
}

// printArea limits what prints of sheet to the cells from..to ("A1", "O12").
func printArea(f *excelize.File, sheet, from, to string) error {
	abs := func(cell string) string {
		col, row, _ := excelize.SplitCellName(cell)
		return fmt.Sprintf("$%s$%d", col, row)
	}
	return f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Area", Scope: sheet,
		RefersTo: fmt.Sprintf("%s!%s:%s", quoteSheet(sheet), abs(from), abs(to)),
	})
}

// quoteSheet quotes a sheet name for a formula reference ('Issues (2)').
func quoteSheet(sheet string) string {
	return "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
}
