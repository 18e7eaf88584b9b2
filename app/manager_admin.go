package app

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

var memberRoles = []string{"member", "manager"}

// adminView runs the program: members, groups, channels, campaigns,
// rewards and redemptions, and the program's settings.
type adminView struct {
	m      *managerView
	status *widget.Label

	program     client.Program
	rewards     []client.Reward
	redemptions []client.Redemption

	// Members.
	inviteName, inviteEmail *widget.Entry
	inviteRole              *widget.Select
	inviteGroups            *widget.CheckGroup
	invite                  *widget.Button
	inviteCode              *widget.Entry // read-only, to copy
	memberList              *fyne.Container
	memberRows              map[string]*memberRow

	// Groups, channels, campaigns.
	newGroup     *widget.Entry
	createGroup  *widget.Button
	groupList    *fyne.Container
	groupRows    map[string]*nameRow
	newChannel   *widget.Entry
	newChanVis   *widget.Select
	createChan   *widget.Button
	channelList  *fyne.Container
	channelRows  map[string]*nameRow
	newCampaign  *widget.Entry
	createCamp   *widget.Button
	campaignList *fyne.Container
	campaignRows map[string]*nameRow

	// Rewards and redemptions.
	newRewardTitle, newRewardCost, newRewardQty *widget.Entry
	createReward                                *widget.Button
	rewardList                                  *fyne.Container
	rewardRows                                  map[string]*rewardRow
	redemptionList                              *fyne.Container
	redemptionRows                              map[string]*redemptionRow

	// Settings.
	zone        *widget.Select
	leaderboard *widget.Check
	rewardsOn   *widget.Check
	saveProgram *widget.Button

	// pickMembers asks which members belong (group or private channel);
	// tests replace it.
	pickMembers func(title string, selected []string, done func(ids []string))

	content fyne.CanvasObject
}

type memberRow struct {
	member client.Member
	role   *widget.Select
	groups *widget.CheckGroup
	save   *widget.Button
	remove *widget.Button
}

