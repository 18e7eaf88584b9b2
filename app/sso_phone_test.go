package app

import (
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/platform"
)

func TestParseSSOReturn(t *testing.T) {
	ch := client.SSOChallenge("v")
	for _, c := range []struct {
		raw  string
		want ssoReturn
		ok   bool
	}{
		{"chorus://sso?challenge=" + ch + "&sso_code=abc", ssoReturn{challenge: ch, code: "abc"}, true},
		{" CHORUS://sso/?sso_error=domain_not_allowed&challenge=" + ch, ssoReturn{challenge: ch, errCode: "domain_not_allowed"}, true},
		{"chorus://sso?sso_code=abc", ssoReturn{}, false},                                      // no challenge
		{"chorus://sso?challenge=" + ch, ssoReturn{}, false},                                   // neither code nor error
		{"chorus://sso?challenge=" + ch + "&sso_code=a&sso_error=refused", ssoReturn{}, false}, // both
		{"chorus://evil?challenge=" + ch + "&sso_code=abc", ssoReturn{}, false},
		{"chorus://sso/x?challenge=" + ch + "&sso_code=abc", ssoReturn{}, false},
		{"https://sso?challenge=" + ch + "&sso_code=abc", ssoReturn{}, false},
		{"chorus://sso?challenge=" + ch + "&sso_code=" + strings.Repeat("a", 129), ssoReturn{}, false},
		{"chorus://sso?challenge=%zz", ssoReturn{}, false},
	} {
		got, ok := parseSSOReturn(c.raw)
		if ok != c.ok || got != c.want {
			t.Errorf("%.60q: %+v %v, want %+v %v", c.raw, got, ok, c.want, c.ok)
		}
	}
}

// A phone that can be opened with chorus:// URLs: "Sign in with Demo
// Company" sends the browser through the demo's OpenID provider, which
// comes back to chorus://sso; the system hands that URL to the app through
// the platform hook, and the app trades the code with its verifier. A
// forged URL with another challenge, or one nobody waits for, signs no one in.
func TestSignInWithSSOThroughAppURL(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	h.ui.opt.AppURLs = true
	defer platform.OnAppURL(nil)
	platform.OnAppURL(h.ui.OpenAppURL)
	h.ui.Wait()

	// Nobody waiting: a chorus://sso URL is ignored.
	if h.ui.openAppURL("chorus://sso?challenge=" + client.SSOChallenge("x") + "&sso_code=forged") {
		t.Fatal("a URL nobody waited for was taken")
	}
	var back *url.URL
	h.ui.openURL = demoBrowserTo(t, testserver.Member(4), func(u *url.URL) { back = u })
	h.tap(h.ui.login.sso.box.Objects[0].(*widget.Button))
	if back == nil || back.Scheme != "chorus" || back.Host != "sso" || back.Query().Get("sso_code") == "" {
		t.Fatalf("the browser came back to %v (%q)", back, h.ui.login.status.Text)
	}
	if h.ui.shell != nil || h.ui.appSSO == nil {
		t.Fatal("signed in before the URL came back")
	}
	// The same code under another challenge (another app's flow) is not taken.
	forged := *back
	q := forged.Query()
	q.Set("challenge", client.SSOChallenge(client.NewSSOVerifier()))
	forged.RawQuery = q.Encode()
	if !platform.OpenAppURL(forged.String()) {
		t.Fatal("the platform refused a chorus: URL")
	}
	h.ui.Wait()
	if h.ui.shell != nil {
		t.Fatal("a URL with another challenge signed someone in")
	}
	// The code alone, caught by another app, is worthless at the server.
	if _, err := client.New(srv.URL).ExchangeSSO(t.Context(), back.Query().Get("sso_code")); client.Status(err) != 401 {
		t.Fatalf("the code without the app's verifier: %v", err)
	}
	platform.OpenAppURL(back.String())
	h.ui.Wait()
	if h.ui.shell == nil || h.ui.me.Email != testserver.Member(4) || len(h.ui.me.Memberships) != 1 {
		t.Fatalf("not signed in: %q %+v", h.ui.login.status.Text, h.ui.me)
	}
	if h.ui.appSSO != nil || h.ui.prefs.Token() == "" {
		t.Fatal("the flow was not finished or the session not kept")
	}
	// Used once: the same URL again changes nothing.
	if h.ui.openAppURL(back.String()) {
		t.Fatal("a used URL was taken again")
	}

	// A refusal comes back the same way and is said on the sign-in screen
	// (the demo's provider vouches for all its people, so the server's
	// answer is written here, for this app's own flow).
	h2 := newHarness(t, srv.URL, false)
	h2.ui.opt.AppURLs = true
	platform.OnAppURL(h2.ui.OpenAppURL)
	h2.ui.Wait()
	opened := 0
	h2.ui.openURL = func(*url.URL) error { opened++; return nil }
	h2.tap(h2.ui.login.sso.box.Objects[0].(*widget.Button))
	if opened != 1 || h2.ui.appSSO == nil {
		t.Fatalf("the browser opened %d times, flow %v", opened, h2.ui.appSSO)
	}
	platform.OpenAppURL("chorus://sso?challenge=" + client.SSOChallenge(h2.ui.appSSO.verifier) + "&sso_error=domain_not_allowed")
	h2.ui.Wait()
	if h2.ui.shell != nil || h2.ui.login == nil || !strings.Contains(h2.ui.login.status.Text, "not one this program lets in") || h2.ui.appSSO != nil {
		t.Fatalf("refusal: %q", h2.ui.login.status.Text)
	}
}

