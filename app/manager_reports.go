package app

import (
	"context"
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// reportsView shows one activity's report with a chart of performs over
// time, and a summary for a date range; both export to CSV.
type reportsView struct {
	m        *mgr
	activity *widget.Select
	ids      []string // parallel to activity.Options
	items    []client.Activity

	// One activity.
	report    *client.ActivityReport
	eligible  *widget.Label
	performed *widget.Label
	points    *widget.Label
	clicks    *widget.Label
	surfaces  *widget.Label
	tiktok    *widget.Label
	chart     *barChart
	exportOne *widget.Button

	// The summary.
	from, to    *widget.Entry
	show        *widget.Button
	summary     *client.SummaryReport
	summaryBox  *fyne.Container
	exportSum   *widget.Button
	summaryPath string // the CSV path of the summary on screen

	status  *widget.Label
	content fyne.CanvasObject

	// saveDialog asks where to save a file; tests replace it.
	saveDialog func(name string, done func(fyne.URIWriteCloser, error))
	// exported is the last file written (for the status and tests).
	exported fyne.URI
}

const dateLayout = "2006-01-02"

func newReportsView(m *mgr) *reportsView {
	tr := m.k.tr
	v := &reportsView{m: m}
	v.saveDialog = func(name string, done func(fyne.URIWriteCloser, error)) {
		d := dialog.NewFileSave(done, m.k.win)
		d.SetFileName(name)
		d.Show()
	}
	v.activity = widget.NewSelect(nil, nil)
	v.activity.PlaceHolder = tr.T("mgr.report.pick")
	v.activity.OnChanged = func(string) {
		if i := v.activity.SelectedIndex(); i >= 0 && i < len(v.ids) {
			v.load(v.ids[i])
		}
	}
	reload := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), v.reload)
	v.eligible, v.performed, v.points = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	v.clicks, v.surfaces, v.tiktok = wrapped(""), wrapped(""), wrapped("")
	v.tiktok.Hide()
	v.chart = newBarChart(tr)
	v.exportOne = widget.NewButtonWithIcon(tr.T("mgr.report.export"), theme.DocumentSaveIcon(), func() {
		if v.report != nil {
			v.askExport("activity-"+v.report.ActivityID+".csv", "activities/"+v.report.ActivityID+"/report")
		}
	})
	v.exportOne.Disable()
	stats := container.NewGridWithColumns(3,
		container.NewVBox(caption(tr.T("mgr.report.eligible")), v.eligible),
		container.NewVBox(caption(tr.T("mgr.report.performed")), v.performed),
		container.NewVBox(caption(tr.T("mgr.report.points")), v.points))
	one := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(reload, v.exportOne), v.activity),
		stats, v.clicks, v.surfaces, v.tiktok,
		bold(tr.T("mgr.report.over_time")), v.chart.content)

	today := m.k.now().In(tr.Location())
	v.from, v.to = widget.NewEntry(), widget.NewEntry()
	v.from.SetText(today.AddDate(0, 0, -30).Format(dateLayout))
	v.to.SetText(today.Format(dateLayout))
	v.from.SetPlaceHolder("YYYY-MM-DD")
	v.to.SetPlaceHolder("YYYY-MM-DD")
	v.show = widget.NewButton(tr.T("mgr.report.show"), v.loadSummary)
	v.exportSum = widget.NewButtonWithIcon(tr.T("mgr.report.export"), theme.DocumentSaveIcon(), func() {
		if v.summaryPath != "" {
			v.askExport("summary.csv", v.summaryPath)
		}
	})
	v.exportSum.Disable()
	v.summaryBox = container.NewVBox()
	rangeRow := container.NewHBox(widget.NewLabel(tr.T("mgr.report.from")), sized(v.from, 130),
		widget.NewLabel(tr.T("mgr.report.to")), sized(v.to, 130), v.show, v.exportSum)
	sum := container.NewVBox(
		caption(tr.T("mgr.zone", "zone", tr.Location().String())),
		rangeRow, v.summaryBox)

	v.status = wrapped("")
	v.status.Hide()
	tabs := container.NewAppTabs(
		container.NewTabItem(tr.T("mgr.report.activity"), container.NewVScroll(one)),
		container.NewTabItem(tr.T("mgr.report.summary"), container.NewVScroll(sum)))
	v.content = container.NewBorder(container.NewVBox(heading(tr.T("mgr.report.title")), v.status), nil, nil, nil, tabs)
	return v
}

