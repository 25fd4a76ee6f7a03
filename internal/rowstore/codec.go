package rowstore

// What the codecs share: a table of the strings most rows repeat (TINs, NPIs,
// clinicians, codes, invitation channels), each stored once and referred to by number,
// and a reader that checks every bound, so damaged bytes give an error and never a
// panic.

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// table numbers repeated strings. Numbers are given while rows are appended and read
// while they are read back; the two never run at once (Store).
type table struct {
	index map[string]uint64
	list  []string
	last  [8]struct { // per field, the last string put: most rows repeat the row before
		s  string
		i  uint64
		ok bool
	}
}

// put returns s's number, giving it one on first sight; field (< 8) names the field,
// for the memo of its last string.
func (t *table) put(field int, s string) uint64 {
	m := &t.last[field]
	if m.ok && m.s == s {
		return m.i
	}
	i := t.lookup(s)
	m.s, m.i, m.ok = s, i, true
	return i
}

func (t *table) lookup(s string) uint64 {
	if i, ok := t.index[s]; ok {
		return i
	}
	if t.index == nil {
		t.index = map[string]uint64{}
	}
	i := uint64(len(t.list))
	t.index[s] = i
	t.list = append(t.list, s)
	return i
}

// append appends s, the field-th field of its row, as a number of the table.
func (t *table) append(dst []byte, field int, s string) []byte {
	return binary.AppendUvarint(dst, t.put(field, s))
}

// appendText appends s itself (strings that rarely repeat: MRNs, names, free text).
func appendText(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendFlags(dst []byte, flags ...bool) []byte {
	var b byte
	for i, f := range flags {
		if f {
			b |= 1 << i
		}
	}
	return append(dst, b)
}

var errShort = errors.New("row ends early")

// decoder reads a row's fields in the order they were appended; the first problem
// sticks and every later read returns zero.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int32() int32 {
	v := d.varint()
	if v != int64(int32(v)) && d.err == nil {
		d.err = fmt.Errorf("value %d out of range", v)
	}
	return int32(v)
}

func (d *decoder) flags(dst ...*bool) {
	if d.err != nil {
		return
	}
	if len(d.b) == 0 {
		d.err = errShort
		return
	}
	for i, p := range dst {
		*p = d.b[0]&(1<<i) != 0
	}
	d.b = d.b[1:]
}

func (d *decoder) text() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errShort
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) string(t *table) string {
	i := d.uvarint()
	if d.err != nil {
		return ""
	}
	if i >= uint64(len(t.list)) {
		d.err = fmt.Errorf("string number %d of %d", i, len(t.list))
		return ""
	}
	return t.list[i]
}

// done reports the first problem, or bytes left over.
func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	return d.err
}

func appendVarint(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }
