package reports

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
)

func TestTerminal(t *testing.T) {
	cases := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"plain", "Adams, Ann", 40, "Adams, Ann"},
		{"escape sequence", "Left\x1b[2JEarly", 40, "Left\uFFFD[2JEarly"},
		{"tab and newline", "a\tb\nc", 40, "a\uFFFDb\uFFFDc"},
		{"invalid utf-8", "a\xffb", 40, "a\uFFFDb"},
		{"bidi override", "abc\u202edef", 40, "abc\uFFFDdef"},
		{"cut", "abcdef", 3, "abc…"},
		{"exact length", "abc", 3, "abc"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sanitize.Display(tc.in, tc.max); got != tc.want {
				t.Errorf("sanitize.Display(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

// TestTableHostile checks that no control character from the data reaches the terminal
// through the report or the worklist, whatever field it is in.
func TestTableHostile(t *testing.T) {
	r := testResult()
	evil := "\x1b]0;pwned\x07\x1b[31mred\r\n" + strings.Repeat("long", 3000)
	r.Entities[0].Clinician = evil
	r.Findings[1].Status, r.Findings[1].Message = evil, evil
	is := issuesOf(r)
	is[0].MRN, is[0].Clinician = evil, evil
	r = withIssues(r, append(is, measure.Issue{Code: measure.Code(evil), Severity: measure.SeverityWarning}))
	var b bytes.Buffer
	if err := Table(&b, r, testOptions); err != nil {
		t.Fatal(err)
	}
	if err := WorklistTable(&b, r, worklist(r, ""), testOptions); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(b.String(), "\n") {
		if strings.ContainsFunc(line, func(r rune) bool { return unicode.IsControl(r) }) {
			t.Errorf("line %d carries a control character: %q", i+1, line)
		}
		if n := len([]rune(line)); n > 400 {
			t.Errorf("line %d is %d runes long: a data string was not cut", i+1, n)
		}
	}
}
