package app

import (
	"context"
	"image"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
	"github.com/chorus-advocacy/chorus/app/session"
	"github.com/chorus-advocacy/chorus/backend/client"
)

// Image goldens of the key phone screens, in both languages, in the app's
// own theme and bundled font. A changed look shows as a failed test with the
// new picture in testdata/failed/; copy it over the master once it is right.
func TestGoldenPhoneScreens(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	// Points for the board: two other members perform.
	for i, n := range map[int]int{3: 2, 4: 1} {
		api := apiAs(t, srv.URL, testserver.Member(i))
		pid := programOf(t, api)
		feed, err := api.Feed(ctx, pid, "")
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, it := range feed.Items {
			if it.Network != "wechat" || done == n {
				continue
			}
			if _, err := api.Perform(ctx, pid, it.ID, client.Perform{ClientActionID: session.NewActionID(), Surface: "mobile"}); err != nil {
				t.Fatal(err)
			}
			done++
		}
	}
	// The activity golden shows a real photo: "Company news" (no end date,
	// so no time that changes with every run) gets the demo's launch banner.
	mgr := apiAs(t, srv.URL, testserver.Manager)
	mpid := programOf(t, mgr)
	acts, err := mgr.Activities(ctx, mpid, client.ActivityQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var banner, news string
	for _, a := range acts {
		switch {
		case a.Featured && a.MediaID != "":
			banner = a.MediaID
		case strings.HasPrefix(a.Message, "Company news"):
			news = a.ID
		}
	}
	if banner == "" || news == "" {
		t.Fatalf("the demo has no banner (%q) or no company news (%q)", banner, news)
	}
	if _, err := mgr.UpdateActivity(ctx, mpid, news, client.ActivityInput{MediaID: &banner}); err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, srv.URL, true)
			h.app.Settings().SetTheme(Theme())
			h.app.Preferences().SetString(prefLang, string(lang))
			h.start()
			h.signIn(testserver.Member(1))
			test.AssertImageMatches(t, "feed_phone_"+string(lang)+".png", h.capture())

			// No end date: an absolute time would change with every run.
			h.open("Company news")
			test.AssertImageMatches(t, "activity_phone_"+string(lang)+".png", h.capture())

			h.ui.shell.selectTab(tabPoints)
			h.ui.Wait()
			test.AssertImageMatches(t, "leaderboard_phone_"+string(lang)+".png", h.capture())
		})
	}
}

// capture lays the window out twice before the picture, as a real driver
// does over its first frames: a wrapped label knows its height only once
// it knows its width.
func (h *harness) capture() image.Image {
	size := h.win.Canvas().Size()
	h.win.Resize(size.AddWidthHeight(1, 0))
	h.win.Resize(size)
	return h.win.Canvas().Capture()
}
