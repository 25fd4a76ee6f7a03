package reports

import "time"

// Options carries what a report states about its own making. None of it changes a figure.
type Options struct {
	Version   string    // mipspi version, for the Run sheet and the JSON report (omitted when "")
	Source    string    // redacted database description (host, port, database; never a password)
	Generated time.Time // when the report was made; passed in, never read from the clock here
	// Progress, when not nil, is told how many of the workbook's big-sheet rows have
	// been written (XLSX only; for a progress bar on a terminal).
	Progress func(done, total int)
}
