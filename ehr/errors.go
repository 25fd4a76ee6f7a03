package ehr

import (
	"fmt"
	"strings"
)

// DataError is a row of the EHR that breaks SPEC §3: an unparseable timestamp or date,
// an unknown time zone, a NULL in a required column, an id pointing at a missing row, a
// duplicate id. It stops the run (exit code 1): a bad row is never skipped silently.
type DataError struct {
	Relation string // SPEC relation, e.g. "appointments"
	ID       string // the row's id as text; "" when unknown (e.g. the id itself is NULL)
	Column   string // "" when the problem is the whole row
	Problem  string
}

// Error reads like
// `appointments id 311 column scheduled_at: unparseable timestamp "2025-13-01 99:00"`.
func (e *DataError) Error() string {
	var b strings.Builder
	b.WriteString(e.Relation)
	if e.ID != "" {
		b.WriteString(" id ")
		b.WriteString(e.ID)
	}
	if e.Column != "" {
		b.WriteString(" column ")
		b.WriteString(e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	return b.String()
}

// Problems shared by the reader and the YAML loader.
const (
	problemNull = "required value is NULL"
)

// quote renders a bad value for a message: Go-quoted (control characters escaped) and
// cut to 60 characters so a 10 KB string cannot flood a log.
func quote(s string) string {
	const max = 60
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
	}
	return fmt.Sprintf("%q", s)
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
