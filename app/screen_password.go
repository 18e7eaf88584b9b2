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

func newPasswordPair(tr *Tr, submit func()) *passwordPair {
	p := &passwordPair{next: widget.NewPasswordEntry(), repeat: widget.NewPasswordEntry(),
		nextNote: fieldNote(), repeatNote: fieldNote()}
	p.next.SetPlaceHolder(tr.T("invite.password_hint"))
	p.repeat.OnSubmitted = func(string) { submit() }
	return p
}

func (p *passwordPair) items(tr *Tr) []*widget.FormItem {
	return []*widget.FormItem{
		widget.NewFormItem(tr.T("password.new"), container.NewVBox(p.next, p.nextNote)),
		widget.NewFormItem(tr.T("password.repeat"), container.NewVBox(p.repeat, p.repeatNote)),
	}
}

// check answers the new password when both are typed and the same, else
// says what is wrong under the fields.
func (p *passwordPair) check(tr *Tr) (string, bool) {
	clearNotes(p.nextNote, p.repeatNote)
	switch {
	case p.next.Text == "":
		say(p.nextNote, tr.T("password.required"))
		return "", false
	case p.repeat.Text != p.next.Text:
		say(p.repeatNote, tr.T("password.mismatch"))
		return "", false
	}
	return p.next.Text, true
}

// serverItems is the server address field, which the web build does not
// ask for: it signs in to the server it was loaded from.
func serverItems(tr *Tr, fixed string, e *widget.Entry) []*widget.FormItem {
	if fixed != "" {
		e.Hide()
		return nil
	}
	return []*widget.FormItem{widget.NewFormItem(tr.T("login.server"), e)}
}

// --- Change password (settings) ---

// changePasswordForm is the settings' "Change password" dialog: the current
// password, the new one twice. Other sessions end on the server; this one
// stays, so nothing changes here but the words.
type changePasswordForm struct {
	k *kit
	// changed tells the settings, which say so.
	changed     func()
	current     *widget.Entry
	currentNote *widget.Label
	pair        *passwordPair
	save        *widget.Button
	cancel      *widget.Button
	status      *widget.Label
	dlg         dialog.Dialog
}

