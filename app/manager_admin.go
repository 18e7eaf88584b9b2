package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// adminView is the manager's Admin tab: one page per thing the program
// keeps (members; groups, channels and campaigns, each a listAdmin;
// rewards; the program's settings), a status line they share, and the one
// way they change the server (do).
type adminView struct {
	*adminKit

	members   *membersAdmin
	groups    *listAdmin
	channels  *listAdmin
	campaigns *listAdmin
	rewards   *rewardsAdmin
	program   *programAdmin

	content fyne.CanvasObject
}

func newAdminView(m *mgr) *adminView {
	tr := m.k.tr
	k := &adminKit{m: m, status: wrapped("")}
	k.pickMembers = k.memberDialog
	k.status.Hide()
	a := &adminView{adminKit: k}
	a.members = newMembersAdmin(k)
	a.groups = newListAdmin(k, groupList)
	a.channels = newListAdmin(k, channelList)
	a.campaigns = newListAdmin(k, campaignList)
	a.rewards = newRewardsAdmin(k)
	a.program = newProgramAdmin(k)
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
