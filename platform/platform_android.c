// JNI glue for platform_android.go. It needs nothing but <jni.h>, so it can be
// syntax-checked for arm64 without the NDK (see the lint command in the
// package's README note). Every function returns 0 on success, 1 when the
// target app is missing, 2 on any other failure; on 2, err holds the Java
// exception's text. Local references are deleted as soon as they are done
// with: these run on a thread attached by Fyne, whose local frame lives until
// the whole RunNative callback ends.

#include <jni.h>

#define CHORUS_OK 0
#define CHORUS_MISSING 1
#define CHORUS_FAILED 2

#define FLAG_GRANT_READ_URI_PERMISSION 0x00000001
#define FLAG_ACTIVITY_NEW_TASK 0x10000000

static void copy_str(char *dst, int cap, const char *src) {
	int i = 0;
	if (cap <= 0) {
		return;
	}
	for (; src != 0 && src[i] != 0 && i < cap - 1; i++) {
		dst[i] = src[i];
	}
	dst[i] = 0;
}

// failed clears a pending Java exception and writes its text to err.
static int failed(JNIEnv *env, char *err, int cap, const char *what) {
	jthrowable exc = (*env)->ExceptionOccurred(env);
	copy_str(err, cap, what);
	if (exc == 0) {
		return CHORUS_FAILED;
	}
	(*env)->ExceptionClear(env);
	jclass cls = (*env)->FindClass(env, "java/lang/Object");
	jmethodID toString = (*env)->GetMethodID(env, cls, "toString", "()Ljava/lang/String;");
	jstring msg = (jstring)(*env)->CallObjectMethod(env, exc, toString);
	if ((*env)->ExceptionCheck(env)) {
		(*env)->ExceptionClear(env);
	} else if (msg != 0) {
		const char *s = (*env)->GetStringUTFChars(env, msg, 0);
		if (s != 0) {
			copy_str(err, cap, s);
			(*env)->ReleaseStringUTFChars(env, msg, s);
		}
		(*env)->DeleteLocalRef(env, msg);
	}
	(*env)->DeleteLocalRef(env, cls);
	(*env)->DeleteLocalRef(env, exc);
	return CHORUS_FAILED;
}

static int exception(JNIEnv *env) {
	return (*env)->ExceptionCheck(env) == JNI_TRUE;
}

static int sdk_int(JNIEnv *env) {
	jclass ver = (*env)->FindClass(env, "android/os/Build$VERSION");
	if (ver == 0) {
		(*env)->ExceptionClear(env);
		return 0;
	}
	jfieldID f = (*env)->GetStaticFieldID(env, ver, "SDK_INT", "I");
	int v = (int)(*env)->GetStaticIntField(env, ver, f);
	(*env)->DeleteLocalRef(env, ver);
	return v;
}

static jobject resolver(JNIEnv *env, jobject ctx) {
	jclass c = (*env)->GetObjectClass(env, ctx);
	jmethodID m = (*env)->GetMethodID(env, c, "getContentResolver", "()Landroid/content/ContentResolver;");
	jobject r = (*env)->CallObjectMethod(env, ctx, m);
	(*env)->DeleteLocalRef(env, c);
	return r;
}

static void put_string(JNIEnv *env, jobject values, const char *key, const char *value) {
	jclass c = (*env)->GetObjectClass(env, values);
	jmethodID put = (*env)->GetMethodID(env, c, "put", "(Ljava/lang/String;Ljava/lang/String;)V");
	jstring k = (*env)->NewStringUTF(env, key);
	jstring v = (*env)->NewStringUTF(env, value);
	(*env)->CallVoidMethod(env, values, put, k, v);
	(*env)->DeleteLocalRef(env, k);
	(*env)->DeleteLocalRef(env, v);
	(*env)->DeleteLocalRef(env, c);
}

