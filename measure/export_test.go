package measure

// What the external tests (package measure_test) use of the internal ones.

// GenPractice is genPractice: the benchmark's generated practice.
var GenPractice = genPractice

// CPUSeconds is cpuSeconds: the process's CPU time, for the benchmarks.
var CPUSeconds = cpuSeconds
