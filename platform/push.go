package platform

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// Push platforms, as the server's device registrations name them.
const (
	PushAPNs    = "apns"
	PushWebPush = "webpush"
)

// Push permission states (PushPermission).
const (
	PushGranted = "granted"
	// PushPrompt: not asked yet; asking shows the system's question.
	PushPrompt = "prompt"
	// PushDenied: refused; only the system's settings can turn it back on.
	PushDenied = "denied"
	// PushUnsupported: this build or browser cannot receive pushes (Android,
	// desktop, a browser without service workers or the Push API, such as
	// Safari on an iPhone outside a home-screen app).
	PushUnsupported = "unsupported"
)

// PushToken is what the server needs to reach this device: for APNs the
// device token in hex, for Web Push the browser's subscription.
type PushToken struct {
	Platform string
	Token    string // APNs
	// Web Push: PushSubscription.endpoint and its base64url keys.
	Endpoint, P256dh, Auth string
}

// ErrPushDenied: the person (or the system) refused notifications.
var ErrPushDenied = errors.New("notifications are turned off for Chorus in the system's settings")

// ErrPushUnsupported: this build cannot receive pushes.
var ErrPushUnsupported = errors.New("this device cannot receive push notifications from Chorus")

// PushPlatform is the push service this build registers with (PushAPNs,
// PushWebPush), or "" where it has none (Android: see README, desktop).
func PushPlatform() string { return pushPlatform() }

// PushPermission is the system's answer so far (PushGranted, PushPrompt,
// PushDenied or PushUnsupported). It never asks.
func PushPermission() string { return pushPermission() }

// EnablePush asks the system for permission to notify (its own question,
// which the app explains first) and registers this device with the push
// service: iOS registers for remote notifications and waits for the APNs
// token; a browser registers the service worker (/app/sw.js, with lang, the
// app's language, for its own words) and subscribes with vapidKey, the
// server's VAPID public key. In a browser it must be called while the tap
// that asked for it still counts as the person's (a second or so).
func EnablePush(ctx context.Context, vapidKey, lang string) (PushToken, error) {
	return enablePush(ctx, vapidKey, lang)
}

// DisablePush ends this device's registration with the push service
// (unsubscribes the browser; unregisters the iPhone), so nothing reaches it
// even if the server still had the registration.
func DisablePush(ctx context.Context) error { return disablePush(ctx) }

// Callbacks from the system, set by the app. They run on the goroutine the
// event arrives on; the app hops to its UI goroutine itself.
var (
	hooksMu      sync.Mutex
	onPushToken  func(PushToken)
	onOpenLink   func(string)
	pendingLinks []string
)

// OnPushToken sets what to do when the system hands over a new push token
// after EnablePush answered (APNs may change a device's token at any
// launch): the app registers it again.
func OnPushToken(fn func(PushToken)) {
	hooksMu.Lock()
	onPushToken = fn
	hooksMu.Unlock()
}

// OnOpenLink sets what to do when a tapped notification asks the app to
// open a link such as "activity/{id}" (the part after '#' of the web build's
// address). A link that arrived before fn was set (the tap that launched
// the app) is handed to fn at once.
func OnOpenLink(fn func(link string)) {
	hooksMu.Lock()
	onOpenLink = fn
	pending := pendingLinks
	pendingLinks = nil
	hooksMu.Unlock()
	if fn != nil {
		for _, l := range pending {
			fn(l)
		}
	}
}

// pushTokenChanged is called by the OS glue with a token that came later.
func pushTokenChanged(t PushToken) {
	hooksMu.Lock()
	fn := onPushToken
	hooksMu.Unlock()
	if fn != nil {
		fn(t)
	}
}

// openLink is called by the OS glue when a notification is tapped.
func openLink(link string) {
	link = strings.TrimPrefix(strings.TrimSpace(link), "#")
	if link == "" {
		return
	}
	hooksMu.Lock()
	fn := onOpenLink
	if fn == nil && len(pendingLinks) < 4 {
		pendingLinks = append(pendingLinks, link)
	}
	hooksMu.Unlock()
	if fn != nil {
		fn(link)
	}
}

// ActivityLink is the link that opens an activity: "activity/{id}".
func ActivityLink(activityID string) string { return "activity/" + activityID }

// ActivityFromLink returns the activity id of an "activity/{id}" link.
func ActivityFromLink(link string) (string, bool) {
	id, ok := strings.CutPrefix(strings.TrimPrefix(link, "#"), "activity/")
	if !ok || id == "" || len(id) > 64 || strings.ContainsAny(id, "/?#% ") {
		return "", false
	}
	return id, true
}

// ActivityFromDeepLink reads the activity id of a push's deep link,
// chorus://programs/{pid}/activities/{aid}.
func ActivityFromDeepLink(deepLink string) (string, bool) {
	rest, ok := strings.CutPrefix(deepLink, "chorus://programs/")
	if !ok {
		return "", false
	}
	_, aid, ok := strings.Cut(rest, "/activities/")
	if !ok {
		return "", false
	}
	return ActivityFromLink("activity/" + aid)
}
