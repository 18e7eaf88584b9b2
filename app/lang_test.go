package app

import (
	"testing"

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
