package app

import (
	"context"
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// importView adds people in bulk from a CSV: the file is opened or pasted,
// the server checks it (a dry run) and the rows show with what would
// happen to each, and only then does Import add them and send the
// invitations.
type importView struct {
	m       *mgr
	text    *widget.Entry // the CSV
	check   *widget.Button
	commit  *widget.Button
	summary *widget.Label
	status  *widget.Label
	table   *widget.Table
	rows    []client.ImportedRow
	checked string // the text the preview is of: Import sends only that
	content fyne.CanvasObject

	// openDialog asks for a file to read; tests replace it.
	openDialog func(done func(fyne.URIReadCloser, error))
}

// The preview's columns.
var importCols = []string{"line", "email", "name", "groups", "timezone", "language", "role", "outcome"}

func newImportView(m *mgr) *importView {
	tr := m.k.tr
	v := &importView{m: m}
	v.openDialog = func(done func(fyne.URIReadCloser, error)) { dialog.ShowFileOpen(done, m.k.win) }
	v.text = widget.NewMultiLineEntry()
	v.text.SetPlaceHolder("email,name,groups,timezone,language,role\nann@example.com,Ann Lee,Sales;Support,Asia/Shanghai,zh-Hans,member")
	v.text.SetMinRowsVisible(5)
	v.text.OnChanged = func(string) { v.commit.Disable() }
	open := widget.NewButtonWithIcon(tr.T("mgr.import.open"), theme.FolderOpenIcon(), v.openFile)
	v.check = widget.NewButtonWithIcon(tr.T("mgr.import.check"), theme.SearchIcon(), func() { v.run(true) })
	v.commit = widget.NewButtonWithIcon(tr.T("mgr.import.commit"), theme.ConfirmIcon(), func() { v.run(false) })
	v.commit.Importance = widget.HighImportance
	v.commit.Disable()
	v.summary = wrapped("")
	v.status = wrapped("")
	v.status.Hide()
	v.table = widget.NewTable(
		func() (int, int) { return len(v.rows) + 1, len(importCols) },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.TextStyle = fyne.TextStyle{Bold: id.Row == 0}
			l.Importance = widget.MediumImportance
			if id.Row == 0 {
				l.SetText(tr.T("mgr.import.col." + importCols[id.Col]))
				return
			}
			r := v.rows[id.Row-1]
			text := v.cell(r, id.Col)
			if id.Col == len(importCols)-1 && r.Outcome == client.ImportError {
				l.Importance = widget.DangerImportance
			}
			l.SetText(text)
		})
	for i, w := range []float32{44, 190, 120, 120, 130, 70, 80, 420} {
		v.table.SetColumnWidth(i, w)
	}
	help := wrapped(tr.T("mgr.import.help"))
	top := container.NewVBox(heading(tr.T("mgr.import.title")), help,
		container.NewBorder(nil, nil, nil, container.NewVBox(open, v.check, v.commit), v.text),
		v.status, v.summary)
	v.content = container.NewBorder(top, nil, nil, nil, v.table)
	return v
}

func (v *importView) cell(r client.ImportedRow, col int) string {
	tr := v.m.k.tr
	switch importCols[col] {
	case "line":
		return strconv.Itoa(r.Line)
	case "email":
		return r.Email
	case "name":
		return r.Name
	case "groups":
		return strings.Join(r.Groups, "; ")
	case "timezone":
		return r.Timezone
	case "language":
		return r.Language
	case "role":
		if k := "mgr.role." + r.Role; tr.Has(k) {
			return tr.T(k)
		}
		return r.Role
	}
	if r.Outcome == client.ImportError && (len(r.Problems) > 0 || r.Reason != "") {
		return importProblems(tr, r) // in red: the row is not added
	}
	return tr.T("mgr.import.outcome." + r.Outcome)
}

// importProblems words why a row is not added, a field at a time, in the
// manager's language; a problem this app has no words for is shown as the
// server wrote the row's reason.
func importProblems(tr *Tr, r client.ImportedRow) string {
	parts := make([]string, 0, len(r.Problems))
	for _, p := range r.Problems {
		key := "mgr.import.problem." + p.Code
		if !tr.Has(key) {
			return r.Reason
		}
		what := tr.T(key, "value", p.Value)
		if col := "mgr.import.col." + p.Field; tr.Has(col) {
			what = tr.T("mgr.import.problem_in", "field", tr.T(col), "problem", what)
		}
		parts = append(parts, what)
	}
	if len(parts) == 0 {
		return r.Reason
	}
	return strings.Join(parts, tr.T("common.list_sep"))
}

func (v *importView) setStatus(msg string, imp widget.Importance) {
	v.status.Importance = imp
	say(v.status, msg)
}

// openFile reads a CSV file into the text (at most the server's limit).
func (v *importView) openFile() {
	v.openDialog(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			v.setStatus(v.m.k.errText(err), widget.DangerImportance)
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		b, err := io.ReadAll(io.LimitReader(r, maxImportFile+1))
		if err != nil {
			v.setStatus(v.m.k.errText(err), widget.DangerImportance)
			return
		}
		if len(b) > maxImportFile {
			v.setStatus(v.m.k.tr.T("mgr.import.too_big"), widget.DangerImportance)
			return
		}
		v.text.SetText(string(b))
		v.run(true)
	})
}

// maxImportFile is the server's limit on a file (MaxImportBytes).
const maxImportFile = 4 << 20

// run sends the text: a dry run shows what would happen; otherwise the
// previewed text is imported.
func (v *importView) run(dry bool) {
	tr := v.m.k.tr
	text := v.text.Text
	if !dry {
		text = v.checked
	}
	if strings.TrimSpace(text) == "" {
		v.setStatus(tr.T("mgr.import.empty"), widget.DangerImportance)
		return
	}
	v.check.Disable()
	v.commit.Disable()
	v.setStatus(tr.T("mgr.import.working"), widget.MediumImportance)
	call(v.m, func(msg string, imp widget.Importance) {
		v.check.Enable()
		v.setStatus(msg, imp)
	}, func(ctx context.Context, api *client.Client, pid string) (client.ImportResult, error) {
		return api.ImportMembers(ctx, pid, []byte(text), dry)
	}, func(res client.ImportResult) {
		v.check.Enable()
		v.show(res)
		if dry {
			v.checked = text
			if res.Added+res.Invited > 0 {
				v.commit.Enable()
			}
			v.setStatus(tr.T("mgr.import.previewed"), widget.MediumImportance)
			return
		}
		v.checked = ""
		v.setStatus(tr.T("mgr.import.done", "added", tr.Num(res.Added), "invited", tr.Num(res.Invited)), widget.SuccessImportance)
		v.m.nav.loadShared(v.m.nav.reloadAdmin)
	})
}

func (v *importView) show(res client.ImportResult) {
	tr := v.m.k.tr
	v.rows = res.Rows
	key := "mgr.import.summary"
	if res.DryRun {
		key = "mgr.import.summary_dry"
	}
	v.summary.SetText(tr.T(key, "added", tr.Num(res.Added), "invited", tr.Num(res.Invited), "existing", tr.Num(res.Existing), "errors", tr.Num(res.Errors)))
	v.table.Refresh()
	v.table.ScrollToTop()
}
