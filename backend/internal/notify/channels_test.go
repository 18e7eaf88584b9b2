package notify_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/internal/chatwebhook"
	"github.com/chorus-advocacy/chorus/backend/internal/chatwebhook/chatwebhooktest"
	"github.com/chorus-advocacy/chorus/backend/internal/httpapi/apitest"
	"github.com/chorus-advocacy/chorus/backend/internal/mail"
	"github.com/chorus-advocacy/chorus/backend/internal/mail/mailtest"
	"github.com/chorus-advocacy/chorus/backend/internal/notify"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
	"github.com/chorus-advocacy/chorus/backend/internal/store/storetest"
	"github.com/chorus-advocacy/chorus/backend/internal/wecom"
	"github.com/chorus-advocacy/chorus/backend/internal/wecom/wecomtest"
)

// fakeChannels are the email, WeCom and webhook fakes with senders
// pointed at them.
type fakeChannels struct {
	box   *mailtest.Server
	wc    *wecomtest.Server
	hooks *chatwebhooktest.Server
	mail  *slowMail
	chans notify.Channels
}

// slowMail counts sends and can slow them down.
type slowMail struct {
	next  mail.Sender
	delay time.Duration
	n     atomic.Int64
}

func (s *slowMail) Send(ctx context.Context, m mail.Message) error {
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	s.n.Add(1)
	return s.next.Send(ctx, m)
}

func startChannels(t *testing.T) *fakeChannels {
	t.Helper()
	box, err := mailtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { box.Close() })
	smtp, err := mail.NewSMTP(mail.Settings{Host: box.Host(), Port: box.Port(), TLS: mail.TLSNone, From: "Chorus <chorus@acme.test>"})
	if err != nil {
		t.Fatal(err)
	}
	wc := wecomtest.New()
	t.Cleanup(wc.Close)
	client, err := wecom.New(wecom.Config{CorpID: wc.CorpID, Secret: wc.Secret, AgentID: wc.AgentID, BaseURL: wc.URL()})
	if err != nil {
		t.Fatal(err)
	}
	hooks := chatwebhooktest.New()
	t.Cleanup(hooks.Close)
	f := &fakeChannels{box: box, wc: wc, hooks: hooks, mail: &slowMail{next: smtp}}
	f.chans = notify.Channels{Mail: f.mail, WeCom: client, Webhooks: chatwebhook.NewSender(chatwebhook.Options{AllowLoopback: true})}
	return f
}

func to(addr string) func(mailtest.Message) bool { return mailtest.To(addr) }

func countTo(box *mailtest.Server, addr string) int {
	n := 0
	for _, m := range box.Messages() {
		if to(addr)(m) {
			n++
		}
	}
	return n
}

