package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/chorus-advocacy/chorus/app/internal/testserver"
)

// shareWeChatMedia opens the activity whose message holds text on a phone,
// taps Share on WeChat, and checks what the phone got: the file the server
// serves (same SHA-256 as GET /media/{mid}), its type, and the member's
// text with their tracked link on the clipboard (the demo's video message
// has no link to track: its text is the server's share text as it is).
func shareWeChatMedia(t *testing.T, text, wantType string, wantLink bool) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(1))
	a := h.open(text)
	h.ui.Wait() // the file is fetched when the screen opens
	if a.media.file.Path == "" {
		t.Fatalf("the file was not fetched when the activity opened: %q", a.media.status.Text)
	}
	h.tap(a.action)

	calls := h.share.wechatCalls()
	if len(calls) != 1 {
		t.Fatalf("ShareToWeChat called %d times", len(calls))
	}
	got := calls[0]
	if got.MediaType != wantType {
		t.Errorf("media type %q, want %q", got.MediaType, wantType)
	}
	data, err := os.ReadFile(got.MediaPath)
	if err != nil {
		t.Fatalf("the shared file: %v", err)
	}
	api := apiAs(t, srv.URL, testserver.Member(1))
	var want bytes.Buffer
	if _, err := api.DownloadMedia(context.Background(), programOf(t, api), a.item.MediaID, &want); err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(data) != sha256.Sum256(want.Bytes()) {
		t.Errorf("the shared file (%d bytes) is not GET /media/%s (%d bytes)", len(data), a.item.MediaID, want.Len())
	}
	clip := h.app.Clipboard().Content()
	if clip == "" || clip != got.Text || wantLink && !strings.Contains(clip, "/l/") {
		t.Errorf("clipboard %q, shared text %q: want the member's text with their tracked link", clip, got.Text)
	}
	if h.ui.activity.ready == nil {
		t.Error("no Ready for WeChat")
	}
}

func TestShareWeChatPhotoHandsOverTheFile(t *testing.T) {
	shareWeChatMedia(t, "Our new product launches today", "image", true)
}

func TestShareWeChatVideoHandsOverTheFile(t *testing.T) {
	shareWeChatMedia(t, "Behind the scenes", "video", false)
}

// The feed's cards show the photo's thumbnail, and the activity shows the
// photo itself, large; offline, from the cache, too.
func TestFeedShowsMediaThumbnails(t *testing.T) {
	srv := testserver.Start(t)
	h := newHarness(t, srv.URL, true)
	h.signIn(testserver.Member(1))
	c := h.card("Our new product launches today")
	if b, ok := h.ui.media.cachedThumb(c.item.MediaID); !ok || len(b) == 0 {
		t.Fatal("no thumbnail for the photo's card")
	}
	a := h.open("Our new product launches today")
	h.ui.Wait()
	if a.media.img == nil || !a.media.full {
		t.Error("the activity does not show the photo")
	}
	// Start again with no server: the cached feed shows the cached pictures.
	srv.Stop()
	h.start()
	h.ui.Wait()
	if b, ok := h.ui.media.cachedThumb(c.item.MediaID); !ok || len(b) == 0 {
		t.Error("offline: no thumbnail from the cache")
	}
	a = h.open("Our new product launches today")
	h.ui.Wait()
	if a.media.img == nil || !a.media.full {
		t.Errorf("offline: the activity does not show the cached photo (%q)", a.media.status.Text)
	}
}

// A phone's browser says it is a sideways mobile device (Fyne's web driver
// knows no orientation), which moves AppTabs' bottom bar to the side: the
// phone shell keeps its own bar at the bottom there.
func TestPhoneBrowserKeepsBottomTabBar(t *testing.T) {
	old := tabsMoveAside
	tabsMoveAside = func() bool { return true }
	t.Cleanup(func() { tabsMoveAside = old })
	srv := testserver.Start(t)
	h := newWebHarness(t, srv.URL, true)
	h.signIn(testserver.Member(1))
	sh := h.ui.shell.(*mobileShell)
	if sh.bar == nil {
		t.Fatal("no bottom bar")
	}
	bar := sh.bar.buttons[0]
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(bar)
	size := h.win.Canvas().Size()
	if pos.Y < size.Height*0.8 || bar.Size().Width > size.Width/3 {
		t.Errorf("tab button at %v size %v in a %v window: want a bar along the bottom", pos, bar.Size(), size)
	}
	h.tap(sh.bar.buttons[int(tabPoints)])
	if h.ui.shell.current() != tabPoints || sh.bar.body.Objects[0] != h.ui.points.content {
		t.Error("the Points button did not show the points")
	}
	h.tap(sh.bar.buttons[int(tabFeed)])
	if sh.bar.body.Objects[0] != sh.feed {
		t.Error("the Feed button did not show the feed")
	}
}
