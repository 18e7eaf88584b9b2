package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/platform"
)

// kit is what every screen needs of the running app: its words, its
// window, and background work that reports back only to the session it
// started in. UI holds the one kit and screens share it, so they need not
// hold the UI itself: what a screen asks of the app beyond the kit it names
// in a small interface of its own.
type kit struct {
	app fyne.App
	win fyne.Window
	// mobile: the phone's layout (tabs at the bottom, screens that cover
	// one another).
	mobile bool
	// browser: the web build.
	browser bool
	// phoneShare: this device hands posts to WeChat itself (Android, iOS);
	// phone is how (platform.Native, or a recorder in tests).
	phoneShare bool
	phone      Sharer
	// prefs are what the app keeps between runs.
	prefs Prefs
	// tr is replaced when the language or zone changes (the screens are
	// then built again); read it when words are needed, not before.
	tr  *Tr
	now func() time.Time
	// engine holds the current Session, the offline queue and the cache.
	engine *session.Engine
	// media keeps the pictures and files of the feed's activities (nil in
	// tests without storage).
	media *mediaStore
	// openURL opens a page or a file with the system (Options.OpenURL).
	openURL func(u *url.URL) error
	// openHere opens a page in place of the app (Options.OpenHere).
	openHere func(u *url.URL) error
	ctx      context.Context
	bg       Runner
	saves    saves
}

// session is the current one; background work captures it before it
// starts and hands its answer to post.
func (k *kit) session() session.Session { return k.engine.Session() }

// post runs fn on the UI goroutine if s is still the current session: an
// answer that comes after sign-out, another sign-in or a program switch is
// dropped here, and nowhere else.
func (k *kit) post(s session.Session, fn func()) { k.engine.Post(s, fn) }

// goBG runs fn off the UI goroutine; fn reports back with fyne.Do.
func (k *kit) goBG(fn func(ctx context.Context)) {
	ctx := k.ctx
	k.bg.Go(func() { fn(ctx) })
}

// errNotAvailable is what a seam returns for a feature that has not landed.
var errNotAvailable = errors.New("not available yet")

// errText turns an error into words for the member, by API code: the
// server's own message is English, and members read Chinese too.
func (k *kit) errText(err error) string {
	if err == nil {
		return ""
	}
	tr := k.tr
	switch {
	case errors.Is(err, errNotAvailable):
		return tr.T("error.not_available")
	case errors.Is(err, platform.ErrPhoneOnly):
		return tr.T("share.phone_only")
	case errors.Is(err, platform.ErrNoShareSheet):
		return tr.T("error.no_share_sheet")
	}
	code := client.Code(err)
	if code == "" {
		if session.Unreachable(err) {
			return tr.T("error.offline")
		}
		return tr.T("error.generic", "code", "app")
	}
	if tr.Has("error." + code) {
		return tr.T("error." + code)
	}
	return tr.T("error.generic", "code", code)
}

// Sharer is what the app needs from the phone; platform.Native is the real
// one, tests record calls.
type Sharer interface {
	ShareToWeChat(ctx context.Context, s platform.Share) (platform.Result, error)
	OpenWeChat(ctx context.Context) (platform.Result, error)
	ShareSheet(ctx context.Context, s platform.Share) (platform.Result, error)
}

var _ Sharer = (*platform.Native)(nil)

// Runner runs background work (network calls, then fyne.Do).
type Runner interface {
	Go(task func())
	// Wait returns when the tasks started so far, and those they started,
	// have finished.
	Wait()
}

// goroutines is the real Runner: one goroutine per task.
type goroutines struct{ wg sync.WaitGroup }

func (g *goroutines) Go(task func()) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		task()
	}()
}

func (g *goroutines) Wait() { g.wg.Wait() }

// saves orders the UI's background writes (saveLater).
type saves struct {
	mu      sync.Mutex
	newest  map[string]uint64 // the newest request per document
	n       uint64
	writing sync.Mutex // one write at a time (they share .tmp names)
}

// saveLater writes a document the UI shows from a background goroutine:
// the UI goroutine never waits on storage (in the browser a write to
// IndexedDB can wait indefinitely after a reload, and the app froze on it).
// v is copied (through JSON) before returning, so the UI goroutine may go on
// changing what it shares; of several saves of one document only the newest
// is written, and it is written last.
func saveLater[T any](k *kit, key string, v T, write func(T) error) {
	data, err := json.Marshal(v)
	if err != nil {
		slog.Warn("cache", "doc", key, "err", err)
		return
	}
	s := &k.saves
	s.mu.Lock()
	if s.newest == nil {
		s.newest = map[string]uint64{}
	}
	s.n++
	mine := s.n
	s.newest[key] = mine
	s.mu.Unlock()
	k.goBG(func(context.Context) {
		s.writing.Lock()
		defer s.writing.Unlock()
		s.mu.Lock()
		stale := s.newest[key] != mine
		s.mu.Unlock()
		if stale {
			return // a newer copy is queued behind
		}
		var cp T
		err := json.Unmarshal(data, &cp)
		if err == nil {
			err = write(cp)
		}
		if err != nil {
			slog.Warn("cache", "doc", key, "err", err)
		}
	})
}
