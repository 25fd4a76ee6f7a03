package measure

import (
	"fmt"
	"testing"
)

// The name index keeps the lowest id per key and hands back the entry that was there
// before, across more entries than one chunk holds.
func TestNameIndexKeepsLowestID(t *testing.T) {
	var x nameIndex
	n := 2*dupChunk + 3
	for i := range n {
		if _, dup := x.remember(uint64(i), int64(1000+i), fmt.Sprint("m", i)); dup {
			t.Fatalf("key %d reported as a duplicate on first sight", i)
		}
	}
	for _, i := range []int{0, dupChunk - 1, dupChunk, n - 1} {
		k := uint64(i)
		prev, dup := x.remember(k, int64(2000+i), "later")
		if !dup || prev != (dupEntry{id: int64(1000 + i), mrn: fmt.Sprint("m", i)}) {
			t.Fatalf("key %d: got %+v %v, want the first entry", i, prev, dup)
		}
		if prev, _ = x.remember(k, int64(i), "lower"); prev.id != int64(1000+i) {
			t.Fatalf("key %d: a higher id replaced the lowest: %+v", i, prev)
		}
		if prev, _ = x.remember(k, int64(3000+i), "x"); prev != (dupEntry{id: int64(i), mrn: "lower"}) {
			t.Fatalf("key %d: the lower id was not kept: %+v", i, prev)
		}
	}
}
