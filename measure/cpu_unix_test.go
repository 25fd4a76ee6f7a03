//go:build unix

package measure

import "syscall"

// cpuSeconds is the process's user+system CPU time so far. Benchmarks report visits per
// CPU second besides visits per wall second: on a shared machine the wall clock counts
// time the process spent waiting for a core.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
