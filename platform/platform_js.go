//go:build js

package platform

import (
	"context"
	"errors"
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
	done := make(chan Result, 1)
	var onOK, onErr js.Func
	onOK = js.FuncOf(func(js.Value, []js.Value) any {
		done <- Shared
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		// AbortError is the person closing the sheet.
		if len(args) > 0 && args[0].Get("name").String() == "AbortError" {
			done <- Cancelled
		} else {
			done <- Failed
		}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	nav.Call("share", data).Call("then", onOK).Call("catch", onErr)
	select {
	case r := <-done:
		if r == Failed {
			return r, errors.New("the browser refused to share")
		}
		return r, nil
	case <-ctx.Done():
		return Cancelled, ctx.Err()
	}
}
