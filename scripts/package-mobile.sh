#!/usr/bin/env bash
# make android / make ios: package the member app with `go tool fyne`.
# Android needs the NDK, iOS a Mac with Xcode; neither is on a Debian
# machine, so each says what is missing and exits non-zero instead.
#   ANDROID_NDK_HOME   the NDK (or ANDROID_HOME / ANDROID_SDK_ROOT with ndk/<version>)
#   IOS_CERT, IOS_PROFILE   signing certificate name and provisioning profile (iOS)
# The APK / .app goes to bin/.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
id=com.chorusadvocacy.chorus
target=${1:?usage: package-mobile.sh android|ios}

# fyne package bumps Build in FyneApp.toml after every run; keep it as
# committed (raise Build by hand for a store release) and tidy up after.
backup=$(mktemp)
cp FyneApp.toml "$backup"
cleanup() {
	cp "$backup" FyneApp.toml
	rm -f "$backup"
	[ "$target" = android ] && rm -f AndroidManifest.xml
	return 0
}
trap cleanup EXIT
mkdir -p bin

case $target in
android)
	ndk=${ANDROID_NDK_HOME:-}
	for sdk in "${ANDROID_HOME:-}" "${ANDROID_SDK_ROOT:-}"; do
		if [ -z "$ndk" ] && [ -n "$sdk" ] && [ -d "$sdk/ndk" ]; then
			ndk=$(ls -d "$sdk"/ndk/*/ 2>/dev/null | sort -V | tail -n1)
			ndk=${ndk%/}
		fi
	done
	if [ -z "$ndk" ] || [ ! -d "$ndk/toolchains/llvm" ]; then
		cat >&2 <<'MSG'
make android: the Android NDK was not found, so no APK was built.
  Install the Android command-line tools, then the NDK, e.g.
    sdkmanager "ndk;26.3.11579264"
  and point ANDROID_NDK_HOME at it (or set ANDROID_HOME to the SDK), then run make android again.
  (The JNI C in platform/ is still syntax-checked for arm64 by make lint.)
MSG
		exit 1
	fi
	# fyne reads a custom manifest from beside main.go.
	cp app/AndroidManifest.xml AndroidManifest.xml
	ANDROID_NDK_HOME=$ndk "$GO" tool fyne package -os android -appID "$id" -icon assets/icon.png -name Chorus
	mv Chorus.apk bin/Chorus.apk
	echo "built bin/Chorus.apk"
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
	args=(-os ios -appID "$id" -icon assets/icon.png -name Chorus)
	[ -n "${IOS_CERT:-}" ] && args+=(-certificate "$IOS_CERT")
	[ -n "${IOS_PROFILE:-}" ] && args+=(-profile "$IOS_PROFILE")
	"$GO" tool fyne package "${args[@]}"
	rm -rf bin/Chorus.app
	mv Chorus.app bin/Chorus.app
	echo "built bin/Chorus.app"
	;;
*)
	echo "usage: package-mobile.sh android|ios" >&2
	exit 2
	;;
esac
