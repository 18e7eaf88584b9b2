// Package session is the client's engine without a screen: who is signed in
// where (Session), the offline queue of performs (Outbox), the cached feed
// and profile, and sending and re-sending performs. It imports no Fyne, so
// it is tested on its own; package app draws what it reports.
package session

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// Session is who is signed in where. It is a value that is never changed:
// signing in, signing out and switching program each make a new one, so a
// screen that started a request keeps the Session it started with and drops
// the answer if the app has moved on (Engine.Post).
type Session struct {
	API       *client.Client
	Server    string
	UserID    string
	ProgramID string
}

// Signed-in steps of a Session; each returns a new value.

// WithUser is s after the person with this id signed in.
func (s Session) WithUser(uid string) Session { s.UserID = uid; return s }

// WithProgram is s with this program open.
func (s Session) WithProgram(pid string) Session { s.ProgramID = pid; return s }

// Config wires an Engine.
type Config struct {
	// Store keeps the queue and the cached documents.
	Store Store
	// Post runs fn on the UI goroutine (fyne.Do in the app; tests may call
	// fn at once).
	Post func(fn func())
	// Now is the clock (tests fix it); nil means time.Now.
	Now func() time.Time
}

// Engine holds the current Session and does the work that outlives a
// screen: performs, the queue and its sync, the cache.
type Engine struct {
	store  Store
	outbox *Outbox
	post   func(func())
	now    func() time.Time

	mu       sync.Mutex
	cur      Session
	stopLoop context.CancelFunc
	// syncing lets one sync at a time send the queue, so a timer and a
	// refresh never send the same perform side by side.
	syncing *sync.Mutex
}

// New opens the engine on cfg.Store. A damaged queue file must not keep the
// app from starting (the server already has whatever it confirmed): the
// engine then starts with an empty queue, and the error is returned beside
// it for the caller to log.
func New(cfg Config) (*Engine, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Post == nil {
		cfg.Post = func(fn func()) { fn() }
	}
	o, err := OpenOutbox(cfg.Store)
	return &Engine{store: cfg.Store, outbox: o, post: cfg.Post, now: cfg.Now, syncing: &sync.Mutex{}}, err
}

// Beside is a second engine on the same queue and cache with a session of
// its own: a manager's preview of a member's feed, which must neither drop
// the manager's answers nor have its own dropped by the manager's.
func (e *Engine) Beside(s Session) *Engine {
	b := &Engine{store: e.store, outbox: e.outbox, post: e.post, now: e.now, syncing: e.syncing}
	b.cur = s
	return b
}

// Outbox is the queue of performs the server has not confirmed.
func (e *Engine) Outbox() *Outbox { return e.outbox }

// Session is the current one.
func (e *Engine) Session() Session {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cur
}

// Switch makes s the current session (sign-in, sign-out, another program):
// answers started for the one before are dropped from now on, and its sync
// loop ends.
func (e *Engine) Switch(s Session) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cur = s
	if e.stopLoop != nil {
		e.stopLoop()
		e.stopLoop = nil
	}
}

// Current says whether s is still the current session.
func (e *Engine) Current(s Session) bool { return e.Session() == s }

// Post runs fn on the UI goroutine if s is still current by then: the one
// place that decides whether an answer is still wanted.
func (e *Engine) Post(s Session, fn func()) {
	e.post(func() {
		if e.Current(s) {
			fn()
		}
	})
}

// Pending is the set of activities of s's program with a queued perform.
func (e *Engine) Pending(s Session) map[string]bool {
	return e.outbox.Pending(s.Server, s.UserID, s.ProgramID)
}

// Outcome is what a perform came to.
type Outcome struct {
	Result client.PerformResult
	// Queued: the server could not take it now; it waits in the queue.
	Queued bool
	Err    error
}

// Perform sends a perform of activity aid in s's program, queueing it first
// so that a failure to reach the server (or a crash) leaves it to be retried
// with the same id. Off the UI goroutine.
func (e *Engine) Perform(ctx context.Context, s Session, aid, surface string) Outcome {
	p, err := e.outbox.Add(PendingPerform{ClientActionID: NewActionID(), Server: s.Server, UserID: s.UserID,
		ProgramID: s.ProgramID, ActivityID: aid, Surface: surface, QueuedAt: e.now()})
	if err != nil {
		slog.Error("queue perform", "err", err)
	}
	res, err := s.API.Perform(ctx, s.ProgramID, aid, client.Perform{ClientActionID: p.ClientActionID, Surface: p.Surface})
	if err != nil && RetryLater(err) {
		return Outcome{Queued: true, Err: err}
	}
	if rerr := e.outbox.Remove(p.ClientActionID); rerr != nil {
		slog.Error("unqueue perform", "err", rerr)
	}
	return Outcome{Result: res, Err: err}
}

// Synced is one queued perform sent again.
type Synced struct {
	Item   PendingPerform
	Result client.PerformResult
	// Err is the server's final answer; the item left the queue.
	Err error
}

// Sync sends s's person's queued performs (every program), oldest first, and
// stops at the first the server cannot take now. Off the UI goroutine.
func (e *Engine) Sync(ctx context.Context, s Session) []Synced {
	e.syncing.Lock()
	defer e.syncing.Unlock()
	var out []Synced
	for _, p := range e.outbox.For(s.Server, s.UserID) {
		res, err := s.API.Perform(ctx, p.ProgramID, p.ActivityID, client.Perform{ClientActionID: p.ClientActionID, Surface: p.Surface})
		if err != nil && RetryLater(err) {
			break
		}
		if rerr := e.outbox.Remove(p.ClientActionID); rerr != nil {
			slog.Error("unqueue perform", "err", rerr)
		}
		out = append(out, Synced{Item: p, Result: res, Err: err})
	}
	return out
}

// StartSyncLoop retries the current session's queue every so often while
// performs wait, until the session is switched or ctx ends. What a round
// sent goes to report on the UI goroutine, if its session is still current.
// It runs on a goroutine of its own: it lives as long as the session.
func (e *Engine) StartSyncLoop(ctx context.Context, every time.Duration, report func(synced []Synced)) {
	e.mu.Lock()
	if e.stopLoop != nil {
		e.stopLoop()
	}
	ctx, cancel := context.WithCancel(ctx)
	e.stopLoop = cancel
	s := e.cur
	e.mu.Unlock()
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if len(e.outbox.For(s.Server, s.UserID)) == 0 {
				continue
			}
			if synced := e.Sync(ctx, s); len(synced) > 0 {
				e.Post(s, func() { report(synced) })
			}
		}
	}()
}

// StopSyncLoop ends the loop, if one runs.
func (e *Engine) StopSyncLoop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopLoop != nil {
		e.stopLoop()
		e.stopLoop = nil
	}
}

// Unreachable tells a failure to reach the server (no network, server down,
// timeout) from an answer: only these are worth queueing and retrying.
func Unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	return client.Code(err) == ""
}

// RetryLater says whether a server answer is temporary (the perform stays
// queued) rather than final (it leaves the queue with its error). A send
// abandoned half way (sign-out ends the sync loop) got no answer at all: it
// stays queued too, and the server knows its id if it did arrive.
func RetryLater(err error) bool {
	if Unreachable(err) || errors.Is(err, context.Canceled) {
		return true
	}
	s := client.Status(err)
	return s == 408 || s == 429 || s >= 500
}
