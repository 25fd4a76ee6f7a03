package measure

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
	"sort"
	"strings"
	"testing"
)

// The rules must stay pure (STYLE.md, package docs): no database, network, OS, ORM or
// logging packages in measure/ and calendar/, nor in any non-standard package they pull
// in. Standard-library packages are not looked into (fmt imports os internally; that
// is not measure reading files). net/mail is allowed: it only parses addresses.

// forbiddenImports may not be imported directly by measure, calendar or any
// non-standard package they depend on.
var forbiddenImports = map[string]bool{
	"database/sql": true, "database/sql/driver": true,
	"net": true, "net/http": true, "net/http/httputil": true, "net/rpc": true, "net/smtp": true,
	"crypto/tls": true,
	"os":         true, "os/exec": true, "os/signal": true, "os/user": true,
	"io/ioutil": true, "syscall": true, "plugin": true,
	"log": true, "log/slog": true,
}

// forbiddenModules may not appear anywhere in the dependency closure.
var forbiddenModules = []string{
	"github.com/uptrace/bun",
	"github.com/lib/pq",
	"github.com/jackc/",
	"github.com/mattn/go-sqlite3",
	"modernc.org/",
	"github.com/urfave/cli",
}

// allowedModules are the only non-standard packages the closure may contain.
var allowedModules = []string{
	"github.com/mipspi/mipspi/measure",
	"github.com/mipspi/mipspi/calendar",
	"github.com/rickar/cal/v2",
}

type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
}

// importViolations checks a `go list -deps -json` closure.
func importViolations(pkgs []listedPackage) []string {
	var out []string
	for _, p := range pkgs {
		if p.Standard {
			continue
		}
		for _, m := range forbiddenModules {
			if strings.HasPrefix(p.ImportPath, m) {
				out = append(out, "forbidden package in the closure: "+p.ImportPath)
			}
		}
		allowed := false
		for _, m := range allowedModules {
			if p.ImportPath == m || strings.HasPrefix(p.ImportPath, m+"/") {
				allowed = true
			}
		}
		if !allowed {
			out = append(out, "unexpected non-standard package in the closure: "+p.ImportPath)
		}
		for _, imp := range p.Imports {
			if forbiddenImports[imp] {
				out = append(out, p.ImportPath+" imports "+imp)
			}
		}
	}
	sort.Strings(out)
	return out
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func TestImportsArePure(t *testing.T) {
	cmd := exec.Command(goTool(), "list", "-deps", "-json",
		"github.com/mipspi/mipspi/measure", "github.com/mipspi/mipspi/calendar")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 2 {
		t.Fatalf("go list returned %d packages, want at least measure and calendar", len(pkgs))
	}
	for _, v := range importViolations(pkgs) {
		t.Error(v)
	}
}

// TestImportCheckCatches makes sure the check above can fail.
func TestImportCheckCatches(t *testing.T) {
	pkgs := []listedPackage{
		{ImportPath: "fmt", Standard: true, Imports: []string{"os"}}, // std internals are fine
		{ImportPath: "github.com/mipspi/mipspi/measure", Imports: []string{"database/sql", "net/mail", "time"}},
		{ImportPath: "github.com/mipspi/mipspi/calendar", Imports: []string{"os/exec"}},
		{ImportPath: "github.com/uptrace/bun", Imports: []string{"net"}},
	}
	got := importViolations(pkgs)
	want := []string{
		"forbidden package in the closure: github.com/uptrace/bun",
		"github.com/mipspi/mipspi/calendar imports os/exec",
		"github.com/mipspi/mipspi/measure imports database/sql",
		"github.com/uptrace/bun imports net",
		"unexpected non-standard package in the closure: github.com/uptrace/bun",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNoClock checks that measure and calendar never read the clock or the local zone
// (the as-of instant and zones are passed in).
func TestNoClock(t *testing.T) {
	for _, dir := range []string{".", "../calendar"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, use := range clockUses(t, f, src) {
				t.Errorf("%s reads the clock or local zone: %s", f, use)
			}
		}
	}
	if got := clockUses(t, "x.go", []byte("package x\nimport \"time\"\nvar n = time.Now()\nvar l = time.Local\n")); len(got) != 2 {
		t.Errorf("clock check found %v in a file using time.Now and time.Local, want both", got)
	}
}

func clockUses(t *testing.T, name string, src []byte) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	var uses []string
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" {
				switch sel.Sel.Name {
				case "Now", "Local", "Since", "Until":
					uses = append(uses, "time."+sel.Sel.Name)
				}
			}
		}
		return true
	})
	return uses
}
