package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/platform"
)

func TestSignInShowsFeedFeaturedFirstInMembersZone(t *testing.T) {
	srv := testserver.Start(t)
	for _, c := range []struct {
		member    int
		zone      string
		sees, not []string
	}{
		// member1: Sales, follows Company News, not in the Leadership Circle.
		{1, "Asia/Shanghai", []string{"Sales kick-off", "Company news"}, []string{"Leadership letter", "Coming soon", "webinar"}},
		// member2: Sales and Executive Leadership, in the circle, New York.
		{2, "America/New_York", []string{"Sales kick-off", "Leadership letter", "Company news"}, []string{"Coming soon", "webinar"}},
		// member5: no groups, follows nothing.
		{5, "America/New_York", nil, []string{"Sales kick-off", "Leadership letter", "Company news"}},
	} {
		t.Run(fmt.Sprint("member", c.member), func(t *testing.T) {
			h := newHarness(t, srv.URL, false)
			h.signIn(testserver.Member(c.member))
			cards := shownCards(t, h.ui.feedView)
			if len(cards) == 0 {
				t.Fatal("empty feed")
			}
			if !h.ui.feedView.items[0].Featured || !strings.Contains(cards[0].Message, "我们的新产品今天发布") {
				t.Errorf("first card = %q (featured %v), want the featured launch photo", cards[0].Message, h.ui.feedView.items[0].Featured)
			}
			if !cards[0].Featured {
				t.Error("featured card has no Featured pill")
			}
			for _, want := range append([]string{"幕后花絮", "Share this video on TikTok"}, c.sees...) {
				h.card(want)
			}
			for _, card := range cards {
				for _, bad := range c.not {
					if strings.Contains(card.Message, bad) {
						t.Errorf("member sees %q", card.Message)
					}
				}
			}
			launch := h.card("我们的新产品")
			if launch.points.Text != "50 points" {
				t.Errorf("points label %q", launch.points.Text)
			}
			if launch.timeLeft.Text != "6 days left" {
				t.Errorf("time left %q, want 6 days left", launch.timeLeft.Text)
			}
			if launch.state.Text != "To do" {
				t.Errorf("state %q", launch.state.Text)
			}
			if got := h.ui.tr.Location().String(); got != c.zone {
				t.Fatalf("times shown in %s, want the member's %s", got, c.zone)
			}
			// The detail shows the end in the member's own zone.
			a := h.open("我们的新产品")
			loc, _ := time.LoadLocation(c.zone)
			end := launch.item.EndsAt.In(loc)
			if hm := end.Format("15:04"); !strings.Contains(a.when.Text, hm) || !strings.Contains(a.when.Text, fmt.Sprint(end.Day())) {
				t.Errorf("detail says %q; want the end %s in %s", a.when.Text, end.Format(time.RFC3339), c.zone)
			}
		})
	}
}

func TestSignInWrongPasswordSaysSoInTheMembersLanguage(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	l := h.ui.login
	l.server.SetText(srv.URL)
	l.email.SetText(testserver.Member(1))
	l.password.SetText("wrong")
	test.Tap(l.signIn)
	h.ui.Wait()
	if h.ui.shell != nil {
		t.Fatal("signed in with a wrong password")
	}
	if l.status.Text != "That email and password do not match." {
		t.Errorf("status %q", l.status.Text)
	}
}

