package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/assets"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// memberTabs builds the four tabs both shells share; the feed tab's content is
// given by the shell (a stack on phones, a split on desktops).
func memberTabs(ui *UI, feed fyne.CanvasObject) *container.AppTabs {
	tr := ui.tr
	t := container.NewAppTabs(
		container.NewTabItemWithIcon(tr.T("tab.feed"), theme.NewThemedResource(assets.IconActivities), feed),
		container.NewTabItemWithIcon(tr.T("tab.points"), theme.NewThemedResource(assets.IconPoints), ui.points.content),
		container.NewTabItemWithIcon(tr.T("tab.rewards"), theme.NewThemedResource(assets.IconRewards), ui.rewards.content),
		container.NewTabItemWithIcon(tr.T("tab.settings"), theme.SettingsIcon(), ui.settings.content),
	)
	t.OnSelected = func(*container.TabItem) { onTab(ui, tab(t.SelectedIndex())) }
	return t
}

// onTab loads what a tab shows when it comes into view.
func onTab(ui *UI, t tab) {
	switch t {
	case tabPoints:
		ui.points.load()
	case tabRewards:
		ui.rewards.load()
	}
}

// selectTab shows tab t; selecting fires OnSelected (which loads the tab)
// only when the tab changes, so an already selected tab is loaded here.
func selectTab(ui *UI, tabs *container.AppTabs, t tab) {
	if tabs.SelectedIndex() == int(t) {
		onTab(ui, t)
		return
	}
	tabs.SelectIndex(int(t))
}

// header is the bar above the screens: the mark and the program's name.
func header(ui *UI) fyne.CanvasObject {
	logo := canvas.NewImageFromResource(assets.Icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(28))
	// One line of text, so "Chorus · " sits against the program's name as
	// written (two labels put their paddings between them).
	title := widget.NewRichText(
		&widget.TextSegment{Text: ui.tr.T("app.name") + " · ", Style: widget.RichTextStyleInline},
		&widget.TextSegment{Text: ui.programName(), Style: widget.RichTextStyleStrong})
	title.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, widget.NewSeparator(), logo, nil, title)
}

// mobileShell: tabs at the bottom; an activity opens over the feed with a
// back button.
type mobileShell struct {
	ui   *UI
	tabs *container.AppTabs
	feed *fyne.Container
	body fyne.CanvasObject
	// bar is the app's own bottom tab bar where AppTabs would move it to
	// the side (a phone's browser); nil elsewhere.
	bar *bottomBar
}

func newMobileShell(ui *UI) *mobileShell {
	s := &mobileShell{ui: ui}
	s.feed = container.NewStack(ui.feedView.content)
	s.tabs = memberTabs(ui, s.feed)
	s.tabs.SetTabLocation(container.TabLocationBottom)
	var body fyne.CanvasObject = s.tabs
	if tabsMoveAside() {
		// A portrait phone keeps its tabs at the bottom.
		s.bar = newBottomBar(s.tabs)
		body = s.bar.root
	}
	s.body = container.NewBorder(header(ui), nil, nil, nil, body)
	return s
}

func (s *mobileShell) root() fyne.CanvasObject { return s.body }

func (s *mobileShell) openActivity(a *activityScreen) {
	s.feed.Objects = []fyne.CanvasObject{a.content}
	s.feed.Refresh()
}

func (s *mobileShell) closeActivity() {
	s.feed.Objects = []fyne.CanvasObject{s.ui.feedView.content}
	s.feed.Refresh()
}

func (s *mobileShell) selectTab(t tab) { selectTab(s.ui, s.tabs, t) }

func (s *mobileShell) current() tab { return tab(s.tabs.SelectedIndex()) }

// desktopShell: tabs down the side; the feed and the open activity side by
// side, as managers preview what members see.
type desktopShell struct {
	ui     *UI
	tabs   *container.AppTabs
	detail *fyne.Container
	body   fyne.CanvasObject
}

