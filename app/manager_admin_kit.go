package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// adminKit is what the Admin tab's pages share: the manager's mgr, the
// status line, and the one way they change the server (do). The pages hold
// it rather than the adminView that lays them out.
type adminKit struct {
	m      *mgr
	status *widget.Label
	// pickMembers asks which members belong (group or private channel);
	// tests replace it.
	pickMembers func(title string, selected []string, done func(ids []string))
}

func (a *adminKit) setStatus(msg string, imp widget.Importance) {
	a.status.Importance = imp
	say(a.status, msg)
}

func (a *adminKit) invalid(msg string) { a.setStatus(msg, widget.DangerImportance) }

// do runs a change on the server and says how it went; then, on success,
// runs then (clear the form, fetch again what changed) on the UI goroutine.
func (a *adminKit) do(change func(ctx context.Context, api *client.Client, pid string) (string, error), then func()) {
	call(a.m, a.setStatus, change, func(msg string) {
		a.setStatus(msg, widget.SuccessImportance)
		if then != nil {
			then()
		}
	})
}

func (a *adminKit) confirm(msg string, yes func()) {
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
