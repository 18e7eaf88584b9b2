package app

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/assets"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/platform"
)

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// fakeSharer records what the app hands to the phone.
type fakeSharer struct {
	mu     sync.Mutex
	wechat []platform.Share
	sheets []platform.Share
	opened int
	result platform.Result // what ShareToWeChat answers; Shared if empty
	err    error           // and with it
}

func (f *fakeSharer) ShareToWeChat(_ context.Context, s platform.Share) (platform.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wechat = append(f.wechat, s)
	if f.result == "" {
		return platform.Shared, nil
	}
	return f.result, f.err
}

func (f *fakeSharer) OpenWeChat(context.Context) (platform.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened++
	return platform.Shared, nil
}

func (f *fakeSharer) ShareSheet(_ context.Context, s platform.Share) (platform.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sheets = append(f.sheets, s)
	return platform.Shared, nil
}

func (f *fakeSharer) wechatCalls() []platform.Share {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]platform.Share(nil), f.wechat...)
}

var (
	catalogOnce sync.Once
	testCatalog *Catalog
)

func catalog(t testing.TB) *Catalog {
	catalogOnce.Do(func() {
		c, err := LoadCatalog(assets.Catalogs, "i18n")
		if err != nil {
			t.Fatal(err)
		}
		testCatalog = c
	})
	return testCatalog
}

// recordingApp is the test app, keeping every notification sent.
type recordingApp struct {
	fyne.App
	mu    sync.Mutex
	notes []*fyne.Notification
}

func (a *recordingApp) SendNotification(n *fyne.Notification) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.notes = append(a.notes, n)
}

func (a *recordingApp) notifications() []*fyne.Notification {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*fyne.Notification(nil), a.notes...)
}

// browser follows a URL the app opens, as the system browser would, and
// keeps it: TikTok's consent page (the demo's fake consents at once and
// sends the browser back to the server's callback).
type browser struct {
	mu     sync.Mutex
	opened []*url.URL
	here   []*url.URL // opened in place of the app (web build)
	status int        // of the last page, after redirects
	jar    http.CookieJar
}

func (b *browser) open(u *url.URL) error {
	b.mu.Lock()
	b.opened = append(b.opened, u)
	b.mu.Unlock()
	b.mu.Lock()
	if b.jar == nil {
		// Like a real browser, it keeps cookies: the TikTok connect binds
		// the consent to the browser that started it.
		b.jar, _ = cookiejar.New(nil)
	}
	c := &http.Client{Jar: b.jar}
	b.mu.Unlock()
	resp, err := c.Get(u.String())
	if err != nil {
		return err
	}
	resp.Body.Close()
	b.mu.Lock()
	b.status = resp.StatusCode
	b.mu.Unlock()
	return nil
}

// openHere is the web build's "this tab": the page replaces the app.
func (b *browser) openHere(u *url.URL) error {
	b.mu.Lock()
	b.here = append(b.here, u)
	b.mu.Unlock()
	return b.open(u)
}

// harness is one app on the headless test driver.
type harness struct {
	t        *testing.T
	app      *recordingApp
	browser  *browser
	win      fyne.Window
	ui       *UI
	share    *fakeSharer
	cacheDir string
	mobile   bool
	web      bool        // the web build (a browser), phone-sized when mobile
	push     *fakePusher // the system's push; nil: none (desktop)
	server   string
}

func newHarness(t *testing.T, server string, mobile bool) *harness {
	t.Helper()
	h := &harness{t: t, app: &recordingApp{App: test.NewTempApp(t)}, browser: &browser{}, share: &fakeSharer{}, cacheDir: t.TempDir(), mobile: mobile, server: server}
	// Tests read English unless they switch.
	h.app.Preferences().SetString(prefLang, string(English))
	h.start()
	return h
}

// newHarnessWith is newHarness with the harness adjusted (web, push …)
// before the app first starts.
func newHarnessWith(t *testing.T, server string, mobile bool, adjust func(h *harness)) *harness {
	t.Helper()
	h := &harness{t: t, app: &recordingApp{App: test.NewTempApp(t)}, browser: &browser{}, share: &fakeSharer{}, cacheDir: t.TempDir(), mobile: mobile, server: server}
	h.app.Preferences().SetString(prefLang, string(English))
	adjust(h)
	h.start()
	return h
}

