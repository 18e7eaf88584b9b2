package app

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// feedScreen lists what the member can do now, in the server's order
// (featured first). The list is lazy: only the cards on screen exist, and
// scrolling rebinds them to other activities, so a feed of 1,000 costs what
// a screenful costs (BenchmarkFeed1000Scroll).
type feedScreen struct {
	k        *kit
	host     feedHost
	title    *widget.Label
	refresh  *widget.Button
	busy     *widget.Activity
	status   *widget.Label // offline / last updated / errors
	notice   *widget.Label // what a sync did
	news     *fyne.Container
	newsMsg  *widget.Label // a live event's news, with an Open button
	newsOpen *widget.Button
	newsID   string
	list     *widget.List
	items    []client.FeedItem // what the list shows
	pending  map[string]bool   // queued shares, marked on their cards
	now      time.Time
	made     int               // cards the list has made (they are reused)
	bound    map[int]*feedCard // the card last bound to each item on screen
	spare    *feedCard         // cardAt's card while the list is not drawn
	empty    *widget.Label
	loading  *fyne.Container // instead of empty until the first answer
	spinner  *widget.Activity
	failed   bool   // the last refresh failed: empty is the answer for now
	open     string // the activity shown beside the feed
	content  fyne.CanvasObject
}

// feedCard is one card of the list, bound to the activity at index.
type feedCard struct {
	widget.BaseWidget
	index    int
	item     client.FeedItem
	badge    *fyne.Container // holds the type's pill
	badgeKey string
	featured fyne.CanvasObject
	message  *widget.Label
	points   *widget.Label
	timeLeft *widget.Label
	state    *widget.Label
	thumb    *fyne.Container // holds the media thumbnail
	thumbKey string
	card     *tapCard
}

// feedHost is what the feed screen asks of the app.
type feedHost interface {
	// feedShown is the feed the app holds, to draw.
	feedShown() feedState
	openActivity(it client.FeedItem)
	// openNews opens the activity a live event's news was about.
	openNews(aid string)
	refresh()
	// painted: the feed was drawn with n activities (start-up is measured
	// to this point).
	painted(n int)
}

// feedState is the feed as the app holds it, and how fresh it is.
type feedState struct {
	items   []client.FeedItem
	pending map[string]bool // activities with a queued perform
	fetched bool            // the feed came from the server in this run
	offline bool            // the last refresh could not reach the server
	at      time.Time       // when the feed was fetched
}

func newFeedScreen(k *kit, host feedHost) *feedScreen {
	tr := k.tr
	s := &feedScreen{k: k, host: host}
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
	s.empty.Hide()
	s.loading.Hide()
	s.bound = map[int]*feedCard{}
	s.list = widget.NewList(func() int { return len(s.items) }, s.newCard, s.bindCard)
	s.list.HideSeparators = true // cards have their own outline
	top := container.NewBorder(nil, nil, nil, container.NewHBox(s.busy, s.refresh), s.title)
	s.content = container.NewBorder(container.NewVBox(top, s.status, s.notice, s.news), nil, nil, nil,
		container.NewStack(s.list, container.NewVBox(s.loading, s.empty)))
	return s
}

func (s *feedScreen) onRefresh() {
	s.notice.Hide()
	s.host.refresh()
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
	if msg != "" && !s.host.feedShown().offline {
		s.status.Importance = widget.DangerImportance
	}
	s.status.SetText(msg)
}