// sized keeps an entry at a width in a row.
func sized(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

func (v *reportsView) setStatus(msg string, imp widget.Importance) {
	v.status.Importance = imp
	say(v.status, msg)
}

// reload lists the program's activities to choose from.
func (v *reportsView) reload() {
	tr := v.m.k.tr
	call(v.m, v.setStatus, func(ctx context.Context, api *client.Client, pid string) ([]client.Activity, error) {
		return api.Activities(ctx, pid, client.ActivityQuery{})
	}, func(items []client.Activity) {
		v.items = items
		opts := make([]string, len(items))
		v.ids = make([]string, len(items))
		for i, a := range items {
			opts[i] = typeLabel(tr, a.Type) + " · " + preview(activityText(a), 70)
			v.ids[i] = a.ID
		}
		cb := v.activity.OnChanged
		v.activity.OnChanged = nil
		sel := -1
		if v.report != nil {
			for i, id := range v.ids {
				if id == v.report.ActivityID {
					sel = i
				}
			}
		}
		v.activity.Options = opts
		if sel >= 0 {
			v.activity.SetSelectedIndex(sel)
		} else {
			v.activity.ClearSelected()
		}
		v.activity.OnChanged = cb
		v.activity.Refresh()
		if sel >= 0 {
			v.load(v.ids[sel])
		}
	})
}

// pick shows the report of the activity with id.
func (v *reportsView) pick(id string) {
	for i, x := range v.ids {
		if x == id {
			v.activity.SetSelectedIndex(i) // loads it
			return
		}
	}
	v.load(id)
}

// load fetches one activity's report.
func (v *reportsView) load(id string) {
	call(v.m, v.setStatus, func(ctx context.Context, api *client.Client, pid string) (client.ActivityReport, error) {
		return api.ActivityReport(ctx, pid, id)
	}, func(rep client.ActivityReport) {
		v.setStatus("", widget.MediumImportance)
		v.showReport(rep)
	})
}

func (v *reportsView) showReport(rep client.ActivityReport) {
	tr := v.m.k.tr
	v.report = &rep
	v.eligible.SetText(tr.Num(rep.Eligible))
	v.performed.SetText(tr.T("mgr.report.performed_share", "n", tr.Num(rep.Performed), "share", fmt.Sprintf("%.0f%%", rep.PerformedShare*100)))
	v.points.SetText(tr.Points(rep.PointsGiven))
	v.clicks.SetText(tr.T("mgr.report.clicks", "people", tr.Num(rep.Clicks.People), "bots", tr.Num(rep.Clicks.Bots),
		"unique", tr.Num(rep.Clicks.Unique), "total", tr.Num(rep.Clicks.Total)))
	var surf []string
	for _, k := range sortedKeys(rep.BySurface) {
		surf = append(surf, fmt.Sprintf("%s %s", surfaceLabel(tr, k), tr.Num(rep.BySurface[k])))
	}
	if len(surf) == 0 {
		surf = []string{"—"}
	}
	v.surfaces.SetText(tr.T("mgr.report.surfaces", "list", strings.Join(surf, " · ")))
	if t := rep.TikTok; t != nil {
		var reasons []string
		for _, k := range sortedKeys(t.Reasons) {
			reasons = append(reasons, fmt.Sprintf("%s (%s)", k, tr.Num(t.Reasons[k])))
		}
		text := tr.T("mgr.report.tiktok", "staged", tr.Num(t.Staged), "failed", tr.Num(t.Failed), "pending", tr.Num(t.Pending))
		if len(reasons) > 0 {
			text += "\n" + tr.T("mgr.report.reasons", "list", strings.Join(reasons, "; "))
		}
		say(v.tiktok, text)
	} else {
		say(v.tiktok, "")
	}
	v.chart.set(rep.OverTime)
	v.exportOne.Enable()
}

// surfaceLabel names where performs came from in the manager's words.
func surfaceLabel(tr *Tr, surface string) string {
	if k := "mgr.report.surface." + surface; tr.Has(k) {
		return tr.T(k)
	}
	return surface
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// summaryRange turns the from and to dates, read in the manager's zone,
// into instants: from's midnight up to the midnight after to.
func (v *reportsView) summaryRange() (string, string, error) {
	tr := v.m.k.tr
	loc := tr.Location()
	from, err := time.ParseInLocation(dateLayout, strings.TrimSpace(v.from.Text), loc)
	if err != nil {
		return "", "", fmt.Errorf("%s", tr.T("mgr.invalid.date", "text", v.from.Text))
	}
	to, err := time.ParseInLocation(dateLayout, strings.TrimSpace(v.to.Text), loc)
	if err != nil {
		return "", "", fmt.Errorf("%s", tr.T("mgr.invalid.date", "text", v.to.Text))
	}
	return from.Format(time.RFC3339), to.AddDate(0, 0, 1).Format(time.RFC3339), nil
}

// loadSummary fetches the summary for the date range.
func (v *reportsView) loadSummary() {
	from, to, err := v.summaryRange()
	if err != nil {
		v.setStatus(err.Error(), widget.DangerImportance)
		return
	}
	call(v.m, v.setStatus, func(ctx context.Context, api *client.Client, pid string) (client.SummaryReport, error) {
		return api.SummaryReport(ctx, pid, from, to)
	}, func(rep client.SummaryReport) {
		v.setStatus("", widget.MediumImportance)
		v.summary = &rep
		v.summaryPath = "reports/summary?" + urlQuery(from, to)
		v.showSummary(rep)
	})
}

// activityName is what the summary calls an activity: its message, or a
// TikTok activity's instructions (it has no message).
func (v *reportsView) activityName(a client.ActivitySummary) string {
	for _, it := range v.items {
		if it.ID == a.ActivityID {
			return activityText(it)
		}
	}
	return a.Message
}

func urlQuery(from, to string) string {
	return "from=" + strings.ReplaceAll(from, "+", "%2B") + "&to=" + strings.ReplaceAll(to, "+", "%2B")
}

func (v *reportsView) showSummary(rep client.SummaryReport) {
	tr := v.m.k.tr
	row := func(name string, performs, points int, c client.ClickCount) fyne.CanvasObject {
		cells := []string{name, tr.Num(performs), tr.Num(points), tr.Num(c.People) + " / " + tr.Num(c.Unique)}
		objs := make([]fyne.CanvasObject, len(cells))
		for i, s := range cells {
			l := widget.NewLabel(s)
			l.Truncation = fyne.TextTruncateEllipsis
			objs[i] = l
		}
		return container.New(&columns{weights: []float32{5, 1, 1, 1.4}}, objs...)
	}
	hdr := func() fyne.CanvasObject {
		return container.New(&columns{weights: []float32{5, 1, 1, 1.4}},
			bold(tr.T("mgr.report.col.what")), bold(tr.T("mgr.report.col.performs")),
			bold(tr.T("mgr.report.col.points")), bold(tr.T("mgr.report.col.clicks")))
	}
	objs := []fyne.CanvasObject{bold(tr.T("mgr.report.by_activity")), hdr()}
	for _, a := range rep.Activities {
		objs = append(objs, row(typeLabel(tr, a.Type)+" · "+preview(v.activityName(a), 60), a.Performs, a.Points, a.Clicks))
	}
	if len(rep.Activities) == 0 {
		objs = append(objs, caption(tr.T("mgr.report.nothing")))
	}
	objs = append(objs, widget.NewSeparator(), bold(tr.T("mgr.report.by_member")), hdr())
	for _, mem := range rep.Members {
		objs = append(objs, row(mem.Name+" · "+mem.Email, mem.Performs, mem.Points, mem.Clicks))
	}
	if len(rep.Members) == 0 {
		objs = append(objs, caption(tr.T("mgr.report.nothing")))
	}
	v.summaryBox.Objects = objs
	v.summaryBox.Refresh()
	v.exportSum.Enable()
}

// askExport asks where to save and then writes the server's CSV there.
func (v *reportsView) askExport(name, path string) {
	v.saveDialog(name, func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			v.setStatus(v.m.k.errText(err), widget.DangerImportance)
			return
		}
		if w == nil {
			return // cancelled
		}
		v.export(w, path)
	})
}