func newChangePasswordForm(k *kit, changed func()) *changePasswordForm {
	tr := k.tr
	f := &changePasswordForm{k: k, changed: changed, current: widget.NewPasswordEntry(), currentNote: fieldNote()}
	f.pair = newPasswordPair(k.tr, f.onSave)
	f.save = widget.NewButton(tr.T("password.save"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.status = wrapped("")
	f.status.Importance = widget.DangerImportance
	f.status.Hide()
	form := widget.NewForm(append([]*widget.FormItem{
		widget.NewFormItem(tr.T("password.current"), container.NewVBox(f.current, f.currentNote)),
	}, f.pair.items(k.tr)...)...)
	form.Orientation = widget.Vertical
	f.cancel = widget.NewButton(tr.T("common.cancel"), func() { f.dlg.Hide() })
	f.cancel.Importance = widget.LowImportance
	body := container.NewVBox(wrapped(tr.T("password.change_help")), form, f.status,
		container.NewGridWithColumns(2, f.cancel, f.save))
	f.dlg = dialog.NewCustomWithoutButtons(tr.T("password.change_title"), container.New(fixedWidth(380), body), k.win)
	return f
}

func (f *changePasswordForm) show() {
	f.dlg.Show()
	f.k.win.Canvas().Focus(f.current)
}

func (f *changePasswordForm) onSave() {
	k, tr := f.k, f.k.tr
	clearNotes(f.currentNote)
	say(f.status, "")
	next, ok := f.pair.check(k.tr)
	if f.current.Text == "" {
		say(f.currentNote, tr.T("password.required"))
		ok = false
	}
	if !ok {
		return
	}
	current := f.current.Text
	f.save.Disable()
	started := k.session()
	k.goBG(func(ctx context.Context) {
		err := started.API.ChangePassword(ctx, current, next)
		fyne.Do(func() { f.save.Enable() })
		k.post(started, func() { f.onSaved(err) })
	})
}

func (f *changePasswordForm) onSaved(err error) {
	k := f.k
	if err != nil {
		if !showFields(k.tr, err, map[string]*widget.Label{"current_password": f.currentNote, "new_password": f.pair.nextNote}) {
			say(f.status, k.errText(err))
		}
		return
	}
	f.dlg.Hide()
	f.changed()
}

// --- Forgot password? ---

// forgotScreen asks for the email to send a reset link to. The server
// answers the same for every address.
type forgotScreen struct {
	k       *kit
	host    authHost
	server  *widget.Entry
	email   *widget.Entry
	send    *widget.Button
	status  *widget.Label
	haveKey *widget.Button // "I have a reset code"
	back    *widget.Button
	content fyne.CanvasObject
}

func newForgotScreen(k *kit, host authHost, server, email string) *forgotScreen {
	tr := k.tr
	s := &forgotScreen{k: k, host: host}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://chorus.example.com")
	s.server.SetText(firstNonEmpty(server, host.startServer()))
	s.email = widget.NewEntry()
	s.email.SetPlaceHolder(tr.T("login.email_hint"))
	s.email.SetText(firstNonEmpty(email, host.savedEmail()))
	s.email.OnSubmitted = func(string) { s.onSend() }
	s.send = widget.NewButton(tr.T("forgot.send"), s.onSend)
	s.send.Importance = widget.HighImportance
	s.status = wrapped("")
	s.status.Hide()
	s.haveKey = widget.NewButton(tr.T("forgot.have_code"), func() { host.showReset(s.server.Text, "") })
	s.haveKey.Importance = widget.LowImportance
	s.back = widget.NewButton(tr.T("forgot.back"), host.leavePasswordScreens)
	s.back.Importance = widget.LowImportance
	form := widget.NewForm(append(serverItems(k.tr, host.fixedServer(), s.server),
		widget.NewFormItem(tr.T("login.email"), s.email))...)
	form.Orientation = widget.Vertical
	s.content = authFrame(k, tr.T("forgot.title"), tr.T("forgot.subtitle"), form, s.send, s.status, s.haveKey, s.back)
	return s
}

func (s *forgotScreen) setStatus(msg string, imp widget.Importance) {
	s.status.Importance = imp
	say(s.status, msg)
}

func (s *forgotScreen) onSend() {
	tr := s.k.tr
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
	s.host.connect(server, "")
	started := s.k.session()
	s.k.goBG(func(ctx context.Context) {
		_, err := started.API.ForgotPassword(ctx, email)
		fyne.Do(func() { s.send.Enable() })
		s.k.post(started, func() { s.onSent(err) })
	})
}

func (s *forgotScreen) onSent(err error) {
	tr := s.k.tr
	if s.k.win.Content() != s.content {
		return // the person has moved on
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
		s.setStatus(fieldProblem(tr, ce.Fields["email"]), widget.DangerImportance)
	default:
		s.setStatus(s.k.errText(err), widget.DangerImportance)
	}
}

// --- Set a new password ---

// resetScreen spends the email's reset token on a new password; the server
// answers a new session, so the person is then signed in.
type resetScreen struct {
	k         *kit
	host      authHost
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

func newResetScreen(k *kit, host authHost, server, token string) *resetScreen {
	tr := k.tr
	s := &resetScreen{k: k, host: host, tokenNote: fieldNote()}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://chorus.example.com")
	s.server.SetText(firstNonEmpty(server, host.startServer()))
	s.token = widget.NewEntry()
	s.token.SetPlaceHolder(tr.T("reset.code_hint"))
	s.token.SetText(token)
	s.pair = newPasswordPair(k.tr, s.onSave)
	s.save = widget.NewButton(tr.T("reset.save"), s.onSave)
	s.save.Importance = widget.HighImportance
	s.status = wrapped("")
	s.status.Importance = widget.DangerImportance
	s.status.Hide()
	s.forgot = widget.NewButton(tr.T("reset.new_link"), func() { host.showForgot(s.server.Text, "") })
	s.forgot.Importance = widget.LowImportance
	s.back = widget.NewButton(tr.T("forgot.back"), host.leavePasswordScreens)
	s.back.Importance = widget.LowImportance
	form := widget.NewForm(append(append(serverItems(k.tr, host.fixedServer(), s.server),
		widget.NewFormItem(tr.T("reset.code"), container.NewVBox(s.token, s.tokenNote))), s.pair.items(k.tr)...)...)
	form.Orientation = widget.Vertical
	s.content = authFrame(k, tr.T("reset.title"), tr.T("reset.subtitle"), form, s.save, s.status, s.forgot, s.back)
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
	k, tr := s.k, s.k.tr
	clearNotes(s.tokenNote)
	say(s.status, "")
	server, err := normalizeServer(s.server.Text)
	if err != nil {
		say(s.status, tr.T("login.bad_server"))
		return
	}
	next, ok := s.pair.check(k.tr)
	token := resetToken(s.token.Text)
	if token == "" {
		say(s.tokenNote, tr.T("password.required"))
		ok = false
	}
	if !ok {
		return
	}
	s.save.Disable()
	s.host.connect(server, "")
	started := k.session()
	k.goBG(func(ctx context.Context) {
		sess, err := started.API.ResetPassword(ctx, token, next)
		fyne.Do(func() { s.save.Enable() })
		k.post(started, func() { s.onSaved(sess, err) })
	})
}

func (s *resetScreen) onSaved(sess client.Session, err error) {
	k, tr := s.k, s.k.tr
	if k.win.Content() != s.content {
		return // the person has moved on
	}
	if err != nil {
		switch {
		case showFields(k.tr, err, map[string]*widget.Label{"token": s.tokenNote, "new_password": s.pair.nextNote}):
		case client.Status(err) == 404:
			say(s.status, tr.T("reset.unknown"))
		case client.Status(err) == 409:
			say(s.status, tr.T("reset.spent"))
		default:
			say(s.status, k.errText(err))
		}
		return
	}
	s.host.signedInAs(sess)
}