// markOpen outlines the card of the open activity ("" for none).
func (s *feedScreen) markOpen(id string) {
	s.open = id
	for _, c := range s.bound {
		c.card.setSelected(c.index >= 0 && c.item.ID == id && !s.k.mobile)
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
	s.host.openNews(aid)
}

func (s *feedScreen) setNotice(msg string) {
	s.notice.SetText(msg)
	s.notice.Show()
}

// show draws the feed held by the UI, with the pending marks of the queue.
func (s *feedScreen) show() {
	st, tr := s.host.feedShown(), s.k.tr
	s.pending = st.pending
	s.now = s.k.now()
	s.items = st.items
	s.loading.Hide()
	s.empty.Hide()
	switch {
	case len(s.items) > 0:
	case !st.fetched && !s.failed:
		// Nothing fetched in this run yet: "Nothing to share" would not be
		// true yet.
		s.loading.Show()
	default:
		s.empty.Show()
	}
	if s.loading.Visible() {
		s.spinner.Start()
	} else {
		s.spinner.Stop()
	}
	clear(s.bound) // a full refresh rebinds every card on screen
	s.list.Refresh()
	s.host.painted(len(s.items))
	pending, now := s.pending, s.now

	status := ""
	switch {
	case st.offline && !st.at.IsZero():
		status = tr.T("feed.offline_since", "when", tr.When(st.at, now))
	case st.offline:
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

// cardLines is how many lines of its message a card shows: cards are all
// one height, so the list knows where each is without building it.
const cardLines = 2

// newCard makes an empty card for the list to bind.
func (s *feedScreen) newCard() fyne.CanvasObject {
	c := &feedCard{index: -1}
	c.ExtendBaseWidget(c)
	c.badge = container.NewStack()
	c.featured = pill("★ "+s.k.tr.T("feed.featured"), colorGold)
	c.points = widget.NewLabel("")
	c.points.TextStyle = fyne.TextStyle{Bold: true}
	c.message = wrapped("")
	c.message.Truncation = fyne.TextTruncateEllipsis
	c.timeLeft = widget.NewLabel("")
	c.timeLeft.SizeName = theme.SizeNameCaptionText
	c.state = widget.NewLabel("")
	c.state.SizeName = theme.SizeNameCaptionText
	foot := container.NewHBox(c.timeLeft, layout.NewSpacer(), c.state)
	head := container.NewHBox(c.badge, c.featured, layout.NewSpacer(), c.points)
	lines := widget.NewLabel(strings.Repeat("\n", cardLines-1)).MinSize().Height
	msg := container.New(minHeight(lines), c.message)
	body := container.NewBorder(head, foot, nil, nil, msg)
	c.thumb = container.NewStack()
	c.card = newTapCard(container.NewBorder(nil, nil, container.NewVBox(c.thumb), nil, body), func() {
		if c.index >= 0 {
			s.host.openActivity(c.item)
		}
	})
	s.made++
	return c
}

func (c *feedCard) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(c.card)
}

// bindCard shows item i on a card the list made.
func (s *feedScreen) bindCard(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(s.items) {
		return
	}
	c, ok := o.(*feedCard)
	if !ok {
		return
	}
	if s.bound[c.index] == c {
		delete(s.bound, c.index)
	}
	c.index, c.item = i, s.items[i]
	s.bound[i] = c
	tr, it := s.k.tr, c.item
	t := cardTexts(tr, it, s.pending[it.ID], s.now)
	k := kindOf(it.Type, it.Network)
	if key := it.Type + "\x00" + k.network; key != c.badgeKey {
		c.badgeKey = key
		c.badge.Objects = []fyne.CanvasObject{pill(t.Type, networkColor(k.network))}
		c.badge.Refresh()
	}
	if it.Featured {
		c.featured.Show()
	} else {
		c.featured.Hide()
	}
	c.points.SetText(t.Points)
	c.message.SetText(tr.Flow(t.Message))
	c.timeLeft.SetText(t.TimeLeft)
	c.state.Importance = stateImportance(it.Performed, s.pending[it.ID])
	if it.TikTok != nil && it.Performed {
		_, c.state.Importance = stagingShort(tr, it.TikTok.Status)
	}
	c.state.SetText(t.State)
	m := mediaOf(it)
	if key := k.network + "\x00" + it.Type + "\x00" + m.ID; key != c.thumbKey {
		c.thumbKey = key
		c.thumb.Objects = []fyne.CanvasObject{mediaThumb(s.k, k, m, 64)}
		c.thumb.Refresh()
	}
	c.card.setSelected(it.ID == s.open && !s.k.mobile)
}

// ProbeCard is what one feed card says (the e2e probe reports it).
type ProbeCard struct {
	Type     string `json:"type"`
	Message  string `json:"message"`
	Points   string `json:"points"`
	TimeLeft string `json:"time_left"`
	State    string `json:"state"`
	Featured bool   `json:"featured"`
}

// cardTexts is what the card of an activity says (the probe reads it too,
// for activities scrolled out of view).
func cardTexts(tr *Tr, it client.FeedItem, pending bool, now time.Time) ProbeCard {
	t := ProbeCard{Type: typeLabel(tr, it.Type), Message: preview(cardText(it), 140), Points: tr.Points(it.Points),
		TimeLeft: tr.TimeLeft(now, it.EndsAt), State: stateText(tr, it.Performed, pending), Featured: it.Featured}
	if it.TikTok != nil && it.Performed {
		t.State, _ = stagingShort(tr, it.TikTok.Status)
	}
	return t
}

// cardAt scrolls the list to item i and returns its card (nil when there is
// no such item).
func (s *feedScreen) cardAt(i int) *feedCard {
	if i < 0 || i >= len(s.items) {
		return nil
	}
	// A jump rebinds every card on screen (and Fyne drops the others).
	clear(s.bound)
	s.list.ScrollTo(i)
	if c := s.bound[i]; c != nil && c.index == i {
		return c
	}
	// The list is not drawn yet (a preview not on screen): a card of its
	// own, which taps as the list's would.
	if s.spare == nil {
		s.spare = s.newCard().(*feedCard)
	}
	s.bindCard(i, s.spare)
	return s.spare
}

// minHeight lays out one object at least h tall: a card's message keeps
// room for cardLines lines however short it is.
type minHeight float32

func (h minHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[0].MinSize()
	return fyne.NewSize(m.Width, max(m.Height, float32(h)))
}

func (h minHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// cardText is what a card says: the message, or for TikTok (no message) the
// instructions.
func cardText(it client.FeedItem) string {
	if it.Message != "" {
		return it.Message
	}
	return it.Instructions
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
