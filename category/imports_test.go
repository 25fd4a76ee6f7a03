package category

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The estimate must stay pure like measure (SPEC §5, package doc): no I/O, no clock,
// no database, and nothing from reports or cmd. Its non-standard closure is measure's
// (measure, calendar, rickar/cal) plus itself.

var forbiddenImports = map[string]bool{
	"database/sql": true, "net": true, "net/http": true, "os": true, "os/exec": true,
	"io/ioutil": true, "syscall": true, "log": true, "log/slog": true, "path/filepath": true,
}

var allowedPackages = []string{
	"github.com/mipspi/mipspi/category",
	"github.com/mipspi/mipspi/measure",
	"github.com/mipspi/mipspi/calendar",
	"github.com/rickar/cal/v2",
}

type listed struct {
	ImportPath string
	Standard   bool
	Imports    []string
}

func violations(pkgs []listed) []string {
	var out []string
	for _, p := range pkgs {
		if p.Standard {
			continue
		}
		if !slices.ContainsFunc(allowedPackages, func(a string) bool { return p.ImportPath == a || strings.HasPrefix(p.ImportPath, a+"/") }) {
			out = append(out, "unexpected package in the closure: "+p.ImportPath)
		}
		for _, imp := range p.Imports {
			if forbiddenImports[imp] {
				out = append(out, p.ImportPath+" imports "+imp)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestImportsArePure(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(gobin, "list", "-deps", "-json", "github.com/mipspi/mipspi/category")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listed
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if !slices.ContainsFunc(pkgs, func(p listed) bool { return p.ImportPath == "github.com/mipspi/mipspi/category" }) {
		t.Fatalf("go list did not list category itself")
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
	// The check can fail.
	bad := violations([]listed{
		{ImportPath: "github.com/mipspi/mipspi/reports", Imports: []string{"os"}},
		{ImportPath: "github.com/mipspi/mipspi/category", Imports: []string{"net/http"}},
	})
	if len(bad) != 3 {
		t.Errorf("import check found %q in a closure with reports, os and net/http, want 3 violations", bad)
	}
}

// TestNoClock: the estimate never reads the clock or the local zone.
func TestNoClock(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" && slices.Contains([]string{"Now", "Local", "Since", "Until"}, sel.Sel.Name) {
					t.Errorf("%s reads the clock: time.%s", name, sel.Sel.Name)
				}
			}
			return true
		})
	}
}
