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

// colTime is a TIMESTAMPTZ column (TEXT in SQLite, see instant.go). With raw set it
// takes the instant in the dialect's own binary form instead (dialect.fetch says when,
// dialect.rawInstant decodes it): cheaper, on the server and here, than text.
type colTime struct {
	t    time.Time
	null bool
	bad  string
	raw  func([]byte) (t time.Time, inf int8, ok bool)
	// inf is -1 or 1 for -infinity or infinity (refused as bad), else 0.
	inf int8
}

func (c *colTime) Scan(src any) error {
	c.t, c.null, c.bad, c.inf = time.Time{}, false, "", 0
	var ok bool
	switch v := src.(type) {
	case time.Time:
		c.t, ok = v.UTC(), true
	case []byte:
		if c.raw != nil {
			c.t, c.inf, ok = c.raw(v)
		} else {
			c.t, ok = parseInstant(v)
		}
	case string:
		c.t, ok = parseInstant(v)
	case nil:
		c.null, ok = true, true
	}
	switch {
	case c.inf > 0:
		c.bad = `unparseable timestamp "Infinity"`
	case c.inf < 0:
		c.bad = `unparseable timestamp "-Infinity"`
	case !ok:
		c.bad = "unparseable timestamp " + describe(src)
	case !c.null && c.t.IsZero():
		// measure takes the zero time.Time for "no such instant" (a note never locked, a
		// window never closed): a stored 0001-01-01T00:00:00Z would silently read as
		// missing, so it is refused like any other unusable value.
		c.bad = problemZeroInstant
	}
	return nil
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
