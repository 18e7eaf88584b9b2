package app

import (
	"net/url"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// The screens before sign-in: which one shows, the links from emails that
// open one, and what those screens ask of the app (authHost).

func (ui *UI) showLogin(status string) {
	ui.shell, ui.auth = nil, authLogin
	ui.login = newLoginScreen(ui.kit, ui)
	ui.login.setStatus(status)
	ui.win.SetContent(ui.login.content)
}

func (ui *UI) showInvite() {
	ui.auth = authInvite
	ui.invite = newInviteScreen(ui.kit, ui)
	ui.win.SetContent(ui.invite.content)
}

func (ui *UI) showPrograms() {
	ui.shell, ui.auth = nil, authPrograms
	ui.programs = newProgramScreen(ui.kit, ui)
	ui.win.SetContent(ui.programs.content)
}

// Screens shown before the shell.
const (
	authLogin = iota + 1
	authInvite
	authPrograms
	authForgot
	authReset
)

// rebuildAuth shows the current pre-shell screen in the new language,
// keeping what was typed (but not passwords: the person retypes them).
func (ui *UI) rebuildAuth() {
	switch ui.auth {
	case authInvite:
		old := ui.invite
		ui.showInvite()
		ui.invite.server.SetText(old.server.Text)
		ui.invite.code.SetText(old.code.Text)
		ui.invite.name.SetText(old.name.Text)
	case authPrograms:
		ui.showPrograms()
	case authForgot, authReset:
		ui.rebuildPasswordScreens()
	default:
		old := ui.login
		ui.showLogin("")
		if old != nil {
			ui.login.server.SetText(old.server.Text)
			ui.login.email.SetText(old.email.Text)
		}
	}
}

func (ui *UI) showForgot(server, email string) {
	ui.shell, ui.auth = nil, authForgot
	ui.forgot = newForgotScreen(ui.kit, ui, server, email)
	ui.win.SetContent(ui.forgot.content)
}

func (ui *UI) showReset(server, token string) {
	ui.shell, ui.auth = nil, authReset
	ui.reset = newResetScreen(ui.kit, ui, server, token)
	ui.win.SetContent(ui.reset.content)
}

// leavePasswordScreens goes back to sign-in, or to the app when a session
// is saved (a link from an email opened these screens over it).
func (ui *UI) leavePasswordScreens() {
	if ui.prefs.SignedIn() {
		ui.Start()
		return
	}
	ui.showLogin("")
}

// rebuildPasswordScreens shows the forgot or reset screen in the new
// language, keeping what was typed but the passwords.
func (ui *UI) rebuildPasswordScreens() {
	switch ui.auth {
	case authForgot:
		old := ui.forgot
		ui.showForgot(old.server.Text, old.email.Text)
	case authReset:
		old := ui.reset
		ui.showReset(old.server.Text, old.token.Text)
	}
}

// openLink opens the screen an email's link names ("reset/{token}",
// "invite/{code}", with or without the '#') and answers whether it did.
func (ui *UI) openLink(link string) bool {
	screen, value, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(link), "#"), "/")
	if !ok {
		return false
	}
	if v, err := url.PathUnescape(value); err == nil {
		value = v
	}
	if value = strings.TrimSpace(value); value == "" {
		return false
	}
	switch screen {
	case "reset":
		ui.showReset("", value)
	case "invite":
		ui.showInvite()
		ui.invite.code.SetText(value)
	case "sso":
		ui.finishSSO(value)
	case "sso-error":
		ui.showLogin(ssoErrorText(ui.tr, value))
	default:
		return false
	}
	return true
}

// startServer is the address the sign-in screens start with: the one the
// app was started with, else the one of the last sign-in.
func (ui *UI) startServer() string { return firstNonEmpty(ui.opt.Server, ui.prefs.ServerURL()) }

// fixedServer is the server the web build was loaded from: it signs in
// there, and no screen asks for an address ("" elsewhere).
func (ui *UI) fixedServer() string {
	if ui.browser {
		return ui.opt.Server
	}
	return ""
}

func (ui *UI) savedEmail() string { return ui.prefs.Email() }

// signedInAs continues with a session the server answered (sign-in,
// invite, password reset).
func (ui *UI) signedInAs(sess client.Session) {
	ui.prefs.SetToken(sess.Token)
	ui.signedIn(sess.User)
}
