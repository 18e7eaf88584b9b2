package app

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// The password screens: "Change password" (from the settings), "Forgot
// password?" (from the sign-in screen) and "Set a new password" (with the
// token from the email's link, pasted or read from the web build's address).

// passwordPair is a new password typed twice; the repeat is checked here,
// the rest (length, common passwords) by the server.
type passwordPair struct {
	next, repeat         *widget.Entry
	nextNote, repeatNote *widget.Label
}

func newPasswordPair(ui *UI, submit func()) *passwordPair {
	p := &passwordPair{next: widget.NewPasswordEntry(), repeat: widget.NewPasswordEntry(),
		nextNote: fieldNote(), repeatNote: fieldNote()}
	p.next.SetPlaceHolder(ui.tr.T("invite.password_hint"))
	p.repeat.OnSubmitted = func(string) { submit() }
	return p
}

func (p *passwordPair) items(ui *UI) []*widget.FormItem {
	return []*widget.FormItem{
		widget.NewFormItem(ui.tr.T("password.new"), container.NewVBox(p.next, p.nextNote)),
		widget.NewFormItem(ui.tr.T("password.repeat"), container.NewVBox(p.repeat, p.repeatNote)),
	}
}

// check answers the new password when both are typed and the same, else
// says what is wrong under the fields.
func (p *passwordPair) check(ui *UI) (string, bool) {
	clearNotes(p.nextNote, p.repeatNote)
	switch {
	case p.next.Text == "":
		say(p.nextNote, ui.tr.T("password.required"))
		return "", false
	case p.repeat.Text != p.next.Text:
		say(p.repeatNote, ui.tr.T("password.mismatch"))
		return "", false
	}
	return p.next.Text, true
}

// serverItems is the server address field, which the web build does not
// ask for: it signs in to the server it was loaded from.
func serverItems(ui *UI, e *widget.Entry) []*widget.FormItem {
	if ui.opt.Browser && ui.opt.Server != "" {
		e.Hide()
		return nil
	}
	return []*widget.FormItem{widget.NewFormItem(ui.tr.T("login.server"), e)}
}

// --- Change password (settings) ---

// changePasswordForm is the settings' "Change password" dialog: the current
// password, the new one twice. Other sessions end on the server; this one
// stays, so nothing changes here but the words.
type changePasswordForm struct {
	ui          *UI
	current     *widget.Entry
	currentNote *widget.Label
	pair        *passwordPair
	save        *widget.Button
	cancel      *widget.Button
	status      *widget.Label
	dlg         dialog.Dialog
}

