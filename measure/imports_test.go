package measure

import (
	"testing"

	"github.com/mipspi/mipspi/internal/purity"
)

// The rules must stay pure (STYLE.md, package docs): no database, network, OS, ORM or
// logging packages in measure/ and calendar/, nor in any non-standard package they pull
// in (calendar's holiday rules and internal/sanitize, standard library only); no read
// of the clock or the local zone (the as-of instant and zones are passed in).

func TestImportsArePure(t *testing.T) {
	purity.CheckImports(t, []string{
		"github.com/mipspi/mipspi/measure",
		"github.com/mipspi/mipspi/calendar",
		"github.com/mipspi/mipspi/internal/sanitize", // the one rule of unsafe text, standard library only
		"github.com/rickar/cal/v2",
	}, "github.com/mipspi/mipspi/measure", "github.com/mipspi/mipspi/calendar")
}

// measure decides and publishes; the rows it publishes are kept by a RowStore (package
// rowstore owns temporary files, codecs and offsets), so it reads and writes no bytes.
func TestKeepsNoRows(t *testing.T) {
	purity.CheckDirectImports(t, "github.com/mipspi/mipspi/measure", purity.KeepingImports)
}

func TestNoClock(t *testing.T) {
	purity.CheckNoClock(t, ".", "../calendar")
}
