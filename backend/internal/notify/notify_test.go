package notify_test

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/push"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
)

// TestPublishNow: an activity that starts now reaches exactly the devices
// of the members the targeting rule picks, each in the member's language,
// with a deep link to the activity.
func TestPublishNow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		pid := e.ProgramID
		sales, err := e.Manager.CreateGroup(ctx, pid, "Sales")
		if err != nil {
			t.Fatal(err)
		}
		_, ann := e.member(t, "ann@acme.test", "Europe/Berlin", "en", sales.ID)
		_, bo := e.member(t, "bo@acme.test", "Asia/Shanghai", "zh-Hans", sales.ID)
		_, cy := e.member(t, "cy@acme.test", "America/New_York", "en")
		register(t, ann, client.DeviceInput{Platform: "fcm", Token: "fcm-ann"})
		web, annBrowser := webDevice(e)
		register(t, ann, web)
		register(t, bo, client.DeviceInput{Platform: "apns", Token: apnsToken(1)})
		// Bo's Android phone runs the app in English: the device's language wins.
		register(t, bo, client.DeviceInput{Platform: "fcm", Token: "fcm-bo", Locale: "en-US"})
		register(t, cy, client.DeviceInput{Platform: "fcm", Token: "fcm-cy"})

		a := photo(t, e, "Launch video", client.ActivityInput{GroupIDs: &[]string{sales.ID}})
		waitFor(t, 5*time.Second, "deliveries", func() bool {
			return e.fk.FCM.Count() == 2 && e.fk.APNs.Count() == 1 && len(annBrowser.Messages()) == 1
		})
		settle(t, st)
		link := push.DeepLink(pid, a.ID)
		got := map[string]string{}
		for _, d := range e.fk.FCM.Deliveries() {
			got[d.Token] = d.Title
			if d.Data[push.DataDeepLink] != link || d.Data[push.DataKind] != push.KindNewActivity || d.Data[push.DataActivityID] != a.ID {
				t.Errorf("fcm data: %v", d.Data)
			}
		}
		if len(got) != 2 || got["fcm-ann"] != "New activity: Launch video" || got["fcm-bo"] != "New activity: Launch video" {
			t.Errorf("fcm deliveries: %v", got)
		}
		ad := e.fk.APNs.Deliveries()
		if len(ad) != 1 || ad[0].Token != apnsToken(1) || ad[0].Title != "新活动：Launch video" || !strings.Contains(string(ad[0].Payload), link) {
			t.Errorf("apns deliveries: %+v", ad)
		}
		var wm struct{ Title, Deep_link string }
		if err := json.Unmarshal(annBrowser.Messages()[0], &wm); err != nil || wm.Title != "New activity: Launch video" || wm.Deep_link != link {
			t.Errorf("web push message: %s", annBrowser.Messages()[0])
		}
		if n := e.fk.FCM.Count() + e.fk.APNs.Count() + e.fk.WebPush.Count(); n != 4 {
			t.Errorf("%d pushes, want 4 (cy is not in Sales)", n)
		}

		// Editing the live activity does not announce it again.
		if _, err := e.Manager.UpdateActivity(ctx, pid, a.ID, client.ActivityInput{Message: apitest.Ptr("Launch video, edited")}); err != nil {
			t.Fatal(err)
		}
		settle(t, st)
		if n := e.fk.FCM.Count() + e.fk.APNs.Count() + e.fk.WebPush.Count(); n != 4 {
			t.Errorf("after an edit: %d pushes, want still 4", n)
		}
	})
}

