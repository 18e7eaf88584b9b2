package fcm

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/chorus-advocacy/chorus/backend/internal/cputime"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/push/fcmtest"
)

// BenchmarkFCMSend measures one shared Sender driven by many goroutines, as
// the fan-out job does, against the fake over loopback HTTP. The fake runs
// in the same process and takes its share of the CPU, so msgs/s is a lower
// bound for the sender alone; cpu-µs/msg is the CPU both sides spend per
// message (cores × 1e6 ÷ cpu-µs/msg is the throughput an idle machine gives).
func BenchmarkFCMSend(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	for _, perProc := range []int{1, 8, 32, 128} {
		// RunParallel starts perProc × GOMAXPROCS goroutines.
		b.Run(fmt.Sprintf("senders=%d", perProc*procs), func(b *testing.B) {
			fake, s := newPair(b, fcmtest.WithMaxRecorded(100))
			m := push.NewActivityMessage("en", "p1", "a1", "Share the launch video")
			ctx := context.Background()
			if err := s.Send(ctx, device("warm"), m); err != nil { // token fetch outside the timing
				b.Fatal(err)
			}
			var n atomic.Int64
			b.SetParallelism(perProc)
			b.ReportAllocs()
			cpu0 := cputime.Process()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					d := device("tok-" + strconv.FormatInt(n.Add(1), 10))
					if err := s.Send(ctx, d, m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			if cpu := cputime.Process() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
			}
			if fake.TokenGrants() != 1 {
				b.Errorf("token grants = %d", fake.TokenGrants())
			}
		})
	}
}
