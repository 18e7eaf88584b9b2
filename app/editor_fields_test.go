package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
)

// The editor shows each problem under its field in the manager's language
// (here Chinese), not field codes and English in the footer.
func TestEditorProblemsUnderTheirFields(t *testing.T) {
	h, e, tr := chineseEditor(t)

	// Checked here: a start that is not a time.
	e.starts.SetText("tomorrow")
	h.tap(e.save)
	if n := e.notes["starts_at"]; !n.Visible() || !strings.Contains(n.Text, "tomorrow") {
		t.Errorf("start note %q (visible %v)", n.Text, n.Visible())
	}
	if e.status.Text != tr.T("mgr.invalid.see_fields") {
		t.Errorf("status %q", e.status.Text)
	}

	// Checked by the server: a WeChat photo needs its message; the end
	// must come after the start.
	e.starts.SetText("2030-01-02 10:00")
	e.ends.SetText("2030-01-01 10:00")
	e.message.SetText("")
	h.tap(e.save)
	if n := e.notes["starts_at"]; n.Visible() {
		t.Errorf("the start's old note stayed: %q", n.Text)
	}
	if n := e.notes["message"]; n.Text != tr.T("mgr.problem.required") {
		t.Errorf("message note %q", n.Text)
	}
	if n := e.notes["ends_at"]; n.Text != tr.T("mgr.problem.after_start") {
		t.Errorf("end note %q", n.Text)
	}
	if strings.Contains(e.status.Text, "message") || strings.Contains(e.status.Text, "ends_at") {
		t.Errorf("status shows field codes: %q", e.status.Text)
	}
}

// At the desktop's default size, with a photo chosen, the form scrolls far
// enough to show its last row (Featured) above the Save footer.
func TestEditorLastRowAboveTheFooter(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	h.win.Resize(fyne.NewSize(1120, 740))
	m.newActivity()
	e := m.editor
	e.setFile(mediaFile("image.jpg"))
	h.ui.Wait()
	var sc *container.Scroll
	for _, o := range e.content.(*fyne.Container).Objects {
		if s, ok := o.(*container.Scroll); ok {
			sc = s
		}
	}
	if sc == nil {
		t.Fatal("the form does not scroll")
	}
	sc.ScrollToBottom()
	d := fyne.CurrentApp().Driver()
	bottom := d.AbsolutePositionForObject(sc).Y + sc.Size().Height
	featured := d.AbsolutePositionForObject(e.featured).Y + e.featured.Size().Height
	if featured > bottom+1 || d.AbsolutePositionForObject(e.save).Y < bottom-1 {
		t.Errorf("Featured ends at %v, the form's view at %v, Save starts at %v", featured, bottom, d.AbsolutePositionForObject(e.save).Y)
	}
}

// What the editor puts in an entry for the manager to save (TikTok's
// default instructions) is the text as written: Flow's breaks are for
// labels, and would be saved and sent to members' share pages.
func TestEditorEntriesHoldPlainText(t *testing.T) {
	_, e, tr := chineseEditor(t)
	e.typ.SetSelected(typeLabel(tr, "tiktok_video"))
	if e.instr.Text == "" || strings.ContainsRune(e.instr.Text, '\u200a') || e.instr.Text != Plain(tr.T("mgr.tiktok_default")) {
		t.Fatalf("TikTok's default instructions: %q", e.instr.Text)
	}
}

// chineseEditor is a manager's editor, in Chinese, on a new activity.
func chineseEditor(t *testing.T) (*harness, *activityEditor, *Tr) {
	t.Helper()
	h, _ := signInManager(t, testserver.Start(t))
	h.ui.setLang(Chinese)
	h.ui.mgr.newActivity()
	return h, h.ui.mgr.editor, h.ui.tr
}
