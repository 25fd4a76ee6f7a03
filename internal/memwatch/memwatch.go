// Package memwatch measures the live heap a piece of work needs at its peak, for the
// memory benchmarks (BENCHMARKS.md: api check's worst body, combine's largest inputs).
// It imports only the standard library.
package memwatch

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// Peak runs f and returns the highest live heap seen while it ran, above the live heap
// before it (after a GC), sampled every 100 µs.
func Peak(f func()) uint64 {
	runtime.GC()
	base := heap()
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			if v := heap(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

func heap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
