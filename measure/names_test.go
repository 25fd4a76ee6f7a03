package measure

import (
	"fmt"
	"testing"
)

// The name index keeps the lowest id per key and hands back the entry that was there
// before, across more entries than one chunk holds and several growths of the table.
func TestNameIndexKeepsLowestID(t *testing.T) {
	var x nameIndex
	key := func(i int) uint64 { return uint64(i) * 0x9e3779b97f4a7c15 }
	n := 2*dupChunk + 3
	for i := range n {
		if _, dup := x.remember(key(i), int64(1000+i), fmt.Sprint("m", i)); dup {
			t.Fatalf("key %d reported as a duplicate on first sight", i)
		}
	}
	for _, i := range []int{0, dupChunk - 1, dupChunk, n - 1} {
		k := key(i)
		prev, dup := x.remember(k, int64(2000+i), "later")
		if !dup || prev != (dupEntry{key: k, id: int64(1000 + i), mrn: fmt.Sprint("m", i)}) {
			t.Fatalf("key %d: got %+v %v, want the first entry", i, prev, dup)
		}
		if prev, _ = x.remember(k, int64(i), "lower"); prev.id != int64(1000+i) {
			t.Fatalf("key %d: a higher id replaced the lowest: %+v", i, prev)
		}
		if prev, _ = x.remember(k, int64(3000+i), "x"); prev != (dupEntry{key: k, id: int64(i), mrn: "lower"}) {
			t.Fatalf("key %d: the lower id was not kept: %+v", i, prev)
		}
	}
}

// Keys that share a slot, or share the high 32 bits the table keeps, or both, stay
// apart: only the full key makes a duplicate.
func TestNameIndexKeysThatCollide(t *testing.T) {
	keys := []uint64{
		0x0000000100000005, // high bits 1, low bits place it at 5
		0x0000000200000005, // another key placed at 5
		0x0000000100100005, // the high bits and the place of the first
		0x0000000100000405, // again, and at 5 of the 1,024 slots
		0x0000000000000000, // zero is a key like any other
	}
	var x nameIndex
	for i, k := range keys {
		if prev, dup := x.remember(k, int64(i+1), ""); dup {
			t.Fatalf("key %#x: taken for %+v", k, prev)
		}
	}
	for i, k := range keys {
		if prev, dup := x.remember(k, 100, ""); !dup || prev.id != int64(i+1) || prev.key != k {
			t.Fatalf("key %#x: got %+v %v, want id %d", k, prev, dup, i+1)
		}
	}
}
