package main

// Profiling for benchmarks (bench/run.sh, BENCHMARKS.md), off unless asked for through the
// environment so that it never shows in --help nor changes a command line:
//
//	MIPSPI_CPUPROFILE=cpu.out mipspi report …   go tool pprof -top mipspi cpu.out
//	MIPSPI_MEMPROFILE=mem.out mipspi report …   (heap in use at exit, after a GC)

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

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
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}