// nameRow is a group, channel or campaign: a name to edit and actions.
type nameRow struct {
	id         string
	name       *widget.Entry
	visibility *widget.Select // channels
	save       *widget.Button
	members    *widget.Button // groups and private channels
	remove     *widget.Button
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

func newAdminView(m *managerView) *adminView {
	tr := m.ui.tr
	a := &adminView{m: m}
	a.pickMembers = a.memberDialog
	a.status = wrapped("")
	a.status.Hide()

	// Members.
	a.inviteName, a.inviteEmail = widget.NewEntry(), widget.NewEntry()
	a.inviteName.SetPlaceHolder(tr.T("mgr.admin.name"))
	a.inviteEmail.SetPlaceHolder(tr.T("mgr.admin.email"))
	a.inviteRole = widget.NewSelect(roleLabels(tr), nil)
	a.inviteRole.SetSelectedIndex(0)
	a.inviteGroups = widget.NewCheckGroup(nil, nil)
	a.inviteGroups.Horizontal = true
	a.invite = widget.NewButtonWithIcon(tr.T("mgr.admin.invite"), theme.MailSendIcon(), a.onInvite)
	a.invite.Importance = widget.HighImportance
	a.inviteCode = widget.NewEntry()
	a.inviteCode.Hide()
	a.memberList = container.NewVBox()
	inviteBox := container.NewVBox(bold(tr.T("mgr.admin.invite_title")),
		container.NewGridWithColumns(3, a.inviteName, a.inviteEmail, a.inviteRole),
		container.NewBorder(nil, nil, widget.NewLabel(tr.T("mgr.field.groups")), a.invite, a.inviteGroups),
		a.inviteCode, widget.NewSeparator())
	members := container.NewBorder(inviteBox, nil, nil, nil, container.NewVScroll(a.memberList))

	// Groups.
	a.newGroup = widget.NewEntry()
	a.newGroup.SetPlaceHolder(tr.T("mgr.admin.new_group"))
	a.createGroup = widget.NewButtonWithIcon(tr.T("mgr.admin.create"), theme.ContentAddIcon(), a.onCreateGroup)
	a.groupList = container.NewVBox()
	groups := container.NewBorder(container.NewBorder(nil, nil, nil, a.createGroup, a.newGroup), nil, nil, nil,
		container.NewVScroll(a.groupList))

	// Channels.
	a.newChannel = widget.NewEntry()
	a.newChannel.SetPlaceHolder(tr.T("mgr.admin.new_channel"))
	a.newChanVis = widget.NewSelect(visibilityLabels(tr), nil)
	a.newChanVis.SetSelectedIndex(0)
	a.createChan = widget.NewButtonWithIcon(tr.T("mgr.admin.create"), theme.ContentAddIcon(), a.onCreateChannel)
	a.channelList = container.NewVBox()
	channels := container.NewBorder(container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(a.newChanVis, a.createChan), a.newChannel),
		caption(tr.T("mgr.admin.channel_rule"))), nil, nil, nil, container.NewVScroll(a.channelList))

	// Campaigns.
	a.newCampaign = widget.NewEntry()
	a.newCampaign.SetPlaceHolder(tr.T("mgr.admin.new_campaign"))
	a.createCamp = widget.NewButtonWithIcon(tr.T("mgr.admin.create"), theme.ContentAddIcon(), a.onCreateCampaign)
	a.campaignList = container.NewVBox()
	campaigns := container.NewBorder(container.NewBorder(nil, nil, nil, a.createCamp, a.newCampaign), nil, nil, nil,
		container.NewVScroll(a.campaignList))

	// Rewards and redemptions.
	a.newRewardTitle, a.newRewardCost, a.newRewardQty = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	a.newRewardTitle.SetPlaceHolder(tr.T("mgr.admin.reward_title"))
	a.newRewardCost.SetPlaceHolder(tr.T("mgr.admin.reward_cost"))
	a.newRewardQty.SetPlaceHolder(tr.T("mgr.admin.reward_qty"))
	a.createReward = widget.NewButtonWithIcon(tr.T("mgr.admin.create"), theme.ContentAddIcon(), a.onCreateReward)
	a.rewardList = container.NewVBox()
	a.redemptionList = container.NewVBox()
	rewards := container.NewVScroll(container.NewVBox(
		bold(tr.T("mgr.admin.rewards")),
		container.NewBorder(nil, nil, nil, a.createReward,
			container.New(&columns{weights: []float32{4, 1, 1}}, a.newRewardTitle, a.newRewardCost, a.newRewardQty)),
		a.rewardList, widget.NewSeparator(),
		bold(tr.T("mgr.admin.redemptions")), a.redemptionList))

	// Settings.
	a.zone = widget.NewSelect(slices.Clone(zones), nil)
	a.leaderboard = widget.NewCheck(tr.T("mgr.admin.leaderboard_on"), nil)
	a.rewardsOn = widget.NewCheck(tr.T("mgr.admin.rewards_on"), nil)
	a.saveProgram = widget.NewButtonWithIcon(tr.T("mgr.save"), theme.DocumentSaveIcon(), a.onSaveProgram)
	a.saveProgram.Importance = widget.HighImportance
	settings := container.NewVBox(
		widget.NewForm(widget.NewFormItem(tr.T("mgr.admin.timezone"), a.zone)),
		caption(tr.T("mgr.admin.timezone_help")),
		a.leaderboard, a.rewardsOn,
		container.NewHBox(layout.NewSpacer(), a.saveProgram))

	tabs := container.NewAppTabs(
		container.NewTabItem(tr.T("mgr.admin.members"), members),
		container.NewTabItem(tr.T("mgr.field.groups"), groups),
		container.NewTabItem(tr.T("mgr.field.channels"), channels),
		container.NewTabItem(tr.T("mgr.admin.campaigns"), campaigns),
		container.NewTabItem(tr.T("mgr.admin.rewards"), rewards),
		container.NewTabItem(tr.T("mgr.admin.settings"), container.NewVScroll(settings)),
	)
	tabs.SetTabLocation(container.TabLocationLeading)
	a.content = container.NewBorder(a.status, nil, nil, nil, tabs)
	return a
}