// TestScheduled: an activity announced at its start; moving the start
// reschedules it, and it is announced once; one removed before its start
// is announced to nobody.
func TestScheduled(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), nil)
	pid := e.ProgramID
	_, ann := e.member(t, "ann@acme.test", "UTC", "en")
	register(t, ann, client.DeviceInput{Platform: "fcm", Token: "fcm-ann"})

	start := time.Now().Add(1500 * time.Millisecond)
	a := photo(t, e, "Later", client.ActivityInput{StartsAt: apitest.Ptr(start.Format(time.RFC3339Nano))})
	// Moved a little later before it starts: the first schedule must not fire.
	start = start.Add(500 * time.Millisecond)
	if _, err := e.Manager.UpdateActivity(ctx, pid, a.ID, client.ActivityInput{StartsAt: apitest.Ptr(start.Format(time.RFC3339Nano))}); err != nil {
		t.Fatal(err)
	}
	gone := photo(t, e, "Withdrawn", client.ActivityInput{StartsAt: apitest.Ptr(time.Now().Add(time.Second).Format(time.RFC3339Nano))})
	if _, err := e.Manager.RemoveActivity(ctx, pid, gone.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(start) - 300*time.Millisecond)
	if n := e.fk.FCM.Count(); n != 0 {
		t.Fatalf("%d pushes before the start", n)
	}
	waitFor(t, 5*time.Second, "the push at the start", func() bool { return e.fk.FCM.Count() == 1 })
	d := e.fk.FCM.Deliveries()[0]
	if d.At.Before(start) || d.Title != "New activity: Later" {
		t.Fatalf("delivery %q at %s, start %s", d.Title, d.At, start)
	}
	time.Sleep(time.Second) // past the withdrawn one's start
	settle(t, e.Store)
	if n := e.fk.FCM.Count(); n != 1 {
		t.Fatalf("%d pushes, want 1", n)
	}
}

// TestQuietHours: a member inside their quiet hours (in their own zone)
// gets the push when the window ends; others at once.
func TestQuietHours(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), nil)
	_, ann := e.member(t, "ann@acme.test", "UTC", "en")
	_, dee := e.member(t, "dee@acme.test", "Asia/Shanghai", "zh-Hans")
	register(t, ann, client.DeviceInput{Platform: "fcm", Token: "fcm-ann"})
	register(t, dee, client.DeviceInput{Platform: "fcm", Token: "fcm-dee"})
	sh, _ := time.LoadLocation("Asia/Shanghai")
	local := time.Now().In(sh)
	from, to := local.Add(-time.Minute).Format("15:04"), local.Add(2*time.Minute).Format("15:04")
	me, err := dee.UpdateMe(ctx, client.UpdateMe{QuietHoursStart: &from, QuietHoursEnd: &to})
	if err != nil || me.QuietHoursStart != from || me.QuietHoursEnd != to {
		t.Fatalf("set quiet hours: %+v %v", me, err)
	}
	_, until := push.QuietUntil(time.Now(), sh, from, to)

	photo(t, e, "Night news", client.ActivityInput{})
	waitFor(t, 5*time.Second, "ann's push", func() bool { return e.fk.FCM.Count() == 1 })
	time.Sleep(200 * time.Millisecond)
	if d := e.fk.FCM.Deliveries(); len(d) != 1 || d[0].Token != "fcm-ann" {
		t.Fatalf("during dee's quiet hours: %+v", d)
	}
	// Morning comes (the runner and notifier share the test clock).
	e.clk.Advance(time.Until(until) + time.Second)
	e.inst.runner.Wake()
	waitFor(t, 5*time.Second, "dee's push after her quiet hours", func() bool { return e.fk.FCM.Count() == 2 })
	d := e.fk.FCM.Deliveries()[1]
	if d.Token != "fcm-dee" || d.Title != "新活动：Night news" {
		t.Fatalf("released push: %+v", d)
	}
	settle(t, e.Store)
	if n := e.fk.FCM.Count(); n != 2 {
		t.Fatalf("%d pushes, want 2", n)
	}
}

