package app

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// "Add Your Account & Send": the consent page opens in the browser, the app
// waits until the server lists the account, then performs; the reminder and
// the staging status follow; Settings shows the account and disconnects it.
func TestTikTokConnectThenSendThenDisconnect(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(1))
	a := h.open("Share this video on TikTok")
	// The app knows from the start that TikTok is not connected.
	if a.action.Text != "Add Your Account & Send" {
		t.Fatalf("action %q, want the connect-first button", a.action.Text)
	}
	h.tap(a.action)

	if len(h.browser.opened) != 1 {
		t.Fatalf("opened %d pages", len(h.browser.opened))
	}
	// The server's start link, which binds the consent to this browser and
	// redirects to TikTok's consent page.
	if u := h.browser.opened[0]; u.Path != "/oauth/tiktok/start" || u.Query().Get("state") == "" || !strings.HasPrefix(srv.URL, u.Scheme+"://"+u.Host) {
		t.Errorf("opened %s", u)
	}
	if h.browser.status != 200 {
		t.Errorf("the callback page answered %d", h.browser.status)
	}
	if a.action.Text != "Send to TikTok" {
		t.Errorf("after connecting the action is %q", a.action.Text)
	}
	// One reminder of where the video went: the upload's status line,
	// not a second paragraph above it; and no second Send beside "Done".
	if !strings.Contains(a.result.Text, "+40 points") || strings.Contains(a.result.Text, "waiting in TikTok") {
		t.Errorf("result %q", a.result.Text)
	}
	if !a.staging.Visible() || a.staging.Text == "" {
		t.Errorf("no staging status shown (%q)", a.staging.Text)
	}
	if !a.action.Disabled() {
		t.Error("Send to TikTok still active after the video was sent")
	}
	item, _ := h.ui.feedItem(a.item.ID)
	if item.TikTok == nil || !item.Performed {
		t.Fatalf("feed item after sending: %+v", item)
	}
	// The card says how the upload is doing instead of just "Done".
	st, _ := stagingShort(h.ui.tr, item.TikTok.Status)
	if got := h.card("Share this video on TikTok").state.Text; got != st {
		t.Errorf("card state %q, want %q", got, st)
	}
	if item.TikTok.Status == wire.StagingFailed && !a.retry.Visible() {
		t.Error("a failed upload offers no Retry")
	}

	api := apiAs(t, srv.URL, testserver.Member(1))
	accts, err := api.SocialAccounts(context.Background())
	if _, ok := tiktokAccount(accts); err != nil || !ok {
		t.Fatalf("server accounts %+v, %v", accts, err)
	}

	h.ui.shell.selectTab(tabSettings)
	h.ui.Wait()
	s := h.ui.settings
	if !strings.HasPrefix(s.tiktok.Text, "Connected as") || s.tiktokDo.Text != "Disconnect TikTok" {
		t.Fatalf("settings: %q, button %q", s.tiktok.Text, s.tiktokDo.Text)
	}
	h.tap(s.tiktokDo)
	// A confirmation first; then (as if confirmed) the link goes.
	if h.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Disconnect asked nothing")
	}
	h.win.Canvas().Overlays().Top().Hide()
	s.disconnectTikTok()
	h.ui.Wait()
	if !strings.HasPrefix(h.ui.settings.tiktok.Text, "Not connected") || h.ui.settings.tiktokDo.Text != "Connect TikTok" {
		t.Errorf("after disconnecting: %q, button %q", h.ui.settings.tiktok.Text, h.ui.settings.tiktokDo.Text)
	}
	if accts, _ := api.SocialAccounts(context.Background()); len(accts) != 0 {
		if _, ok := tiktokAccount(accts); ok {
			t.Errorf("server still lists %+v", accts)
		}
	}
	// TikTok activities offer to connect again.
	h.ui.shell.selectTab(tabFeed)
	a = h.open("Share this video on TikTok")
	if a.action.Text != "Add Your Account & Send" {
		t.Errorf("after disconnecting the action is %q", a.action.Text)
	}
}

// Waiting for the browser can be cancelled; nothing is performed then.
func TestTikTokConnectCancelled(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(3))
	a := h.open("Share this video on TikTok")
	// A browser where the member never finishes.
	h.ui.openURL = func(*url.URL) error {
		a.onCancelWait()
		return nil
	}
	h.tap(a.action)
	if a.action.Text != "Add Your Account & Send" || a.action.Disabled() || a.cancel.Visible() {
		t.Errorf("after cancelling: action %q (disabled %v), cancel shown %v", a.action.Text, a.action.Disabled(), a.cancel.Visible())
	}
	api := apiAs(t, srv.URL, testserver.Member(3))
	if pts, _ := api.MyPoints(context.Background(), programOf(t, api)); pts.Total != 0 {
		t.Errorf("a cancelled connect performed (%d points)", pts.Total)
	}
}

func TestStagingTexts(t *testing.T) {
	tr := NewTr(catalog(t), English, "UTC")
	for _, c := range []struct {
		st   client.TikTokStaging
		want string
	}{
		{client.TikTokStaging{Status: "pending"}, "queued"},
		{client.TikTokStaging{Status: "uploading"}, "Uploading"},
		{client.TikTokStaging{Status: "processing"}, "processing"},
		{client.TikTokStaging{Status: "staged"}, "in your TikTok inbox"},
		{client.TikTokStaging{Status: "failed", FailReason: "Reconnect your TikTok account in Chorus, then retry."}, "failed: Reconnect your TikTok account"},
		{client.TikTokStaging{Status: "failed"}, "failed: no reason given"},
	} {
		if got, _ := stagingLong(tr, &c.st); !strings.Contains(got, c.want) {
			t.Errorf("%+v: %q, want it to say %q", c.st, got, c.want)
		}
	}
}

// No browser comes up for TikTok's consent page: the app says so, offers
// the link to copy, and Cancel ends the wait (it used to wait on, or fail).
func TestTikTokConnectWithoutBrowser(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(4))
	a := h.open("Share this video on TikTok")
	var said string
	h.ui.openURL = func(*url.URL) error {
		// The member reads the note, copies the link, then cancels.
		time.AfterFunc(300*time.Millisecond, func() {
			said = a.result.Text
			test.Tap(a.copyLink)
			a.onCancelWait()
		})
		return errors.New("no browser here")
	}
	h.tap(a.action)
	if said != h.ui.tr.T("tiktok.no_browser") {
		t.Errorf("while waiting the app said %q", said)
	}
	if got := h.app.Clipboard().Content(); !strings.HasPrefix(got, srv.URL+"/oauth/tiktok/start") {
		t.Errorf("copied %q, want the consent page's link", got)
	}
	if a.action.Text != "Add Your Account & Send" || a.action.Disabled() || a.cancel.Visible() || a.copyLink.Visible() {
		t.Errorf("after cancelling: action %q (disabled %v), cancel %v, copy %v", a.action.Text, a.action.Disabled(), a.cancel.Visible(), a.copyLink.Visible())
	}
}
