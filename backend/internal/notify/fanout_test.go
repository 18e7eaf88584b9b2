package notify_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// TestRateLimitedDeviceHoldsBackNoOne: one device per platform answers 429
// with an absurd Retry-After. Every other device, on every platform, gets
// the push in the same run; the refused ones wait at most
// push.MaxRetryAfter (durably: a deferred delivery record and the batch
// job's next run), then get it once.
func TestRateLimitedDeviceHoldsBackNoOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		// One send at a time, the throttled devices first (devices are sent
		// in id order): a batch that stopped at a 429 would send nothing else.
		e := newEnv(t, st, func(o *notify.Options) { o.SendConcurrency = 1 })
		ann, _ := e.member(t, "ann@acme.test", "UTC", "en")
		bo, _ := e.member(t, "bo@acme.test", "UTC", "en")
		now := time.Now()
		save := func(id, user, platform, token string, sub *push.WebPushSubscription) {
			t.Helper()
			d := store.Device{ID: id, UserID: user, Platform: platform, Token: token, CreatedAt: now, UpdatedAt: now}
			if sub != nil {
				b, _ := json.Marshal(sub)
				d.Token, d.Subscription = sub.Endpoint, string(b)
			}
			if _, err := st.SaveDevice(ctx, d, store.DeviceLimit); err != nil {
				t.Fatal(err)
			}
		}
		const huge = 100000 * time.Hour // 11 years
		slowWeb, slowBrowser := e.fk.WebPush.NewSubscription()
		save("dev_a1", ann, "fcm", "fcm-slow", nil)
		save("dev_a2", ann, "apns", apnsToken(99), nil)
		save("dev_a3", ann, "webpush", "", &slowWeb)
		e.fk.FCM.Throttle("fcm-slow", huge)
		e.fk.APNs.Throttle(apnsToken(99), huge)
		e.fk.WebPush.Throttle(slowWeb.Endpoint, huge)

		var browsers []interface{ Messages() [][]byte }
		for i, user := range []string{ann, bo, bo} {
			save("dev_b"+itoa(i)+"f", user, "fcm", "fcm-"+itoa(i), nil)
			save("dev_b"+itoa(i)+"i", user, "apns", apnsToken(i), nil)
			sub, recv := e.fk.WebPush.NewSubscription()
			save("dev_b"+itoa(i)+"w", user, "webpush", "", &sub)
			browsers = append(browsers, recv)
		}

		a := photo(t, e, "Everyone now", client.ActivityInput{})
		start := e.clk.Now()
		webDelivered := func() bool {
			for _, b := range browsers {
				if len(b.Messages()) != 1 {
					return false
				}
			}
			return true
		}
		waitFor(t, 10*time.Second, "the other devices", func() bool {
			return e.fk.FCM.Count() == 3 && e.fk.APNs.Count() == 3 && webDelivered()
		})
		// All in the first run of the one batch job: each throttled device
		// was tried once, and nothing else was sent twice.
		waitFor(t, 5*time.Second, "the batch to be rescheduled", func() bool {
			next, err := st.NextJobAt(ctx)
			return err == nil && next.After(start.Add(time.Minute))
		})
		calls := e.inst.rec.Calls()
		if len(calls) != 12 {
			t.Fatalf("%d sends, want 12 (9 delivered, 3 refused)", len(calls))
		}
		for _, c := range calls[:3] {
			if d, ok := push.RetryAfter(c.err); !ok || d != push.MaxRetryAfter {
				t.Errorf("%s: %v, want a rate limit capped at %s", c.dev.ID, c.err, push.MaxRetryAfter)
			}
		}
		if len(slowBrowser.Messages()) != 0 {
			t.Fatal("the throttled browser got the push")
		}
		// The wait is the capped one, recorded per device.
		next, err := st.NextJobAt(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if next.After(start.Add(push.MaxRetryAfter+time.Minute)) || next.Before(start.Add(push.MaxRetryAfter-time.Minute)) {
			t.Fatalf("the batch runs again at %s, want about %s after the start", next.Sub(start), push.MaxRetryAfter)
		}
		recs, err := st.Deliveries(ctx, "act:"+a.ID, []string{"dev_a1", "dev_a2", "dev_a3", "dev_b0f"})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"dev_a1", "dev_a2", "dev_a3"} {
			if r := recs[id]; r.Outcome != store.OutcomeDeferred || r.At.After(start.Add(push.MaxRetryAfter+time.Minute)) {
				t.Errorf("%s: %+v, want deferred by at most %s", id, r, push.MaxRetryAfter)
			}
		}
		if recs["dev_b0f"].Outcome != store.OutcomeSent {
			t.Errorf("dev_b0f: %+v", recs["dev_b0f"])
		}

		// The services relent; an hour later the batch runs again and
		// sends the three, once.
		e.fk.FCM.Unthrottle("fcm-slow")
		e.fk.APNs.Unthrottle(apnsToken(99))
		e.fk.WebPush.Unthrottle(slowWeb.Endpoint)
		e.clk.Advance(push.MaxRetryAfter + time.Second)
		waitFor(t, 10*time.Second, "the deferred devices", func() bool {
			return e.fk.FCM.Count() == 4 && e.fk.APNs.Count() == 4 && len(slowBrowser.Messages()) == 1
		})
		settle(t, st)
		if n := len(e.inst.rec.Calls()); n != 15 {
			t.Fatalf("%d sends in all, want 15", n)
		}
		if !webDelivered() {
			t.Fatal("a browser got the push twice")
		}
	})
}
