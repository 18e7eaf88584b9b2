package app

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// settingsScreen: language, time zone, link tracking, program, sign out.
type settingsScreen struct {
	k        *kit
	host     settingsHost
	lang     *widget.RadioGroup
	zone     *widget.Select
	tracking *widget.Check
	status   *widget.Label
	tiktok   *widget.Label  // the TikTok account
	tiktokDo *widget.Button // Connect or Disconnect
	program  *widget.Button
	signOut  *widget.Button
	// password opens "Change password"; passwordNote says it was changed.
	password     *widget.Button
	passwordNote *widget.Label
	passwordForm *changePasswordForm // the open dialog, if any
	// notify is the Notifications part (settings_notify.go).
	notify  *notifySettings
	content fyne.CanvasObject
}

// settingsHost is what the settings ask of the app.
type settingsHost interface {
	member() client.Me
	// memberSaved keeps the profile the server answered; a new zone
	// builds the screens again in it.
	memberSaved(me client.Me)
	// shownSettings is the settings screen on view: an answer that comes
	// back to another one is shown there, or dropped.
	shownSettings() *settingsScreen
	programName() string
	setLang(l Lang)
	showPrograms()
	signOut()
	refresh()
	// connectedTikTok is the member's TikTok account (nil: none); known is
	// false until the server has said.
	connectedTikTok() (acct *client.SocialAccount, known bool)
	connectTikTok(ctx context.Context, s session.Session) error
	setTikTok(accts []client.SocialAccount)
	// Push on this device (push.go): its state (pushOn…), why it could not
	// be turned on, whether the server sends any, and the two switches.
	pushState() string
	pushProblem() string
	serverPushes() bool
	explainPush(done func())
	disablePush(done func())
}

func newSettingsScreen(k *kit, host settingsHost, version string) *settingsScreen {
	tr := k.tr
	s := &settingsScreen{k: k, host: host}
	langNames := []string{tr.T("lang.en"), tr.T("lang.zh-Hans")}
	s.lang = widget.NewRadioGroup(langNames, nil)
	s.lang.Selected = langNames[slices.Index(Langs, tr.Lang())]
	s.lang.OnChanged = s.onLang

	opts := slices.Clone(zones)
	if z := host.member().Timezone; z != "" && !slices.Contains(opts, z) {
		opts = append([]string{z}, opts...)
	}
	s.zone = widget.NewSelect(opts, nil)
	s.zone.Selected = host.member().Timezone
	s.zone.OnChanged = s.onZone

	s.tracking = widget.NewCheck(tr.T("settings.tracking"), nil)
	s.tracking.Checked = !host.member().TrackingOptOut
	s.tracking.OnChanged = s.onTracking
	trackingHelp := caption(tr.T("settings.tracking_help"))

	s.status = caption("")
	s.status.Hide()
	s.tiktok = wrapped("")
	s.tiktokDo = widget.NewButton("", s.onTikTok)
	s.showTikTok()
	s.password = widget.NewButton(tr.T("password.change"), s.onChangePassword)
	s.passwordNote = caption("")
	s.passwordNote.Importance = widget.SuccessImportance
	s.passwordNote.Hide()
	s.program = widget.NewButton(tr.T("settings.switch_program"), host.showPrograms)
	if len(host.member().Memberships) < 2 {
		s.program.Hide()
	}
	// Sign out is a plain button: red is kept for what loses something
	// (disconnecting TikTok), and two red buttons stacked read as a warning.
	s.signOut = widget.NewButton(tr.T("settings.sign_out"), host.signOut)
	s.notify = newNotifySettings(k, host)

	account := wrapped(tr.T("settings.signed_in_as", "name", host.member().Name, "email", host.member().Email))
	where := caption(tr.T("settings.program", "program", host.programName(), "server", k.session().Server))
	versionLine := caption(tr.T("settings.version", "version", version))

	form := widget.NewForm(
		widget.NewFormItem(tr.T("settings.language"), s.lang),
		widget.NewFormItem(tr.T("settings.timezone"), s.zone),
	)
	form.Orientation = widget.Vertical
	s.content = container.NewVScroll(container.NewVBox(
		heading(tr.T("settings.title")), account, where, form, s.tracking, trackingHelp, s.status,
		widget.NewSeparator(), s.notify.content,
		widget.NewSeparator(), bold(tr.T("settings.tiktok")), s.tiktok, container.NewHBox(s.tiktokDo),
		widget.NewSeparator(), bold(tr.T("password.title")), container.NewHBox(s.password), s.passwordNote,
		widget.NewSeparator(), s.program, s.signOut, versionLine))
	return s
}

