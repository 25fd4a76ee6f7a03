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
	// Progress, when not nil, is told how many of the workbook's big-sheet rows have
	// been written (XLSX only; for a progress bar on a terminal).
	Progress func(done, total int)
	// Registry is the practice's answers for the other PI measures (the configuration's
	// registry block), nil when it has none: with it every format leads with the
	// estimated PI category score (SPEC §5).
	Registry *category.Answers

	// Evidence is the patient API evidence (mipspi report --evidence, SPEC §6); nil = none.
	Evidence *measure.APIEvidence
	// Fingerprint identifies the database the report was read from, for the JSON report,
	// so that `mipspi combine` can refuse the same source twice (SPEC §7). Nil: omitted.
	Fingerprint *measure.Fingerprint
	// PseudonymKeyID is KeyID of the key the report was pseudonymised with ("" when it
	// was not), written in the JSON report (SPEC §7).
	PseudonymKeyID string
	// Combined is set when the Result was added up from several reports by `mipspi
	// combine` (SPEC §7): every format then states the method and lists the sources.
	Combined *Combined
}

// Combined describes a combined report (SPEC §7).
type Combined struct {
	Name    string           // the APM Entity's name (--name)
	Match   string           // "none" or "patients"
	Method  string           // the sentence saying how patients were counted
	Sources []CombinedSource // in the order given
}

// CombinedSource is one report that went into a combined report.
type CombinedSource struct {
	File     string               // as named on the command line
	Source   *measure.Fingerprint // nil when the report has none (written by an older mipspi)
	AsOf     string
	Version  string
	Entities int // entity rows read
}