// pusher is the app's push: the fake, or none at all.
func (h *harness) pusher() Pusher {
	if h.push == nil {
		return newFakePusher("")
	}
	return h.push
}

// start builds a UI on the harness's app and cache, as the app starting
// again after being closed.
func (h *harness) start() {
	h.t.Helper()
	if h.ui != nil {
		h.ui.Stop()
	}
	size := fyne.NewSize(1100, 720)
	if h.mobile {
		size = fyne.NewSize(390, 844)
	}
	h.win = test.NewTempWindow(h.t, nil)
	h.win.Resize(size)
	ui, err := New(Options{
		App: h.app, Window: h.win, Catalog: catalog(h.t), Platform: h.share,
		Cache:  NewCache(storage.NewFileURI(h.cacheDir)),
		Server: h.server, Mobile: h.mobile, PhoneShare: h.mobile && !h.web, Browser: h.web, SyncEvery: -1, Version: "test",
		Runner: &serial{}, OpenURL: h.browser.open, OpenHere: h.browser.openHere, PollEvery: 20 * time.Millisecond,
		Push: h.pusher(),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.ui = ui
	h.t.Cleanup(ui.Stop)
	ui.Start()
	ui.Wait()
}

// signIn drives the sign-in screen.
func (h *harness) signIn(email string) {
	h.t.Helper()
	l := h.ui.login
	if l == nil {
		h.t.Fatal("no sign-in screen")
	}
	l.server.SetText(h.server)
	l.email.SetText(email)
	l.password.SetText(testserver.Password)
	test.Tap(l.signIn)
	h.ui.Wait()
	if h.ui.shell == nil {
		h.t.Fatalf("not signed in: %q", l.status.Text)
	}
}

// card finds the feed card whose message contains text.
func (h *harness) card(text string) *feedCard {
	h.t.Helper()
	f := h.ui.feedView
	for i, it := range f.items {
		if strings.Contains(it.Message+it.Instructions, text) {
			if c := f.cardAt(i); c != nil {
				return c
			}
			h.t.Fatalf("activity %d (%q) has no card on screen after scrolling to it", i, text)
		}
	}
	h.t.Fatalf("no card with %q in %d activities", text, len(f.items))
	return nil
}

// shownCards scrolls to each activity of the feed in turn and reads its
// card off the screen (cards are reused, so it copies what they say).
func shownCards(t testing.TB, f *feedScreen) []ProbeCard {
	t.Helper()
	var out []ProbeCard
	for i, it := range f.items {
		c := f.cardAt(i)
		if c == nil || c.item.ID != it.ID {
			t.Fatalf("activity %d (%s) has no card after scrolling to it", i, it.ID)
		}
		out = append(out, ProbeCard{Type: typeLabel(f.k.tr, c.item.Type), Message: c.message.Text, Points: c.points.Text,
			TimeLeft: c.timeLeft.Text, State: c.state.Text, Featured: c.featured.Visible()})
	}
	return out
}

// open taps a card and returns the activity screen.
func (h *harness) open(text string) *activityScreen {
	h.t.Helper()
	test.Tap(h.card(text).card)
	if h.ui.activity == nil {
		h.t.Fatal("tapping the card opened nothing")
	}
	return h.ui.activity
}

func (h *harness) tap(b *widget.Button) {
	h.t.Helper()
	if b.Disabled() {
		h.t.Fatalf("button %q is disabled", b.Text)
	}
	test.Tap(b)
	h.ui.Wait()
}

// apiAs signs in a separate client, to look at the server's side.
func apiAs(t *testing.T, server, email string) *client.Client {
	t.Helper()
	c := client.New(server)
	if _, err := c.Login(context.Background(), email, testserver.Password); err != nil {
		t.Fatal(err)
	}
	return c
}

func programOf(t *testing.T, c *client.Client) string {
	t.Helper()
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return me.Memberships[0].ProgramID
}

// serial runs background tasks in order when the test waits, on the test's
// goroutine: the UI is then only ever touched from one goroutine, as with a
// real driver's main loop.
type serial struct {
	queue []func()
}

func (s *serial) Go(task func()) { s.queue = append(s.queue, task) }

func (s *serial) Wait() {
	for len(s.queue) > 0 {
		task := s.queue[0]
		s.queue = s.queue[1:]
		task()
	}
}
