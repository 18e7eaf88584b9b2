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
	k            *kit
	host         activityHost
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

// activityHost is what the activity screen asks of the app.
type activityHost interface {
	closeActivity()
	// shownActivity is the activity screen on view.
	shownActivity() *activityScreen
	// previewing: this is a manager's preview of the member's app (the
	// actions are off; share links are the member's).
	previewing() bool
	member() client.Me
	feedItem(id string) (client.FeedItem, bool)
	// pendingPerform: a perform of the activity waits in the queue.
	pendingPerform(aid string) bool
	// markPerformed marks a confirmed perform in the feed, with the points
	// total (-1: not known); markQueued shows a queued one there.
	markPerformed(aid string, total int)
	markQueued()
	// surface is where a perform happens, as the server records it.
	surface() string
	connectedTikTok() (acct *client.SocialAccount, known bool)
	// tiktokGone: the server says TikTok is not connected (any more).
	tiktokGone()
	setStaging(aid string, st *client.TikTokStaging) (client.FeedItem, bool)
	// followStaging follows the upload until it ends (off the UI goroutine).
	followStaging(ctx context.Context, s session.Session, aid string)
	connectTikTokShowing(ctx context.Context, s session.Session, shown func(u *url.URL, opened bool)) error
}

func newActivityScreen(k *kit, host activityHost, it client.FeedItem) *activityScreen {
	tr := k.tr
	s := &activityScreen{k: k, host: host, item: it}
	s.back = widget.NewButtonWithIcon(tr.T("activity.back"), theme.NavigateBackIcon(), host.closeActivity)
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
	if host.previewing() {
		s.phoneLink.SetText(tr.T("mgr.preview.share_link"))
	}
	s.build()
	return s
}

func (s *activityScreen) build() {
	tr, it := s.k.tr, s.item
	kind := kindOf(it.Type, it.Network)
	head := []fyne.CanvasObject{pill(typeLabel(tr, it.Type), networkColor(kind.network))}
	if it.Featured {
		head = append(head, pill("★ "+tr.T("feed.featured"), colorGold))
	}
	pts := widget.NewLabel(tr.Points(it.Points))
	pts.TextStyle = fyne.TextStyle{Bold: true}
	head = append(head, layout.NewSpacer(), pts)

	width := float32(400)
	if s.k.mobile {
		width = 340
	}
	s.media = newMediaView(s.k, it, width)

	parts := []fyne.CanvasObject{}
	if s.k.mobile {
		parts = append(parts, container.NewHBox(s.back))
	}
	parts = append(parts, container.NewHBox(head...), s.media.content,
		s.message, s.instructions, widget.NewSeparator(), s.when, s.state, s.notice,
		container.NewBorder(nil, nil, nil, s.busy, s.action))
	if !s.k.mobile {
		parts = append(parts, s.phoneLink)
	}
	parts = append(parts, container.NewHBox(s.cancel, s.copyLink), s.result, s.staging, s.retry)
	s.content = container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
	s.setItem(it)
	// A WeChat activity's file is fetched now, on the devices that hand it
	// over; a photo is fetched everywhere, to be shown large.
	s.media.load(kind.network == "wechat" && s.handsOverFiles())
}

// handsOverFiles: the Share tap gives the file to WeChat or the browser's
// share sheet on this device.
func (s *activityScreen) handsOverFiles() bool {
	return s.k.phoneShare || s.webPhone()
}

// setItem shows it (also after a refresh brought a newer version).
func (s *activityScreen) setItem(it client.FeedItem) {
	k, tr := s.k, s.k.tr
	s.item = it
	s.message.SetText(tr.Flow(cardText(it)))
	if it.Message != "" && it.Instructions != "" {
		s.instructions.SetText(tr.Flow(it.Instructions))
		s.instructions.Show()
	} else {
		s.instructions.Hide()
	}
	now := k.now()
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
		if acct, known := s.host.connectedTikTok(); known {
			s.connectFirst = acct == nil
		}
		s.action.SetText(tr.T("activity.send_tiktok"))
		if s.connectFirst {
			s.action.SetText(tr.T("activity.connect_tiktok"))
		}
	case network == "wechat" && (s.k.phoneShare || s.webPhone()):
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
	text, imp := stagingLong(s.k.tr, st)
	s.staging.Importance = imp
	say(s.staging, text)
	if st.Status == wire.StagingFailed {
		s.retry.Show()
	} else {
		s.retry.Hide()
	}
}

