package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/cputime"
	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/push/fcm"
	"github.com/chorus-advocacy/chorus/backend/internal/push/fcmtest"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

type fanoutParams struct {
	devices, jobs, sends, batch int
	cpuprofile, memprofile      string
}

func fanoutFlags(fs *flag.FlagSet) *fanoutParams {
	var f fanoutParams
	fs.IntVar(&f.devices, "fanout-devices", 100000, "fanout: FCM devices (spread over the members) one activity is announced to")
	// 4 × 8 sends in flight suit the loopback fake, where the CPU is the
	// limit; against the real FCM, latency is, and the server's defaults
	// (8 jobs × 32 sends) keep more requests in flight.
	fs.IntVar(&f.jobs, "fanout-jobs", 4, "fanout: jobs the runner runs at once")
	fs.IntVar(&f.sends, "fanout-sends", 8, "fanout: sends in flight per job")
	fs.IntVar(&f.batch, "fanout-batch", 500, "fanout: devices per batch job")
	fs.StringVar(&f.cpuprofile, "fanout-cpuprofile", "", "fanout: write a CPU profile of the fan-out alone (not the seeding) to this file")
	fs.StringVar(&f.memprofile, "fanout-memprofile", "", "fanout: write a heap profile (allocations during the fan-out) to this file")
	return &f
}

