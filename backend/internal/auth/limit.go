package auth

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter limits events per key (an address). It is per process: with several
// instances each allows its own share, which still stops password guessing
// at a useless rate.
type Limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// NewLimiter allows burst events at once per key, refilled at one per interval.
func NewLimiter(interval time.Duration, burst int) *Limiter {
	return &Limiter{every: rate.Every(interval), burst: burst, buckets: map[string]*bucket{}}
}

// Try takes one event of key's budget at now, atomically, so parallel
// attempts cannot all pass one check before any of them is counted. When the
// budget is spent it takes nothing and says how long until one more event
// is allowed. Undo gives the event back (the attempt turned out fine).
func (l *Limiter) Try(key string, now time.Time) (ok bool, wait time.Duration, undo func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{l: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.l.ReserveN(now, 1)
	if d := r.DelayFrom(now); !r.OK() || d > 0 {
		r.CancelAt(now)
		return false, max(d, time.Second), nil
	}
	return true, 0, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		r.CancelAt(now)
	}
}

// sweep drops buckets that have refilled, so memory follows active keys only.
func (l *Limiter) sweep(now time.Time) {
	full := time.Duration(float64(l.burst) / float64(l.every) * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.seen) > full {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

// Backoff slows attempts per key (an account) instead of locking it: free
// attempts in a row, then each one waits twice as long as the last, up to
// max. A guesser spread over many addresses gets a few tries a minute, and
// the real owner is never locked out for longer than max. A success (Forget)
// or quiet time clears the count.
type Backoff struct {
	mu    sync.Mutex
	free  int
	base  time.Duration
	max   time.Duration
	quiet time.Duration
	m     map[string]*strikes
	swept time.Time
}

type strikes struct {
	n          int
	next, last time.Time
}

// NewBackoff allows free attempts per key, then waits base, 2×base, … up to max.
func NewBackoff(free int, base, max time.Duration) *Backoff {
	return &Backoff{free: free, base: base, max: max, quiet: 15 * time.Minute, m: map[string]*strikes{}}
}

// Try counts an attempt for key at now, atomically, or says how long to wait.
func (b *Backoff) Try(key string, now time.Time) (ok bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.swept) > time.Minute {
		for k, s := range b.m {
			if now.Sub(s.last) > b.quiet {
				delete(b.m, k)
			}
		}
		b.swept = now
	}
	s := b.m[key]
	if s == nil || now.Sub(s.last) > b.quiet {
		s = &strikes{}
		b.m[key] = s
	}
	if now.Before(s.next) {
		return false, s.next.Sub(now)
	}
	s.n++
	s.last = now
	if over := s.n - b.free; over >= 0 {
		d := b.max
		if over < 20 {
			d = min(b.base<<over, b.max)
		}
		s.next = now.Add(d)
	}
	return true, 0
}

// Forget clears key's attempts (it signed in).
func (b *Backoff) Forget(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
}

// Gate bounds how many password hashes run at once: each argon2id hash holds
// its Memory parameter (64 MiB by default) for its whole run, so a burst of
// sign-ins without a bound is a burst of heap.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
}

// ErrBusy is returned when no slot frees up within the gate's wait.
var ErrBusy = errors.New("too many password checks at once")

// NewGate lets n hashes run at once; others queue for at most wait.
func NewGate(n int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// Do runs fn in a slot.
func (g *Gate) Do(ctx context.Context, fn func()) error {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	fn()
	return nil
}
