package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// previewView shows a member's feed exactly as the member app draws it:
// the same feed screen and activity screen, in the member's zone.
type previewView struct {
	m       *managerView
	query   *widget.Entry
	matches *fyne.Container
	buttons []*widget.Button // one per matching member
	shown   []client.Member
	title   *widget.Label
	status  *widget.Label
	body    *fyne.Container
	content fyne.CanvasObject

	// as is the member whose feed shows; ui is the member app built for
	// that feed (nil until a member is picked).
	as client.Member
	ui *UI
}

func newPreviewView(m *managerView) *previewView {
	tr := m.ui.tr
	p := &previewView{m: m}
	p.query = widget.NewEntry()
	p.query.SetPlaceHolder(tr.T("mgr.preview.search"))
	p.query.OnChanged = p.filter
	p.matches = container.NewVBox()
	p.title = bold(tr.T("mgr.preview.pick"))
	p.status = wrapped("")
	p.status.Hide()
	p.body = container.NewStack()
	left := container.NewBorder(container.NewVBox(heading(tr.T("mgr.preview.title")), p.query), nil, nil, nil,
		container.NewVScroll(p.matches))
	right := container.NewBorder(container.NewVBox(p.title, p.status), nil, nil, nil, p.body)
	split := container.NewHSplit(left, right)
	split.SetOffset(0.22)
	p.content = split
	return p
}

// filter lists the members whose name or email holds q.
func (p *previewView) filter(q string) {
	q = strings.ToLower(strings.TrimSpace(q))
	p.buttons, p.shown = p.buttons[:0], p.shown[:0]
	objs := []fyne.CanvasObject{}
	for _, mem := range p.m.members {
		if q != "" && !strings.Contains(strings.ToLower(mem.Name), q) && !strings.Contains(strings.ToLower(mem.Email), q) {
			continue
		}
		mem := mem
		b := widget.NewButton(mem.Name+" · "+mem.Email, func() { p.show(mem) })
		b.Alignment = widget.ButtonAlignLeading
		p.buttons = append(p.buttons, b)
		p.shown = append(p.shown, mem)
		objs = append(objs, b)
	}
	if len(objs) == 0 {
		objs = append(objs, caption(p.m.ui.tr.T("mgr.preview.none")))
	}
	p.matches.Objects = objs
	p.matches.Refresh()
}

// show fetches the member's feed as the server gives it to them.
func (p *previewView) show(mem client.Member) {
	ui := p.m.ui
	p.as = mem
	p.title.SetText(ui.tr.T("mgr.preview.as", "name", mem.Name, "email", mem.Email))
	say(p.status, ui.tr.T("common.loading"))
	sess := ui.session()
	api, pid := sess.API, sess.ProgramID
	ui.goBG(func(ctx context.Context) {
		feed, err := api.Feed(ctx, pid, mem.ID)
		ui.post(sess, func() {
			if ui.mgr != p.m || p.as.ID != mem.ID {
				return
			}
			if err != nil {
				say(p.status, ui.errText(err))
				return
			}
			p.setFeed(mem, feed)
		})
	})
}

// setFeed builds the member app's screens on the member's feed and zone.
// The actions are shown but off: a preview performs nothing.
func (p *previewView) setFeed(mem client.Member, feed client.Feed) {
	ui := p.m.ui
	zone := feed.Timezone
	if zone == "" {
		zone = mem.Timezone
	}
	// The member's feed in the member's language, as they would read it.
	lang := ui.tr.Lang()
	if feed.Locale != "" {
		lang = ParseLang(feed.Locale)
	}
	opt := ui.opt
	opt.MeasureStart = false
	opt.Mobile, opt.PhoneShare = false, false
	// The preview has a session of its own (the member in the manager's
	// program, over the manager's connection), so its answers are never
	// taken for the manager's, nor the manager's for its.
	pv := &UI{opt: opt, app: ui.app, win: ui.win, prefs: ui.prefs, engine: ui.engine.Beside(ui.session().WithUser(mem.ID)),
		media: ui.media, tr: NewTr(ui.opt.Catalog, lang, zone), now: ui.now,
		me:   client.Me{ID: mem.ID, Name: mem.Name, Email: mem.Email, Timezone: zone},
		feed: feed, feedAt: ui.now(), fetched: true, total: -1, ctx: ui.ctx, stop: func() {}, bg: ui.bg,
		tiktokKnown: false, preview: true}
	pv.feedView = newFeedScreen(pv)
	pv.feedView.refresh.Hide()
	pv.shell = newPreviewShell(pv)
	p.ui = pv
	pv.feedView.show()
	say(p.status, ui.tr.T("mgr.preview.zone", "zone", zone, "n", len(feed.Items)))
	p.body.Objects = []fyne.CanvasObject{pv.shell.root()}
	p.body.Refresh()
}

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
