package app

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// notifySettings is Settings' "Notifications" part: what this device shows
// (push, or on Android and desktops notifications while the app runs), how
// new activities reach the member (push, email, WeCom: the server's
// choices), quiet hours, and which public channels they follow.
type notifySettings struct {
	k    *kit
	host settingsHost
	// push: push on this device (web, iOS); local: notifications while the
	// app runs (Android, desktop). One of them is shown.
	push      *widget.Check
	pushNote  *widget.Label
	local     *widget.Check
	byPush    *widget.Check
	email     *widget.Select
	wecom     *widget.Select
	emailRow  fyne.CanvasObject
	wecomRow  fyne.CanvasObject
	quiet     *widget.Check
	quietFrom *widget.Select
	quietTo   *widget.Select
	quietRow  fyne.CanvasObject
	status    *widget.Label
	channels  *fyne.Container
	follows   map[string]*widget.Check // by channel id
	busy      bool                     // a push change is under way
	content   fyne.CanvasObject
}

// Push on this device as Settings (and the probe) show it: the host's
// pushState.
const (
	pushOn          = "on"
	pushOff         = "off"
	pushDenied      = "denied"
	pushUnsupported = "unsupported"
)

// quietTimes are the quiet hours offered: every half hour.
var quietTimes = func() []string {
	var out []string
	for m := 0; m < 24*60; m += 30 {
		out = append(out, fmt.Sprintf("%02d:%02d", m/60, m%60))
	}
	return out
}()

func newNotifySettings(k *kit, host settingsHost) *notifySettings {
	tr := k.tr
	n := &notifySettings{k: k, host: host, follows: map[string]*widget.Check{}}
	n.push = widget.NewCheck(tr.T("notify_settings.push_device"), nil)
	n.pushNote = caption("")
	n.local = widget.NewCheck(tr.T("notify_settings.local"), nil)
	n.local.Checked = k.prefs.LocalNotify()
	n.local.OnChanged = func(on bool) { k.prefs.SetLocalNotify(on) }

	n.byPush = widget.NewCheck(tr.T("notify_settings.by_push"), nil)
	choices := []string{tr.T("notify_settings.auto"), tr.T("notify_settings.on"), tr.T("notify_settings.off")}
	n.email = widget.NewSelect(choices, nil)
	n.wecom = widget.NewSelect(choices, nil)
	n.emailRow = container.NewVBox(bold(tr.T("notify_settings.email")), n.email)
	n.wecomRow = container.NewVBox(bold(tr.T("notify_settings.wecom")), n.wecom)

	n.quiet = widget.NewCheck(tr.T("notify_settings.quiet"), nil)
	n.quietFrom = widget.NewSelect(quietTimes, nil)
	n.quietTo = widget.NewSelect(quietTimes, nil)
	n.quietRow = container.NewHBox(widget.NewLabel(tr.T("notify_settings.quiet_from")), n.quietFrom,
		widget.NewLabel(tr.T("notify_settings.quiet_to")), n.quietTo)
	n.status = caption("")
	n.status.Hide()
	n.channels = container.NewVBox(caption(tr.T("common.loading")))

	n.showPush()
	n.showChoices()
	n.content = container.NewVBox(
		bold(tr.T("notify_settings.title")), n.push, n.local, n.pushNote,
		n.byPush, n.emailRow, n.wecomRow, n.quiet, n.quietRow, caption(tr.T("notify_settings.quiet_help")), n.status,
		widget.NewSeparator(), bold(tr.T("notify_settings.channels")), caption(tr.T("notify_settings.channels_help")), n.channels)
	n.loadChannels()
	return n
}

// shown: this is the settings on view (answers for another are dropped).
func (n *notifySettings) shown() bool {
	st := n.host.shownSettings()
	return st != nil && st.notify == n
}

// showPush shows this device's notifications as they are now.
func (n *notifySettings) showPush() {
	k, host, tr := n.k, n.host, n.k.tr
	state := host.pushState()
	if state == pushUnsupported {
		n.push.Hide()
		n.local.Show()
		note := tr.T("notify_settings.local_help")
		if k.browser {
			note = tr.T("notify_settings.browser_no_push")
		}
		say(n.pushNote, note)
		return
	}
	n.local.Hide()
	n.push.Show()
	n.push.OnChanged = nil
	n.push.Checked = state == pushOn
	n.push.OnChanged = n.onPush
	n.push.Refresh()
	if n.busy {
		n.push.Disable()
	} else {
		n.push.Enable()
	}
	switch {
	case host.pushProblem() != "":
		say(n.pushNote, host.pushProblem())
	case state == pushDenied:
		say(n.pushNote, tr.T("push.denied"))
	case !host.serverPushes():
		say(n.pushNote, tr.T("notify_settings.server_no_push"))
		n.push.Disable()
	case state == pushOn:
		say(n.pushNote, tr.T("notify_settings.push_on"))
	default:
		say(n.pushNote, tr.T("notify_settings.push_off"))
	}
}

// onPush turns push on (after the explanation) or off.
func (n *notifySettings) onPush(on bool) {
	host := n.host
	done := func() {
		n.busy = false
		if n.shown() {
			n.showPush()
		}
	}
	n.busy = true
	if on {
		// Unchecked until it really is on.
		n.push.OnChanged = nil
		n.push.SetChecked(false)
		n.push.OnChanged = n.onPush
		host.explainPush(done)
		return
	}
	host.disablePush(done)
}

