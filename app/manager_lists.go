package app

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

var visibilities = []string{wire.VisibilityPublic, wire.VisibilityPrivate}

func visibilityLabels(tr *Tr) []string {
	return []string{tr.T("mgr.admin.public"), tr.T("mgr.channel.private")}
}

// listEntry is one group, channel or campaign as its list shows it.
type listEntry struct {
	id, name, visibility string
	memberCount          int
	// members is who is in it, for the member picker to start from.
	members []string
	// pickable: its members are set here (groups, private channels).
	pickable bool
}

// listKind is what tells the program's groups, channels and campaigns
// apart; listAdmin does the rest the same way for all three.
type listKind struct {
	placeholder string // translation key of the new name's hint
	rule        string // translation key of a caption under it, if any
	// visibility: entries are public or private (channels).
	visibility bool
	// saveKey (and saveIcon, the disk) make each row's save button.
	saveKey  string
	saveIcon bool
	entries  func(m *mgr) []listEntry
	create   func(ctx context.Context, api *client.Client, pid, name, visibility string) error
	update   func(ctx context.Context, api *client.Client, pid, id, name, visibility string) error
	remove   func(ctx context.Context, api *client.Client, pid, id string) error
	// setMembers replaces the members; nil when entries have none.
	setMembers func(ctx context.Context, api *client.Client, pid, id string, ids []string) error
}

var groupList = listKind{
	placeholder: "mgr.admin.new_group", saveKey: "mgr.admin.rename",
	entries: func(m *mgr) []listEntry {
		out := make([]listEntry, len(m.groups))
		for i, g := range m.groups {
			in := []string{}
			for _, mem := range m.members {
				if slices.Contains(mem.GroupIDs, g.ID) {
					in = append(in, mem.ID)
				}
			}
			out[i] = listEntry{id: g.ID, name: g.Name, memberCount: g.MemberCount, members: in, pickable: true}
		}
		return out
	},
	create: func(ctx context.Context, api *client.Client, pid, name, _ string) error {
		_, err := api.CreateGroup(ctx, pid, name)
		return err
	},
	update: func(ctx context.Context, api *client.Client, pid, id, name, _ string) error {
		_, err := api.RenameGroup(ctx, pid, id, name)
		return err
	},
	remove: func(ctx context.Context, api *client.Client, pid, id string) error {
		return api.DeleteGroup(ctx, pid, id)
	},
	setMembers: func(ctx context.Context, api *client.Client, pid, id string, ids []string) error {
		_, err := api.SetGroupMembers(ctx, pid, id, ids)
		return err
	},
}

var channelList = listKind{
	placeholder: "mgr.admin.new_channel", rule: "mgr.admin.channel_rule", visibility: true,
	saveKey: "mgr.save", saveIcon: true,
	entries: func(m *mgr) []listEntry {
		out := make([]listEntry, len(m.channels))
		for i, c := range m.channels {
			// The members of a public channel are whoever follows it:
			// nothing to pick.
			out[i] = listEntry{id: c.ID, name: c.Name, visibility: c.Visibility, memberCount: c.MemberCount,
				members: c.MemberIDs, pickable: c.Visibility == wire.VisibilityPrivate}
		}
		return out
	},
	create: func(ctx context.Context, api *client.Client, pid, name, vis string) error {
		_, err := api.CreateChannel(ctx, pid, client.ChannelInput{Name: name, Visibility: vis})
		return err
	},
	update: func(ctx context.Context, api *client.Client, pid, id, name, vis string) error {
		_, err := api.UpdateChannel(ctx, pid, id, client.ChannelInput{Name: name, Visibility: vis})
		return err
	},
	remove: func(ctx context.Context, api *client.Client, pid, id string) error {
		return api.DeleteChannel(ctx, pid, id)
	},
	setMembers: func(ctx context.Context, api *client.Client, pid, id string, ids []string) error {
		_, err := api.SetChannelMembers(ctx, pid, id, ids)
		return err
	},
}

var campaignList = listKind{
	placeholder: "mgr.admin.new_campaign", saveKey: "mgr.admin.rename",
	entries: func(m *mgr) []listEntry {
		out := make([]listEntry, len(m.campaigns))
		for i, c := range m.campaigns {
			out[i] = listEntry{id: c.ID, name: c.Name}
		}
		return out
	},
	create: func(ctx context.Context, api *client.Client, pid, name, _ string) error {
		_, err := api.CreateCampaign(ctx, pid, client.CampaignInput{Name: &name})
		return err
	},
	update: func(ctx context.Context, api *client.Client, pid, id, name, _ string) error {
		_, err := api.UpdateCampaign(ctx, pid, id, client.CampaignInput{Name: &name})
		return err
	},
	remove: func(ctx context.Context, api *client.Client, pid, id string) error {
		return api.DeleteCampaign(ctx, pid, id)
	},
}

// listAdmin is one of the program's named lists (groups, channels or
// campaigns): create, rename, delete, and set members where it has them.
type listAdmin struct {
	a    *adminKit
	kind listKind

	newName *widget.Entry
	newVis  *widget.Select // channels
	create  *widget.Button
	list    *fyne.Container
	rows    map[string]*nameRow

	content fyne.CanvasObject
}

