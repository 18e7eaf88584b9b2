package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/jobs"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

var ctx = context.Background()

var quiet = slog.New(slog.DiscardHandler)

// clock is real time plus an offset tests move forward.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// recorder wraps a sender and remembers every send.
type recorder struct {
	next  push.Sender
	delay time.Duration
	// before, when set, runs ahead of every send (a test's gate).
	before func()
	mu     sync.Mutex
	calls  []sendCall
}

type sendCall struct {
	dev push.Device
	msg push.Message
	err error
	at  time.Time
}

func (r *recorder) Send(ctx context.Context, d push.Device, m push.Message) error {
	if r.before != nil {
		r.before()
	}
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	err := r.next.Send(ctx, d, m)
	r.mu.Lock()
	r.calls = append(r.calls, sendCall{d, m, err, time.Now()})
	r.mu.Unlock()
	return err
}

func (r *recorder) Calls() []sendCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sendCall(nil), r.calls...)
}

// instance is one server's background side: a job runner and a notifier.
type instance struct {
	st     *store.Store
	runner *jobs.Runner
	n      *notify.Notifier
	rec    *recorder
	stop   func()
}

func newInstance(st *store.Store, clk *clock, sender push.Sender, mod func(*notify.Options)) *instance {
	runner := jobs.New(st, quiet)
	runner.Poll, runner.Backoff, runner.Now = 50*time.Millisecond, 100*time.Millisecond, clk.Now
	// A runner stopped while its claim was in flight leaves those jobs
	// leased to nobody until the lease runs out: keep it short here.
	runner.Lease = 3 * time.Second
	rec := &recorder{next: sender}
	o := notify.Options{Store: st, Jobs: runner, Log: quiet, Sender: rec, Now: clk.Now}
	if mod != nil {
		mod(&o)
	}
	return &instance{st: st, runner: runner, n: notify.New(o), rec: rec}
}

// start runs the instance until the test ends or stop is called.
func (in *instance) start(t testing.TB) {
	c, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); in.runner.Run(c) }()
	go func() { defer wg.Done(); in.n.Run(c) }()
	in.stop = sync.OnceFunc(func() { cancel(); wg.Wait() })
	t.Cleanup(in.stop)
}

type env struct {
	*apitest.Env
	inst *instance
	fk   *notify.Fakes
	clk  *clock
}

func newEnv(t *testing.T, st *store.Store, mod func(*notify.Options)) *env {
	t.Helper()
	fk, err := notify.StartFakes(quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fk.Close)
	clk := &clock{}
	inst := newInstance(st, clk, fk.Senders(), mod)
	e := apitest.New(t, st, func(o *httpapi.Options) {
		o.Notify, o.Events, o.Jobs, o.EventHeartbeat = inst.n, inst.n, inst.runner, 50*time.Millisecond
		o.WebPushLoopback = true // the fake Web Push service is on loopback
	})
	inst.n.SetLinks(e.URL, e.API.ShareURL)
	inst.start(t) // stops before the server closes: streams end first
	t.Cleanup(e.API.CloseStreams)
	return &env{Env: e, inst: inst, fk: fk, clk: clk}
}

// member adds a member in zone with locale and groups.
func (e *env) member(t *testing.T, email, zone, locale string, groups ...string) (string, *client.Client) {
	t.Helper()
	id, c := e.AddMember(email, zone, groups...)
	if locale != "" {
		if _, err := c.UpdateMe(ctx, client.UpdateMe{Locale: &locale}); err != nil {
			t.Fatal(err)
		}
	}
	return id, c
}

func apnsToken(n int) string { return fmt.Sprintf("%064x", n+1) }

func register(t *testing.T, c *client.Client, in client.DeviceInput) client.Device {
	t.Helper()
	d, err := c.RegisterDevice(ctx, in)
	if err != nil {
		t.Fatalf("register %+v: %v", in, err)
	}
	return d
}

func webDevice(e *env) (client.DeviceInput, interface{ Messages() [][]byte }) {
	sub, recv := e.fk.WebPush.NewSubscription()
	return client.DeviceInput{Platform: "webpush", Subscription: &client.WebPushSubscription{Endpoint: sub.Endpoint,
		Keys: client.WebPushKeys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}}}, recv
}

func photo(t *testing.T, e *env, msg string, in client.ActivityInput) client.Activity {
	t.Helper()
	in.Type, in.Message = apitest.Ptr("wechat_photo"), apitest.Ptr(msg)
	a, err := e.Manager.CreateActivity(ctx, e.ProgramID, in)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settle waits until no job of the push kinds is pending, then a little
// more, so "nothing else arrived" is meaningful.
func settle(t *testing.T, st *store.Store) {
	t.Helper()
	waitFor(t, 10*time.Second, "push jobs to finish", func() bool {
		for _, k := range []string{notify.KindActivityLive, notify.KindActivityBatch, notify.KindDirect, notify.KindWebhook} {
			pending, _, failed, err := st.JobCounts(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			if failed > 0 {
				t.Fatalf("%d %s jobs failed", failed, k)
			}
			if pending > 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(100 * time.Millisecond)
}
