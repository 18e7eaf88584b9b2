//go:build js

package platform

import (
	"context"
	"errors"
	"syscall/js"

	"fyne.io/fyne/v2"
)

// A browser cannot hand files to the WeChat app; phones get the Chorus app.
const supportsWeChat = false

func shareToWeChat(context.Context, Share) (Result, error) {
	return Failed, ErrPhoneOnly
}

// openWeChat navigates to weixin://, which opens WeChat where a phone browser
// knows the scheme and does nothing elsewhere.
func openWeChat(context.Context, fyne.App) (Result, error) {
	js.Global().Get("location").Set("href", WeChatURL)
	return Shared, nil
}

// shareSheet uses the Web Share API with the text; files follow with media
// download (navigator.canShare({files}) decides then).
func shareSheet(ctx context.Context, s Share) (Result, error) {
	nav := js.Global().Get("navigator")
	if nav.Get("share").IsUndefined() {
		return Failed, ErrNoShareSheet
	}
	data := js.Global().Get("Object").New()
	data.Set("text", s.Text)
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
