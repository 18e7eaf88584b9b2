//go:build unix

package fcm

import (
	"syscall"
	"time"
)

// processCPU is user+system CPU time of the whole test process, fake
// included, so the benchmark can report CPU per message, which holds up on
// a shared machine where wall-clock throughput does not.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