// The phone flow: perform, text on the clipboard and to the platform,
// "Ready for WeChat", points shown, feed marked, points given once.
func TestPhoneShareOnWeChat(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(1))
	a := h.open("我们的新产品")
	if a.action.Text != "Share on WeChat" {
		t.Fatalf("action %q", a.action.Text)
	}
	h.tap(a.action)

	calls := h.share.wechatCalls()
	if len(calls) != 1 {
		t.Fatalf("ShareToWeChat called %d times", len(calls))
	}
	// The server's share text is the truth (it will carry the member's
	// tracked link): ask it again with a new id, which gives no new points.
	api := apiAs(t, srv.URL, testserver.Member(1))
	again, err := api.Perform(context.Background(), programOf(t, api), a.item.ID, client.Perform{ClientActionID: session.NewActionID(), Surface: "mobile"})
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadyPerformed || again.PointsTotal != 50 {
		t.Fatalf("server: %+v, want already performed with 50 points", again)
	}
	if calls[0].Text != again.Share.Text || calls[0].Text == "" {
		t.Errorf("platform got text %q, server's share text is %q", calls[0].Text, again.Share.Text)
	}
	if got := h.app.Clipboard().Content(); got != again.Share.Text {
		t.Errorf("clipboard %q, want %q", got, again.Share.Text)
	}
	if a.ready == nil {
		t.Fatal("no Ready for WeChat dialog")
	}
	if !strings.Contains(a.ready.hint.Text, "Paste") {
		t.Errorf("hint %q", a.ready.hint.Text)
	}
	if !strings.Contains(a.result.Text, "+50 points") || !strings.Contains(a.result.Text, "You now have 50 points") {
		t.Errorf("result %q", a.result.Text)
	}
	h.tap(a.ready.open)
	if h.share.opened != 1 {
		t.Errorf("Open WeChat called %d times", h.share.opened)
	}
	if s := h.card("我们的新产品").state.Text; s != "✓ Done" {
		t.Errorf("card state %q", s)
	}

	// A second tap shares again but gives no points.
	h.tap(a.action)
	if !strings.Contains(a.result.Text, "already got the points") {
		t.Errorf("second perform says %q", a.result.Text)
	}
	if pts, _ := api.MyPoints(context.Background(), programOf(t, api)); pts.Total != 50 {
		t.Errorf("points total %d, want 50", pts.Total)
	}
}

func TestPhoneWithoutWeChatOffersShareSheet(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.share.result = platform.WeChatMissing
	h.signIn(testserver.Member(3))
	a := h.open("幕后花絮")
	h.tap(a.action)
	if a.missing == nil {
		t.Fatal("WeChat missing: no dialog")
	}
	if a.ready != nil {
		t.Error("Ready for WeChat shown without WeChat")
	}
	// The points are given all the same (PRODUCT.md).
	if !strings.Contains(a.result.Text, "+30 points") {
		t.Errorf("result %q", a.result.Text)
	}
	h.tap(a.missing.other)
	if len(h.share.sheets) != 1 || h.share.sheets[0].Text != h.share.wechat[0].Text {
		t.Fatalf("share sheet calls %+v, want the same text as for WeChat", h.share.sheets)
	}
}

func TestDesktopSendsToPhoneInsteadOfSharing(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Member(1))
	a := h.open("我们的新产品")
	if !a.notice.Visible() || !strings.Contains(a.notice.Text, "from your phone") {
		t.Errorf("notice %q visible=%v", a.notice.Text, a.notice.Visible())
	}
	if a.action.Text != "Share on WeChat" {
		t.Fatalf("action %q", a.action.Text)
	}
	h.tap(a.action)
	// member1 has no phone: see TestDesktopHandoff… for what is shown.
	if !strings.HasPrefix(a.result.Text, "No phone has Chorus yet") {
		t.Errorf("result %q", a.result.Text)
	}
	if n := len(h.share.wechatCalls()); n != 0 {
		t.Errorf("desktop called ShareToWeChat %d times", n)
	}
	api := apiAs(t, srv.URL, testserver.Member(1))
	if pts, _ := api.MyPoints(context.Background(), programOf(t, api)); pts.Total != 0 {
		t.Errorf("a handoff gave %d points; points come with the share on the phone", pts.Total)
	}
}

