package main

// Every command the README and docs/ show is run here, with the binary built from this
// tree (docs/development.md, "Examples in the documentation", is the convention):
//
//   - a ```sh block is a shell script run by bash (set -e, pipefail); it must exit 0;
//   - a ```console block holds commands after "$ " and, below each, its real stdout:
//     the command is run (a pipeline's exit is its last command's, as in a terminal) and
//     its output compared line by line ("…" alone on a line stands for any number of
//     lines);
//   - a ```text block is output or prose-like text and is not run;
//   - an HTML comment on the line before a block changes how it runs:
//     <!-- doc-test: skip REASON --> (not run; counted and listed with the reason; skip
//     comes last, its reason runs to the end of the comment),
//     <!-- doc-test: exit N --> (the block must exit N), <!-- doc-test: postgres -->,
//     <!-- doc-test: mariadb --> or <!-- doc-test: openemr --> (every postgres:// or
//     mysql:// DSN in the block is replaced by a test server's database holding the demo
//     practice, or OpenEMR's empty schema), <!-- doc-test: file NAME --> (any block:
//     written to NAME for the blocks after it), several joined by commas.
//
// Each page's blocks run in order in one scratch folder where `mipspi demo` has run:
// mipspi-demo.db, .yaml and .xlsx are there, $MIPSPI_DB is sqlite:mipspi-demo.db, and
// mipspi.yaml is a practice configuration export accepts (testdata/registry/practice.yaml).
// `go run ./cmd/mipspi` runs the built binary; any other go command is refused.

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mipspi/mipspi/internal/mariadbtest"
	"github.com/mipspi/mipspi/internal/pgtest"
)

// docBlock is one fenced block of a Markdown page.
type docBlock struct {
	file   string // relative to the repository root
	line   int    // of the opening fence
	lang   string
	body   string
	marker map[string]string // doc-test options: skip, exit, postgres, mariadb, openemr
}

func (b docBlock) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

var markerLine = regexp.MustCompile(`^<!-- doc-test: (.*) -->$`)

// docPages are README.md and docs/*.md, relative to the repository root.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md"}
	for _, p := range pages {
		out = append(out, filepath.Join("docs", filepath.Base(p)))
	}
	return out
}

// repoRoot is the repository's root, from cmd/mipspi.
var repoRoot = filepath.Join(testdataDir, "..", "..", "..")

// docBlocks reads the fenced blocks (fences at the start of a line) of a page.
func docBlocks(t *testing.T, page string) []docBlock {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, page))
	if err != nil {
		t.Fatal(err)
	}
	var (
		blocks []docBlock
		cur    *docBlock
		body   strings.Builder
		prev   string // the last non-blank line outside a block
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if cur != nil {
			if line == "```" {
				cur.body = body.String()
				blocks = append(blocks, *cur)
				cur = nil
				prev = ""
				continue
			}
			body.WriteString(line + "\n")
			continue
		}
		if lang, ok := strings.CutPrefix(line, "```"); ok {
			cur = &docBlock{file: page, line: n, lang: strings.TrimSpace(lang), marker: map[string]string{}}
			body.Reset()
			if m := markerLine.FindStringSubmatch(prev); m != nil {
				opts, reason, skip := strings.Cut(m[1], "skip")
				if skip { // the reason is the rest of the comment, commas and all
					cur.marker["skip"] = strings.TrimSpace(reason)
				}
				for _, opt := range strings.Split(opts, ",") {
					if k, v, _ := strings.Cut(strings.TrimSpace(opt), " "); k != "" {
						cur.marker[k] = strings.TrimSpace(v)
					}
				}
			}
			continue
		}
		if strings.TrimSpace(line) != "" {
			prev = line
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: a fenced block is never closed", page, cur.line)
	}
	return blocks
}

// built is the mipspi binary built from this tree, once per test run.
var built struct {
	once sync.Once
	dir  string // holds mipspi and the go shim
	err  error
}

// buildMipspi builds cmd/mipspi with the go command (the VCS stamp as a user's build has
// it) into a folder holding it and a `go` shim for `go run ./cmd/mipspi`.
func buildMipspi(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "mipspi-docs-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		cmd := exec.Command("go", "build", "-buildvcs=auto", "-o", filepath.Join(dir, "mipspi"), ".")
		cmd.Dir = filepath.Join(repoRoot, "cmd", "mipspi")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./cmd/mipspi: %v\n%s", err, out)
			return
		}
		shim := "#!/bin/sh\n" +
			"# the docs test's go: `go run ./cmd/mipspi ARGS` runs the binary built from this tree\n" +
			"if [ \"$1\" = run ] && [ \"$2\" = ./cmd/mipspi ]; then shift 2; exec \"" + filepath.Join(dir, "mipspi") + "\" \"$@\"; fi\n" +
			"echo \"docs test: only 'go run ./cmd/mipspi' is run; mark this block <!-- doc-test: skip REASON -->\" >&2\nexit 97\n"
		built.err = os.WriteFile(filepath.Join(dir, "go"), []byte(shim), 0o755)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.dir
}