// TestQuietHoursExpired: an activity that ends during the member's quiet
// hours is never sent to them.
func TestQuietHoursExpired(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), nil)
	_, dee := e.member(t, "dee@acme.test", "UTC", "en")
	register(t, dee, client.DeviceInput{Platform: "fcm", Token: "fcm-dee"})
	now := time.Now().UTC()
	from, to := now.Add(-time.Minute).Format("15:04"), now.Add(2*time.Minute).Format("15:04")
	if _, err := dee.UpdateMe(ctx, client.UpdateMe{QuietHoursStart: &from, QuietHoursEnd: &to}); err != nil {
		t.Fatal(err)
	}
	photo(t, e, "Short", client.ActivityInput{EndsAt: apitest.Ptr(now.Add(time.Minute).Format(time.RFC3339Nano))})
	waitFor(t, 5*time.Second, "the hold", func() bool {
		pending, done, _, _ := e.Store.JobCounts(ctx, notify.KindActivityBatch)
		return pending == 1 && done == 1
	})
	e.clk.Advance(4 * time.Minute)
	e.inst.runner.Wake()
	settle(t, e.Store)
	if n := e.fk.FCM.Count(); n != 0 {
		t.Fatalf("%d pushes for an activity that ended during quiet hours", n)
	}
}

// TestHandoff: a desktop handoff reaches that member's phones only.
func TestHandoff(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), nil)
	pid := e.ProgramID
	_, ann := e.member(t, "ann@acme.test", "UTC", "zh-Hans")
	_, bo := e.member(t, "bo@acme.test", "UTC", "en")
	register(t, ann, client.DeviceInput{Platform: "fcm", Token: "fcm-ann"})
	register(t, ann, client.DeviceInput{Platform: "apns", Token: apnsToken(7)})
	web, browser := webDevice(e)
	register(t, ann, web)
	register(t, bo, client.DeviceInput{Platform: "fcm", Token: "fcm-bo"})
	a := photo(t, e, "Share on WeChat", client.ActivityInput{StartsAt: apitest.Ptr(time.Now().Add(-time.Minute).Format(time.RFC3339))})
	settle(t, e.Store)
	before := e.fk.FCM.Count()

	if _, err := ann.Handoff(ctx, pid, a.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the handoff", func() bool { return e.fk.FCM.Count() == before+1 && e.fk.APNs.Count() == 2 })
	settle(t, e.Store)
	fd := e.fk.FCM.Deliveries()
	last := fd[len(fd)-1]
	if last.Token != "fcm-ann" || last.Title != "在手机上继续" || last.Data[push.DataKind] != push.KindHandoff || last.Data[push.DataDeepLink] != push.DeepLink(pid, a.ID) {
		t.Fatalf("fcm handoff: %+v", last)
	}
	ad := e.fk.APNs.Deliveries()
	if ad[1].Token != apnsToken(7) || ad[1].Title != "在手机上继续" {
		t.Fatalf("apns handoff: %+v", ad[1])
	}
	if n := len(browser.Messages()); n != 1 { // the announcement only
		t.Fatalf("browser got %d messages; a handoff goes to phones only", n)
	}
	if e.fk.FCM.Count() != before+1 {
		t.Fatalf("bo got the handoff too")
	}

	// TikTok staging results go to all of the member's devices.
	for _, j := range e.inst.n.TikTokStatusJobs(pid, a.ID, must(e.Store.UserByEmail(ctx, "ann@acme.test")).ID, false, "video too short.") {
		if err := e.Store.EnqueueJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	e.inst.runner.Wake()
	waitFor(t, 5*time.Second, "the staging result", func() bool { return len(browser.Messages()) == 2 })
	var wm struct{ Kind, Body string }
	json.Unmarshal(browser.Messages()[1], &wm)
	if wm.Kind != push.KindTikTokStatus || !strings.Contains(wm.Body, "video too short") {
		t.Fatalf("staging result: %s", browser.Messages()[1])
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestDeadTokens: registrations the services call dead are removed; the
// others are sent to.
func TestDeadTokens(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), nil)
	_, ann := e.member(t, "ann@acme.test", "UTC", "en")
	dead := register(t, ann, client.DeviceInput{Platform: "fcm", Token: "fcm-dead"})
	register(t, ann, client.DeviceInput{Platform: "fcm", Token: "fcm-live"})
	deadApple := register(t, ann, client.DeviceInput{Platform: "apns", Token: apnsToken(1)})
	badApple := register(t, ann, client.DeviceInput{Platform: "apns", Token: apnsToken(2)})
	web, _ := webDevice(e)
	deadWeb := register(t, ann, web)
	time.Sleep(5 * time.Millisecond) // APNs's "unregistered since" is after the registration
	e.fk.FCM.Unregister("fcm-dead")
	e.fk.APNs.Unregistered(apnsToken(1))
	e.fk.APNs.BadDeviceToken(apnsToken(2))
	e.fk.WebPush.Gone(web.Subscription.Endpoint)

	photo(t, e, "Hello", client.ActivityInput{})
	settle(t, e.Store)
	left, err := ann.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left.Items) != 1 || e.fk.FCM.Count() != 1 || e.fk.FCM.Deliveries()[0].Token != "fcm-live" {
		t.Fatalf("devices left %+v, fcm sent %d", left.Items, e.fk.FCM.Count())
	}
	for _, d := range []client.Device{dead, deadApple, badApple, deadWeb} {
		if left.Items[0].ID == d.ID {
			t.Fatalf("dead device %s kept", d.ID)
		}
	}
}