func roleLabels(tr *Tr) []string {
	return []string{tr.T("mgr.role.member"), tr.T("mgr.role.manager")}
}

var visibilities = []string{"public", "private"}

func visibilityLabels(tr *Tr) []string {
	return []string{tr.T("mgr.admin.public"), tr.T("mgr.channel.private")}
}

func (a *adminView) setStatus(msg string, imp widget.Importance) {
	a.status.Importance = imp
	say(a.status, msg)
}

// reload fetches everything the admin shows, and keeps the manager view's
// groups, channels, campaigns and members in step.
func (a *adminView) reload() {
	ui := a.m.ui
	api, pid := ui.api, ui.programID
	ui.goBG(func(ctx context.Context) {
		prog, err1 := api.Program(ctx, pid)
		members, err2 := api.Members(ctx, pid)
		groups, err3 := api.Groups(ctx, pid)
		channels, err4 := api.Channels(ctx, pid)
		campaigns, err5 := api.Campaigns(ctx, pid)
		rewards, err6 := api.Rewards(ctx, pid)
		redemptions, err7 := api.Redemptions(ctx, pid)
		fyne.Do(func() {
			if ui.mgr != a.m {
				return
			}
			for _, err := range []error{err1, err2, err3, err4, err5, err6, err7} {
				if err != nil {
					a.setStatus(ui.errText(err), widget.DangerImportance)
					return
				}
			}
			sort.Slice(members, func(i, j int) bool { return strings.ToLower(members[i].Name) < strings.ToLower(members[j].Name) })
			m := a.m
			m.groups, m.channels, m.campaigns, m.members = groups, channels, campaigns, members
			a.program, a.rewards, a.redemptions = prog, rewards, redemptions
			m.list.setCampaigns()
			m.preview.filter(m.preview.query.Text)
			a.show()
		})
	})
}

// do runs a change on the server, says how it went, and reloads.
func (a *adminView) do(change func(ctx context.Context, api *client.Client, pid string) (string, error)) {
	call(a.m, a.setStatus, change, func(msg string) {
		a.setStatus(msg, widget.SuccessImportance)
		a.reload()
	})
}

func (a *adminView) groupNames() []string {
	names := make([]string, len(a.m.groups))
	for i, g := range a.m.groups {
		names[i] = g.Name
	}
	return names
}

func (a *adminView) groupIDs(names []string) []string {
	ids := []string{}
	for _, g := range a.m.groups {
		if slices.Contains(names, g.Name) {
			ids = append(ids, g.ID)
		}
	}
	return ids
}

func (a *adminView) namesOf(ids []string) []string {
	names := []string{}
	for _, g := range a.m.groups {
		if slices.Contains(ids, g.ID) {
			names = append(names, g.Name)
		}
	}
	return names
}