// export fetches the CSV of path and writes it to w, then closes w.
func (v *reportsView) export(w fyne.URIWriteCloser, path string) {
	exportCSV(v.m, v.setStatus, w, path, func() { v.exported = w.URI() })
}

// exportCSV writes the program's CSV at path (a report, the audit log) to
// w, then says where it went; done runs first, on the UI goroutine.
func exportCSV(m *mgr, setStatus func(string, widget.Importance), w fyne.URIWriteCloser, path string, done func()) {
	call(m, setStatus, func(ctx context.Context, api *client.Client, pid string) (struct{}, error) {
		data, err := api.CSV(ctx, pid, path)
		if err == nil {
			_, err = w.Write(data)
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return struct{}{}, err
	}, func(struct{}) {
		done()
		setStatus(m.k.tr.T("mgr.report.exported", "file", w.URI().Path()), widget.SuccessImportance)
	})
}

// barChart draws performs per day as bars (canvas rectangles), with the
// first and last day and the highest count as labels.
type barChart struct {
	tr      *Tr
	bars    *fyne.Container
	first   *widget.Label
	last    *widget.Label
	top     *widget.Label
	days    []client.DayCount
	content fyne.CanvasObject
}

func newBarChart(tr *Tr) *barChart {
	c := &barChart{tr: tr, bars: container.New(&barLayout{}), first: caption(""), last: caption(""), top: caption("")}
	c.last.Alignment = fyne.TextAlignTrailing
	bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameForeground), 12))
	bg.CornerRadius = 4
	axis := container.NewGridWithColumns(2, c.first, c.last)
	c.content = container.NewBorder(c.top, axis, nil, nil, container.NewStack(bg, container.NewPadded(c.bars)))
	return c
}

