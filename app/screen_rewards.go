package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// rewardsScreen: the catalog to redeem points for, and my redemptions.
type rewardsScreen struct {
	k           *kit
	host        balanceHost
	balance     *widget.Label
	status      *widget.Label
	list        *fyne.Container
	mine        *fyne.Container
	rewards     []client.Reward
	redeem      map[string]*widget.Button // by reward id
	why         map[string]*widget.Label  // why a reward's button is off, by id
	redemptions []client.Redemption
	// actionIDs keeps one idempotency key per reward until its redeem is
	// answered, so a retry after a lost answer does not spend twice.
	actionIDs map[string]string
	content   fyne.CanvasObject
}

func newRewardsScreen(k *kit, host balanceHost) *rewardsScreen {
	tr := k.tr
	s := &rewardsScreen{k: k, host: host, redeem: map[string]*widget.Button{}, actionIDs: map[string]string{}}
	s.balance = widget.NewLabel("")
	s.status = caption("")
	s.status.Hide()
	s.list = container.NewVBox()
	s.mine = container.NewVBox()
	body := container.NewVBox(s.list, heading(tr.T("rewards.mine")), s.mine)
	reload := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), s.load)
	reload.Importance = widget.LowImportance
	title := container.NewBorder(nil, nil, nil, reload, heading(tr.T("rewards.title")))
	s.content = container.NewBorder(container.NewVBox(title, s.balance, s.status), nil, nil, nil,
		container.NewVScroll(body))
	s.showBalance()
	return s
}

func (s *rewardsScreen) showBalance() {
	tr, total := s.k.tr, s.host.balance()
	if total < 0 {
		s.balance.SetText("")
		return
	}
	s.balance.SetText(tr.T("rewards.balance", "points", tr.Points(total)))
	s.showRewards()
}

func (s *rewardsScreen) load() {
	k := s.k
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	say(s.status, k.tr.T("common.loading"))
	k.goBG(func(ctx context.Context) {
		pts, perr := api.MyPoints(ctx, pid)
		rewards, err := api.Rewards(ctx, pid)
		mine, merr := api.Redemptions(ctx, pid)
		k.post(sess, func() {
			if perr == nil {
				s.host.setBalance(pts.Total)
			}
			if err == nil {
				err = merr
			}
			if err != nil {
				say(s.status, k.errText(err))
			} else {
				say(s.status, "")
			}
			s.rewards, s.redemptions = rewards, mine
			s.showBalance()
			s.showRewards()
			s.showRedemptions()
		})
	})
}

func (s *rewardsScreen) showRewards() {
	tr := s.k.tr
	objs := make([]fyne.CanvasObject, 0, len(s.rewards))
	s.redeem, s.why = map[string]*widget.Button{}, map[string]*widget.Label{}
	for _, r := range s.rewards {
		r := r
		title := widget.NewLabel(r.Title)
		title.TextStyle = fyne.TextStyle{Bold: true}
		title.Wrapping = fyne.TextWrapWord
		desc := caption(r.Description)
		left := tr.T("rewards.unlimited")
		if r.Remaining != nil {
			left = tr.N("rewards.left", *r.Remaining)
		}
		meta := widget.NewLabel(tr.Points(r.Cost) + " · " + left)
		b := widget.NewButton(tr.T("rewards.redeem"), func() { s.onRedeem(r) })
		b.Importance = widget.HighImportance
		// Why it cannot be redeemed now, beside the button that is off.
		why := small("")
		why.Importance = widget.WarningImportance
		switch bal := s.host.balance(); {
		case r.Remaining != nil && *r.Remaining <= 0:
			why.SetText(tr.T("rewards.gone"))
		case bal >= 0 && r.Cost > bal:
			why.SetText(tr.T("rewards.need", "points", tr.Points(r.Cost-bal)))
		}
		if why.Text != "" {
			b.Disable()
		}
		s.redeem[r.ID] = b
		s.why[r.ID] = why
		body := container.NewVBox(title, desc, container.NewHBox(meta, layout.NewSpacer(), why, b))
		objs = append(objs, newTapCard(body, nil))
	}
	if len(objs) == 0 {
		objs = append(objs, wrapped(tr.T("rewards.empty")))
	}
	s.list.Objects = objs
	s.list.Refresh()
}

func (s *rewardsScreen) showRedemptions() {
	tr := s.k.tr
	objs := make([]fyne.CanvasObject, 0, len(s.redemptions))
	for _, r := range s.redemptions {
		status := widget.NewLabel(tr.T("redemption." + r.Status))
		switch r.Status {
		case wire.RedemptionFulfilled:
			status.Importance = widget.SuccessImportance
		case wire.RedemptionRejected:
			status.Importance = widget.DangerImportance
		default:
			status.Importance = widget.WarningImportance
		}
		line := widget.NewLabel(r.RewardTitle + " · " + tr.Points(r.Cost) + " · " + tr.Day(r.CreatedAt))
		line.Truncation = fyne.TextTruncateEllipsis
		objs = append(objs, container.NewBorder(nil, nil, nil, status, line))
	}
	if len(objs) == 0 {
		objs = append(objs, wrapped(tr.T("rewards.none_yet")))
	}
	s.mine.Objects = objs
	s.mine.Refresh()
}

func (s *rewardsScreen) onRedeem(r client.Reward) {
	tr := s.k.tr
	dialog.ShowConfirm(tr.T("rewards.confirm_title"), tr.T("rewards.confirm", "title", r.Title, "points", tr.Points(r.Cost)),
		func(ok bool) {
			if ok {
				s.redeemNow(r)
			}
		}, s.k.win)
}

// redeemNow spends the points; separate from the dialog so tests drive it.
func (s *rewardsScreen) redeemNow(r client.Reward) {
	k := s.k
	sess := k.session()
	api, pid := sess.API, sess.ProgramID
	id := s.actionIDs[r.ID]
	if id == "" {
		id = session.NewActionID()
		s.actionIDs[r.ID] = id
	}
	if b := s.redeem[r.ID]; b != nil {
		b.Disable()
	}
	k.goBG(func(ctx context.Context) {
		red, err := api.Redeem(ctx, pid, r.ID, client.Redeem{ClientActionID: id})
		k.post(sess, func() {
			if err != nil && session.RetryLater(err) {
				say(s.status, k.errText(err))
				s.showRewards()
				return
			}
			delete(s.actionIDs, r.ID)
			if err != nil {
				say(s.status, k.errText(err))
				s.showRewards()
				return
			}
			say(s.status, k.tr.T("rewards.requested", "title", red.RewardTitle))
			s.load()
		})
	})
}
