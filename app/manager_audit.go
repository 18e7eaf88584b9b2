package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
	"github.com/chorus-advocacy/chorus/backend/wire"
)

// auditView is the owner's audit log: who changed what, when, newest
// first, a page at a time, and the whole log as CSV.
type auditView struct {
	m       *mgr
	items   []client.AuditEntry
	next    int64 // the next (older) page; 0: none
	table   *widget.Table
	more    *widget.Button
	status  *widget.Label
	content fyne.CanvasObject

	// saveDialog asks where to save the CSV; tests replace it.
	saveDialog func(name string, done func(fyne.URIWriteCloser, error))
	exported   fyne.URI
}

const auditPage = 100

// auditCols are the table's columns. The object's id is left to the CSV
// export: the action and the detail name it for a person.
var auditCols = []string{"at", "who", "action", "detail"}

func newAuditView(m *mgr) *auditView {
	tr := m.k.tr
	v := &auditView{m: m}
	v.saveDialog = func(name string, done func(fyne.URIWriteCloser, error)) {
		d := dialog.NewFileSave(done, m.k.win)
		d.SetFileName(name)
		d.Show()
	}
	v.table = widget.NewTable(
		func() (int, int) { return len(v.items) + 1, len(auditCols) },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.TextStyle = fyne.TextStyle{Bold: id.Row == 0}
			if id.Row == 0 {
				l.SetText(tr.T("mgr.audit.col." + auditCols[id.Col]))
				return
			}
			l.SetText(v.cell(v.items[id.Row-1], id.Col))
		})
	for i, w := range []float32{150, 160, 190, 640} {
		v.table.SetColumnWidth(i, w)
	}
	reload := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), v.reload)
	v.more = widget.NewButton(tr.T("mgr.audit.more"), v.loadMore)
	v.more.Hide()
	export := widget.NewButtonWithIcon(tr.T("mgr.report.export"), theme.DocumentSaveIcon(), v.askExport)
	v.status = wrapped("")
	v.status.Hide()
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(reload, export), heading(tr.T("mgr.audit.title"))),
		caption(tr.T("mgr.audit.help")), v.status)
	v.content = container.NewBorder(top, container.NewCenter(v.more), nil, nil, v.table)
	return v
}

func (v *auditView) cell(e client.AuditEntry, col int) string {
	tr := v.m.k.tr
	switch auditCols[col] {
	case "at":
		return e.At.In(tr.Location()).Format("2006-01-02 15:04")
	case "who":
		return e.ActorName
	case "action":
		if k := "mgr.audit.action." + e.Action; tr.Has(k) {
			return tr.T(k)
		}
		return e.Action
	}
	return firstNonEmpty(auditDetail(tr, e), e.ObjectID)
}

// auditDetail words what an entry changed in the owner's language, from
// its facts (Args); an entry without them, or of an action this app has no
// words for, shows the server's English detail.
func auditDetail(tr *Tr, e client.AuditEntry) string {
	a := e.Args
	if len(a) == 0 {
		return e.Detail
	}
	role := func(r string) string {
		if k := "mgr.role." + r; tr.Has(k) {
			return tr.T(k)
		}
		return r
	}
	switch e.Action {
	case wire.AuditMemberInvite:
		return tr.T("mgr.audit.detail.invite", "email", a["email"], "role", role(a["role"]))
	case wire.AuditMemberUpdate:
		parts := []string{}
		if a["role_to"] != "" {
			parts = append(parts, tr.T("mgr.audit.detail.role", "from", role(a["role_from"]), "to", role(a["role_to"])))
		}
		if a["groups"] != "" {
			parts = append(parts, tr.T("mgr.audit.detail.groups", "n", a["groups"]))
		}
		switch a["limited"] {
		case "true":
			parts = append(parts, tr.T("mgr.audit.detail.limited"))
		case "false":
			parts = append(parts, tr.T("mgr.audit.detail.unlimited"))
		}
		return tr.T("mgr.audit.detail.member", "email", a["email"], "changes", strings.Join(parts, tr.T("common.list_sep")))
	case wire.AuditMemberImport:
		return tr.T("mgr.audit.detail.import", "added", a["added"], "invited", a["invited"], "existing", a["existing"], "errors", a["errors"])
	case wire.AuditPointsAdjust:
		return tr.T("mgr.audit.detail.points", "points", a["points"], "reason", a["reason"])
	case wire.AuditSettingsSso:
		state := tr.T("mgr.audit.detail.sso_off")
		if a["enabled"] == "true" {
			state = tr.T("mgr.audit.detail.sso_on")
		}
		passwords := tr.T("mgr.audit.detail.passwords_off")
		if a["passwords"] == "true" {
			passwords = tr.T("mgr.audit.detail.passwords_on")
		}
		return tr.T("mgr.audit.detail.sso", "state", state, "issuer", a["issuer"], "client", a["client"], "domains", a["domains"], "passwords", passwords)
	}
	return e.Detail
}

func (v *auditView) setStatus(msg string, imp widget.Importance) {
	v.status.Importance = imp
	say(v.status, msg)
}

// reload shows the newest page again.
func (v *auditView) reload() {
	v.items, v.next = nil, 0
	v.load(0)
}

func (v *auditView) loadMore() {
	if v.next != 0 {
		v.load(v.next)
	}
}

func (v *auditView) load(before int64) {
	call(v.m, v.setStatus, func(ctx context.Context, api *client.Client, pid string) (client.AuditPage, error) {
		return api.AuditLog(ctx, pid, before, auditPage)
	}, func(p client.AuditPage) {
		v.status.Hide()
		v.items = append(v.items, p.Items...)
		v.next = p.NextBefore
		if v.next != 0 {
			v.more.Show()
		} else {
			v.more.Hide()
		}
		v.table.Refresh()
	})
}

func (v *auditView) askExport() {
	v.saveDialog("audit.csv", func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			v.setStatus(v.m.k.errText(err), widget.DangerImportance)
			return
		}
		if w == nil {
			return
		}
		exportCSV(v.m, v.setStatus, w, "audit", func() { v.exported = w.URI() })
	})
}
