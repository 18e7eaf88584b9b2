package app

import (
	"context"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/platform"
)

// fakePusher stands in for the system's push (platform): it records what
// the app asks and answers as a browser or an iPhone would.
type fakePusher struct {
	mu         sync.Mutex
	platform   string // "" for Android and desktops
	permission string
	// answer: what the system's question gets (granted unless denied).
	deny    bool
	token   platform.PushToken
	enables []string // the keys asked with, and the language
	disable int
	onToken func(platform.PushToken)
}

func newFakePusher(plat string) *fakePusher {
	f := &fakePusher{platform: plat, permission: platform.PushPrompt}
	switch plat {
	case platform.PushAPNs:
		f.token = platform.PushToken{Platform: platform.PushAPNs, Token: strings.Repeat("ab", 32)}
	case platform.PushWebPush:
		// The demo server accepts Web Push endpoints on loopback; the keys
		// are a real P-256 point and a 16-byte secret.
		f.token = platform.PushToken{Platform: platform.PushWebPush, Endpoint: "http://127.0.0.1:9/push/browser-1",
			P256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", Auth: "BTBZMqHH6r4Tts7J_aSIgg"}
	}
	if plat == "" {
		f.permission = platform.PushUnsupported
	}
	return f
}

func (f *fakePusher) Platform() string { return f.platform }

func (f *fakePusher) Permission() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.permission
}

func (f *fakePusher) Enable(_ context.Context, key, lang string) (platform.PushToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.enables = append(f.enables, key+" "+lang)
	if f.deny {
		f.permission = platform.PushDenied
		return platform.PushToken{}, platform.ErrPushDenied
	}
	f.permission = platform.PushGranted
	return f.token, nil
}

func (f *fakePusher) Disable(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disable++
	return nil
}

func (f *fakePusher) OnToken(fn func(platform.PushToken)) { f.onToken = fn }

func (f *fakePusher) calls() ([]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.enables...), f.disable
}

