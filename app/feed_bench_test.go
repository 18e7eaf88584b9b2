package app

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
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
	now := time.Now()
	ui.me = client.Me{ID: "usr_bench", Name: "Li Wei", Timezone: "Asia/Shanghai",
		Memberships: []client.Membership{{ProgramID: "prg_bench", ProgramName: "Demo Co"}}}
	ui.engine.Switch(session.Session{UserID: "usr_bench", ProgramID: "prg_bench"})
	ui.retranslate()
	types := []string{"wechat_photo", "wechat_video", "tiktok_video"}
	for i := range n {
		end := now.Add(time.Duration(i%200+1) * time.Hour)
		typ := types[i%3]
		it := client.FeedItem{ID: fmt.Sprintf("act_%04d", i), Type: typ, Points: 10 + i%50, Featured: i < 2,
			StartsAt: now.Add(-time.Hour), EndsAt: &end, Performed: i%4 == 0, Network: kindOf(typ, "").network}
		if typ == "tiktok_video" {
			it.Instructions = "Share this video on TikTok"
		} else {
			it.Message = fmt.Sprintf("活动 %d：我们的新产品今天发布！Activity %d: our new product launches today https://example.com/%d", i, i, i)
		}
		ui.feed.Items = append(ui.feed.Items, it)
	}
	ui.feedAt = now
	ui.showMain(tabFeed)
	return ui
}

// BenchmarkFeed1000 draws a feed of 1,000 activities at phone size: the
// cards built (the first page of feedPage), laid out, and one frame painted
// by the test driver's software painter (what a refresh costs).
func BenchmarkFeed1000(b *testing.B) {
	ui := benchUI(b, 1000)
	c := ui.win.Canvas()
	b.ResetTimer()
	for b.Loop() {
		ui.feedView.show()
		c.Capture()
	}
}

// BenchmarkFeed1000Build is the same without the paint: building and
// laying out the cards only.
func BenchmarkFeed1000Build(b *testing.B) {
	ui := benchUI(b, 1000)
	b.ResetTimer()
	for b.Loop() {
		ui.feedView.show()
		ui.feedView.content.Resize(fyne.NewSize(390, 700))
	}
}

// BenchmarkFeed1000All is the worst case: every one of the 1,000 cards
// shown (the member pressed "Show more" to the end).
func BenchmarkFeed1000All(b *testing.B) {
	ui := benchUI(b, 1000)
	ui.feedView.limit = 1000
	c := ui.win.Canvas()
	b.ResetTimer()
	for b.Loop() {
		ui.feedView.show()
		c.Capture()
	}
}

// A long feed shows a page, and "Show more" the next.
func TestLongFeedShowsPages(t *testing.T) {
	ui := benchUI(t, 100)
	f := ui.feedView
	if len(f.cards) != feedPage || f.more.Text != "Show more (60 more activities)" {
		t.Fatalf("%d cards, %q", len(f.cards), f.more.Text)
	}
	test.Tap(f.more)
	test.Tap(f.more)
	if len(f.cards) != 100 || slices.Contains(f.list.Objects, fyne.CanvasObject(f.more)) {
		t.Errorf("after two pages more: %d cards, button still there: %v", len(f.cards), slices.Contains(f.list.Objects, fyne.CanvasObject(f.more)))
	}
}
