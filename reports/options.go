package reports

import (
	"time"

	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/measure"
)

// Options carries what a report states about its own making. None of it changes a figure.
type Options struct {
	Version   string    // mipspi version, for the Run sheet and the JSON report (omitted when "")
	Source    string    // redacted database description (host, port, database; never a password)
	Generated time.Time // when the report was made; passed in, never read from the clock here
	// Registry is the practice's answers for the other PI measures (the configuration's
	// registry block), nil when it has none: with it every format leads with the
	// estimated PI category score (SPEC §5).
	Registry *category.Answers

	// Evidence is the patient API evidence (mipspi report --evidence, SPEC §6); nil = none.
	Evidence *measure.APIEvidence
}
