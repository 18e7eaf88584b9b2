package app

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

var memberRoles = []string{wire.RoleMember, wire.RoleManager, wire.RoleOwner}

func roleLabels(tr *Tr) []string {
	return []string{tr.T("mgr.role.member"), tr.T("mgr.role.manager"), tr.T("mgr.role.owner")}
}

// membersAdmin invites people and sets each member's role and groups.
type membersAdmin struct {
	a *adminKit

	inviteName, inviteEmail *widget.Entry
	inviteRole              *widget.Select
	inviteGroups            *widget.CheckGroup
	invite                  *widget.Button
	inviteCode              *widget.Entry // read-only, to copy
	list                    *fyne.Container
	rows                    map[string]*memberRow

	content fyne.CanvasObject
}

type memberRow struct {
	member client.Member
	role   *widget.Select
	groups *widget.CheckGroup
	save   *widget.Button
	remove *widget.Button
}

func newMembersAdmin(a *adminKit) *membersAdmin {
	tr := a.m.k.tr
	p := &membersAdmin{a: a}
	p.inviteName, p.inviteEmail = widget.NewEntry(), widget.NewEntry()
	p.inviteName.SetPlaceHolder(tr.T("mgr.admin.name"))
	p.inviteEmail.SetPlaceHolder(tr.T("mgr.admin.email"))
	p.inviteRole = widget.NewSelect(roleLabels(tr), nil)
	p.inviteRole.SetSelectedIndex(0)
	p.inviteGroups = widget.NewCheckGroup(nil, nil)
	p.inviteGroups.Horizontal = true
	p.invite = widget.NewButtonWithIcon(tr.T("mgr.admin.invite"), theme.MailSendIcon(), p.onInvite)
	p.invite.Importance = widget.HighImportance
	p.inviteCode = widget.NewEntry()
	p.inviteCode.Hide()
	p.list = container.NewVBox()
	inviteBox := container.NewVBox(bold(tr.T("mgr.admin.invite_title")),
		container.NewGridWithColumns(3, p.inviteName, p.inviteEmail, p.inviteRole),
		container.NewBorder(nil, nil, widget.NewLabel(tr.T("mgr.field.groups")), p.invite, p.inviteGroups),
		p.inviteCode, widget.NewSeparator())
	p.content = container.NewBorder(inviteBox, nil, nil, nil, container.NewVScroll(p.list))
	return p
}

func (p *membersAdmin) groupNames() []string {
	groups := p.a.m.groups
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return names
}

func (p *membersAdmin) groupIDs(names []string) []string {
	ids := []string{}
	for _, g := range p.a.m.groups {
		if slices.Contains(names, g.Name) {
			ids = append(ids, g.ID)
		}
	}
	return ids
}

func (p *membersAdmin) groupNamesOf(ids []string) []string {
	names := []string{}
	for _, g := range p.a.m.groups {
		if slices.Contains(ids, g.ID) {
			names = append(names, g.Name)
		}
	}
	return names
}

// show draws the invite form's groups and a row per member.
func (p *membersAdmin) show() {
	a, tr := p.a, p.a.m.k.tr
	keep := p.inviteGroups.Selected
	p.inviteGroups.Options = p.groupNames()
	p.inviteGroups.Selected = nil
	p.inviteGroups.SetSelected(slices.DeleteFunc(slices.Clone(keep), func(s string) bool { return !slices.Contains(p.inviteGroups.Options, s) }))
	p.inviteGroups.Refresh()

	p.rows = map[string]*memberRow{}
	objs := []fyne.CanvasObject{}
	for _, mem := range a.m.members {
		r := &memberRow{member: mem}
		r.role = widget.NewSelect(roleLabels(tr), nil)
		r.role.SetSelectedIndex(max(slices.Index(memberRoles, mem.Role), 0))
		r.groups = widget.NewCheckGroup(p.groupNames(), nil)
		r.groups.Horizontal = true
		r.groups.SetSelected(p.groupNamesOf(mem.GroupIDs))
		r.save = widget.NewButtonWithIcon(tr.T("mgr.save"), theme.DocumentSaveIcon(), func() { p.onSave(r) })
		r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { a.confirm(tr.T("mgr.admin.remove_member", "name", mem.Name), func() { p.onRemove(r) }) })
		r.remove.Importance = widget.DangerImportance
		who := bold(mem.Name)
		info := mem.Email
		if mem.Status == "invited" {
			info += " · " + tr.T("mgr.admin.invited")
		}
		if mem.Timezone != "" {
			info += " · " + mem.Timezone
		}
		p.rows[mem.ID] = r
		objs = append(objs, container.NewVBox(
			container.NewBorder(nil, nil, who, container.NewHBox(r.role, r.save, r.remove), line(info)),
			r.groups, widget.NewSeparator()))
	}
	p.list.Objects = objs
	p.list.Refresh()
}

func (p *membersAdmin) onInvite() {
	a, tr := p.a, p.a.m.k.tr
	name, email := strings.TrimSpace(p.inviteName.Text), strings.TrimSpace(p.inviteEmail.Text)
	if name == "" || email == "" {
		a.invalid(tr.T("mgr.admin.invite_missing"))
		return
	}
	in := client.AddMember{Name: name, Email: email, Role: memberRoles[max(p.inviteRole.SelectedIndex(), 0)],
		GroupIDs: p.groupIDs(p.inviteGroups.Selected)}
	var added client.AddedMember
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		var err error
		added, err = api.AddMember(ctx, pid, in)
		if err != nil {
			return "", err
		}
		return tr.T("mgr.admin.invited_ok", "name", added.Member.Name), nil
	}, func() {
		p.inviteName.SetText("")
		p.inviteEmail.SetText("")
		p.inviteGroups.SetSelected(nil)
		if added.InviteCode != "" {
			p.inviteCode.SetText(Plain(tr.T("mgr.admin.code", "name", added.Member.Name, "code", added.InviteCode))) // an entry, to copy from
		} else {
			p.inviteCode.SetText(Plain(tr.T("mgr.admin.added", "name", added.Member.Name)))
		}
		p.inviteCode.Show()
		a.m.nav.loadShared(nil)
	})
}

func (p *membersAdmin) onSave(r *memberRow) {
	a, tr := p.a, p.a.m.k.tr
	role := memberRoles[max(r.role.SelectedIndex(), 0)]
	groups := p.groupIDs(r.groups.Selected)
	id, name := r.member.ID, r.member.Name
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		_, err := api.UpdateMember(ctx, pid, id, client.UpdateMember{Role: &role, GroupIDs: &groups})
		return tr.T("mgr.admin.saved", "name", name), err
	}, func() { a.m.nav.loadShared(nil) })
}

func (p *membersAdmin) onRemove(r *memberRow) {
	a, tr := p.a, p.a.m.k.tr
	id, name := r.member.ID, r.member.Name
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		return tr.T("mgr.admin.deleted", "name", name), api.RemoveMember(ctx, pid, id)
	}, func() { a.m.nav.loadShared(nil) })
}

// memberDialog lets the manager tick members, by name and email.
func (a *adminKit) memberDialog(title string, selected []string, done func(ids []string)) {
	tr := a.m.k.tr
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
	}, a.m.k.win)
}
