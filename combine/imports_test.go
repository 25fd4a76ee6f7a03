package combine

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPure: combining is domain logic beside measure (package doc): it reads from an
// io.Reader and never opens files, the network or a database, never reads the clock,
// and imports no mipspi package but measure and calendar (never ehr, reports or cmd).
func TestPure(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := map[string]bool{"os": true, "net": true, "net/http": true, "database/sql": true, "log": true, "log/slog": true, "syscall": true, "path/filepath": true}
	allowed := map[string]bool{"github.com/mipspi/mipspi/measure": true, "github.com/mipspi/mipspi/calendar": true}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		checked++
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if forbidden[p] || (strings.Contains(strings.Split(p, "/")[0], ".") && !allowed[p]) {
				t.Errorf("%s imports %s", f, p)
			}
		}
		ast.Inspect(af, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "time" && sel.Sel.Name == "Now" {
					t.Errorf("%s reads the clock (time.Now)", f)
				}
			}
			return true
		})
	}
	if checked < 4 {
		t.Errorf("only %d files checked", checked)
	}
}
