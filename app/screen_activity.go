package app

import (
	"context"
	"errors"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
	"github.com/chorus-advocacy/chorus/platform"
)

// activityScreen shows one activity and performs it: Share on WeChat (phone),
// Send to my phone (desktop, WeChat), Send to TikTok.
type activityScreen struct {
	ui           *UI
	item         client.FeedItem
	back         *widget.Button
	message      *widget.Label
	instructions *widget.Label
	when         *widget.Label
	state        *widget.Label
	notice       *widget.Label // e.g. "WeChat posts are made on your phone"
	action       *widget.Button
	result       *widget.Label // points, handoff confirmation, errors
	busy         *widget.Activity
	staging      *widget.Label  // how the TikTok upload is doing
	retry        *widget.Button // after a failed upload
	cancel       *widget.Button // stops waiting for TikTok's consent page
	copyLink     *widget.Button // copies the consent page's address
	// phoneLink shows the member's share page as a QR code: "Open on my
	// phone" on a desktop, "Share page link" in a manager's member view.
	phoneLink *widget.Button
	// media shows the photo or video; its file is fetched when the screen
	// opens, so Share does not wait for it.
	media   *mediaView
	content fyne.CanvasObject

	// connectFirst: TikTok is not connected, so the action connects the
	// account, then sends.
	connectFirst bool
	// stopWait ends the wait for the browser (Cancel, or a new screen).
	stopWait context.CancelFunc
	// share is the last share handed to the phone, for "share another way".
	share platform.Share
	// dialogs, kept for tests and for closing on a new action.
	ready    *readyDialog
	missing  *missingDialog
	saveCopy *saveCopyDialog
	panel    *sharePanel
}

// readyDialog is "Ready for WeChat": the text is on the clipboard, WeChat has
// the media; the member opens WeChat and pastes.
type readyDialog struct {
	d    dialog.Dialog
	hint *widget.Label
	open *widget.Button
	done *widget.Button
}

// missingDialog offers the share sheet when WeChat is not installed.
type missingDialog struct {
	d     dialog.Dialog
	other *widget.Button
	close *widget.Button
}

func newActivityScreen(ui *UI, it client.FeedItem) *activityScreen {
	tr := ui.tr
	s := &activityScreen{ui: ui, item: it}
	s.back = widget.NewButtonWithIcon(tr.T("activity.back"), theme.NavigateBackIcon(), ui.closeActivity)
	s.back.Importance = widget.LowImportance
	s.message = wrapped("")
	s.message.Selectable = true
	s.instructions = caption("")
	s.when = wrapped("")
	s.state = widget.NewLabel("")
	s.notice = wrapped("")
	s.notice.Importance = widget.WarningImportance
	s.action = widget.NewButton("", s.onAction)
	s.action.Importance = widget.HighImportance
	s.result = wrapped("")
	s.result.Hide()
	s.busy = widget.NewActivity()
	s.busy.Hide()
	s.staging = wrapped("")
	s.staging.Hide()
	s.retry = widget.NewButtonWithIcon(tr.T("staging.retry"), theme.ViewRefreshIcon(), s.onRetry)
	s.retry.Hide()
	s.cancel = widget.NewButton(tr.T("common.cancel"), s.onCancelWait)
	s.cancel.Importance = widget.LowImportance
	s.cancel.Hide()
	s.copyLink = widget.NewButtonWithIcon(tr.T("tiktok.copy_link"), theme.ContentCopyIcon(), nil)
	s.copyLink.Hide()
	s.phoneLink = widget.NewButton(tr.T("activity.open_on_phone"), s.onPhoneLink)
	if ui.preview {
		s.phoneLink.SetText(tr.T("mgr.preview.share_link"))
	}
	s.build()
	return s
}

