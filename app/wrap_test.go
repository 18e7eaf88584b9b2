package app

import (
	"fmt"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
)

// narrowLabels lists the wrapping labels on screen that a container has
// squeezed to a few characters' width, so their text stands as a column:
// a wrapping label asks for no width of its own, and a centring box or
// the side of a row gives it just that.
func narrowLabels(root fyne.CanvasObject) []string {
	var out []string
	for _, o := range test.LaidOutObjects(root) {
		l, ok := o.(*widget.Label)
		if !ok || l.Wrapping == fyne.TextWrapOff || !l.Visible() || utf8.RuneCountInString(Plain(l.Text)) < 8 {
			continue
		}
		if w := l.Size().Width; w > 0 && w < 5*theme.TextSize() {
			out = append(out, fmt.Sprintf("%q is %.0f wide", Plain(l.Text), w))
		}
	}
	return out
}

// Every screen, in both languages, on a phone and a desktop, and each of
// the manager's tabs: no text stands as a column of characters.
func TestNoTextSqueezedToAColumn(t *testing.T) {
	srv := testserver.Start(t)
	for _, lang := range Langs {
		for _, mobile := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/mobile=%v", lang, mobile), func(t *testing.T) {
				h := newHarness(t, srv.URL, mobile)
				h.app.Preferences().SetString(prefLang, string(lang))
				h.start()
				check := func(where string) {
					t.Helper()
					h.ui.Wait()
					for _, n := range narrowLabels(h.win.Content()) {
						t.Errorf("%s: %s", where, n)
					}
				}
				check("sign-in")
				who := testserver.Member(1)
				if !mobile {
					who = testserver.Manager
				}
				h.signIn(who)
				for _, tb := range []tab{tabFeed, tabPoints, tabRewards, tabSettings} {
					h.ui.shell.selectTab(tb)
					check(fmt.Sprintf("tab %d", tb))
				}
				h.ui.shell.selectTab(tabFeed)
				h.ui.openActivity(h.ui.feed.Items[0])
				check("activity")
				if m := h.ui.mgr; m != nil {
					m.setMode(modeManager)
					for i, it := range m.tabs.Items {
						m.tabs.SelectIndex(i)
						check("manager tab " + Plain(it.Text))
					}
				}
			})
		}
	}
}
