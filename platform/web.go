package platform

import (
	"errors"
	"net/url"

	"fyne.io/fyne/v2"
)

// InBrowser tells whether this is the web build, running in a browser.
func InBrowser() bool { return inBrowser }

// OpenHere returns how to open a page in place of the app: in the web build
// this tab (a new window opened after a network wait is what pop-up
// blockers stop, and a phone browser handles one tab best); elsewhere a's
// OpenURL (the system browser).
func OpenHere(a fyne.App) func(u *url.URL) error {
	if inBrowser {
		return openHere
	}
	return a.OpenURL
}

// Origin is the address the web build was loaded from, e.g.
// https://chorus.acme.com: the Chorus server that serves it at /app/, so the
// sign-in screen can fill it in. "" outside a browser.
func Origin() string { return origin() }

// StartLink is the part after '#' of the address the web build was opened
// at, e.g. "reset/{token}" or "invite/{code}" from an email's link, and takes
// it out of the address bar (history.replaceState), so that a reload or the
// browser's history does not keep a secret. "" outside a browser.
func StartLink() string { return startLink() }

// Narrow tells whether the screen is phone-sized. A browser on a phone (or a
// narrow window) then gets the phone layout; elsewhere the device decides.
func Narrow() bool { return narrow() }

// ExposeTestHook lets a browser test ask the app what it shows: the web build
// draws on a <canvas>, so the page has no text to read. With ?e2e=1 in the
// page's address, window.chorusProbe(cmd) returns a Promise of fn(cmd); fn
// runs on a goroutine of its own and may wait for the UI (fyne.DoAndWait).
// Without that parameter, and outside a browser, it does nothing.
func ExposeTestHook(fn func(cmd string) string) { exposeTestHook(fn) }

// PrepareFile keeps data as a file in the web build (a Blob with its name
// and type, ready for the share sheet and for saving) and returns its
// handle, an object URL to use as Share.MediaPath and to open or download.
// The file must be ready before the tap that shares it: a browser lets a
// page share only while it still holds the tap's user activation.
// Elsewhere it returns ErrNotInBrowser (files live on disk there).
func PrepareFile(name, mimeType string, data []byte) (string, error) {
	return prepareFile(name, mimeType, data)
}

// SaveFile offers a prepared file (PrepareFile's handle) as a download, the
// web build's "Save photo" where files cannot be shared; ErrNotInBrowser
// elsewhere.
func SaveFile(handle string) error { return saveFile(handle) }

// ErrCannotShareFiles: the browser has a share sheet but cannot share this
// file (navigator.canShare({files}) said no); offer Save and Copy instead.
var ErrCannotShareFiles = errors.New("this browser cannot share files")
