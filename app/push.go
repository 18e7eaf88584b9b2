package app

import (
	"context"
	"errors"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
	"github.com/chorus-advocacy/chorus/platform"
)

// Pusher is what the app needs from the system for push notifications;
// SystemPush (package platform) is the real one, tests record calls.
type Pusher interface {
	// Platform is the push service of this build (platform.PushAPNs,
	// platform.PushWebPush) or "" (Android, desktop: none).
	Platform() string
	// Permission is the system's answer so far (platform.PushGranted …).
	Permission() string
	// Enable asks the system (its own question) and answers this device's
	// token or subscription.
	Enable(ctx context.Context, vapidKey, lang string) (platform.PushToken, error)
	// Disable ends this device's registration with the push service.
	Disable(ctx context.Context) error
	// OnToken sets what to do with a token the system hands over later.
	OnToken(fn func(platform.PushToken))
}

// SystemPush is the running OS's push (package platform).
type SystemPush struct{}

func (SystemPush) Platform() string   { return platform.PushPlatform() }
func (SystemPush) Permission() string { return platform.PushPermission() }
func (SystemPush) Enable(ctx context.Context, key, lang string) (platform.PushToken, error) {
	return platform.EnablePush(ctx, key, lang)
}
func (SystemPush) Disable(ctx context.Context) error   { return platform.DisablePush(ctx) }
func (SystemPush) OnToken(fn func(platform.PushToken)) { platform.OnPushToken(fn) }

// pushProblem is why push could not be turned on ("" when it could).
func (ui *UI) pushProblem() string { return ui.pushErr }

// pushState is this device's push for the signed-in member: on when a
// registration of theirs is saved here.
func (ui *UI) pushState() string {
	if ui.pusher.Platform() == "" {
		return pushUnsupported
	}
	if ui.prefs.PushDevice(ui.me.ID) != "" {
		return pushOn
	}
	if ui.pusher.Permission() == platform.PushDenied {
		return pushDenied
	}
	return pushOff
}

// loadPushConfig asks which push services the server has, ahead of the
// tap that turns push on: a browser lets a page ask for permission only
// within a moment of the tap, so no network wait may come first.
func (ui *UI) loadPushConfig(ctx context.Context, s session.Session) {
	if ui.pusher.Platform() == "" {
		return
	}
	cfg, err := s.API.PushConfig(ctx)
	ui.post(s, func() {
		if err != nil {
			slog.Debug("push config", "err", err)
			return
		}
		ui.pushCfg = &cfg
		if ui.settings != nil {
			ui.settings.notify.showPush()
		}
	})
}

// serverPushes tells whether the server sends through this build's push
// service (unknown until loadPushConfig answered: assumed yes).
func (ui *UI) serverPushes() bool {
	c := ui.pushCfg
	if c == nil {
		return true
	}
	switch ui.pusher.Platform() {
	case platform.PushAPNs:
		return c.APNs
	case platform.PushWebPush:
		return c.WebPush && c.VAPIDPublicKey != ""
	}
	return false
}

// explainPush says what push brings before the system's own question
// (which a person answers once: a refusal can only be undone in the
// system's settings), with "Turn on" and "Not now".
func (ui *UI) explainPush(done func()) {
	tr := ui.tr
	ui.pushErr = "" // asked again: the last refusal no longer stands
	var d dialog.Dialog
	allow := widget.NewButton(tr.T("push.allow"), func() {
		d.Hide()
		ui.enablePush(done)
	})
	allow.Importance = widget.HighImportance
	later := widget.NewButton(tr.T("push.later"), func() {
		d.Hide()
		if done != nil {
			done()
		}
	})
	body := container.NewVBox(wrapped(tr.T("push.explain")), caption(tr.T("push.explain_later")),
		container.NewHBox(later, allow))
	d = dialog.NewCustomWithoutButtons(tr.T("push.explain_title"), body, ui.win)
	ui.pushDialog, ui.pushAllow = d, allow
	d.SetOnClosed(func() { ui.pushDialog, ui.pushAllow = nil, nil })
	d.Show()
}

// enablePush asks the system, then registers this device with the server.
// done runs on the UI goroutine when it has ended either way.
func (ui *UI) enablePush(done func()) {
	s := ui.session()
	cfg := ui.pushCfg
	lang := string(ui.tr.Lang())
	ui.goBG(func(ctx context.Context) {
		err := ui.registerPush(ctx, s, cfg, lang)
		ui.post(s, func() {
			if err != nil {
				ui.pushErr = ui.pushErrText(err)
			} else {
				ui.pushErr = ""
			}
			if done != nil {
				done()
			}
		})
	})
}

