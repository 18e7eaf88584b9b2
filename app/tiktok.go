package app

import (
	"context"
	"errors"
	"net/url"
	"time"

	"fyne.io/fyne/v2"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// connectedTikTok is the member's TikTok account (nil: none); known is
// false until the server has said.
func (ui *UI) connectedTikTok() (*client.SocialAccount, bool) { return ui.tiktok, ui.tiktokKnown }

// tiktokGone: the server says TikTok is not connected (any more).
func (ui *UI) tiktokGone() { ui.tiktok, ui.tiktokKnown = nil, true }

// loadTikTok learns whether TikTok is connected, so a TikTok activity offers
// "Send to TikTok" or "Add Your Account & Send" from the start. Off the UI
// goroutine.
func (ui *UI) loadTikTok(ctx context.Context, s session.Session) {
	accts, err := s.API.SocialAccounts(ctx)
	ui.post(s, func() {
		if err != nil {
			return
		}
		ui.setTikTok(accts)
	})
}

// setTikTok records the accounts and shows them where it matters.
func (ui *UI) setTikTok(accts []client.SocialAccount) {
	a, ok := tiktokAccount(accts)
	ui.tiktok, ui.tiktokKnown = nil, true
	if ok {
		ui.tiktok = &a
	}
	if ui.activity != nil {
		ui.activity.setItem(ui.activity.item)
	}
	if ui.settings != nil {
		ui.settings.showTikTok()
	}
}

// onTikTokConnected: a live event says the account got connected.
func (ui *UI) onTikTokConnected() {
	select {
	case ui.tiktokConnected <- struct{}{}:
	default:
	}
	if s := ui.session(); s.API != nil {
		ui.goBG(func(ctx context.Context) { ui.loadTikTok(ctx, s) })
	}
}

// connectTikTok opens TikTok's consent page in the browser and returns once
// the server lists the account as connected (the browser lands on the
// server's callback, which finishes the link), or ctx ends. Off the UI
// goroutine.
func (ui *UI) connectTikTok(ctx context.Context, s session.Session) error {
	return ui.connectTikTokShowing(ctx, s, nil)
}

// connectTikTokShowing is connectTikTok that also hands the consent page's
// address to shown (on the UI goroutine, with whether the browser opened),
// so the member can copy it when no browser came up; a browser that could
// not be opened then ends nothing: the wait goes on until the member is
// done or cancels.
func (ui *UI) connectTikTokShowing(ctx context.Context, s session.Session, shown func(u *url.URL, opened bool)) error {
	api := s.API
	c, err := api.ConnectTikTok(ctx)
	if err != nil {
		return err
	}
	u, err := url.Parse(c.AuthorizeURL)
	if err != nil || u.Host == "" {
		return errors.New("the server sent no TikTok address")
	}
	select { // a signal from an earlier connect
	case <-ui.tiktokConnected:
	default:
	}
	fyne.DoAndWait(func() { err = ui.openURL(u) })
	if shown != nil {
		opened := err == nil
		ui.post(s, func() { shown(u, opened) })
	} else if err != nil {
		return err
	}
	t := time.NewTicker(ui.opt.PollEvery)
	defer t.Stop()
	for {
		accts, err := api.SocialAccounts(ctx)
		if err == nil {
			if _, ok := tiktokAccount(accts); ok {
				ui.post(s, func() { ui.setTikTok(accts) })
				return nil
			}
		} else if !session.RetryLater(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ui.tiktokConnected:
		case <-t.C:
		}
	}
}

// followStaging polls the feed while aid's TikTok upload is in flight, for
// 90 polls (3 minutes), so the open activity shows how it ends even without live
// events. Off the UI goroutine.
func (ui *UI) followStaging(ctx context.Context, s session.Session, aid string) {
	for range 90 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(ui.opt.PollEvery):
		}
		feed, err := s.API.Feed(ctx, s.ProgramID, "")
		if err != nil {
			continue
		}
		var st *client.TikTokStaging
		for _, it := range feed.Items {
			if it.ID == aid {
				st = it.TikTok
			}
		}
		if st == nil {
			return
		}
		done := !stagingInFlight(st)
		ui.post(s, func() {
			if cur, ok := ui.feedItem(aid); ok && (cur.TikTok == nil || *cur.TikTok != *st) {
				ui.setStaging(aid, st)
			}
		})
		if done {
			return
		}
	}
}