func (s *activityScreen) build() {
	ui, tr, it := s.ui, s.ui.tr, s.item
	k := kindOf(it.Type, it.Network)
	head := []fyne.CanvasObject{pill(typeLabel(tr, it.Type), networkColor(k.network))}
	if it.Featured {
		head = append(head, pill("★ "+tr.T("feed.featured"), colorGold))
	}
	pts := widget.NewLabel(tr.Points(it.Points))
	pts.TextStyle = fyne.TextStyle{Bold: true}
	head = append(head, layout.NewSpacer(), pts)

	width := float32(400)
	if ui.opt.Mobile {
		width = 340
	}
	s.media = newMediaView(ui.kit, it, width)

	parts := []fyne.CanvasObject{}
	if ui.opt.Mobile {
		parts = append(parts, container.NewHBox(s.back))
	}
	parts = append(parts, container.NewHBox(head...), s.media.content,
		s.message, s.instructions, widget.NewSeparator(), s.when, s.state, s.notice,
		container.NewBorder(nil, nil, nil, s.busy, s.action))
	if !ui.opt.Mobile {
		parts = append(parts, s.phoneLink)
	}
	parts = append(parts, container.NewHBox(s.cancel, s.copyLink), s.result, s.staging, s.retry)
	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
	s.setItem(it)
	// A WeChat activity's file is fetched now, on the devices that hand it
	// over; a photo is fetched everywhere, to be shown large.
	s.media.load(k.network == "wechat" && s.handsOverFiles())
}

// handsOverFiles: the Share tap gives the file to WeChat or the browser's
// share sheet on this device.
func (s *activityScreen) handsOverFiles() bool {
	return s.ui.opt.PhoneShare || s.webPhone()
}

// setItem shows it (also after a refresh brought a newer version).
func (s *activityScreen) setItem(it client.FeedItem) {
	ui, tr := s.ui, s.ui.tr
	s.item = it
	s.message.SetText(cardText(it))
	if it.Message != "" && it.Instructions != "" {
		s.instructions.SetText(it.Instructions)
		s.instructions.Show()
	} else {
		s.instructions.Hide()
	}
	now := ui.now()
	when := tr.T("activity.no_end")
	if it.EndsAt != nil {
		when = tr.T("activity.until", "when", tr.When(*it.EndsAt, now), "left", tr.TimeLeft(now, it.EndsAt))
	}
	s.when.SetText(when)
	s.refreshState()
	s.notice.Hide()
	network := kindOf(it.Type, it.Network).network
	switch {
	case network == "tiktok":
		if ui.tiktokKnown {
			s.connectFirst = ui.tiktok == nil
		}
		s.action.SetText(tr.T("activity.send_tiktok"))
		if s.connectFirst {
			s.action.SetText(tr.T("activity.connect_tiktok"))
		}
	case network == "wechat" && (ui.opt.PhoneShare || s.webPhone()):
		s.action.SetText(tr.T("activity.share_wechat"))
	case network == "wechat":
		s.notice.SetText(tr.T("share.phone_only"))
		s.notice.Show()
		s.action.SetText(tr.T("activity.share_wechat"))
	case s.webPhone():
		// The share page is the phone's way to do any activity.
		s.action.SetText(tr.T("activity.open_share_page"))
	default:
		s.notice.SetText(tr.T("activity.unsupported"))
		s.notice.Show()
		s.action.SetText(tr.T("activity.send_to_phone"))
	}
	s.showStaging()
}

// showStaging shows how the TikTok upload is doing, with Retry on failure.
func (s *activityScreen) showStaging() {
	st := s.item.TikTok
	if st == nil || st.Status == "" {
		s.staging.Hide()
		s.retry.Hide()
		return
	}
	text, imp := stagingLong(s.ui.tr, st)
	s.staging.Importance = imp
	say(s.staging, text)
	if st.Status == wire.StagingFailed {
		s.retry.Show()
	} else {
		s.retry.Hide()
	}
}

func (s *activityScreen) refreshState() {
	pending := s.ui.pending()[s.item.ID]
	performed := s.item.Performed
	if it, ok := s.ui.feedItem(s.item.ID); ok {
		performed = it.Performed
	}
	s.state.SetText(stateText(s.ui.tr, performed, pending))
	s.state.Importance = stateImportance(performed, pending)
	s.state.Refresh()
	// A TikTok video is sent once: after "✓ Done" the upload's status line
	// (and Retry, when it failed) is the way on, not a second Send.
	if performed || pending {
		if kindOf(s.item.Type, s.item.Network).network == "tiktok" {
			s.action.Disable()
		}
	}
}