// registerPush gets this device's token (asking the system when it has
// not answered yet) and registers it: the same token again updates the
// server's registration, so it is safe at every start.
func (ui *UI) registerPush(ctx context.Context, s session.Session, cfg *client.PushConfig, lang string) error {
	if cfg == nil {
		c, err := s.API.PushConfig(ctx)
		if err != nil {
			return err
		}
		cfg = &c
	}
	key := cfg.VAPIDPublicKey
	tok, err := ui.pusher.Enable(ctx, key, lang)
	if err != nil {
		return err
	}
	if id := fyne.CurrentApp().Metadata().ID; tok.Platform == platform.PushAPNs && cfg.APNsTopic != "" && id != "" && cfg.APNsTopic != id {
		// APNs delivers only to the bundle id the server addresses
		// (CHORUS_APNS_TOPIC): registering still lets a fixed server reach
		// this phone, but say why nothing arrives meanwhile.
		slog.Warn("push: the server's APNs topic is not this app's bundle id", "topic", cfg.APNsTopic, "app", id)
	}
	in := client.DeviceInput{Platform: tok.Platform, Token: tok.Token, Locale: lang}
	if tok.Platform == platform.PushWebPush {
		in.Token = ""
		in.Subscription = &client.WebPushSubscription{Endpoint: tok.Endpoint, Keys: client.WebPushKeys{P256dh: tok.P256dh, Auth: tok.Auth}}
	}
	d, err := s.API.RegisterDevice(ctx, in)
	if err != nil {
		return err
	}
	ui.post(s, func() { ui.prefs.SetPushDevice(s.UserID, d.ID) })
	return nil
}

// disablePush ends this device's push: the system's registration and the
// server's. done runs on the UI goroutine afterwards.
func (ui *UI) disablePush(done func()) {
	s := ui.session()
	id := ui.prefs.PushDevice(ui.me.ID)
	ui.goBG(func(ctx context.Context) {
		err := ui.dropPush(ctx, s.API, id)
		ui.post(s, func() {
			if err != nil {
				ui.pushErr = ui.errText(err)
			} else {
				ui.pushErr = ""
				ui.prefs.SetPushDevice(s.UserID, "")
			}
			if done != nil {
				done()
			}
		})
	})
}

// dropPush unsubscribes this device and deletes its registration on the
// server (a registration already gone is fine).
func (ui *UI) dropPush(ctx context.Context, api *client.Client, deviceID string) error {
	errSys := ui.pusher.Disable(ctx)
	if deviceID == "" {
		return errSys
	}
	if err := api.DeleteDevice(ctx, deviceID); err != nil && client.Code(err) != wire.CodeNotFound {
		return err
	}
	return errSys
}

// resumePush registers again at each start when push is on here: a phone's
// token may have changed (Apple asks apps to register at every launch), and
// a person who took the permission back in the system's settings has their
// registration ended.
func (ui *UI) resumePush(ctx context.Context, s session.Session) {
	id := ui.prefs.PushDevice(s.UserID)
	if id == "" || ui.pusher.Platform() == "" {
		return
	}
	if ui.pusher.Permission() != platform.PushGranted {
		if err := ui.dropPush(ctx, s.API, id); err == nil {
			ui.post(s, func() { ui.prefs.SetPushDevice(s.UserID, "") })
		}
		return
	}
	if err := ui.registerPush(ctx, s, nil, string(ui.tr.Lang())); err != nil {
		slog.Warn("push: registering again", "err", err)
	}
}

// onPushToken registers a token the system changed while the app ran.
func (ui *UI) onPushToken(platform.PushToken) {
	fyne.Do(func() {
		s := ui.session()
		if s.UserID == "" || ui.prefs.PushDevice(s.UserID) == "" {
			return
		}
		lang := string(ui.tr.Lang())
		ui.goBG(func(ctx context.Context) {
			if err := ui.registerPush(ctx, s, ui.pushCfg, lang); err != nil {
				slog.Warn("push: registering a new token", "err", err)
			}
		})
	})
}

func (ui *UI) pushErrText(err error) string {
	switch {
	case errors.Is(err, platform.ErrPushDenied):
		return ui.tr.T("push.denied")
	case errors.Is(err, platform.ErrPushUnsupported):
		return ui.tr.T("push.unsupported")
	}
	return ui.tr.T("push.failed", "error", ui.errText(err))
}

// OpenLink opens what a tapped notification or an address asks for
// ("activity/{id}"): the activity, once the feed has it. Safe from any
// goroutine.
func (ui *UI) OpenLink(link string) {
	fyne.Do(func() { ui.openActivityLink(link) })
}

func (ui *UI) openActivityLink(link string) bool {
	aid, ok := platform.ActivityFromLink(link)
	if !ok {
		return false
	}
	if ui.shell == nil {
		ui.pendingActivity = aid // after sign-in and the program's feed
		return true
	}
	if it, ok := ui.feedItem(aid); ok {
		ui.openActivity(it)
		return true
	}
	s := ui.session()
	ui.refreshThen(func() {
		if ui.session() != s {
			return
		}
		if it, ok := ui.feedItem(aid); ok {
			ui.openActivity(it)
		}
	})
	return true
}

// openPendingActivity opens an activity a link asked for before the feed
// was there.
func (ui *UI) openPendingActivity() {
	aid := ui.pendingActivity
	if aid == "" || ui.shell == nil {
		return
	}
	if it, ok := ui.feedItem(aid); ok {
		ui.pendingActivity = ""
		ui.openActivity(it)
	}
}

// localNotify tells whether news may become a system notification while
// the app runs: the member has not turned that off, and no push reaches
// this device (it would say the same thing twice).
func (ui *UI) localNotify() bool {
	return ui.prefs.LocalNotify() && ui.pushState() != pushOn
}
