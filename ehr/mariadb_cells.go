package ehr

// Rows held in memory on MariaDB's one connection (mariadb_join.go): compact, without
// pointers (the collector never scans them), in blocks that the merge lets go of once
// it has passed them.
//
// A row is one int64 cell per column, read by its column's kind: the integer (kInt),
// the instant in microseconds since 1970 (kInstant), the index of the text in
// cellStore.texts (kText). What a cell cannot hold exactly — NULL, a value the column's
// scanner refuses, an instant finer than a microsecond, another kind — is marked in the
// row's flags (two bits a cell); a refused value is kept as the driver gave it (raw)
// and handed to the scanner again when the merge reads the row, so that every message
// is the one the server's rows would have given.

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"slices"
	"time"
)

const (
	cellValue = iota
	cellNull
	cellRaw // the cell is an index into cellStore.raw
)

// cellRow is a row of up to six columns, and a link the holder gives a meaning.
type cellRow struct {
	c     [6]int64
	flags uint16
	link  int32
}

func flagOf(flags uint16, i int) int { return int(flags>>(2*i)) & 3 }

// cellStore is what rows in memory share: their texts and refused values.
type cellStore struct {
	texts []string
	text  map[string]int64
	raw   []any
}

// blocks is a sequence of rows kept in blocks, so that the merge can let go of the
// rows behind it and a growing sequence is never copied.
type blocks[T any] struct {
	b [][]T
	n int
}

const blockRows = 1 << 15

func (s *blocks[T]) add(x T) {
	if s.n%blockRows == 0 {
		s.b = append(s.b, make([]T, 0, blockRows))
	}
	k := len(s.b) - 1
	s.b[k] = append(s.b[k], x)
	s.n++
}

func (s *blocks[T]) at(i int) *T { return &s.b[i/blockRows][i%blockRows] }

// release lets go of the blocks wholly before row i.
func (s *blocks[T]) release(i int) {
	for k := range min(i/blockRows, len(s.b)) {
		s.b[k] = nil
	}
}

// permute puts row perm[i] at i, for every i (a permutation of 0..n-1, which it uses
// up), moving each row once.
func (s *blocks[T]) permute(perm []int32) {
	for i := range perm {
		if perm[i] < 0 {
			continue
		}
		tmp := *s.at(i)
		j := i
		for {
			k := int(perm[j])
			perm[j] = ^perm[j]
			if k == i {
				*s.at(j) = tmp
				break
			}
			*s.at(j) = *s.at(k)
			j = k
		}
	}
}

// rowKey is a row's sort key — rank (NULL, an integer, beyond int64) and integer —
// and the row's place.
type rowKey struct {
	k    int64
	i    int32
	rank int8
}

func keyOrder(a, b rowKey) int {
	if a.rank != b.rank {
		return cmp.Compare(a.rank, b.rank)
	}
	return cmp.Compare(a.k, b.k)
}

// keyOf is the sort key of integer cell c (flag f) of row i.
func keyOf(f int, c int64, i int) rowKey {
	if f != cellValue {
		return rowKey{i: int32(i), rank: int8(rankInt(f))}
	}
	return rowKey{k: c, i: int32(i), rank: 1}
}

// sortRows puts rows in order: first by keys (one per row, by keyOrder), then, among
// equal keys, by order; keys is used up.
func sortRows[T any](rows *blocks[T], keys []rowKey, order func(a, b *T) int) {
	slices.SortFunc(keys, keyOrder)
	for lo := 0; lo < len(keys); {
		hi := lo + 1
		for hi < len(keys) && keyOrder(keys[hi], keys[lo]) == 0 {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(keys[lo:hi], func(x, y rowKey) int {
				return order(rows.at(int(x.i)), rows.at(int(y.i)))
			})
		}
		lo = hi
	}
	perm := make([]int32, len(keys))
	for i, k := range keys {
		perm[i] = k.i
	}
	rows.permute(perm)
}

// kindsOf is rel's column kinds, model order.
func kindsOf(rel *relation) []colKind {
	out := make([]colKind, len(rel.cols))
	for i, c := range rel.cols {
		out[i] = c.kind
	}
	return out
}

