package app

import (
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
)

// benchUI is a signed-in phone app showing n activities (no server: the
// feed is set as a refresh would set it).
func benchUI(b testing.TB, n int) *UI {
	b.Helper()
	a := test.NewTempApp(b)
	a.Settings().SetTheme(Theme())
	w := test.NewTempWindow(b, nil)
	w.Resize(fyne.NewSize(390, 844))
	ui, err := New(Options{App: a, Window: w, Catalog: catalog(b), Platform: &fakeSharer{},
		Cache: NewCache(storage.NewFileURI(b.TempDir())), Mobile: true, PhoneShare: true, SyncEvery: -1,
		Runner: &serial{}, OpenURL: func(*url.URL) error { return nil }, Lang: "en"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ui.Stop)
	ui.showSample(n)
	return ui
}

// BenchmarkFeed1000 draws a feed of 1,000 activities at phone size: the
// list rebound (only the cards on screen exist), laid out, and one frame
// painted by the test driver's software painter (what a refresh costs).
func BenchmarkFeed1000(b *testing.B) {
	ui := benchUI(b, 1000)
	c := ui.win.Canvas()
	b.ResetTimer()
	for b.Loop() {
		ui.feedView.show()
		c.Capture()
	}
}

// BenchmarkFeed1000Build is the same without the paint: binding and
// laying out the cards only.
func BenchmarkFeed1000Build(b *testing.B) {
	ui := benchUI(b, 1000)
	b.ResetTimer()
	for b.Loop() {
		ui.feedView.show()
		ui.feedView.content.Resize(fyne.NewSize(390, 700))
	}
}

// BenchmarkFeed1000Scroll is one frame of scrolling through 1,000
// activities: the list moved by 37 units (cards leaving and entering are
// rebound) and the window painted by the software painter, from the top to
// the end and back to the top.
func BenchmarkFeed1000Scroll(b *testing.B) {
	ui := benchUI(b, 1000)
	l, c := ui.feedView.list, ui.win.Canvas()
	c.Capture()
	b.ResetTimer()
	y := float32(0)
	for b.Loop() {
		y += 37
		l.ScrollToOffset(y)
		if l.GetScrollOffset() < y {
			y = 0 // the end: start again at the top
			l.ScrollToTop()
		}
		c.Capture()
	}
}

// BenchmarkFeed1000ScrollLayout is the same without the paint: what moving
// the list costs the UI goroutine.
func BenchmarkFeed1000ScrollLayout(b *testing.B) {
	ui := benchUI(b, 1000)
	l := ui.feedView.list
	ui.win.Canvas().Capture()
	b.ResetTimer()
	y := float32(0)
	for b.Loop() {
		y += 37
		l.ScrollToOffset(y)
		if l.GetScrollOffset() < y {
			y = 0
			l.ScrollToTop()
		}
	}
}

// A long feed builds only the cards on screen and reuses them: scrolled to
// the end, the last activity has a card, which opens it.
func TestLongFeedIsLazy(t *testing.T) {
	ui := benchUI(t, 1000)
	f := ui.feedView
	ui.win.Canvas().Capture()
	made := f.made
	if made == 0 || made > 30 {
		t.Fatalf("%d cards made for 1,000 activities at phone size, want a screenful", made)
	}
	first := f.cardAt(0)
	if first == nil || !strings.HasPrefix(first.message.Text, "活动 0：") || !first.featured.Visible() {
		t.Fatalf("first card: %+v", first)
	}
	// Scrolled through to the end, the cards leaving are reused for those
	// entering.
	made = f.made
	for y := float32(0); f.list.GetScrollOffset() >= y; y += 100 {
		f.list.ScrollToOffset(y)
	}
	if f.made > made+3 {
		t.Errorf("scrolling to the end made %d cards, %d before: not reused", f.made, made)
	}
	c := f.cardAt(999)
	if c == nil || !strings.HasPrefix(c.message.Text, "活动 999：") || c.featured.Visible() || c.points.Text != "59 points" {
		t.Fatalf("last card: %+v", c)
	}
	if got := shownCards(t, f); len(got) != 1000 || got[999].Message != c.message.Text {
		t.Errorf("%d cards read, last %q", len(got), got[len(got)-1].Message)
	}
	test.Tap(f.cardAt(999).card)
	if ui.activity == nil || ui.activity.item.ID != "act_0999" {
		t.Fatalf("tapping the last card opened %+v", ui.activity)
	}
}