func (s *activityScreen) setBusy(b bool) {
	if b {
		s.action.Disable()
		s.busy.Show()
		s.busy.Start()
		return
	}
	s.action.Enable()
	s.busy.Stop()
	s.busy.Hide()
}

func (s *activityScreen) setResult(msg string, imp widget.Importance) {
	s.result.Importance = imp
	say(s.result, msg)
}

// onAction picks the flow for the activity's network and this device.
func (s *activityScreen) onAction() {
	network := kindOf(s.item.Type, s.item.Network).network
	switch {
	case network == "tiktok" && s.connectFirst:
		s.onConnectTikTok()
	case network == "tiktok":
		s.onSendTikTok()
	case network == "wechat" && s.handsOverFiles():
		s.onShareWeChat()
	case s.webPhone():
		s.onOpenSharePage()
	default:
		s.onHandoff()
	}
}

// onShareWeChat: the file (fetched when the screen opened), then perform
// (points are given at this tap, WeChat or not), then the text to the
// clipboard and the file to WeChat (in a phone's browser: the share sheet),
// then "Ready for WeChat".
func (s *activityScreen) onShareWeChat() {
	ui, it := s.ui, s.item
	sess, surface := ui.session(), ui.surface()
	m, dl := s.media.ref, downloader(ui.kit)
	s.setBusy(true)
	s.setResult("", widget.MediumImportance)
	ui.goBG(func(ctx context.Context) {
		var file cachedMedia
		var fileErr error
		if m.ID != "" {
			// Fetched when the screen opened: normally here at once. Without
			// it (offline before it came) the text still goes, and the
			// member is told the photo or video did not come.
			file, fileErr = ui.media.file(ctx, dl, m, nil)
		}
		out := ui.engine.Perform(ctx, sess, it.ID, surface)
		if out.Err != nil && !out.Queued {
			ui.post(sess, func() {
				s.setBusy(false)
				s.setResult(ui.errText(out.Err), widget.DangerImportance)
			})
			return
		}
		share := platform.Share{Text: out.Result.Share.Text, MediaPath: file.Path, MediaType: file.MediaType}
		if out.Queued || share.Text == "" {
			// Offline: the member's tracked link needs the server, so the
			// plain message goes out now and the points follow on sync.
			share.Text = it.Message
		}
		// The clipboard is set here as well as by the platform, so the text
		// is there whatever the phone's share does.
		fyne.DoAndWait(func() { ui.app.Clipboard().SetContent(share.Text) })
		res, err := ui.opt.Platform.ShareToWeChat(ctx, share)
		ui.post(sess, func() {
			s.setBusy(false)
			s.share = share
			s.showPerformed(out)
			if fileErr != nil {
				s.setResult(s.result.Text+"\n"+ui.tr.T("media.failed", "error", ui.errText(fileErr)), widget.WarningImportance)
			}
			if res == platform.Failed && s.webPhone() && (errors.Is(err, platform.ErrCannotShareFiles) || errors.Is(err, platform.ErrNoShareSheet)) {
				s.showSaveCopy()
				return
			}
			s.showShareResult(res, err)
		})
	})
}

// saveCopyDialog is the web build's way out where the browser cannot share
// files: save the photo or video, copy the text, then post from WeChat.
type saveCopyDialog struct {
	d    dialog.Dialog
	save *widget.Button
	copy *widget.Button
}