// take stores a row as the driver gives it (vals, of columns of kinds) into cells and
// returns its flags. A cell holds a value exactly as the column's scanner would take
// it (columns.go) — an integer, an instant parseInstant reads that is not the zero
// time, text — and anything else is kept raw for the scanner to judge.
func (s *cellStore) take(kinds []colKind, vals []driver.Value, cells []int64) uint16 {
	var flags uint16
	for i, k := range kinds {
		f := cellRaw
		switch v := vals[i].(type) {
		case nil:
			f = cellNull
		case int64:
			if k == kInt {
				f, cells[i] = cellValue, v
			}
		case uint64: // BIGINT UNSIGNED
			if k == kInt && v <= math.MaxInt64 {
				f, cells[i] = cellValue, int64(v)
			}
		case []byte:
			switch k {
			case kText:
				f, cells[i] = cellValue, s.intern(v)
			case kInstant:
				if t, ok := parseInstant(v); ok && !t.IsZero() && t.Nanosecond()%1000 == 0 {
					f, cells[i] = cellValue, t.UnixMicro()
				}
			}
		}
		if f == cellRaw {
			cells[i] = int64(len(s.raw))
			src := vals[i]
			if b, ok := src.([]byte); ok {
				src = bytes.Clone(b)
			}
			s.raw = append(s.raw, src)
		}
		flags |= uint16(f) << (2 * i)
	}
	return flags
}

// intern is the index of text b in s.texts.
func (s *cellStore) intern(b []byte) int64 {
	if s.text == nil {
		s.text = map[string]int64{}
	}
	k, ok := s.text[string(b)]
	if !ok {
		str := string(b)
		k = int64(len(s.texts))
		s.texts = append(s.texts, str)
		s.text[str] = k
	}
	return k
}

// scanValues runs query on conn and hands each row, as the driver gives it (a []byte
// valid until the next row), to row until it returns false.
func scanValues(ctx context.Context, conn *sql.Conn, query string, args []any, ncol int, row func([]driver.Value) bool) error {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]driver.Value, ncol)
	dest := make([]any, ncol)
	for i := range dest {
		dest[i] = valueOf{&vals[i]}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if !row(vals) {
			return nil
		}
	}
	return rows.Err()
}

// valueOf takes a value as the driver gives it.
type valueOf struct{ v *driver.Value }

func (x valueOf) Scan(src any) error {
	*x.v = src
	return nil
}

// put hands a cell (flag f) to dest, a column scanner.
func (s *cellStore) put(dest any, f int, cell int64) error {
	switch f {
	case cellNull:
		return dest.(sql.Scanner).Scan(nil)
	case cellRaw:
		return dest.(sql.Scanner).Scan(s.raw[cell])
	}
	switch d := dest.(type) {
	case *colInt:
		*d = colInt{v: cell}
	case *colTime:
		d.t, d.null, d.bad, d.inf = time.UnixMicro(cell).UTC(), false, "", 0
	case *colText:
		*d = colText{s: s.texts[cell]}
	default:
		return fmt.Errorf("mariadb: scan target %T for a row held in memory", dest)
	}
	return nil
}

// putRow hands a row's n cells to dest.
func (s *cellStore) putRow(dest []any, cells []int64, flags uint16) error {
	for i, d := range dest {
		if err := s.put(d, flagOf(flags, i), cells[i]); err != nil {
			return err
		}
	}
	return nil
}

// cmpInt orders integer cells as MariaDB does: NULL, then the integers, then what the
// driver gave beyond int64 (BIGINT UNSIGNED), by value.
func (s *cellStore) cmpInt(fa, fb int, a, b int64) int {
	switch {
	case fa != fb:
		return cmp.Compare(rankInt(fa), rankInt(fb))
	case fa == cellValue:
		return cmp.Compare(a, b)
	case fa == cellRaw:
		ua, oka := s.raw[a].(uint64)
		ub, okb := s.raw[b].(uint64)
		if oka && okb {
			return cmp.Compare(ua, ub)
		}
	}
	return 0
}

func rankInt(f int) int { return [...]int{cellNull: 0, cellValue: 1, cellRaw: 2}[f] }

// cmpTime orders instant cells as MariaDB orders a DATETIME or TIMESTAMP: NULL first,
// then by value. The session's UTC text of those values orders as they do, and is what
// a refused value (a zero date, year 1) is compared by.
func (s *cellStore) cmpTime(fa, fb int, a, b int64) int {
	switch {
	case fa == cellNull || fb == cellNull:
		return cmp.Compare(rankTime(fa), rankTime(fb))
	case fa == cellValue && fb == cellValue:
		return cmp.Compare(a, b)
	}
	return bytes.Compare(s.timeText(fa, a), s.timeText(fb, b))
}

func rankTime(f int) int {
	if f == cellNull {
		return 0
	}
	return 1
}

// timeText is an instant cell as MariaDB's text with six decimals.
func (s *cellStore) timeText(f int, cell int64) []byte {
	if f == cellValue {
		return time.UnixMicro(cell).UTC().AppendFormat(nil, "2006-01-02 15:04:05.000000")
	}
	var b []byte
	switch x := s.raw[cell].(type) {
	case []byte:
		b = x
	case string:
		b = []byte(x)
	}
	if len(b) == len("2006-01-02 15:04:05") {
		b = append(slices.Clip(b), ".000000"...)
	}
	return b
}