func newDesktopShell(ui *UI) *desktopShell {
	s := &desktopShell{ui: ui}
	s.detail = container.NewStack(s.placeholder())
	split := container.NewHSplit(ui.feedView.content, s.detail)
	split.SetOffset(0.5)
	s.tabs = memberTabs(ui, split)
	s.tabs.SetTabLocation(container.TabLocationLeading)
	s.body = container.NewBorder(header(ui), nil, nil, nil, s.tabs)
	return s
}

func (s *desktopShell) placeholder() fyne.CanvasObject {
	l := widget.NewLabel(s.ui.tr.T("feed.pick"))
	l.Importance = widget.LowImportance
	return container.NewVBox(layout.NewSpacer(), container.NewCenter(l), layout.NewSpacer())
}

func (s *desktopShell) root() fyne.CanvasObject { return s.body }

func (s *desktopShell) openActivity(a *activityScreen) {
	s.detail.Objects = []fyne.CanvasObject{a.content}
	s.detail.Refresh()
}

func (s *desktopShell) closeActivity() {
	s.detail.Objects = []fyne.CanvasObject{s.placeholder()}
	s.detail.Refresh()
}

func (s *desktopShell) selectTab(t tab) { selectTab(s.ui, s.tabs, t) }

func (s *desktopShell) current() tab { return tab(s.tabs.SelectedIndex()) }

// previewAs builds the member app's screens on a member's feed, in the
// member's language and zone, as they would read it. The actions are shown
// but off: a preview performs nothing.
func (ui *UI) previewAs(mem client.Member, feed client.Feed) memberPreview {
	zone := feed.Timezone
	if zone == "" {
		zone = mem.Timezone
	}
	lang := ui.tr.Lang()
	if feed.Locale != "" {
		lang = ParseLang(feed.Locale)
	}
	opt := ui.opt
	opt.MeasureStart = false
	// The preview draws the desktop layout and hands nothing to WeChat
	// (its kit is neither mobile nor phoneShare).
	// The preview has a session of its own (the member in the manager's
	// program, over the manager's connection), so its answers are never
	// taken for the manager's, nor the manager's for its.
	k := &kit{app: ui.app, win: ui.win, engine: ui.engine.Beside(ui.session().WithUser(mem.ID)),
		tr: NewTr(ui.opt.Catalog, lang, zone), now: ui.now, ctx: ui.ctx, bg: ui.bg, media: ui.media, openURL: ui.openURL, prefs: ui.prefs,
		browser: ui.browser, phone: ui.phone, openHere: ui.openHere}
	pv := &UI{kit: k, opt: opt,
		me:   client.Me{ID: mem.ID, Name: mem.Name, Email: mem.Email, Timezone: zone},
		feed: feed, feedAt: ui.now(), fetched: true, total: -1, stop: func() {},
		tiktokKnown: false, preview: true}
	pv.feedView = newFeedScreen(pv.kit, pv)
	pv.feedView.refresh.Hide()
	pv.shell = newPreviewShell(pv)
	pv.feedView.show()
	return pv
}

// root and zone make a UI a memberPreview.
func (ui *UI) root() fyne.CanvasObject { return ui.shell.root() }

func (ui *UI) zone() string { return ui.tr.Location().String() }

// previewShell is the desktop split of a preview: the member's feed and
// the open activity, without the member's tabs.
type previewShell struct {
	ui     *UI
	detail *fyne.Container
	body   fyne.CanvasObject
}

func newPreviewShell(ui *UI) *previewShell {
	s := &previewShell{ui: ui}
	s.detail = container.NewStack()
	split := container.NewHSplit(ui.feedView.content, s.detail)
	split.SetOffset(0.5)
	s.body = split
	return s
}

func (s *previewShell) root() fyne.CanvasObject { return s.body }

// openActivity shows the activity with its actions off (a preview performs
// nothing); only "Share page link" works, for the manager to send on.
func (s *previewShell) openActivity(a *activityScreen) {
	a.action.Disable()
	a.retry.Disable()
	s.detail.Objects = []fyne.CanvasObject{a.content}
	s.detail.Refresh()
}

func (s *previewShell) closeActivity() {
	s.detail.Objects = nil
	s.detail.Refresh()
}

func (s *previewShell) selectTab(tab) {}

func (s *previewShell) current() tab { return tabFeed }