func (s *activityScreen) showSaveCopy() {
	ui, tr := s.ui, s.ui.tr
	c := &saveCopyDialog{}
	share := s.share
	label := tr.T("savecopy.save_photo")
	if share.MediaType == "video" {
		label = tr.T("savecopy.save_video")
	}
	c.save = widget.NewButtonWithIcon(label, theme.DownloadIcon(), func() {
		if err := platform.SaveFile(share.MediaPath); err != nil {
			s.setResult(ui.errText(err), widget.DangerImportance)
		}
	})
	c.save.Importance = widget.HighImportance
	if share.MediaPath == "" {
		c.save.Hide()
	}
	c.copy = widget.NewButtonWithIcon(tr.T("savecopy.copy_text"), theme.ContentCopyIcon(), func() {
		ui.app.Clipboard().SetContent(share.Text)
		c.copy.SetText(tr.T("savecopy.copied"))
	})
	body := container.NewVBox(wrapped(tr.T("savecopy.body")), c.save, c.copy)
	c.d = dialog.NewCustom(tr.T("savecopy.title"), tr.T("common.close"), body, ui.win)
	s.saveCopy = c
	c.d.Show()
}

// showPerformed shows the points of a perform and marks the feed.
func (s *activityScreen) showPerformed(out session.Outcome) {
	ui, tr := s.ui, s.ui.tr
	res := out.Result
	switch {
	case out.Queued:
		s.setResult(tr.T("activity.queued"), widget.WarningImportance)
		ui.feedView.show()
	case res.AlreadyPerformed:
		s.setResult(tr.T("activity.already", "total", tr.Points(res.PointsTotal)), widget.MediumImportance)
		ui.markPerformed(s.item.ID, res.PointsTotal)
	default:
		s.setResult(tr.T("activity.awarded", "points", tr.Num(res.PointsAwarded), "total", tr.Points(res.PointsTotal)), widget.SuccessImportance)
		ui.markPerformed(s.item.ID, res.PointsTotal)
	}
	s.refreshState()
}

func (s *activityScreen) showShareResult(res platform.Result, err error) {
	switch res {
	case platform.Shared:
		s.showReady()
	case platform.WeChatMissing:
		s.showMissing()
	case platform.Cancelled:
	default:
		s.setResult(s.result.Text+"\n"+s.ui.errText(err), widget.DangerImportance)
	}
}

func (s *activityScreen) showReady() {
	ui, tr := s.ui, s.ui.tr
	r := &readyDialog{}
	r.hint = wrapped(tr.T("ready.hint"))
	r.open = widget.NewButton(tr.T("ready.open_wechat"), func() {
		r.d.Hide()
		ui.goBG(func(ctx context.Context) {
			res, err := ui.opt.Platform.OpenWeChat(ctx)
			if res != platform.Shared {
				fyne.Do(func() {
					if res == platform.WeChatMissing {
						s.showMissing()
						return
					}
					s.setResult(ui.errText(err), widget.DangerImportance)
				})
			}
		})
	})
	r.open.Importance = widget.HighImportance
	r.done = widget.NewButton(tr.T("ready.done"), func() { r.d.Hide() })
	body := container.NewVBox(r.hint, container.NewGridWithColumns(2, r.done, r.open))
	r.d = dialog.NewCustomWithoutButtons(tr.T("ready.title"), body, ui.win)
	s.ready = r
	r.d.Show()
}

func (s *activityScreen) showMissing() {
	ui, tr := s.ui, s.ui.tr
	m := &missingDialog{}
	m.other = widget.NewButton(tr.T("missing.share_other"), func() {
		m.d.Hide()
		share := s.share
		ui.goBG(func(ctx context.Context) {
			res, err := ui.opt.Platform.ShareSheet(ctx, share)
			if res == platform.Failed {
				fyne.Do(func() { s.setResult(ui.errText(err), widget.DangerImportance) })
			}
		})
	})
	m.other.Importance = widget.HighImportance
	m.close = widget.NewButton(tr.T("missing.close"), func() { m.d.Hide() })
	body := container.NewVBox(wrapped(tr.T("missing.body")), container.NewGridWithColumns(2, m.close, m.other))
	m.d = dialog.NewCustomWithoutButtons(tr.T("missing.title"), body, ui.win)
	s.missing = m
	m.d.Show()
}

