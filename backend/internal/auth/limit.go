package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter limits events per key (an account, an address). It is per process:
// with several instances each allows its own share, which still stops
// password guessing at a useless rate.
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

// Blocked reports whether key has used up its budget at now, and if so how
// long until one more event is allowed. It takes nothing.
func (l *Limiter) Blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil || b.l.TokensAt(now) >= 1 {
		return false, 0
	}
	need := 1 - b.l.TokensAt(now)
	return true, time.Duration(need / float64(l.every) * float64(time.Second))
}

// Take spends one event of key's budget (e.g. a failed login).
func (l *Limiter) Take(key string, now time.Time) {
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
	b.l.AllowN(now, 1)
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
