package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// mgr is what the manager's tabs share: the kit and the host, the
// program's lists (fetched once for all of them, by managerView.loadShared)
// and the moves between tabs. The tabs hold it rather than the managerView
// that lays them out, so they sit below it.
type mgr struct {
	k    *kit
	host managerHost
	nav  mgrNav
	// What the program has, for the editor, the filters and the admin.
	groups    []client.Group
	channels  []client.Channel
	campaigns []client.Campaign
	members   []client.Member
}

// managerHost is what the manager's desktop asks of the app it sits in.
type managerHost interface {
	// shownManager is the manager view on screen: answers that come back
	// to another one are dropped.
	shownManager() *mgr
	isOwner() bool
	// previewAs builds the member app on a member's feed, in their
	// language and zone, with its actions off.
	previewAs(mem client.Member, feed client.Feed) memberPreview
}

// memberPreview is the member app drawn for a manager's preview.
type memberPreview interface {
	root() fyne.CanvasObject
	zone() string
}

// mgrNav is how a tab moves the manager's desktop (managerView is the one).
type mgrNav interface {
	newActivity()
	// openEditor edits a (nil: a new activity); duplicate makes a new one
	// from a's fields.
	openEditor(a *client.Activity, duplicate bool)
	// saved goes back to the list after the editor saved a.
	saved(a client.Activity)
	// loadShared fetches the program's lists again, then runs then.
	loadShared(then func())
	reloadAdmin()
}

func (m *mgr) campaignName(id string) string {
	for _, c := range m.campaigns {
		if c.ID == id {
			return c.Name
		}
	}
	return ""
}

func activityText(a client.Activity) string {
	if a.Message != "" {
		return a.Message
	}
	return a.Instructions
}

// call is the shape of every manager request: work runs off the UI thread;
// then, on the UI thread and only if this manager view is still the one
// showing, an error goes to fail and a result to done.
func call[T any](m *mgr, fail func(string, widget.Importance), work func(ctx context.Context, api *client.Client, pid string) (T, error), done func(T)) {
	k := m.k
	sess := k.session()
	k.goBG(func(ctx context.Context) {
		v, err := work(ctx, sess.API, sess.ProgramID)
		k.post(sess, func() {
			if m.host.shownManager() != m {
				return
			}
			if err != nil {
				fail(k.errText(err), widget.DangerImportance)
				return
			}
			done(v)
		})
	})
}
