//go:build !unix

package fcm

import "time"

func processCPU() time.Duration { return 0 }