// show draws every list from what is loaded.
func (a *adminView) show() {
	tr := a.m.ui.tr
	m := a.m
	keep := a.inviteGroups.Selected
	a.inviteGroups.Options = a.groupNames()
	a.inviteGroups.Selected = nil
	a.inviteGroups.SetSelected(slices.DeleteFunc(slices.Clone(keep), func(s string) bool { return !slices.Contains(a.inviteGroups.Options, s) }))
	a.inviteGroups.Refresh()

	// Members.
	a.memberRows = map[string]*memberRow{}
	objs := []fyne.CanvasObject{}
	for _, mem := range m.members {
		r := &memberRow{member: mem}
		r.role = widget.NewSelect(roleLabels(tr), nil)
		r.role.SetSelectedIndex(max(slices.Index(memberRoles, mem.Role), 0))
		r.groups = widget.NewCheckGroup(a.groupNames(), nil)
		r.groups.Horizontal = true
		r.groups.SetSelected(a.namesOf(mem.GroupIDs))
		r.save = widget.NewButtonWithIcon(tr.T("mgr.save"), theme.DocumentSaveIcon(), func() { a.onSaveMember(r) })
		r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { a.confirm(tr.T("mgr.admin.remove_member", "name", mem.Name), func() { a.onRemoveMember(r) }) })
		r.remove.Importance = widget.DangerImportance
		who := bold(mem.Name)
		info := mem.Email
		if mem.Status == "invited" {
			info += " · " + tr.T("mgr.admin.invited")
		}
		if mem.Timezone != "" {
			info += " · " + mem.Timezone
		}
		a.memberRows[mem.ID] = r
		objs = append(objs, container.NewVBox(
			container.NewBorder(nil, nil, who, container.NewHBox(r.role, r.save, r.remove), line(info)),
			r.groups, widget.NewSeparator()))
	}
	a.memberList.Objects = objs
	a.memberList.Refresh()

	// Groups.
	a.groupRows = map[string]*nameRow{}
	objs = nil
	for _, g := range m.groups {
		r := &nameRow{id: g.ID, name: widget.NewEntry()}
		r.name.SetText(g.Name)
		r.save = widget.NewButton(tr.T("mgr.admin.rename"), func() { a.onRenameGroup(r) })
		r.members = widget.NewButtonWithIcon(tr.N("mgr.admin.members_n", g.MemberCount), theme.AccountIcon(), func() { a.onGroupMembers(r) })
		r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { a.confirm(tr.T("mgr.admin.delete_q", "name", g.Name), func() { a.onDeleteGroup(r) }) })
		r.remove.Importance = widget.DangerImportance
		a.groupRows[g.ID] = r
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewHBox(r.save, r.members, r.remove), r.name))
	}
	a.groupList.Objects = orEmpty(tr, objs)
	a.groupList.Refresh()

	// Channels.
	a.channelRows = map[string]*nameRow{}
	objs = nil
	for _, c := range m.channels {
		r := &nameRow{id: c.ID, name: widget.NewEntry(), visibility: widget.NewSelect(visibilityLabels(tr), nil)}
		r.name.SetText(c.Name)
		r.visibility.SetSelectedIndex(max(slices.Index(visibilities, c.Visibility), 0))
		r.save = widget.NewButtonWithIcon(tr.T("mgr.save"), theme.DocumentSaveIcon(), func() { a.onSaveChannel(r) })
		r.members = widget.NewButtonWithIcon(tr.N("mgr.admin.members_n", c.MemberCount), theme.AccountIcon(), func() { a.onChannelMembers(r) })
		if c.Visibility != "private" {
			r.members.Disable()
		}
		r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { a.confirm(tr.T("mgr.admin.delete_q", "name", c.Name), func() { a.onDeleteChannel(r) }) })
		r.remove.Importance = widget.DangerImportance
		a.channelRows[c.ID] = r
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewHBox(r.visibility, r.save, r.members, r.remove), r.name))
	}
	a.channelList.Objects = orEmpty(tr, objs)
	a.channelList.Refresh()

	// Campaigns.
	a.campaignRows = map[string]*nameRow{}
	objs = nil
	for _, c := range m.campaigns {
		r := &nameRow{id: c.ID, name: widget.NewEntry()}
		r.name.SetText(c.Name)
		r.save = widget.NewButton(tr.T("mgr.admin.rename"), func() { a.onRenameCampaign(r) })
		r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { a.confirm(tr.T("mgr.admin.delete_q", "name", c.Name), func() { a.onDeleteCampaign(r) }) })
		r.remove.Importance = widget.DangerImportance
		a.campaignRows[c.ID] = r
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewHBox(r.save, r.remove), r.name))
	}
	a.campaignList.Objects = orEmpty(tr, objs)
	a.campaignList.Refresh()

	// Rewards.
	a.rewardRows = map[string]*rewardRow{}
	objs = nil
	for _, rw := range a.rewards {
		r := &rewardRow{reward: rw, title: widget.NewEntry(), cost: widget.NewEntry(), qty: widget.NewEntry()}
		r.title.SetText(rw.Title)
		r.cost.SetText(strconv.Itoa(rw.Cost))
		r.qty.SetPlaceHolder(tr.T("mgr.admin.unlimited"))
		if rw.Quantity != nil {
			r.qty.SetText(strconv.Itoa(*rw.Quantity))
		}
		r.active = widget.NewCheck(tr.T("mgr.admin.active"), nil)
		r.active.SetChecked(rw.Active)
		r.save = widget.NewButtonWithIcon(tr.T("mgr.save"), theme.DocumentSaveIcon(), func() { a.onSaveReward(r) })
		left := ""
		if rw.Remaining != nil {
			left = tr.T("mgr.admin.remaining", "n", tr.Num(*rw.Remaining))
		}
		a.rewardRows[rw.ID] = r
		objs = append(objs, container.NewBorder(nil, nil, nil, container.NewHBox(caption(left), r.active, r.save),
			container.New(&columns{weights: []float32{4, 1, 1}}, r.title, r.cost, r.qty)))
	}
	a.rewardList.Objects = orEmpty(tr, objs)
	a.rewardList.Refresh()

	// Redemptions: pending first, then the newest.
	sort.SliceStable(a.redemptions, func(i, j int) bool {
		pi, pj := a.redemptions[i].Status == "pending", a.redemptions[j].Status == "pending"
		if pi != pj {
			return pi
		}
		return a.redemptions[i].CreatedAt.After(a.redemptions[j].CreatedAt)
	})
	a.redemptionRows = map[string]*redemptionRow{}
	objs = nil
	for _, rd := range a.redemptions {
		r := &redemptionRow{item: rd, note: widget.NewEntry()}
		r.note.SetPlaceHolder(tr.T("mgr.admin.note"))
		r.fulfil = widget.NewButtonWithIcon(tr.T("mgr.admin.fulfil"), theme.ConfirmIcon(), func() { a.onDecide(r, true) })
		r.fulfil.Importance = widget.SuccessImportance
		r.reject = widget.NewButtonWithIcon(tr.T("mgr.admin.reject"), theme.CancelIcon(), func() { a.onDecide(r, false) })
		r.reject.Importance = widget.DangerImportance
		head := container.NewHBox(bold(rd.RewardTitle), caption(rd.MemberName+" · "+tr.Points(rd.Cost)+" · "+tr.Day(rd.CreatedAt)))
		var row fyne.CanvasObject
		if rd.Status == "pending" {
			row = container.NewVBox(head, container.NewBorder(nil, nil, nil, container.NewHBox(r.fulfil, r.reject), r.note))
		} else {
			st := widget.NewLabel(tr.T("mgr.admin.redemption." + rd.Status))
			if rd.Note != "" {
				st.SetText(st.Text + " · " + rd.Note)
			}
			row = container.NewBorder(nil, nil, nil, st, head)
		}
		a.redemptionRows[rd.ID] = r
		objs = append(objs, row)
	}
	a.redemptionList.Objects = orEmpty(tr, objs)
	a.redemptionList.Refresh()

	// Settings.
	if z := a.program.Timezone; z != "" && !slices.Contains(a.zone.Options, z) {
		a.zone.Options = append([]string{z}, a.zone.Options...)
	}
	a.zone.SetSelected(a.program.Timezone)
	a.leaderboard.SetChecked(a.program.LeaderboardEnabled)
	a.rewardsOn.SetChecked(a.program.RewardsEnabled)
}

