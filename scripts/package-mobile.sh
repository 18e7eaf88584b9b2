#!/usr/bin/env bash
# make android / make ios: package the member app with `go tool fyne`.
#
# Android: needs the NDK, and Android's build tools for signing (apksigner,
# zipalign, aapt; keytool from a JDK). Output: bin/Chorus.apk, zipaligned,
# signed with APK signature schemes v2 and v3 (and v1 for Android 5-6), its
# native code linked for 16 KB pages, checked at the end.
#   ANDROID_NDK_HOME     the NDK (or ANDROID_HOME / ANDROID_SDK_ROOT with ndk/<version>)
#   ANDROID_ARCH         one ABI for a quick build: arm64, arm, amd64 or 386 (default: all four)
#   ANDROID_KEYSTORE     a release keystore; with it ANDROID_KEY_ALIAS and
#                        ANDROID_KEYSTORE_PASS (ANDROID_KEY_PASS when the key's own
#                        password differs). Passwords are read from the environment,
#                        never put on a command line.
#   without ANDROID_KEYSTORE the APK is signed with a debug key generated once
#   at ANDROID_DEBUG_KEYSTORE (default ~/.android/chorus-debug.keystore), outside the repo.
# iOS: needs a Mac with Xcode.
#   IOS_CERT, IOS_PROFILE   signing certificate name and provisioning profile
# vet (make lint): go vet of platform/ as built for Android and iOS. cgo needs
# the target's C compiler and headers, so each runs only where they are: the
# NDK (as above), and an iPhoneOS SDK (IOS_SDK, or Xcode's through xcrun)
# with clang-14 or Xcode's clang; otherwise it says what it skipped.
#
# Both are packaged from a staging directory (bin/_mobile, ignored by git and
# by ./... patterns) holding copies of the main package, FyneApp.toml and the
# Android manifest: fyne's mobile packager ships every file of a folder named
# assets/ beside main.go as app assets (gomobile's convention), and ours is the
# Go package assets/ whose fonts and icons are already compiled in with
# go:embed. Staging also keeps fyne from writing into the work tree (it bumps
# Build in FyneApp.toml and adds a metadata .go file while it runs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
GO=${GO:-go}
id=com.chorusadvocacy.chorus
target=${1:?usage: package-mobile.sh android|ios|vet}
stage=$root/bin/_mobile

say() { printf '%s\n' "$*" >&2; }

staged=""
cleanup() { [ -z "$staged" ] || rm -rf "$stage"; }
trap cleanup EXIT

# stage copies the main package (its non-test .go files), FyneApp.toml and,
# for Android, the manifest (fyne reads AndroidManifest.xml beside main.go).
stage() {
	staged=1
	rm -rf "$stage"
	mkdir -p "$stage"
	local f
	for f in *.go; do
		case $f in *_test.go) continue ;; esac
		cp "$f" "$stage/"
	done
	cp FyneApp.toml "$stage/"
	[ "$target" = android ] && cp app/AndroidManifest.xml "$stage/"
	return 0
}

# no_asset_copies fails when the package carries files from assets/ (Go
# sources, scripts, fonts) or any Go source at all.
no_asset_copies() {
	local pkg=$1 bad
	bad=$(unzip -Z1 "$pkg" | grep -E '(^|/)assets/|\.go$|\.sh$|\.(ttf|otf|ttc)$' || true)
	if [ -n "$bad" ]; then
		say "package-mobile: $pkg carries files it must not:"
		say "$bad"
		exit 1
	fi
}

need_tools() {
	local missing="" t
	for t in "$@"; do command -v "$t" >/dev/null || missing="$missing $t"; done
	if [ -n "$missing" ]; then
		say "make android: missing$missing (Debian: apt-get install android-sdk-build-tools apksigner zipalign aapt zip unzip;"
		say "  elsewhere put the Android SDK's build-tools/<version> and a JDK's bin on PATH)."
		exit 1
	fi
}