static void put_int(JNIEnv *env, jobject values, const char *key, int value) {
	jclass integer = (*env)->FindClass(env, "java/lang/Integer");
	jmethodID valueOf = (*env)->GetStaticMethodID(env, integer, "valueOf", "(I)Ljava/lang/Integer;");
	jobject boxed = (*env)->CallStaticObjectMethod(env, integer, valueOf, (jint)value);
	jclass c = (*env)->GetObjectClass(env, values);
	jmethodID put = (*env)->GetMethodID(env, c, "put", "(Ljava/lang/String;Ljava/lang/Integer;)V");
	jstring k = (*env)->NewStringUTF(env, key);
	(*env)->CallVoidMethod(env, values, put, k, boxed);
	(*env)->DeleteLocalRef(env, k);
	(*env)->DeleteLocalRef(env, c);
	(*env)->DeleteLocalRef(env, boxed);
	(*env)->DeleteLocalRef(env, integer);
}

static jobject new_values(JNIEnv *env) {
	jclass cv = (*env)->FindClass(env, "android/content/ContentValues");
	jmethodID ctor = (*env)->GetMethodID(env, cv, "<init>", "()V");
	jobject values = (*env)->NewObject(env, cv, ctor);
	(*env)->DeleteLocalRef(env, cv);
	return values;
}

// chorus_wechat_installed asks the PackageManager for WeChat (the manifest's
// <queries> entry makes it visible on Android 11+).
int chorus_wechat_installed(JNIEnv *env, jobject ctx, const char *pkg, char *err, int cap) {
	jclass c = (*env)->GetObjectClass(env, ctx);
	jmethodID getPM = (*env)->GetMethodID(env, c, "getPackageManager", "()Landroid/content/pm/PackageManager;");
	jobject pm = (*env)->CallObjectMethod(env, ctx, getPM);
	(*env)->DeleteLocalRef(env, c);
	if (exception(env) || pm == 0) {
		return failed(env, err, cap, "getPackageManager failed");
	}
	jclass pmc = (*env)->GetObjectClass(env, pm);
	jmethodID info = (*env)->GetMethodID(env, pmc, "getPackageInfo", "(Ljava/lang/String;I)Landroid/content/pm/PackageInfo;");
	jstring name = (*env)->NewStringUTF(env, pkg);
	jobject pi = (*env)->CallObjectMethod(env, pm, info, name, (jint)0);
	int missing = exception(env);
	if (missing) {
		// NameNotFoundException: not installed (or hidden without <queries>).
		(*env)->ExceptionClear(env);
	}
	if (pi != 0) {
		(*env)->DeleteLocalRef(env, pi);
	}
	(*env)->DeleteLocalRef(env, name);
	(*env)->DeleteLocalRef(env, pmc);
	(*env)->DeleteLocalRef(env, pm);
	return missing ? CHORUS_MISSING : CHORUS_OK;
}

// chorus_media_insert creates a pending gallery entry and opens it for
// writing. *uri and *stream are local references for the calls that follow.
int chorus_media_insert(JNIEnv *env, jobject ctx, const char *name, const char *mime, int video,
                        jobject *uri, jobject *stream, char *err, int cap) {
	int sdk = sdk_int(env);
	jobject values = new_values(env);
	if (exception(env) || values == 0) {
		return failed(env, err, cap, "ContentValues failed");
	}
	put_string(env, values, "_display_name", name);
	put_string(env, values, "mime_type", mime);
	if (sdk >= 29) {
		// Scoped storage: no permission needed; hidden until finished.
		put_string(env, values, "relative_path", video ? "Movies/Chorus" : "Pictures/Chorus");
		put_int(env, values, "is_pending", 1);
	}
	if (exception(env)) {
		return failed(env, err, cap, "ContentValues.put failed");
	}
	jclass media = (*env)->FindClass(env, video ? "android/provider/MediaStore$Video$Media" : "android/provider/MediaStore$Images$Media");
	if (exception(env) || media == 0) {
		return failed(env, err, cap, "MediaStore class not found");
	}
	jfieldID f = (*env)->GetStaticFieldID(env, media, "EXTERNAL_CONTENT_URI", "Landroid/net/Uri;");
	jobject collection = (*env)->GetStaticObjectField(env, media, f);
	(*env)->DeleteLocalRef(env, media);
	jobject cr = resolver(env, ctx);
	if (exception(env) || cr == 0 || collection == 0) {
		return failed(env, err, cap, "ContentResolver failed");
	}
	jclass crc = (*env)->GetObjectClass(env, cr);
	jmethodID insert = (*env)->GetMethodID(env, crc, "insert", "(Landroid/net/Uri;Landroid/content/ContentValues;)Landroid/net/Uri;");
	jobject u = (*env)->CallObjectMethod(env, cr, insert, collection, values);
	(*env)->DeleteLocalRef(env, collection);
	(*env)->DeleteLocalRef(env, values);
	if (exception(env) || u == 0) {
		(*env)->DeleteLocalRef(env, crc);
		(*env)->DeleteLocalRef(env, cr);
		return failed(env, err, cap, "MediaStore insert failed");
	}
	jmethodID open = (*env)->GetMethodID(env, crc, "openOutputStream", "(Landroid/net/Uri;)Ljava/io/OutputStream;");
	jobject os = (*env)->CallObjectMethod(env, cr, open, u);
	(*env)->DeleteLocalRef(env, crc);
	(*env)->DeleteLocalRef(env, cr);
	if (exception(env) || os == 0) {
		int rc = failed(env, err, cap, "openOutputStream failed");
		(*env)->DeleteLocalRef(env, u);
		return rc;
	}
	*uri = u;
	*stream = os;
	return CHORUS_OK;
}