// docServers are the test servers' databases the marked blocks use, made on first need.
type docServers struct {
	t                       *testing.T
	pg, mariadb, openemrDSN string
}

func (s *docServers) postgres() string {
	if s.pg == "" {
		s.pg = pgtest.NewDatabase(s.t)
		loadDemo(s.t, s.pg)
	}
	return s.pg
}

func (s *docServers) maria() string {
	if s.mariadb == "" {
		s.mariadb = mariadbtest.NewDatabase(s.t)
		loadDemo(s.t, s.mariadb)
	}
	return s.mariadb
}

func (s *docServers) openemr() string {
	if s.openemrDSN == "" {
		s.openemrDSN = mariadbtest.NewOpenEMR(s.t)
	}
	return s.openemrDSN
}

// loadDemo writes the demo practice into an empty database, as mipspi demo does into
// SQLite.
func loadDemo(t *testing.T, dsn string) {
	t.Helper()
	if err := buildDemo(context.Background(), dsn); err != nil {
		t.Fatalf("load the demo into a test server: %v", err)
	}
}

var (
	pgDSN    = regexp.MustCompile(`postgres(ql)?://[^'"\s]+`)
	mysqlDSN = regexp.MustCompile(`(mysql|mariadb)://[^'"\s]+`)
	// versionWord is a version a build from a commit prints; the docs show dev+f9b8053a1b2c.
	versionWord = regexp.MustCompile(`\bdev(\+[0-9a-f]{12}(-dirty)?)?\b`)
)

// serverBlock replaces the DSNs of a marked block by the test server's.
func serverBlock(b docBlock, s *docServers) string {
	body := b.body
	if _, ok := b.marker["postgres"]; ok {
		body = pgDSN.ReplaceAllLiteralString(body, s.postgres())
	}
	if _, ok := b.marker["mariadb"]; ok {
		body = mysqlDSN.ReplaceAllLiteralString(body, s.maria())
	}
	if _, ok := b.marker["openemr"]; ok {
		body = mysqlDSN.ReplaceAllLiteralString(body, s.openemr())
	}
	return body
}

// TestDocsCommands runs every sh and console block of README.md and docs/*.md.
func TestDocsCommands(t *testing.T) {
	bin := buildMipspi(t)
	template := t.TempDir()
	if out, err := exec.Command(filepath.Join(bin, "mipspi"), "demo", "--dir", template, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("mipspi demo: %v\n%s", err, out)
	}
	practice, err := os.ReadFile(practiceConfig)
	if err != nil {
		t.Fatal(err)
	}
	servers := &docServers{t: t}
	var ran, skipped []string
	for _, page := range docPages(t) {
		var blocks []docBlock
		for _, b := range docBlocks(t, page) {
			if b.lang == "sh" || b.lang == "console" || b.marker["file"] != "" {
				blocks = append(blocks, b)
			}
		}
		if len(blocks) == 0 {
			continue
		}
		scratch := t.TempDir()
		for _, name := range []string{demoDBName, demoXLSXName, demoConfigName} {
			data, err := os.ReadFile(filepath.Join(template, name))
			if err != nil {
				t.Fatal(err)
			}
			writeFileIn(t, scratch, name, data)
		}
		writeFileIn(t, scratch, "mipspi.yaml", practice)
		env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"MIPSPI_DB=sqlite:"+demoDBName, "TZ=UTC", "LC_ALL=C")
		for _, b := range blocks {
			if name := b.marker["file"]; name != "" {
				writeFileIn(t, scratch, name, []byte(b.body)) // a file the next blocks use
				continue
			}
			if reason, ok := b.marker["skip"]; ok {
				if reason == "" {
					t.Errorf("%s: a skipped block must say why: <!-- doc-test: skip REASON -->", b)
				}
				skipped = append(skipped, fmt.Sprintf("%s (%s)", b, reason))
				continue
			}
			ran = append(ran, b.String())
			want := 0
			if v, ok := b.marker["exit"]; ok {
				if want, err = strconv.Atoi(v); err != nil {
					t.Fatalf("%s: exit %q", b, v)
				}
			}
			body := serverBlock(b, servers)
			if b.lang == "sh" {
				code, stdout, stderr := runShell(t, scratch, env, "set -e -o pipefail\n"+body)
				if code != want {
					t.Errorf("%s: exit %d, want %d\n%s\nstdout:\n%s\nstderr:\n%s", b, code, want, body, tail(stdout), stderr)
				}
				continue
			}
			for _, c := range consoleCommands(body) {
				// No pipefail: `… | head -3` shows the first lines, and the command cut
				// short by head is the reader's choice; the output is compared instead.
				code, stdout, stderr := runShell(t, scratch, env, c.command)
				if code != want {
					t.Errorf("%s: $ %s: exit %d, want %d\nstderr:\n%s", b, c.command, code, want, stderr)
					continue
				}
				if d := matchOutput(c.output, stdout); d != "" {
					t.Errorf("%s: $ %s: the output differs from the page's: %s\n--- got ---\n%s", b, c.command, d, stdout)
				}
			}
		}
	}
	t.Logf("ran %d blocks; %d not run:\n  %s", len(ran), len(skipped), strings.Join(skipped, "\n  "))
	if len(ran) < 20 {
		t.Errorf("ran only %d blocks of the documentation", len(ran))
	}
}

