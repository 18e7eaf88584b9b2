package platform

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestMIMEType(t *testing.T) {
	for _, c := range []struct{ path, media, want string }{
		{"/data/a.jpg", "image", "image/jpeg"},
		{"/data/a.PNG", "image", "image/png"},
		{"/data/a.webp", "", "image/webp"},
		{"/data/a.mp4", "video", "video/mp4"},
		{"/data/a.mov", "video", "video/quicktime"},
		{"/data/noext", "video", "video/mp4"},
		{"/data/noext", "image", "image/jpeg"},
		{"/data/a.txt", "image", "image/jpeg"}, // never announce text with media
		{"", "", "text/plain"},
	} {
		if got := MIMEType(c.path, c.media); got != c.want {
			t.Errorf("MIMEType(%q, %q) = %q, want %q", c.path, c.media, got, c.want)
		}
	}
}

func TestWeChatActivity(t *testing.T) {
	if got := WeChatActivity("image/png"); got != WeChatMomentsActivity {
		t.Errorf("photo goes to %s, want Moments", got)
	}
	if got := WeChatActivity("video/mp4"); got != WeChatChatActivity {
		t.Errorf("video goes to %s, want the chat screen", got)
	}
}

func TestMediaStoreName(t *testing.T) {
	for _, c := range []struct{ path, mime, want string }{
		{"/cache/act_1.jpg", "image/jpeg", "chorus-act_1.jpg"},
		{"/cache/act_1", "video/mp4", "chorus-act_1.mp4"},
		{"/cache/chorus-x.png", "image/png", "chorus-x.png"},
		{"", "image/gif", "chorus-chorus.gif"},
	} {
		if got := MediaStoreName(c.path, c.mime); got != c.want {
			t.Errorf("MediaStoreName(%q, %q) = %q, want %q", c.path, c.mime, got, c.want)
		}
	}
}

// On a desktop the text still reaches the clipboard (the member may paste it
// into WeChat for Windows), but the share itself says "use your phone".
func TestDesktopShareCopiesTextAndSaysPhoneOnly(t *testing.T) {
	a := test.NewTempApp(t)
	n := New(a)
	if n.SupportsWeChat() {
		t.Fatal("desktop claims WeChat support")
	}
	res, err := n.ShareToWeChat(context.Background(), Share{Text: "hello 你好"})
	if res != Failed || !errors.Is(err, ErrPhoneOnly) {
		t.Fatalf("ShareToWeChat = %v, %v; want failed, ErrPhoneOnly", res, err)
	}
	if got := a.Clipboard().Content(); got != "hello 你好" {
		t.Fatalf("clipboard = %q", got)
	}
	if res, err := n.ShareSheet(context.Background(), Share{Text: "x"}); res != Failed || !errors.Is(err, ErrNoShareSheet) {
		t.Fatalf("ShareSheet = %v, %v", res, err)
	}
}
