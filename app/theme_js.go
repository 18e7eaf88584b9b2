//go:build js

package app

import (
	"sync"
	"syscall/js"
	"time"

	"fyne.io/fyne/v2"
	gl "github.com/fyne-io/gl-js"

	"github.com/chorus-advocacy/chorus/assets"
)

var fontsOnce sync.Once

// watchFonts, in the web build, takes the fonts the page fetched before the
// first frame (waiting at most a few seconds: the interface's subset is
// small and fetched beside the wasm), redraws everything with the full CJK
// fonts when they arrive, and asks for them as soon as the interface is in
// Chinese (at start, a member's choice, or their profile at sign-in): its
// screens then show members' Chinese text, which the subset does not cover.
func watchFonts() {
	fontsOnce.Do(func() {
		a := fyne.CurrentApp()
		if a == nil {
			return
		}
		assets.StartFonts(3*time.Second, func() {
			fyne.Do(func() { redraw(a) })
		})
		prefs := NewPrefs(a.Preferences())
		chinese := func() {
			l := prefs.Lang()
			if l == "" {
				l = fyne.CurrentDevice().Locale().String()
			}
			if ParseLang(l) == Chinese {
				assets.NeedCJK()
			}
		}
		a.Preferences().AddChangeListener(chinese)
		chinese()
	})
}

// redraw sets the theme again, which is how Fyne drops its parsed fonts and
// draws every text anew. On the web Fyne does that outside its WebGL
// context, where freeing the old text textures fails on a null context and
// the app stops ("Value.Call on null" in DeleteTexture): so the canvas's
// context (getContext answers the one Fyne made) is made current around
// it. This runs on Fyne's thread between frames, and nothing in it yields.
func redraw(a fyne.App) {
	canvas := js.Global().Get("document").Call("querySelector", "canvas")
	if canvas.Type() != js.TypeObject {
		return
	}
	ctx := canvas.Call("getContext", "webgl")
	if ctx.Type() != js.TypeObject {
		return
	}
	gl.ContextWatcher.OnMakeCurrent(ctx)
	defer gl.ContextWatcher.OnDetach()
	a.Settings().SetTheme(Theme())
}
