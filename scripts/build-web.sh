#!/usr/bin/env bash
# Builds the web version of the member app into DIR (default bin/web), which
# `chorus-server serve --web-dir DIR` serves at /app/. This is what
# `go tool fyne package -os web --release` does (a GOOS=js GOARCH=wasm build,
# wasm_exec.js, a page and the icon), with our own page (phone viewport, a
# progress bar, a message when the browser cannot run it), a precompressed
# chorus.wasm.gz for the server to send, and without fyne's habit of bumping
# Build in FyneApp.toml on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bin/web}
GO=${GO:-go}
mkdir -p "$out"
GOOS=js GOARCH=wasm "$GO" build -trimpath -ldflags="-s -w" -tags release -o "$out/chorus.wasm.tmp" .
mv "$out/chorus.wasm.tmp" "$out/chorus.wasm"
cp "$("$GO" env GOROOT)/lib/wasm/wasm_exec.js" "$out/wasm_exec.js"
cp web/index.html "$out/index.html"
cp assets/icon.png "$out/icon.png"
gzip -9 -n -c "$out/chorus.wasm" >"$out/chorus.wasm.gz.tmp"
mv "$out/chorus.wasm.gz.tmp" "$out/chorus.wasm.gz"
raw=$(stat -c %s "$out/chorus.wasm")
gz=$(stat -c %s "$out/chorus.wasm.gz")
echo "$raw" >"$out/chorus.wasm.size"
awk -v r="$raw" -v g="$gz" -v d="$out" 'BEGIN { printf "web build in %s: chorus.wasm %.1f MB raw, %.1f MB gzip\n", d, r/1e6, g/1e6 }'
