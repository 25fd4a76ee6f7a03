// Package sanitize makes text from the EHR, the configuration or a server safe for where
// it is written: one rule says which characters are unsafe (Unsafe), and one function
// per place applies it — Echo for a value quoted in one of mipspi's own sentences,
// Display for what people read on a terminal or a page, CSVCell for a spreadsheet cell,
// Line for a message on stderr; Store, for text kept to be shown later, replaces only
// what cannot be stored on one line and leaves the rest to those. A hostile value (an
// escape sequence, a NUL, a right-to-left override that reverses what follows it) then
// cannot drive a terminal, reorder a line or hide in a cell.
//
// It imports only the standard library, so the pure packages (measure) may use it.
package sanitize

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unsafe reports whether a rune must not reach an output as itself: control characters
// (C0 but tab, line feed and carriage return are only safe where a caller says so; DEL;
// C1), format characters such as the bidirectional controls U+202A–U+202E and
// U+2066–U+2069 (but the zero-width joiner, which emoji need), the line and paragraph
// separators, and bytes that are not UTF-8 (decoded as utf8.RuneError of size 1).
func Unsafe(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return true
	case r != '\u200d' && unicode.Is(unicode.Cf, r):
		return true
	}
	return false
}

// Echo is s as a value quoted in a sentence mipspi writes (a finding's message, an
// issue row's detail): unsafe characters dropped, cut to max runes with "…".
func Echo(s string, max int) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if Unsafe(r, size) {
			continue
		}
		if n == max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// Display is s as people read it in a terminal cell or on a page: every unsafe
// character (tabs too, which would break a terminal table) becomes U+FFFD, and it is
// cut to max runes with "…".
func Display(s string, max int) string { return replace(s, max, Unsafe) }

// Store is s as text kept to be shown later (what a FHIR server sent, in the evidence
// store, SPEC §6): control characters (NUL included) and bytes that are not UTF-8
// become U+FFFD, so that any value can be stored and read back on one line, and it is
// cut to max runes with "…". The other unsafe characters (a right-to-left override) are
// kept as sent: the record is evidence, and every place that shows it applies Line or
// Display.
func Store(s string, max int) string {
	return replace(s, max, func(r rune, size int) bool {
		return r == utf8.RuneError && size == 1 || unicode.IsControl(r)
	})
}

// replace is s with each rune bad reports replaced by U+FFFD, cut to max runes with "…".
func replace(s string, max int, bad func(r rune, size int) bool) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		if n == max {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if bad(r, size) {
			r = unicode.ReplacementChar
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// CSVCell is s as a CSV cell (RFC 4180): a cell starting with = + - @ tab or CR gets a
// leading apostrophe, so that a spreadsheet shows it as text and never runs it as a
// formula (OWASP CSV injection), and unsafe characters become U+FFFD — but tab, line
// feed and carriage return inside a cell, which CSV quoting carries. It is the one
// guard of every CSV mipspi writes.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	if needsCleaning(s, "\t\n\r") {
		var b strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			i += size
			if Unsafe(r, size) && r != '\t' && r != '\n' && r != '\r' {
				r = unicode.ReplacementChar
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// MaxLine caps a line of a message on stderr, in runes.
const MaxLine = 500

// Line is s as a message on stderr: unsafe characters other than line feed are
// written escaped (\x1b, \u202e, and \xff for a byte that is not UTF-8), so the
// message still says what was there, and each line is cut at 500 runes with "…".
func Line(s string) string {
	if !needsCleaning(s, "\n") && !longLine(s) {
		return s
	}
	var b strings.Builder
	line := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == '\n' {
			b.WriteByte('\n')
			line = 0
			continue
		}
		if line == MaxLine {
			b.WriteString("…")
			line++
		}
		if line > MaxLine {
			continue
		}
		line++
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i-1])
		case r < 0x100 && Unsafe(r, size):
			fmt.Fprintf(&b, `\x%02x`, r)
		case Unsafe(r, size):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// needsCleaning reports whether s holds an unsafe character not in allowed.
func needsCleaning(s, allowed string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f { // printable ASCII: the common case, decoded fast
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if Unsafe(r, size) && !strings.ContainsRune(allowed, r) {
			return true
		}
	}
	return false
}

func longLine(s string) bool {
	if len(s) <= MaxLine {
		return false
	}
	for _, l := range strings.Split(s, "\n") {
		if utf8.RuneCountInString(l) > MaxLine {
			return true
		}
	}
	return false
}