// benchFanout announces one activity for everyone to fanout-devices FCM
// devices through the fake FCM, the whole path: plan job, batch jobs in the
// database, the real FCM sender over loopback HTTP, delivery records. The
// ceiling is the same sender and fake with as many sends in flight, without
// the database or the jobs.
func benchFanout(ctx context.Context, db string, st *store.Store, fx fixture, fp *fanoutParams, out io.Writer) error {
	members, err := memberIDs(ctx, st, fx.program)
	if err != nil {
		return err
	}
	t0 := time.Now()
	now := t0.UnixMilli()
	rows := make([][]any, fp.devices)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("dev_bench%07d", i), members[i%len(members)], "fcm", fmt.Sprintf("bench-token-%07d", i), "", "", now, now}
	}
	if err := st.BulkInsert(ctx, "devices", []string{"id", "user_id", "platform", "token", "subscription", "locale", "created_at", "updated_at"}, rows); err != nil {
		return fmt.Errorf("devices: %w", err)
	}
	rows = nil
	if err := st.Optimize(ctx); err != nil { // what autovacuum would do after such an insert
		return err
	}
	fmt.Fprintf(out, "    (+%d FCM devices in %s)\n", fp.devices, time.Since(t0).Round(time.Millisecond))

	fake := fcmtest.New(fcmtest.WithMaxRecorded(1))
	defer fake.Close()
	sender, err := fcm.New(fcm.Config{CredentialsJSON: fake.ServiceAccountJSON("bench"), BaseURL: fake.URL()})
	if err != nil {
		return err
	}
	inFlight := fp.jobs * fp.sends
	ceilingN := min(fp.devices, 30000)
	cpu0 := cputime.Process()
	ceiling := directSends(sender, ceilingN, inFlight)
	ceilingCPU := perMessage(cputime.Process()-cpu0, ceilingN)

	log := slog.New(slog.DiscardHandler)
	runner := jobs.New(st, log)
	runner.Concurrency, runner.Poll = fp.jobs, 100*time.Millisecond
	nt := notify.New(notify.Options{Store: st, Jobs: runner, Log: log, Sender: sender, BatchSize: fp.batch, SendConcurrency: fp.sends})
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); runner.Run(rctx) }()
	go func() { defer wg.Done(); nt.Run(rctx) }()
	defer func() { stop(); wg.Wait() }()

	a := domain.Activity{ID: domain.NewID("act"), ProgramID: fx.program, Type: domain.TypeWeChatPhoto, Message: "Fan-out benchmark: everyone",
		StartsAt: time.Now().UTC().Truncate(time.Millisecond), Points: 1, CreatedBy: "bench", CreatorTimezone: "UTC", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	// The API queues the announcement in the activity's own transaction;
	// the fan-out starts when that commits.
	announce := nt.ActivityJobs(a)
	if len(announce) == 0 {
		return errors.New("fan-out: the notifier queued no announcement")
	}

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapInuse
	var peak atomic.Uint64
	peak.Store(heapBefore)
	sampling := make(chan struct{})
	go func() {
		t := time.NewTicker(25 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-sampling:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()

	if fp.memprofile != "" {
		runtime.MemProfileRate = 64 << 10
	}
	stopProfile, err := startCPUProfile(fp.cpuprofile)
	if err != nil {
		close(sampling)
		return err
	}
	base := fake.Count()
	cpu0 = cputime.Process()
	start := time.Now()
	if err := st.CreateActivity(ctx, a, announce...); err != nil {
		close(sampling)
		stopProfile()
		return err
	}
	runner.Wake()
	var first time.Duration
	deadline := start.Add(10 * time.Minute)
	for fake.Count()-base < fp.devices {
		if first == 0 && fake.Count() > base {
			first = time.Since(start)
		}
		if time.Now().After(deadline) {
			close(sampling)
			return fmt.Errorf("fan-out: %d of %d delivered after 10 minutes", fake.Count()-base, fp.devices)
		}
		time.Sleep(2 * time.Millisecond)
	}
	total := time.Since(start)
	cpu := cputime.Process() - cpu0
	close(sampling)
	stopProfile()
	if err := writeHeapProfile(fp.memprofile); err != nil {
		return err
	}
	sent := fake.Count() - base
	_, _, failed, err := st.JobCounts(ctx, notify.KindActivityBatch)
	if err != nil {
		return err
	}
	rate := float64(sent) / total.Seconds()
	fanCPU := perMessage(cpu, sent)
	fmt.Fprintf(out, "%-9s %-17s %7.0f msg/s, %d messages in %s (first after %s), peak heap %d MB (+%d MB), %d in flight | direct sends %7.0f msg/s | ratio %.2f\n",
		db, "push fan-out", rate, sent, total.Round(time.Millisecond), first.Round(time.Millisecond), peak.Load()>>20, (peak.Load()-heapBefore)>>20, inFlight, ceiling, rate/ceiling)
	// On a shared machine the wall clock measures the neighbours; CPU per
	// message does not, and cores ÷ it is what this machine gives idle.
	fmt.Fprintf(out, "%-9s %-17s %7.1f cpu-µs/msg (idle %d cores: %6.0f msg/s) | direct sends %5.1f cpu-µs/msg (%6.0f msg/s) | ratio %.2f",
		db, "  fan-out CPU", fanCPU, runtime.NumCPU(), idleRate(fanCPU), ceilingCPU, idleRate(ceilingCPU), ceilingCPU/fanCPU)
	if failed > 0 {
		fmt.Fprintf(out, "  (%d batch jobs failed)", failed)
	}
	fmt.Fprintln(out)
	return nil
}

// directSends is the ceiling: n sends through sender from c goroutines.
func directSends(sender push.Sender, n, c int) float64 {
	var next atomic.Int64
	var wg sync.WaitGroup
	m := push.NewActivityMessage("en", "prg_bench", "act_ceiling", "Ceiling")
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				_ = sender.Send(context.Background(), push.Device{ID: "d", Platform: push.PlatformFCM, Token: fmt.Sprintf("ceiling-%d", i)}, m)
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// startCPUProfile profiles from now until the returned stop is called ("":
// not at all), so the seeding does not drown the fan-out in the profile.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("fan-out CPU profile: %w (is -cpuprofile set too?)", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

// perMessage is CPU microseconds per message (0 when unmeasured).
func perMessage(cpu time.Duration, n int) float64 {
	if cpu <= 0 || n <= 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / float64(n)
}

// idleRate is the throughput all cores give at cpuMicros per message.
func idleRate(cpuMicros float64) float64 {
	if cpuMicros <= 0 {
		return 0
	}
	return float64(runtime.NumCPU()) * 1e6 / cpuMicros
}