// Offline: the cached feed shows at once on start, a perform is queued and
// shown pending, and when the server is back it syncs once.
func TestOfflinePerformQueuedThenSyncedOnce(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(3))
	n := len(shownCards(t, h.ui.feedView))

	srv.Stop()
	// The app starts again while the server is down: the feed is there.
	h.start()
	if h.ui.shell == nil || len(shownCards(t, h.ui.feedView)) != n {
		t.Fatalf("offline start shows %d cards, want the cached %d", len(h.ui.feedView.items), n)
	}
	if !h.ui.offline || !strings.Contains(h.ui.feedView.status.Text, "Offline") {
		t.Errorf("status %q, offline=%v", h.ui.feedView.status.Text, h.ui.offline)
	}

	a := h.open("我们的新产品")
	h.tap(a.action)
	if !strings.Contains(a.result.Text, "offline") {
		t.Errorf("result %q", a.result.Text)
	}
	// The member can still post: the plain message goes to WeChat.
	if calls := h.share.wechatCalls(); len(calls) != 1 || calls[0].Text != a.item.Message {
		t.Errorf("offline share calls %+v", calls)
	}
	if s := h.card("我们的新产品").state.Text; s != "Waiting to sync" {
		t.Errorf("card state %q", s)
	}
	queued := h.ui.engine.Outbox().For(h.ui.session().Server, h.ui.me.ID)
	if len(queued) != 1 {
		t.Fatalf("queue holds %d", len(queued))
	}
	// A second tap offline is the same perform, not a second one.
	h.tap(a.action)
	if q := h.ui.engine.Outbox().For(h.ui.session().Server, h.ui.me.ID); len(q) != 1 || q[0].ClientActionID != queued[0].ClientActionID {
		t.Fatalf("second offline tap: queue %+v", q)
	}

	// Closed and opened again, still offline: the queue survived.
	h.start()
	if s := h.card("我们的新产品").state.Text; s != "Waiting to sync" {
		t.Errorf("after restart the card says %q", s)
	}

	srv.Restart()
	h.tap(h.ui.feedView.refresh)
	if q := h.ui.engine.Outbox().For(h.ui.session().Server, h.ui.me.ID); len(q) != 0 {
		t.Fatalf("queue after sync: %+v", q)
	}
	if s := h.card("我们的新产品").state.Text; s != "✓ Done" {
		t.Errorf("after sync the card says %q", s)
	}
	if !strings.Contains(h.ui.feedView.notice.Text, "1 offline share synced: 50 points") {
		t.Errorf("notice %q", h.ui.feedView.notice.Text)
	}
	if h.ui.offline || h.ui.feedView.status.Visible() {
		t.Errorf("still offline: %q", h.ui.feedView.status.Text)
	}

	// The same queued id sent again (a lost answer) gives nothing more.
	if _, err := h.ui.engine.Outbox().Add(queued[0]); err != nil {
		t.Fatal(err)
	}
	h.tap(h.ui.feedView.refresh)
	api := apiAs(t, srv.URL, testserver.Member(3))
	if pts, _ := api.MyPoints(context.Background(), programOf(t, api)); pts.Total != 50 {
		t.Errorf("points total %d, want 50 once", pts.Total)
	}
}

func TestLanguageSwitchAtRuntime(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Member(1))
	h.ui.shell.selectTab(tabSettings)
	s := h.ui.settings
	s.lang.SetSelected("简体中文")
	h.ui.Wait()

	if h.ui.tr.Lang() != Chinese {
		t.Fatal("language did not change")
	}
	if got := h.ui.shell.current(); got != tabSettings {
		t.Errorf("after the switch tab %d is shown, want settings", got)
	}
	if Plain(h.ui.settings.signOut.Text) != "退出登录" {
		t.Errorf("sign out button %q", h.ui.settings.signOut.Text)
	}
	d := h.ui.shell.(*desktopShell)
	if Plain(d.tabs.Items[0].Text) != "活动" {
		t.Errorf("feed tab %q", d.tabs.Items[0].Text)
	}
	c := h.card("我们的新产品")
	if Plain(c.points.Text) != "50 积分" || Plain(c.timeLeft.Text) != "还剩 6 天" || Plain(c.state.Text) != "待完成" {
		t.Errorf("card in Chinese: %q %q %q", c.points.Text, c.timeLeft.Text, c.state.Text)
	}
	// The choice is kept here and on the server.
	if h.ui.prefs.Lang() != "zh-Hans" {
		t.Errorf("saved language %q", h.ui.prefs.Lang())
	}
	api := apiAs(t, srv.URL, testserver.Member(1))
	if me, _ := api.Me(context.Background()); me.Locale != "zh-Hans" {
		t.Errorf("server locale %q", me.Locale)
	}
	h.ui.settings.lang.SetSelected("English")
	h.ui.Wait()
	if h.ui.settings.signOut.Text != "Sign out" {
		t.Errorf("back in English: %q", h.ui.settings.signOut.Text)
	}
}

func TestTimeZoneChangeShowsTimesInNewZone(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Member(1))
	h.ui.shell.selectTab(tabSettings)
	h.ui.settings.zone.SetSelected("Europe/Berlin")
	h.ui.Wait()
	if got := h.ui.tr.Location().String(); got != "Europe/Berlin" {
		t.Fatalf("zone %s", got)
	}
	if h.ui.me.Timezone != "Europe/Berlin" {
		t.Errorf("profile zone %s", h.ui.me.Timezone)
	}
	if !strings.Contains(h.ui.settings.status.Text, "Saved") {
		t.Errorf("status %q", h.ui.settings.status.Text)
	}
}

