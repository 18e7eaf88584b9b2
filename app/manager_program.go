package app

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// programAdmin is the program's own settings: its time zone, and whether
// members see the leaderboard and the rewards.
type programAdmin struct {
	a       *adminKit
	program client.Program

	zone        *widget.Select
	leaderboard *widget.Check
	rewardsOn   *widget.Check
	save        *widget.Button

	content fyne.CanvasObject
}

func newProgramAdmin(a *adminKit) *programAdmin {
	tr := a.m.k.tr
	p := &programAdmin{a: a}
	p.zone = widget.NewSelect(slices.Clone(zones), nil)
	p.leaderboard = widget.NewCheck(tr.T("mgr.admin.leaderboard_on"), nil)
	p.rewardsOn = widget.NewCheck(tr.T("mgr.admin.rewards_on"), nil)
	p.save = widget.NewButtonWithIcon(tr.T("mgr.save"), theme.DocumentSaveIcon(), p.onSave)
	p.save.Importance = widget.HighImportance
	p.content = container.NewVBox(
		widget.NewForm(widget.NewFormItem(tr.T("mgr.admin.timezone"), p.zone)),
		caption(tr.T("mgr.admin.timezone_help")),
		p.leaderboard, p.rewardsOn,
		container.NewHBox(layout.NewSpacer(), p.save))
	return p
}

func (p *programAdmin) reload() {
	call(p.a.m, p.a.setStatus, func(ctx context.Context, api *client.Client, pid string) (client.Program, error) {
		return api.Program(ctx, pid)
	}, p.show)
}

func (p *programAdmin) show(prog client.Program) {
	p.program = prog
	if z := prog.Timezone; z != "" && !slices.Contains(p.zone.Options, z) {
		p.zone.Options = append([]string{z}, p.zone.Options...)
	}
	p.zone.SetSelected(prog.Timezone)
	p.leaderboard.SetChecked(prog.LeaderboardEnabled)
	p.rewardsOn.SetChecked(prog.RewardsEnabled)
}

func (p *programAdmin) onSave() {
	tr := p.a.m.k.tr
	zone, lb, rw := p.zone.Selected, p.leaderboard.Checked, p.rewardsOn.Checked
	in := client.UpdateProgram{LeaderboardEnabled: &lb, RewardsEnabled: &rw}
	if zone != "" {
		in.Timezone = &zone
	}
	var saved client.Program
	p.a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		var err error
		saved, err = api.UpdateProgram(ctx, pid, in)
		return tr.T("mgr.admin.saved", "name", saved.Name), err
	}, func() { p.show(saved) })
}
