package app

import (
	"testing"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// Before the first answer from the server the feed says it is loading, not
// that there is nothing to share; after an answer (an empty feed, or a
// failure) it says so.
func TestFeedLoadsBeforeSayingItIsEmpty(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(1))
	ui := h.ui
	ui.feed, ui.fetched = client.Feed{}, false
	s := newFeedScreen(ui.kit, ui)
	s.show()
	if !s.loading.Visible() || s.empty.Visible() || s.list.Length() != 0 {
		t.Fatalf("before the first answer: loading %v, empty %v, %d rows; want the loading state", s.loading.Visible(), s.empty.Visible(), s.list.Length())
	}
	s.setError("offline")
	s.show()
	if s.loading.Visible() || !s.empty.Visible() {
		t.Errorf("after a failed refresh: loading %v, empty %v; want the empty text", s.loading.Visible(), s.empty.Visible())
	}
	s = newFeedScreen(ui.kit, ui)
	ui.fetched = true
	s.show()
	if s.loading.Visible() || !s.empty.Visible() {
		t.Errorf("after an empty answer: loading %v, empty %v; want the empty text", s.loading.Visible(), s.empty.Visible())
	}
}

// The web build, loaded from a Chorus server, signs in to it without asking
// for its address.
func TestWebSignInHasNoServerField(t *testing.T) {
	srv := testserver.Start(t)
	h := newWebHarness(t, srv.URL, true)
	if l := h.ui.login; l.server.Visible() || l.server.Text != srv.URL {
		t.Errorf("web sign-in: server field visible %v, text %q", l.server.Visible(), l.server.Text)
	}
	h.signIn(testserver.Member(1))
	h = newHarness(t, srv.URL, true)
	if !h.ui.login.server.Visible() {
		t.Error("the app outside a browser must ask for the server")
	}
}
