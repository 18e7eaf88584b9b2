//go:build ios

package platform

/*
#cgo CFLAGS: -x objective-c -fobjc-arc
#cgo LDFLAGS: -framework UIKit -framework Foundation
int chorus_app_url_registered(void);
*/
import "C"

//export chorusAppURLOpened
func chorusAppURLOpened(raw *C.char) {
	OpenAppURL(C.GoString(raw))
}

// receivesAppURLs asks the bundle itself: fyne package's Info.plist has no
// CFBundleURLTypes, which scripts/package-mobile.sh adds, so a bundle made
// without that step says no and the app keeps to passwords.
func receivesAppURLs() bool { return C.chorus_app_url_registered() == 1 }