// chorus_stream_write writes n bytes; Go calls it once per chunk so a large
// video never sits in memory whole.
int chorus_stream_write(JNIEnv *env, jobject stream, const void *buf, int n, char *err, int cap) {
	jbyteArray arr = (*env)->NewByteArray(env, (jsize)n);
	if (arr == 0) {
		return failed(env, err, cap, "out of memory");
	}
	(*env)->SetByteArrayRegion(env, arr, 0, (jsize)n, (const jbyte *)buf);
	jclass c = (*env)->GetObjectClass(env, stream);
	jmethodID write = (*env)->GetMethodID(env, c, "write", "([BII)V");
	(*env)->CallVoidMethod(env, stream, write, arr, (jint)0, (jint)n);
	(*env)->DeleteLocalRef(env, c);
	(*env)->DeleteLocalRef(env, arr);
	if (exception(env)) {
		return failed(env, err, cap, "write failed");
	}
	return CHORUS_OK;
}

// chorus_media_finish closes the stream and publishes the entry, or deletes
// it when the copy failed (ok == 0), so no half file shows in the gallery.
int chorus_media_finish(JNIEnv *env, jobject ctx, jobject uri, jobject stream, int ok, char *err, int cap) {
	jclass sc = (*env)->GetObjectClass(env, stream);
	jmethodID closeM = (*env)->GetMethodID(env, sc, "close", "()V");
	(*env)->CallVoidMethod(env, stream, closeM);
	(*env)->DeleteLocalRef(env, sc);
	if (exception(env)) {
		failed(env, err, cap, "close failed");
		ok = 0;
	}
	jobject cr = resolver(env, ctx);
	if (exception(env) || cr == 0) {
		return failed(env, err, cap, "ContentResolver failed");
	}
	jclass crc = (*env)->GetObjectClass(env, cr);
	int rc = CHORUS_OK;
	if (!ok) {
		jmethodID del = (*env)->GetMethodID(env, crc, "delete", "(Landroid/net/Uri;Ljava/lang/String;[Ljava/lang/String;)I");
		(*env)->CallIntMethod(env, cr, del, uri, (jobject)0, (jobject)0);
		if (exception(env)) {
			(*env)->ExceptionClear(env);
		}
		rc = CHORUS_FAILED;
	} else if (sdk_int(env) >= 29) {
		jobject values = new_values(env);
		put_int(env, values, "is_pending", 0);
		jmethodID update = (*env)->GetMethodID(env, crc, "update", "(Landroid/net/Uri;Landroid/content/ContentValues;Ljava/lang/String;[Ljava/lang/String;)I");
		(*env)->CallIntMethod(env, cr, update, uri, values, (jobject)0, (jobject)0);
		(*env)->DeleteLocalRef(env, values);
		if (exception(env)) {
			rc = failed(env, err, cap, "MediaStore update failed");
		}
	}
	(*env)->DeleteLocalRef(env, crc);
	(*env)->DeleteLocalRef(env, cr);
	return rc;
}

