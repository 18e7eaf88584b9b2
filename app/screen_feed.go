package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// feedScreen lists what the member can do now, in the server's order
// (featured first).
type feedScreen struct {
	ui       *UI
	title    *widget.Label
	refresh  *widget.Button
	busy     *widget.Activity
	status   *widget.Label // offline / last updated / errors
	notice   *widget.Label // what a sync did
	news     *fyne.Container
	newsMsg  *widget.Label // a live event's news, with an Open button
	newsOpen *widget.Button
	newsID   string
	list     *fyne.Container
	cards    []*feedCard
	empty    *widget.Label
	loading  *fyne.Container // instead of empty until the first answer
	spinner  *widget.Activity
	failed   bool   // the last refresh failed: empty is the answer for now
	open     string // the activity shown beside the feed
	limit    int    // cards shown; "Show more" adds a page
	more     *widget.Button
	content  fyne.CanvasObject
}

// feedCard is one activity in the list.
type feedCard struct {
	item     client.FeedItem
	badge    fyne.CanvasObject
	featured fyne.CanvasObject
	message  *widget.Label
	points   *widget.Label
	timeLeft *widget.Label
	state    *widget.Label
	card     *tapCard
}

func newFeedScreen(ui *UI) *feedScreen {
	tr := ui.tr
	s := &feedScreen{ui: ui}
	s.title = heading(tr.T("feed.title"))
	s.refresh = widget.NewButtonWithIcon(tr.T("feed.refresh"), theme.ViewRefreshIcon(), s.onRefresh)
	s.busy = widget.NewActivity()
	s.busy.Hide()
	s.status = caption("")
	s.status.Hide()
	s.notice = wrapped("")
	s.notice.Importance = widget.SuccessImportance
	s.notice.Hide()
	s.newsMsg = wrapped("")
	s.newsMsg.Importance = widget.HighImportance
	s.newsOpen = widget.NewButton(tr.T("feed.open"), s.onOpenNews)
	dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), s.hideNews)
	dismiss.Importance = widget.LowImportance
	s.news = container.NewBorder(nil, nil, nil, container.NewHBox(s.newsOpen, dismiss), s.newsMsg)
	s.news.Hide()
	s.empty = wrapped(tr.T("feed.empty"))
	s.empty.Alignment = fyne.TextAlignCenter
	s.spinner = widget.NewActivity()
	loadingText := wrapped(tr.T("feed.loading"))
	loadingText.Alignment = fyne.TextAlignCenter
	s.loading = container.NewVBox(s.spinner, loadingText)
	s.list = container.NewVBox()
	s.limit = feedPage
	s.more = widget.NewButton("", func() {
		s.limit += feedPage
		s.show()
	})
	s.more.Importance = widget.LowImportance
	top := container.NewBorder(nil, nil, nil, container.NewHBox(s.busy, s.refresh), s.title)
	s.content = container.NewBorder(container.NewVBox(top, s.status, s.notice, s.news), nil, nil, nil,
		container.NewVScroll(s.list))
	return s
}

func (s *feedScreen) onRefresh() {
	s.notice.Hide()
	s.ui.refresh()
}

func (s *feedScreen) setBusy(b bool) {
	if b {
		s.busy.Show()
		s.busy.Start()
		s.refresh.Disable()
	} else {
		s.busy.Stop()
		s.busy.Hide()
		s.refresh.Enable()
	}
}

// setError shows why the feed could not be refreshed; the cached feed stays.
func (s *feedScreen) setError(msg string) {
	s.failed = msg != ""
	s.status.Importance = widget.WarningImportance
	if msg != "" && !s.ui.offline {
		s.status.Importance = widget.DangerImportance
	}
	s.status.SetText(msg)
}

// markOpen outlines the card of the open activity ("" for none).
func (s *feedScreen) markOpen(id string) {
	s.open = id
	for _, c := range s.cards {
		c.card.setSelected(c.item.ID == id && !s.ui.opt.Mobile)
	}
}

// setNews shows a live event's news over the feed; Open shows its activity.
func (s *feedScreen) setNews(msg, aid string) {
	s.newsMsg.SetText(msg)
	s.newsID = aid
	s.news.Show()
}

func (s *feedScreen) hideNews() {
	s.newsID = ""
	s.news.Hide()
}

func (s *feedScreen) onOpenNews() {
	aid := s.newsID
	s.hideNews()
	s.ui.notified = ""
	if it, ok := s.ui.feedItem(aid); ok {
		s.ui.openActivity(it)
	}
}

func (s *feedScreen) setNotice(msg string) {
	s.notice.SetText(msg)
	s.notice.Show()
}

