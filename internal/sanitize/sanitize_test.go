package sanitize

import (
	"strings"
	"testing"
)

func TestUnsafe(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"a", false}, {"é", false}, {"\u200d", false}, {" ", false}, {"\uFFFD", false},
		{"\x00", true}, {"\t", true}, {"\n", true}, {"\x1b", true}, {"\x7f", true}, {"\u0085", true},
		{"\u202e", true}, {"\u202a", true}, {"\u2066", true}, {"\u2069", true}, {"\u200e", true},
		{"\u061c", true}, {"\ufeff", true}, {"\u2028", true}, {"\u2029", true}, {"\xff", true},
	} {
		r, size := []rune(c.s)[0], len(c.s)
		if c.s == "\xff" {
			r = '\uFFFD'
		}
		if got := Unsafe(r, size); got != c.want {
			t.Errorf("Unsafe(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestPurposes(t *testing.T) {
	long := strings.Repeat("é", 70)
	for _, c := range []struct{ in, echo, display, csv, line string }{
		{"plain", "plain", "plain", "plain", "plain"},
		{"", "", "", "", ""},
		{"Main \u202eEvil\x00 St", "Main Evil St", "Main \uFFFDEvil\uFFFD St", "Main \uFFFDEvil\uFFFD St", `Main \u202eEvil\x00 St`},
		{"=1+1", "=1+1", "=1+1", "'=1+1", "=1+1"},
		{"\t=x", "=x", "\uFFFD=x", "'\t=x", `\x09=x`},
		{"a\nb\r\nc", "abc", "a\uFFFDb\uFFFD\uFFFDc", "a\nb\r\nc", "a\nb\\x0d\nc"},
		{"\u202e=cmd", "=cmd", "\uFFFD=cmd", "\uFFFD=cmd", `\u202e=cmd`},
		{"bad \xff", "bad ", "bad \uFFFD", "bad \uFFFD", `bad \xff`},
		{"\x1b[31mred", "[31mred", "\uFFFD[31mred", "\uFFFD[31mred", `\x1b[31mred`},
		{long, strings.Repeat("é", 64) + "…", strings.Repeat("é", 40) + "…", long, long},
	} {
		if got := Echo(c.in, 64); got != c.echo {
			t.Errorf("Echo(%q) = %q, want %q", c.in, got, c.echo)
		}
		if got := Display(c.in, 40); got != c.display {
			t.Errorf("Display(%q) = %q, want %q", c.in, got, c.display)
		}
		if got := CSVCell(c.in); got != c.csv {
			t.Errorf("CSVCell(%q) = %q, want %q", c.in, got, c.csv)
		}
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
	}
	long = strings.Repeat("x", MaxLine+5)
	if got := Line(long + "\nok"); got != strings.Repeat("x", MaxLine)+"…\nok" {
		t.Errorf("Line of a long line: %q", got)
	}
}

// TestStore: what cannot be stored or read back on one line (controls, NUL, bytes that
// are not UTF-8) becomes U+FFFD; format characters and a U+FFFD the text really holds
// are kept; the text is cut to max runes.
func TestStore(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"", ""},
		{"Acme\x00EHR\u202e\u0085", "Acme\uFFFDEHR\u202e\uFFFD"},
		{"a\tb\nc\r", "a\uFFFDb\uFFFDc\uFFFD"},
		{"\xff, \uFFFD", "\uFFFD, \uFFFD"},
		{"\x1b[31mred\u200d", "\uFFFD[31mred\u200d"},
		{strings.Repeat("é", 12), strings.Repeat("é", 10) + "…"},
		{strings.Repeat("é", 10), strings.Repeat("é", 10)},
	} {
		if got := Store(c.in, 10); got != c.want {
			t.Errorf("Store(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
