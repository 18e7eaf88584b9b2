// Package app is the Chorus member client's screens and translations. What
// outlives a screen (who is signed in where, the offline queue, the cache,
// performs and their sync) is package app/session; the app talks to the
// server through backend/client and to the phone through a Sharer (package
// platform).
package app

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
	"github.com/chorus-advocacy/chorus/platform"
)

// Options wires the app to the world; main fills it, tests fill it with fakes.
type Options struct {
	App      fyne.App
	Window   fyne.Window
	Catalog  *Catalog
	Platform Sharer
	Cache    *Cache
	// OpenURL opens a page in the system browser (TikTok's consent page);
	// nil means App.OpenURL. Tests follow the link themselves.
	OpenURL func(u *url.URL) error
	// PollEvery is how often the app asks whether TikTok got connected, and
	// how a TikTok upload is doing when live events are off; 0 means 2 s.
	PollEvery time.Duration
	// Lang, when set (en, zh-Hans), is the interface language from now on.
	Lang string
	// MeasureStart: when the feed first shows activities, print the time
	// since the process started and the memory in use, then quit
	// (startup.go).
	MeasureStart bool
	// LiveEvents follows GET /api/v1/events while a program is open. Tests
	// leave it off and hand events to onEvent on their own goroutine.
	LiveEvents bool
	// Server is the address given on the command line; it wins over the one
	// saved at the last sign-in.
	Server string
	// StartLink is what followed '#' in the web build's address, from an
	// email's link: "reset/{token}" opens "Set a new password" and
	// "invite/{code}" the invite screen, with the value filled in.
	StartLink string
	// Mobile picks the phone shell (tabs at the bottom). Mobile, Browser,
	// PhoneShare, Platform, OpenURL and OpenHere are read once, into the
	// kit, which is where the app reads them from then on.
	Mobile bool
	// PhoneShare: this device hands posts to WeChat (Android, iOS); elsewhere
	// WeChat activities offer "Send to my phone".
	PhoneShare bool
	// Browser: the app is the web build. In a phone's browser (Mobile) a
	// WeChat activity opens the member's share page, where the browser's Web
	// Share hands the file over; a wide browser window does as the desktop.
	Browser bool
	// OpenHere opens a page in place of the app (the web build: this tab,
	// which no pop-up blocker stops after a wait); nil means OpenURL.
	OpenHere func(u *url.URL) error
	// AppURLs: the system opens this build with chorus:// URLs (an iOS
	// bundle that registers the scheme), so single sign-on comes back to
	// it that way (platform.ReceivesAppURLs; main hands them to OpenAppURL).
	AppURLs bool
	// SyncEvery is how often queued performs are retried while any wait;
	// 0 means every 30 s, a negative value turns the timer off (tests).
	SyncEvery time.Duration
	// Runner runs background work; nil means a goroutine per task. Tests
	// run tasks in order on their own goroutine instead, as Fyne's test
	// driver runs fyne.Do at once rather than on a main loop.
	Runner Runner
	// Push is the system's push notifications; nil means SystemPush.
	Push    Pusher
	Now     func() time.Time
	Version string
}

// Tabs of the shells.
type tab int

const (
	tabFeed tab = iota
	tabPoints
	tabRewards
	tabSettings
)

// shell is the frame around the screens: tabs at the bottom on a phone, a
// side bar and a split feed on a desktop.
type shell interface {
	root() fyne.CanvasObject
	openActivity(s *activityScreen)
	closeActivity()
	selectTab(t tab)
	current() tab
}