// line is one line of secondary text, cut with an ellipsis when narrow.
func line(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Truncation = fyne.TextTruncateEllipsis
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// small is one line of secondary text at its full width.
func small(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	return l
}

func orEmpty(tr *Tr, objs []fyne.CanvasObject) []fyne.CanvasObject {
	if len(objs) == 0 {
		return []fyne.CanvasObject{caption(tr.T("mgr.admin.empty"))}
	}
	return objs
}

func (a *adminView) confirm(msg string, yes func()) {
	dialog.ShowConfirm(a.m.ui.tr.T("mgr.admin.sure"), msg, func(ok bool) {
		if ok {
			yes()
		}
	}, a.m.ui.win)
}

func (a *adminView) invalid(msg string) { a.setStatus(msg, widget.DangerImportance) }

// --- Members ---

func (a *adminView) onInvite() {
	tr := a.m.ui.tr
	name, email := strings.TrimSpace(a.inviteName.Text), strings.TrimSpace(a.inviteEmail.Text)
	if name == "" || email == "" {
		a.invalid(tr.T("mgr.admin.invite_missing"))
		return
	}
	in := client.AddMember{Name: name, Email: email, Role: memberRoles[max(a.inviteRole.SelectedIndex(), 0)],
		GroupIDs: a.groupIDs(a.inviteGroups.Selected)}
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		added, err := api.AddMember(ctx, pid, in)
		if err != nil {
			return "", err
		}
		fyne.Do(func() {
			a.inviteName.SetText("")
			a.inviteEmail.SetText("")
			a.inviteGroups.SetSelected(nil)
			if added.InviteCode != "" {
				a.inviteCode.SetText(tr.T("mgr.admin.code", "name", added.Member.Name, "code", added.InviteCode))
			} else {
				a.inviteCode.SetText(tr.T("mgr.admin.added", "name", added.Member.Name))
			}
			a.inviteCode.Show()
		})
		return tr.T("mgr.admin.invited_ok", "name", added.Member.Name), nil
	})
}

