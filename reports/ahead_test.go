package reports

import (
	"fmt"
	"iter"
	"strconv"
	"testing"
)

func countTo(n int, ranged *int) iter.Seq2[int, error] {
	return func(yield func(int, error) bool) {
		for i := 1; i <= n; i++ {
			*ranged = i
			if !yield(i, nil) {
				return
			}
		}
	}
}

func encodeInt(dst []byte, v *int) []byte { return strconv.AppendInt(append(dst, '<'), int64(*v), 10) }

// The encodings come out in the sequence's order, whatever the batch boundaries and
// however many workers encode them; past the end, a zero row.
func TestEncodeAheadOrder(t *testing.T) {
	for _, n := range []int{0, 1, aheadRows - 1, aheadRows, aheadRows + 1, aheadRows*aheadDepth*3 + 7} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var ranged int
			a := encodeAhead(countTo(n, &ranged), encodeInt)
			defer a.stop()
			var buf []byte
			for i := 1; i <= n; i++ {
				var ok bool
				if buf, ok, _ = a.next(buf[:0]); !ok {
					t.Fatalf("row %d: ended early", i)
				}
				if want := fmt.Sprintf("<%d", i); string(buf) != want {
					t.Fatalf("row %d: got %q, want %q", i, buf, want)
				}
			}
			if got, ok, err := a.next([]byte("x")); ok || string(got) != "x" || err != nil {
				t.Fatalf("past the end: got %q, %v, %v; want dst unchanged, false, no error", got, ok, err)
			}
			a.stop()
			if ranged != n {
				t.Fatalf("the sequence was ranged to %d, want %d", ranged, n)
			}
		})
	}
}

// A caller that stops early (a write failed) gets its goroutines back: stop returns, and
// the sequence was not ranged to its end but only as far as the batches in flight.
func TestEncodeAheadStopEarly(t *testing.T) {
	const n = 1_000_000
	var ranged int
	a := encodeAhead(countTo(n, &ranged), encodeInt)
	if got, _, _ := a.next(nil); string(got) != "<1" {
		t.Fatalf("first row: got %q", got)
	}
	a.stop()
	a.stop() // twice is harmless
	if limit := aheadRows * (2*aheadDepth + 4); ranged > limit {
		t.Fatalf("after stop the sequence had been ranged to %d rows, want at most %d in flight", ranged, limit)
	}
}

// A row the sequence cannot read ends the rows after those before it, and next reports
// its error.
func TestEncodeAheadError(t *testing.T) {
	boom := fmt.Errorf("read back row 700: damaged")
	seq := func(yield func(int, error) bool) {
		for i := 1; i < 700; i++ {
			if !yield(i, nil) {
				return
			}
		}
		yield(0, boom)
	}
	a := encodeAhead(seq, encodeInt)
	defer a.stop()
	var buf []byte
	for i := 1; i < 700; i++ {
		var ok bool
		var err error
		if buf, ok, err = a.next(buf[:0]); !ok || err != nil || string(buf) != fmt.Sprintf("<%d", i) {
			t.Fatalf("row %d: %q %v %v", i, buf, ok, err)
		}
	}
	if _, ok, err := a.next(nil); ok || err != boom {
		t.Fatalf("after the last row: %v, %v; want false and the error", ok, err)
	}
}