// TestRetryAfter: a 429 holds back the device it came for, no sooner than
// the service's Retry-After; the others are sent at once, and every device
// gets the push once.
func TestRetryAfter(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), func(o *notify.Options) { o.SendConcurrency = 1 })
	_, ann := e.member(t, "ann@acme.test", "UTC", "en")
	for _, tok := range []string{"fcm-1", "fcm-2", "fcm-3"} {
		register(t, ann, client.DeviceInput{Platform: "fcm", Token: tok})
	}
	e.fk.FCM.QuotaExceeded(1, time.Second)
	photo(t, e, "Busy day", client.ActivityInput{})
	waitFor(t, 5*time.Second, "all three", func() bool { return e.fk.FCM.Count() == 3 })
	settle(t, e.Store)
	calls := e.inst.rec.Calls()
	if len(calls) != 4 {
		t.Fatalf("%d sends, want 4 (one refused)", len(calls))
	}
	if d, ok := push.RetryAfter(calls[0].err); !ok || d != time.Second {
		t.Fatalf("first send: %v", calls[0].err)
	}
	if gap := calls[2].at.Sub(calls[0].at); gap >= 900*time.Millisecond {
		t.Fatalf("the other devices waited %s for the refused one", gap)
	}
	if calls[3].dev.ID != calls[0].dev.ID || calls[3].err != nil {
		t.Fatalf("last send: %+v, want the refused device again", calls[3])
	}
	if gap := calls[3].at.Sub(calls[0].at); gap < 990*time.Millisecond {
		t.Fatalf("retried after %s, Retry-After was 1s", gap)
	}
	tokens := map[string]int{}
	for _, d := range e.fk.FCM.Deliveries() {
		tokens[d.Token]++
	}
	if len(tokens) != 3 {
		t.Fatalf("deliveries: %v", tokens)
	}
}

