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
	m       *mgr
	query   *widget.Entry
	matches *fyne.Container
	buttons []*widget.Button // one per matching member
	shown   []client.Member
	title   *widget.Label
	status  *widget.Label
	body    *fyne.Container
	content fyne.CanvasObject

	// as is the member whose feed shows; app is the member app built for
	// that feed (nil until a member is picked).
	as  client.Member
	app memberPreview
}

func newPreviewView(m *mgr) *previewView {
	tr := m.k.tr
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
		objs = append(objs, caption(p.m.k.tr.T("mgr.preview.none")))
	}
	p.matches.Objects = objs
	p.matches.Refresh()
}

// show fetches the member's feed as the server gives it to them.
func (p *previewView) show(mem client.Member) {
	k := p.m.k
	p.as = mem
	p.title.SetText(k.tr.T("mgr.preview.as", "name", mem.Name, "email", mem.Email))
	say(p.status, k.tr.T("common.loading"))
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	k.goBG(func(ctx context.Context) {
		feed, err := api.Feed(ctx, pid, mem.ID)
		k.post(sess, func() {
			if p.m.host.shownManager() != p.m || p.as.ID != mem.ID {
				return
			}
			if err != nil {
				say(p.status, k.errText(err))
				return
			}
			p.setFeed(mem, feed)
		})
	})
}

// setFeed shows the member app built on the member's feed and zone. The
// actions are shown but off: a preview performs nothing.
func (p *previewView) setFeed(mem client.Member, feed client.Feed) {
	p.app = p.m.host.previewAs(mem, feed)
	say(p.status, p.m.k.tr.T("mgr.preview.zone", "zone", p.app.zone(), "n", len(feed.Items)))
	p.body.Objects = []fyne.CanvasObject{p.app.root()}
	p.body.Refresh()
}
