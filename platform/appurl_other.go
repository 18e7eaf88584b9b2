//go:build !ios

package platform

// The desktop gets its sign-in back through a loopback listener and the
// web build through its own address. Android does not receive chorus:
// URLs: Fyne's activity (org.golang.app.GoNativeActivity, a NativeActivity
// whose Java Fyne's packager ships prebuilt) does not override onNewIntent,
// and NativeActivity has no native callback for a new intent, so the URL
// the browser sends to the running app would be dropped.
func receivesAppURLs() bool { return false }