// TestChannelsEndToEnd: one new activity reaches each member once per
// channel they have — push where a device is registered, email and WeCom
// by their choice ("auto": only without a push) — and the program's Slack
// and Teams channels once each; then a one-click unsubscribe stops the
// emails, and a WeCom rate limit (45009) holds back WeCom only.
func TestChannelsEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := startChannels(t)
		// One message at a time per batch, so the WeCom rate limit below
		// meets the first card and holds back the second.
		e := newEnv(t, st, func(o *notify.Options) { o.Channels, o.ChannelConcurrency = f.chans, 1 })
		ann, annC := e.member(t, "ann@acme.test", "UTC", "en")   // a phone: push only
		bo, _ := e.member(t, "bo@acme.test", "UTC", "en")        // no phone: email + WeCom (id set by the manager)
		cy, cyC := e.member(t, "cy@acme.test", "UTC", "zh-Hans") // no phone: email + WeCom matched by email
		_, deeC := e.member(t, "dee@acme.test", "UTC", "en")     // turned email and WeCom off: nothing
		_, eveC := e.member(t, "eve@acme.test", "UTC", "en")     // a phone and email "on": both
		_ = ann
		register(t, annC, client.DeviceInput{Platform: "fcm", Token: "fcm-ann"})
		register(t, eveC, client.DeviceInput{Platform: "fcm", Token: "fcm-eve"})
		if _, err := deeC.UpdateMe(ctx, client.UpdateMe{NotifyEmail: apitest.Ptr("off"), NotifyWeCom: apitest.Ptr("off")}); err != nil {
			t.Fatal(err)
		}
		if _, err := eveC.UpdateMe(ctx, client.UpdateMe{NotifyEmail: apitest.Ptr("on"), NotifyWeCom: apitest.Ptr("off")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Manager.UpdateMember(ctx, e.ProgramID, bo, client.UpdateMember{WeComUserID: apitest.Ptr("bo.wx")}); err != nil {
			t.Fatal(err)
		}
		f.wc.AddUser("bo.wx")
		f.wc.AddUser("cy.wx", "cy@acme.test")
		slack, teams := f.hooks.NewHook("slack"), f.hooks.NewHook("teams")
		if _, err := e.Manager.UpdateProgram(ctx, e.ProgramID, client.UpdateProgram{SlackWebhookURL: &slack, TeamsWebhookURL: &teams}); err != nil {
			t.Fatal(err)
		}
		me, err := cyC.Me(ctx)
		if err != nil || strings.Join(me.NotifyChannels, ",") != "push,email,wecom" {
			t.Fatalf("cy's channels: %v %v", me.NotifyChannels, err)
		}

		a := photo(t, e, "Share our launch", client.ActivityInput{})
		waitFor(t, 10*time.Second, "every channel", func() bool {
			return e.fk.FCM.Count() == 2 && countTo(f.box, "bo@acme.test") == 1 && countTo(f.box, "cy@acme.test") == 1 &&
				countTo(f.box, "eve@acme.test") == 1 && len(f.wc.Cards()) == 2 && len(f.hooks.Posts("")) == 2
		})
		settle(t, st)
		// The manager is a member without a phone too.
		if n := len(f.box.Messages()); n != 4 || countTo(f.box, "mgr@acme.test") != 1 {
			t.Fatalf("%d emails, want 4 (bo, cy, eve, mgr)", n)
		}
		if e.fk.FCM.Count() != 2 || len(f.wc.Cards()) != 2 || len(f.hooks.Posts(slack)) != 1 || len(f.hooks.Posts(teams)) != 1 {
			t.Fatalf("pushes %d, cards %d, slack %d, teams %d", e.fk.FCM.Count(), len(f.wc.Cards()), len(f.hooks.Posts(slack)), len(f.hooks.Posts(teams)))
		}
		// Email: the member's language, their share page, a way out.
		cm, _ := f.box.Wait(time.Second, to("cy@acme.test"))
		if !strings.HasPrefix(cm.Subject, "Acme 有新活动") || !strings.Contains(cm.Text, e.URL+"/s/") || !strings.Contains(cm.HTML, e.URL+"/s/") {
			t.Fatalf("cy's email: %q\n%s", cm.Subject, cm.Text)
		}
		h, err := textproto.NewReader(bufio.NewReader(strings.NewReader(cm.Raw))).ReadMIMEHeader()
		if err != nil || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(h.Get("List-Unsubscribe"), "<"+e.URL+"/u/") {
			t.Fatalf("unsubscribe headers: %v %v", h, err)
		}
		// The share page in the email opens.
		share := cm.Text[strings.Index(cm.Text, e.URL+"/s/"):]
		share = strings.Fields(share)[0]
		if resp, err := http.Get(share); err != nil || resp.StatusCode != 200 {
			t.Fatalf("share page %s: %v %v", share, resp, err)
		} else {
			resp.Body.Close()
		}
		// WeCom: bo by the manager's id, cy matched by email and kept.
		cards := map[string]wecomtest.Card{}
		for _, c := range f.wc.Cards() {
			cards[c.ToUser] = c
		}
		if cards["bo.wx"].Title != "New in Acme" || cards["cy.wx"].Title != "Acme 有新活动" || !strings.HasPrefix(cards["cy.wx"].URL, e.URL+"/s/") {
			t.Fatalf("cards: %+v", cards)
		}
		if ids, _ := st.MemberWeComIDs(ctx, e.ProgramID); ids[cy] != "cy.wx" {
			t.Fatalf("cy's WeCom id was not kept: %v", ids)
		}
		// Slack and Teams: the app's link, no member's share page.
		for _, p := range f.hooks.Posts("") {
			if !strings.Contains(string(p.Raw), e.URL+"/app/#activity/"+a.ID) || strings.Contains(string(p.Raw), "/s/") || strings.Contains(string(p.Raw), "@acme.test") {
				t.Fatalf("%s post: %s", p.Kind, p.Raw)
			}
		}

		// One-click unsubscribe, as a mail client sends it (RFC 8058), to
		// the notifier's handler (chorus-server mounts it beside the API).
		unsub := httptest.NewServer(e.inst.n.UnsubscribeHandler(http.NotFoundHandler()))
		defer unsub.Close()
		u := unsub.URL + strings.TrimPrefix(strings.Trim(h.Get("List-Unsubscribe"), "<>"), e.URL)
		if resp, err := http.Get(u); err != nil || resp.StatusCode != 200 {
			t.Fatalf("unsubscribe page: %v %v", resp, err)
		}
		if me, _ := cyC.Me(ctx); me.NotifyEmail != "auto" {
			t.Fatalf("a GET unsubscribed: %+v", me)
		}
		resp, err := http.PostForm(u, url.Values{"List-Unsubscribe": {"One-Click"}})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("one-click: %v %v", resp, err)
		}
		resp.Body.Close()
		if me, _ := cyC.Me(ctx); me.NotifyEmail != "off" {
			t.Fatalf("after one-click: %+v", me)
		}
		if resp, _ := http.PostForm(u+"x", nil); resp == nil || resp.StatusCode != 404 {
			t.Fatalf("forged token: %v", resp)
		}

		// WeCom rate limited: email, push and Slack/Teams go in the first
		// pass; WeCom waits wecom.RateLimitWait and then delivers once each.
		f.wc.Throttle(1)
		photo(t, e, "Second news", client.ActivityInput{})
		waitFor(t, 10*time.Second, "the other channels", func() bool {
			return e.fk.FCM.Count() == 4 && countTo(f.box, "bo@acme.test") == 2 && countTo(f.box, "eve@acme.test") == 2 && len(f.hooks.Posts("")) == 4
		})
		if countTo(f.box, "cy@acme.test") != 1 {
			t.Fatal("cy was emailed after unsubscribing")
		}
		waitFor(t, 10*time.Second, "WeCom's 45009", func() bool { _, sends := f.wc.Calls(); return sends >= 3 })
		time.Sleep(100 * time.Millisecond)
		if n := len(f.wc.Cards()); n != 2 {
			t.Fatalf("%d cards while WeCom asked to wait", n)
		}
		if _, sends := f.wc.Calls(); sends != 3 {
			t.Fatalf("%d calls to message/send: the held-back card was tried during the wait", sends)
		}
		e.clk.Advance(wecom.RateLimitWait + time.Second)
		waitFor(t, 10*time.Second, "WeCom after the wait", func() bool { return len(f.wc.Cards()) == 4 })
		settle(t, st)
		if n := len(f.wc.Cards()); n != 4 {
			t.Fatalf("%d cards, want 4", n)
		}
	})
}

