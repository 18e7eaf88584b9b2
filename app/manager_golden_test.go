package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
)

// Image goldens of the manager's editor and member view preview, on the
// desktop size, in the app's theme. Nothing on them depends on the clock
// or the server's port: the message has no link and the times are blank.
func TestGoldenManagerScreens(t *testing.T) {
	srv := testserver.Start(t)
	for _, lang := range Langs {
		t.Run(string(lang), func(t *testing.T) {
			h, m := managerWithPhoto(t, srv.URL, lang, func(h *harness) { h.app.Settings().SetTheme(Theme()) })
			e := m.editor
			e.message.SetText("Our new office opens on Monday. Come and see us!")
			e.groups.SetSelected([]string{"Sales"})
			e.points.SetText("20")
			h.ui.Wait()
			test.AssertImageMatches(t, "manager_editor_"+string(lang)+".png", h.capture())

			m.tabs.SelectIndex(2)
			for _, mem := range m.members {
				if mem.Email == testserver.Member(1) {
					m.preview.show(mem)
				}
			}
			h.ui.Wait()
			test.AssertImageMatches(t, "manager_preview_"+string(lang)+".png", h.capture())
		})
	}
}

// managerWithPhoto is a manager signed in on the desktop in lang, with a
// photo dropped on the window: the editor open on a new activity with it.
func managerWithPhoto(t *testing.T, server string, lang Lang, adjust func(h *harness)) (*harness, *managerView) {
	t.Helper()
	h := newHarness(t, server, false)
	if adjust != nil {
		adjust(h)
	}
	h.app.Preferences().SetString(prefLang, string(lang))
	h.start()
	h.signIn(testserver.Manager)
	m := h.ui.mgr
	m.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(mediaFile("image.jpg"))})
	h.ui.Wait()
	return h, m
}