// webPhone: the web build in a phone's browser. It cannot hand files to
// WeChat itself, and the member already holds their phone: the member's
// share page does the activity there (Web Share with the file).
func (s *activityScreen) webPhone() bool {
	o := s.ui.opt
	return o.Browser && o.Mobile && !o.PhoneShare
}

// onHandoff asks the server to push the activity to the member's phones,
// says whether there was any, and shows the share page's QR code either way.
func (s *activityScreen) onHandoff() {
	ui, it := s.ui, s.item
	sess := ui.session()
	api, pid := sess.API, sess.ProgramID
	s.setBusy(true)
	s.setResult("", widget.MediumImportance)
	ui.goBG(func(ctx context.Context) {
		h, err := api.Handoff(ctx, pid, it.ID)
		ui.post(sess, func() {
			s.setBusy(false)
			if err != nil {
				s.setResult(ui.errText(err), widget.DangerImportance)
				return
			}
			tr := ui.tr
			// Never claim a phone that does not exist (PRODUCT.md).
			status, imp := tr.T("handoff.no_phone"), widget.WarningImportance
			if h.Devices > 0 {
				status, imp = tr.N("handoff.sent", h.Devices), widget.SuccessImportance
			}
			s.setResult(status, imp)
			if h.ShareURL != "" {
				s.showPanel(shareInfo{title: tr.T("share.title"), status: status, statusImp: imp, url: h.ShareURL})
			}
		})
	})
}

// onPhoneLink shows the QR code of the share page: the member's own, or in
// a manager's member view that member's, for the manager to send on.
func (s *activityScreen) onPhoneLink() {
	ui, it := s.ui, s.item
	sess, member := ui.session(), ""
	if ui.preview {
		member = ui.me.ID
	}
	name := ui.me.Name
	s.phoneLink.Disable()
	ui.goBG(func(ctx context.Context) {
		link, err := sess.API.ShareLink(ctx, sess.ProgramID, it.ID, member)
		ui.post(sess, func() {
			s.phoneLink.Enable()
			if err != nil {
				s.setResult(ui.errText(err), widget.DangerImportance)
				return
			}
			tr := ui.tr
			in := shareInfo{title: tr.T("activity.open_on_phone"), url: link.URL, expires: link.ExpiresAt}
			if member != "" {
				in.title = tr.T("mgr.preview.share_link")
				in.status, in.statusImp = tr.T("mgr.preview.share_for", "name", name), widget.MediumImportance
			}
			s.showPanel(in)
		})
	})
}

// onOpenSharePage (web build on a phone) opens the member's share page in
// this tab; the browser's Web Share hands the file to WeChat from there.
func (s *activityScreen) onOpenSharePage() {
	ui, it := s.ui, s.item
	sess := ui.session()
	api, pid := sess.API, sess.ProgramID
	s.setBusy(true)
	s.setResult("", widget.MediumImportance)
	ui.goBG(func(ctx context.Context) {
		link, err := api.ShareLink(ctx, pid, it.ID, "")
		var u *url.URL
		if err == nil {
			u, err = url.Parse(link.URL)
		}
		if err == nil {
			fyne.DoAndWait(func() { err = ui.opt.OpenHere(u) })
		}
		ui.post(sess, func() {
			s.setBusy(false)
			if err != nil {
				s.setResult(ui.errText(err), widget.DangerImportance)
			}
		})
	})
}

func (s *activityScreen) showPanel(in shareInfo) {
	if s.panel != nil {
		s.panel.d.Hide()
	}
	p, err := showSharePanel(s.ui.kit, in)
	if err != nil {
		s.setResult(s.ui.errText(err), widget.DangerImportance)
		return
	}
	s.panel = p
}

