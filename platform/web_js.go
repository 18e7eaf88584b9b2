//go:build js

package platform

import (
	"net/url"
	"strings"
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
