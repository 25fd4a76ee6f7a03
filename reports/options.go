package reports

import (
	"time"

	"github.com/mipspi/mipspi/measure"
)

// Options carries what a report states about its own making. None of it changes a figure.
type Options struct {
	Version   string    // mipspi version, for the Run sheet and the JSON report (omitted when "")
	Source    string    // redacted database description (host, port, database; never a password)
	Generated time.Time // when the report was made; passed in, never read from the clock here

	// Evidence is the patient API evidence (mipspi report --evidence, SPEC §6); nil = none.
	Evidence *measure.APIEvidence
}
