//go:build js

package platform

import (
	"context"
	"errors"
	"strings"
	"syscall/js"

	"fyne.io/fyne/v2"
)

// A browser cannot reach the WeChat app itself; phones get the Chorus app.
const supportsWeChat = false

// shareToWeChat: in a phone's browser the way to WeChat is the share sheet
// (Web Share) with the file; WeChat is one of its targets.
func shareToWeChat(ctx context.Context, s Share) (Result, error) {
	return shareSheet(ctx, s)
}

// openWeChat navigates to weixin://, which opens WeChat where a phone browser
// knows the scheme and does nothing elsewhere.
func openWeChat(context.Context, fyne.App) (Result, error) {
	js.Global().Get("location").Set("href", WeChatURL)
	return Shared, nil
}

// shareSheet uses the Web Share API: with the prepared file when s has one
// (MediaPath is PrepareFile's handle) and the browser can share it
// (navigator.canShare({files})), else ErrCannotShareFiles; with the text
// alone when there is no file.
func shareSheet(ctx context.Context, s Share) (Result, error) {
	nav := js.Global().Get("navigator")
	if nav.Get("share").IsUndefined() {
		return Failed, ErrNoShareSheet
	}
	data := js.Global().Get("Object").New()
	if s.Text != "" {
		data.Set("text", s.Text)
	}
	if s.MediaPath != "" {
		f, ok := preparedFile(s.MediaPath)
		if !ok {
			return Failed, errors.New("the file is not ready")
		}
		list := js.Global().Get("Array").New(1)
		list.SetIndex(0, f)
		probe := js.Global().Get("Object").New()
		probe.Set("files", list)
		if nav.Get("canShare").IsUndefined() || !nav.Call("canShare", probe).Truthy() {
			return Failed, ErrCannotShareFiles
		}
		data.Set("files", list)
	}
	// await keeps its callbacks until the sheet closes, even when ctx ends
	// first.
	_, err := await(ctx, nav.Call("share", data))
	switch {
	case err == nil:
		return Shared, nil
	case ctx.Err() != nil:
		return Cancelled, ctx.Err()
	case strings.HasPrefix(err.Error(), "AbortError"): // the person closed the sheet
		return Cancelled, nil
	}
	return Failed, errors.New("the browser refused to share")
}