func writeFileIn(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// runShell runs script with bash in dir.
func runShell(t *testing.T, dir string, env []string, script string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	return 0, stdout.String(), stderr.String()
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

// consoleCommand is one "$ command" of a console block and the output shown below it.
type consoleCommand struct {
	command string
	output  []string
}

func consoleCommands(body string) []consoleCommand {
	var out []consoleCommand
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if c, ok := strings.CutPrefix(line, "$ "); ok {
			out = append(out, consoleCommand{command: c})
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].output = append(out[len(out)-1].output, line)
		}
	}
	return out
}

// matchOutput compares the page's output with the command's: line by line, trailing
// spaces ignored, the version word made the docs' (dev+f9b8053a1b2c); a line "…" stands
// for any number of lines. It returns "" when they match, else where they part.
func matchOutput(want []string, got string) string {
	var have []string // no output: no lines
	if got != "" {
		have = strings.Split(strings.TrimSuffix(versionWord.ReplaceAllString(got, "dev+f9b8053a1b2c"), "\n"), "\n")
	}
	for i := range have {
		have[i] = strings.TrimRight(have[i], " ")
	}
	var match func(w, h int) bool
	match = func(w, h int) bool {
		if w == len(want) {
			return h == len(have)
		}
		if strings.TrimSpace(want[w]) == "…" {
			for k := h; k <= len(have); k++ {
				if match(w+1, k) {
					return true
				}
			}
			return false
		}
		return h < len(have) && strings.TrimRight(want[w], " ") == have[h] && match(w+1, h+1)
	}
	if match(0, 0) {
		return ""
	}
	// Where: the first page line not found in order.
	h := 0
	for w, line := range want {
		if strings.TrimSpace(line) == "…" {
			continue
		}
		found := false
		for ; h < len(have); h++ {
			if strings.TrimRight(line, " ") == have[h] {
				found = true
				h++
				break
			}
		}
		if !found {
			return fmt.Sprintf("page line %d %q is not in the output (in order)", w+1, line)
		}
	}
	return "the output has lines the page does not show (end the page's output with … if it is trimmed)"
}

// TestVersionOfABuild: a binary built with the go command prints what docs/reference.md
// says: dev+ and the commit (with -dirty) for a build from a commit no release tag names,
// the release tag for a tagged module build, dev when the build records neither.
func TestVersionOfABuild(t *testing.T) {
	bin := filepath.Join(buildMipspi(t), "mipspi")
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := buildVersion(bi, true)
	if want == "" {
		want = "dev"
	}
	if string(out) != "mipspi "+want+"\n" {
		t.Errorf("mipspi version printed %q, want %q", out, "mipspi "+want+"\n")
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && !strings.HasPrefix(string(out), "mipspi dev+"+s.Value[:12]) {
			t.Errorf("a build from commit %s printed %q, want dev+%s", s.Value, out, s.Value[:12])
		}
	}
	t.Logf("%s", out)
}

// TestDemoIntoHead: `mipspi demo | head -3` prints three lines and leaves the workbook.
func TestDemoIntoHead(t *testing.T) {
	bin := buildMipspi(t)
	dir := t.TempDir()
	code, stdout, stderr := runShell(t, dir, append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH")), "mipspi demo | head -3")
	if code != 0 || strings.Count(stdout, "\n") != 3 {
		t.Errorf("mipspi demo | head -3: exit %d, %q\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, demoXLSXName)); err != nil {
		t.Errorf("mipspi demo | head -3 left no workbook: %v", err)
	}
}

func TestMatchOutput(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []string
		got  string
		ok   bool
	}{
		{"same", []string{"a", "b"}, "a\nb\n", true},
		{"trailing spaces", []string{"a  ", "b"}, "a\nb   \n", true},
		{"no output", nil, "", true},
		{"output not shown", nil, "a\n", false},
		{"gap", []string{"a", "…", "d"}, "a\nb\nc\nd\n", true},
		{"empty gap", []string{"a", "…", "b"}, "a\nb\n", true},
		{"trimmed end", []string{"a", "…"}, "a\nb\n", true},
		{"line changed", []string{"a", "…", "d"}, "a\nb\nc\nD\n", false},
		{"more lines", []string{"a"}, "a\nb\n", false},
		{"order", []string{"b", "a"}, "a\nb\n", false},
		{"version", []string{"mipspi  dev+f9b8053a1b2c"}, "mipspi  dev+0123456789ab-dirty\n", true},
	} {
		if d := matchOutput(tc.want, tc.got); (d == "") != tc.ok {
			t.Errorf("%s: %q", tc.name, d)
		}
	}
}