// onSendTikTok performs: the server stages the video in the member's TikTok
// inbox; without a connected account it answers tiktok_not_connected.
func (s *activityScreen) onSendTikTok() {
	ui, it := s.ui, s.item
	sess, surface := ui.session(), ui.surface()
	s.setBusy(true)
	ui.goBG(func(ctx context.Context) {
		out := ui.engine.Perform(ctx, sess, it.ID, surface)
		ui.post(sess, func() {
			s.setBusy(false)
			if client.Code(out.Err) == wire.CodeTikTokNotConnected {
				s.connectFirst = true
				s.action.SetText(ui.tr.T("activity.connect_tiktok"))
				s.setResult(ui.tr.T("error.tiktok_not_connected"), widget.WarningImportance)
				return
			}
			if out.Err != nil && !out.Queued {
				s.setResult(ui.errText(out.Err), widget.DangerImportance)
				return
			}
			s.showPerformed(out)
			if out.Queued {
				return
			}
			st := out.Result.TikTok
			if st == nil {
				// Without the upload's status line below, say here where
				// the video went (with it, that line says so: once).
				s.setResult(s.result.Text+"\n"+ui.tr.T("tiktok.finish"), s.result.Importance)
			}
			if st != nil {
				ui.setStaging(it.ID, st)
				s.item.TikTok = st
				s.showStaging()
				if stagingInFlight(st) {
					ui.goBG(func(ctx context.Context) { ui.followStaging(ctx, sess, it.ID) })
				}
			}
		})
	})
}

// onRetry stages a failed TikTok upload again.
func (s *activityScreen) onRetry() {
	ui, it := s.ui, s.item
	sess := ui.session()
	api, pid := sess.API, sess.ProgramID
	s.retry.Disable()
	ui.goBG(func(ctx context.Context) {
		st, err := api.RetryTikTok(ctx, pid, it.ID)
		ui.post(sess, func() {
			s.retry.Enable()
			if err != nil {
				if client.Code(err) == wire.CodeTikTokNotConnected {
					ui.tiktok, ui.tiktokKnown = nil, true
					s.setItem(s.item)
				}
				s.setResult(ui.errText(err), widget.DangerImportance)
				return
			}
			s.setResult("", widget.MediumImportance)
			ui.setStaging(it.ID, &st)
			s.item.TikTok = &st
			s.showStaging()
			if stagingInFlight(&st) {
				ui.goBG(func(ctx context.Context) { ui.followStaging(ctx, sess, it.ID) })
			}
		})
	})
}

// onConnectTikTok opens TikTok's consent page in the browser, waits until
// the account shows as connected, then sends.
func (s *activityScreen) onConnectTikTok() {
	ui := s.ui
	sess := ui.session()
	s.setBusy(true)
	s.setResult(ui.tr.T("tiktok.connecting"), widget.MediumImportance)
	s.cancel.Show()
	wait, stop := context.WithTimeout(ui.ctx, connectWait)
	s.stopWait = stop
	ui.goBG(func(context.Context) {
		defer stop()
		err := ui.connectTikTokShowing(wait, sess, func(u *url.URL, opened bool) {
			s.copyLink.OnTapped = func() {
				ui.app.Clipboard().SetContent(u.String())
				s.copyLink.SetText(ui.tr.T("tiktok.link_copied"))
			}
			s.copyLink.Show()
			if !opened {
				s.setResult(ui.tr.T("tiktok.no_browser"), widget.WarningImportance)
			}
		})
		ui.post(sess, func() {
			s.setBusy(false)
			s.cancel.Hide()
			s.copyLink.Hide()
			s.copyLink.SetText(ui.tr.T("tiktok.copy_link"))
			switch {
			case errors.Is(err, context.Canceled):
				s.setResult("", widget.MediumImportance)
				return
			case errors.Is(err, context.DeadlineExceeded):
				s.setResult(ui.tr.T("tiktok.connect_timeout"), widget.WarningImportance)
				return
			case err != nil:
				s.setResult(ui.errText(err), widget.WarningImportance)
				return
			}
			if ui.activity != s {
				return
			}
			s.connectFirst = false
			s.action.SetText(ui.tr.T("activity.send_tiktok"))
			s.setResult(ui.tr.T("tiktok.connected"), widget.SuccessImportance)
			s.onSendTikTok()
		})
	})
}

func (s *activityScreen) onCancelWait() {
	if s.stopWait != nil {
		s.stopWait()
	}
}
