// Package pushtest holds what the fake push services (apnstest, fcmtest,
// webpushtest) share: a bounded record of what they accepted and the
// failures a test can tell them to answer with.
package pushtest

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DefaultMaxRecorded is how many recent deliveries a Recorder keeps unless
// told otherwise: enough for any test, bounded for a long demo or benchmark.
const DefaultMaxRecorded = 10000

// Recorder keeps the most recent deliveries and counts all of them. It is
// safe for concurrent use; the zero value keeps DefaultMaxRecorded.
type Recorder[D any] struct {
	mu    sync.Mutex
	max   int
	set   bool
	log   func(D)
	items []D
	count int
}

// SetMax bounds how many recent deliveries are kept; n <= 0 keeps all.
func (r *Recorder[D]) SetMax(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.max, r.set = n, true
}

// SetLog calls fn for every recorded delivery, outside the lock.
func (r *Recorder[D]) SetLog(fn func(D)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = fn
}

func (r *Recorder[D]) limit() int {
	if !r.set {
		return DefaultMaxRecorded
	}
	return r.max
}

// Record adds d.
func (r *Recorder[D]) Record(d D) {
	r.mu.Lock()
	r.count++
	r.items = append(r.items, d)
	if m := r.limit(); m > 0 && len(r.items) >= 2*m {
		// Amortised trim: one copy per m appends.
		r.items = append([]D(nil), r.items[len(r.items)-m:]...)
	}
	log := r.log
	r.mu.Unlock()
	if log != nil {
		log(d)
	}
}

// Deliveries returns the most recent deliveries, oldest first.
func (r *Recorder[D]) Deliveries() []D {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.items
	if m := r.limit(); m > 0 && len(d) > m {
		d = d[len(d)-m:]
	}
	return append([]D(nil), d...)
}

// Count is the number of deliveries recorded since start.
func (r *Recorder[D]) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count
}

// FaultKind says which failure a fake was told to answer a request with.
type FaultKind int

const (
	// None: answer normally.
	None FaultKind = iota
	// Fail: answer with Fault.Status (FailNext).
	Fail
	// TooMany: the service's rate limit (TooMany).
	TooMany
	// Throttled: the per-device or per-endpoint rate limit (Throttle).
	Throttled
)

// Fault is the failure to answer one request with.
type Fault struct {
	Kind       FaultKind
	Status     int           // for Fail
	RetryAfter time.Duration // for TooMany and Throttled; 0 omits the header
}

// Faults are the failures a test has asked for. It is safe for concurrent
// use; the zero value asks for none.
type Faults struct {
	mu         sync.Mutex
	failN      int
	failStatus int
	tooManyN   int
	tooManyFor time.Duration
	throttled  map[string]time.Duration // device or endpoint → Retry-After
}

// FailNext makes the next n requests fail with status.
func (f *Faults) FailNext(n, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failN, f.failStatus = n, status
}

// TooMany makes the next n requests fail with the service's rate limit and
// a Retry-After of retryAfter (omitted when zero).
func (f *Faults) TooMany(n int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tooManyN, f.tooManyFor = n, retryAfter
}

// Throttle makes every request to key fail with the rate limit and a
// Retry-After of retryAfter (omitted when zero), until Unthrottle.
func (f *Faults) Throttle(key string, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.throttled == nil {
		f.throttled = make(map[string]time.Duration)
	}
	f.throttled[key] = retryAfter
}

// Unthrottle ends Throttle for key.
func (f *Faults) Unthrottle(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.throttled, key)
}

// Next takes the fault for one request to key, in the order a service
// meets them: a failing service first, then its rate limit, then the
// device's. A throttled key does not use up one of TooMany's n.
func (f *Faults) Next(key string) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch after, throttled := f.throttled[key]; {
	case f.failN > 0:
		f.failN--
		return Fault{Kind: Fail, Status: f.failStatus}
	case throttled:
		return Fault{Kind: Throttled, RetryAfter: after}
	case f.tooManyN > 0:
		f.tooManyN--
		return Fault{Kind: TooMany, RetryAfter: f.tooManyFor}
	}
	return Fault{}
}

// SetRetryAfter sets the Retry-After header in whole seconds, rounded up,
// unless d is zero.
func SetRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
}