// UI is the running client: the screens and navigation over a session
// engine. State is changed on the UI goroutine only; background work
// captures the Session it started with (ui.session()) and reports back
// through ui.post, which drops answers for a session that has ended.
type UI struct {
	*kit
	opt Options

	me      client.Me
	feed    client.Feed
	feedAt  time.Time
	offline bool
	total   int // the member's points, -1 until known

	auth     int // which pre-shell screen is shown
	login    *loginScreen
	invite   *inviteScreen
	forgot   *forgotScreen // "Forgot password?"
	reset    *resetScreen  // "Set a new password"
	programs *programScreen
	feedView *feedScreen
	activity *activityScreen
	points   *pointsScreen
	rewards  *rewardsScreen
	settings *settingsScreen
	shell    shell
	// mgr is the manager's desktop (nil for members and on phones).
	mgr *managerView
	// preview: this UI draws a member's feed for a manager (member view);
	// me is that member, and share links asked for are theirs.
	preview bool

	stop context.CancelFunc

	eventsStop context.CancelFunc
	// notified is the activity of the last notification: it opens when the
	// app next comes to the front.
	notified string
	// tiktokConnected wakes a wait for the TikTok account (live event).
	tiktokConnected chan struct{}
	// tiktok is the connected TikTok account (nil: none, or not known yet).
	tiktok      *client.SocialAccount
	tiktokKnown bool
	// fetched: the feed on screen came from the server in this run.
	fetched bool

	// pusher is the system's push; pushCfg the server's push services
	// (nil until asked); pushErr why push could not be turned on.
	pusher  Pusher
	pushCfg *client.PushConfig
	pushErr string
	// pushDialog is the open explanation, with its "Turn on" button.
	pushDialog dialog.Dialog
	pushAllow  *widget.Button
	// pendingActivity is an activity a link asked for before the feed was
	// there (the web build's #activity/{id}, a notification's tap at launch).
	pendingActivity string
	// appSSO is the sign-in waiting for the browser to come back through
	// chorus://sso (Options.AppURLs); nil when none is.
	appSSO *appSSOFlow
}

