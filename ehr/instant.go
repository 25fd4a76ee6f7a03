package ehr

import (
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// Timestamp spellings (SPEC §3). PostgreSQL hands TIMESTAMPTZ values over as instants;
// text (SQLite, or a view that yields text) must match
//
//	YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|z|±HH:MM]
//
// e.g. 2025-03-03T15:00:00Z, 2025-03-03T10:00:00-05:00, 2025-03-03 15:00:00+00:00, and
// the lower-case t and z RFC 3339 allows (read as PostgreSQL reads them). Nothing may
// follow the zone: a space, a newline or trailing text makes the value unreadable, in
// every column (the SQLite read parses every one of them here, visits.go).
// Without a zone the text is UTC, as SQLite's own CURRENT_TIMESTAMP and datetime()
// write it. Anything else (no seconds, "+00", offsets beyond ±14:59, dates alone, epoch
// numbers, impossible dates such as 2025-02-30) is unparseable. These are exactly the spellings SQLite's
// julianday() also understands once upper-cased. The period's rows are parsed here
// (visits.go); the duplicate-id check of views without a key windows with
// coalesce(julianday(column), julianday(upper(column))) (upper only for the rare
// lower-case t, which julianday alone does not read).

// formatInstant is the spelling mipspi writes into SQLite: UTC RFC 3339.
func formatInstant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.999999999Z07:00")
}

// parseInstant parses the text spellings above into a UTC instant.
func parseInstant[S ~string | ~[]byte](s S) (time.Time, bool) {
	// 0123456789012345678
	// 2025-03-03T15:00:00
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
		s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		scale := 100000000
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			nsec += int(rest[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == 1 || i > 10 { // no digits, or finer than nanoseconds
			return time.Time{}, false
		}
		rest = rest[i:]
	}
	offset := 0
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		// SQLite's julianday() reads offsets up to ±14:59 only (real zones span
		// -12:00..+14:00); accepting more here would let the SQLite query see NULL where
		// this parser sees an instant: such a row escapes the window and sorts first (a
		// later invitation taken for the earliest). FuzzParseTime holds the two together.
		// The SQLite period scan's text bounds (visits.go) rely on it too: a local date
		// is then never more than a day from the UTC one.
		if !ok1 || !ok2 || oh > 14 || om > 59 {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// parseDate parses YYYY-MM-DD strictly (SPEC §3 dates).
func parseDate[S ~string | ~[]byte](s S) (calendar.Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	if !(ok1 && ok2 && ok3) || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return 0, false
	}
	return calendar.NewDate(year, time.Month(month), day), true
}

func digits[S ~string | ~[]byte](s S) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