// feedPage is how many cards the feed shows at first, and how many more
// each "Show more" adds: a page of cards costs little to build and draw
// however long the feed is (BenchmarkFeed1000).
const feedPage = 40

// show draws the feed held by the UI, with the pending marks of the queue.
func (s *feedScreen) show() {
	ui, tr := s.ui, s.ui.tr
	pending := ui.pending()
	now := ui.now()
	s.cards = s.cards[:0]
	n := min(len(ui.feed.Items), s.limit)
	objs := make([]fyne.CanvasObject, 0, n+1)
	for _, it := range ui.feed.Items[:n] {
		c := newFeedCard(ui, it, pending[it.ID], now)
		s.cards = append(s.cards, c)
		objs = append(objs, c.card)
	}
	if left := len(ui.feed.Items) - n; left > 0 {
		s.more.SetText(tr.N("feed.more", left))
		objs = append(objs, s.more)
	}
	switch {
	case len(objs) > 0:
	case !ui.fetched && !s.failed:
		// Nothing fetched in this run yet: "Nothing to share" would not be
		// true yet.
		objs = append(objs, s.loading)
	default:
		objs = append(objs, s.empty)
	}
	if len(objs) == 1 && objs[0] == s.loading {
		s.spinner.Start()
	} else {
		s.spinner.Stop()
	}
	s.list.Objects = objs
	s.list.Refresh()
	s.markOpen(s.open)
	if ui.opt.MeasureStart && len(s.cards) > 0 {
		ui.opt.MeasureStart = false
		go ui.reportStart(!ui.fetched)
	}

	status := ""
	switch {
	case ui.offline && !ui.feedAt.IsZero():
		status = tr.T("feed.offline_since", "when", tr.When(ui.feedAt, now))
	case ui.offline:
		status = tr.T("error.offline")
	case s.status.Text != "" && s.status.Importance == widget.DangerImportance:
		status = s.status.Text
	}
	if n := len(pending); n > 0 {
		if status != "" {
			status += " · "
		}
		status += tr.N("feed.waiting", n)
	}
	s.status.SetText(status)
	if status == "" {
		s.status.Hide()
	} else {
		s.status.Show()
	}
}

func newFeedCard(ui *UI, it client.FeedItem, pending bool, now time.Time) *feedCard {
	tr := ui.tr
	k := kindOf(it.Type, it.Network)
	c := &feedCard{item: it}
	c.badge = pill(typeLabel(tr, it.Type), networkColor(k.network))
	head := []fyne.CanvasObject{c.badge}
	if it.Featured {
		c.featured = pill("★ "+tr.T("feed.featured"), colorGold)
		head = append(head, c.featured)
	}
	c.points = widget.NewLabel(tr.Points(it.Points))
	c.points.TextStyle = fyne.TextStyle{Bold: true}
	head = append(head, layout.NewSpacer(), c.points)

	c.message = wrapped(preview(cardText(it), 140))
	c.timeLeft = widget.NewLabel(tr.TimeLeft(now, it.EndsAt))
	c.timeLeft.SizeName = theme.SizeNameCaptionText
	c.state = widget.NewLabel(stateText(tr, it.Performed, pending))
	c.state.SizeName = theme.SizeNameCaptionText
	c.state.Importance = stateImportance(it.Performed, pending)
	if it.TikTok != nil && it.Performed {
		c.state.Text, c.state.Importance = stagingShort(tr, it.TikTok.Status)
	}
	foot := container.NewHBox(c.timeLeft, layout.NewSpacer(), c.state)

	body := container.NewBorder(container.NewHBox(head...), foot, nil, nil, c.message)
	thumb := ui.mediaThumb(k, mediaOf(it), 64)
	c.card = newTapCard(container.NewBorder(nil, nil, container.NewVBox(thumb), nil, body), func() { ui.openActivity(it) })
	return c
}

// cardText is what a card says: the message, or for TikTok (no message) the
// instructions.
func cardText(it client.FeedItem) string {
	if it.Message != "" {
		return it.Message
	}
	return it.Instructions
}

func typeLabel(tr *Tr, typ string) string {
	if tr.Has("type." + typ) {
		return tr.T("type." + typ)
	}
	return tr.T("type.other")
}

func stateText(tr *Tr, performed, pending bool) string {
	switch {
	case performed:
		return "✓ " + tr.T("state.done")
	case pending:
		return tr.T("state.pending")
	}
	return tr.T("state.todo")
}

func stateImportance(performed, pending bool) widget.Importance {
	switch {
	case performed:
		return widget.SuccessImportance
	case pending:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}
