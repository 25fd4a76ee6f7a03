package measure

import (
	"testing"

	"github.com/mipspi/mipspi/internal/purity"
)

// The rules must stay pure (STYLE.md, package docs): no database, network, OS, ORM or
// logging packages in measure/ and calendar/, nor in any non-standard package they pull
// in; no read of the clock or the local zone (the as-of instant and zones are passed in).

func TestImportsArePure(t *testing.T) {
	purity.CheckImports(t, []string{
		"github.com/mipspi/mipspi/measure",
		"github.com/mipspi/mipspi/calendar",
		"github.com/rickar/cal/v2",
	}, "github.com/mipspi/mipspi/measure", "github.com/mipspi/mipspi/calendar")
}

func TestNoClock(t *testing.T) {
	purity.CheckNoClock(t, ".", "../calendar")
}
