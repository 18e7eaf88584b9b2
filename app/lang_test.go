package app

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
)

// English picked on the sign-in screen, where English already showed, is
// still the person's choice: the account's Chinese does not replace it.
func TestLanguageChosenAtSignInIsKept(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, false)
	h.app.Preferences().RemoveValue(prefLang)
	h.start()
	h.ui.setLang(English)
	h.signIn(testserver.Member(1)) // Li Wei, whose account speaks Chinese
	if got := h.ui.tr.Lang(); got != English {
		t.Errorf("after sign-in the app speaks %q, want English as chosen", got)
	}
}

// The manager's preview of a member's feed speaks that member's language;
// the manager's own screens keep theirs.
func TestManagerPreviewInTheMembersLanguage(t *testing.T) {
	srv := testserver.Start(t)
	h, m := signInManager(t, srv)
	p := m.preview
	p.query.SetText(testserver.Member(1)) // Li Wei reads Chinese
	if len(p.buttons) != 1 {
		t.Fatalf("%d members match", len(p.buttons))
	}
	test.Tap(p.buttons[0])
	h.ui.Wait()
	if previewUI(p) == nil {
		t.Fatalf("no preview: %q", p.status.Text)
	}
	if got := previewUI(p).tr.Lang(); got != Chinese {
		t.Errorf("preview in %q, want the member's zh-Hans", got)
	}
	if got := h.ui.tr.Lang(); got != English {
		t.Errorf("the manager's screens switched to %q", got)
	}
}
