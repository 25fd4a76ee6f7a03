package main

// Reports keep at most measure.DefaultSpillRows issue rows in memory; the rest wait in
// a temporary file (issue 12: memory must not grow with the issue rows). The file is
// made only when a report has that many rows, mode 0600, in $TMPDIR, and has no name
// from the moment it exists (removed at once on Unix; elsewhere when the report ends),
// so an interrupted or killed run leaves nothing behind.

import (
	"os"
	"strconv"

	"github.com/mipspi/mipspi/internal/spill"
)

// spillRows is the in-memory threshold (0: measure.DefaultSpillRows, or
// $MIPSPI_SPILL_ROWS when set to a positive number); tests lower it.
var spillRows = 0

func spillThreshold() int {
	if spillRows > 0 {
		return spillRows
	}
	if n, err := strconv.Atoi(os.Getenv("MIPSPI_SPILL_ROWS")); err == nil && n > 0 {
		return n
	}
	return 0
}

// newSpill sets o.Spill to a temporary file the caller closes.
func newSpill(o *evalOptions) *spill.File {
	f := spill.New("")
	o.Spill = f
	spillMade(f)
	return f
}

// spillMade lets tests see the spill file of a run.
var spillMade = func(*spill.File) {}
