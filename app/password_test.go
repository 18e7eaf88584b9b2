package app

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// Settings → Change password: the repeat is checked here, the server's
// field reasons show under their fields, and the session stays.
func TestChangePasswordKeepsSessionAndSignsInWithTheNewOne(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	email := testserver.Member(2)
	h.signIn(email)
	tr := h.ui.tr

	s := h.ui.settings
	h.tap(s.password)
	f := s.passwordForm
	if f == nil {
		t.Fatal("no Change password dialog")
	}
	fill := func(current, next, repeat string) {
		f.current.SetText(current)
		f.pair.next.SetText(next)
		f.pair.repeat.SetText(repeat)
		h.tap(f.save)
	}

	// A mismatched repeat is caught here; nothing is sent.
	fill(testserver.Password, "violet-harbor-93", "violet-harbor-39")
	if got, want := f.pair.repeatNote.Text, tr.T("password.mismatch"); got != want || !f.pair.repeatNote.Visible() {
		t.Fatalf("repeat note %q (shown %v), want %q", got, f.pair.repeatNote.Visible(), want)
	}
	apiAs(t, srv.URL, email) // the old password still works

	// The server's reasons, by field.
	fill("not-my-password", "violet-harbor-93", "violet-harbor-93")
	if got, want := f.currentNote.Text, tr.T("password.wrong_current"); got != want {
		t.Fatalf("current note %q, want %q", got, want)
	}
	if f.pair.repeatNote.Visible() {
		t.Errorf("the repeat note stayed: %q", f.pair.repeatNote.Text)
	}
	fill(testserver.Password, "short", "short")
	if got, want := f.pair.nextNote.Text, tr.T("password.too_short"); got != want {
		t.Fatalf("new password note %q, want %q", got, want)
	}

	const next = "violet-harbor-93"
	fill(testserver.Password, next, next)
	if got, want := s.passwordNote.Text, tr.T("password.changed"); got != want || !s.passwordNote.Visible() {
		t.Fatalf("settings say %q (shown %v), want %q; dialog says %q %q", got, s.passwordNote.Visible(), want, f.status.Text, f.currentNote.Text)
	}
	// This session stays.
	if h.ui.shell == nil {
		t.Fatal("changing the password left the app")
	}
	if _, err := h.ui.session().API.Me(context.Background()); err != nil {
		t.Fatalf("the app's session ended: %v", err)
	}

	// The old password fails, the new one signs in.
	if _, err := client.New(srv.URL).Login(context.Background(), email, testserver.Password); client.Code(err) != "unauthorized" {
		t.Fatalf("old password: %v, want unauthorized", err)
	}
	h.ui.signOut()
	h.ui.Wait()
	l := h.ui.login
	l.server.SetText(srv.URL)
	l.email.SetText(email)
	l.password.SetText(next)
	h.tap(l.signIn)
	if h.ui.shell == nil || h.ui.me.Email != email {
		t.Fatalf("not signed in with the new password: %q", l.status.Text)
	}
}

var resetLink = regexp.MustCompile(`/app/#reset/([A-Za-z0-9_-]+)`)