// Android has no chorus:// of its own (Fyne's activity takes no new
// intent), so a phone app without app URLs signs in through the loopback
// listener as the desktop does: the button is there, the demo provider's
// answer comes back to 127.0.0.1, and a new person is in.
func TestSignInWithSSOOnAndroidThroughLoopback(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.ui.phoneShare, h.ui.opt.AppURLs = true, false
	h.ui.Wait()
	if len(h.ui.login.sso.box.Objects) != 1 {
		t.Fatalf("SSO buttons on an Android phone: %d", len(h.ui.login.sso.box.Objects))
	}
	h.ui.openURL = demoBrowser(t, "nora.newcomer@demo.test")
	h.tap(h.ui.login.sso.box.Objects[0].(*widget.Button))
	if h.ui.shell == nil || h.ui.me.Email != "nora.newcomer@demo.test" {
		t.Fatalf("not signed in: %q", h.ui.login.status.Text)
	}
}

// The page the browser lands on after a loopback sign-in: on Android it
// has a button back to the app (its launcher activity, by the app's id);
// elsewhere the browser is beside the app and it has none. Both languages.
func TestSSOLoopbackPage(t *testing.T) {
	done := url.Values{"sso_code": {"abc"}}
	link := appLink("android", "com.chorusadvocacy.chorus")
	if link != "intent:#Intent;action=android.intent.action.MAIN;category=android.intent.category.LAUNCHER;package=com.chorusadvocacy.chorus;end" {
		t.Fatalf("android link: %q", link)
	}
	if appLink("linux", "com.chorusadvocacy.chorus") != "" || appLink("android", "") != "" {
		t.Fatal("a link back where the browser is beside the app, or with no app id")
	}
	cat := catalog(t)
	for _, lang := range Langs {
		tr := NewTr(cat, lang, "UTC")
		page := ssoPage(tr, done, link)
		if !strings.Contains(page, `href="intent:#Intent;`) || !strings.Contains(page, Plain(tr.T("sso.page_open_app"))) || !strings.Contains(page, Plain(tr.T("sso.page_done_title"))) {
			t.Errorf("%s android page: %s", lang, page)
		}
		if strings.ContainsRune(page, '\u200a') {
			t.Errorf("%s page has Flow's breaks: %q", lang, page)
		}
		if page := ssoPage(tr, done, ""); strings.Contains(page, "intent:") {
			t.Errorf("%s desktop page links to an app: %s", lang, page)
		}
		failed := ssoPage(tr, url.Values{"sso_error": {"domain_not_allowed"}}, link)
		if !strings.Contains(failed, Plain(tr.T("sso.page_failed_title"))) || !strings.Contains(failed, Plain(ssoErrorText(tr, "domain_not_allowed"))) {
			t.Errorf("%s failed page: %s", lang, failed)
		}
	}
	if strings.Contains(ssoPage(NewTr(cat, English, "UTC"), url.Values{"sso_error": {"<script>"}}, ""), "<script>") {
		t.Error("the page is not escaped")
	}
}
