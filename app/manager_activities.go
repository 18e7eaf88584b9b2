package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// activityTypes are the types a manager can create, all under "Other
// Social Networks"; the list stays open for more.
var activityTypes = wire.ActivityTypes()

// activitiesView lists the program's activities with filters.
type activitiesView struct {
	m        *mgr
	status   *segmented
	campaign *widget.Select
	typ      *widget.Select
	search   *widget.Entry
	newBtn   *widget.Button
	note     *widget.Label
	list     *fyne.Container
	rows     []*activityRow
	items    []client.Activity
	content  fyne.CanvasObject

	campaignIDs []string // parallel to campaign.Options; "" = all
}

// activityRow is one activity in the list, with its actions.
type activityRow struct {
	item      client.Activity
	text      *widget.Label
	status    *widget.Label
	edit      *widget.Button
	duplicate *widget.Button
	remove    *widget.Button
	content   fyne.CanvasObject
}

var activityStatuses = append([]string{""}, wire.ActivityStatuses()...) // "": all

func newActivitiesView(m *mgr) *activitiesView {
	tr := m.k.tr
	v := &activitiesView{m: m}
	labels := make([]string, len(activityStatuses))
	for i, s := range activityStatuses {
		labels[i] = tr.T("mgr.status.all")
		if s != "" {
			labels[i] = tr.T("mgr.status." + s)
		}
	}
	v.status = newSegmented(activityStatuses, labels, "", func(string) { v.reload() })
	v.campaign = widget.NewSelect([]string{tr.T("mgr.filter.all_campaigns")}, nil)
	v.campaignIDs = []string{""}
	v.campaign.SetSelectedIndex(0)
	v.campaign.OnChanged = func(string) { v.reload() }
	typeOpts := []string{tr.T("mgr.filter.all_types")}
	for _, t := range activityTypes {
		typeOpts = append(typeOpts, typeLabel(tr, t))
	}
	v.typ = widget.NewSelect(typeOpts, nil)
	v.typ.SetSelectedIndex(0)
	v.typ.OnChanged = func(string) { v.reload() }
	v.search = widget.NewEntry()
	v.search.SetPlaceHolder(tr.T("mgr.filter.search"))
	v.search.OnSubmitted = func(string) { v.reload() }
	searchBtn := widget.NewButtonWithIcon("", theme.SearchIcon(), v.reload)
	v.newBtn = widget.NewButtonWithIcon(tr.T("mgr.new"), theme.ContentAddIcon(), m.nav.newActivity)
	v.newBtn.Importance = widget.HighImportance
	v.note = wrapped("")
	v.note.Hide()
	v.list = container.NewVBox()
	filters := container.NewGridWithColumns(3, v.campaign, v.typ, container.NewBorder(nil, nil, nil, searchBtn, v.search))
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, v.newBtn, heading(tr.T("mgr.activities.title"))),
		v.status.box, filters, v.note)
	v.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(v.list))
	return v
}

func (v *activitiesView) setStatus(msg string, imp widget.Importance) {
	v.note.Importance = imp
	say(v.note, msg)
}

// setCampaigns fills the campaign filter once the campaigns are known.
func (v *activitiesView) setCampaigns() {
	tr := v.m.k.tr
	opts := []string{tr.T("mgr.filter.all_campaigns")}
	ids := []string{""}
	for _, c := range v.m.campaigns {
		opts = append(opts, c.Name)
		ids = append(ids, c.ID)
	}
	v.campaignIDs = ids
	cb := v.campaign.OnChanged
	v.campaign.OnChanged = nil
	v.campaign.Options = opts
	v.campaign.SetSelectedIndex(0)
	v.campaign.OnChanged = cb
}

// query is what the filters ask for.
func (v *activitiesView) query() client.ActivityQuery {
	q := client.ActivityQuery{Status: v.status.selected, Search: v.search.Text}
	if i := v.campaign.SelectedIndex(); i > 0 && i < len(v.campaignIDs) {
		q.CampaignID = v.campaignIDs[i]
	}
	if i := v.typ.SelectedIndex(); i > 0 {
		q.Type = activityTypes[i-1]
	}
	return q
}

// reload fetches the list for the filters.
func (v *activitiesView) reload() {
	q := v.query()
	call(v.m, v.setStatus, func(ctx context.Context, api *client.Client, pid string) ([]client.Activity, error) {
		return api.Activities(ctx, pid, q)
	}, func(items []client.Activity) {
		v.items = items
		v.show()
	})
}