// nameRow is a group, channel or campaign: a name to edit and actions.
type nameRow struct {
	entry      listEntry
	name       *widget.Entry
	visibility *widget.Select // channels
	save       *widget.Button
	members    *widget.Button // groups and channels
	remove     *widget.Button
}

func newListAdmin(a *adminKit, kind listKind) *listAdmin {
	tr := a.m.k.tr
	l := &listAdmin{a: a, kind: kind}
	l.newName = widget.NewEntry()
	l.newName.SetPlaceHolder(tr.T(kind.placeholder))
	l.create = widget.NewButtonWithIcon(tr.T("mgr.admin.create"), theme.ContentAddIcon(), l.onCreate)
	l.list = container.NewVBox()
	var top fyne.CanvasObject = container.NewBorder(nil, nil, nil, l.create, l.newName)
	if kind.visibility {
		l.newVis = widget.NewSelect(visibilityLabels(tr), nil)
		l.newVis.SetSelectedIndex(0)
		top = container.NewBorder(nil, nil, nil, container.NewHBox(l.newVis, l.create), l.newName)
	}
	if kind.rule != "" {
		top = container.NewVBox(top, caption(tr.T(kind.rule)))
	}
	l.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(l.list))
	return l
}

func (l *listAdmin) visibility(s *widget.Select) string {
	if s == nil {
		return ""
	}
	return visibilities[max(s.SelectedIndex(), 0)]
}

// show draws a row per entry.
func (l *listAdmin) show() {
	a, tr := l.a, l.a.m.k.tr
	l.rows = map[string]*nameRow{}
	var objs []fyne.CanvasObject
	for _, e := range l.kind.entries(a.m) {
		r := &nameRow{entry: e, name: widget.NewEntry()}
		r.name.SetText(e.name)
		actions := container.NewHBox()
		if l.kind.visibility {
			r.visibility = widget.NewSelect(visibilityLabels(tr), nil)
			r.visibility.SetSelectedIndex(max(slices.Index(visibilities, e.visibility), 0))
			actions.Add(r.visibility)
		}
		r.save = widget.NewButton(tr.T(l.kind.saveKey), func() { l.onSave(r) })
		if l.kind.saveIcon {
			r.save.SetIcon(theme.DocumentSaveIcon())
		}
		actions.Add(r.save)
		if l.kind.setMembers != nil {
			r.members = widget.NewButtonWithIcon(tr.N("mgr.admin.members_n", e.memberCount), theme.AccountIcon(), func() { l.onMembers(r) })
			if !e.pickable {
				r.members.Disable()
			}
			actions.Add(r.members)
		}
		r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { a.confirm(tr.T("mgr.admin.delete_q", "name", e.name), func() { l.onDelete(r) }) })
		r.remove.Importance = widget.DangerImportance
		actions.Add(r.remove)
		l.rows[e.id] = r
		objs = append(objs, container.NewBorder(nil, nil, nil, actions, r.name))
	}
	l.list.Objects = orEmpty(tr, objs)
	l.list.Refresh()
}

// changed: the manager view's lists are fetched again (the editor's
// pickers, the filters and the other admin pages show them too).
func (l *listAdmin) changed() { l.a.m.nav.loadShared(nil) }

func (l *listAdmin) onCreate() {
	a, tr := l.a, l.a.m.k.tr
	name, vis := strings.TrimSpace(l.newName.Text), l.visibility(l.newVis)
	if name == "" {
		a.invalid(tr.T("mgr.admin.name_missing"))
		return
	}
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		return tr.T("mgr.admin.saved", "name", name), l.kind.create(ctx, api, pid, name, vis)
	}, func() {
		l.newName.SetText("")
		l.changed()
	})
}

func (l *listAdmin) onSave(r *nameRow) {
	a, tr := l.a, l.a.m.k.tr
	id, name, vis := r.entry.id, strings.TrimSpace(r.name.Text), l.visibility(r.visibility)
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		return tr.T("mgr.admin.saved", "name", name), l.kind.update(ctx, api, pid, id, name, vis)
	}, l.changed)
}

func (l *listAdmin) onDelete(r *nameRow) {
	a, tr := l.a, l.a.m.k.tr
	id, name := r.entry.id, r.name.Text
	a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
		return tr.T("mgr.admin.deleted", "name", name), l.kind.remove(ctx, api, pid, id)
	}, l.changed)
}

// onMembers sets who is in it, starting from who is in it now (the list
// replaces its members).
func (l *listAdmin) onMembers(r *nameRow) {
	a, tr := l.a, l.a.m.k.tr
	id, name := r.entry.id, r.name.Text
	a.pickMembers(tr.T("mgr.admin.members_of", "name", name), r.entry.members, func(ids []string) {
		a.do(func(ctx context.Context, api *client.Client, pid string) (string, error) {
			return tr.T("mgr.admin.saved", "name", name), l.kind.setMembers(ctx, api, pid, id, ids)
		}, l.changed)
	})
}