# find_ndk sets ndk to the NDK's directory, or to "" when there is none.
find_ndk() {
	ndk=${ANDROID_NDK_HOME:-}
	local sdk
	for sdk in "${ANDROID_HOME:-}" "${ANDROID_SDK_ROOT:-}"; do
		if [ -z "$ndk" ] && [ -n "$sdk" ] && [ -d "$sdk/ndk" ]; then
			ndk=$(ls -d "$sdk"/ndk/*/ 2>/dev/null | sort -V | tail -n1)
			ndk=${ndk%/}
		fi
	done
	[ -n "$ndk" ] && [ -d "$ndk/toolchains/llvm" ] || ndk=""
}

case $target in
vet)
	find_ndk
	cc=""
	[ -n "$ndk" ] && cc=$(ls "$ndk"/toolchains/llvm/prebuilt/*/bin/aarch64-linux-android21-clang 2>/dev/null | head -n1)
	if [ -n "$cc" ]; then
		echo "GOOS=android GOARCH=arm64 go vet ./platform/... (CC=$cc)"
		GOOS=android GOARCH=arm64 CGO_ENABLED=1 CC=$cc "$GO" vet ./platform/...
	else
		echo "skipped: GOOS=android go vet ./platform/... needs the Android NDK (set ANDROID_NDK_HOME)"
	fi
	sdk=${IOS_SDK:-}
	if [ -z "$sdk" ] && [ "$(uname -s)" = Darwin ]; then
		sdk=$(xcrun --sdk iphoneos --show-sdk-path 2>/dev/null || true)
	fi
	clang=""
	if [ "$(uname -s)" = Darwin ]; then
		clang=$(xcrun --find clang 2>/dev/null || true)
	fi
	[ -n "$clang" ] || clang=$(command -v clang-14 || command -v clang || true)
	if [ -n "$sdk" ] && [ -d "$sdk" ] && [ -n "$clang" ]; then
		cc="$clang --target=arm64-apple-ios13.0 -isysroot $sdk"
		echo "clang -fsyntax-only platform/platform_ios.m platform/appurl_ios.m; GOOS=ios GOARCH=arm64 go vet ./platform/... (SDK $sdk)"
		$cc -fobjc-arc -Wall -Werror -fsyntax-only platform/platform_ios.m
		$cc -fobjc-arc -Wall -Werror -fsyntax-only platform/appurl_ios.m
		# Fyne's GL code calls OpenGL ES, deprecated on iOS 12+: Apple's macro
		# quiets that, and only that, while vet compiles the dependencies.
		GOOS=ios GOARCH=arm64 CGO_ENABLED=1 CC=$cc CGO_CFLAGS="${CGO_CFLAGS:--g -O2} -DGLES_SILENCE_DEPRECATION" \
			"$GO" vet ./platform/...
	else
		echo "skipped: GOOS=ios go vet ./platform/... needs an iPhoneOS SDK (Xcode, or IOS_SDK=<path to iPhoneOS.sdk>) and clang"
	fi
	;;
android)
	find_ndk
	if [ -z "$ndk" ]; then
		cat >&2 <<'MSG'
make android: the Android NDK was not found, so no APK was built.
  Install the Android command-line tools, then the NDK, e.g.
    sdkmanager "ndk;26.3.11579264"
  and point ANDROID_NDK_HOME at it (or set ANDROID_HOME to the SDK), then run make android again.
  (The JNI C in platform/ is still syntax-checked for arm64 by make lint.)
