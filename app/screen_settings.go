package app

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// settingsScreen: language, time zone, link tracking, program, sign out.
type settingsScreen struct {
	ui       *UI
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

func newSettingsScreen(ui *UI) *settingsScreen {
	tr := ui.tr
	s := &settingsScreen{ui: ui}
	langNames := []string{tr.T("lang.en"), tr.T("lang.zh-Hans")}
	s.lang = widget.NewRadioGroup(langNames, nil)
	s.lang.Selected = langNames[slices.Index(Langs, tr.Lang())]
	s.lang.OnChanged = s.onLang

	opts := slices.Clone(zones)
	if z := ui.me.Timezone; z != "" && !slices.Contains(opts, z) {
		opts = append([]string{z}, opts...)
	}
	s.zone = widget.NewSelect(opts, nil)
	s.zone.Selected = ui.me.Timezone
	s.zone.OnChanged = s.onZone

	s.tracking = widget.NewCheck(tr.T("settings.tracking"), nil)
	s.tracking.Checked = !ui.me.TrackingOptOut
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
	s.program = widget.NewButton(tr.T("settings.switch_program"), ui.showPrograms)
	if len(ui.me.Memberships) < 2 {
		s.program.Hide()
	}
	// Sign out is a plain button: red is kept for what loses something
	// (disconnecting TikTok), and two red buttons stacked read as a warning.
	s.signOut = widget.NewButton(tr.T("settings.sign_out"), ui.signOut)
	s.notify = newNotifySettings(ui)

	account := wrapped(tr.T("settings.signed_in_as", "name", ui.me.Name, "email", ui.me.Email))
	where := caption(tr.T("settings.program", "program", ui.programName(), "server", ui.session().Server))
	version := caption(tr.T("settings.version", "version", ui.opt.Version))

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
		widget.NewSeparator(), s.program, s.signOut, version))
	return s
}

// onChangePassword opens the "Change password" dialog.
func (s *settingsScreen) onChangePassword() {
	say(s.passwordNote, "")
	s.passwordForm = newChangePasswordForm(s.ui.kit, func() { say(s.passwordNote, s.ui.tr.T("password.changed")) })
	s.passwordForm.show()
}

func (s *settingsScreen) onLang(v string) {
	for i, l := range Langs {
		if v == s.ui.tr.T("lang."+string(l)) {
			s.ui.setLang(Langs[i])
			return
		}
	}
}

func (s *settingsScreen) onZone(zone string) {
	if zone == "" || zone == s.ui.me.Timezone {
		return
	}
	s.update(client.UpdateMe{Timezone: &zone})
}

func (s *settingsScreen) onTracking(on bool) {
	optOut := !on
	if optOut == s.ui.me.TrackingOptOut {
		return
	}
	s.update(client.UpdateMe{TrackingOptOut: &optOut})
}

// update saves a profile change; times are shown again in a new zone.
func (s *settingsScreen) update(in client.UpdateMe) {
	ui := s.ui
	sess := ui.session()
	say(s.status, ui.tr.T("common.saving"))
	ui.goBG(func(ctx context.Context) {
		me, err := sess.API.UpdateMe(ctx, in)
		ui.post(sess, func() {
			if ui.settings != s {
				return
			}
			if err != nil {
				say(s.status, ui.errText(err))
				// Show what is really saved.
				s.zone.Selected = ui.me.Timezone
				s.zone.Refresh()
				s.tracking.Checked = !ui.me.TrackingOptOut
				s.tracking.Refresh()
				return
			}
			zoneChanged := me.Timezone != ui.me.Timezone
			ui.me = me
			ui.saveMe()
			if zoneChanged {
				ui.retranslate()
				ui.rebuild()
				say(ui.settings.status, ui.tr.T("common.saved"))
				ui.refresh()
				return
			}
			say(s.status, ui.tr.T("common.saved"))
		})
	})
}

// showTikTok shows whether TikTok is connected, with the button to change it.
func (s *settingsScreen) showTikTok() {
	ui, tr := s.ui, s.ui.tr
	switch {
	case !ui.tiktokKnown:
		s.tiktok.SetText(tr.T("common.loading"))
		s.tiktokDo.Hide()
		return
	case ui.tiktok != nil:
		name := ui.tiktok.DisplayName
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
	ui, tr := s.ui, s.ui.tr
	sess := ui.session()
	if ui.tiktok == nil {
		s.tiktokDo.Disable()
		say(s.status, tr.T("tiktok.connecting"))
		ui.goBG(func(ctx context.Context) {
			wait, stop := context.WithTimeout(ctx, connectWait)
			defer stop()
			err := ui.connectTikTok(wait, sess)
			ui.post(sess, func() {
				if ui.settings != s {
					return
				}
				s.tiktokDo.Enable()
				if err != nil {
					say(s.status, ui.errText(err))
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
	}, ui.win)
}

// disconnectTikTok revokes the link; TikTok activities then offer to
// connect again.
func (s *settingsScreen) disconnectTikTok() {
	ui := s.ui
	sess := ui.session()
	s.tiktokDo.Disable()
	ui.goBG(func(ctx context.Context) {
		err := sess.API.DisconnectTikTok(ctx)
		ui.post(sess, func() {
			if err != nil {
				s.tiktokDo.Enable()
				say(s.status, ui.errText(err))
				return
			}
			ui.setTikTok(nil)
			say(ui.settings.status, ui.tr.T("settings.tiktok_disconnected"))
		})
	})
}
