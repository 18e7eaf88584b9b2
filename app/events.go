package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"fyne.io/fyne/v2"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// eventStreamer is what followEvents needs from the API client.
type eventStreamer interface {
	StreamEvents(ctx context.Context, lastEventID string, fn func(client.Event) error) (string, error)
}

var _ eventStreamer = (*client.Client)(nil)

// backoff between reconnects: doubling from min to max, reset once a
// connection has lasted a minute; a server without the route (404) is asked
// again only every missing.
type backoff struct {
	min, max, missing time.Duration
}

var defaultBackoff = backoff{min: time.Second, max: 30 * time.Second, missing: 5 * time.Minute}

// followEvents reads the event stream until ctx ends, reconnecting with
// Last-Event-ID so nothing is missed across a drop (the server sends a
// reset event when it cannot resume). Each event goes to deliver, on this
// goroutine. It returns when ctx ends or the session is refused.
func followEvents(ctx context.Context, api eventStreamer, b backoff, deliver func(client.Event)) {
	last := ""
	wait := b.min
	for ctx.Err() == nil {
		start := time.Now()
		var err error
		last, err = api.StreamEvents(ctx, last, func(ev client.Event) error {
			deliver(ev)
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		pause := wait
		switch {
		case client.Status(err) == http.StatusUnauthorized:
			return // the session ended; the next refresh signs out
		case client.Status(err) == http.StatusNotFound:
			pause = b.missing // a server without live events: the feed still refreshes by hand
		case time.Since(start) > time.Minute:
			wait, pause = b.min, b.min
		default:
			wait = min(2*wait, b.max)
		}
		slog.Debug("live events: reconnecting", "after", pause, "err", err)
		// Jitter, so a restarted server is not hit by every app at once.
		pause += time.Duration(rand.Int64N(int64(pause/4) + 1))
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
	}
}

// startEvents follows the signed-in member's live events while a program is
// open. Like the sync loop it lives outside ui.bg (it never ends by itself);
// tests leave it off (Options.LiveEvents false) and hand events to onEvent.
func (ui *UI) startEvents() {
	ui.stopEvents()
	s := ui.session()
	if !ui.opt.LiveEvents || s.API == nil {
		return
	}
	ctx, cancel := context.WithCancel(ui.ctx)
	ui.eventsStop = cancel
	go followEvents(ctx, s.API, defaultBackoff, func(ev client.Event) {
		ui.post(s, func() { ui.onEvent(ev) })
	})
}

func (ui *UI) stopEvents() {
	if ui.eventsStop != nil {
		ui.eventsStop()
		ui.eventsStop = nil
	}
}

// onEvent applies one live event: the feed refreshes, points and TikTok
// staging update in place, and what the member should know about becomes a
// notification. On the UI goroutine.
func (ui *UI) onEvent(ev client.Event) {
	if ev.Kind == wire.EventTikTokConnected {
		ui.onTikTokConnected() // the account, not a program's news
		return
	}
	if ui.shell == nil {
		return
	}
	// Another program's news is seen when the member opens it.
	mine := func(programID string) bool { return programID == "" || programID == ui.session().ProgramID }
	tr := ui.tr
	switch ev.Kind {
	case wire.EventFeedChanged, wire.EventReset:
		if d, ok := eventData[wire.FeedChanged](ev); ok && mine(d.ProgramID) {
			ui.refreshAndTellNew()
		}
	case wire.EventPointsChanged:
		d, ok := eventData[wire.PointsChanged](ev)
		if !ok || !mine(d.ProgramID) {
			return
		}
		if d.ActivityID != "" {
			ui.markPerformed(d.ActivityID, d.PointsTotal)
		} else {
			ui.setBalance(d.PointsTotal)
		}
		if ui.activity != nil && ui.activity.item.ID == d.ActivityID {
			ui.activity.refreshState()
		}
		if ui.shell.current() == tabPoints {
			ui.points.load()
		}
	case wire.EventTikTokStatus:
		d, ok := eventData[wire.TikTokStatus](ev)
		if !ok || !mine(d.ProgramID) {
			return
		}
		st := &client.TikTokStaging{Status: d.Status, FailReason: d.FailReason}
		it, ok := ui.setStaging(d.ActivityID, st)
		switch {
		case !ok:
		case d.Status == wire.StagingStaged:
			ui.tell(d.ActivityID, tr.T("notify.tiktok_staged_title"), tr.T("notify.tiktok_staged", "message", preview(cardText(it), 60)))
		case d.Status == wire.StagingFailed:
			ui.tell(d.ActivityID, tr.T("notify.tiktok_failed_title"), tr.T("notify.tiktok_failed", "reason", stagingReason(tr, d.FailReason)))
		}
	case wire.EventHandoff:
		d, ok := eventData[wire.Handoff](ev)
		// Sent from this member's desktop: the phone is where it is done.
		if !ok || !mine(d.ProgramID) || !ui.phoneShare {
			return
		}
		it, ok := ui.feedItem(d.ActivityID)
		if !ok {
			ui.refresh()
			return
		}
		ui.tell(it.ID, tr.T("notify.handoff_title"), preview(cardText(it), 80))
	}
}

// eventData reads an event's payload as the type its kind carries
// (backend/wire); an event without data reads as the zero payload.
func eventData[T any](ev client.Event) (T, bool) {
	var d T
	if len(ev.Data) > 0 {
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			slog.Warn("live event not understood", "kind", ev.Kind, "err", err)
			return d, false
		}
	}
	return d, true
}

// refreshAndTellNew refreshes the feed and tells the member about
// activities that were not there before.
func (ui *UI) refreshAndTellNew() {
	known := map[string]bool{}
	for _, it := range ui.feed.Items {
		known[it.ID] = true
	}
	hadFeed := !ui.feedAt.IsZero()
	ui.refreshThen(func() {
		if !hadFeed {
			return
		}
		var fresh []client.FeedItem
		for _, it := range ui.feed.Items {
			if !known[it.ID] && !it.Performed {
				fresh = append(fresh, it)
			}
		}
		switch len(fresh) {
		case 0:
		case 1:
			ui.tell(fresh[0].ID, ui.tr.T("notify.new_title"), preview(cardText(fresh[0]), 80))
		default:
			ui.tell(fresh[0].ID, ui.tr.T("notify.new_title"), ui.tr.N("notify.new_many", len(fresh)))
		}
	})
}

// tell shows news about an activity: a system notification, and a line
// over the feed with an Open button. Fyne's notifications carry no tap
// action, so the activity opens the next time the app comes to the front
// (which is what tapping the notification does).
func (ui *UI) tell(aid, title, body string) {
	ui.notified = aid
	ui.feedView.setNews(ui.tr.T("notify.line", "title", title, "body", body), aid)
	if ui.localNotify() {
		// The system lays out its own text: without Flow's breaks.
		ui.app.SendNotification(fyne.NewNotification(Plain(title), Plain(body)))
	}
}

// onForeground opens the activity of the last notification, once.
func (ui *UI) onForeground() {
	aid := ui.notified
	ui.notified = ""
	if aid == "" || ui.shell == nil {
		return
	}
	if it, ok := ui.feedItem(aid); ok {
		ui.openActivity(it)
	}
}

// setStaging records a TikTok staging status on a feed item (and its open
// screen); false when the item is not in the feed.
func (ui *UI) setStaging(aid string, st *client.TikTokStaging) (client.FeedItem, bool) {
	for i := range ui.feed.Items {
		if ui.feed.Items[i].ID != aid {
			continue
		}
		ui.feed.Items[i].TikTok = st
		it := ui.feed.Items[i]
		ui.saveFeed()
		ui.feedView.show()
		if ui.activity != nil && ui.activity.item.ID == aid {
			ui.activity.setItem(it)
		}
		return it, true
	}
	return client.FeedItem{}, false
}
