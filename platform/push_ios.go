//go:build ios

package platform

/*
#cgo CFLAGS: -x objective-c -fobjc-arc
#cgo LDFLAGS: -framework UIKit -framework Foundation -framework UserNotifications
int chorus_push_permission(void);
void chorus_push_request(void);
void chorus_push_unregister(void);
*/
import "C"

import (
	"context"
	"errors"
	"sync"
)

func pushPlatform() string { return PushAPNs }

func pushPermission() string {
	switch C.chorus_push_permission() {
	case 1:
		return PushDenied
	case 2:
		return PushGranted
	}
	return PushPrompt
}

// pushAnswer is how one EnablePush ends: a token, or why not.
type pushAnswer struct {
	token PushToken
	err   error
}

// Callers of EnablePush waiting for the system's answer; a token nobody
// waits for is a changed one (pushTokenChanged).
var (
	pushWaitMu  sync.Mutex
	pushWaiters []chan pushAnswer
)

func answerWaiters(a pushAnswer) bool {
	pushWaitMu.Lock()
	ws := pushWaiters
	pushWaiters = nil
	pushWaitMu.Unlock()
	for _, w := range ws {
		w <- a
	}
	return len(ws) > 0
}

//export chorusPushAuthorized
func chorusPushAuthorized(granted C.int, message *C.char) {
	if granted == 0 {
		err := ErrPushDenied
		if m := C.GoString(message); m != "" {
			err = errors.New(m)
		}
		answerWaiters(pushAnswer{err: err})
	}
	// Granted: the token follows through chorusPushToken.
}

//export chorusPushToken
func chorusPushToken(hex *C.char) {
	t := PushToken{Platform: PushAPNs, Token: C.GoString(hex)}
	if !answerWaiters(pushAnswer{token: t}) {
		pushTokenChanged(t)
	}
}

//export chorusPushFailed
func chorusPushFailed(message *C.char) {
	answerWaiters(pushAnswer{err: errors.New(C.GoString(message))})
}

//export chorusNotificationOpened
func chorusNotificationOpened(activityID *C.char) {
	openLink(ActivityLink(C.GoString(activityID)))
}

func enablePush(ctx context.Context, _, _ string) (PushToken, error) {
	ch := make(chan pushAnswer, 1)
	pushWaitMu.Lock()
	pushWaiters = append(pushWaiters, ch)
	pushWaitMu.Unlock()
	C.chorus_push_request()
	select {
	case a := <-ch:
		return a.token, a.err
	case <-ctx.Done():
		pushWaitMu.Lock()
		for i, w := range pushWaiters {
			if w == ch {
				pushWaiters = append(pushWaiters[:i], pushWaiters[i+1:]...)
				break
			}
		}
		pushWaitMu.Unlock()
		return PushToken{}, ctx.Err()
	}
}

func disablePush(context.Context) error {
	C.chorus_push_unregister()
	return nil
}
