package app

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// rewardsAdmin keeps the reward catalog and decides members' redemptions.
type rewardsAdmin struct {
	a *adminKit

	items       []client.Reward
	redemptions []client.Redemption

	newTitle, newCost, newQty *widget.Entry
	create                    *widget.Button
	list                      *fyne.Container
	rows                      map[string]*rewardRow
	redemptionList            *fyne.Container
	redemptionRows            map[string]*redemptionRow

	content fyne.CanvasObject
}

type rewardRow struct {
	reward client.Reward
	title  *widget.Entry
	cost   *widget.Entry
	qty    *widget.Entry
	active *widget.Check
	save   *widget.Button
}

type redemptionRow struct {
	item   client.Redemption
	note   *widget.Entry
	fulfil *widget.Button
	reject *widget.Button
}

func newRewardsAdmin(a *adminKit) *rewardsAdmin {
	tr := a.m.k.tr
	p := &rewardsAdmin{a: a}
	p.newTitle, p.newCost, p.newQty = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	p.newTitle.SetPlaceHolder(tr.T("mgr.admin.reward_title"))
	p.newCost.SetPlaceHolder(tr.T("mgr.admin.reward_cost"))
	p.newQty.SetPlaceHolder(tr.T("mgr.admin.reward_qty"))
	p.create = widget.NewButtonWithIcon(tr.T("mgr.admin.create"), theme.ContentAddIcon(), p.onCreate)
	p.list = container.NewVBox()
	p.redemptionList = container.NewVBox()
	p.content = container.NewVScroll(container.NewVBox(
		bold(tr.T("mgr.admin.rewards")),
		container.NewBorder(nil, nil, nil, p.create,
			container.New(&columns{weights: []float32{4, 1, 1}}, p.newTitle, p.newCost, p.newQty)),
		p.list, widget.NewSeparator(),
		bold(tr.T("mgr.admin.redemptions")), p.redemptionList))
	return p
}

// reload fetches the catalog and the redemptions.
func (p *rewardsAdmin) reload() {
	type both struct {
		rewards     []client.Reward
		redemptions []client.Redemption
	}
	call(p.a.m, p.a.setStatus, func(ctx context.Context, api *client.Client, pid string) (both, error) {
		rewards, err := api.Rewards(ctx, pid)
		if err != nil {
			return both{}, err
		}
		redemptions, err := api.Redemptions(ctx, pid)
		return both{rewards, redemptions}, err
	}, func(b both) {
		p.items, p.redemptions = b.rewards, b.redemptions
		p.show()
	})
}

