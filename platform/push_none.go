//go:build !ios && !js

package platform

import "context"

// Android has no push here: FCM needs Google's Firebase client library in
// the APK, which Fyne's packager cannot add, and FCM does not reach phones
// in mainland China. The app shows local notifications from the live event
// stream while it runs instead, and email or WeCom reach the member
// otherwise (README, "Notifications"). A desktop has no push service either.
func pushPlatform() string { return "" }

func pushPermission() string { return PushUnsupported }

func enablePush(context.Context, string, string) (PushToken, error) {
	return PushToken{}, ErrPushUnsupported
}

func disablePush(context.Context) error { return nil }
