package app

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/assets"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// authHost is what the screens before sign-in ask of the app.
type authHost interface {
	// startServer is the address to start with; fixedServer, when set, the
	// only one (the web build's own server: no field asks for it).
	startServer() string
	fixedServer() string
	savedEmail() string
	// connect starts a session on server, signed in when token is set.
	connect(server, token string)
	// signedInAs continues with the session the server answered.
	signedInAs(sess client.Session)
	showLogin(status string)
	showInvite()
	showForgot(server, email string)
	showReset(server, token string)
	// leavePasswordScreens goes back to sign-in, or to the app when signed in.
	leavePasswordScreens()
	setLang(l Lang)
	startSSO(server string, p client.SSOProvider, status func(msg string, bad bool))
	member() client.Me
	openProgram(pid string)
	signOut()
}

// loginScreen asks for the server address (not in the web build), email and
// password.
type loginScreen struct {
	k        *kit
	host     authHost
	server   *widget.Entry
	email    *widget.Entry
	password *widget.Entry
	signIn   *widget.Button
	invite   *widget.Button
	forgot   *widget.Button // "Forgot password?"
	status   *widget.Label
	sso      *ssoArea // "Sign in with <company>"
	content  fyne.CanvasObject
}

func newLoginScreen(k *kit, host authHost) *loginScreen {
	tr := k.tr
	s := &loginScreen{k: k, host: host}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://chorus.example.com")
	s.server.SetText(host.startServer())
	s.email = widget.NewEntry()
	s.email.SetPlaceHolder(tr.T("login.email_hint"))
	s.email.SetText(host.savedEmail())
	s.password = widget.NewPasswordEntry()
	s.password.OnSubmitted = func(string) { s.onSignIn() }
	s.signIn = widget.NewButton(tr.T("login.sign_in"), s.onSignIn)
	s.signIn.Importance = widget.HighImportance
	s.invite = widget.NewButton(tr.T("login.have_invite"), host.showInvite)
	s.invite.Importance = widget.LowImportance
	s.forgot = widget.NewButton(tr.T("login.forgot"), func() { host.showForgot(s.server.Text, s.email.Text) })
	s.forgot.Importance = widget.LowImportance
	s.status = wrapped("")
	s.status.Importance = widget.DangerImportance
	s.status.Hide()

	form := widget.NewForm(
		widget.NewFormItem(tr.T("login.email"), s.email),
		widget.NewFormItem(tr.T("login.password"), s.password),
	)
	if host.fixedServer() != "" {
		// The web build signs in to the server it was loaded from (its
		// origin, Options.Server): no address to ask for.
		s.server.SetText(host.fixedServer())
		s.server.Hide()
	} else {
		form.Items = append([]*widget.FormItem{widget.NewFormItem(tr.T("login.server"), s.server)}, form.Items...)
		form.Refresh()
	}
	form.Orientation = widget.Vertical
	s.sso = newSSOArea(k, host)
	s.server.OnChanged = func(string) { s.loadSSO() }
	s.content = authFrame(k, tr.T("login.title"), tr.T("login.subtitle"),
		form, s.signIn, s.sso.box, s.status, s.forgot, s.invite, langSwitch(k, host))
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
	tr := s.k.tr
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
	s.host.connect(server, "")
	started := s.k.session()
	s.k.goBG(func(ctx context.Context) {
		sess, err := started.API.Login(ctx, email, password)
		fyne.Do(func() { s.signIn.Enable() })
		s.k.post(started, func() { s.onSignedIn(sess, err) })
	})
}

func (s *loginScreen) onSignedIn(sess client.Session, err error) {
	if err != nil {
		s.status.Importance = widget.DangerImportance
		s.setStatus(s.k.errText(err))
		return
	}
	s.host.signedInAs(sess)
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

// authFrame centres the sign-in and invite forms with the app's mark, at a
// readable width on desktops.
func authFrame(k *kit, title, subtitle string, parts ...fyne.CanvasObject) fyne.CanvasObject {
	logo := canvas.NewImageFromResource(assets.Icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(72))
	head := heading(title)
	head.Alignment = fyne.TextAlignCenter
	sub := wrapped(subtitle)
	sub.Alignment = fyne.TextAlignCenter
	box := container.NewVBox(append([]fyne.CanvasObject{container.NewCenter(logo), head, sub}, parts...)...)
	if k.mobile {
		return container.NewVScroll(container.New(layout.NewCustomPaddedLayout(40, 16, 12, 12), box))
	}
	return container.NewCenter(container.New(fixedWidth(420), container.NewPadded(box)))
}

// langSwitch lets a person pick the language before signing in.
func langSwitch(k *kit, host authHost) fyne.CanvasObject {
	opts := []string{k.tr.T("lang.en"), k.tr.T("lang.zh-Hans")}
	r := widget.NewRadioGroup(opts, nil)
	r.Horizontal = true
	if k.tr.Lang() == Chinese {
		r.Selected = opts[1]
	} else {
		r.Selected = opts[0]
	}
	r.OnChanged = func(v string) {
		if v == opts[1] {
			host.setLang(Chinese)
		} else if v == opts[0] {
			host.setLang(English)
		}
	}
	return container.NewCenter(r)
}

// ssoArea holds the login screen's SSO buttons, filled from the server.
type ssoArea struct {
	k      *kit
	host   authHost
	box    *fyne.Container
	server string // the buttons are for this address
}

func newSSOArea(k *kit, host authHost) *ssoArea {
	return &ssoArea{k: k, host: host, box: container.NewVBox()}
}

// load asks server which programs offer single sign-on and shows a button
// for each (none: nothing shown). A later address replaces the buttons.
func (a *ssoArea) load(server string, status func(msg string, bad bool)) {
	if server == a.server {
		return
	}
	a.server = server
	a.box.RemoveAll()
	if server == "" {
		return
	}
	api := client.New(server).SetRetryCount(0)
	a.k.goBG(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		ps, err := api.SSOProviders(ctx)
		fyne.Do(func() {
			if err != nil || a.server != server {
				return // an old server or none: the password form is there
			}
			a.box.RemoveAll()
			for _, p := range ps {
				b := widget.NewButton(a.k.tr.T("login.sso", "company", p.DisplayName), func() { a.host.startSSO(server, p, status) })
				b.Importance = widget.MediumImportance
				a.box.Add(b)
			}
			a.box.Refresh()
		})
	})
}
