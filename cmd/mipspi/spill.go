package main

// Reports keep at most measure.DefaultSpillRows issue rows in memory (issue 12: memory
// must not grow with the issue rows), and as many drill-down outcomes (issue 17); the
// rest wait in a temporary file each. A file is made only when a report has that many
// rows, mode 0600, in $TMPDIR, and has no name from the moment it exists (removed at
// once on Unix; elsewhere when the report ends), so an interrupted or killed run leaves
// nothing behind.

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

// newSpill sets o.Spill and o.OutcomeSpill to temporary files (the issue rows, the
// patient drill-down) that the caller closes.
func newSpill(o *evalOptions) spillFiles {
	f, g := spill.New(""), spill.New("")
	o.Spill, o.OutcomeSpill = f, g
	spillMade(f, g)
	return spillFiles{f, g}
}

type spillFiles []*spill.File

// Close closes every file.
func (fs spillFiles) Close() error {
	var err error
	for _, f := range fs {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}

// spillMade lets tests see the spill files of a run.
var spillMade = func(issues, outcomes *spill.File) {}