func devicesOf(t *testing.T, c *client.Client) []client.Device {
	t.Helper()
	l, err := c.Devices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

// turnOnPush taps "Push notifications on this device" and answers the
// explanation with "Turn on".
func (h *harness) turnOnPush() {
	h.t.Helper()
	h.ui.shell.selectTab(tabSettings)
	n := h.ui.settings.notify
	if !n.push.Visible() || n.push.Disabled() {
		h.t.Fatalf("push switch: visible %v disabled %v (%q)", n.push.Visible(), n.push.Disabled(), n.pushNote.Text)
	}
	test.Tap(n.push)
	if h.ui.pushDialog == nil || h.ui.pushAllow == nil {
		h.t.Fatal("no explanation before the system's question")
	}
	h.tap(h.ui.pushAllow)
}

// TestWebPushOnInSettingsRegistersAndOffEnds: in the web build, Settings
// explains, then the browser is asked (with the server's VAPID key), and a
// webpush device in the app's language is registered; turning it off
// unsubscribes and ends the registration; news no longer doubles as a
// local notification while push is on.
func TestWebPushOnInSettingsRegistersAndOffEnds(t *testing.T) {
	srv := testserver.Start(t)
	for _, c := range []struct {
		lang                 Lang
		title, allow, pushOn string
	}{
		{English, "Get new activities as notifications?", "Turn on", "Push notifications on this device"},
		{Chinese, "接收新活动通知？", "开启", "在此设备上接收推送通知"},
	} {
		t.Run(string(c.lang), func(t *testing.T) {
			fp := newFakePusher(platform.PushWebPush)
			h := newHarnessWith(t, srv.URL, true, func(h *harness) { h.web, h.push = true, fp })
			h.app.Preferences().SetString(prefLang, string(c.lang))
			h.start()
			h.signIn(testserver.Member(3))
			member := apiAs(t, srv.URL, testserver.Member(3))
			cfg, err := member.PushConfig(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			h.ui.shell.selectTab(tabSettings)
			n := h.ui.settings.notify
			if Plain(n.push.Text) != c.pushOn || n.push.Checked || n.local.Visible() {
				t.Fatalf("before: %q checked %v, local shown %v", n.push.Text, n.push.Checked, n.local.Visible())
			}
			if got := probeOf(t, h).Push; got != pushOff {
				t.Fatalf("probe push %q", got)
			}
			test.Tap(n.push)
			if h.ui.pushDialog == nil {
				t.Fatal("no explanation")
			}
			if got, _ := fp.calls(); len(got) != 0 {
				t.Fatalf("the browser was asked before the explanation was answered: %v", got)
			}
			if Plain(h.ui.pushAllow.Text) != c.allow || Plain(h.ui.tr.T("push.explain_title")) != c.title {
				t.Errorf("explanation: allow %q, title %q", h.ui.pushAllow.Text, h.ui.tr.T("push.explain_title"))
			}
			h.tap(h.ui.pushAllow)
			enables, _ := fp.calls()
			if len(enables) != 1 || enables[0] != cfg.VAPIDPublicKey+" "+string(c.lang) {
				t.Fatalf("asked the browser with %q, want the server's key %q and %s", enables, cfg.VAPIDPublicKey, c.lang)
			}
			ds := devicesOf(t, member)
			if len(ds) != 1 || ds[0].Platform != "webpush" || ds[0].Locale != string(c.lang) {
				t.Fatalf("devices: %+v", ds)
			}
			n = h.ui.settings.notify
			if !n.push.Checked || h.ui.pushState() != pushOn || probeOf(t, h).Push != pushOn {
				t.Fatalf("after turning on: checked %v state %q (%q)", n.push.Checked, h.ui.pushState(), n.pushNote.Text)
			}
			// A push reaches this browser: news in the app shows no second
			// notification.
			before := len(h.app.notifications())
			it := h.ui.feed.Items[0]
			h.ui.tell(it.ID, "t", "b")
			if got := len(h.app.notifications()); got != before {
				t.Errorf("a local notification besides the push: %d → %d", before, got)
			}

			test.Tap(n.push) // off
			h.ui.Wait()
			if _, dis := fp.calls(); dis != 1 {
				t.Errorf("unsubscribed %d times", dis)
			}
			if ds := devicesOf(t, member); len(ds) != 0 {
				t.Fatalf("devices after turning off: %+v", ds)
			}
			if h.ui.settings.notify.push.Checked || h.ui.pushState() != pushOff {
				t.Fatal("still shown on")
			}
		})
	}
}

// TestPushDeniedSaysWhereToAllow: a refusal at the system's question
// leaves push off and says where to turn it back on.
func TestPushDeniedSaysWhereToAllow(t *testing.T) {
	srv := testserver.Start(t)
	fp := newFakePusher(platform.PushWebPush)
	fp.deny = true
	h := newHarnessWith(t, srv.URL, true, func(h *harness) { h.web, h.push = true, fp })
	h.signIn(testserver.Member(3))
	h.turnOnPush()
	n := h.ui.settings.notify
	if n.push.Checked || h.ui.pushState() != pushDenied || !strings.Contains(n.pushNote.Text, "blocked") {
		t.Fatalf("denied: checked %v state %q note %q", n.push.Checked, h.ui.pushState(), n.pushNote.Text)
	}
	if ds := devicesOf(t, apiAs(t, srv.URL, testserver.Member(3))); len(ds) != 0 {
		t.Fatalf("registered anyway: %+v", ds)
	}
}

// TestIPhonePushRegistersAgainAndSignOutEnds: an iPhone registers its APNs
// token; a new token from the system is registered; the next start
// registers again; signing out ends the registration.
func TestIPhonePushRegistersAgainAndSignOutEnds(t *testing.T) {
	srv := testserver.Start(t)
	fp := newFakePusher(platform.PushAPNs)
	h := newHarnessWith(t, srv.URL, true, func(h *harness) { h.push = fp })
	h.signIn(testserver.Member(4))
	h.turnOnPush()
	member := apiAs(t, srv.URL, testserver.Member(4))
	ds := devicesOf(t, member)
	if len(ds) != 1 || ds[0].Platform != "apns" {
		t.Fatalf("devices: %+v", ds)
	}
	first := ds[0].ID

	// APNs hands over a new token while the app runs.
	fp.token = platform.PushToken{Platform: platform.PushAPNs, Token: strings.Repeat("cd", 32)}
	fp.onToken(fp.token)
	h.ui.Wait()
	if ds := devicesOf(t, member); len(ds) != 2 {
		t.Fatalf("the new token is not registered: %+v", ds)
	}

	// The next start registers again, without asking.
	h.start()
	h.ui.Wait()
	enables, _ := fp.calls()
	if len(enables) != 3 {
		t.Fatalf("system asked %d times: %v", len(enables), enables)
	}
	_ = first

	h.ui.shell.selectTab(tabSettings)
	h.tap(h.ui.settings.signOut)
	if _, dis := fp.calls(); dis != 1 {
		t.Errorf("unregistered %d times at sign-out", dis)
	}
	left := devicesOf(t, member)
	for _, d := range left {
		if d.ID == h.ui.prefs.PushDevice(first) {
			t.Errorf("this phone's registration outlived sign-out: %+v", left)
		}
	}
	if len(left) != 1 {
		t.Errorf("devices after sign-out: %+v (the replaced token's stays until APNs drops it)", left)
	}
}

// TestAndroidLocalNotificationsCanBeTurnedOff: without push (Android,
// desktop), Settings offers notifications while the app runs; off, news
// shows only inside the app.
func TestAndroidLocalNotificationsCanBeTurnedOff(t *testing.T) {
	srv := testserver.Start(t)
	for _, lang := range []Lang{English, Chinese} {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarnessWith(t, srv.URL, true, func(h *harness) { h.push = newFakePusher("") })
			h.app.Preferences().SetString(prefLang, string(lang))
			h.start()
			h.signIn(testserver.Member(1))
			h.ui.shell.selectTab(tabSettings)
			n := h.ui.settings.notify
			want := map[Lang]string{English: "Notifications while Chorus is open", Chinese: "Chorus 打开时显示通知"}[lang]
			if n.push.Visible() || !n.local.Visible() || Plain(n.local.Text) != want || !n.local.Checked {
				t.Fatalf("local switch %q shown %v checked %v; push shown %v", n.local.Text, n.local.Visible(), n.local.Checked, n.push.Visible())
			}
			if !strings.Contains(Plain(n.pushNote.Text), map[Lang]string{English: "email or WeCom", Chinese: "企业微信"}[lang]) {
				t.Errorf("note %q", n.pushNote.Text)
			}
			it := h.ui.feed.Items[0]
			h.ui.tell(it.ID, "a", "b")
			if len(h.app.notifications()) != 1 {
				t.Fatalf("notifications %d", len(h.app.notifications()))
			}
			test.Tap(n.local)
			h.ui.tell(it.ID, "a", "b")
			if len(h.app.notifications()) != 1 {
				t.Fatal("a notification after turning them off")
			}
			if h.ui.feedView.newsMsg.Text == "" {
				t.Error("the news line inside the app is gone too")
			}
		})
	}
}

