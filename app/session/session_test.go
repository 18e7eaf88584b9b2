package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
)

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// dirStore is a Store of JSON files in a folder: what the app's Cache does
// over Fyne's storage, without Fyne.
type dirStore string

func (d dirStore) Load(name string, v any) error {
	b, err := os.ReadFile(filepath.Join(string(d), name))
	if errors.Is(err, os.ErrNotExist) {
		return session.ErrNotCached
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func (d dirStore) Save(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := filepath.Join(string(d), name+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(string(d), name))
}

func (d dirStore) Delete(name string) error {
	err := os.Remove(filepath.Join(string(d), name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// signIn is demo member i's session on server, in their first program.
func signIn(t *testing.T, server string, i int) session.Session {
	t.Helper()
	api := client.New(server)
	ctx := context.Background()
	if _, err := api.Login(ctx, testserver.Member(i), testserver.Password); err != nil {
		t.Fatal(err)
	}
	me, err := api.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return session.Session{API: api, Server: server, UserID: me.ID, ProgramID: me.Memberships[0].ProgramID}
}

// wechatActivity is an open WeChat activity s's member has not done yet.
func wechatActivity(t *testing.T, s session.Session) client.FeedItem {
	t.Helper()
	feed, err := s.API.Feed(context.Background(), s.ProgramID, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range feed.Items {
		if strings.HasPrefix(it.Type, "wechat") && !it.Performed && it.Points > 0 {
			return it
		}
	}
	t.Fatal("no WeChat activity to perform in the demo feed")
	return client.FeedItem{}
}

func total(t *testing.T, s session.Session) int {
	t.Helper()
	p, err := s.API.MyPoints(context.Background(), s.ProgramID)
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

// A perform made offline waits in the queue (across a restart of the
// app), is sent when the server is back, and earns its points once however
// often it is sent.
func TestOfflinePerformIsQueuedThenSyncedOnce(t *testing.T) {
	srv := testserver.Start(t)
	s := signIn(t, srv.URL, 2)
	it := wechatActivity(t, s)
	before := total(t, s)
	store := dirStore(t.TempDir())
	e, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	e.Switch(s)
	ctx := context.Background()

	srv.Stop()
	out := e.Perform(ctx, s, it.ID, "mobile")
	if !out.Queued || out.Err == nil {
		t.Fatalf("offline perform: %+v, want queued", out)
	}
	// A second tap while it waits is the same perform.
	if again := e.Perform(ctx, s, it.ID, "mobile"); !again.Queued {
		t.Fatalf("second offline tap: %+v", again)
	}
	if q := e.Outbox().For(s.Server, s.UserID); len(q) != 1 || !e.Pending(s)[it.ID] {
		t.Fatalf("queue %+v, pending %v; want the one perform", q, e.Pending(s))
	}

	// The app closes and opens again, still offline: nothing is sent, nothing lost.
	e, err = session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	e.Switch(s)
	if synced := e.Sync(ctx, s); len(synced) != 0 {
		t.Fatalf("synced while offline: %+v", synced)
	}
	queued := e.Outbox().For(s.Server, s.UserID)
	if len(queued) != 1 {
		t.Fatalf("after restart the queue holds %d", len(queued))
	}

	srv.Restart()
	synced := e.Sync(ctx, s)
	if len(synced) != 1 || synced[0].Err != nil || synced[0].Result.PointsAwarded != it.Points {
		t.Fatalf("sync: %+v, want one perform awarded %d", synced, it.Points)
	}
	if q := e.Outbox().For(s.Server, s.UserID); len(q) != 0 {
		t.Fatalf("queue after sync: %+v", q)
	}
	if synced := e.Sync(ctx, s); len(synced) != 0 {
		t.Fatalf("second sync sent again: %+v", synced)
	}
	// Its answer lost on the way back, the same perform is sent again: the
	// server knows its id and gives nothing more.
	if _, err := e.Outbox().Add(queued[0]); err != nil {
		t.Fatal(err)
	}
	if again := e.Sync(ctx, s); len(again) != 1 || !again[0].Result.AlreadyPerformed {
		t.Fatalf("resent perform: %+v, want already performed", again)
	}
	if got, want := total(t, s), before+it.Points; got != want {
		t.Errorf("points %d, want %d (awarded once)", got, want)
	}
}

// switchingProxy stands between the app and the server and, on the first
// perform it sees, runs switched (the member signs out, say) before the
// server answers.
func switchingProxy(t *testing.T, server string, switched func()) string {
	t.Helper()
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	var once atomic.Bool
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/perform") && once.CompareAndSwap(false, true) {
			switched()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p.URL
}

// The member signs out (or opens another program) while a perform is on its
// way: its answer is not handed to the screens of the session that came
// after, while answers for the new session are.
func TestAnswerForASwitchedSessionIsDropped(t *testing.T) {
	srv := testserver.Start(t)
	var e *session.Engine
	var after session.Session
	proxy := switchingProxy(t, srv.URL, func() { e.Switch(after) })
	s := signIn(t, proxy, 3)
	after = session.Session{API: client.New(proxy), Server: proxy}
	it := wechatActivity(t, s)
	var posted []string
	e, err := session.New(session.Config{Store: dirStore(t.TempDir()), Post: func(fn func()) { fn() }})
	if err != nil {
		t.Fatal(err)
	}
	e.Switch(s)

	out := e.Perform(context.Background(), s, it.ID, "web")
	if out.Err != nil || out.Result.PointsAwarded != it.Points {
		t.Fatalf("perform: %+v", out)
	}
	e.Post(s, func() { posted = append(posted, "old session") })
	e.Post(after, func() { posted = append(posted, "new session") })
	if len(posted) != 1 || posted[0] != "new session" {
		t.Errorf("delivered %v, want only the new session's", posted)
	}
	if e.Current(s) || !e.Current(after) {
		t.Error("Current does not follow Switch")
	}
}

// Signing out while the sync loop is sending a queued perform ends the
// loop: its answer is not reported to the next session, and the perform is
// not lost (it stays queued, or the server has it).
func TestSyncLoopOfASwitchedSessionReportsNothing(t *testing.T) {
	srv := testserver.Start(t)
	var e *session.Engine
	var after session.Session
	proxy := switchingProxy(t, srv.URL, func() { e.Switch(after) })
	s := signIn(t, proxy, 4)
	after = session.Session{API: client.New(proxy), Server: proxy}
	it := wechatActivity(t, s)
	before := total(t, s)
	e, err := session.New(session.Config{Store: dirStore(t.TempDir()), Post: func(fn func()) { fn() }})
	if err != nil {
		t.Fatal(err)
	}
	e.Switch(s)
	// Queued as if made offline.
	if _, err := e.Outbox().Add(session.PendingPerform{ClientActionID: session.NewActionID(), Server: s.Server,
		UserID: s.UserID, ProgramID: s.ProgramID, ActivityID: it.ID, Surface: "mobile", QueuedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	reported := make(chan []session.Synced, 1)
	e.StartSyncLoop(context.Background(), 10*time.Millisecond, func(synced []session.Synced) { reported <- synced })
	deadline := time.After(5 * time.Second)
	for e.Current(s) {
		select {
		case <-deadline:
			t.Fatal("the loop never sent the queued perform")
		case <-time.After(5 * time.Millisecond):
		}
	}
	select {
	case got := <-reported:
		t.Fatalf("reported %+v to the session that came after", got)
	case <-time.After(200 * time.Millisecond):
	}
	// Back in, the perform is either still queued (then sent now) or was
	// taken: the points come once either way.
	e.Switch(s)
	for _, r := range e.Sync(context.Background(), s) {
		if r.Err != nil {
			t.Fatalf("sync after sign-in: %v", r.Err)
		}
	}
	if got, want := total(t, s), before+it.Points; got != want {
		t.Errorf("points %d, want %d: the perform was lost or counted twice", got, want)
	}
}
