//go:build js

package assets

import (
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"fyne.io/fyne/v2"
)

// The web build embeds no CJK font: the full fonts (3.4 MB, 2.4 MB brotli)
// were a quarter of its download, and most loads never draw a hanzi the
// interface does not. The page (web/index.html, window.chorusFonts) fetches,
// as content-hashed files the browser caches:
//   - ui: the fonts cut down to the interface's own characters (about 100 KB
//     each, brotli), at once, beside the wasm: any screen of the app, in
//     either language, is drawn with them from its first frame;
//   - full: the whole fonts, only once asked for (need): by the page when a
//     signed-in member read Chinese on an earlier visit (then also beside
//     the wasm), or when an answer of the server or typed text holds CJK; by
//     the app when its language becomes Chinese (NeedCJK).
// Until a font arrives the theme uses what it has (the subset, then Fyne's
// Latin font): a hanzi outside it shows as a box for that long.

var (
	fonts   atomic.Pointer[[2]fyne.Resource]
	askedCJ atomic.Bool
)

// Fonts returns the regular and bold text fonts loaded so far: the
// interface's subset, then the full fonts; nil, nil before any arrived.
func Fonts() (regular, bold fyne.Resource) {
	if f := fonts.Load(); f != nil {
		return f[0], f[1]
	}
	return nil, nil
}

// StartFonts takes the fonts the page fetched for the app's start: it waits
// up to wait for the interface subset (fetched beside the wasm, so normally
// there already), and for the full fonts too when the page asked for them at
// start, so the first frame needs no font swap. Full fonts that arrive later
// are taken then and onFull is called (the theme redraws with them). Without
// the page's loader (another page) it does nothing: Fyne's Latin font.
func StartFonts(wait time.Duration, onFull func()) {
	page := js.Global().Get("chorusFonts")
	if page.Type() != js.TypeObject {
		return
	}
	deadline := make(chan struct{})
	time.AfterFunc(wait, func() { close(deadline) })
	if ui, ok := await(page.Get("ui"), deadline); ok {
		setFonts(ui, "ChorusSC-UI")
	}
	full := make(chan js.Value, 1)
	go func() {
		if v, ok := await(page.Get("full"), nil); ok {
			full <- v
		}
	}()
	if page.Get("early").Truthy() {
		select {
		case v := <-full:
			setFonts(v, "ChorusSC")
			return
		case <-deadline:
		}
	}
	go func() {
		setFonts(<-full, "ChorusSC")
		onFull()
	}()
}

// NeedCJK asks the page for the full CJK fonts (once; the page fetches them
// after the first frame if that is not drawn yet).
func NeedCJK() {
	if askedCJ.Swap(true) {
		return
	}
	if page := js.Global().Get("chorusFonts"); page.Type() == js.TypeObject {
		page.Call("need")
	}
}

// setFonts takes a [regular, bold] pair of ArrayBuffers, as name-Regular.otf
// and name-Bold.otf; a pair with a missing half is ignored.
func setFonts(pair js.Value, name string) {
	if pair.Type() != js.TypeObject || pair.Length() != 2 {
		return
	}
	var res [2]fyne.Resource
	for i, weight := range []string{"Regular", "Bold"} {
		buf := pair.Index(i)
		if buf.Type() != js.TypeObject {
			return
		}
		arr := js.Global().Get("Uint8Array").New(buf)
		b := make([]byte, arr.Length())
		js.CopyBytesToGo(b, arr)
		res[i] = fyne.NewStaticResource(name+"-"+weight+".otf", b)
	}
	fonts.Store(&res)
}

// await waits for promise to settle, or for stop; false when it was
// rejected or stop came first. The callbacks are released when it settles.
func await(promise js.Value, stop <-chan struct{}) (js.Value, bool) {
	if promise.Type() != js.TypeObject {
		return js.Undefined(), false
	}
	type result struct {
		v  js.Value
		ok bool
	}
	done := make(chan result, 1)
	var once sync.Once
	var then, catch js.Func
	settle := func(r result) {
		once.Do(func() {
			done <- r
			then.Release()
			catch.Release()
		})
	}
	then = js.FuncOf(func(_ js.Value, args []js.Value) any {
		settle(result{args[0], true})
		return nil
	})
	catch = js.FuncOf(func(js.Value, []js.Value) any {
		settle(result{js.Undefined(), false})
		return nil
	})
	promise.Call("then", then, catch)
	select {
	case r := <-done:
		return r.v, r.ok
	case <-stop:
		return js.Undefined(), false
	}
}
