package purity

import (
	"strings"
	"testing"
)

// The checks must be able to fail.
func TestViolations(t *testing.T) {
	pkgs := []Package{
		{ImportPath: "fmt", Standard: true, Imports: []string{"os"}}, // std internals are fine
		{ImportPath: "github.com/mipspi/mipspi/measure", Imports: []string{"database/sql", "net/mail", "time"}},
		{ImportPath: "github.com/mipspi/mipspi/calendar", Imports: []string{"os/exec"}},
		{ImportPath: "github.com/uptrace/bun", Imports: []string{"net"}},
	}
	got := Violations(pkgs, []string{"github.com/mipspi/mipspi/measure", "github.com/mipspi/mipspi/calendar"})
	want := []string{
		"github.com/mipspi/mipspi/calendar imports os/exec",
		"github.com/mipspi/mipspi/measure imports database/sql",
		"github.com/uptrace/bun imports net",
		"unexpected non-standard package in the closure: github.com/uptrace/bun",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestClockUses(t *testing.T) {
	got, err := ClockUses("x.go", []byte("package x\nimport \"time\"\nvar n = time.Now()\nvar l = time.Local\nvar d = time.Duration(1)\n"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "time.Now time.Local" {
		t.Errorf("clock uses %q, want time.Now and time.Local", got)
	}
}

func TestClosure(t *testing.T) {
	pkgs, err := Closure("github.com/mipspi/mipspi/calendar")
	if err != nil {
		t.Fatal(err)
	}
	if v := Violations(pkgs, []string{"github.com/mipspi/mipspi/calendar"}); len(v) == 0 {
		t.Errorf("calendar's closure holds rickar/cal, which an allow-list of calendar alone must report")
	}
}

// A deciding package that imports a keeping package itself is reported; the same
// import inside the standard library is not.
func TestDirectImports(t *testing.T) {
	pkgs := []Package{
		{ImportPath: "fmt", Standard: true, Imports: []string{"io"}},
		{ImportPath: "github.com/mipspi/mipspi/measure", Imports: []string{"bufio", "fmt", "io", "iter"}},
		{ImportPath: "github.com/mipspi/mipspi/calendar", Imports: []string{"encoding/binary"}},
	}
	got := DirectImports(pkgs, "github.com/mipspi/mipspi/measure", KeepingImports)
	want := "github.com/mipspi/mipspi/measure imports bufio\ngithub.com/mipspi/mipspi/measure imports io"
	if strings.Join(got, "\n") != want {
		t.Errorf("direct imports:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}
