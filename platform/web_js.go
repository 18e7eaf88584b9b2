//go:build js

package platform

import (
	"errors"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"syscall/js"
)

const inBrowser = true

func openHere(u *url.URL) error {
	js.Global().Get("location").Call("assign", u.String())
	return nil
}

func origin() string {
	return js.Global().Get("location").Get("origin").String()
}

func startLink() string {
	loc := js.Global().Get("location")
	hash := strings.TrimPrefix(loc.Get("hash").String(), "#")
	if hash == "" {
		return ""
	}
	if h := js.Global().Get("history"); h.Truthy() && h.Get("replaceState").Truthy() {
		h.Call("replaceState", js.Null(), "", loc.Get("pathname").String()+loc.Get("search").String())
	}
	return hash
}

func narrow() bool {
	return js.Global().Get("innerWidth").Int() < 600
}

func exposeTestHook(fn func(cmd string) string) {
	search := js.Global().Get("location").Get("search").String()
	q, err := url.ParseQuery(strings.TrimPrefix(search, "?"))
	if err != nil || q.Get("e2e") != "1" {
		return
	}
	promise := js.Global().Get("Promise")
	// Every goroutine's stack, answered at once without Fyne's loop: what a
	// browser test prints when the probe stops answering (a stuck loop).
	js.Global().Set("chorusStacks", js.FuncOf(func(js.Value, []js.Value) any {
		buf := make([]byte, 1<<20)
		return string(buf[:runtime.Stack(buf, true)])
	}))
	js.Global().Set("chorusProbe", js.FuncOf(func(_ js.Value, args []js.Value) any {
		cmd := ""
		if len(args) > 0 {
			cmd = args[0].String()
		}
		// A js.Func must not block: answer through a Promise from a
		// goroutine, which may wait for Fyne's loop.
		return promise.New(js.FuncOf(func(_ js.Value, cb []js.Value) any {
			resolve := cb[0]
			go func() { resolve.Invoke(fn(cmd)) }()
			return nil
		}))
	}))
}

// files are the prepared files by handle (object URL).
var (
	filesMu sync.Mutex
	files   = map[string]js.Value{}
)

func prepareFile(name, mimeType string, data []byte) (string, error) {
	u8 := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(u8, data)
	opts := js.Global().Get("Object").New()
	opts.Set("type", mimeType)
	parts := js.Global().Get("Array").New(1)
	parts.SetIndex(0, u8)
	f := js.Global().Get("File").New(parts, name, opts)
	handle := js.Global().Get("URL").Call("createObjectURL", f).String()
	filesMu.Lock()
	files[handle] = f
	filesMu.Unlock()
	return handle, nil
}

func preparedFile(handle string) (js.Value, bool) {
	filesMu.Lock()
	defer filesMu.Unlock()
	f, ok := files[handle]
	return f, ok
}

func saveFile(handle string) error {
	f, ok := preparedFile(handle)
	if !ok {
		return errors.New("the file is not ready")
	}
	doc := js.Global().Get("document")
	a := doc.Call("createElement", "a")
	a.Set("href", handle)
	a.Set("download", f.Get("name"))
	a.Get("style").Set("display", "none")
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	return nil
}
