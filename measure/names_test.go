package measure

import (
	"testing"

	"pgregory.net/rapid"
)

// TestNameIndexMatchesMap checks the duplicate-name table against a plain map, with
// keys that collide in their low bits (long probe runs) and enough of them to grow.
func TestNameIndexMatchesMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var x nameIndex
		ref := map[uint64]dupEntry{}
		n := rapid.IntRange(0, 3000).Draw(t, "n")
		for i := 0; i < n; i++ {
			h := uint64(rapid.IntRange(0, 40).Draw(t, "key")) << rapid.SampledFrom([]int{0, 10, 20, 40}).Draw(t, "shift")
			id := rapid.Int64Range(1, 50).Draw(t, "id")
			k := h
			if k == 0 {
				k = 1
			}
			want, wantOK := ref[k]
			if !wantOK || id < want.id {
				ref[k] = dupEntry{id: id, mrn: "m"}
			}
			got, ok := x.remember(h, id, "m")
			if ok != wantOK || got != want {
				t.Fatalf("remember(%#x, %d) = %v, %v; want %v, %v", h, id, got, ok, want, wantOK)
			}
		}
	})
}