func (a *adminView) onSaveMember(r *memberRow) {
	tr := a.m.ui.tr
	role := memberRoles[max(r.role.SelectedIndex(), 0)]
	groups := a.groupIDs(r.groups.Selected)
	id, name := r.member.ID, r.member.Name
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.UpdateMember(ctx, pid, id, client.UpdateMember{Role: &role, GroupIDs: &groups})
		return tr.T("mgr.admin.saved", "name", name), err
	})
}

func (a *adminView) onRemoveMember(r *memberRow) {
	tr := a.m.ui.tr
	id, name := r.member.ID, r.member.Name
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		return tr.T("mgr.admin.deleted", "name", name), api.RemoveMember(ctx, pid, id)
	})
}

// --- Groups ---

func (a *adminView) onCreateGroup() {
	tr := a.m.ui.tr
	name := strings.TrimSpace(a.newGroup.Text)
	if name == "" {
		a.invalid(tr.T("mgr.admin.name_missing"))
		return
	}
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.CreateGroup(ctx, pid, name)
		if err == nil {
			fyne.Do(func() { a.newGroup.SetText("") })
		}
		return tr.T("mgr.admin.saved", "name", name), err
	})
}

func (a *adminView) onRenameGroup(r *nameRow) {
	tr := a.m.ui.tr
	id, name := r.id, strings.TrimSpace(r.name.Text)
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.RenameGroup(ctx, pid, id, name)
		return tr.T("mgr.admin.saved", "name", name), err
	})
}

func (a *adminView) onDeleteGroup(r *nameRow) {
	tr := a.m.ui.tr
	id, name := r.id, r.name.Text
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		return tr.T("mgr.admin.deleted", "name", name), api.DeleteGroup(ctx, pid, id)
	})
}

