package main

// Reports keep at most rowstore.DefaultRows issue rows in memory (memory must not grow
// with the issue rows), and as many drill-down outcomes; the rest wait in a temporary
// file each. A file is made only when a report has that many rows, mode 0600, in
// $TMPDIR, and has no name from the moment it exists (removed at once on Unix;
// elsewhere when the report ends), so an interrupted or killed run leaves nothing
// behind.

import (
	"os"
	"strconv"

	"github.com/mipspi/mipspi/internal/rowstore"
	"github.com/mipspi/mipspi/measure"
)

// spillRows is the in-memory threshold (0: rowstore.DefaultRows, or
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

// rowStores are the stores of one evaluation's issue rows and drill-down, which the
// caller closes once the report is written.
type rowStores struct {
	issues   *rowstore.Store[measure.Issue]
	outcomes *rowstore.Store[measure.Outcome]
}

func newRowStores() *rowStores {
	o := rowstore.Options{Rows: spillThreshold()}
	s := &rowStores{issues: rowstore.Issues(o), outcomes: rowstore.Outcomes(o)}
	storesMade(s)
	return s
}

// Close removes the stores' files.
func (s *rowStores) Close() error {
	err := s.issues.Close()
	if oerr := s.outcomes.Close(); err == nil {
		err = oerr
	}
	return err
}

// storesMade lets tests see the stores of a run.
var storesMade = func(*rowStores) {}