// TestChannelChoicesQuietHoursAndFollowing: the member's choices reach the
// server: push for new activities off, email always, quiet hours, and
// following a public channel (its activities join the feed).
func TestChannelChoicesQuietHoursAndFollowing(t *testing.T) {
	srv := testserver.Start(t)
	for _, lang := range []Lang{English, Chinese} {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarnessWith(t, srv.URL, true, func(h *harness) { h.push = newFakePusher("") })
			h.app.Preferences().SetString(prefLang, string(lang))
			h.start()
			h.signIn(testserver.Member(5)) // member5 follows nothing
			member := apiAs(t, srv.URL, testserver.Member(5))
			h.ui.shell.selectTab(tabSettings)
			h.ui.Wait()
			n := h.ui.settings.notify
			wantPush := map[Lang]string{English: "New activities as push notifications", Chinese: "通过推送接收新活动"}[lang]
			if Plain(n.byPush.Text) != wantPush || !n.byPush.Checked {
				t.Fatalf("push choice %q checked %v", n.byPush.Text, n.byPush.Checked)
			}
			test.Tap(n.byPush)
			h.ui.Wait()
			if slicesContain(h.ui.me.NotifyChannels, client.ChannelEmail) {
				n.email.SetSelectedIndex(1)
				h.ui.Wait()
			}
			test.Tap(n.quiet)
			h.ui.Wait()
			n.quietFrom.SetSelected("21:30")
			h.ui.Wait()
			me, err := member.Me(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if me.NotifyPush || me.QuietHoursStart != "21:30" || me.QuietHoursEnd != "07:00" {
				t.Fatalf("saved: push %v quiet %q–%q", me.NotifyPush, me.QuietHoursStart, me.QuietHoursEnd)
			}
			if slicesContain(me.NotifyChannels, client.ChannelEmail) && me.NotifyEmail != client.NotifyOn {
				t.Errorf("email %q", me.NotifyEmail)
			}
			test.Tap(n.quiet) // quiet hours off
			h.ui.Wait()
			if me, _ := member.Me(context.Background()); me.QuietHoursStart != "" || me.QuietHoursEnd != "" {
				t.Fatalf("quiet hours not cleared: %q–%q", me.QuietHoursStart, me.QuietHoursEnd)
			}
			test.Tap(n.byPush) // back on, for the next run
			h.ui.Wait()

			news := n.follows
			var follow string
			for id := range news {
				follow = id
			}
			if len(news) != 1 || news[follow].Text != "Company News" || news[follow].Checked {
				t.Fatalf("public channels: %d", len(news))
			}
			test.Tap(news[follow])
			h.ui.Wait()
			if !hasCard(h, "Company news") {
				t.Fatal("following the channel did not bring its activity")
			}
			test.Tap(h.ui.settings.notify.follows[follow])
			h.ui.Wait()
			if hasCard(h, "Company news") {
				t.Fatal("unfollowing kept its activity")
			}
		})
	}
}

func hasCard(h *harness, text string) bool {
	for _, it := range h.ui.feed.Items {
		if strings.Contains(it.Message, text) {
			return true
		}
	}
	return false
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestActivityLinkOpensTheActivity: #activity/{id} at start (the web
// build's address from a notification) opens it once the feed is there;
// so does a tapped notification while the app runs.
func TestActivityLinkOpensTheActivity(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(1))
	items := h.ui.feed.Items
	if len(items) < 2 {
		t.Fatal("feed too short")
	}
	h.ui.openActivityLink(platform.ActivityLink(items[1].ID))
	h.ui.Wait()
	if h.ui.activity == nil || h.ui.activity.item.ID != items[1].ID {
		t.Fatal("a tapped notification did not open its activity")
	}
	// The app starts again at /app/#activity/{id}, signed in already.
	h.start()
	h.ui.opt.StartLink = platform.ActivityLink(items[0].ID)
	h.ui.Start()
	h.ui.Wait()
	if h.ui.activity == nil || h.ui.activity.item.ID != items[0].ID {
		t.Fatal("the start link did not open its activity")
	}
}

func probeOf(t *testing.T, h *harness) ProbeState {
	t.Helper()
	return h.ui.probeState()
}
