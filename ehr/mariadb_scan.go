package ehr

// The period's scans on MariaDB's one connection (SPEC §8). The reader merges three
// scans in patient order side by side (period.go), but a MariaDB connection streams one
// result set at a time and the snapshot cannot be shared with a second connection.
// Mostly the visit scan and the invitations are read whole with plain scans and put in
// order in memory (mariadb_join.go), and only the patients stream. When they cannot be
// (more rows than that memory allows, a view's text instants), the scans run one after
// another, patient range by patient range: for each range the smaller scans (patients,
// invitations) are read into memory first, and the driving one — the appointments
// with their notes joined by the server, unless they were joined in memory — is
// streamed last, straight from the server into the merge. Memory is then bounded by one
// range of the smaller scans (mariadbRangePatients patients), whatever the practice's
// size; a range costs three indexed queries.
//
// A scan that has used up its range while the driving scan still streams (the merge
// looks past the range's last invitation or patient) needs the connection for the next
// range, and so does a query of the read's own (mdbTx): the rest of the streaming
// result set is first read into memory (park).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// mariadbRangePatients is how many patients one range holds.
var mariadbRangePatients = 20000

// rangeSQL is the scan q restricted to the patients of (lo, hi]: the first range
// without lo (and with the rows of no patient, which MariaDB sorts first), the last
// without hi.
func rangeSQL(q scanQuery, first, last bool, lo, hi int64) (string, []any) {
	var cond []string
	args := append([]any(nil), q.args...)
	if q.where != "" {
		cond = append(cond, "("+q.where+")")
	}
	switch {
	case first && last:
	case first:
		cond = append(cond, "("+q.patient+" <= ? OR "+q.patient+" IS NULL)")
		args = append(args, hi)
	case last:
		cond = append(cond, q.patient+" > ?")
		args = append(args, lo)
	default:
		cond = append(cond, q.patient+" > ? AND "+q.patient+" <= ?")
		args = append(args, lo, hi)
	}
	s := "SELECT " + q.cols + " FROM " + q.from
	if len(cond) > 0 {
		s += " WHERE " + strings.Join(cond, " AND ")
	}
	return s + " ORDER BY " + q.order, args
}

// mdbScans runs the scans qs on conn; qs[0] drives (streamed), the others are read a
// range at a time. The ranges are cut from qs[1]'s patients, every mariadbRangePatients.
type mdbScans struct {
	ctx    context.Context
	conn   *sql.Conn
	qs     []scanQuery
	bounds []int64 // the ranges' upper bounds; range k is (bounds[k-1], bounds[k]]
	loaded int     // ranges loaded so far
	curs   []*mdbRows
	live   *mdbRows // the cursor whose result set streams now, or nil
	err    error
	// inMemory: qs[0] was read and joined into memory; no range streams it.
	inMemory bool
}

// mdbRows is one scan's cursor: the rows of the ranges loaded and not yet consumed.
type mdbRows struct {
	s      *mdbScans
	ncol   int
	queue  [][]any // per loaded range: its rows, ncol values each
	pos    int     // the next value of queue[0]
	row    []any   // the current buffered row, or nil while live
	rows   *sql.Rows
	closed bool
	// The text a streamed row borrows, copied (Scan).
	arena []byte
}