func TestPointsLeaderboardAndRewards(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	mgr := apiAs(t, srv.URL, testserver.Manager)
	pid := programOf(t, mgr)
	title, desc, cost := "Company hoodie", "Warm and soft", 30
	if _, err := mgr.CreateReward(ctx, pid, client.RewardInput{Title: &title, Description: &desc, Cost: &cost}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(2))
	a := h.open("我们的新产品")
	h.tap(a.action)

	h.ui.shell.selectTab(tabPoints)
	h.ui.Wait()
	p := h.ui.points
	if p.total.Text != "You have 50 points" {
		t.Errorf("total %q", p.total.Text)
	}
	if p.rank.Text != "You are #1 with 50 points in this period." {
		t.Errorf("rank %q", p.rank.Text)
	}
	if len(p.entries) == 0 || p.entries[0].Name != "Emma Johnson" {
		t.Fatalf("board %+v", p.entries)
	}
	p.period.set("week")
	h.ui.Wait()
	if len(p.entries) == 0 || p.entries[0].Points != 50 {
		t.Errorf("this week's board %+v", p.entries)
	}
	if p.group.Visible() {
		t.Error("a member sees the group filter; the server lists groups to managers only")
	}

	h.ui.shell.selectTab(tabRewards)
	h.ui.Wait()
	r := h.ui.rewards
	hoodie := slices.IndexFunc(r.rewards, func(rw client.Reward) bool { return rw.Title == title })
	if hoodie < 0 || r.redeem[r.rewards[hoodie].ID].Disabled() {
		t.Fatalf("rewards %+v", r.rewards)
	}
	r.redeemNow(r.rewards[hoodie])
	h.ui.Wait()
	if len(r.redemptions) != 1 || r.redemptions[0].Status != "pending" {
		t.Fatalf("redemptions %+v", r.redemptions)
	}
	if r.balance.Text != "You have 20 points to spend." {
		t.Errorf("balance %q", r.balance.Text)
	}
	if !r.redeem[r.rewards[hoodie].ID].Disabled() {
		t.Error("can redeem with too few points")
	}
	// The member is told why, beside the button that is off.
	if got, want := r.why[r.rewards[hoodie].ID].Text, fmt.Sprintf("%d points more to go", r.rewards[hoodie].Cost-20); got != want {
		t.Errorf("why the hoodie is off: %q, want %q", got, want)
	}
}

func TestAcceptInvite(t *testing.T) {
	srv := testserver.Start(t)
	mgr := apiAs(t, srv.URL, testserver.Manager)
	added, err := mgr.AddMember(context.Background(), programOf(t, mgr), client.AddMember{Email: "new@demo.test", Name: "New Person", Timezone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, srv.URL, true)
	h.tap(h.ui.login.invite)
	in := h.ui.invite
	in.server.SetText(srv.URL)
	in.code.SetText(added.InviteCode)
	in.name.SetText("New Person")
	in.password.SetText("a long password")
	h.tap(in.accept)
	if h.ui.shell == nil {
		t.Fatalf("invite not accepted: %q", in.status.Text)
	}
	if h.ui.me.Email != "new@demo.test" || len(shownCards(t, h.ui.feedView)) == 0 {
		t.Errorf("after the invite: %+v, %d cards", h.ui.me, len(h.ui.feedView.items))
	}
}

func TestSignOutThenSessionNotRestored(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(4))
	h.ui.shell.selectTab(tabSettings)
	h.tap(h.ui.settings.signOut)
	if h.ui.shell != nil || h.ui.login == nil {
		t.Fatal("still signed in")
	}
	h.start()
	if h.ui.shell != nil {
		t.Fatal("a new start restored the ended session")
	}
	if h.ui.login.email.Text != testserver.Member(4) {
		t.Errorf("email not remembered: %q", h.ui.login.email.Text)
	}
}

func TestLanguageSwitchOnSignInKeepsWhatWasTyped(t *testing.T) {
	h := newHarness(t, "http://127.0.0.1:1", true)
	h.ui.login.email.SetText("li@acme.com")
	if h.ui.login.signIn.Text != "Sign in" {
		t.Fatalf("button %q", h.ui.login.signIn.Text)
	}
	h.ui.setLang(Chinese)
	if Plain(h.ui.login.signIn.Text) != "登录" {
		t.Errorf("button after the switch %q", h.ui.login.signIn.Text)
	}
	if h.ui.login.email.Text != "li@acme.com" || h.ui.login.server.Text != "http://127.0.0.1:1" {
		t.Errorf("typed text lost: %q %q", h.ui.login.email.Text, h.ui.login.server.Text)
	}
}
