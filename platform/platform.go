// Package platform does what Fyne does not: hand media and text to WeChat,
// open WeChat, and open the system share sheet. This file is the portable
// API; each OS has its own file beside it, named the way Fyne's drivers are
// (platform_android.go + .c, platform_ios.go + .m, platform_desktop.go,
// platform_js.go). Only this package holds cgo and driver.RunNative.
package platform

import (
	"context"
	"errors"
	"mime"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
)

// Result says how a hand-over ended, in words the app can act on.
type Result string

const (
	// Shared: the other app or the share sheet took the content. Android
	// cannot tell a finished post from one abandoned inside WeChat, so this
	// means "handed over", not "posted".
	Shared Result = "shared"
	// WeChatMissing: WeChat is not installed; offer the share sheet instead.
	WeChatMissing Result = "wechat_missing"
	// Cancelled: the person closed the share sheet.
	Cancelled Result = "cancelled"
	// Failed: see the error.
	Failed Result = "failed"
)

// WeChatPackage is WeChat's Android application id; the Android manifest
// must list it under <queries> so Android 11+ lets us see it.
const WeChatPackage = "com.tencent.mm"

// WeChat's Android activities that accept ACTION_SEND: Moments takes one
// photo, videos go to a chat (Moments refuses videos sent by intent).
const (
	WeChatMomentsActivity = "com.tencent.mm.ui.tools.ShareToTimeLineUI"
	WeChatChatActivity    = "com.tencent.mm.ui.tools.ShareImgUI"
)

// WeChatURL opens WeChat on iOS (and wherever the scheme is registered).
const WeChatURL = "weixin://"

// Share is what to hand over.
type Share struct {
	Text      string // goes on the clipboard: WeChat ignores text sent with media
	MediaPath string // a local file; "" to share the text alone
	MediaType string // "image", "video" or ""
}

// ErrPhoneOnly is returned where WeChat cannot be reached (desktop, web):
// the post has to be made on the phone.
var ErrPhoneOnly = errors.New("sharing to WeChat is done in the Chorus app on your phone")

// ErrNotInBrowser is returned by what only the web build can do.
var ErrNotInBrowser = errors.New("only the web build can do this")

// ErrNoShareSheet is returned where the system has no share sheet for us.
var ErrNoShareSheet = errors.New("this system has no share sheet")

// Native is the platform of the running OS.
type Native struct {
	app fyne.App
}

// New returns the platform for the running OS; a is used for the clipboard.
func New(a fyne.App) *Native { return &Native{app: a} }

// SupportsWeChat tells whether ShareToWeChat can reach WeChat on this OS
// (phones); elsewhere the app offers a handoff to the phone instead.
func (n *Native) SupportsWeChat() bool { return supportsWeChat }

// ShareToWeChat puts s.Text on the clipboard and hands the media to WeChat.
// With no media it only checks that WeChat is there: the person opens it and
// pastes the text (the "Ready for WeChat" dialog says so).
func (n *Native) ShareToWeChat(ctx context.Context, s Share) (Result, error) {
	n.copy(s.Text)
	return shareToWeChat(ctx, s)
}

// OpenWeChat starts WeChat.
func (n *Native) OpenWeChat(ctx context.Context) (Result, error) {
	return openWeChat(ctx, n.app)
}

// ShareSheet offers s to any app through the system share sheet (the way out
// when WeChat is missing); the text is on the clipboard too.
func (n *Native) ShareSheet(ctx context.Context, s Share) (Result, error) {
	n.copy(s.Text)
	return shareSheet(ctx, s)
}

func (n *Native) copy(text string) {
	if text == "" || n.app == nil {
		return
	}
	// Fyne's clipboard is ClipboardManager on Android and UIPasteboard on
	// iOS; it must be used from the UI goroutine.
	fyne.DoAndWait(func() { n.app.Clipboard().SetContent(text) })
}

// MIMEType is the type to announce for a file: from its extension, else a
// safe default for its media type (WeChat refuses "application/octet-stream").
func MIMEType(path, mediaType string) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(path))); t != "" {
		if i := strings.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
		if strings.HasPrefix(t, "image/") || strings.HasPrefix(t, "video/") {
			return t
		}
	}
	switch {
	case mediaType == "video", isVideoExt(path):
		return "video/mp4"
	case path == "" && mediaType == "":
		return "text/plain"
	}
	return "image/jpeg"
}

func isVideoExt(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mp4", ".mov", ".m4v", ".webm":
		return true
	}
	return false
}

// WeChatActivity is the WeChat screen that takes this kind of media: a photo
// goes to Moments, a video (which Moments refuses by intent) to a chat.
func WeChatActivity(mimeType string) string {
	if strings.HasPrefix(mimeType, "video/") {
		return WeChatChatActivity
	}
	return WeChatMomentsActivity
}

// MediaStoreName is the display name a shared file gets in the phone's
// gallery: unique enough, with the extension its MIME type needs.
func MediaStoreName(path, mimeType string) string {
	base := filepath.Base(path)
	if base == "." || base == string(filepath.Separator) || base == "" {
		base = "chorus"
	}
	if filepath.Ext(base) == "" {
		switch mimeType {
		case "video/mp4":
			base += ".mp4"
		case "video/quicktime":
			base += ".mov"
		case "image/png":
			base += ".png"
		case "image/gif":
			base += ".gif"
		case "image/webp":
			base += ".webp"
		default:
			base += ".jpg"
		}
	}
	if !strings.HasPrefix(base, "chorus-") {
		base = "chorus-" + base
	}
	return base
}