// TestEmailRestartMidFanOut: the runner stops in the middle of an email
// fan-out; a new notifier on the same store finishes it; every address
// gets the activity once (the sends in flight at the stop finish and are
// recorded, so none is sent again).
func TestEmailRestartMidFanOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := startChannels(t)
		f.mail.delay = 80 * time.Millisecond
		mod := func(o *notify.Options) { o.Channels, o.BatchSize, o.ChannelConcurrency = f.chans, 10, 2 }
		e := newEnv(t, st, mod)
		const members = 60
		addrs := []string{"mgr@acme.test"}
		for i := range members {
			addr := "m" + itoa(i) + "@acme.test"
			e.AddMember(addr, "UTC")
			addrs = append(addrs, addr)
		}
		photo(t, e, "Everyone by email", client.ActivityInput{})
		waitFor(t, 20*time.Second, "some emails", func() bool { return f.mail.n.Load() >= 15 })
		e.inst.stop()
		stoppedAt := f.mail.n.Load()
		if stoppedAt >= members+1 {
			t.Fatalf("the fan-out finished before the stop (%d); slow it down", stoppedAt)
		}
		next := newInstance(st, e.clk, e.fk.Senders(), mod)
		next.n.SetLinks(e.URL, e.API.ShareURL)
		next.start(t)
		waitFor(t, 30*time.Second, "the rest", func() bool { return len(f.box.Messages()) >= members+1 })
		settle(t, st)
		var got []string
		for _, m := range f.box.Messages() {
			got = append(got, m.To...)
		}
		exactlyOnce(t, addrs, got)
		t.Logf("stopped after %d of %d emails; the rest by the new notifier", stoppedAt, members+1)
	})
}

