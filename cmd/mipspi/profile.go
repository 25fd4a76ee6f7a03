package main

// Profiling for benchmarks (bench/run.sh, BENCHMARKS.md), off unless asked for through the
// environment so that it never shows in --help nor changes a command line:
//
//	MIPSPI_CPUPROFILE=cpu.out mipspi report …   go tool pprof -top mipspi cpu.out
//	MIPSPI_MEMPROFILE=mem.out mipspi report …   (heap in use at exit, after a GC)
//	MIPSPI_PEAKPROFILE=peak.out mipspi report … (heap profile when the live heap peaked)

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// gcPercent is the garbage collector's target unless $GOGC says otherwise: the heap
// may grow to 1.5x the live data instead of Go's default 2x. A report streams millions
// of short-lived driver values past a long-lived core (compact issue rows, the
// duplicate-name index, the drill-down); measured on a 5M-appointment PostgreSQL
// report (BENCHMARKS.md): peak RSS 519 MB -> 425 MB for about 10% more CPU.
const gcPercent = 50

// tuneGC applies gcPercent when $GOGC is not set.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// startProfiles starts the profiles the environment asks for; the returned func stops
// them and writes their files.
func startProfiles(stderr io.Writer) func() {
	var stops []func()
	if path := os.Getenv("MIPSPI_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "mipspi: cpu profile %s: %v\n", path, err)
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := os.Getenv("MIPSPI_MEMPROFILE"); path != "" {
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err == nil {
				runtime.GC()
				err = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
			if err != nil {
				fmt.Fprintf(stderr, "mipspi: memory profile %s: %v\n", path, err)
			}
		})
	}
	if path := os.Getenv("MIPSPI_PEAKPROFILE"); path != "" {
		stops = append(stops, peakProfile(path, stderr))
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

// peakProfile samples the live heap every 50 ms and writes a heap profile to path
// each time it has grown by 5% over the largest seen (the last one written is the
// peak's, to within the sampling). The returned func stops the sampling.
func peakProfile(path string, stderr io.Writer) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			live := sample[0].Value.Uint64()
			if live <= peak+peak/20 {
				continue
			}
			peak = live
			f, err := os.Create(path)
			if err == nil {
				err = pprof.Lookup("heap").WriteTo(f, 0)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				fmt.Fprintf(stderr, "mipspi: peak heap profile %s: %v\n", path, err)
				return
			}
		}
	}()
	return func() { close(done); <-finished }
}
