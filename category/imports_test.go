package category

import (
	"testing"

	"github.com/mipspi/mipspi/internal/purity"
)

// The estimate must stay pure like measure (SPEC §5, package doc): no I/O, no clock,
// no database, and nothing from reports or cmd. Its non-standard closure is measure's
// (measure, calendar, rickar/cal) plus itself.

func TestImportsArePure(t *testing.T) {
	purity.CheckImports(t, []string{
		"github.com/mipspi/mipspi/category",
		"github.com/mipspi/mipspi/measure",
		"github.com/mipspi/mipspi/calendar",
		"github.com/mipspi/mipspi/internal/sanitize", // through measure
		"github.com/rickar/cal/v2",
	}, "github.com/mipspi/mipspi/category")
}

func TestNoClock(t *testing.T) {
	purity.CheckNoClock(t, ".")
}