// onChangePassword opens the "Change password" dialog.
func (s *settingsScreen) onChangePassword() {
	say(s.passwordNote, "")
	s.passwordForm = newChangePasswordForm(s.k, func() { say(s.passwordNote, s.k.tr.T("password.changed")) })
	s.passwordForm.show()
}

func (s *settingsScreen) onLang(v string) {
	for i, l := range Langs {
		if v == s.k.tr.T("lang."+string(l)) {
			s.host.setLang(Langs[i])
			return
		}
	}
}

func (s *settingsScreen) onZone(zone string) {
	if zone == "" || zone == s.host.member().Timezone {
		return
	}
	s.update(client.UpdateMe{Timezone: &zone})
}

func (s *settingsScreen) onTracking(on bool) {
	optOut := !on
	if optOut == s.host.member().TrackingOptOut {
		return
	}
	s.update(client.UpdateMe{TrackingOptOut: &optOut})
}

// update saves a profile change; times are shown again in a new zone.
func (s *settingsScreen) update(in client.UpdateMe) {
	k, host := s.k, s.host
	sess := k.session()
	say(s.status, k.tr.T("common.saving"))
	k.goBG(func(ctx context.Context) {
		me, err := sess.API.UpdateMe(ctx, in)
		k.post(sess, func() {
			if s.host.shownSettings() != s {
				return
			}
			if err != nil {
				say(s.status, k.errText(err))
				// Show what is really saved.
				s.zone.Selected = host.member().Timezone
				s.zone.Refresh()
				s.tracking.Checked = !host.member().TrackingOptOut
				s.tracking.Refresh()
				return
			}
			host.memberSaved(me)
			// A new zone built the screens again: the new settings say it.
			say(host.shownSettings().status, k.tr.T("common.saved"))
		})
	})
}

// showTikTok shows whether TikTok is connected, with the button to change it.
func (s *settingsScreen) showTikTok() {
	tr := s.k.tr
	acct, known := s.host.connectedTikTok()
	switch {
	case !known:
		s.tiktok.SetText(tr.T("common.loading"))
		s.tiktokDo.Hide()
		return
	case acct != nil:
		name := acct.DisplayName
		if name == "" {
			name = "TikTok"
		}
		s.tiktok.SetText(tr.T("settings.tiktok_connected", "name", name))
		s.tiktokDo.SetText(tr.T("settings.tiktok_disconnect"))
		s.tiktokDo.Importance = widget.DangerImportance
	default:
		s.tiktok.SetText(tr.T("settings.tiktok_none"))
		s.tiktokDo.SetText(tr.T("settings.tiktok_connect"))
		s.tiktokDo.Importance = widget.MediumImportance
	}
	s.tiktokDo.Enable()
	s.tiktokDo.Show()
	s.tiktokDo.Refresh()
}

func (s *settingsScreen) onTikTok() {
	k, host, tr := s.k, s.host, s.k.tr
	sess := k.session()
	if acct, _ := host.connectedTikTok(); acct == nil {
		s.tiktokDo.Disable()
		say(s.status, tr.T("tiktok.connecting"))
		k.goBG(func(ctx context.Context) {
			wait, stop := context.WithTimeout(ctx, connectWait)
			defer stop()
			err := host.connectTikTok(wait, sess)
			k.post(sess, func() {
				if s.host.shownSettings() != s {
					return
				}
				s.tiktokDo.Enable()
				if err != nil {
					say(s.status, k.errText(err))
					return
				}
				say(s.status, tr.T("tiktok.connected"))
			})
		})
		return
	}
	dialog.ShowConfirm(tr.T("settings.tiktok_disconnect_title"), tr.T("settings.tiktok_disconnect_body"), func(ok bool) {
		if ok {
			s.disconnectTikTok()
		}
	}, k.win)
}

// disconnectTikTok revokes the link; TikTok activities then offer to
// connect again.
func (s *settingsScreen) disconnectTikTok() {
	k, host := s.k, s.host
	sess := k.session()
	s.tiktokDo.Disable()
	k.goBG(func(ctx context.Context) {
		err := sess.API.DisconnectTikTok(ctx)
		k.post(sess, func() {
			if err != nil {
				s.tiktokDo.Enable()
				say(s.status, k.errText(err))
				return
			}
			host.setTikTok(nil)
			say(s.host.shownSettings().status, k.tr.T("settings.tiktok_disconnected"))
		})
	})
}
