// Package purity lets a test hold a domain package to the house rule (STYLE.md): the
// rules live in pure packages — measure, calendar, category, combine — that do no I/O,
// reach no database, network or logger, and never read the clock or the local zone.
// The as-of instant and the zones are passed in. One checker serves every such package.
package purity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// ForbiddenImports may not be imported by a pure package nor by any non-standard
// package in its closure. Standard-library packages are not looked into (fmt imports os
// internally; that is not measure reading files). net/mail is allowed: it only parses
// addresses.
var ForbiddenImports = map[string]bool{
	"database/sql": true, "database/sql/driver": true,
	"net": true, "net/http": true, "net/http/httputil": true, "net/rpc": true, "net/smtp": true,
	"crypto/tls": true,
	"os":         true, "os/exec": true, "os/signal": true, "os/user": true,
	"io/ioutil": true, "path/filepath": true, "syscall": true, "plugin": true,
	"log": true, "log/slog": true,
}

// Package is one entry of `go list -deps -json`.
type Package struct {
	ImportPath string
	Standard   bool
	Imports    []string
}

// Violations checks a dependency closure: every non-standard package must lie under one
// of allowed (import-path prefixes) and import nothing forbidden. Sorted, one a line.
func Violations(pkgs []Package, allowed []string) []string {
	var out []string
	for _, p := range pkgs {
		if p.Standard {
			continue
		}
		if !slices.ContainsFunc(allowed, func(a string) bool {
			return p.ImportPath == a || strings.HasPrefix(p.ImportPath, a+"/")
		}) {
			out = append(out, "unexpected non-standard package in the closure: "+p.ImportPath)
		}
		for _, imp := range p.Imports {
			if ForbiddenImports[imp] {
				out = append(out, p.ImportPath+" imports "+imp)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Closure lists the dependency closure of the named packages with the go tool.
func Closure(pkgs ...string) ([]Package, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(gobin, append([]string{"list", "-deps", "-json"}, pkgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", strings.Join(pkgs, " "), err, stderr.String())
	}
	var listed []Package
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decode go list output: %w", err)
		}
		listed = append(listed, p)
	}
	for _, want := range pkgs {
		if !slices.ContainsFunc(listed, func(p Package) bool { return p.ImportPath == want }) {
			return nil, fmt.Errorf("go list did not list %s", want)
		}
	}
	return listed, nil
}

// CheckImports fails t for every violation in the closure of pkgs; allowed are the
// non-standard import-path prefixes the closure may hold (the packages themselves
// included).
func CheckImports(t testing.TB, allowed []string, pkgs ...string) {
	t.Helper()
	listed, err := Closure(pkgs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Violations(listed, allowed) {
		t.Error(v)
	}
}

// KeepingImports are the packages of keeping rows — buffers, binary codecs, readers and
// writers — that a deciding package (measure) must not import itself (STYLE 14:
// deciding and keeping are apart; package rowstore keeps).
var KeepingImports = []string{"bufio", "encoding/binary", "io"}

// DirectImports lists the packages of forbidden that pkg imports itself (not through
// the standard library: fmt importing io is not measure doing I/O). Sorted.
func DirectImports(pkgs []Package, pkg string, forbidden []string) []string {
	var out []string
	for _, p := range pkgs {
		if p.ImportPath != pkg {
			continue
		}
		for _, imp := range p.Imports {
			if slices.Contains(forbidden, imp) {
				out = append(out, pkg+" imports "+imp)
			}
		}
	}
	slices.Sort(out)
	return out
}

// CheckDirectImports fails t for every package of forbidden that pkg imports itself.
func CheckDirectImports(t testing.TB, pkg string, forbidden []string) {
	t.Helper()
	listed, err := Closure(pkg)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range DirectImports(listed, pkg, forbidden) {
		t.Error(v)
	}
}

// ClockUses lists the reads of the clock or the local zone in one Go source file:
// time.Now, time.Local, time.Since, time.Until.
func ClockUses(name string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
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
	return uses, nil
}

// CheckNoClock fails t for every read of the clock or the local zone in the non-test
// Go files of dirs, and when dirs hold no such file at all.
func CheckNoClock(t testing.TB, dirs ...string) {
	t.Helper()
	checked := 0
	for _, dir := range dirs {
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
			uses, err := ClockUses(f, src)
			if err != nil {
				t.Fatal(err)
			}
			for _, use := range uses {
				t.Errorf("%s reads the clock or the local zone: %s", f, use)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Errorf("no Go file found in %s", strings.Join(dirs, ", "))
	}
}
