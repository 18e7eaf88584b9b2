package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
)

// The editor's last row (Featured) can be scrolled into view above the
// Save footer at the desktop's window size, in both languages, with a
// photo and its problems shown (the tallest form): the scroll's content is
// as tall as what it draws.
func TestEditorLastRowReachable(t *testing.T) {
	srv := testserver.Start(t)
	for _, lang := range Langs {
		t.Run(string(lang), func(t *testing.T) {
			h, m := managerWithPhoto(t, srv.URL, lang, nil)
			e := m.editor
			e.message.SetText("Our new office opens on Monday. Come and see us at https://example.com/office 我们的新办公室周一开业，欢迎来参观！")
			h.ui.Wait()
			for _, size := range []fyne.Size{fyne.NewSize(1120, 740), fyne.NewSize(900, 600), fyne.NewSize(800, 480)} {
				h.win.Resize(size)
				var scroll *container.Scroll
				for _, o := range test.LaidOutObjects(e.content) {
					if s, ok := o.(*container.Scroll); ok && scroll == nil {
						scroll = s // the outermost: the form's
					}
				}
				if scroll == nil {
					t.Fatal("the editor has no scroll")
				}
				scroll.ScrollToBottom()
				d := fyne.CurrentApp().Driver()
				top := d.AbsolutePositionForObject(scroll).Y
				check := d.AbsolutePositionForObject(e.featured).Y + e.featured.Size().Height
				if e.featured.Size().Height == 0 || check > top+scroll.Size().Height+1 {
					t.Errorf("%v: Featured ends at %.0f, the scroll's view at %.0f", size, check, top+scroll.Size().Height)
				}
			}
		})
	}
}
