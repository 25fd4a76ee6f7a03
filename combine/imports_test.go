package combine

import (
	"testing"

	"github.com/mipspi/mipspi/internal/purity"
)

// Combining is domain logic beside measure (package doc): it reads from an io.Reader
// and never opens files, the network or a database, never reads the clock, and imports
// no mipspi package but measure, calendar and the JSON report's wire types (never ehr,
// reports or cmd).

func TestImportsArePure(t *testing.T) {
	purity.CheckImports(t, []string{
		"github.com/mipspi/mipspi/combine",
		"github.com/mipspi/mipspi/measure",
		"github.com/mipspi/mipspi/calendar",
		"github.com/mipspi/mipspi/internal/sanitize", // through measure
		"github.com/mipspi/mipspi/reports/wire",      // the JSON report's wire types, shared with reports
		"github.com/rickar/cal/v2",
	}, "github.com/mipspi/mipspi/combine")
}

func TestNoClock(t *testing.T) {
	purity.CheckNoClock(t, ".")
}
