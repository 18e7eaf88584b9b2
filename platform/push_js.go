//go:build js

package platform

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall/js"
)

// The service worker, beside index.html in the web build (web/sw.js), and
// the scope it serves: the app's directory, /app/.
const (
	serviceWorker      = "sw.js"
	serviceWorkerScope = "./"
)

func pushPlatform() string {
	if pushPermission() == PushUnsupported {
		return ""
	}
	return PushWebPush
}

func pushPermission() string {
	g := js.Global()
	nav := g.Get("navigator")
	if !g.Get("isSecureContext").Truthy() || !nav.Get("serviceWorker").Truthy() ||
		!g.Get("PushManager").Truthy() || !g.Get("Notification").Truthy() {
		return PushUnsupported
	}
	switch g.Get("Notification").Get("permission").String() {
	case "granted":
		return PushGranted
	case "denied":
		return PushDenied
	}
	return PushPrompt
}

// await waits for a JavaScript promise: its value, or its rejection as an
// error (with the DOMException's name, e.g. NotAllowedError). When ctx ends
// first it returns at once, but its two callbacks stay alive until the
// promise settles: a promise that calls a released js.Func makes the
// browser log "call to released function" (a share sheet left open, a
// permission prompt still showing).
func await(ctx context.Context, p js.Value) (js.Value, error) {
	type answer struct {
		v   js.Value
		err error
	}
	ch := make(chan answer, 1)
	var ok, fail js.Func
	settle := func(a answer) {
		ch <- a
		ok.Release()
		fail.Release()
	}
	ok = js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		settle(answer{v: v})
		return nil
	})
	fail = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "the browser refused"
		if len(args) > 0 && args[0].Truthy() {
			e := args[0]
			if n := e.Get("name"); n.Type() == js.TypeString && n.String() != "Error" {
				msg = n.String() + ": " + e.Get("message").String()
			} else if m := e.Get("message"); m.Type() == js.TypeString {
				msg = m.String()
			} else {
				msg = e.Call("toString").String()
			}
		}
		settle(answer{err: errors.New(msg)})
		return nil
	})
	p.Call("then", ok, fail)
	select {
	case a := <-ch:
		return a.v, a.err
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}

func enablePush(ctx context.Context, vapidKey, lang string) (PushToken, error) {
	if pushPermission() == PushUnsupported {
		return PushToken{}, ErrPushUnsupported
	}
	key, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(vapidKey, "="))
	if err != nil || len(key) != 65 {
		return PushToken{}, errors.New("the server's push key is not usable")
	}
	g := js.Global()
	// Ask first: in the tap's user activation, before any wait.
	answer, err := await(ctx, g.Get("Notification").Call("requestPermission"))
	if err != nil {
		return PushToken{}, err
	}
	if answer.String() != "granted" {
		return PushToken{}, ErrPushDenied
	}
	reg, err := registerWorker(ctx, lang)
	if err != nil {
		return PushToken{}, err
	}
	pm := reg.Get("pushManager")
	sub, err := await(ctx, pm.Call("getSubscription"))
	if err != nil {
		return PushToken{}, err
	}
	if sub.Truthy() && !sameKey(sub, key) {
		// Subscribed with an older server key: the push service would
		// refuse the server's pushes, so start again.
		if _, err := await(ctx, sub.Call("unsubscribe")); err != nil {
			return PushToken{}, err
		}
		sub = js.Null()
	}
	if !sub.Truthy() {
		k := g.Get("Uint8Array").New(len(key))
		js.CopyBytesToJS(k, key)
		opts := g.Get("Object").New()
		opts.Set("userVisibleOnly", true)
		opts.Set("applicationServerKey", k)
		if sub, err = await(ctx, pm.Call("subscribe", opts)); err != nil {
			return PushToken{}, fmt.Errorf("the browser's push service did not answer (%v)", err)
		}
	}
	j := sub.Call("toJSON")
	t := PushToken{Platform: PushWebPush, Endpoint: j.Get("endpoint").String()}
	if keys := j.Get("keys"); keys.Truthy() {
		t.P256dh, t.Auth = keys.Get("p256dh").String(), keys.Get("auth").String()
	}
	if t.Endpoint == "" || t.P256dh == "" || t.Auth == "" {
		return PushToken{}, errors.New("the browser's push subscription has no keys")
	}
	return t, nil
}

// registerWorker registers the service worker (again: the same script is
// kept; a new lang makes a new script URL, which updates it) and waits
// until it is active.
func registerWorker(ctx context.Context, lang string) (js.Value, error) {
	sw := js.Global().Get("navigator").Get("serviceWorker")
	opts := js.Global().Get("Object").New()
	opts.Set("scope", serviceWorkerScope)
	script := serviceWorker
	if lang != "" {
		script += "?lang=" + url.QueryEscape(lang)
	}
	if _, err := await(ctx, sw.Call("register", script, opts)); err != nil {
		return js.Undefined(), fmt.Errorf("the notification helper could not start (%v)", err)
	}
	return await(ctx, sw.Get("ready"))
}

// sameKey tells whether sub was made with the server key key.
func sameKey(sub js.Value, key []byte) bool {
	k := sub.Get("options").Get("applicationServerKey")
	if !k.Truthy() {
		return false
	}
	u8 := js.Global().Get("Uint8Array").New(k)
	if u8.Length() != len(key) {
		return false
	}
	b := make([]byte, len(key))
	js.CopyBytesToGo(b, u8)
	return string(b) == string(key)
}

func disablePush(ctx context.Context) error {
	if pushPermission() == PushUnsupported {
		return nil
	}
	sw := js.Global().Get("navigator").Get("serviceWorker")
	reg, err := await(ctx, sw.Call("getRegistration", serviceWorkerScope))
	if err != nil || !reg.Truthy() {
		return err
	}
	sub, err := await(ctx, reg.Get("pushManager").Call("getSubscription"))
	if err != nil || !sub.Truthy() {
		return err
	}
	_, err = await(ctx, sub.Call("unsubscribe"))
	return err
}

// init hands the app the activities of tapped notifications: the
// service worker posts {type: 'chorus-open'} to an open tab, and a link to
// the app's #activity/{id} changes the address's fragment.
func init() {
	if sw := js.Global().Get("navigator").Get("serviceWorker"); sw.Truthy() {
		sw.Call("addEventListener", "message", js.FuncOf(func(_ js.Value, args []js.Value) any {
			if len(args) == 0 {
				return nil
			}
			d := args[0].Get("data")
			if d.Type() != js.TypeObject || d.Get("type").String() != "chorus-open" {
				return nil
			}
			if id := d.Get("activity_id"); id.Type() == js.TypeString && id.String() != "" {
				go openLink(ActivityLink(id.String()))
			}
			return nil
		}))
	}
	js.Global().Call("addEventListener", "hashchange", js.FuncOf(func(js.Value, []js.Value) any {
		if link := startLink(); link != "" {
			go openLink(link)
		}
		return nil
	}))
}