// mariadbScans opens the scans and returns their cursors, in the order of qs, and the
// scans that read from the server (whose streaming result set a query of the read's
// own must first park). The visit scan (qs[0].joined) is, when it can be, read and
// joined into memory with the invitations (mariadb_join.go), and the patients then
// stream; else the scans are read in patient ranges.
func mariadbScans(ctx context.Context, conn *sql.Conn, qs []scanQuery) ([]rows, *mdbScans, error) {
	var joined *joinedRows
	budget := mariadbJoinBytes
	if len(qs) == 3 && qs[0].joined != nil {
		var err error
		if joined, err = readJoined(ctx, conn, qs[0].joined, &budget); err != nil {
			return nil, nil, err
		}
	}
	if joined != nil && qs[0].joined.intInvitations {
		invs, err := readSorted(ctx, conn, qs[2], &budget)
		if err != nil {
			return nil, nil, err
		}
		if invs != nil {
			s := &mdbScans{ctx: ctx, conn: conn, qs: qs[1:2]}
			s.curs = []*mdbRows{{s: s}}
			mariadbScansHook("in memory")
			return []rows{joined, s.curs[0], invs}, s, nil
		}
	}
	s := &mdbScans{ctx: ctx, conn: conn, qs: qs}
	if err := s.cut(); err != nil {
		return nil, nil, err
	}
	out := make([]rows, len(qs))
	for i := range qs {
		c := &mdbRows{s: s}
		s.curs = append(s.curs, c)
		out[i] = c
	}
	if joined != nil {
		out[0], s.inMemory = joined, true
		mariadbScansHook("joined in memory, ranges")
	} else {
		mariadbScansHook("ranges")
	}
	return out, s, nil
}

// mariadbScansHook is told, by a test, how the period's scans are read.
var mariadbScansHook = func(string) {}

// cut asks the server for every mariadbRangePatients-th of qs[1]'s patient ids, in
// patient order (ROW_NUMBER: the ids themselves stay on the server), as the ranges'
// bounds. Ids that are not integers (a view's text) make one range: the scans are then
// read whole.
func (s *mdbScans) cut() error {
	if len(s.qs) < 2 {
		return nil
	}
	q := s.qs[1]
	inner := "SELECT " + q.patient + " AS p, ROW_NUMBER() OVER (ORDER BY " + q.patient + ") AS rn FROM " + q.from
	if q.where != "" {
		inner += " WHERE " + q.where
	}
	args := append(append([]any(nil), q.args...), mariadbRangePatients)
	rows, err := s.conn.QueryContext(s.ctx, "SELECT p FROM ("+inner+") x WHERE rn % ? = 0 ORDER BY rn", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var v any
	for rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return err
		}
		id, ok := v.(int64)
		if !ok {
			s.bounds = nil
			for rows.Next() {
			}
			return rows.Err()
		}
		if len(s.bounds) == 0 || id > s.bounds[len(s.bounds)-1] {
			s.bounds = append(s.bounds, id)
		}
	}
	return rows.Err()
}

// ranges is how many ranges there are: one more than bounds.
func (s *mdbScans) ranges() int { return len(s.bounds) + 1 }

// load reads the next range: the buffered scans into memory, then opens the driving one.
func (s *mdbScans) load() error {
	if err := s.park(); err != nil {
		return err
	}
	k := s.loaded
	first, last := k == 0, k == s.ranges()-1
	var lo, hi int64
	if !first {
		lo = s.bounds[k-1]
	}
	if !last {
		hi = s.bounds[k]
	}
	for i := len(s.qs) - 1; i >= 0; i-- {
		if i == 0 && s.inMemory {
			break
		}
		q, args := rangeSQL(s.qs[i], first, last, lo, hi)
		rows, err := s.conn.QueryContext(s.ctx, q, args...)
		if err != nil {
			return err
		}
		c := s.curs[i]
		if i == 0 {
			c.queue = append(c.queue, nil) // a marker: this range streams
			c.rows, s.live = rows, c
			break
		}
		vals, err := c.drain(rows)
		if err != nil {
			return err
		}
		c.queue = append(c.queue, vals)
	}
	s.loaded++
	return nil
}

// park reads the rest of the live result set into its cursor's memory, so that the
// connection is free for another query.
func (s *mdbScans) park() error {
	c := s.live
	if c == nil {
		return nil
	}
	s.live = nil
	vals, err := c.drain(c.rows)
	c.rows = nil
	if err != nil {
		return err
	}
	// The live range is the queue's last (a nil marker), read up to where the merge is;
	// when it is also the first, the merge has consumed nothing of it in memory (pos 0).
	c.queue[len(c.queue)-1] = vals
	return nil
}

