//go:build unix

package main

import (
	"syscall"
	"time"
)

// processCPU is user+system CPU time of the whole process (the fake push
// service included): CPU per message holds up on a shared machine where
// wall-clock throughput does not.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