func newChangePasswordForm(ui *UI) *changePasswordForm {
	tr := ui.tr
	f := &changePasswordForm{ui: ui, current: widget.NewPasswordEntry(), currentNote: fieldNote()}
	f.pair = newPasswordPair(ui, f.onSave)
	f.save = widget.NewButton(tr.T("password.save"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.status = wrapped("")
	f.status.Importance = widget.DangerImportance
	f.status.Hide()
	form := widget.NewForm(append([]*widget.FormItem{
		widget.NewFormItem(tr.T("password.current"), container.NewVBox(f.current, f.currentNote)),
	}, f.pair.items(ui)...)...)
	form.Orientation = widget.Vertical
	f.cancel = widget.NewButton(tr.T("common.cancel"), func() { f.dlg.Hide() })
	f.cancel.Importance = widget.LowImportance
	body := container.NewVBox(wrapped(tr.T("password.change_help")), form, f.status,
		container.NewGridWithColumns(2, f.cancel, f.save))
	f.dlg = dialog.NewCustomWithoutButtons(tr.T("password.change_title"), container.New(fixedWidth(380), body), ui.win)
	return f
}

func (f *changePasswordForm) show() {
	f.dlg.Show()
	f.ui.win.Canvas().Focus(f.current)
}

func (f *changePasswordForm) onSave() {
	ui, tr := f.ui, f.ui.tr
	clearNotes(f.currentNote)
	say(f.status, "")
	next, ok := f.pair.check(ui)
	if f.current.Text == "" {
		say(f.currentNote, tr.T("password.required"))
		ok = false
	}
	if !ok {
		return
	}
	current := f.current.Text
	f.save.Disable()
	started := ui.session()
	ui.goBG(func(ctx context.Context) {
		err := started.API.ChangePassword(ctx, current, next)
		fyne.Do(func() { f.save.Enable() })
		ui.post(started, func() { f.onSaved(err) })
	})
}

func (f *changePasswordForm) onSaved(err error) {
	ui := f.ui
	if err != nil {
		if !showFields(ui.tr, err, map[string]*widget.Label{"current_password": f.currentNote, "new_password": f.pair.nextNote}) {
			say(f.status, ui.errText(err))
		}
		return
	}
	f.dlg.Hide()
	if ui.settings != nil {
		say(ui.settings.passwordNote, ui.tr.T("password.changed"))
	}
}

// --- Forgot password? ---

// forgotScreen asks for the email to send a reset link to. The server
// answers the same for every address.
type forgotScreen struct {
	ui      *UI
	server  *widget.Entry
	email   *widget.Entry
	send    *widget.Button
	status  *widget.Label
	haveKey *widget.Button // "I have a reset code"
	back    *widget.Button
	content fyne.CanvasObject
}

func newForgotScreen(ui *UI, server, email string) *forgotScreen {
	tr := ui.tr
	s := &forgotScreen{ui: ui}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://chorus.example.com")
	s.server.SetText(firstNonEmpty(server, ui.opt.Server, ui.prefs.ServerURL()))
	s.email = widget.NewEntry()
	s.email.SetPlaceHolder(tr.T("login.email_hint"))
	s.email.SetText(firstNonEmpty(email, ui.prefs.Email()))
	s.email.OnSubmitted = func(string) { s.onSend() }
	s.send = widget.NewButton(tr.T("forgot.send"), s.onSend)
	s.send.Importance = widget.HighImportance
	s.status = wrapped("")
	s.status.Hide()
	s.haveKey = widget.NewButton(tr.T("forgot.have_code"), func() { ui.showReset(s.server.Text, "") })
	s.haveKey.Importance = widget.LowImportance
	s.back = widget.NewButton(tr.T("forgot.back"), ui.leavePasswordScreens)
	s.back.Importance = widget.LowImportance
	form := widget.NewForm(append(serverItems(ui, s.server),
		widget.NewFormItem(tr.T("login.email"), s.email))...)
	form.Orientation = widget.Vertical
	s.content = authFrame(ui, tr.T("forgot.title"), tr.T("forgot.subtitle"), form, s.send, s.status, s.haveKey, s.back)
	return s
}

func (s *forgotScreen) setStatus(msg string, imp widget.Importance) {
	s.status.Importance = imp
	say(s.status, msg)
}

func (s *forgotScreen) onSend() {
	tr := s.ui.tr
	server, err := normalizeServer(s.server.Text)
	if err != nil {
		s.setStatus(tr.T("login.bad_server"), widget.DangerImportance)
		return
	}
	email := strings.TrimSpace(s.email.Text)
	if email == "" {
		s.setStatus(tr.T("forgot.missing"), widget.DangerImportance)
		return
	}
	s.send.Disable()
	s.setStatus(tr.T("forgot.sending"), widget.MediumImportance)
	s.ui.connect(server, "")
	started := s.ui.session()
	s.ui.goBG(func(ctx context.Context) {
		_, err := started.API.ForgotPassword(ctx, email)
		fyne.Do(func() { s.send.Enable() })
		s.ui.post(started, func() { s.onSent(err) })
	})
}

func (s *forgotScreen) onSent(err error) {
	ui, tr := s.ui, s.ui.tr
	if ui.forgot != s {
		return
	}
	var ce *client.Error
	switch {
	case err == nil:
		// The server's one answer, whether or not the address has an account.
		s.setStatus(tr.T("forgot.sent"), widget.SuccessImportance)
	case client.Status(err) == 429:
		s.setStatus(tr.T("forgot.rate_limited"), widget.DangerImportance)
	case client.Status(err) == 409:
		s.setStatus(tr.T("forgot.no_email"), widget.DangerImportance)
	case errors.As(err, &ce) && ce.Fields["email"] != "":
		s.setStatus(fieldProblem(ui.tr, ce.Fields["email"]), widget.DangerImportance)
	default:
		s.setStatus(ui.errText(err), widget.DangerImportance)
	}
}

// --- Set a new password ---

// resetScreen spends the email's reset token on a new password; the server
// answers a new session, so the person is then signed in.
type resetScreen struct {
	ui        *UI
	server    *widget.Entry
	token     *widget.Entry
	tokenNote *widget.Label
	pair      *passwordPair
	save      *widget.Button
	status    *widget.Label
	forgot    *widget.Button // ask for a new link
	back      *widget.Button
	content   fyne.CanvasObject
}

func newResetScreen(ui *UI, server, token string) *resetScreen {
	tr := ui.tr
	s := &resetScreen{ui: ui, tokenNote: fieldNote()}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://chorus.example.com")
	s.server.SetText(firstNonEmpty(server, ui.opt.Server, ui.prefs.ServerURL()))
	s.token = widget.NewEntry()
	s.token.SetPlaceHolder(tr.T("reset.code_hint"))
	s.token.SetText(token)
	s.pair = newPasswordPair(ui, s.onSave)
	s.save = widget.NewButton(tr.T("reset.save"), s.onSave)
	s.save.Importance = widget.HighImportance
	s.status = wrapped("")
	s.status.Importance = widget.DangerImportance
	s.status.Hide()
	s.forgot = widget.NewButton(tr.T("reset.new_link"), func() { ui.showForgot(s.server.Text, "") })
	s.forgot.Importance = widget.LowImportance
	s.back = widget.NewButton(tr.T("forgot.back"), ui.leavePasswordScreens)
	s.back.Importance = widget.LowImportance
	form := widget.NewForm(append(append(serverItems(ui, s.server),
		widget.NewFormItem(tr.T("reset.code"), container.NewVBox(s.token, s.tokenNote))), s.pair.items(ui)...)...)
	form.Orientation = widget.Vertical
	s.content = authFrame(ui, tr.T("reset.title"), tr.T("reset.subtitle"), form, s.save, s.status, s.forgot, s.back)
	return s
}

// resetToken takes the token from what was pasted: the token itself or the
// whole link from the email ({server}/app/#reset/{token}).
func resetToken(s string) string {
	s = strings.TrimSpace(s)
	if _, after, ok := strings.Cut(s, "#reset/"); ok {
		s = after
	}
	if t, err := url.PathUnescape(s); err == nil {
		s = t
	}
	return strings.TrimSpace(s)
}

func (s *resetScreen) onSave() {
	ui, tr := s.ui, s.ui.tr
	clearNotes(s.tokenNote)
	say(s.status, "")
	server, err := normalizeServer(s.server.Text)
	if err != nil {
		say(s.status, tr.T("login.bad_server"))
		return
	}
	next, ok := s.pair.check(ui)
	token := resetToken(s.token.Text)
	if token == "" {
		say(s.tokenNote, tr.T("password.required"))
		ok = false
	}
	if !ok {
		return
	}
	s.save.Disable()
	ui.connect(server, "")
	started := ui.session()
	ui.goBG(func(ctx context.Context) {
		sess, err := started.API.ResetPassword(ctx, token, next)
		fyne.Do(func() { s.save.Enable() })
		ui.post(started, func() { s.onSaved(sess, err) })
	})
}

func (s *resetScreen) onSaved(sess client.Session, err error) {
	ui, tr := s.ui, s.ui.tr
	if ui.reset != s {
		return
	}
	if err != nil {
		switch {
		case showFields(ui.tr, err, map[string]*widget.Label{"token": s.tokenNote, "new_password": s.pair.nextNote}):
		case client.Status(err) == 404:
			say(s.status, tr.T("reset.unknown"))
		case client.Status(err) == 409:
			say(s.status, tr.T("reset.spent"))
		default:
			say(s.status, ui.errText(err))
		}
		return
	}
	ui.prefs.SetToken(sess.Token)
	ui.signedIn(sess.User)
}

// --- navigation ---

func (ui *UI) showForgot(server, email string) {
	ui.shell, ui.auth = nil, authForgot
	ui.forgot = newForgotScreen(ui, server, email)
	ui.win.SetContent(ui.forgot.content)
}

func (ui *UI) showReset(server, token string) {
	ui.shell, ui.auth = nil, authReset
	ui.reset = newResetScreen(ui, server, token)
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