// TestWebhookRetryAfterCapped: a Slack webhook answering 429 with a year's
// Retry-After holds back only itself (Teams is posted at once), waits at
// most push.MaxRetryAfter, then posts once.
func TestWebhookRetryAfterCapped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := startChannels(t)
		e := newEnv(t, st, func(o *notify.Options) { o.Channels = f.chans })
		slack, teams := f.hooks.NewHook("slack"), f.hooks.NewHook("teams")
		if _, err := e.Manager.UpdateProgram(ctx, e.ProgramID, client.UpdateProgram{SlackWebhookURL: &slack, TeamsWebhookURL: &teams}); err != nil {
			t.Fatal(err)
		}
		f.hooks.Throttle(slack, 1, "31536000")
		photo(t, e, "Hello channels", client.ActivityInput{})
		waitFor(t, 10*time.Second, "Teams", func() bool { return len(f.hooks.Posts(teams)) == 1 })
		waitFor(t, 5*time.Second, "Slack's 429", func() bool { return f.hooks.Calls() >= 2 })
		time.Sleep(200 * time.Millisecond)
		if len(f.hooks.Posts(slack)) != 0 {
			t.Fatal("posted through a 429")
		}
		next, err := st.NextJobAt(ctx)
		if err != nil || next.Sub(e.clk.Now()) > time.Hour+time.Minute {
			t.Fatalf("next try at %v (now %v): more than the cap", next, e.clk.Now())
		}
		e.clk.Advance(time.Hour + time.Second)
		waitFor(t, 10*time.Second, "Slack after the wait", func() bool { return len(f.hooks.Posts(slack)) == 1 })
		settle(t, st)
		var body map[string]any
		_ = json.Unmarshal(f.hooks.Posts(slack)[0].Raw, &body)
		if len(f.hooks.Posts(slack)) != 1 || len(f.hooks.Posts(teams)) != 1 || body["blocks"] == nil {
			t.Fatalf("posts: slack %d teams %d", len(f.hooks.Posts(slack)), len(f.hooks.Posts(teams)))
		}
	})
}

// TestChannelQuietHours: email and WeCom wait for the end of the member's
// quiet hours (in their zone) like pushes, then go once; others are not
// held.
func TestChannelQuietHours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := startChannels(t)
		e := newEnv(t, st, func(o *notify.Options) { o.Channels = f.chans })
		bo, _ := e.member(t, "bo@acme.test", "UTC", "en")
		_, dee := e.member(t, "dee@acme.test", "Asia/Shanghai", "zh-Hans")
		f.wc.AddUser("dee.wx", "dee@acme.test")
		_ = bo
		sh, _ := time.LoadLocation("Asia/Shanghai")
		local := time.Now().In(sh)
		from, until := local.Add(-time.Minute).Format("15:04"), local.Add(2*time.Minute).Format("15:04")
		if _, err := dee.UpdateMe(ctx, client.UpdateMe{QuietHoursStart: &from, QuietHoursEnd: &until}); err != nil {
			t.Fatal(err)
		}
		photo(t, e, "Night news", client.ActivityInput{})
		waitFor(t, 10*time.Second, "bo's email", func() bool { return countTo(f.box, "bo@acme.test") == 1 })
		time.Sleep(300 * time.Millisecond)
		if countTo(f.box, "dee@acme.test") != 0 || len(f.wc.Cards()) != 0 {
			t.Fatal("dee was reached during her quiet hours")
		}
		e.clk.Advance(3*time.Minute + time.Second)
		e.inst.runner.Wake()
		waitFor(t, 10*time.Second, "dee after her quiet hours", func() bool {
			return countTo(f.box, "dee@acme.test") == 1 && len(f.wc.Cards()) == 1
		})
		settle(t, st)
		if countTo(f.box, "dee@acme.test") != 1 || len(f.wc.Cards()) != 1 || countTo(f.box, "bo@acme.test") != 1 {
			t.Fatal("sent more than once")
		}
	})
}