func (v *activitiesView) show() {
	tr := v.m.k.tr
	v.rows = v.rows[:0]
	objs := make([]fyne.CanvasObject, 0, len(v.items))
	for _, a := range v.items {
		r := v.newRow(a)
		v.rows = append(v.rows, r)
		objs = append(objs, r.content)
	}
	if len(objs) == 0 {
		objs = append(objs, wrapped(tr.T("mgr.activities.empty")))
	}
	v.list.Objects = objs
	v.list.Refresh()
}

func (v *activitiesView) newRow(a client.Activity) *activityRow {
	m := v.m
	tr := m.k.tr
	r := &activityRow{item: a}
	k := kindOf(a.Type, "")
	head := []fyne.CanvasObject{pill(typeLabel(tr, a.Type), networkColor(k.network))}
	if a.Featured {
		head = append(head, pill("★ "+tr.T("feed.featured"), colorGold))
	}
	r.status = widget.NewLabel(statusText(tr, a.Status))
	r.status.Importance = statusImportance(a.Status)
	head = append(head, r.status)
	if c := m.campaignName(a.CampaignID); c != "" {
		head = append(head, small(c))
	}
	pts := widget.NewLabel(tr.Points(a.Points))
	pts.TextStyle = fyne.TextStyle{Bold: true}
	head = append(head, layout.NewSpacer(), pts)
	r.text = wrapped(preview(activityText(a), 160))
	when := caption(m.windowText(a))
	r.edit = widget.NewButtonWithIcon(tr.T("mgr.edit"), theme.DocumentCreateIcon(), func() { m.nav.openEditor(&r.item, false) })
	r.duplicate = widget.NewButtonWithIcon(tr.T("mgr.duplicate"), theme.ContentCopyIcon(), func() { m.nav.openEditor(&r.item, true) })
	r.remove = widget.NewButtonWithIcon(tr.T("mgr.remove"), theme.VisibilityOffIcon(), func() { v.confirmRemove(r) })
	r.remove.Importance = widget.DangerImportance
	if a.Status == wire.StatusRemoved {
		r.remove.Disable()
	}
	actions := container.NewHBox(layout.NewSpacer(), r.edit, r.duplicate, r.remove)
	body := container.NewBorder(container.NewHBox(head...), actions, nil, nil, container.NewVBox(r.text, when))
	r.content = newTapCard(container.NewBorder(nil, nil, container.NewVBox(mediaThumb(m.k, k, mediaOfActivity(a), 48)), nil, body), nil)
	return r
}

// windowText is the activity's start and end in the manager's zone.
func (m *mgr) windowText(a client.Activity) string {
	tr := m.k.tr
	loc := tr.Location()
	start := a.StartsAt.In(loc).Format(wallLayout)
	end := tr.T("mgr.no_end")
	if a.EndsAt != nil {
		end = a.EndsAt.In(loc).Format(wallLayout)
	}
	return tr.T("mgr.window", "start", start, "end", end, "zone", loc.String())
}

func (v *activitiesView) confirmRemove(r *activityRow) {
	tr := v.m.k.tr
	dialog.ShowConfirm(tr.T("mgr.remove.title"), tr.T("mgr.remove.body", "what", preview(activityText(r.item), 80)),
		func(ok bool) {
			if ok {
				v.remove(r.item.ID)
			}
		}, v.m.k.win)
}

// remove takes an activity out of the member view.
func (v *activitiesView) remove(id string) {
	call(v.m, v.setStatus, func(ctx context.Context, api *client.Client, pid string) (client.Activity, error) {
		return api.RemoveActivity(ctx, pid, id)
	}, func(a client.Activity) {
		v.setStatus(v.m.k.tr.T("mgr.removed", "what", preview(activityText(a), 60)), widget.SuccessImportance)
		v.reload()
	})
}

func statusText(tr *Tr, status string) string {
	if tr.Has("mgr.status." + status) {
		return tr.T("mgr.status." + status)
	}
	return status
}

func statusImportance(status string) widget.Importance {
	switch status {
	case wire.StatusLive:
		return widget.SuccessImportance
	case wire.StatusScheduled:
		return widget.HighImportance
	case wire.StatusRemoved:
		return widget.DangerImportance
	}
	return widget.LowImportance
}