func (a *adminView) onGroupMembers(r *nameRow) {
	tr := a.m.ui.tr
	in := []string{}
	for _, mem := range a.m.members {
		if slices.Contains(mem.GroupIDs, r.id) {
			in = append(in, mem.ID)
		}
	}
	id, name := r.id, r.name.Text
	a.pickMembers(tr.T("mgr.admin.members_of", "name", name), in, func(ids []string) {
		a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
			_, err := api.SetGroupMembers(ctx, pid, id, ids)
			return tr.T("mgr.admin.saved", "name", name), err
		})
	})
}

// memberDialog lets the manager tick members, by name and email.
func (a *adminView) memberDialog(title string, selected []string, done func(ids []string)) {
	tr := a.m.ui.tr
	labels := make([]string, len(a.m.members))
	byLabel := map[string]string{}
	chosen := []string{}
	for i, mem := range a.m.members {
		labels[i] = mem.Name + " · " + mem.Email
		byLabel[labels[i]] = mem.ID
		if slices.Contains(selected, mem.ID) {
			chosen = append(chosen, labels[i])
		}
	}
	check := widget.NewCheckGroup(labels, nil)
	check.SetSelected(chosen)
	scroll := container.NewVScroll(check)
	scroll.SetMinSize(fyne.NewSize(420, 360))
	dialog.ShowCustomConfirm(title, tr.T("mgr.save"), tr.T("mgr.admin.cancel"), scroll, func(ok bool) {
		if !ok {
			return
		}
		ids := []string{}
		for _, l := range check.Selected {
			ids = append(ids, byLabel[l])
		}
		done(ids)
	}, a.m.ui.win)
}

// --- Channels ---

func (a *adminView) onCreateChannel() {
	tr := a.m.ui.tr
	in := client.ChannelInput{Name: strings.TrimSpace(a.newChannel.Text), Visibility: visibilities[max(a.newChanVis.SelectedIndex(), 0)]}
	if in.Name == "" {
		a.invalid(tr.T("mgr.admin.name_missing"))
		return
	}
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.CreateChannel(ctx, pid, in)
		if err == nil {
			fyne.Do(func() { a.newChannel.SetText("") })
		}
		return tr.T("mgr.admin.saved", "name", in.Name), err
	})
}

func (a *adminView) onSaveChannel(r *nameRow) {
	tr := a.m.ui.tr
	id := r.id
	in := client.ChannelInput{Name: strings.TrimSpace(r.name.Text), Visibility: visibilities[max(r.visibility.SelectedIndex(), 0)]}
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.UpdateChannel(ctx, pid, id, in)
		return tr.T("mgr.admin.saved", "name", in.Name), err
	})
}

func (a *adminView) onDeleteChannel(r *nameRow) {
	tr := a.m.ui.tr
	id, name := r.id, r.name.Text
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		return tr.T("mgr.admin.deleted", "name", name), api.DeleteChannel(ctx, pid, id)
	})
}

// onChannelMembers sets who is in a private channel, starting from who is
// in it now (the list replaces its members).
func (a *adminView) onChannelMembers(r *nameRow) {
	tr := a.m.ui.tr
	id, name := r.id, r.name.Text
	var in []string
	for _, ch := range a.m.channels {
		if ch.ID == id {
			in = ch.MemberIDs
		}
	}
	a.pickMembers(tr.T("mgr.admin.members_of", "name", name), in, func(ids []string) {
		a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
			_, err := api.SetChannelMembers(ctx, pid, id, ids)
			return tr.T("mgr.admin.saved", "name", name), err
		})
	})
}

// --- Campaigns ---

func (a *adminView) onCreateCampaign() {
	tr := a.m.ui.tr
	name := strings.TrimSpace(a.newCampaign.Text)
	if name == "" {
		a.invalid(tr.T("mgr.admin.name_missing"))
		return
	}
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.CreateCampaign(ctx, pid, client.CampaignInput{Name: &name})
		if err == nil {
			fyne.Do(func() { a.newCampaign.SetText("") })
		}
		return tr.T("mgr.admin.saved", "name", name), err
	})
}

