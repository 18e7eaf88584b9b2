package app

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/assets"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// loginScreen asks for the server address (not in the web build), email and
// password.
type loginScreen struct {
	ui       *UI
	server   *widget.Entry
	email    *widget.Entry
	password *widget.Entry
	signIn   *widget.Button
	invite   *widget.Button
	forgot   *widget.Button // "Forgot password?"
	status   *widget.Label
	sso      *ssoArea // "Sign in with <company>" (sso.go)
	content  fyne.CanvasObject
}

func newLoginScreen(ui *UI) *loginScreen {
	tr := ui.tr
	s := &loginScreen{ui: ui}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://chorus.example.com")
	s.server.SetText(firstNonEmpty(ui.opt.Server, ui.prefs.ServerURL()))
	s.email = widget.NewEntry()
	s.email.SetPlaceHolder(tr.T("login.email_hint"))
	s.email.SetText(ui.prefs.Email())
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.onSignIn() }
	s.signIn = widget.NewButton(tr.T("login.sign_in"), s.onSignIn)
	s.signIn.Importance = widget.HighImportance
	s.invite = widget.NewButton(tr.T("login.have_invite"), ui.showInvite)
	s.invite.Importance = widget.LowImportance
	s.forgot = widget.NewButton(tr.T("login.forgot"), func() { ui.showForgot(s.server.Text, s.email.Text) })
	s.forgot.Importance = widget.LowImportance
	s.status = wrapped("")
	s.status.Importance = widget.DangerImportance
	s.status.Hide()

	form := widget.NewForm(
		widget.NewFormItem(tr.T("login.email"), s.email),
		widget.NewFormItem(tr.T("login.password"), s.password),
	)
	if ui.opt.Browser && ui.opt.Server != "" {
		// The web build signs in to the server it was loaded from (its
		// origin, Options.Server): no address to ask for.
		s.server.SetText(ui.opt.Server)
		s.server.Hide()
	} else {
		form.Items = append([]*widget.FormItem{widget.NewFormItem(tr.T("login.server"), s.server)}, form.Items...)
		form.Refresh()
	}
	form.Orientation = widget.Vertical
	s.sso = newSSOArea(ui)
	s.server.OnChanged = func(string) { s.loadSSO() }
	s.content = authFrame(ui, tr.T("login.title"), tr.T("login.subtitle"),
		form, s.signIn, s.sso.box, s.status, s.forgot, s.invite, langSwitch(ui))
	s.loadSSO()
	return s
}

// loadSSO shows the single sign-on buttons of the address typed.
func (s *loginScreen) loadSSO() {
	server, err := normalizeServer(s.server.Text)
	if err != nil {
		server = ""
	}
	s.sso.load(server, func(msg string, bad bool) {
		s.status.Importance = widget.MediumImportance
		if bad {
			s.status.Importance = widget.DangerImportance
		}
		s.setStatus(msg)
	})
}

func (s *loginScreen) setStatus(msg string) {
	say(s.status, msg)
}

func (s *loginScreen) onSignIn() {
	tr := s.ui.tr
	server, err := normalizeServer(s.server.Text)
	if err != nil {
		s.setStatus(tr.T("login.bad_server"))
		return
	}
	email, password := strings.TrimSpace(s.email.Text), s.password.Text
	if email == "" || password == "" {
		s.setStatus(tr.T("login.missing"))
		return
	}
	s.signIn.Disable()
	s.status.Importance = widget.MediumImportance
	s.setStatus(tr.T("login.signing_in"))
	s.ui.connect(server, "")
	started := s.ui.session()
	s.ui.goBG(func(ctx context.Context) {
		sess, err := started.API.Login(ctx, email, password)
		fyne.Do(func() { s.signIn.Enable() })
		s.ui.post(started, func() { s.onSignedIn(sess, err) })
	})
}

func (s *loginScreen) onSignedIn(sess client.Session, err error) {
	if err != nil {
		s.status.Importance = widget.DangerImportance
		s.setStatus(s.ui.errText(err))
		return
	}
	s.ui.prefs.SetToken(sess.Token)
	s.ui.signedIn(sess.User)
}

// normalizeServer accepts "chorus.acme.com" as well as a full URL; without a
// scheme, https is meant (plain http only when typed).
func normalizeServer(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if s == "" {
		return "", errEmptyServer
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", errEmptyServer
	}
	return s, nil
}

var errEmptyServer = errors.New("no server address")

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// authFrame centres the sign-in and invite forms with the app's mark, at a
// readable width on desktops.
func authFrame(ui *UI, title, subtitle string, parts ...fyne.CanvasObject) fyne.CanvasObject {
	logo := canvas.NewImageFromResource(assets.Icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(72))
	head := heading(title)
	head.Alignment = fyne.TextAlignCenter
	sub := wrapped(subtitle)
	sub.Alignment = fyne.TextAlignCenter
	box := container.NewVBox(append([]fyne.CanvasObject{container.NewCenter(logo), head, sub}, parts...)...)
	if ui.opt.Mobile {
		return container.NewVScroll(container.New(layout.NewCustomPaddedLayout(40, 16, 12, 12), box))
	}
	return container.NewCenter(container.New(fixedWidth(420), container.NewPadded(box)))
}

// fixedWidth lays its content out at one width, taking the height it needs.
type fixedWidth float32

func (w fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}

func (w fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// langSwitch lets a person pick the language before signing in.
func langSwitch(ui *UI) fyne.CanvasObject {
	opts := []string{ui.tr.T("lang.en"), ui.tr.T("lang.zh-Hans")}
	r := widget.NewRadioGroup(opts, nil)
	r.Horizontal = true
	if ui.tr.Lang() == Chinese {
		r.Selected = opts[1]
	} else {
		r.Selected = opts[0]
	}
	r.OnChanged = func(v string) {
		if v == opts[1] {
			ui.setLang(Chinese)
		} else if v == opts[0] {
			ui.setLang(English)
		}
	}
	return container.NewCenter(r)
}
