package main

// Progress while the workbook is written (issue 17): at a health system's size the
// workbook takes a while after the figures are known; a bar on stderr (only on a
// terminal, like the reading bar) shows the big sheets' rows as they are written.

import (
	"io"

	"github.com/schollz/progressbar/v3"
)

// xlsxProgress returns a reports.Options.Progress drawing a bar on w, and a function
// that clears it when the workbook is done.
func xlsxProgress(w io.Writer) (func(done, total int), func()) {
	var bar *progressbar.ProgressBar
	progress := func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions64(int64(total),
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription("writing workbook"),
				progressbar.OptionShowCount(),
				progressbar.OptionSetItsString("rows"),
				progressbar.OptionShowIts(),
				progressbar.OptionClearOnFinish(),
			)
		}
		_ = bar.Set64(int64(done))
	}
	clear := func() {
		if bar != nil {
			_ = bar.Finish()
			_ = bar.Clear()
		}
	}
	return progress, clear
}