func (a *adminView) onRenameCampaign(r *nameRow) {
	tr := a.m.ui.tr
	id, name := r.id, strings.TrimSpace(r.name.Text)
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.UpdateCampaign(ctx, pid, id, client.CampaignInput{Name: &name})
		return tr.T("mgr.admin.saved", "name", name), err
	})
}

func (a *adminView) onDeleteCampaign(r *nameRow) {
	tr := a.m.ui.tr
	id, name := r.id, r.name.Text
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		return tr.T("mgr.admin.deleted", "name", name), api.DeleteCampaign(ctx, pid, id)
	})
}

// --- Rewards and redemptions ---

// rewardInput reads a reward's fields; qty blank is unlimited.
func (a *adminView) rewardInput(title, cost, qty string) (client.RewardInput, bool) {
	tr := a.m.ui.tr
	title = strings.TrimSpace(title)
	c, err := strconv.Atoi(strings.TrimSpace(cost))
	if title == "" || err != nil || c < 1 {
		a.invalid(tr.T("mgr.admin.reward_invalid"))
		return client.RewardInput{}, false
	}
	in := client.RewardInput{Title: &title, Cost: &c}
	q := 0
	if s := strings.TrimSpace(qty); s != "" {
		if q, err = strconv.Atoi(s); err != nil || q < 1 {
			a.invalid(tr.T("mgr.admin.reward_invalid"))
			return client.RewardInput{}, false
		}
	}
	in.Quantity = &q
	return in, true
}

func (a *adminView) onCreateReward() {
	tr := a.m.ui.tr
	in, ok := a.rewardInput(a.newRewardTitle.Text, a.newRewardCost.Text, a.newRewardQty.Text)
	if !ok {
		return
	}
	if *in.Quantity == 0 {
		in.Quantity = nil
	}
	active := true
	in.Active = &active
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.CreateReward(ctx, pid, in)
		if err == nil {
			fyne.Do(func() {
				a.newRewardTitle.SetText("")
				a.newRewardCost.SetText("")
				a.newRewardQty.SetText("")
			})
		}
		return tr.T("mgr.admin.saved", "name", *in.Title), err
	})
}

func (a *adminView) onSaveReward(r *rewardRow) {
	tr := a.m.ui.tr
	in, ok := a.rewardInput(r.title.Text, r.cost.Text, r.qty.Text)
	if !ok {
		return
	}
	active := r.active.Checked
	in.Active = &active
	id := r.reward.ID
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.UpdateReward(ctx, pid, id, in)
		return tr.T("mgr.admin.saved", "name", *in.Title), err
	})
}

func (a *adminView) onDecide(r *redemptionRow, fulfil bool) {
	tr := a.m.ui.tr
	id, what := r.item.ID, r.item.RewardTitle+" · "+r.item.MemberName
	d := client.Decision{Note: strings.TrimSpace(r.note.Text)}
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		var err error
		if fulfil {
			_, err = api.Fulfil(ctx, pid, id, d)
			return tr.T("mgr.admin.fulfilled", "name", what), err
		}
		_, err = api.Reject(ctx, pid, id, d)
		return tr.T("mgr.admin.rejected", "name", what), err
	})
}

// --- Settings ---

func (a *adminView) onSaveProgram() {
	tr := a.m.ui.tr
	zone, lb, rw := a.zone.Selected, a.leaderboard.Checked, a.rewardsOn.Checked
	in := client.UpdateProgram{LeaderboardEnabled: &lb, RewardsEnabled: &rw}
	if zone != "" {
		in.Timezone = &zone
	}
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		p, err := api.UpdateProgram(ctx, pid, in)
		return tr.T("mgr.admin.saved", "name", p.Name), err
	})
}