// drain reads every row of rows and closes it. The driver's bytes are copied into one
// buffer for the range (mdbCell).
func (c *mdbRows) drain(rows *sql.Rows) ([]any, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	c.ncol = len(cols)
	var vals []any
	var buf []byte
	cells := make([]mdbCell, c.ncol)
	dest := make([]any, c.ncol)
	for i := range cells {
		cells[i].buf = &buf
		dest[i] = &cells[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i := range cells {
			vals = append(vals, cells[i].v)
		}
	}
	return vals, rows.Err()
}

// mdbCell takes one value of a row read into memory: bytes copied into the range's
// buffer (a slice of it stays valid when the buffer grows: the old array is kept).
type mdbCell struct {
	buf *[]byte
	v   any
}

func (x *mdbCell) Scan(src any) error {
	if b, ok := src.([]byte); ok {
		n := len(*x.buf)
		*x.buf = append(*x.buf, b...)
		x.v = (*x.buf)[n:len(*x.buf):len(*x.buf)]
		return nil
	}
	x.v = src
	return nil
}

func (c *mdbRows) Next() bool {
	s := c.s
	for !c.closed && s.err == nil {
		if len(c.queue) > 0 {
			if c.rows != nil && len(c.queue) == 1 { // the live range, all before it consumed
				c.row = nil
				if c.rows.Next() {
					return true
				}
				if err := c.rows.Err(); err != nil {
					s.err = err
					return false
				}
				c.rows.Close()
				c.rows, s.live = nil, nil
				c.queue = c.queue[1:]
				continue
			}
			if q := c.queue[0]; c.pos < len(q) {
				c.row = q[c.pos : c.pos+c.ncol]
				c.pos += c.ncol
				return true
			}
			c.queue[0] = nil
			c.queue, c.pos = c.queue[1:], 0
			continue
		}
		if s.loaded == s.ranges() {
			return false
		}
		if err := s.load(); err != nil {
			s.err = err
		}
	}
	return false
}

// Scan hands the current row to dest, which must be sql.Scanners (the column scanners
// of columns.go). A streamed row goes straight from the driver to dest, and the bytes a
// text column borrows from the driver (colText) are then copied into the cursor's own
// buffer: the merge may still hold them when another scan needs the connection and the
// rest of this result set is read into memory (park), which reuses the driver's.
func (c *mdbRows) Scan(dest ...any) error {
	if c.row != nil {
		return scanInto(dest, c.row)
	}
	if c.rows == nil {
		return errors.New("mariadb: Scan without a row")
	}
	if err := c.rows.Scan(dest...); err != nil {
		return err
	}
	c.arena = c.arena[:0]
	for _, d := range dest {
		if t, ok := d.(*colText); ok && t.isBytes {
			n := len(c.arena)
			c.arena = append(c.arena, t.b...)
			t.b = c.arena[n:len(c.arena):len(c.arena)]
		}
	}
	return nil
}

func scanInto(dest, row []any) error {
	if len(dest) != len(row) {
		return fmt.Errorf("mariadb: %d scan targets for %d columns", len(dest), len(row))
	}
	for i, d := range dest {
		sc, ok := d.(sql.Scanner)
		if !ok {
			return fmt.Errorf("mariadb: scan target %T is not a sql.Scanner", d)
		}
		if err := sc.Scan(row[i]); err != nil {
			return err
		}
	}
	return nil
}

func (c *mdbRows) Err() error { return c.s.err }

func (c *mdbRows) Close() error {
	c.closed = true
	c.queue, c.row = nil, nil
	if c.rows != nil {
		c.rows.Close()
		c.rows = nil
		if c.s.live == c {
			c.s.live = nil
		}
	}
	return nil
}