static void put_extra_string(JNIEnv *env, jobject intent, const char *key, const char *value) {
	jclass c = (*env)->GetObjectClass(env, intent);
	jmethodID put = (*env)->GetMethodID(env, c, "putExtra", "(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;");
	jstring k = (*env)->NewStringUTF(env, key);
	jstring v = (*env)->NewStringUTF(env, value);
	jobject self = (*env)->CallObjectMethod(env, intent, put, k, v);
	if (self != 0) {
		(*env)->DeleteLocalRef(env, self);
	}
	(*env)->DeleteLocalRef(env, k);
	(*env)->DeleteLocalRef(env, v);
	(*env)->DeleteLocalRef(env, c);
}

static void add_flags(JNIEnv *env, jobject intent, int flags) {
	jclass c = (*env)->GetObjectClass(env, intent);
	jmethodID add = (*env)->GetMethodID(env, c, "addFlags", "(I)Landroid/content/Intent;");
	jobject self = (*env)->CallObjectMethod(env, intent, add, (jint)flags);
	if (self != 0) {
		(*env)->DeleteLocalRef(env, self);
	}
	(*env)->DeleteLocalRef(env, c);
}

// start_activity returns CHORUS_MISSING for ActivityNotFoundException: the
// app went away between the check and the tap, or lacks that screen.
static int start_activity(JNIEnv *env, jobject ctx, jobject intent, char *err, int cap) {
	jclass c = (*env)->GetObjectClass(env, ctx);
	jmethodID start = (*env)->GetMethodID(env, c, "startActivity", "(Landroid/content/Intent;)V");
	(*env)->CallVoidMethod(env, ctx, start, intent);
	(*env)->DeleteLocalRef(env, c);
	if (!exception(env)) {
		return CHORUS_OK;
	}
	jthrowable exc = (*env)->ExceptionOccurred(env);
	jclass notFound = (*env)->FindClass(env, "android/content/ActivityNotFoundException");
	int missing = notFound != 0 && (*env)->IsInstanceOf(env, exc, notFound);
	if (notFound != 0) {
		(*env)->DeleteLocalRef(env, notFound);
	}
	(*env)->DeleteLocalRef(env, exc);
	if (missing) {
		(*env)->ExceptionClear(env);
		return CHORUS_MISSING;
	}
	return failed(env, err, cap, "startActivity failed");
}