// New builds the client; call Start to show the first screen.
func New(opt Options) (*UI, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.OpenURL == nil {
		opt.OpenURL = opt.App.OpenURL
	}
	if opt.OpenHere == nil {
		opt.OpenHere = opt.OpenURL
	}
	if opt.PollEvery == 0 {
		opt.PollEvery = 2 * time.Second
	}
	if opt.SyncEvery == 0 {
		opt.SyncEvery = 30 * time.Second
	}
	engine, err := session.New(session.Config{Store: opt.Cache, Post: fyne.Do, Now: opt.Now})
	if err != nil {
		slog.Error("offline queue unreadable; starting empty", "err", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	if opt.Runner == nil {
		opt.Runner = &goroutines{}
	}
	k := &kit{app: opt.App, win: opt.Window, mobile: opt.Mobile, browser: opt.Browser, phoneShare: opt.PhoneShare, phone: opt.Platform, openHere: opt.OpenHere, prefs: NewPrefs(opt.App.Preferences()), openURL: opt.OpenURL, now: opt.Now, engine: engine, ctx: ctx, bg: opt.Runner}
	ui := &UI{kit: k, opt: opt, total: -1, stop: stop,
		tiktokConnected: make(chan struct{}, 1)}
	if opt.Cache != nil {
		ui.media = newMediaStore(opt.Cache.root)
	}
	if opt.Lang != "" {
		ui.prefs.SetLang(ParseLang(opt.Lang))
	}
	ui.pusher = opt.Push
	if ui.pusher == nil {
		ui.pusher = SystemPush{}
	}
	ui.pusher.OnToken(ui.onPushToken)
	ui.tr = NewTr(opt.Catalog, ui.startLang(), "UTC")
	// Tapping a notification brings the app to the front: open its activity.
	opt.App.Lifecycle().SetOnEnteredForeground(ui.onForeground)
	return ui, nil
}

func (ui *UI) startLang() Lang {
	if l := ui.prefs.Lang(); l != "" {
		return ParseLang(l)
	}
	return ParseLang(fyne.CurrentDevice().Locale().String())
}

// Start shows the cached feed at once when a session was saved (then
// refreshes it), else the sign-in screen.
func (ui *UI) Start() {
	server := ui.prefs.ServerURL()
	if s, err := normalizeServer(ui.opt.Server); err == nil {
		ui.opt.Server = s
	}
	if ui.opt.Server != "" && ui.opt.Server != server {
		// Another server than last time: that session is not valid there.
		ui.prefs.ClearSession()
		server = ui.opt.Server
	}
	if link := ui.opt.StartLink; link != "" {
		ui.opt.StartLink = "" // once: Back from that screen starts as usual
		if ui.openLink(link) {
			return
		}
		if _, ok := platform.ActivityFromLink(link); ok {
			ui.pendingActivity, _ = platform.ActivityFromLink(link)
		}
	}
	if !ui.prefs.SignedIn() {
		ui.showLogin("")
		return
	}
	ui.connect(server, ui.prefs.Token())
	me, err := ui.engine.LoadMe(ui.prefs.UserID())
	if err != nil || me.ID == "" {
		ui.restoreOnline()
		return
	}
	ui.me = me
	ui.engine.Switch(ui.session().WithUser(me.ID))
	ui.retranslate()
	pid := ui.prefs.ProgramID()
	if !ui.hasProgram(pid) {
		ui.showPrograms()
		s := ui.session()
		ui.goBG(func(ctx context.Context) { ui.loadMe(ctx, s) })
		return
	}
	ui.openProgram(pid)
	s := ui.session()
	ui.goBG(func(ctx context.Context) { ui.loadMe(ctx, s) })
}

// Stop ends background work and waits for it (tests and shutdown).
func (ui *UI) Stop() {
	ui.stop()
	ui.bg.Wait()
}

// Wait blocks until background work started so far has finished; tests use
// it instead of sleeping.
func (ui *UI) Wait() { ui.bg.Wait() }

// connect starts a session on server, not signed in yet unless a token
// from an earlier sign-in comes with it.
func (ui *UI) connect(server, token string) {
	server = strings.TrimRight(strings.TrimSpace(server), "/")
	api := client.New(server)
	if token != "" {
		api.SetToken(token)
	}
	ui.engine.Switch(session.Session{API: api, Server: server})
}

// restoreOnline: a token but nothing cached, so ask the server who we are.
func (ui *UI) restoreOnline() {
	ui.showLogin(ui.tr.T("login.restoring"))
	s := ui.session()
	ui.goBG(func(ctx context.Context) {
		me, err := s.API.Me(ctx)
		ui.post(s, func() {
			if err != nil {
				if client.Code(err) == wire.CodeUnauthorized {
					ui.prefs.ClearSession()
				}
				ui.login.setStatus(ui.errText(err))
				return
			}
			ui.signedIn(me)
		})
	})
}

// loadMe refreshes the profile in the background; an ended session goes
// back to sign-in, keeping the offline queue for the next sign-in.
func (ui *UI) loadMe(ctx context.Context, s session.Session) {
	me, err := s.API.Me(ctx)
	ui.post(s, func() {
		switch {
		case client.Code(err) == wire.CodeUnauthorized:
			ui.endSession(ui.tr.T("login.session_ended"))
		case err == nil:
			ui.memberSaved(me)
		}
	})
}

// memberSaved keeps the profile the server answered (at start, in the
// settings); a new zone builds the screens again and refreshes the feed
// in it.
func (ui *UI) memberSaved(me client.Me) {
	zoneChanged := me.Timezone != ui.me.Timezone
	ui.me = me
	ui.saveMe()
	if zoneChanged {
		ui.retranslate()
		ui.rebuild()
		if ui.shell != nil {
			ui.refresh()
		}
	}
}

func (ui *UI) shownSettings() *settingsScreen { return ui.settings }

func (ui *UI) shownActivity() *activityScreen { return ui.activity }

func (ui *UI) previewing() bool { return ui.preview }

func (ui *UI) pendingPerform(aid string) bool { return ui.pending()[aid] }

// markQueued shows a queued perform's mark in the feed.
func (ui *UI) markQueued() { ui.feedView.show() }

func (ui *UI) saveMe() {
	saveLater(ui.kit, "me/"+ui.me.ID, ui.me, func(me client.Me) error { return ui.engine.SaveMe(me) })
}

// signedIn continues after sign-in or invite acceptance.
func (ui *UI) signedIn(me client.Me) {
	ui.me = me
	ui.engine.Switch(ui.session().WithUser(me.ID))
	ui.prefs.SetServerURL(ui.session().Server)
	ui.prefs.SetUserID(me.ID)
	if me.Email != "" {
		ui.prefs.SetEmail(me.Email)
	}
	if ui.prefs.Lang() == "" && me.Locale != "" {
		ui.prefs.SetLang(ParseLang(me.Locale))
	}
	ui.saveMe()
	ui.retranslate()
	switch {
	case len(me.Memberships) == 1:
		ui.openProgram(me.Memberships[0].ProgramID)
	case ui.hasProgram(ui.prefs.ProgramID()):
		ui.openProgram(ui.prefs.ProgramID())
	default:
		ui.showPrograms()
	}
}

func (ui *UI) hasProgram(pid string) bool {
	for _, m := range ui.me.Memberships {
		if m.ProgramID == pid && pid != "" {
			return true
		}
	}
	return false
}

func (ui *UI) programName() string {
	for _, m := range ui.me.Memberships {
		if m.ProgramID == ui.session().ProgramID {
			return m.ProgramName
		}
	}
	return ""
}

// retranslate makes the translator for the current language and zone.
func (ui *UI) retranslate() {
	lang := ParseLang(ui.prefs.Lang())
	if ui.prefs.Lang() == "" {
		lang = ui.tr.Lang()
	}
	zone := ui.me.Timezone
	if ui.feed.Timezone != "" && zone == "" {
		zone = ui.feed.Timezone
	}
	ui.tr = NewTr(ui.opt.Catalog, lang, zone)
}

// openProgram shows the program's cached feed at once, then refreshes.
func (ui *UI) openProgram(pid string) {
	s := ui.session().WithProgram(pid)
	ui.engine.Switch(s)
	ui.prefs.SetProgramID(pid)
	ui.feed = client.Feed{}
	ui.feedAt = time.Time{}
	if cached, err := ui.engine.LoadFeed(s); err == nil {
		ui.feed, ui.feedAt = cached.Feed, cached.At
	}
	ui.total = -1
	ui.showMain(tabFeed)
	ui.startSyncLoop()
	ui.startEvents()
	ui.refresh()
	ui.goBG(func(ctx context.Context) { ui.loadTikTok(ctx, s) })
	ui.goBG(func(ctx context.Context) {
		ui.loadPushConfig(ctx, s)
		ui.resumePush(ctx, s)
	})
}

// showMain builds the screens and the shell for the current language.
func (ui *UI) showMain(selected tab) {
	ui.feedView = newFeedScreen(ui.kit, ui)
	ui.points = newPointsScreen(ui.kit, ui)
	ui.rewards = newRewardsScreen(ui.kit, ui)
	ui.settings = newSettingsScreen(ui.kit, ui, ui.opt.Version)
	if ui.mobile {
		ui.shell = newMobileShell(ui)
	} else {
		ui.shell = newDesktopShell(ui)
	}
	ui.win.SetContent(ui.frame(ui.shell.root()))
	ui.shell.selectTab(selected)
	ui.feedView.show()
	if ui.activity != nil {
		// Keep the open activity across a rebuild (language or zone change).
		id := ui.activity.item.ID
		ui.activity = nil
		if it, ok := ui.feedItem(id); ok {
			ui.showActivity(it)
		}
	}
}

// rebuild builds the screens again, e.g. in another language.
func (ui *UI) rebuild() {
	if ui.shell == nil {
		return
	}
	ui.showMain(ui.shell.current())
}

func (ui *UI) feedShown() feedState {
	return feedState{items: ui.feed.Items, pending: ui.pending(), fetched: ui.fetched, offline: ui.offline, at: ui.feedAt}
}

func (ui *UI) openNews(aid string) {
	ui.notified = ""
	if it, ok := ui.feedItem(aid); ok {
		ui.openActivity(it)
	}
}

func (ui *UI) feedItem(id string) (client.FeedItem, bool) {
	for _, it := range ui.feed.Items {
		if it.ID == id {
			return it, true
		}
	}
	return client.FeedItem{}, false
}

// openActivity shows it beside (desktop) or over (phone) the feed.
func (ui *UI) openActivity(it client.FeedItem) {
	ui.showActivity(it)
	if ui.shell.current() != tabFeed {
		ui.shell.selectTab(tabFeed)
	}
}

func (ui *UI) showActivity(it client.FeedItem) {
	ui.stopActivityWork()
	ui.activity = newActivityScreen(ui.kit, ui, it)
	ui.shell.openActivity(ui.activity)
	ui.feedView.markOpen(it.ID)
}

func (ui *UI) closeActivity() {
	ui.stopActivityWork()
	ui.activity = nil
	ui.shell.closeActivity()
	ui.feedView.markOpen("")
}

// stopActivityWork ends the open activity's wait for the browser.
func (ui *UI) stopActivityWork() {
	if ui.activity != nil && ui.activity.stopWait != nil {
		ui.activity.stopWait()
	}
}

// pending is the set of activities with a queued perform.
func (ui *UI) pending() map[string]bool {
	return ui.engine.Pending(ui.session())
}

// refresh fetches the feed (then syncs the queue); the cached feed stays on
// screen, marked offline, when the server cannot be reached.
func (ui *UI) refresh() { ui.refreshThen(nil) }

// refreshThen refreshes, then runs then (on the UI goroutine) if the new
// feed arrived.
func (ui *UI) refreshThen(then func()) {
	s := ui.session()
	ui.feedView.setBusy(true)
	ui.goBG(func(ctx context.Context) {
		synced := ui.engine.Sync(ctx, s)
		feed, err := s.API.Feed(ctx, s.ProgramID, "")
		ui.post(s, func() {
			ui.feedView.setBusy(false)
			ui.reportSync(synced)
			if err != nil {
				if client.Code(err) == wire.CodeUnauthorized {
					ui.endSession(ui.tr.T("login.session_ended"))
					return
				}
				ui.offline = session.Unreachable(err)
				ui.feedView.setError(ui.errText(err))
				ui.feedView.show()
				return
			}
			ui.offline = false
			ui.setFeed(feed)
			if then != nil {
				then()
			}
			ui.openPendingActivity()
		})
	})
}

func (ui *UI) setFeed(feed client.Feed) {
	zoneChanged := feed.Timezone != "" && feed.Timezone != ui.tr.Location().String()
	ui.feed, ui.feedAt = feed, ui.now()
	ui.fetched = true
	ui.saveFeed()
	if zoneChanged && ui.me.Timezone == "" {
		ui.retranslate()
		ui.rebuild()
		return
	}
	ui.feedView.setError("")
	ui.feedView.show()
	if ui.activity != nil {
		if it, ok := ui.feedItem(ui.activity.item.ID); ok {
			ui.activity.setItem(it)
		}
	}
}

// markPerformed records a confirmed perform in the feed and its cache.
func (ui *UI) markPerformed(aid string, total int) {
	for i := range ui.feed.Items {
		if ui.feed.Items[i].ID == aid {
			ui.feed.Items[i].Performed = true
		}
	}
	ui.saveFeed()
	ui.feedView.show()
	if total >= 0 {
		ui.setBalance(total)
	}
}

func (ui *UI) member() client.Me { return ui.me }

func (ui *UI) balance() int { return ui.total }

func (ui *UI) setBalance(total int) {
	ui.total = total
	if ui.points != nil {
		ui.points.showTotal()
	}
	if ui.rewards != nil {
		ui.rewards.showBalance()
	}
}

// saveFeed caches the feed as shown, for the next start.
func (ui *UI) saveFeed() {
	s := ui.session()
	saveLater(ui.kit, "feed/"+s.UserID+"/"+s.ProgramID, session.CachedFeed{Feed: ui.feed, At: ui.feedAt}, func(f session.CachedFeed) error { return ui.engine.SaveFeed(s, f) })
}

// reportSync shows what a sync did: the feed marks, the points, and a
// notification, since the member may have left the screen long ago.
func (ui *UI) reportSync(synced []session.Synced) {
	if len(synced) == 0 {
		return
	}
	awarded, done, failed := 0, 0, 0
	for _, s := range synced {
		if s.Err != nil {
			failed++
			continue
		}
		done++
		awarded += s.Result.PointsAwarded
		if s.Item.ProgramID == ui.session().ProgramID {
			ui.markPerformed(s.Item.ActivityID, s.Result.PointsTotal)
		}
	}
	msg := ui.tr.N("sync.done", done, "points", ui.tr.Points(awarded))
	if failed > 0 {
		msg += " " + ui.tr.N("sync.dropped", failed)
	}
	ui.feedView.setNotice(msg)
	ui.app.SendNotification(fyne.NewNotification(ui.tr.T("app.name"), Plain(msg)))
	if ui.activity != nil {
		ui.activity.refreshState()
	}
}

// startSyncLoop retries the queue now and then while performs wait. Tests
// turn it off (SyncEvery < 0).
func (ui *UI) startSyncLoop() {
	ui.engine.StopSyncLoop()
	if ui.opt.SyncEvery < 0 {
		return
	}
	ui.engine.StartSyncLoop(ui.ctx, ui.opt.SyncEvery, func(synced []session.Synced) {
		ui.reportSync(synced)
		ui.refresh()
	})
}

// setLang switches the interface language at once and tells the server in
// the background (the next sign-in elsewhere then speaks it too).
func (ui *UI) setLang(l Lang) {
	// Kept even when it is the language already shown: a choice made on
	// the sign-in screen is the person's, and the account's saved language
	// must not replace it at sign-in (signedIn asks prefs first).
	ui.prefs.SetLang(l)
	if l == ui.tr.Lang() {
		return
	}
	ui.retranslate()
	ui.win.SetTitle(ui.tr.T("app.name"))
	if ui.shell == nil {
		ui.rebuildAuth()
		return
	}
	ui.rebuild()
	s := ui.session()
	if ui.me.ID == "" || s.API == nil {
		return
	}
	ui.goBG(func(ctx context.Context) {
		locale := string(l)
		if _, err := s.API.UpdateMe(ctx, client.UpdateMe{Locale: &locale}); err != nil {
			slog.Info("language not saved on the server", "err", err)
		}
	})
}

// signOut ends the session on the server (best effort) and here.
func (ui *UI) signOut() {
	api := ui.session().API
	// This device's push registration ends with the session (while its
	// token still works): the next person on it must not get this one's.
	device := ui.prefs.PushDevice(ui.me.ID)
	ui.prefs.SetPushDevice(ui.me.ID, "")
	ui.goBG(func(ctx context.Context) {
		if device != "" {
			if err := ui.dropPush(ctx, api, device); err != nil {
				slog.Warn("push: ending this device's registration", "err", err)
			}
		}
		_ = api.Logout(ctx)
	})
	ui.endSession("")
}

func (ui *UI) endSession(msg string) {
	ui.stopEvents()
	ui.notified = ""
	ui.tiktok, ui.tiktokKnown = nil, false
	ui.prefs.ClearSession()
	ui.connect(ui.session().Server, "")
	ui.shell, ui.activity = nil, nil
	ui.feed, ui.total = client.Feed{}, -1
	ui.showLogin(msg)
}

// surface is what the server records as where a perform happened.
func (ui *UI) surface() string {
	switch {
	case ui.phoneShare:
		return "mobile"
	case ui.browser:
		return "web"
	}
	return "desktop"
}

// isManager: the signed-in person manages the open program.
func (ui *UI) isManager() bool {
	for _, m := range ui.me.Memberships {
		if m.ProgramID == ui.session().ProgramID && (m.Role == wire.RoleManager || m.Role == wire.RoleOwner) {
			return true
		}
	}
	return false
}

// frame puts the manager/member switch above the member shell for managers
// on a desktop; everyone else gets the shell as it is.
func (ui *UI) frame(member fyne.CanvasObject) fyne.CanvasObject {
	if ui.mgr != nil && ui.mgr.editor != nil {
		ui.mgr.editor.close()
	}
	if ui.mobile || !ui.isManager() {
		ui.mgr = nil
		return member
	}
	mode := modeManager
	if ui.mgr != nil && ui.mgr.mode.selected == modeMember {
		mode = modeMember
	}
	ui.mgr = newManagerView(ui.kit, ui, member, mode)
	return ui.mgr.content
}

// isOwner: the signed-in person owns the open program.
func (ui *UI) isOwner() bool {
	for _, m := range ui.me.Memberships {
		if m.ProgramID == ui.session().ProgramID && m.Role == wire.RoleOwner {
			return true
		}
	}
	return false
}

func (ui *UI) shownManager() *mgr {
	if ui.mgr == nil {
		return nil
	}
	return ui.mgr.mgr
}
