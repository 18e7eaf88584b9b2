//go:build ios

package platform

/*
#cgo CFLAGS: -x objective-c -fobjc-arc
#cgo LDFLAGS: -framework UIKit -framework Foundation -framework CoreGraphics
#include <stdlib.h>

void chorus_open_wechat(long long id);
void chorus_set_pasteboard(const char *text);
void chorus_share(long long id, const char *text, const char *path);
*/
import "C"

import (
	"context"
	"sync"
	"unsafe"

	"fyne.io/fyne/v2"
)

const supportsWeChat = true

// Share sheets in flight, by id, waiting for UIKit's completion handler.
var (
	sheetsMu sync.Mutex
	sheets   = map[int64]chan Result{}
	sheetID  int64
)

//export chorusShareFinished
func chorusShareFinished(id C.longlong, result C.int) {
	sheetsMu.Lock()
	ch := sheets[int64(id)]
	delete(sheets, int64(id))
	sheetsMu.Unlock()
	if ch == nil {
		return
	}
	switch result {
	case 0:
		ch <- Shared
	case 1:
		ch <- Cancelled
	case 3:
		ch <- WeChatMissing
	default:
		ch <- Failed
	}
}

// await starts a UIKit call that answers through chorusShareFinished.
func await(ctx context.Context, start func(id C.longlong)) (Result, error) {
	ch := make(chan Result, 1)
	sheetsMu.Lock()
	sheetID++
	id := sheetID
	sheets[id] = ch
	sheetsMu.Unlock()

	start(C.longlong(id))
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		sheetsMu.Lock()
		delete(sheets, id)
		sheetsMu.Unlock()
		return Cancelled, ctx.Err()
	}
}

func present(ctx context.Context, s Share) (Result, error) {
	text, path := C.CString(s.Text), C.CString(s.MediaPath)
	defer C.free(unsafe.Pointer(text))
	defer C.free(unsafe.Pointer(path))
	return await(ctx, func(id C.longlong) { C.chorus_share(id, text, path) })
}

// shareToWeChat: iOS has no public way to address WeChat directly, so the
// file goes through the share sheet, where WeChat is one of the choices (and
// is missing from it when not installed; the person then picks another).
func shareToWeChat(ctx context.Context, s Share) (Result, error) {
	if s.Text != "" {
		text := C.CString(s.Text)
		C.chorus_set_pasteboard(text)
		C.free(unsafe.Pointer(text))
	}
	if s.MediaPath == "" {
		return Shared, nil
	}
	return present(ctx, s)
}

func openWeChat(ctx context.Context, _ fyne.App) (Result, error) {
	return await(ctx, func(id C.longlong) { C.chorus_open_wechat(id) })
}

func shareSheet(ctx context.Context, s Share) (Result, error) {
	return present(ctx, s)
}
