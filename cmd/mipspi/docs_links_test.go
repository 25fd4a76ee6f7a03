package main

// The documentation stays inside the repository and stays findable: every link of
// README.md and docs/*.md is relative and names a file of the repository (and, with
// #anchor, a heading of that page), none leaves it; the README stays a front door of at most 200 lines.

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/urfave/cli/v2"
)

var (
	mdLink     = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	inlineCode = regexp.MustCompile("`[^`]*`")
	mdHeading  = regexp.MustCompile(`^#{1,6} (.*)$`)
)

// pageText is a page without its fenced blocks and inline code (links there are text).
func pageText(page string) (string, error) {
	data, err := os.ReadFile(filepath.Join(repoRoot, page))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "```") {
			in = !in
			continue
		}
		if !in {
			b.WriteString(inlineCode.ReplaceAllString(line, "") + "\n")
		}
	}
	return b.String(), nil
}

// anchors are the GitHub anchors of a page's headings.
func anchors(page string) (map[string]bool, error) {
	data, err := os.ReadFile(filepath.Join(repoRoot, page))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "```") {
			in = !in
			continue
		}
		if m := mdHeading.FindStringSubmatch(line); m != nil && !in {
			slug := headingSlug(m[1])
			for n := 1; out[slug]; n++ { // GitHub numbers repeated headings
				slug = headingSlug(m[1]) + "-" + itoa(n)
			}
			out[slug] = true
		}
	}
	return out, nil
}

// headingSlug is GitHub's anchor of a heading: lower case, spaces to hyphens, every
// other character but letters, digits, hyphens and underscores dropped.
func headingSlug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestDocsLinks(t *testing.T) {
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	links := 0
	for _, page := range docPages(t) {
		text, err := pageText(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			target := m[1]
			links++
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				t.Errorf("%s: link %s leaves the repository; name the place in words instead", page, target)
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			dest := page
			if path != "" {
				if filepath.IsAbs(path) || strings.Contains(path, "://") {
					t.Errorf("%s: link %s is not relative to the repository", page, target)
					continue
				}
				dest = filepath.Join(filepath.Dir(page), path)
			}
			abs := filepath.Join(root, dest)
			if rel, err := filepath.Rel(root, abs); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				t.Errorf("%s: link %s points outside the repository", page, target)
				continue
			}
			if strings.Contains(target, "shared/") {
				t.Errorf("%s: link %s points at the project's own notes, which a clone does not have", page, target)
			}
			if _, err := os.Stat(abs); err != nil {
				t.Errorf("%s: link %s: %v", page, target, err)
				continue
			}
			if frag != "" {
				if !strings.HasSuffix(dest, ".md") {
					t.Errorf("%s: link %s has an anchor into a file that is not a page", page, target)
					continue
				}
				as, err := anchors(dest)
				if err != nil {
					t.Fatal(err)
				}
				if !as[frag] {
					t.Errorf("%s: link %s: %s has no heading #%s", page, target, dest, frag)
				}
			}
		}
	}
	if links < 50 {
		t.Errorf("found %d relative links; the README and docs/ link to each other far more", links)
	}
}

func TestHeadingSlug(t *testing.T) {
	for h, want := range map[string]string{
		"1. The demo": "1-the-demo",
		"Several EHRs, several practices, an APM Entity": "several-ehrs-several-practices-an-apm-entity",
		"Sharing outputs with a group: `--mode 0640`":    "sharing-outputs-with-a-group---mode-0640",
		"`mipspi report`":                                   "mipspi-report",
		"`mipspi db check`: the first command":              "mipspi-db-check-the-first-command",
		"Why mipspi's figure differs from OpenEMR's report": "why-mipspis-figure-differs-from-openemrs-report",
	} {
		if got := headingSlug(h); got != want {
			t.Errorf("headingSlug(%q) = %q, want %q", h, got, want)
		}
	}
}

// TestReadmeIsAFrontDoor: the README stays short and sends readers into docs/; every
// page of docs/ is reachable from it.
func TestReadmeIsAFrontDoor(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n > 200 {
		t.Errorf("README.md has %d lines; at most 200, the rest belongs in docs/", n)
	}
	for _, page := range docPages(t)[1:] {
		if !strings.Contains(string(data), "]("+filepath.ToSlash(page)+")") {
			t.Errorf("README.md does not link %s", page)
		}
	}
}

// TestDocsReferenceCoversFlags: docs/reference.md names every command and, in that
// command's section, every one of its flags.
func TestDocsReferenceCoversFlags(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "docs", "reference.md"))
	if err != nil {
		t.Fatal(err)
	}
	ref := string(data)
	section := func(name string) string {
		i := strings.Index(ref, "\n## `mipspi "+name)
		if i < 0 {
			return ""
		}
		s := ref[i+1:]
		if j := strings.Index(s[1:], "\n## "); j >= 0 {
			s = s[:j+1]
		}
		return s
	}
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	var walk func(path string, cmds []*cli.Command, sec string)
	walk = func(path string, cmds []*cli.Command, sec string) {
		for _, c := range cmds {
			if c.Name == "help" {
				continue
			}
			p := strings.TrimSpace(path + " " + c.Name)
			s := sec
			if s == "" || section(p) != "" {
				s = section(p)
			}
			if s == "" {
				t.Errorf("docs/reference.md has no section ## `mipspi %s`", p)
				continue
			}
			if !strings.Contains(s, "mipspi "+p) {
				t.Errorf("docs/reference.md's section for mipspi %s does not name it", p)
			}
			for _, f := range c.Flags {
				name := f.Names()[0]
				if name == "help" {
					continue
				}
				if !regexp.MustCompile(`--` + regexp.QuoteMeta(name) + `\b`).MatchString(s) {
					t.Errorf("docs/reference.md: mipspi %s --%s is not described in its section", p, name)
				}
			}
			walk(p, c.Subcommands, s)
		}
	}
	walk("", app.Commands, "")
}
