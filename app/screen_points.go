package app

import (
	"context"
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// pointsScreen: my points and rank, and the leaderboard by period and group.
type pointsScreen struct {
	k       *kit
	host    balanceHost
	total   *widget.Label
	rank    *widget.Label
	period  *segmented
	group   *widget.Select
	groups  []client.Group
	status  *widget.Label
	rows    *fyne.Container
	entries []client.LeaderboardEntry
	loaded  bool
	content fyne.CanvasObject
}

var periods = []string{"all", "month", "week"}

// balanceHost is what the points and rewards screens ask of the app: who
// the member is, and their points, which both screens show and either may
// learn anew.
type balanceHost interface {
	member() client.Me
	// balance is the member's points, -1 until known.
	balance() int
	// setBalance records the points and shows them on both screens.
	setBalance(total int)
}

func newPointsScreen(k *kit, host balanceHost) *pointsScreen {
	tr := k.tr
	s := &pointsScreen{k: k, host: host}
	s.total = heading("")
	s.rank = widget.NewLabel("")
	s.period = newSegmented(periods, []string{tr.T("board.all"), tr.T("board.month"), tr.T("board.week")}, "all",
		func(string) { s.load() })
	s.group = widget.NewSelect(nil, func(string) { s.load() })
	s.group.PlaceHolder = tr.T("board.everyone")
	s.group.Hide()
	s.status = caption("")
	s.status.Hide()
	s.rows = container.NewVBox()
	reload := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), s.load)
	reload.Importance = widget.LowImportance
	title := container.NewBorder(nil, nil, nil, reload, heading(tr.T("board.title")))
	top := container.NewVBox(title, s.total, s.rank, s.period.box, s.group, s.status)
	s.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(s.rows))
	s.showTotal()
	return s
}

func (s *pointsScreen) showTotal() {
	tr, total := s.k.tr, s.host.balance()
	if total < 0 {
		s.total.SetText(tr.T("board.my_points_unknown"))
		return
	}
	s.total.SetText(tr.T("board.my_points", "points", tr.Points(total)))
}

func (s *pointsScreen) groupID() string {
	i := s.group.SelectedIndex()
	if i <= 0 || i > len(s.groups) {
		return "" // 0 is "Everyone"
	}
	return s.groups[i-1].ID
}

// load fetches my points, the groups (managers only: the server keeps
// groups from members), and the board.
func (s *pointsScreen) load() {
	k := s.k
	sess, period, group := k.session(), s.period.selected, s.groupID()
	api, pid := sess.API, sess.ProgramID
	needGroups := !s.loaded
	s.loaded = true
	say(s.status, k.tr.T("common.loading"))
	k.goBG(func(ctx context.Context) {
		pts, perr := api.MyPoints(ctx, pid)
		var groups []client.Group
		if needGroups {
			groups, _ = api.Groups(ctx, pid)
		}
		board, err := api.Leaderboard(ctx, pid, period, group, boardPage)
		k.post(sess, func() {
			if perr == nil {
				s.host.setBalance(pts.Total)
			}
			if len(groups) > 0 {
				s.setGroups(groups)
			}
			if err != nil {
				say(s.status, k.errText(err))
				return
			}
			say(s.status, "")
			s.showBoard(board)
		})
	})
}

func (s *pointsScreen) setGroups(groups []client.Group) {
	s.groups = groups
	opts := []string{s.k.tr.T("board.everyone")}
	for _, g := range groups {
		opts = append(opts, g.Name)
	}
	s.group.SetOptions(opts)
	s.group.Show()
}

func (s *pointsScreen) showBoard(b client.Leaderboard) {
	tr := s.k.tr
	b.Entries = withOwnRow(b, s.host.member())
	s.entries = b.Entries
	if b.Me.Rank > 0 && b.Me.Points > 0 {
		s.rank.SetText(tr.T("board.my_rank", "rank", tr.Num(b.Me.Rank), "points", tr.Points(b.Me.Points)))
	} else {
		s.rank.SetText(tr.T("board.no_rank"))
	}
	objs := make([]fyne.CanvasObject, 0, len(b.Entries))
	for _, e := range b.Entries {
		rank := widget.NewLabel("#" + strconv.Itoa(e.Rank))
		name := widget.NewLabel(e.Name)
		name.Truncation = fyne.TextTruncateEllipsis
		pts := widget.NewLabel(tr.Points(e.Points))
		if e.MemberID == s.host.member().ID {
			for _, l := range []*widget.Label{rank, name, pts} {
				l.TextStyle = fyne.TextStyle{Bold: true}
				l.Importance = widget.HighImportance
			}
			name.SetText(tr.T("board.you", "name", e.Name))
		}
		objs = append(objs, container.NewBorder(nil, nil, container.New(layout.NewGridWrapLayout(fyne.NewSize(56, rank.MinSize().Height)), rank), pts, name))
	}
	if len(objs) == 0 {
		objs = append(objs, wrapped(tr.T("board.empty")))
	}
	s.rows.Objects = objs
	s.rows.Refresh()
}

// boardPage is how many rows of the leaderboard are shown.
const boardPage = 50

// withOwnRow puts the caller's own row on the board as their live points
// place it. The server reads the caller's points live but serves the other
// rows from a board rebuilt every few seconds, so right after a perform
// the member would be "#1" yet missing from the list below. Ranks are
// counted again (equal points, equal rank) only when the row moved.
func withOwnRow(b client.Leaderboard, me client.Me) []client.LeaderboardEntry {
	rows := b.Entries
	i := slices.IndexFunc(rows, func(e client.LeaderboardEntry) bool { return e.MemberID == me.ID })
	if b.Me.Points <= 0 || (i >= 0 && rows[i].Points == b.Me.Points) {
		return rows
	}
	if i < 0 && (b.Me.Rank <= 0 || b.Me.Rank > boardPage) {
		return rows // not on this page
	}
	own := client.LeaderboardEntry{MemberID: me.ID, Name: me.Name, Points: b.Me.Points}
	if i >= 0 {
		own.Name = rows[i].Name
		rows = slices.Delete(slices.Clone(rows), i, i+1)
	}
	at := slices.IndexFunc(rows, func(e client.LeaderboardEntry) bool { return e.Points < own.Points })
	if at < 0 {
		at = len(rows)
	}
	rows = slices.Insert(slices.Clone(rows), at, own)
	for j := range rows {
		if j > 0 && rows[j].Points == rows[j-1].Points {
			rows[j].Rank = rows[j-1].Rank
		} else {
			rows[j].Rank = j + 1
		}
	}
	return rows
}