// chorus_send starts ACTION_SEND with the media (uri may be 0) and the text.
// With pkg and cls it goes straight to that screen (WeChat's); without, it
// goes through the system chooser titled title.
int chorus_send(JNIEnv *env, jobject ctx, jobject uri, const char *mime, const char *text,
                const char *pkg, const char *cls, const char *title, char *err, int cap) {
	jclass ic = (*env)->FindClass(env, "android/content/Intent");
	jmethodID ctor = (*env)->GetMethodID(env, ic, "<init>", "(Ljava/lang/String;)V");
	jstring action = (*env)->NewStringUTF(env, "android.intent.action.SEND");
	jobject intent = (*env)->NewObject(env, ic, ctor, action);
	(*env)->DeleteLocalRef(env, action);
	if (exception(env) || intent == 0) {
		(*env)->DeleteLocalRef(env, ic);
		return failed(env, err, cap, "Intent failed");
	}
	jmethodID setType = (*env)->GetMethodID(env, ic, "setType", "(Ljava/lang/String;)Landroid/content/Intent;");
	jstring jmime = (*env)->NewStringUTF(env, mime);
	jobject self = (*env)->CallObjectMethod(env, intent, setType, jmime);
	if (self != 0) {
		(*env)->DeleteLocalRef(env, self);
	}
	(*env)->DeleteLocalRef(env, jmime);
	if (uri != 0) {
		jmethodID putP = (*env)->GetMethodID(env, ic, "putExtra", "(Ljava/lang/String;Landroid/os/Parcelable;)Landroid/content/Intent;");
		jstring k = (*env)->NewStringUTF(env, "android.intent.extra.STREAM");
		self = (*env)->CallObjectMethod(env, intent, putP, k, uri);
		if (self != 0) {
			(*env)->DeleteLocalRef(env, self);
		}
		(*env)->DeleteLocalRef(env, k);
	}
	if (text != 0 && text[0] != 0) {
		put_extra_string(env, intent, "android.intent.extra.TEXT", text);
		// Older WeChat versions prefill the Moments caption from this extra.
		put_extra_string(env, intent, "Kdescription", text);
	}
	add_flags(env, intent, FLAG_GRANT_READ_URI_PERMISSION | FLAG_ACTIVITY_NEW_TASK);
	if (exception(env)) {
		(*env)->DeleteLocalRef(env, intent);
		(*env)->DeleteLocalRef(env, ic);
		return failed(env, err, cap, "Intent setup failed");
	}
	jobject target = intent;
	if (pkg != 0 && cls != 0) {
		jmethodID setClass = (*env)->GetMethodID(env, ic, "setClassName", "(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;");
		jstring p = (*env)->NewStringUTF(env, pkg);
		jstring c = (*env)->NewStringUTF(env, cls);
		self = (*env)->CallObjectMethod(env, intent, setClass, p, c);
		if (self != 0) {
			(*env)->DeleteLocalRef(env, self);
		}
		(*env)->DeleteLocalRef(env, p);
		(*env)->DeleteLocalRef(env, c);
	} else {
		jmethodID chooser = (*env)->GetStaticMethodID(env, ic, "createChooser", "(Landroid/content/Intent;Ljava/lang/CharSequence;)Landroid/content/Intent;");
		jstring t = (*env)->NewStringUTF(env, title);
		target = (*env)->CallStaticObjectMethod(env, ic, chooser, intent, t);
		(*env)->DeleteLocalRef(env, t);
		if (exception(env) || target == 0) {
			(*env)->DeleteLocalRef(env, intent);
			(*env)->DeleteLocalRef(env, ic);
			return failed(env, err, cap, "createChooser failed");
		}
		add_flags(env, target, FLAG_GRANT_READ_URI_PERMISSION | FLAG_ACTIVITY_NEW_TASK);
	}
	int rc = start_activity(env, ctx, target, err, cap);
	if (target != intent) {
		(*env)->DeleteLocalRef(env, target);
	}
	(*env)->DeleteLocalRef(env, intent);
	(*env)->DeleteLocalRef(env, ic);
	return rc;
}

// chorus_launch opens an installed app at its start screen.
int chorus_launch(JNIEnv *env, jobject ctx, const char *pkg, char *err, int cap) {
	jclass c = (*env)->GetObjectClass(env, ctx);
	jmethodID getPM = (*env)->GetMethodID(env, c, "getPackageManager", "()Landroid/content/pm/PackageManager;");
	jobject pm = (*env)->CallObjectMethod(env, ctx, getPM);
	(*env)->DeleteLocalRef(env, c);
	if (exception(env) || pm == 0) {
		return failed(env, err, cap, "getPackageManager failed");
	}
	jclass pmc = (*env)->GetObjectClass(env, pm);
	jmethodID launch = (*env)->GetMethodID(env, pmc, "getLaunchIntentForPackage", "(Ljava/lang/String;)Landroid/content/Intent;");
	jstring name = (*env)->NewStringUTF(env, pkg);
	jobject intent = (*env)->CallObjectMethod(env, pm, launch, name);
	(*env)->DeleteLocalRef(env, name);
	(*env)->DeleteLocalRef(env, pmc);
	(*env)->DeleteLocalRef(env, pm);
	if (exception(env)) {
		return failed(env, err, cap, "getLaunchIntentForPackage failed");
	}
	if (intent == 0) {
		return CHORUS_MISSING;
	}
	add_flags(env, intent, FLAG_ACTIVITY_NEW_TASK);
	int rc = start_activity(env, ctx, intent, err, cap);
	(*env)->DeleteLocalRef(env, intent);
	return rc;
}