func (c *barChart) set(days []client.DayCount) {
	c.days = days
	objs := make([]fyne.CanvasObject, len(days))
	most := 0
	for _, d := range days {
		most = max(most, d.Performs)
	}
	for i, d := range days {
		r := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		r.CornerRadius = 2
		if d.Performs == 0 {
			r.FillColor = color.Transparent
		}
		objs[i] = r
	}
	c.bars.Layout = &barLayout{days: days, most: most}
	c.bars.Objects = objs
	c.bars.Refresh()
	if len(days) == 0 {
		c.first.SetText("—")
		c.last.SetText("")
		c.top.SetText("")
		return
	}
	c.first.SetText(days[0].Date)
	c.last.SetText(days[len(days)-1].Date)
	c.top.SetText(c.tr.T("mgr.report.max", "n", c.tr.Num(most)))
}

type barLayout struct {
	days []client.DayCount
	most int
}

func (l *barLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(200, 110) }

func (l *barLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	n := len(objs)
	if n == 0 || l.most == 0 {
		return
	}
	slot := size.Width / float32(n)
	gap := min(slot*0.25, 6)
	w := min(slot-gap, 40)
	for i, o := range objs {
		h := size.Height * float32(l.days[i].Performs) / float32(l.most)
		o.Move(fyne.NewPos(float32(i)*slot+(slot-w)/2, size.Height-h))
		o.Resize(fyne.NewSize(w, h))
	}
}
