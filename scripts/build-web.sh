#!/usr/bin/env bash
# Builds the web version of the member app into DIR (default bin/web), which
# `chorus-server serve --web-dir DIR` serves at /app/. This is what
# `go tool fyne package -os web --release` does (a GOOS=js GOARCH=wasm build,
# wasm_exec.js, a page and the icon), with our own page (web/index.html: a
# loading screen with a progress bar, a message when the browser cannot run
# it), and made for phones on slow networks:
#   - the wasm and wasm_exec.js are named after their content
#     (chorus.<hash>.wasm), which index.html names, so the server lets
#     browsers cache them for a year (immutable) and revalidates only the page;
#   - each is precompressed beside it as NAME.br (brotli, BROTLI_QUALITY,
#     default 11, the smallest) and NAME.gz (gzip -9) for the server to send;
#   - built with Fyne's no_emoji tag: its colour emoji font is a quarter of
#     the download, and without it an emoji in a member's text is simply not
#     drawn (see README, "The web build");
#   - without fyne's habit of bumping Build in FyneApp.toml on every run.
# It prints the sizes (raw, gzip, brotli) of what a first visit downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bin/web}
GO=${GO:-go}
BROTLI_QUALITY=${BROTLI_QUALITY:-11}
command -v brotli >/dev/null || { echo "build-web.sh: needs the brotli command (Debian package brotli; make deps installs it)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

GOOS=js GOARCH=wasm "$GO" build -trimpath -ldflags="-s -w" -tags release,no_emoji -o "$tmp/chorus.wasm" .
cp "$("$GO" env GOROOT)/lib/wasm/wasm_exec.js" "$tmp/wasm_exec.js"

hash() { sha256sum "$1" | cut -c1-20; }
wasm=chorus.$(hash "$tmp/chorus.wasm").wasm
exec_js=wasm_exec.$(hash "$tmp/wasm_exec.js").js
mv "$tmp/chorus.wasm" "$tmp/$wasm"
mv "$tmp/wasm_exec.js" "$tmp/$exec_js"
raw=$(stat -c %s "$tmp/$wasm")
sed -e "s/{{WASM}}/$wasm/g" -e "s/{{WASM_SIZE}}/$raw/g" -e "s/{{WASM_EXEC}}/$exec_js/g" web/index.html >"$tmp/index.html"
if grep -q '{{[A-Z_]*}}' "$tmp/index.html"; then echo "build-web.sh: a placeholder is left in index.html" >&2; exit 1; fi
cp assets/icon.png "$tmp/icon.png"
# The service worker that shows pushes (web/sw.js): served at /app/sw.js, so
# its scope is the app's; not content-hashed, as its address must stay put.
cp web/sw.js "$tmp/sw.js"

# Compress the two large ones side by side (brotli -q 11 of the wasm takes
# a couple of minutes on one core; gzip -9 and the small files meanwhile).
brotli -q "$BROTLI_QUALITY" -w 24 -n -f -o "$tmp/$wasm.br" "$tmp/$wasm" &
br_pid=$!
for f in "$wasm" "$exec_js" index.html; do gzip -9 -n -c "$tmp/$f" >"$tmp/$f.gz"; done
for f in "$exec_js" index.html; do brotli -q 11 -n -f -o "$tmp/$f.br" "$tmp/$f"; done
wait "$br_pid"
chmod 644 "$tmp"/*

# Move into place, the page last, so a running server never names a file it
# does not have; then drop what earlier builds left.
for f in "$wasm" "$wasm.gz" "$wasm.br" "$exec_js" "$exec_js.gz" "$exec_js.br" icon.png sw.js index.html.gz index.html.br; do
	mv -f "$tmp/$f" "$out/$f"
done
mv -f "$tmp/index.html" "$out/index.html"
find "$out" -maxdepth 1 -type f \( -name 'chorus.*' -o -name 'wasm_exec.*' \) \
	! -name "$wasm" ! -name "$wasm.*" ! -name "$exec_js" ! -name "$exec_js.*" -delete

size() { stat -c %s "$out/$1"; }
printf 'web build in %s (%s):\n' "$out" "$wasm"
printf '  %-34s %10s %10s %10s\n' file raw gzip brotli
total_raw=0 total_gz=0 total_br=0
for f in index.html "$exec_js" "$wasm"; do
	r=$(size "$f") g=$(size "$f.gz") b=$(size "$f.br")
	total_raw=$((total_raw + r)) total_gz=$((total_gz + g)) total_br=$((total_br + b))
	printf '  %-34s %10d %10d %10d\n' "$f" "$r" "$g" "$b"
done
r=$(size icon.png)
printf '  %-34s %10d %10s %10s\n' icon.png "$r" - -
total_raw=$((total_raw + r)) total_gz=$((total_gz + r)) total_br=$((total_br + r))
awk -v r="$total_raw" -v g="$total_gz" -v b="$total_br" 'BEGIN { printf "  first visit downloads %.1f MB raw, %.1f MB gzip, %.1f MB brotli\n", r/1e6, g/1e6, b/1e6 }'
