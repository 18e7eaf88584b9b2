package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

func newRunner(st *store.Store) *jobs.Runner {
	r := jobs.New(st, slog.New(slog.DiscardHandler))
	r.Poll, r.Backoff, r.Lease = 20*time.Millisecond, 10*time.Millisecond, 3*time.Second
	return r
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestRunRetryFail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r := newRunner(st)
		var got sync.Map
		var flaky atomic.Int32
		r.Handle("echo", func(ctx context.Context, j store.Job) error {
			var p map[string]int
			json.Unmarshal([]byte(j.Payload), &p)
			got.Store(p["n"], true)
			return nil
		})
		r.Handle("flaky", func(ctx context.Context, j store.Job) error {
			if flaky.Add(1) < 3 {
				return errors.New("try again")
			}
			return nil
		})
		r.Handle("doomed", func(ctx context.Context, j store.Job) error { return jobs.Permanent(errors.New("never")) })
		r.Handle("panics", func(ctx context.Context, j store.Job) error { panic("boom") })
		go r.Run(ctx)
		for i := 0; i < 20; i++ {
			if err := r.Enqueue(ctx, "echo", map[string]int{"n": i}, time.Now(), ""); err != nil {
				t.Fatal(err)
			}
		}
		r.Enqueue(ctx, "flaky", nil, time.Now(), "")
		r.Enqueue(ctx, "doomed", nil, time.Now(), "")
		r.Enqueue(ctx, "panics", nil, time.Now(), "")
		waitFor(t, "all jobs", func() bool {
			_, e, _, _ := st.JobCounts(ctx, "echo")
			_, f, _, _ := st.JobCounts(ctx, "flaky")
			_, _, d, _ := st.JobCounts(ctx, "doomed")
			return e == 20 && f == 1 && d == 1
		})
		for i := 0; i < 20; i++ {
			if _, ok := got.Load(i); !ok {
				t.Errorf("job %d did not run", i)
			}
		}
		if n := flaky.Load(); n != 3 {
			t.Errorf("flaky ran %d times, want 3", n)
		}
		// A panicking handler is retried, not fatal to the runner.
		if p, _, f, _ := st.JobCounts(ctx, "panics"); p+f != 1 {
			t.Fatalf("the panicking job is gone: pending %d failed %d", p, f)
		}
	})
}

func TestDedupeAndSchedule(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := st.EnqueueJob(ctx, store.NewJob{Kind: "k", Payload: "{}", RunAt: time.Now().Add(time.Hour), DedupeKey: "same"}); err != nil {
			t.Fatal(err)
		}
	}
	if p, _, _, _ := st.JobCounts(ctx, "k"); p != 1 {
		t.Fatalf("dedupe: %d pending", p)
	}
	if js, _ := st.ClaimJobs(ctx, "w", []string{"k"}, time.Now(), time.Minute, 10); len(js) != 0 {
		t.Fatalf("a job due in an hour was claimed now: %v", js)
	}
	if js, _ := st.ClaimJobs(ctx, "w", []string{"k"}, time.Now().Add(2*time.Hour), time.Minute, 10); len(js) != 1 {
		t.Fatalf("due job not claimed: %v", js)
	}
}

// TestLeases: two runners on one PostgreSQL database never run a job twice,
// and a job whose worker died runs again after its lease.
func TestLeases(t *testing.T) {
	st := storetest.Postgres(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var runs sync.Map
	var total atomic.Int32
	h := func(ctx context.Context, j store.Job) error {
		if _, dup := runs.LoadOrStore(j.ID, true); dup {
			t.Errorf("job %d ran twice", j.ID)
		}
		total.Add(1)
		time.Sleep(time.Millisecond)
		return nil
	}
	for i := 0; i < 2; i++ {
		r := newRunner(st)
		r.Handle("fan", h)
		go r.Run(ctx)
	}
	for i := 0; i < 300; i++ {
		st.EnqueueJob(ctx, store.NewJob{Kind: "fan", Payload: "{}", RunAt: time.Now()})
	}
	waitFor(t, "300 jobs", func() bool { return total.Load() == 300 })

	// A claim by a worker that then vanished.
	st.EnqueueJob(ctx, store.NewJob{Kind: "orphan", Payload: "{}", RunAt: time.Now()})
	if js, err := st.ClaimJobs(ctx, "dead-worker", []string{"orphan"}, time.Now(), 500*time.Millisecond, 1); err != nil || len(js) != 1 {
		t.Fatalf("claim: %v %v", js, err)
	}
	var ran atomic.Bool
	r := newRunner(st)
	r.Handle("orphan", func(ctx context.Context, j store.Job) error { ran.Store(true); return nil })
	go r.Run(ctx)
	waitFor(t, "orphan to run after its lease", ran.Load)
}
