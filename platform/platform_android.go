//go:build android

package platform

/*
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>

// Fyne hands over the JNIEnv as a uintptr; turning it back into a pointer
// here, in C, keeps Go's unsafe.Pointer rules (and go vet) satisfied: the
// JNIEnv lives in the JVM's memory, never on the Go heap.
static JNIEnv *chorus_jnienv(uintptr_t env) { return (JNIEnv *)env; }

int chorus_wechat_installed(JNIEnv *env, jobject ctx, const char *pkg, char *err, int cap);
int chorus_media_insert(JNIEnv *env, jobject ctx, const char *name, const char *mime, int video, jobject *uri, jobject *stream, char *err, int cap);
int chorus_stream_write(JNIEnv *env, jobject stream, const void *buf, int n, char *err, int cap);
int chorus_media_finish(JNIEnv *env, jobject ctx, jobject uri, jobject stream, int ok, char *err, int cap);
int chorus_send(JNIEnv *env, jobject ctx, jobject uri, const char *mime, const char *text, const char *pkg, const char *cls, const char *title, char *err, int cap);
int chorus_launch(JNIEnv *env, jobject ctx, const char *pkg, char *err, int cap);
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

const supportsWeChat = true

// Return codes of platform_android.c.
const (
	codeOK      = 0
	codeMissing = 1
)

const errCap = 512

// jni is one RunNative call's environment.
type jni struct {
	env *C.JNIEnv
	ctx C.jobject
	err [errCap]C.char
}

// withJNI runs fn on the JVM thread Fyne attaches for RunNative.
func withJNI(fn func(j *jni) (Result, error)) (Result, error) {
	res, ferr := Failed, error(nil)
	err := driver.RunNative(func(c any) error {
		ac, ok := c.(*driver.AndroidContext)
		if !ok {
			return fmt.Errorf("platform: not an Android context: %T", c)
		}
		// Env and Ctx come from the JVM, not the Go heap. On Android cgo
		// maps jobject (and jclass, jstring, …) to uintptr, so Ctx converts
		// as is; the JNIEnv pointer is made in C (see chorus_jnienv).
		j := &jni{env: C.chorus_jnienv(C.uintptr_t(ac.Env)), ctx: C.jobject(ac.Ctx)}
		res, ferr = fn(j)
		return nil
	})
	if err != nil {
		return Failed, err
	}
	return res, ferr
}

func (j *jni) errorf(what string) error {
	return fmt.Errorf("platform: %s: %s", what, C.GoString(&j.err[0]))
}

func cstr(s string) *C.char { return C.CString(s) }

func free(p *C.char) { C.free(unsafe.Pointer(p)) }

func (j *jni) wechatInstalled() (bool, error) {
	pkg := cstr(WeChatPackage)
	defer free(pkg)
	switch C.chorus_wechat_installed(j.env, j.ctx, pkg, &j.err[0], errCap) {
	case codeOK:
		return true, nil
	case codeMissing:
		return false, nil
	}
	return false, j.errorf("checking for WeChat")
}

// insertMedia copies the file into the gallery (MediaStore): WeChat reads
// shared files through a content URI, and the gallery is the one provider
// every Android version offers without a FileProvider in the APK.
func (j *jni) insertMedia(ctx context.Context, path, mimeType string) (C.jobject, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	name, cmime := cstr(MediaStoreName(path, mimeType)), cstr(mimeType)
	defer free(name)
	defer free(cmime)
	video := C.int(0)
	if strings.HasPrefix(mimeType, "video/") {
		video = 1
	}
	var uri, stream C.jobject
	if C.chorus_media_insert(j.env, j.ctx, name, cmime, video, &uri, &stream, &j.err[0], errCap) != codeOK {
		return 0, j.errorf("adding to the gallery")
	}
	buf := make([]byte, 1<<20)
	ok := C.int(1)
	var copyErr error
	for {
		if err := ctx.Err(); err != nil {
			copyErr, ok = err, 0
			break
		}
		n, rerr := f.Read(buf)
		if n > 0 && C.chorus_stream_write(j.env, stream, unsafe.Pointer(&buf[0]), C.int(n), &j.err[0], errCap) != codeOK {
			copyErr, ok = j.errorf("writing to the gallery"), 0
			break
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			copyErr, ok = rerr, 0
			break
		}
	}
	if C.chorus_media_finish(j.env, j.ctx, uri, stream, ok, &j.err[0], errCap) != codeOK && copyErr == nil {
		copyErr = j.errorf("finishing the gallery entry")
	}
	if copyErr != nil {
		return 0, copyErr
	}
	return uri, nil
}

func (j *jni) send(uri C.jobject, mimeType, text, pkg, cls, title string) (Result, error) {
	cm, ct, ctitle := cstr(mimeType), cstr(text), cstr(title)
	defer free(cm)
	defer free(ct)
	defer free(ctitle)
	var cpkg, ccls *C.char
	if pkg != "" {
		cpkg, ccls = cstr(pkg), cstr(cls)
		defer free(cpkg)
		defer free(ccls)
	}
	switch C.chorus_send(j.env, j.ctx, uri, cm, ct, cpkg, ccls, ctitle, &j.err[0], errCap) {
	case codeOK:
		return Shared, nil
	case codeMissing:
		return WeChatMissing, nil
	}
	return Failed, j.errorf("starting the share")
}

func shareToWeChat(ctx context.Context, s Share) (Result, error) {
	return withJNI(func(j *jni) (Result, error) {
		ok, err := j.wechatInstalled()
		if err != nil {
			return Failed, err
		}
		if !ok {
			return WeChatMissing, nil
		}
		if s.MediaPath == "" {
			// Text only: it is on the clipboard; the app offers "Open WeChat".
			return Shared, nil
		}
		mimeType := MIMEType(s.MediaPath, s.MediaType)
		uri, err := j.insertMedia(ctx, s.MediaPath, mimeType)
		if err != nil {
			return Failed, err
		}
		return j.send(uri, mimeType, s.Text, WeChatPackage, WeChatActivity(mimeType), "")
	})
}

func openWeChat(_ context.Context, _ fyne.App) (Result, error) {
	return withJNI(func(j *jni) (Result, error) {
		pkg := cstr(WeChatPackage)
		defer free(pkg)
		switch C.chorus_launch(j.env, j.ctx, pkg, &j.err[0], errCap) {
		case codeOK:
			return Shared, nil
		case codeMissing:
			return WeChatMissing, nil
		}
		return Failed, j.errorf("opening WeChat")
	})
}

// shareSheet goes through the system chooser; Android does not report what
// the person picked, so a started chooser counts as shared.
func shareSheet(ctx context.Context, s Share) (Result, error) {
	return withJNI(func(j *jni) (Result, error) {
		var uri C.jobject
		mimeType := MIMEType(s.MediaPath, s.MediaType)
		if s.MediaPath != "" {
			u, err := j.insertMedia(ctx, s.MediaPath, mimeType)
			if err != nil {
				return Failed, err
			}
			uri = u
		}
		return j.send(uri, mimeType, s.Text, "", "", "Chorus")
	})
}
