package rowstore

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// item is a row for the generic tests.
type item struct {
	ID   int64
	Name string
}

type itemCodec struct{}

func (itemCodec) Append(b []byte, v *item) []byte {
	b = appendVarint(b, v.ID)
	return appendText(b, v.Name)
}

func (itemCodec) Decode(src []byte) (item, error) {
	d := decoder{b: src}
	v := item{ID: d.varint(), Name: d.text()}
	return v, d.done()
}

// items are n rows of varied sizes: empty names, and names longer than one read of At.
func items(n int) []item {
	out := make([]item, n)
	for i := range out {
		out[i] = item{ID: int64(i*7919 - 3000), Name: strings.Repeat(string(rune('a'+i%26)), (i*37)%700)}
	}
	return out
}

func fill(t *testing.T, o Options, rows []item) *Store[item] {
	t.Helper()
	s := New[item](itemCodec{}, o)
	t.Cleanup(func() { s.Close() })
	for i := range rows {
		if err := s.Append(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func readAll(t *testing.T, s *Store[item]) []item {
	t.Helper()
	var out []item
	for v, err := range s.All() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// Rows read back as appended, in order, through All, Scan and At, whatever the
// threshold, and as often as they are read; they move to the file exactly when the
// threshold is reached.
func TestStoreKeepsRows(t *testing.T) {
	const n = 300
	want := items(n)
	for _, o := range []Options{{Rows: 1}, {Rows: 2}, {Rows: 7}, {Rows: n - 1}, {Rows: n}, {Rows: n + 1}, {Memory: true, Rows: 1}} {
		name := fmt.Sprintf("rows=%d memory=%v", o.Rows, o.Memory)
		o.Dir = t.TempDir()
		s := fill(t, o, want)
		if s.Len() != n {
			t.Errorf("%s: Len %d, want %d", name, s.Len(), n)
		}
		if spilled := s.Spilled() > 0; spilled != (!o.Memory && o.Rows <= n) {
			t.Errorf("%s: spilled %v", name, spilled)
		}
		for pass := 0; pass < 2; pass++ {
			if got := readAll(t, s); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s pass %d: %d rows differ from the %d appended", name, pass, len(got), len(want))
			}
		}
		var pos []int64
		if err := s.Scan(func(p int64, v *item) error {
			if *v != want[len(pos)] {
				return fmt.Errorf("row %d scanned as %+v", len(pos), *v)
			}
			pos = append(pos, p)
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := len(pos) - 1; i >= 0; i -= 3 { // backwards: any order
			if v, err := s.At(pos[i]); err != nil || v != want[i] {
				t.Fatalf("%s: At(%d) = %+v, %v; want row %d", name, pos[i], v, err, i)
			}
		}
		if _, err := s.At(-1); err == nil {
			t.Errorf("%s: At(-1) gave a row", name)
		}
		if _, err := s.At(pos[len(pos)-1] + 1); err == nil {
			t.Errorf("%s: At inside a row gave a row", name)
		}
		// Stopping early stops.
		k := 0
		for range s.All() {
			if k++; k == 5 {
				break
			}
		}
	}
}

// Rows held in memory fill blocks in order: a row larger than a block, rows that do
// not fit what is left of a block, and blocks emptied by a spill and filled again all
// read back in order and by position.
func TestStoreBlocks(t *testing.T) {
	var want []item
	for i, n := range []int{10, blockSize - 40, 100, 3 * blockSize, 5, blockSize / 2, blockSize / 2, blockSize, 0, 7} {
		want = append(want, item{ID: int64(i), Name: strings.Repeat("x", n)})
	}
	for _, o := range []Options{{Memory: true}, {Rows: 4}, {Rows: 3}} {
		name := fmt.Sprintf("rows=%d memory=%v", o.Rows, o.Memory)
		o.Dir = t.TempDir()
		s := fill(t, o, want)
		if got := readAll(t, s); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %d rows differ from the %d appended", name, len(got), len(want))
		}
		i := 0
		if err := s.Scan(func(p int64, v *item) error {
			if at, err := s.At(p); err != nil || !reflect.DeepEqual(at, want[i]) || !reflect.DeepEqual(*v, want[i]) {
				return fmt.Errorf("row %d at %d: At gave %d bytes (%v), Scan %d bytes", i, p, len(at.Name), err, len(v.Name))
			}
			i++
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// A byte changed anywhere in the file is an error naming what was read, which row and
// where: never a panic, never a wrong row.
func TestStoreDamagedFile(t *testing.T) {
	want := items(40)
	s := fill(t, Options{What: "test rows", Dir: t.TempDir(), Rows: 16}, want) // 32 in the file, 8 in memory
	var pos []int64
	if err := s.Scan(func(p int64, _ *item) error { pos = append(pos, p); return nil }); err != nil {
		t.Fatal(err)
	}
	f := s.file.f
	one := make([]byte, 1)
	for off := int64(0); off < s.fsize; off++ {
		if _, err := f.ReadAt(one, off); err != nil {
			t.Fatal(err)
		}
		orig := one[0]
		for _, bad := range []byte{orig ^ 0x01, orig ^ 0x80, 0xff, 0x00} {
			if bad == orig {
				continue
			}
			if _, err := f.WriteAt([]byte{bad}, off); err != nil {
				t.Fatal(err)
			}
			var got []item
			var rerr error
			for v, err := range s.All() {
				if err != nil {
					rerr = err
					break
				}
				got = append(got, v)
			}
			if rerr == nil {
				t.Fatalf("byte %d set to %#x: read back without an error", off, bad)
			}
			if msg := rerr.Error(); !strings.HasPrefix(msg, "read back test rows: row ") || !strings.Contains(msg, " of 40 at byte ") {
				t.Fatalf("byte %d: error %q does not name the rows, the row and the byte", off, msg)
			}
			if len(got) > 0 && !reflect.DeepEqual(got, want[:len(got)]) {
				t.Fatalf("byte %d set to %#x: rows read before the error differ", off, bad)
			}
			for i, p := range pos {
				v, err := s.At(p)
				if err == nil && v != want[i] {
					t.Fatalf("byte %d set to %#x: At row %d read as %+v", off, bad, i, v)
				}
			}
		}
		if _, err := f.WriteAt([]byte{orig}, off); err != nil {
			t.Fatal(err)
		}
	}
	if got := readAll(t, s); !reflect.DeepEqual(got, want) {
		t.Fatal("the restored file does not read back")
	}
	// A file cut short.
	if err := f.Truncate(s.fsize - 3); err != nil {
		t.Fatal(err)
	}
	var rerr error
	for _, err := range s.All() {
		if err != nil {
			rerr = err
		}
	}
	if rerr == nil || !strings.Contains(rerr.Error(), "row 32 of 40") {
		t.Errorf("cut file: error %v, want one naming row 32 of 40", rerr)
	}
}

// A file that cannot be written fails Append, and every Append after it.
func TestStoreWriteFails(t *testing.T) {
	s := New[item](itemCodec{}, Options{What: "test rows", Dir: t.TempDir() + "/missing", Rows: 2})
	defer s.Close()
	v := item{ID: 1}
	if err := s.Append(&v); err != nil {
		t.Fatal(err)
	}
	err := s.Append(&v)
	if err == nil || !strings.HasPrefix(err.Error(), "keep test rows: create temporary file in ") {
		t.Fatalf("Append into a missing directory: %v", err)
	}
	if err2 := s.Append(&v); !errors.Is(err2, err) && err2 != err {
		t.Errorf("the next Append: %v, want the same error", err2)
	}
}

// A closed store's file is gone: reading it is an error, not a panic.
func TestStoreClosed(t *testing.T) {
	dir := t.TempDir()
	s := fill(t, Options{Dir: dir, Rows: 3}, items(10))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, err := range s.All() {
		if err == nil {
			t.Fatal("a closed store read back a row from its file")
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}