// resetLinkIn waits for the demo mailbox (GET /demo/mail, newest first)
// to hold a reset link and returns the newest link.
func resetLinkIn(t *testing.T, server string) (link, token string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(server + "/demo/mail")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := resetLink.FindSubmatch(body); m != nil {
			return server + string(m[0]), string(m[1])
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reset link in the demo mailbox (status %d):\n%.2000s", resp.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Forgot password? → the neutral answer → the email's link → a new
// password, signed in.
func TestForgotPasswordThenResetSignsIn(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	tr := h.ui.tr
	email := testserver.Member(3)

	h.ui.login.server.SetText(srv.URL)
	h.ui.login.email.SetText(email)
	h.tap(h.ui.login.forgot)
	f := h.ui.forgot
	if f == nil || h.ui.auth != authForgot {
		t.Fatal("Forgot password? opened nothing")
	}
	if f.email.Text != email {
		t.Errorf("email %q, want the one typed on the sign-in screen", f.email.Text)
	}
	h.tap(f.send)
	if got, want := f.status.Text, tr.T("forgot.sent"); got != want {
		t.Fatalf("forgot says %q, want %q", got, want)
	}
	// The same answer for an address without an account.
	f.email.SetText("nobody@demo.test")
	h.tap(f.send)
	if got, want := f.status.Text, tr.T("forgot.sent"); got != want {
		t.Fatalf("forgot (unknown address) says %q, want %q", got, want)
	}

	link, token := resetLinkIn(t, srv.URL)
	h.tap(f.haveKey)
	r := h.ui.reset
	if r == nil || h.ui.auth != authReset {
		t.Fatal("no Set a new password screen")
	}
	r.token.SetText(link) // the whole link, pasted
	r.pair.next.SetText("amber-lantern-58")
	r.pair.repeat.SetText("amber-lantern-85")
	h.tap(r.save)
	if got, want := r.pair.repeatNote.Text, tr.T("password.mismatch"); got != want {
		t.Fatalf("repeat note %q, want %q", got, want)
	}
	const next = "amber-lantern-58"
	r.pair.repeat.SetText(next)
	h.tap(r.save)
	if h.ui.shell == nil || h.ui.me.Email != email {
		t.Fatalf("not signed in after the reset: %q %q %q", r.status.Text, r.tokenNote.Text, r.pair.nextNote.Text)
	}
	if h.ui.prefs.Token() == "" {
		t.Error("the new session was not kept")
	}
	if _, err := client.New(srv.URL).Login(context.Background(), email, testserver.Password); client.Code(err) != "unauthorized" {
		t.Fatalf("old password: %v, want unauthorized", err)
	}
	apiLogin(t, srv.URL, email, next)

	// The link works once: opened again (as the web build does from its
	// address), the screen says so.
	h.ui.signOut()
	h.ui.Wait()
	if !h.ui.openLink("#reset/" + token) {
		t.Fatal("the reset link was not opened")
	}
	r = h.ui.reset
	if r.token.Text != token {
		t.Fatalf("token %q, want %q", r.token.Text, token)
	}
	r.server.SetText(srv.URL)
	r.pair.next.SetText("another-lantern-77")
	r.pair.repeat.SetText("another-lantern-77")
	h.tap(r.save)
	if got, want := r.status.Text, tr.T("reset.spent"); got != want {
		t.Fatalf("used link: %q, want %q", got, want)
	}
	r.token.SetText("no-such-token")
	h.tap(r.save)
	if got, want := r.status.Text, tr.T("reset.unknown"); got != want {
		t.Fatalf("unknown token: %q, want %q", got, want)
	}

	// Asked too often for one address: said plainly.
	h.tap(r.forgot)
	f = h.ui.forgot
	f.email.SetText(testserver.Member(4))
	for range 4 {
		h.tap(f.send)
	}
	if got, want := f.status.Text, tr.T("forgot.rate_limited"); got != want {
		t.Fatalf("fourth request: %q, want %q", got, want)
	}
}

func apiLogin(t *testing.T, server, email, password string) {
	t.Helper()
	if _, err := client.New(server).Login(context.Background(), email, password); err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

// An email's link opens its screen at start, with the value filled in; Back
// goes to sign-in.
func TestStartLinkOpensResetAndInvite(t *testing.T) {
	h := newHarness(t, "http://127.0.0.1:9", false)
	h.ui.opt.StartLink = "reset/tok%2Dx"
	h.ui.Start()
	if h.ui.auth != authReset || h.ui.reset.token.Text != "tok-x" {
		t.Fatalf("start link: screen %d, token %q", h.ui.auth, h.ui.reset.token.Text)
	}
	h.tap(h.ui.reset.back)
	if h.ui.auth != authLogin {
		t.Fatalf("Back showed screen %d, want sign-in", h.ui.auth)
	}
	if !h.ui.openLink("#invite/ABC-123") || h.ui.auth != authInvite || h.ui.invite.code.Text != "ABC-123" {
		t.Fatalf("invite link: screen %d, code %q", h.ui.auth, h.ui.invite.code.Text)
	}
	for _, l := range []string{"", "#", "#feed", "#reset/", "#other/x"} {
		if h.ui.openLink(l) {
			t.Errorf("openLink(%q) opened a screen", l)
		}
	}
	// Switching the language keeps what was typed.
	h.ui.openLink("reset/abc")
	h.ui.setLang(Chinese)
	if h.ui.auth != authReset || h.ui.reset.token.Text != "abc" {
		t.Fatalf("after a language switch: screen %d, token %q", h.ui.auth, h.ui.reset.token.Text)
	}
}

func TestResetTokenFromPaste(t *testing.T) {
	for in, want := range map[string]string{
		"abc_DEF-1":                              "abc_DEF-1",
		"  https://c.test/app/#reset/abc_DEF-1 ": "abc_DEF-1",
		"https://c.test/app/#reset/a%2Db":        "a-b",
	} {
		if got := resetToken(in); got != want {
			t.Errorf("resetToken(%q) = %q, want %q", in, got, want)
		}
	}
}

// A server without email answers 409, and a rate limit 429: both are said
// plainly rather than as a generic error.
func TestForgotPasswordSaysWhyNoEmailCame(t *testing.T) {
	h := newHarness(t, "http://127.0.0.1:9", false)
	tr := h.ui.tr
	h.tap(h.ui.login.forgot)
	f := h.ui.forgot
	for status, key := range map[int]string{409: "forgot.no_email", 429: "forgot.rate_limited"} {
		f.onSent(&client.Error{Status: status, Code: "x"})
		if got, want := f.status.Text, tr.T(key); got != want {
			t.Errorf("%d: %q, want %q", status, got, want)
		}
	}
	f.onSent(&client.Error{Status: 422, Code: "validation_failed", Fields: map[string]string{"email": "must be an email address like name@example.com"}})
	if got, want := f.status.Text, tr.T("forgot.bad_email"); got != want {
		t.Errorf("422: %q, want %q", got, want)
	}
}

// The web build signs in to the server it came from: no server field.
func TestPasswordScreensAskNoServerInTheWebBuild(t *testing.T) {
	h := newHarness(t, "http://127.0.0.1:9", false)
	h.web = true
	h.start()
	h.ui.showForgot("", "")
	h.ui.showReset("", "")
	if h.ui.forgot.server.Visible() || h.ui.reset.server.Visible() {
		t.Error("the web build asks for the server address")
	}
	if h.ui.reset.server.Text != "http://127.0.0.1:9" {
		t.Errorf("server %q, want the one the app came from", h.ui.reset.server.Text)
	}
}
