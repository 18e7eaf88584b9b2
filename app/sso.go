package app

import (
	"context"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// Single sign-on: the sign-in screen offers "Sign in with <company>" for
// each program of the server that has it. The server runs the OpenID
// Connect flow; the app only opens the provider's page in the browser and
// gets back a one-time code it trades for a session: on the desktop and on
// Android through a loopback listener (http://127.0.0.1:PORT/sso, RFC
// 8252's way for native apps, §7.3), in the web build through its own address (#sso/{code}), on
// a phone that can be opened with chorus:// URLs through
// chorus://sso?challenge=…&sso_code=… (RFC 8252's private-use scheme; the
// code is only good with the verifier this app keeps, see
// client.SSOAppReturn).

// ssoWait is how long the desktop waits for the browser to come back.
const ssoWait = 5 * time.Minute

// startSSO begins a sign-in with a program's provider.
func (ui *UI) startSSO(server string, p client.SSOProvider, status func(msg string, bad bool)) {
	tr := ui.tr
	ui.connect(server, "")
	started := ui.session()
	if ui.browser {
		// The web build: this tab goes to the provider and comes back to
		// the app's own address with #sso/{code} (openLink).
		ui.goBG(func(ctx context.Context) {
			st, err := started.API.StartSSO(ctx, p.ProgramID, "")
			ui.post(started, func() {
				if err != nil {
					status(ui.errText(err), true)
					return
				}
				u, _ := url.Parse(st.URL)
				if err := ui.openHere(u); err != nil {
					status(ui.errText(err), true)
				}
			})
		})
		return
	}
	if ui.opt.AppURLs {
		ui.startAppSSO(server, started, p, status)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		status(ui.errText(err), true)
		return
	}
	status(tr.T("login.sso_waiting", "company", p.DisplayName), false)
	openApp := appLink(runtime.GOOS, ui.app.Metadata().ID)
	result := make(chan url.Values, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sso" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, ssoPage(tr, q, openApp))
		select {
		case result <- q:
		default:
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	ret := "http://" + ln.Addr().String() + "/sso"
	ui.goBG(func(ctx context.Context) {
		defer srv.Close()
		st, err := started.API.StartSSO(ctx, p.ProgramID, ret)
		if err == nil {
			u, _ := url.Parse(st.URL)
			fyne.DoAndWait(func() { err = ui.openURL(u) })
		}
		if err != nil {
			ui.post(started, func() { status(ui.errText(err), true) })
			return
		}
		var q url.Values
		select {
		case q = <-result:
		case <-time.After(ssoWait):
			ui.post(started, func() { status(tr.T("login.sso_timeout"), true) })
			return
		case <-ctx.Done():
			return
		}
		if q.Get("sso_code") == "" {
			ui.post(started, func() { status(ssoErrorText(tr, q.Get("sso_error")), true) })
			return
		}
		sess, err := started.API.ExchangeSSO(ctx, q.Get("sso_code"))
		ui.post(started, func() {
			if err != nil {
				status(ui.errText(err), true)
				return
			}
			ui.prefs.SetToken(sess.Token)
			ui.signedIn(sess.User)
		})
	})
}

// ssoPage is what the browser shows when it comes back to the loopback
// listener: done or not, and where the app is. The browser wraps Chinese
// itself: the words go without Flow's breaks. openApp, when set, is a
// link that brings the app back (Android, appLink).
func ssoPage(tr *Tr, q url.Values, openApp string) string {
	title, body := tr.T("sso.page_done_title"), tr.T("sso.page_done")
	if q.Get("sso_code") == "" {
		title, body = tr.T("sso.page_failed_title"), ssoErrorText(tr, q.Get("sso_error"))
	}
	page := fmt.Sprintf(`<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Chorus</title>`+
		`<body style="font-family:system-ui,sans-serif;max-width:30rem;margin:4rem auto;padding:0 1rem"><h1>%s</h1><p>%s</p>`,
		html.EscapeString(Plain(title)), html.EscapeString(Plain(body)))
	if openApp != "" {
		page += fmt.Sprintf(`<p><a href="%s" style="display:inline-block;padding:.8rem 1.4rem;border-radius:.5rem;background:#5b4ddb;color:#fff;text-decoration:none;font-weight:600">%s</a></p>`,
			html.EscapeString(openApp), html.EscapeString(Plain(tr.T("sso.page_open_app"))))
	}
	return page
}

// appLink is a link the phone's browser follows back to the app, on
// Android: an intent for the app's launcher activity, which brings its
// running task to the front (Fyne's activity takes no URL of its own). ""
// elsewhere: the desktop's browser is beside the app.
func appLink(goos, appID string) string {
	if goos != "android" || appID == "" {
		return ""
	}
	return "intent:#Intent;action=android.intent.action.MAIN;category=android.intent.category.LAUNCHER;package=" + url.QueryEscape(appID) + ";end"
}

// appSSOFlow is a phone sign-in the browser is to bring back through
// chorus://sso: its server and the verifier whose challenge it carries.
type appSSOFlow struct {
	server, verifier string
}

// startAppSSO sends the browser to the provider with the return
// chorus://sso?challenge=…; OpenAppURL takes it from there.
func (ui *UI) startAppSSO(server string, started session.Session, p client.SSOProvider, status func(msg string, bad bool)) {
	flow := &appSSOFlow{server: server, verifier: client.NewSSOVerifier()}
	ui.appSSO = flow // a later start replaces it: only its URL is taken
	status(ui.tr.T("login.sso_waiting", "company", p.DisplayName), false)
	ui.goBG(func(ctx context.Context) {
		st, err := started.API.StartSSO(ctx, p.ProgramID, client.SSOAppReturn(flow.verifier))
		if err == nil {
			u, _ := url.Parse(st.URL)
			fyne.DoAndWait(func() { err = ui.openURL(u) })
		}
		if err != nil {
			ui.post(started, func() { status(ui.errText(err), true) })
		}
	})
}

// ssoReturn is what a chorus://sso URL brought back.
type ssoReturn struct {
	challenge, code, errCode string
}

// parseSSOReturn reads chorus://sso?challenge=…&sso_code=… (or sso_error=…).
func parseSSOReturn(raw string) (ssoReturn, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !strings.EqualFold(u.Scheme, client.SSOAppScheme) || u.Host != "sso" || (u.Path != "" && u.Path != "/") {
		return ssoReturn{}, false
	}
	q := u.Query()
	r := ssoReturn{challenge: q.Get("challenge"), code: q.Get("sso_code"), errCode: q.Get("sso_error")}
	if r.challenge == "" || len(r.challenge) > 64 || len(r.code) > 128 || len(r.errCode) > 64 || (r.code == "") == (r.errCode == "") {
		return ssoReturn{}, false
	}
	return r, true
}

// OpenAppURL takes a URL the system opened the app with (platform.OnAppURL).
func (ui *UI) OpenAppURL(raw string) {
	fyne.Do(func() { ui.openAppURL(raw) })
}

// openAppURL finishes the phone sign-in this app started, and only that:
// a chorus://sso URL from anywhere else (another sign-in's, or a link
// made to sign this person into someone else's account) is ignored.
func (ui *UI) openAppURL(raw string) bool {
	r, ok := parseSSOReturn(raw)
	flow := ui.appSSO
	if !ok || flow == nil || r.challenge != client.SSOChallenge(flow.verifier) {
		return false
	}
	ui.appSSO = nil
	if r.errCode != "" {
		ui.showLogin(ssoErrorText(ui.tr, r.errCode))
		return true
	}
	ui.exchangeSSO(flow.server, r.code, flow.verifier)
	return true
}

// finishSSO trades the code the web build's address brought for a session.
func (ui *UI) finishSSO(code string) {
	server := firstNonEmpty(ui.opt.Server, ui.prefs.ServerURL())
	if server == "" {
		return
	}
	ui.exchangeSSO(server, code, "")
}

// exchangeSSO trades a one-time code (with the phone's verifier, if it
// came through chorus://sso) for a session on server.
func (ui *UI) exchangeSSO(server, code, verifier string) {
	ui.connect(server, "")
	started := ui.session()
	ui.goBG(func(ctx context.Context) {
		sess, err := started.API.ExchangeAppSSO(ctx, code, verifier)
		ui.post(started, func() {
			if err != nil {
				ui.showLogin(ui.errText(err))
				return
			}
			ui.prefs.SetToken(sess.Token)
			ui.signedIn(sess.User)
		})
	})
}

// ssoErrorText says why the server refused a sign-in (its sso_error codes).
func ssoErrorText(tr *Tr, code string) string {
	switch code {
	case "refused", "invalid_token", "expired_token", "nonce_mismatch", "email_unverified", "domain_not_allowed", "unavailable", "expired_flow":
		return tr.T("sso.error." + code)
	}
	return tr.T("sso.error.refused")
}