func (p *rewardsAdmin) show() {
	tr := p.a.m.k.tr
	p.rows = map[string]*rewardRow{}
	var objs []fyne.CanvasObject
	for _, rw := range p.items {
		r := &rewardRow{reward: rw, title: widget.NewEntry(), cost: widget.NewEntry(), qty: widget.NewEntry()}
		r.title.SetText(rw.Title)
		r.cost.SetText(strconv.Itoa(rw.Cost))
		r.qty.SetPlaceHolder(tr.T("mgr.admin.unlimited"))
		if rw.Quantity != nil {
			r.qty.SetText(strconv.Itoa(*rw.Quantity))
		}
		r.active = widget.NewCheck(tr.T("mgr.admin.active"), nil)
		r.active.SetChecked(rw.Active)
		r.save = widget.NewButtonWithIcon(tr.T("mgr.save"), theme.DocumentSaveIcon(), func() { p.onSave(r) })
		left := ""
		if rw.Remaining != nil {
			left = tr.T("mgr.admin.remaining", "n", tr.Num(*rw.Remaining))
		}
		p.rows[rw.ID] = r
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewHBox(small(left), r.active, r.save),
			container.New(&columns{weights: []float32{4, 1, 1}}, r.title, r.cost, r.qty)))
	}
	p.list.Objects = orEmpty(tr, objs)
	p.list.Refresh()

	// Redemptions: pending first, then the newest.
	sort.SliceStable(p.redemptions, func(i, j int) bool {
		pi, pj := p.redemptions[i].Status == wire.RedemptionPending, p.redemptions[j].Status == wire.RedemptionPending
		if pi != pj {
			return pi
		}
		return p.redemptions[i].CreatedAt.After(p.redemptions[j].CreatedAt)
	})
	p.redemptionRows = map[string]*redemptionRow{}
	objs = nil
	for _, rd := range p.redemptions {
		r := &redemptionRow{item: rd, note: widget.NewEntry()}
		r.note.SetPlaceHolder(tr.T("mgr.admin.note"))
		r.fulfil = widget.NewButtonWithIcon(tr.T("mgr.admin.fulfil"), theme.ConfirmIcon(), func() { p.onDecide(r, true) })
		r.fulfil.Importance = widget.SuccessImportance
		r.reject = widget.NewButtonWithIcon(tr.T("mgr.admin.reject"), theme.CancelIcon(), func() { p.onDecide(r, false) })
		r.reject.Importance = widget.DangerImportance
		head := container.NewHBox(bold(rd.RewardTitle), caption(rd.MemberName+" · "+tr.Points(rd.Cost)+" · "+tr.Day(rd.CreatedAt)))
		var row fyne.CanvasObject
		if rd.Status == wire.RedemptionPending {
			row = container.NewVBox(head, container.NewBorder(nil, nil, nil, container.NewHBox(r.fulfil, r.reject), r.note))
		} else {
			st := widget.NewLabel(tr.T("mgr.admin.redemption." + rd.Status))
			if rd.Note != "" {
				st.SetText(st.Text + " · " + rd.Note)
			}
			row = container.NewBorder(nil, nil, nil, st, head)
		}
		p.redemptionRows[rd.ID] = r
		objs = append(objs, row)
	}
	p.redemptionList.Objects = orEmpty(tr, objs)
	p.redemptionList.Refresh()
}

// input reads a reward's fields; qty blank is unlimited.
func (p *rewardsAdmin) input(title, cost, qty string) (client.RewardInput, bool) {
	tr := p.a.m.k.tr
	title = strings.TrimSpace(title)
	c, err := strconv.Atoi(strings.TrimSpace(cost))
	if title == "" || err != nil || c < 1 {
		p.a.invalid(tr.T("mgr.admin.reward_invalid"))
		return client.RewardInput{}, false
	}
	in := client.RewardInput{Title: &title, Cost: &c}
	q := 0
	if s := strings.TrimSpace(qty); s != "" {
		if q, err = strconv.Atoi(s); err != nil || q < 1 {
			p.a.invalid(tr.T("mgr.admin.reward_invalid"))
			return client.RewardInput{}, false
		}
	}
	in.Quantity = &q
	return in, true
}

func (p *rewardsAdmin) onCreate() {
	tr := p.a.m.k.tr
	in, ok := p.input(p.newTitle.Text, p.newCost.Text, p.newQty.Text)
	if !ok {
		return
	}
	if *in.Quantity == 0 {
		in.Quantity = nil
	}
	active := true
	in.Active = &active
	p.a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.CreateReward(ctx, pid, in)
		return tr.T("mgr.admin.saved", "name", *in.Title), err
	}, func() {
		p.newTitle.SetText("")
		p.newCost.SetText("")
		p.newQty.SetText("")
		p.reload()
	})
}

func (p *rewardsAdmin) onSave(r *rewardRow) {
	tr := p.a.m.k.tr
	in, ok := p.input(r.title.Text, r.cost.Text, r.qty.Text)
	if !ok {
		return
	}
	active := r.active.Checked
	in.Active = &active
	id := r.reward.ID
	p.a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.UpdateReward(ctx, pid, id, in)
		return tr.T("mgr.admin.saved", "name", *in.Title), err
	}, p.reload)
}

func (p *rewardsAdmin) onDecide(r *redemptionRow, fulfil bool) {
	tr := p.a.m.k.tr
	id, what := r.item.ID, r.item.RewardTitle+" · "+r.item.MemberName
	d := client.Decision{Note: strings.TrimSpace(r.note.Text)}
	p.a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		var err error
		if fulfil {
			_, err = api.Fulfil(ctx, pid, id, d)
			return tr.T("mgr.admin.fulfilled", "name", what), err
		}
		_, err = api.Reject(ctx, pid, id, d)
		return tr.T("mgr.admin.rejected", "name", what), err
	}, p.reload)
}
