//go:build !unix

package measure

// cpuSeconds is unknown here: benchmarks then report no CPU-time figure.
func cpuSeconds() float64 { return 0 }
