package platform

import (
	"strings"
	"sync"
)

// App URLs: a phone app that registers the chorus: scheme (client.SSOAppScheme)
// is opened with chorus://… when the browser comes back from single sign-on.
// The OS glue hands each such URL to OpenAppURL; the app takes them with
// OnAppURL.

// appURLMax bounds what is kept or handed on: a sign-in's URL is well under it.
const appURLMax = 4096

var (
	appURLMu      sync.Mutex
	onAppURL      func(raw string)
	pendingAppURL []string
)

// OnAppURL sets what to do with a chorus: URL the system opened the app
// with. URLs that came before fn was set (the one that launched the app)
// are handed to fn at once.
func OnAppURL(fn func(raw string)) {
	appURLMu.Lock()
	onAppURL = fn
	pending := pendingAppURL
	pendingAppURL = nil
	appURLMu.Unlock()
	if fn != nil {
		for _, u := range pending {
			fn(u)
		}
	}
}

// OpenAppURL is where the OS glue (and tests, standing in for it) hands
// over a URL the app was opened with; only chorus: URLs are passed on.
func OpenAppURL(raw string) bool {
	raw = strings.TrimSpace(raw)
	if len(raw) > appURLMax || !strings.HasPrefix(strings.ToLower(raw), "chorus:") {
		return false
	}
	appURLMu.Lock()
	fn := onAppURL
	if fn == nil && len(pendingAppURL) < 4 {
		pendingAppURL = append(pendingAppURL, raw)
	}
	appURLMu.Unlock()
	if fn != nil {
		fn(raw)
	}
	return true
}

// ReceivesAppURLs tells whether the system can open this build with a
// chorus: URL, so that a browser sign-in can come back to it.
func ReceivesAppURLs() bool { return receivesAppURLs() }
