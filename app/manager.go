package app

import (
	"context"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// Modes of the desktop shell for managers.
const (
	modeManager = "manager"
	modeMember  = "member"
)

// managerView is the manager's desktop: the activities, the editor and the
// member view preview. It sits beside the member shell; a switch at the top
// picks which one shows.
type managerView struct {
	// mgr is what the tabs share and hold; the view lays them out.
	*mgr
	mode    *segmented
	tabs    *container.AppTabs
	list    *activitiesView
	editor  *activityEditor // nil until New or Edit
	preview *previewView
	reports *reportsView
	admin   *adminView
	// importer adds people from a CSV; audit is the owner's audit log
	// (nil for managers who are not owners).
	importer *importView
	audit    *auditView
	editTab  *container.TabItem
	body     *fyne.Container // the manager's content or the member shell
	manager  fyne.CanvasObject
	member   fyne.CanvasObject
	content  fyne.CanvasObject
}

func newManagerView(k *kit, host managerHost, member fyne.CanvasObject, mode string) *managerView {
	tr := k.tr
	m := &managerView{mgr: &mgr{k: k, host: host}, member: member}
	m.nav = m
	m.list = newActivitiesView(m.mgr)
	m.preview = newPreviewView(m.mgr)
	m.reports = newReportsView(m.mgr)
	m.admin = newAdminView(m.mgr)
	m.editTab = container.NewTabItem(tr.T("mgr.tab.editor"), container.NewCenter(container.New(fixedWidth(420), caption(tr.T("mgr.editor.none")))))
	m.tabs = container.NewAppTabs(
		container.NewTabItem(tr.T("mgr.tab.activities"), m.list.content),
		m.editTab,
		container.NewTabItem(tr.T("mgr.tab.preview"), m.preview.content),
		container.NewTabItem(tr.T("mgr.tab.reports"), m.reports.content),
		container.NewTabItem(tr.T("mgr.tab.admin"), m.admin.content),
	)
	m.importer = newImportView(m.mgr)
	m.tabs.Append(container.NewTabItem(tr.T("mgr.tab.import"), m.importer.content))
	if host.isOwner() {
		m.audit = newAuditView(m.mgr)
		m.tabs.Append(container.NewTabItem(tr.T("mgr.tab.audit"), m.audit.content))
	}
	m.manager = m.tabs
	m.body = container.NewStack(m.manager)
	m.mode = newSegmented([]string{modeManager, modeMember}, []string{tr.T("mgr.mode.manager"), tr.T("mgr.mode.member")},
		mode, m.setMode)
	bar := container.NewBorder(nil, nil, bold(tr.T("mgr.mode.title")), nil, m.mode.box)
	m.content = container.NewBorder(bar, nil, nil, nil, m.body)
	m.showMode(mode)
	k.win.SetOnDropped(m.onDropped)
	m.load()
	return m
}

func (m *managerView) setMode(mode string) {
	m.mode.selected = mode
	m.mode.paint()
	m.showMode(mode)
}

func (m *managerView) showMode(mode string) {
	if mode == modeMember {
		m.body.Objects = []fyne.CanvasObject{m.member}
	} else {
		m.body.Objects = []fyne.CanvasObject{m.manager}
	}
	m.body.Refresh()
}

// onDropped hands a file dropped on the window to the editor (a new
// activity when none is open).
func (m *managerView) onDropped(_ fyne.Position, uris []fyne.URI) {
	if len(uris) == 0 || m.host.shownManager() != m.mgr {
		return
	}
	if m.editor == nil {
		m.newActivity()
	}
	m.setMode(modeManager)
	m.tabs.Select(m.editTab)
	m.editor.setFile(uris[0].Path())
}

// load fetches what the program has, then the activities, the reports'
// picker and the admin's own pages.
func (m *managerView) load() {
	m.loadShared(func() {
		m.list.reload()
		m.reports.reload()
		m.admin.reload()
		if m.audit != nil {
			m.audit.reload()
		}
	})
}

// loadShared fetches the program's groups, channels, campaigns and members
// (the only place that does: the editor's pickers, the filters, the preview
// and the admin all read them from here), shows them, then runs then.
func (m *managerView) loadShared(then func()) {
	type shared struct {
		groups    []client.Group
		channels  []client.Channel
		campaigns []client.Campaign
		members   []client.Member
	}
	call(m.mgr, m.list.setStatus, func(ctx context.Context, api *client.Client, pid string) (shared, error) {
		var v shared
		var err error
		if v.groups, err = api.Groups(ctx, pid); err != nil {
			return v, err
		}
		if v.channels, err = api.Channels(ctx, pid); err != nil {
			return v, err
		}
		if v.campaigns, err = api.Campaigns(ctx, pid); err != nil {
			return v, err
		}
		v.members, err = api.Members(ctx, pid)
		return v, err
	}, func(v shared) {
		sort.Slice(v.members, func(i, j int) bool { return strings.ToLower(v.members[i].Name) < strings.ToLower(v.members[j].Name) })
		m.groups, m.channels, m.campaigns, m.members = v.groups, v.channels, v.campaigns, v.members
		m.list.setCampaigns()
		m.preview.filter(m.preview.query.Text)
		m.admin.showShared()
		if then != nil {
			then()
		}
	})
}

// newActivity opens an empty editor.
func (m *managerView) newActivity() { m.openEditor(nil, false) }

// openEditor shows the editor for a (nil: a new activity); duplicate makes
// a new activity from a's fields.
func (m *managerView) openEditor(a *client.Activity, duplicate bool) {
	if m.editor != nil {
		m.editor.close()
	}
	m.editor = newActivityEditor(m.mgr, a, duplicate)
	m.editTab.Content = m.editor.content
	m.tabs.Refresh()
	m.tabs.Select(m.editTab)
}

// reloadAdmin shows the admin tab's lists again (after an import).
func (m *managerView) reloadAdmin() { m.admin.reload() }

// saved goes back to the list after the editor saved.
func (m *managerView) saved(a client.Activity) {
	m.list.setStatus(m.k.tr.T("mgr.saved", "what", preview(activityText(a), 60)), widget.SuccessImportance)
	m.tabs.SelectIndex(0)
	m.list.reload()
	m.reports.reload() // the report's picker lists it at once
}