func (s *activityScreen) refreshState() {
	pending := s.host.pendingPerform(s.item.ID)
	performed := s.item.Performed
	if it, ok := s.host.feedItem(s.item.ID); ok {
		performed = it.Performed
	}
	s.state.SetText(stateText(s.k.tr, performed, pending))
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
	k, host, it := s.k, s.host, s.item
	sess, surface := k.session(), host.surface()
	m, dl := s.media.ref, downloader(k)
	s.setBusy(true)
	s.setResult("", widget.MediumImportance)
	k.goBG(func(ctx context.Context) {
		var file cachedMedia
		var fileErr error
		if m.ID != "" {
			// Fetched when the screen opened: normally here at once. Without
			// it (offline before it came) the text still goes, and the
			// member is told the photo or video did not come.
			file, fileErr = k.media.file(ctx, dl, m, nil)
		}
		out := k.engine.Perform(ctx, sess, it.ID, surface)
		if out.Err != nil && !out.Queued {
			k.post(sess, func() {
				s.setBusy(false)
				s.setResult(k.errText(out.Err), widget.DangerImportance)
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
		fyne.DoAndWait(func() { k.app.Clipboard().SetContent(share.Text) })
		res, err := k.phone.ShareToWeChat(ctx, share)
		k.post(sess, func() {
			s.setBusy(false)
			s.share = share
			s.showPerformed(out)
			if fileErr != nil {
				s.setResult(s.result.Text+"\n"+k.tr.T("media.failed", "error", k.errText(fileErr)), widget.WarningImportance)
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
	k, tr := s.k, s.k.tr
	c := &saveCopyDialog{}
	share := s.share
	label := tr.T("savecopy.save_photo")
	if share.MediaType == "video" {
		label = tr.T("savecopy.save_video")
	}
	c.save = widget.NewButtonWithIcon(label, theme.DownloadIcon(), func() {
		if err := platform.SaveFile(share.MediaPath); err != nil {
			s.setResult(k.errText(err), widget.DangerImportance)
		}
	})
	c.save.Importance = widget.HighImportance
	if share.MediaPath == "" {
		c.save.Hide()
	}
	c.copy = widget.NewButtonWithIcon(tr.T("savecopy.copy_text"), theme.ContentCopyIcon(), func() {
		k.app.Clipboard().SetContent(share.Text)
		c.copy.SetText(tr.T("savecopy.copied"))
	})
	body := container.NewVBox(wrapped(tr.T("savecopy.body")), c.save, c.copy)
	c.d = dialog.NewCustom(tr.T("savecopy.title"), tr.T("common.close"), body, k.win)
	s.saveCopy = c
	c.d.Show()
}

// showPerformed shows the points of a perform and marks the feed.
func (s *activityScreen) showPerformed(out session.Outcome) {
	host, tr := s.host, s.k.tr
	res := out.Result
	switch {
	case out.Queued:
		s.setResult(tr.T("activity.queued"), widget.WarningImportance)
		host.markQueued()
	case res.AlreadyPerformed:
		s.setResult(tr.T("activity.already", "total", tr.Points(res.PointsTotal)), widget.MediumImportance)
		host.markPerformed(s.item.ID, res.PointsTotal)
	default:
		s.setResult(tr.T("activity.awarded", "points", tr.Num(res.PointsAwarded), "total", tr.Points(res.PointsTotal)), widget.SuccessImportance)
		host.markPerformed(s.item.ID, res.PointsTotal)
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
		s.setResult(s.result.Text+"\n"+s.k.errText(err), widget.DangerImportance)
	}
}

func (s *activityScreen) showReady() {
	k, tr := s.k, s.k.tr
	r := &readyDialog{}
	r.hint = wrapped(tr.T("ready.hint"))
	r.open = widget.NewButton(tr.T("ready.open_wechat"), func() {
		r.d.Hide()
		k.goBG(func(ctx context.Context) {
			res, err := k.phone.OpenWeChat(ctx)
			if res != platform.Shared {
				fyne.Do(func() {
					if res == platform.WeChatMissing {
						s.showMissing()
						return
					}
					s.setResult(k.errText(err), widget.DangerImportance)
				})
			}
		})
	})
	r.open.Importance = widget.HighImportance
	r.done = widget.NewButton(tr.T("ready.done"), func() { r.d.Hide() })
	body := container.NewVBox(r.hint, container.NewGridWithColumns(2, r.done, r.open))
	r.d = dialog.NewCustomWithoutButtons(tr.T("ready.title"), body, k.win)
	s.ready = r
	r.d.Show()
}

func (s *activityScreen) showMissing() {
	k, tr := s.k, s.k.tr
	m := &missingDialog{}
	m.other = widget.NewButton(tr.T("missing.share_other"), func() {
		m.d.Hide()
		share := s.share
		k.goBG(func(ctx context.Context) {
			res, err := k.phone.ShareSheet(ctx, share)
			if res == platform.Failed {
				fyne.Do(func() { s.setResult(k.errText(err), widget.DangerImportance) })
			}
		})
	})
	m.other.Importance = widget.HighImportance
	m.close = widget.NewButton(tr.T("missing.close"), func() { m.d.Hide() })
	body := container.NewVBox(wrapped(tr.T("missing.body")), container.NewGridWithColumns(2, m.close, m.other))
	m.d = dialog.NewCustomWithoutButtons(tr.T("missing.title"), body, k.win)
	s.missing = m
	m.d.Show()
}

// webPhone: the web build in a phone's browser. It cannot hand files to
// WeChat itself, and the member already holds their phone: the member's
// share page does the activity there (Web Share with the file).
func (s *activityScreen) webPhone() bool {
	k := s.k
	return k.browser && k.mobile && !k.phoneShare
}

// onHandoff asks the server to push the activity to the member's phones,
// says whether there was any, and shows the share page's QR code either way.
func (s *activityScreen) onHandoff() {
	k, it := s.k, s.item
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	s.setBusy(true)
	s.setResult("", widget.MediumImportance)
	k.goBG(func(ctx context.Context) {
		h, err := api.Handoff(ctx, pid, it.ID)
		k.post(sess, func() {
			s.setBusy(false)
			if err != nil {
				s.setResult(k.errText(err), widget.DangerImportance)
				return
			}
			tr := k.tr
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
	k, host, it := s.k, s.host, s.item
	sess, member := k.session(), ""
	if host.previewing() {
		member = host.member().ID
	}
	name := host.member().Name
	s.phoneLink.Disable()
	k.goBG(func(ctx context.Context) {
		link, err := sess.API.ShareLink(ctx, sess.ProgramID, it.ID, member)
		k.post(sess, func() {
			s.phoneLink.Enable()
			if err != nil {
				s.setResult(k.errText(err), widget.DangerImportance)
				return
			}
			tr := k.tr
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
	k, it := s.k, s.item
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	s.setBusy(true)
	s.setResult("", widget.MediumImportance)
	k.goBG(func(ctx context.Context) {
		link, err := api.ShareLink(ctx, pid, it.ID, "")
		var u *url.URL
		if err == nil {
			u, err = url.Parse(link.URL)
		}
		if err == nil {
			fyne.DoAndWait(func() { err = k.openHere(u) })
		}
		k.post(sess, func() {
			s.setBusy(false)
			if err != nil {
				s.setResult(k.errText(err), widget.DangerImportance)
			}
		})
	})
}

func (s *activityScreen) showPanel(in shareInfo) {
	if s.panel != nil {
		s.panel.d.Hide()
	}
	p, err := showSharePanel(s.k, in)
	if err != nil {
		s.setResult(s.k.errText(err), widget.DangerImportance)
		return
	}
	s.panel = p
}

// onSendTikTok performs: the server stages the video in the member's TikTok
// inbox; without a connected account it answers tiktok_not_connected.
func (s *activityScreen) onSendTikTok() {
	k, host, it := s.k, s.host, s.item
	sess, surface := k.session(), host.surface()
	s.setBusy(true)
	k.goBG(func(ctx context.Context) {
		out := k.engine.Perform(ctx, sess, it.ID, surface)
		k.post(sess, func() {
			s.setBusy(false)
			if client.Code(out.Err) == wire.CodeTikTokNotConnected {
				s.connectFirst = true
				s.action.SetText(k.tr.T("activity.connect_tiktok"))
				s.setResult(k.tr.T("error.tiktok_not_connected"), widget.WarningImportance)
				return
			}
			if out.Err != nil && !out.Queued {
				s.setResult(k.errText(out.Err), widget.DangerImportance)
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
				s.setResult(s.result.Text+"\n"+k.tr.T("tiktok.finish"), s.result.Importance)
			}
			if st != nil {
				host.setStaging(it.ID, st)
				s.item.TikTok = st
				s.showStaging()
				if stagingInFlight(st) {
					k.goBG(func(ctx context.Context) { host.followStaging(ctx, sess, it.ID) })
				}
			}
		})
	})
}

// onRetry stages a failed TikTok upload again.
func (s *activityScreen) onRetry() {
	k, host, it := s.k, s.host, s.item
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	s.retry.Disable()
	k.goBG(func(ctx context.Context) {
		st, err := api.RetryTikTok(ctx, pid, it.ID)
		k.post(sess, func() {
			s.retry.Enable()
			if err != nil {
				if client.Code(err) == wire.CodeTikTokNotConnected {
					host.tiktokGone()
					s.setItem(s.item)
				}
				s.setResult(k.errText(err), widget.DangerImportance)
				return
			}
			s.setResult("", widget.MediumImportance)
			host.setStaging(it.ID, &st)
			s.item.TikTok = &st
			s.showStaging()
			if stagingInFlight(&st) {
				k.goBG(func(ctx context.Context) { host.followStaging(ctx, sess, it.ID) })
			}
		})
	})
}

// onConnectTikTok opens TikTok's consent page in the browser, waits until
// the account shows as connected, then sends.
func (s *activityScreen) onConnectTikTok() {
	k, host := s.k, s.host
	sess := k.session()
	s.setBusy(true)
	s.setResult(k.tr.T("tiktok.connecting"), widget.MediumImportance)
	s.cancel.Show()
	wait, stop := context.WithTimeout(k.ctx, connectWait)
	s.stopWait = stop
	k.goBG(func(context.Context) {
		defer stop()
		err := host.connectTikTokShowing(wait, sess, func(u *url.URL, opened bool) {
			s.copyLink.OnTapped = func() {
				k.app.Clipboard().SetContent(u.String())
				s.copyLink.SetText(k.tr.T("tiktok.link_copied"))
			}
			s.copyLink.Show()
			if !opened {
				s.setResult(k.tr.T("tiktok.no_browser"), widget.WarningImportance)
			}
		})
		k.post(sess, func() {
			s.setBusy(false)
			s.cancel.Hide()
			s.copyLink.Hide()
			s.copyLink.SetText(k.tr.T("tiktok.copy_link"))
			switch {
			case errors.Is(err, context.Canceled):
				s.setResult("", widget.MediumImportance)
				return
			case errors.Is(err, context.DeadlineExceeded):
				s.setResult(k.tr.T("tiktok.connect_timeout"), widget.WarningImportance)
				return
			case err != nil:
				s.setResult(k.errText(err), widget.WarningImportance)
				return
			}
			if host.shownActivity() != s {
				return
			}
			s.connectFirst = false
			s.action.SetText(k.tr.T("activity.send_tiktok"))
			s.setResult(k.tr.T("tiktok.connected"), widget.SuccessImportance)
			s.onSendTikTok()
		})
	})
}

func (s *activityScreen) onCancelWait() {
	if s.stopWait != nil {
		s.stopWait()
	}
}