// showChoices shows the member's channel choices and quiet hours as the
// server has them; a channel the server cannot use for them is left out.
func (n *notifySettings) showChoices() {
	me := n.host.member()
	n.byPush.OnChanged = nil
	n.byPush.Checked = me.NotifyPush
	n.byPush.OnChanged = func(on bool) { n.save(client.UpdateMe{NotifyPush: &on}) }
	n.byPush.Refresh()
	show := func(row fyne.CanvasObject, sel *widget.Select, channel, value string, set func(string) client.UpdateMe) {
		if !slices.Contains(me.NotifyChannels, channel) {
			row.Hide()
			return
		}
		row.Show()
		sel.OnChanged = nil
		sel.SetSelectedIndex(choiceIndex(value))
		sel.OnChanged = func(string) {
			v := []string{client.NotifyAuto, client.NotifyOn, client.NotifyOff}[max(sel.SelectedIndex(), 0)]
			n.save(set(v))
		}
	}
	show(n.emailRow, n.email, client.ChannelEmail, me.NotifyEmail, func(v string) client.UpdateMe { return client.UpdateMe{NotifyEmail: &v} })
	show(n.wecomRow, n.wecom, client.ChannelWeCom, me.NotifyWeCom, func(v string) client.UpdateMe { return client.UpdateMe{NotifyWeCom: &v} })

	on := me.QuietHoursStart != "" && me.QuietHoursEnd != ""
	n.quiet.OnChanged = nil
	n.quiet.Checked = on
	n.quiet.OnChanged = n.onQuiet
	n.quiet.Refresh()
	from, to := me.QuietHoursStart, me.QuietHoursEnd
	if !on {
		from, to = "22:00", "07:00"
	}
	for _, p := range []struct {
		sel *widget.Select
		v   string
	}{{n.quietFrom, from}, {n.quietTo, to}} {
		p.sel.OnChanged = nil
		if !slices.Contains(p.sel.Options, p.v) {
			p.sel.Options = append([]string{p.v}, quietTimes...)
		}
		p.sel.SetSelected(p.v)
		p.sel.OnChanged = func(string) { n.onQuietTimes() }
	}
	if on {
		n.quietRow.Show()
	} else {
		n.quietRow.Hide()
	}
}

func choiceIndex(v string) int {
	switch v {
	case client.NotifyOn:
		return 1
	case client.NotifyOff:
		return 2
	}
	return 0
}

func (n *notifySettings) onQuiet(on bool) {
	if !on {
		empty := ""
		n.save(client.UpdateMe{QuietHoursStart: &empty, QuietHoursEnd: &empty})
		return
	}
	n.quietRow.Show()
	n.onQuietTimes()
}

func (n *notifySettings) onQuietTimes() {
	if !n.quiet.Checked {
		return
	}
	from, to := n.quietFrom.Selected, n.quietTo.Selected
	n.save(client.UpdateMe{QuietHoursStart: &from, QuietHoursEnd: &to})
}

// save sends a change of the member's choices; the screen then shows what
// the server saved (or, on an error, what it still has).
func (n *notifySettings) save(in client.UpdateMe) {
	k, host := n.k, n.host
	s := k.session()
	say(n.status, k.tr.T("common.saving"))
	k.goBG(func(ctx context.Context) {
		me, err := s.API.UpdateMe(ctx, in)
		k.post(s, func() {
			if err == nil {
				host.memberSaved(me)
			}
			if !n.shown() {
				return
			}
			n.showChoices()
			if err != nil {
				say(n.status, k.errText(err))
				return
			}
			say(n.status, k.tr.T("common.saved"))
		})
	})
}

// loadChannels lists the program's public channels with a Follow switch.
func (n *notifySettings) loadChannels() {
	k := n.k
	s := k.session()
	if s.API == nil || s.ProgramID == "" {
		return
	}
	k.goBG(func(ctx context.Context) {
		chs, err := s.API.Channels(ctx, s.ProgramID)
		k.post(s, func() {
			if !n.shown() {
				return
			}
			n.showChannels(chs, err)
		})
	})
}

func (n *notifySettings) showChannels(chs []client.Channel, err error) {
	k, tr := n.k, n.k.tr
	n.channels.RemoveAll()
	if err != nil {
		n.channels.Add(caption(k.errText(err)))
		return
	}
	n.follows = map[string]*widget.Check{}
	for _, c := range chs {
		if c.Visibility != wire.VisibilityPublic {
			continue // private channels are a manager's choice
		}
		c := c
		chk := widget.NewCheck(c.Name, nil)
		chk.Checked = c.Following
		chk.OnChanged = func(on bool) { n.follow(c, on) }
		n.follows[c.ID] = chk
		n.channels.Add(chk)
	}
	if len(n.follows) == 0 {
		n.channels.Add(caption(tr.T("notify_settings.no_channels")))
	}
	n.channels.Refresh()
}

// follow follows or unfollows a public channel: its activities then come
// to (or leave) the member's feed.
func (n *notifySettings) follow(c client.Channel, on bool) {
	k, host := n.k, n.host
	s := k.session()
	say(n.status, k.tr.T("common.saving"))
	k.goBG(func(ctx context.Context) {
		var got client.Channel
		var err error
		if on {
			got, err = s.API.Follow(ctx, s.ProgramID, c.ID)
		} else {
			got, err = s.API.Unfollow(ctx, s.ProgramID, c.ID)
		}
		k.post(s, func() {
			chk := n.follows[c.ID]
			if !n.shown() || chk == nil {
				return
			}
			if err != nil {
				chk.OnChanged = nil
				chk.SetChecked(!on)
				chk.OnChanged = func(v bool) { n.follow(c, v) }
				say(n.status, k.errText(err))
				return
			}
			chk.OnChanged = nil
			chk.SetChecked(got.Following)
			chk.OnChanged = func(v bool) { n.follow(c, v) }
			say(n.status, k.tr.T("common.saved"))
			host.refresh() // the feed gains or loses the channel's activities
		})
	})
}
