// Package jobs runs durable background work stored in the database: push
// fan-out, TikTok staging, scheduled notifications. A job survives restarts;
// a worker that dies loses its lease and another runs the job again, so every
// handler must be idempotent.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/domain"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// Handler does one job. Returning nil completes it; Permanent(err) fails it
// at once; RetryAfter(d, err) runs it again after d; any other error retries
// with exponential backoff until the job's attempts run out.
type Handler func(ctx context.Context, j store.Job) error

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks an error that no retry can fix.
func Permanent(err error) error { return permanent{err} }

// RetryAfterError asks for the job to run again after a given time (a
// server's Retry-After, a polling interval).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (r *RetryAfterError) Error() string { return fmt.Sprintf("retry after %s: %v", r.After, r.Err) }
func (r *RetryAfterError) Unwrap() error { return r.Err }

// RetryAfter makes a RetryAfterError.
func RetryAfter(d time.Duration, err error) error { return &RetryAfterError{After: d, Err: err} }

// Runner claims and runs jobs.
type Runner struct {
	st       *store.Store
	log      *slog.Logger
	worker   string
	handlers map[string]Handler
	// Lease is how long a claimed job is ours before others may take it.
	Lease time.Duration
	// Concurrency is how many jobs run at once.
	Concurrency int
	// Poll is the longest sleep between looks at the queue.
	Poll time.Duration
	// Backoff is the first retry delay; it doubles per attempt up to an hour.
	Backoff time.Duration
	Now     func() time.Time

	wake chan struct{}
}

// New makes a runner; register handlers, then Run.
func New(st *store.Store, log *slog.Logger) *Runner {
	host, _ := os.Hostname()
	return &Runner{st: st, log: log, worker: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), domain.NewID("w")),
		handlers: map[string]Handler{}, Lease: 2 * time.Minute, Concurrency: 8, Poll: time.Second,
		Backoff: 5 * time.Second, Now: time.Now, wake: make(chan struct{}, 1)}
}

// Handle registers the handler of a kind.
func (r *Runner) Handle(kind string, h Handler) { r.handlers[kind] = h }

// Enqueue stores a job and wakes the runner.
func (r *Runner) Enqueue(ctx context.Context, kind string, payload any, runAt time.Time, dedupeKey string) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	if err := r.st.EnqueueJob(ctx, store.NewJob{Kind: kind, Payload: string(b), RunAt: runAt, DedupeKey: dedupeKey}); err != nil {
		return err
	}
	r.Wake()
	return nil
}

// Wake makes the runner look at the queue now (after an enqueue).
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends, then waits for running jobs to finish.
func (r *Runner) Run(ctx context.Context) {
	kinds := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		kinds = append(kinds, k)
	}
	sem := make(chan struct{}, r.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		free := r.Concurrency - len(sem)
		var claimed []store.Job
		if free > 0 {
			var err error
			// The claim must not be cut by shutdown half-way: a claim
			// that commits unseen would keep its jobs locked for a lease.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			claimed, err = r.st.ClaimJobs(cctx, r.worker, kinds, r.Now(), r.Lease, free)
			cancel()
			if err != nil && ctx.Err() == nil {
				r.log.Warn("claim jobs", "err", err)
			}
		}
		for _, j := range claimed {
			sem <- struct{}{}
			wg.Add(1)
			go func(j store.Job) {
				defer wg.Done()
				defer func() { <-sem }()
				r.run(ctx, j)
				r.Wake() // a slot is free: look again
			}(j)
		}
		if len(claimed) == free && free > 0 {
			continue // there may be more due now
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-time.After(r.Poll):
		}
	}
}

func (r *Runner) run(ctx context.Context, j store.Job) {
	h := r.handlers[j.Kind]
	// A job that outlives its lease could run twice at once; cap it.
	jctx, cancel := context.WithTimeout(ctx, r.Lease-time.Second)
	err := safe(jctx, h, j)
	cancel()
	// Record the outcome even when shutting down: a job that finished
	// must not run again because the server was stopping.
	bg := context.WithoutCancel(ctx)
	now := r.Now()
	var perm permanent
	var ra *RetryAfterError
	switch {
	case err == nil:
		err = r.st.CompleteJob(bg, j.ID, r.worker, now)
	case ctx.Err() != nil:
		// Stopping: release the job for the next start.
		err = r.st.RetryJob(bg, j.ID, r.worker, now, "interrupted by shutdown")
	case errors.As(err, &perm) || j.Attempts >= j.Max:
		r.log.Warn("job failed", "kind", j.Kind, "id", j.ID, "attempts", j.Attempts, "err", err)
		err = r.st.FailJob(bg, j.ID, r.worker, now, err.Error())
	case errors.As(err, &ra):
		err = r.st.RetryJob(bg, j.ID, r.worker, now.Add(ra.After), ra.Error())
	default:
		delay := time.Duration(float64(r.Backoff) * math.Pow(2, float64(j.Attempts-1)))
		delay = min(delay, time.Hour)
		r.log.Info("job will retry", "kind", j.Kind, "id", j.ID, "attempt", j.Attempts, "in", delay, "err", err)
		err = r.st.RetryJob(bg, j.ID, r.worker, now.Add(delay), err.Error())
	}
	if err != nil {
		r.log.Error("record job outcome", "kind", j.Kind, "id", j.ID, "err", err)
	}
}

func safe(ctx context.Context, h Handler, j store.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, j)
}
