package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// inviteScreen turns an invite code from a manager into an account.
type inviteScreen struct {
	k        *kit
	host     authHost
	server   *widget.Entry
	code     *widget.Entry
	name     *widget.Entry
	password *widget.Entry
	accept   *widget.Button
	back     *widget.Button
	status   *widget.Label
	content  fyne.CanvasObject
}

func newInviteScreen(k *kit, host authHost) *inviteScreen {
	tr := k.tr
	s := &inviteScreen{k: k, host: host}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("https://chorus.example.com")
	s.server.SetText(host.startServer())
	s.code = widget.NewEntry()
	s.code.SetPlaceHolder(tr.T("invite.code_hint"))
	s.name = widget.NewEntry()
	s.password = widget.NewPasswordEntry()
	s.password.SetPlaceHolder(tr.T("invite.password_hint"))
	s.accept = widget.NewButton(tr.T("invite.accept"), s.onAccept)
	s.accept.Importance = widget.HighImportance
	s.back = widget.NewButton(tr.T("invite.back"), func() { host.showLogin("") })
	s.back.Importance = widget.LowImportance
	s.status = wrapped("")
	s.status.Importance = widget.DangerImportance
	s.status.Hide()
	form := widget.NewForm(
		widget.NewFormItem(tr.T("login.server"), s.server),
		widget.NewFormItem(tr.T("invite.code"), s.code),
		widget.NewFormItem(tr.T("invite.name"), s.name),
		widget.NewFormItem(tr.T("login.password"), s.password),
	)
	form.Orientation = widget.Vertical
	s.content = authFrame(k, tr.T("invite.title"), tr.T("invite.subtitle"), form, s.accept, s.status, s.back)
	return s
}

func (s *inviteScreen) onAccept() {
	tr := s.k.tr
	server, err := normalizeServer(s.server.Text)
	if err != nil {
		say(s.status, tr.T("login.bad_server"))
		return
	}
	in := client.AcceptInvite{Code: strings.TrimSpace(s.code.Text), Name: strings.TrimSpace(s.name.Text), Password: s.password.Text}
	// The name is asked of new accounts only (the server says so); someone
	// who has an account joins with its password alone.
	if in.Code == "" || in.Password == "" {
		say(s.status, tr.T("invite.missing"))
		return
	}
	s.accept.Disable()
	say(s.status, "")
	s.host.connect(server, "")
	started := s.k.session()
	s.k.goBG(func(ctx context.Context) {
		sess, err := started.API.AcceptInvite(ctx, in)
		fyne.Do(func() { s.accept.Enable() })
		s.k.post(started, func() {
			if err != nil {
				say(s.status, s.k.errText(err))
				return
			}
			s.host.signedInAs(sess)
		})
	})
}

// programScreen lets a person in several programs pick one.
type programScreen struct {
	k       *kit
	host    authHost
	buttons []*widget.Button
	content fyne.CanvasObject
}

func newProgramScreen(k *kit, host authHost) *programScreen {
	tr := k.tr
	s := &programScreen{k: k, host: host}
	var parts []fyne.CanvasObject
	for _, m := range host.member().Memberships {
		pid := m.ProgramID
		b := widget.NewButton(m.ProgramName, func() { s.onPick(pid) })
		s.buttons = append(s.buttons, b)
		parts = append(parts, b)
	}
	if len(parts) == 0 {
		parts = append(parts, wrapped(tr.T("programs.none")))
	}
	signOut := widget.NewButton(tr.T("settings.sign_out"), host.signOut)
	signOut.Importance = widget.LowImportance
	parts = append(parts, signOut)
	s.content = authFrame(k, tr.T("programs.title"), tr.T("programs.subtitle", "name", host.member().Name), container.NewVBox(parts...))
	return s
}

func (s *programScreen) onPick(pid string) { s.host.openProgram(pid) }
