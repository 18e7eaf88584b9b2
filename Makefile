# Chorus — see README.md. Every target installs what it needs (deps) on a fresh Debian machine.
GO        ?= go
BIN       := bin
SERVER    := $(BIN)/chorus-server
ADDR      ?= 127.0.0.1:8080
WEB_DIR   ?= $(BIN)/web
# Debian packages the project needs: ffmpeg (probe benchmarks, test files),
# PostgreSQL client tools, and the C toolchain, GL and X11 headers that Fyne's
# desktop driver builds against; Xvfb, ImageMagick and xdotool for real-window
# screenshots; chromium for the web app's browser test; clang-14 and the JNI
# headers to syntax-check the Android C (make lint); brotli to precompress the
# web build and fonttools to cut its CJK fonts (make web). Node.js and npm (the
# browser test's playwright-core) are installed by deps only when missing.
APT_PACKAGES := ffmpeg postgresql-client gcc pkg-config libgl1-mesa-dev xorg-dev xvfb \
	chromium clang-14 android-libnativehelper-dev imagemagick xdotool brotli python3-fonttools
# What make android needs beside the NDK to align, sign and check the APK
# (apksigner brings a JDK, hence keytool): installed by deps-android only,
# when the commands are missing, so other targets never pull them in.
ANDROID_APT_PACKAGES := android-sdk-build-tools apksigner zipalign aapt zip unzip
ANDROID_TOOLS := apksigner zipalign aapt keytool zip unzip
# make android ANDROID_ARCH=arm64: one ABI for a quick check (default: all four).
ANDROID_ARCH ?=

.PHONY: deps deps-android server run desktop test test-race lint bench bench-media bench-push fuzz clean android ios web test-web screenshots

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v npm >/dev/null || { echo "installing Node.js and npm"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	@$(GO) mod download

server:
	$(GO) build -o $(SERVER) ./backend/cmd/chorus-server

# The whole product on its embedded defaults: SQLite in ./.chorus-data, demo
# data, fake TikTok and push services, and the member web app at /app/
# (built on the first run, then again only when the client's sources change).
run: deps server $(WEB_DIR)/index.html
	@echo ""
	@echo "  Chorus: http://$(ADDR)/   (member web app: http://$(ADDR)/app/)"
	@echo "  demo accounts: manager@demo.test, member1@demo.test … member5@demo.test; password chorus-demo"
	@echo "  the desktop app (managers): make desktop, in another terminal"
	@echo ""
	$(SERVER) serve --demo --addr $(ADDR) --web-dir $(WEB_DIR)

# The Fyne desktop client against the server make run started.
desktop: deps
	$(GO) run . --server http://$(ADDR)

test: deps
	$(GO) test -count=1 ./...

test-race:
	$(GO) test -count=1 -race ./...

lint: deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt wants to rewrite:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet . ./app/... ./platform/...
	$(GO) tool staticcheck ./...
	clang-14 --target=aarch64-linux-android21 -ffreestanding -std=c99 -Wall -Wextra -Werror -fsyntax-only \
		-I/usr/include/android/nativehelper platform/platform_android.c
	@# go vet of platform/ for android/arm64 and ios/arm64: cgo needs the
	@# target's compiler and headers, so each runs where the NDK
	@# (ANDROID_NDK_HOME) / an iPhoneOS SDK (Xcode, or IOS_SDK) is, and says so
	@# where not: lint stays green on a machine with neither, as CI's.
	@GO=$(GO) scripts/package-mobile.sh vet

# Benchmarks print each figure beside a ceiling measured in the same run.
bench:
	$(GO) run ./backend/cmd/chorus-bench

# Only the media figures: probe vs ffprobe, a 1 GiB upload vs the disk.
bench-media:
	$(GO) run ./backend/cmd/chorus-bench -only probe,upload

# Only push fan-out: one activity to 100,000 FCM devices through the fake FCM
# (messages/s, total time, peak heap) beside direct sends to the same fake.
bench-push:
	$(GO) run ./backend/cmd/chorus-bench -only fanout -activities 2000 -live 200

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzActivityInput -fuzztime 60s ./backend/internal/httpapi

# The member app for phones: need the Android NDK / a Mac with Xcode, and say
# so when they are missing. Not part of test. make android makes bin/Chorus.apk
# zipaligned and signed (v1+v2+v3; a debug key made once in
# ~/.android/chorus-debug.keystore unless ANDROID_KEYSTORE, ANDROID_KEY_ALIAS,
# ANDROID_KEYSTORE_PASS [, ANDROID_KEY_PASS] name a release key), then checks it.
android: deps-android
	ANDROID_ARCH=$(ANDROID_ARCH) GO=$(GO) scripts/package-mobile.sh android

deps-android:
	@missing=""; for t in $(ANDROID_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null; then \
		echo "missing$$missing: installing Debian packages $(ANDROID_APT_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(ANDROID_APT_PACKAGES) >/dev/null; \
	fi

ios:
	GO=$(GO) scripts/package-mobile.sh ios

# The web version into $(WEB_DIR), served by serve --web-dir at /app/: made
# again only when a source of the client changed. Content-hashed, precompressed
# (brotli, gzip) files; BROTLI_QUALITY=5 makes a quicker, larger build.
WEB_SOURCES = $(shell git ls-files -- '*.go' assets web/index.html web/sw.js go.mod go.sum FyneApp.toml scripts/build-web.sh 2>/dev/null \
	| grep -v -e '_test\.go$$' -e '^backend/internal/' -e '^backend/cmd/')
web: deps $(WEB_DIR)/index.html

$(WEB_DIR)/index.html: $(WEB_SOURCES)
	GO=$(GO) scripts/build-web.sh $(WEB_DIR)

# The web build in Debian's chromium at phone size: sign in, see the feed.
test-web: deps server web
	cd web && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; }
	cd web && CHORUS_SERVER_BIN=$(CURDIR)/$(SERVER) CHORUS_WEB_DIR=$(CURDIR)/$(WEB_DIR) node --test test/

# Pictures of the main screens (phone and desktop layout, en and zh) in a
# real window under Xvfb, and the share page in chromium, into docs/screenshots/.
screenshots: deps server
	GO=$(GO) scripts/screenshots.sh docs/screenshots
	cd web && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; }
	cd web && CHORUS_SERVER_BIN=$(CURDIR)/$(SERVER) CHORUS_SHOTS_DIR=$(CURDIR)/docs/screenshots node --test test/share.test.mjs

clean:
	rm -rf $(BIN) .chorus-data
