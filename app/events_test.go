package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// The subscriber against a local event stream: it reads events, reconnects
// after a drop with Last-Event-ID, waits out a server without the route,
// and stops when the session is refused.
func TestFollowEventsReconnectsWithLastEventID(t *testing.T) {
	var mu sync.Mutex
	var calls []string // Last-Event-ID per connection
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Accept") != "text/event-stream" {
			t.Errorf("request headers %v", r.Header)
		}
		mu.Lock()
		calls = append(calls, r.Header.Get("Last-Event-ID"))
		n := len(calls)
		mu.Unlock()
		switch n {
		case 1: // no live events on this server (yet)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"code":"not_found","message":"no such route"}}`)
		case 2: // two events, a heartbeat, then the connection drops
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, ": hello\n\nid: 1\nevent: feed_changed\ndata: {\"program_id\":\"p1\"}\n\n")
			w.(http.Flusher).Flush()
			fmt.Fprint(w, ": heartbeat\n\nid: 2\nevent: points_changed\ndata: {\"program_id\":\"p1\",\n")
			fmt.Fprint(w, "data: \"points_total\":50}\n\n")
		case 3:
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "id: 3\nevent: tiktok_status\ndata: {\"activity_id\":\"a1\",\"status\":\"staged\"}\n\n")
		default: // the session ended
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"code":"unauthorized","message":"sign in"}}`)
		}
	}))
	defer srv.Close()

	api := client.New(srv.URL).SetToken("tok")
	var got []client.Event
	done := make(chan struct{})
	go func() {
		defer close(done)
		followEvents(context.Background(), api, backoff{min: time.Millisecond, max: 4 * time.Millisecond, missing: 10 * time.Millisecond},
			func(ev client.Event) { got = append(got, ev) })
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("followEvents did not stop after 401")
	}
	if want := []string{"", "", "2", "3"}; strings.Join(calls, ",") != strings.Join(want, ",") {
		t.Errorf("Last-Event-ID per connection %q, want %q", calls, want)
	}
	if len(got) != 3 || got[0].Kind != wire.EventFeedChanged || got[1].Kind != wire.EventPointsChanged || got[2].Kind != wire.EventTikTokStatus {
		t.Fatalf("events %+v", got)
	}
	var d wire.PointsChanged
	if err := json.Unmarshal(got[1].Data, &d); err != nil || d.PointsTotal != 50 {
		t.Errorf("multi-line data %q: %+v %v", got[1].Data, d, err)
	}
}

func TestFollowEventsStopsWithContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a quiet stream
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		followEvents(ctx, client.New(srv.URL), defaultBackoff, func(client.Event) {})
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("followEvents did not stop with its context")
	}
}

func event(t *testing.T, kind string, data map[string]any) client.Event {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return client.Event{Kind: kind, Data: b}
}

// Events as the server documents them, applied to a signed-in phone app:
// points and staging update in place, news becomes a notification, and
// the activity opens when the app comes to the front.
func TestLiveEventsUpdateTheAppAndNotify(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(1))
	pid := h.ui.session().ProgramID
	launch := h.card("我们的新产品").item
	tiktok := h.card("Share this video on TikTok").item

	// Performed on another device: the card and the points follow.
	h.ui.onEvent(event(t, wire.EventPointsChanged, map[string]any{"program_id": pid, "activity_id": launch.ID, "points_awarded": 50, "points_total": 50}))
	if s := h.card("我们的新产品").state.Text; s != "✓ Done" {
		t.Errorf("card after points_changed: %q", s)
	}
	if h.ui.total != 50 || h.ui.points.total.Text != "You have 50 points" {
		t.Errorf("total %d, %q", h.ui.total, h.ui.points.total.Text)
	}

	// Another program's news is not this one's.
	h.ui.onEvent(event(t, wire.EventTikTokStatus, map[string]any{"program_id": "prg_other", "activity_id": tiktok.ID, "status": "staged"}))
	if n := len(h.app.notifications()); n != 0 {
		t.Fatalf("%d notifications for another program", n)
	}

	// The TikTok upload finished: status in place, a notification, and the
	// activity opens when the member comes back to the app.
	h.ui.onEvent(event(t, wire.EventTikTokStatus, map[string]any{"program_id": pid, "activity_id": tiktok.ID, "status": "staged"}))
	notes := h.app.notifications()
	if len(notes) != 1 || notes[0].Title != "Video ready in TikTok" || !strings.Contains(notes[0].Content, "Share this video on TikTok") {
		t.Fatalf("notifications %+v", notes)
	}
	if it, _ := h.ui.feedItem(tiktok.ID); it.TikTok == nil || it.TikTok.Status != "staged" {
		t.Errorf("staging not recorded: %+v", it.TikTok)
	}
	if !h.ui.feedView.news.Visible() || !strings.Contains(h.ui.feedView.newsMsg.Text, "Video ready in TikTok") {
		t.Errorf("news line %q", h.ui.feedView.newsMsg.Text)
	}
	h.ui.onForeground()
	if h.ui.activity == nil || h.ui.activity.item.ID != tiktok.ID {
		t.Fatal("coming to the front did not open the activity")
	}
	if !strings.Contains(h.ui.activity.staging.Text, "TikTok inbox") {
		t.Errorf("activity staging %q", h.ui.activity.staging.Text)
	}
	h.ui.closeActivity()
	h.ui.onForeground() // once only
	if h.ui.activity != nil {
		t.Error("the activity opened again")
	}

	// A handoff from the desktop: the phone says so.
	h.ui.onEvent(event(t, wire.EventHandoff, map[string]any{"program_id": pid, "activity_id": launch.ID}))
	if notes := h.app.notifications(); len(notes) != 2 || notes[1].Title != "Share from your phone" {
		t.Fatalf("notifications after handoff %+v", notes)
	}

	// A manager publishes: feed_changed refreshes and tells what is new.
	mgr := apiAs(t, srv.URL, testserver.Manager)
	typ, msg, pts := "wechat_photo", "Fresh from the launch event", 10
	if _, err := mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: &typ, Message: &msg, Points: &pts}); err != nil {
		t.Fatal(err)
	}
	h.ui.onEvent(event(t, wire.EventFeedChanged, map[string]any{"program_id": pid}))
	h.ui.Wait()
	h.card("Fresh from the launch event")
	notes = h.app.notifications()
	if last := notes[len(notes)-1]; last.Title != "New activity" || !strings.Contains(last.Content, "Fresh from the launch event") {
		t.Errorf("last notification %+v", last)
	}
	h.tap(h.ui.feedView.newsOpen)
	if h.ui.activity == nil || !strings.Contains(h.ui.activity.item.Message, "Fresh from the launch event") {
		t.Error("Open on the news line did not open the new activity")
	}
}

// A desktop ignores the handoff it sent itself.
func TestDesktopIgnoresHandoffEvent(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	h.signIn(testserver.Member(1))
	h.ui.onEvent(event(t, wire.EventHandoff, map[string]any{"program_id": h.ui.session().ProgramID, "activity_id": h.ui.feed.Items[0].ID}))
	if n := len(h.app.notifications()); n != 0 {
		t.Errorf("desktop notified %d times", n)
	}
}

// The real server's events carry what onEvent reads: the stream of a
// signed-in member, while that member performs and a manager publishes.
func TestServerEventsMatchWhatTheAppReads(t *testing.T) {
	srv := testserver.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	member := apiAs(t, srv.URL, testserver.Member(1))
	pid := programOf(t, member)
	evs := make(chan client.Event, 16)
	go followEvents(ctx, member, backoff{min: 50 * time.Millisecond, max: time.Second, missing: time.Second}, func(ev client.Event) { evs <- ev })
	next := func(kind string) wire.PointsChanged {
		t.Helper()
		for {
			select {
			case ev := <-evs:
				if ev.Kind != kind {
					continue
				}
				// Every payload's program and activity have the same JSON
				// names, so PointsChanged reads those of feed_changed too.
				var d wire.PointsChanged
				if err := json.Unmarshal(ev.Data, &d); err != nil {
					t.Fatalf("%s data %s: %v", kind, ev.Data, err)
				}
				return d
			case <-ctx.Done():
				t.Fatalf("no %s event", kind)
			}
		}
	}
	time.Sleep(300 * time.Millisecond) // the stream is open

	feed, err := member.Feed(ctx, pid, "")
	if err != nil {
		t.Fatal(err)
	}
	aid := feed.Items[0].ID
	if _, err := member.Perform(ctx, pid, aid, client.Perform{ClientActionID: session.NewActionID(), Surface: "mobile"}); err != nil {
		t.Fatal(err)
	}
	d := next(wire.EventPointsChanged)
	if d.ProgramID != pid || d.ActivityID != aid || d.PointsTotal != feed.Items[0].Points {
		t.Errorf("points_changed %+v", d)
	}

	mgr := apiAs(t, srv.URL, testserver.Manager)
	typ, msg, pts := wire.ActivityWeChatPhoto, "Live from the launch", 10
	if _, err := mgr.CreateActivity(ctx, pid, client.ActivityInput{Type: &typ, Message: &msg, Points: &pts}); err != nil {
		t.Fatal(err)
	}
	if d := next(wire.EventFeedChanged); d.ProgramID != "" && d.ProgramID != pid {
		t.Errorf("feed_changed %+v", d)
	}
}

// A system notification in Chinese carries the words as written: the
// breaks Tr.Flow adds for Fyne's own wrap are for the app's labels only.
func TestChineseNotificationsArePlain(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.app.Preferences().SetString(prefLang, string(Chinese))
	h.start()
	h.signIn(testserver.Member(1))
	tr := h.ui.tr
	h.ui.tell(h.ui.feed.Items[0].ID, tr.T("notify.tiktok_failed_title"), tr.T("notify.tiktok_failed", "reason", "测试原因"))
	notes := h.app.notifications()
	if len(notes) != 1 {
		t.Fatalf("notifications: %+v", notes)
	}
	n := notes[0]
	if strings.ContainsRune(n.Title+n.Content, '\u200a') || n.Title != Plain(tr.T("notify.tiktok_failed_title")) || !strings.Contains(n.Content, "测试原因") {
		t.Errorf("notification %q / %q", n.Title, n.Content)
	}
	if !strings.ContainsRune(h.ui.feedView.newsMsg.Text, '\u200a') {
		t.Errorf("the news line over the feed is not readied for wrapping: %q", h.ui.feedView.newsMsg.Text)
	}
}
