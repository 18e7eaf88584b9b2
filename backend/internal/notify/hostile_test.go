package notify_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// TestHostileEndpointsDelayNobody: among 300 good devices in one batch, a
// member-chosen Web Push endpoint that never answers and one that always
// fails with 500 hold back nobody: every good device gets the push in the
// first pass, while the hanging one still hangs; the failing one is tried
// again (with the runner's backoff) and the good ones are not sent twice.
func TestHostileEndpointsDelayNobody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(o *notify.Options) { o.BatchSize, o.SendConcurrency = 500, 8 })
		release := make(chan struct{})
		var hung, failing atomic.Int64
		hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/hang":
				hung.Add(1)
				select { // holds the connection until the test ends
				case <-release:
				case <-r.Context().Done():
				}
			default:
				failing.Add(1)
				http.Error(w, "boom", http.StatusInternalServerError)
			}
		}))
		defer hostile.Close()
		defer close(release)

		ann, _ := e.member(t, "ann@acme.test", "UTC", "en")
		now := time.Now()
		save := func(id, platform, token string, sub *push.WebPushSubscription) {
			t.Helper()
			d := store.Device{ID: id, UserID: ann, Platform: platform, Token: token, CreatedAt: now, UpdatedAt: now}
			if sub != nil {
				b, _ := json.Marshal(sub)
				d.Token, d.Subscription = sub.Endpoint, string(b)
			}
			if _, err := st.SaveDevice(ctx, d, 0); err != nil {
				t.Fatal(err)
			}
		}
		// The hostile ones sort first: a batch that waited for them would
		// send nothing else.
		for i, path := range []string{"/hang", "/fail"} {
			sub, _ := e.fk.WebPush.NewSubscription()
			sub.Endpoint = hostile.URL + path
			save("dev_0"+itoa(i), "webpush", "", &sub)
		}
		const good = 300
		var browsers []interface{ Messages() [][]byte }
		for i := range good {
			if i%3 == 0 {
				sub, recv := e.fk.WebPush.NewSubscription()
				save("dev_g"+itoa(1000+i), "webpush", "", &sub)
				browsers = append(browsers, recv)
				continue
			}
			save("dev_g"+itoa(1000+i), "fcm", "fcm-good-"+itoa(i), nil)
		}
		start := time.Now()
		photo(t, e, "Everyone, hostile or not", client.ActivityInput{})
		delivered := func() int {
			n := e.fk.FCM.Count()
			for _, b := range browsers {
				n += len(b.Messages())
			}
			return n
		}
		waitFor(t, 15*time.Second, "every good device", func() bool { return delivered() == good })
		took := time.Since(start)
		if hung.Load() != 1 {
			t.Fatalf("the hanging endpoint was called %d times", hung.Load())
		}
		waitFor(t, 10*time.Second, "the failing endpoint to be retried", func() bool { return failing.Load() >= 2 })
		time.Sleep(200 * time.Millisecond)
		if delivered() != good {
			t.Fatalf("%d deliveries for %d good devices: some were sent twice", delivered(), good)
		}
		for _, b := range browsers {
			if len(b.Messages()) != 1 {
				t.Fatal("a browser got the push more than once")
			}
		}
		t.Logf("%d good devices reached in %s while one endpoint hung and one failed (tried %d times)", good, took.Round(time.Millisecond), failing.Load())
	})
}
