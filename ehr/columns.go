package ehr

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// Column scanners for the read. Each accepts whatever a driver may hand over for its
// SPEC §3 type (lib/pq: int64, time.Time, []byte; modernc SQLite: int64, float64,
// string, []byte) and never fails the Scan: a value it cannot take is kept as a
// problem so the reader can name relation, id and column in a *DataError. They do not
// allocate on the happy path, which matters at millions of rows.

// colInt is a BIGINT column.
type colInt struct {
	v    int64
	null bool
	bad  string
}

func (c *colInt) Scan(src any) error {
	c.v, c.null, c.bad = 0, false, ""
	switch v := src.(type) {
	case int64:
		c.v = v
	case uint64: // MariaDB's BIGINT UNSIGNED
		if v > math.MaxInt64 {
			c.bad = "not an integer: " + describe(src)
		}
		c.v = int64(v)
	case nil:
		c.null = true
	default:
		c.bad = "not an integer: " + describe(src)
	}
	return nil
}

// colText is a TEXT column. A []byte from the driver is borrowed until the next Scan.
type colText struct {
	b       []byte
	s       string
	isBytes bool
	null    bool
}

func (c *colText) Scan(src any) error {
	c.b, c.s, c.isBytes, c.null = nil, "", false, false
	switch v := src.(type) {
	case string:
		c.s = v
	case []byte:
		c.b, c.isBytes = v, true
	case nil:
		c.null = true
	case int64:
		c.s = strconv.FormatInt(v, 10) // e.g. a view exposing a numeric status code
	case float64:
		c.s = strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		c.s = strconv.FormatBool(v)
	case time.Time:
		c.s = formatInstant(v)
	default:
		c.s = fmt.Sprint(v)
	}
	return nil
}

// String copies the value ("" for NULL).
func (c *colText) String() string {
	if c.isBytes {
		return string(c.b)
	}
	return c.s
}

// interned returns the value through a small table so that repeated values (statuses,
// channels) cost no allocation.
func (c *colText) interned(t map[string]string) string {
	if c.isBytes {
		if s, ok := t[string(c.b)]; ok {
			return s
		}
	} else if s, ok := t[c.s]; ok {
		return s
	}
	s := c.String()
	if len(t) < 4096 {
		t[s] = s
	}
	return s
}

// colTime is a TIMESTAMPTZ column (TEXT in SQLite, see instant.go). With epoch set
// it takes what PostgreSQL's extract(epoch FROM …) hands over instead: seconds since
// 1970 as numeric text (lib/pq passes the bytes through) or a float8 before
// PostgreSQL 14 — cheaper to read than lib/pq's timestamp decoding (read.go, expr).
type colTime struct {
	t     time.Time
	null  bool
	bad   string
	epoch bool
	// inf is -1 or 1 for an epoch of -infinity or infinity (refused as bad), else 0.
	inf int8
}

func (c *colTime) Scan(src any) error {
	c.t, c.null, c.bad, c.inf = time.Time{}, false, "", 0
	var ok bool
	switch v := src.(type) {
	case time.Time:
		c.t, ok = v.UTC(), true
	case []byte:
		if c.epoch {
			if c.t, ok = parseEpoch(v); !ok {
				switch string(v) {
				case "Infinity":
					c.inf = 1
				case "-Infinity":
					c.inf = -1
				}
			}
		} else {
			c.t, ok = parseInstant(v)
		}
	case string:
		c.t, ok = parseInstant(v)
	case float64:
		if c.epoch && !math.IsInf(v, 0) && !math.IsNaN(v) {
			sec := math.Floor(v)
			c.t, ok = time.Unix(int64(sec), int64(math.Round((v-sec)*1e6))*1000).UTC(), true
		} else if c.epoch && math.IsInf(v, 0) {
			c.inf = int8(math.Copysign(1, v))
		}
	case nil:
		c.null, ok = true, true
	}
	if !ok {
		c.bad = "unparseable timestamp " + describe(src)
	} else if !c.null && c.t.IsZero() {
		// measure takes the zero time.Time for "no such instant" (a note never locked, a
		// window never closed): a stored 0001-01-01T00:00:00Z would silently read as
		// missing, so it is refused like any other unusable value (issue 7).
		c.bad = problemZeroInstant
	}
	return nil
}

// parseEpoch reads [-]SECONDS[.FRACTION], as PostgreSQL prints a numeric epoch.
func parseEpoch(b []byte) (time.Time, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var sec, nsec int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if sec > (math.MaxInt64-9)/10 {
			return time.Time{}, false
		}
		sec = sec*10 + int64(b[i]-'0')
	}
	if i == 0 {
		return time.Time{}, false
	}
	if i < len(b) {
		if b[i] != '.' {
			return time.Time{}, false
		}
		scale := int64(100000000)
		for i++; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return time.Time{}, false
			}
			nsec += int64(b[i]-'0') * scale
			scale /= 10
		}
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), true
}

const problemZeroInstant = "timestamp 0001-01-01T00:00:00Z cannot be told from a missing value"

// colDate is a DATE column (YYYY-MM-DD text in SQLite).
type colDate struct {
	d    calendar.Date
	null bool
	bad  string
}

func (c *colDate) Scan(src any) error {
	c.d, c.null, c.bad = 0, false, ""
	var ok bool
	switch v := src.(type) {
	case time.Time:
		c.d, ok = calendar.DateOfCivil(v), true
	case []byte:
		c.d, ok = parseDate(v)
	case string:
		c.d, ok = parseDate(v)
	case nil:
		c.null, ok = true, true
	}
	if !ok {
		c.bad = "unparseable date " + describe(src)
	}
	return nil
}

// colBool is a BOOLEAN column (0/1 in SQLite).
type colBool struct {
	v    bool
	null bool
	bad  string
}

func (c *colBool) Scan(src any) error {
	c.v, c.null, c.bad = false, false, ""
	switch v := src.(type) {
	case bool:
		c.v = v
	case int64:
		if v != 0 && v != 1 {
			c.bad = "not a boolean (want 0 or 1): " + describe(src)
		}
		c.v = v == 1
	case nil:
		c.null = true
	default:
		c.bad = "not a boolean (want 0 or 1): " + describe(src)
	}
	return nil
}

// describe renders a driver value for a message.
func describe(src any) string {
	switch v := src.(type) {
	case string:
		return quote(v)
	case []byte:
		return quote(string(v))
	case nil:
		return "NULL"
	default:
		return fmt.Sprintf("%v (%T)", v, v)
	}
}

// check returns the *DataError for a column's scanned state, or nil. required makes
// NULL an error.
func check(relation, id, column string, null bool, bad string, required bool) error {
	switch {
	case bad != "":
		return &DataError{Relation: relation, ID: id, Column: column, Problem: bad}
	case null && required:
		return &DataError{Relation: relation, ID: id, Column: column, Problem: problemNull}
	}
	return nil
}

func (c *colInt) state() (bool, string)  { return c.null, c.bad }
func (c *colText) state() (bool, string) { return c.null, "" }
func (c *colTime) state() (bool, string) { return c.null, c.bad }
func (c *colDate) state() (bool, string) { return c.null, c.bad }
func (c *colBool) state() (bool, string) { return c.null, c.bad }