MSG
		exit 1
	fi
	need_tools apksigner zipalign aapt keytool zip unzip
	os=android
	case ${ANDROID_ARCH:-} in
	"") ;;
	arm64 | arm64-v8a | aarch64) os=android/arm64 ;;
	arm | armeabi-v7a) os=android/arm ;;
	amd64 | x86_64) os=android/amd64 ;;
	386 | x86) os=android/386 ;;
	*)
		say "make android: ANDROID_ARCH=$ANDROID_ARCH: use arm64, arm, amd64 or 386 (or leave it empty for all four)"
		exit 2
		;;
	esac

	# Signing key: the release key named by the environment, else a debug key
	# made once, outside the repo.
	if [ -n "${ANDROID_KEYSTORE:-}" ]; then
		: "${ANDROID_KEY_ALIAS:?ANDROID_KEYSTORE is set: set ANDROID_KEY_ALIAS too}"
		: "${ANDROID_KEYSTORE_PASS:?ANDROID_KEYSTORE is set: set ANDROID_KEYSTORE_PASS too (ANDROID_KEY_PASS if the key differs)}"
		[ -f "$ANDROID_KEYSTORE" ] || { say "make android: no keystore at $ANDROID_KEYSTORE"; exit 1; }
		sign=(--ks "$ANDROID_KEYSTORE" --ks-key-alias "$ANDROID_KEY_ALIAS" --ks-pass env:ANDROID_KEYSTORE_PASS)
		[ -n "${ANDROID_KEY_PASS:-}" ] && sign+=(--key-pass env:ANDROID_KEY_PASS)
		say "signing with the release key $ANDROID_KEY_ALIAS in $ANDROID_KEYSTORE"
	else
		ks=${ANDROID_DEBUG_KEYSTORE:-$HOME/.android/chorus-debug.keystore}
		if [ ! -f "$ks" ]; then
			mkdir -p "$(dirname "$ks")"
			# The debug key's password is public, as Android's own debug.keystore's is.
			keytool -genkeypair -noprompt -keystore "$ks" -storetype PKCS12 \
				-storepass android -keypass android -alias chorus-debug \
				-keyalg RSA -keysize 2048 -validity 10000 \
				-dname "CN=Chorus Debug, O=Chorus, C=US" >/dev/null 2>&1
			say "made a debug signing key at $ks"
		fi
		sign=(--ks "$ks" --ks-key-alias chorus-debug --ks-pass pass:android --key-pass pass:android)
		say "signing with the debug key in $ks (set ANDROID_KEYSTORE for a release)"
	fi

	stage
	# Google Play wants native code aligned for 16 KB pages (Android 15+).
	# -w drops DWARF (Go's own stack traces do not need it; -s would break
	# fyne's symbol check); -trimpath keeps this machine's paths out.
	goflags=${GOFLAGS:-}
	case $goflags in *-ldflags*) ;; *) goflags="$goflags -ldflags=-w" ;; esac
	case $goflags in *-trimpath*) ;; *) goflags="$goflags -trimpath" ;; esac
	(cd "$stage" && ANDROID_NDK_HOME=$ndk GOFLAGS=$goflags CGO_LDFLAGS="${CGO_LDFLAGS:-} -Wl,-z,max-page-size=16384" \
		"$GO" tool fyne package -os "$os" -appID "$id" -icon "$root/assets/icon.png" -name Chorus)
	unsigned=$stage/Chorus.apk
	no_asset_copies "$unsigned"

	# fyne stores every entry uncompressed. Deflate the Go library: half the
	# download, and Android extracts it at install (extractNativeLibs is on
	# by default), so its place in the zip need not be 16 KB aligned, which
	# zipalign before build-tools 35 (Debian's) cannot do.
	(cd "$stage" && rm -rf libs && mkdir libs && cd libs && unzip -q ../Chorus.apk 'lib/*' &&
		zip -q -d ../Chorus.apk 'lib/*' && zip -q -9 -X -r ../Chorus.apk lib)

	mkdir -p bin
	zipalign -f -p 4 "$unsigned" "$stage/aligned.apk"
	rm -f bin/Chorus.apk bin/Chorus.apk.idsig
	apksigner sign "${sign[@]}" --v2-signing-enabled true --v3-signing-enabled true --v4-signing-enabled false \
		--out bin/Chorus.apk "$stage/aligned.apk"

	# Checks: signature, alignment, manifest, 16 KB ELF segments, contents.
	apksigner verify --verbose bin/Chorus.apk | grep -E '^Verified|^Verifies|^Number of signers'
	zipalign -c -p 4 bin/Chorus.apk
	aapt dump badging bin/Chorus.apk | grep -E "^package:|^sdkVersion:|^targetSdkVersion:|^native-code:|^application-label:"
	rm -rf "$stage/libs" && unzip -q bin/Chorus.apk 'lib/*' -d "$stage/libs"
	readelf=$(command -v llvm-readelf || command -v readelf || true)
	for so in "$stage"/libs/lib/*/*.so; do
		[ -n "$readelf" ] || { say "no readelf: the 16 KB alignment of ${so#"$stage"/libs/} was not checked"; continue; }
		aligns=$("$readelf" -lW "$so" | awk '$1 == "LOAD" { print $NF }')
		for a in $aligns; do
			if [ $((a)) -lt 16384 ]; then
				say "make android: ${so#"$stage"/libs/} has a LOAD segment aligned to $a, below 16 KB"
				exit 1
			fi
		done
		echo "16 KB pages: ${so#"$stage"/libs/} (LOAD align $(echo $aligns))"
	done
	no_asset_copies bin/Chorus.apk
	echo "built bin/Chorus.apk ($(du -h bin/Chorus.apk | cut -f1))"
	;;
ios)
	if [ "$(uname -s)" != Darwin ] || ! xcrun --find xcodebuild >/dev/null 2>&1; then
		cat >&2 <<'MSG'
make ios: building for iOS needs a Mac with Xcode (xcodebuild), so nothing was built here.
  On a Mac: install Xcode and its command-line tools, sign in to your Apple developer account,
  then run make ios (IOS_CERT and IOS_PROFILE choose the signing certificate and profile).
MSG
		exit 1
	fi
	args=(-os ios -appID "$id" -icon "$root/assets/icon.png" -name Chorus)
	[ -n "${IOS_CERT:-}" ] && args+=(-certificate "$IOS_CERT")
	[ -n "${IOS_PROFILE:-}" ] && args+=(-profile "$IOS_PROFILE")
	stage
	(cd "$stage" && "$GO" tool fyne package "${args[@]}")
	bad=$(find "$stage/Chorus.app" -name '*.go' -o -name '*.sh' -o -name '*.ttf' -o -name '*.otf' | head -n5)
	if [ -n "$bad" ]; then
		say "make ios: Chorus.app carries files it must not:"
		say "$bad"
		exit 1
	fi
	# fyne package's Info.plist has no place for URL schemes: chorus:// (the
	# way single sign-on comes back to the app) is added here, and the bundle
	# signed again with the identity and entitlements it was signed with.
	# The app offers "Sign in with …" only when its bundle lists the scheme
	# (platform.ReceivesAppURLs), so a bundle without this step keeps to
	# passwords rather than leaving people in Safari.
	plist="$stage/Chorus.app/Info.plist"
	/usr/libexec/PlistBuddy -c "Delete :CFBundleURLTypes" "$plist" >/dev/null 2>&1 || true
	/usr/libexec/PlistBuddy -c "Add :CFBundleURLTypes array" -c "Add :CFBundleURLTypes:0 dict" \
		-c "Add :CFBundleURLTypes:0:CFBundleURLName string $id.sso" \
		-c "Add :CFBundleURLTypes:0:CFBundleURLSchemes array" \
		-c "Add :CFBundleURLTypes:0:CFBundleURLSchemes:0 string chorus" "$plist"
	identity=$(codesign -dvv "$stage/Chorus.app" 2>&1 | sed -n 's/^Authority=//p' | head -n1)
	if [ -z "$identity" ]; then
		say "make ios: Chorus.app is not signed, so it cannot be signed again after adding chorus:// to its Info.plist"
		exit 1
	fi
	codesign -d --entitlements - --xml "$stage/Chorus.app" >"$stage/entitlements.plist"
	codesign --force --sign "$identity" --entitlements "$stage/entitlements.plist" "$stage/Chorus.app"
	codesign --verify --strict "$stage/Chorus.app"
	mkdir -p bin
	rm -rf bin/Chorus.app
	mv "$stage/Chorus.app" bin/Chorus.app
	echo "built bin/Chorus.app"
	;;
*)
	echo "usage: package-mobile.sh android|ios|vet" >&2
	exit 2
	;;
esac
