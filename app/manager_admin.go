package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// adminView is the manager's Admin tab: one page per thing the program
// keeps (members; groups, channels and campaigns, each a listAdmin;
// rewards; the program's settings), a status line they share, and the one
// way they change the server (do).
type adminView struct {
	m      *managerView
	status *widget.Label

	members   *membersAdmin
	groups    *listAdmin
	channels  *listAdmin
	campaigns *listAdmin
	rewards   *rewardsAdmin
	program   *programAdmin

	// pickMembers asks which members belong (group or private channel);
	// tests replace it.
	pickMembers func(title string, selected []string, done func(ids []string))

	content fyne.CanvasObject
}

func newAdminView(m *managerView) *adminView {
	tr := m.k.tr
	a := &adminView{m: m}
	a.pickMembers = a.memberDialog
	a.status = wrapped("")
	a.status.Hide()
	a.members = newMembersAdmin(a)
	a.groups = newListAdmin(a, groupList)
	a.channels = newListAdmin(a, channelList)
	a.campaigns = newListAdmin(a, campaignList)
	a.rewards = newRewardsAdmin(a)
	a.program = newProgramAdmin(a)
	tabs := container.NewAppTabs(
		container.NewTabItem(tr.T("mgr.admin.members"), a.members.content),
		container.NewTabItem(tr.T("mgr.field.groups"), a.groups.content),
		container.NewTabItem(tr.T("mgr.field.channels"), a.channels.content),
		container.NewTabItem(tr.T("mgr.admin.campaigns"), a.campaigns.content),
		container.NewTabItem(tr.T("mgr.admin.rewards"), a.rewards.content),
		container.NewTabItem(tr.T("mgr.admin.settings"), container.NewVScroll(a.program.content)),
	)
	tabs.SetTabLocation(container.TabLocationLeading)
	a.content = container.NewBorder(a.status, nil, nil, nil, tabs)
	return a
}

// reload fetches what only the admin shows (the program, rewards and
// redemptions); the groups, channels, campaigns and members come from
// managerView.load, which calls showShared.
func (a *adminView) reload() {
	a.rewards.reload()
	a.program.reload()
}

// showShared draws the pages made from the manager view's groups, channels,
// campaigns and members.
func (a *adminView) showShared() {
	a.members.show()
	a.groups.show()
	a.channels.show()
	a.campaigns.show()
}

func (a *adminView) setStatus(msg string, imp widget.Importance) {
	a.status.Importance = imp
	say(a.status, msg)
}

func (a *adminView) invalid(msg string) { a.setStatus(msg, widget.DangerImportance) }

// do runs a change on the server and says how it went; then, on success,
// runs then (clear the form, fetch again what changed) on the UI goroutine.
func (a *adminView) do(change func(ctx context.Context, api *client.Client, pid string) (string, error), then func()) {
	call(a.m, a.setStatus, change, func(msg string) {
		a.setStatus(msg, widget.SuccessImportance)
		if then != nil {
			then()
		}
	})
}

func (a *adminView) confirm(msg string, yes func()) {
	dialog.ShowConfirm(a.m.k.tr.T("mgr.admin.sure"), msg, func(ok bool) {
		if ok {
			yes()
		}
	}, a.m.k.win)
}

func orEmpty(tr *Tr, objs []fyne.CanvasObject) []fyne.CanvasObject {
	if len(objs) == 0 {
		return []fyne.CanvasObject{caption(tr.T("mgr.admin.empty"))}
	}
	return objs
}