// manyDevices registers n FCM devices spread over members, straight in the
// store (the API path is tested elsewhere), and returns their tokens.
func manyDevices(t *testing.T, e *env, members, n int) []string {
	t.Helper()
	var ids []string
	for i := range members {
		id, _ := e.AddMember("m"+itoa(i)+"@acme.test", "UTC")
		ids = append(ids, id)
	}
	var tokens []string
	now := time.Now()
	for i := range n {
		tok := "fcm-" + itoa(i)
		if _, err := e.Store.SaveDevice(ctx, store.Device{ID: "dev_" + itoa(i), UserID: ids[i%members], Platform: "fcm", Token: tok, CreatedAt: now, UpdatedAt: now}, 0); err != nil { // 0: more than a member may register
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	return tokens
}

func itoa(i int) string { return strconv.Itoa(i) }

func exactlyOnce(t *testing.T, tokens []string, got []string) {
	t.Helper()
	count := map[string]int{}
	for _, tok := range got {
		count[tok]++
	}
	var missing, twice []string
	for _, tok := range tokens {
		switch count[tok] {
		case 0:
			missing = append(missing, tok)
		case 1:
		default:
			twice = append(twice, tok)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 || len(twice) > 0 || len(got) != len(tokens) {
		t.Fatalf("%d deliveries for %d devices; missing %d %.5v, more than once %d %.5v", len(got), len(tokens), len(missing), missing, len(twice), twice)
	}
}

// TestRestartMidFanOut: the runner stops after some batches; a new one
// finishes the fan-out; every device gets the push exactly once.
func TestRestartMidFanOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(o *notify.Options) { o.BatchSize, o.SendConcurrency = 20, 4 })
		e.inst.rec.delay = 2 * time.Millisecond
		tokens := manyDevices(t, e, 10, 400)
		photo(t, e, "Big news", client.ActivityInput{})
		waitFor(t, 10*time.Second, "some deliveries", func() bool { return e.fk.FCM.Count() >= 100 })
		e.inst.stop()
		stoppedAt := e.fk.FCM.Count()
		if stoppedAt >= len(tokens) {
			t.Fatalf("the fan-out finished before the stop (%d); slow it down", stoppedAt)
		}
		// The next start: a new runner and notifier on the same database.
		next := newInstance(st, e.clk, e.fk.Senders(), func(o *notify.Options) { o.BatchSize, o.SendConcurrency = 20, 4 })
		next.start(t)
		waitFor(t, 20*time.Second, "the rest", func() bool { return e.fk.FCM.Count() >= len(tokens) })
		settle(t, st)
		var got []string
		for _, d := range e.fk.FCM.Deliveries() {
			got = append(got, d.Token)
		}
		exactlyOnce(t, tokens, got)
		t.Logf("stopped after %d of %d; the second runner sent %d", stoppedAt, len(tokens), len(next.rec.Calls()))
	})
}

// TestTwoInstances: two server instances on one PostgreSQL database share
// the fan-out and never send a device the push twice.
func TestTwoInstances(t *testing.T) {
	url := storetest.PostgresURL(t)
	st1 := must(store.Open(ctx, store.Options{DatabaseURL: url}))
	t.Cleanup(func() { st1.Close() })
	st2 := must(store.Open(ctx, store.Options{DatabaseURL: url}))
	t.Cleanup(func() { st2.Close() })
	mod := func(o *notify.Options) { o.BatchSize, o.SendConcurrency = 20, 4 }
	e := newEnv(t, st1, mod)
	e.inst.rec.delay = 2 * time.Millisecond
	other := newInstance(st2, e.clk, e.fk.Senders(), mod)
	other.rec.delay = 2 * time.Millisecond
	// Instance 1 sends nothing until instance 2 has sent once: on a loaded
	// machine instance 1 could otherwise drain every batch before instance
	// 2's first poll. Instance 1 claims at most its runner's Concurrency
	// (8) of the 20 batches, so instance 2 always has some to take; the
	// wait is bounded so a broken claim fails the test instead of hanging.
	secondSent := make(chan struct{})
	other.rec.before = sync.OnceFunc(func() { close(secondSent) })
	e.inst.rec.before = func() {
		select {
		case <-secondSent:
		case <-time.After(10 * time.Second):
		}
	}
	other.start(t)
	tokens := manyDevices(t, e, 10, 400)
	photo(t, e, "Both of us", client.ActivityInput{})
	waitFor(t, 20*time.Second, "every delivery", func() bool { return e.fk.FCM.Count() >= len(tokens) })
	settle(t, st1)
	var got []string
	for _, d := range e.fk.FCM.Deliveries() {
		got = append(got, d.Token)
	}
	exactlyOnce(t, tokens, got)
	a, b := len(e.inst.rec.Calls()), len(other.rec.Calls())
	t.Logf("instance 1 sent %d, instance 2 sent %d", a, b)
	if a == 0 || b == 0 {
		t.Errorf("one instance did all the work (%d, %d)", a, b)
	}
}
