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
#   - without the CJK fonts in the wasm (assets/fonts_js.go): beside it,
#     content-hashed and precompressed like it, the fonts cut down to the
#     interface's characters (made here from the catalogs, by
#     assets/internal/genfont/genfont.sh ui), which the page fetches with the
#     wasm, and the full fonts, which it fetches only when Chinese is shown;
#   - without fyne's habit of bumping Build in FyneApp.toml on every run.
# It prints the sizes (raw, gzip, brotli) of what a first visit downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bin/web}
GO=${GO:-go}
BROTLI_QUALITY=${BROTLI_QUALITY:-11}
command -v brotli >/dev/null || { echo "build-web.sh: needs the brotli command (Debian package brotli; make deps installs it)" >&2; exit 1; }
/usr/bin/python3 -c 'import fontTools' 2>/dev/null || python3 -c 'import fontTools' 2>/dev/null ||
	{ echo "build-web.sh: needs fonttools (Debian package python3-fonttools; make deps installs it)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

GOOS=js GOARCH=wasm "$GO" build -trimpath -ldflags="-s -w" -tags release,no_emoji -o "$tmp/chorus.wasm" .
cp "$("$GO" env GOROOT)/lib/wasm/wasm_exec.js" "$tmp/wasm_exec.js"

sh assets/internal/genfont/genfont.sh ui "$tmp"
cp assets/fonts/ChorusSC-Regular.otf assets/fonts/ChorusSC-Bold.otf "$tmp/"

hash() { sha256sum "$1" | cut -c1-20; }
hashed() { # FILE: renames $tmp/FILE to NAME.<hash>.EXT and prints the new name
	local n="${1%.*}.$(hash "$tmp/$1").${1##*.}"
	mv "$tmp/$1" "$tmp/$n"
	echo "$n"
}
wasm=$(hashed chorus.wasm)
exec_js=$(hashed wasm_exec.js)
font_ui_regular=$(hashed ChorusSC-UI-Regular.otf)
font_ui_bold=$(hashed ChorusSC-UI-Bold.otf)
font_regular=$(hashed ChorusSC-Regular.otf)
font_bold=$(hashed ChorusSC-Bold.otf)
fonts="$font_ui_regular $font_ui_bold $font_regular $font_bold"
raw=$(stat -c %s "$tmp/$wasm")
sed -e "s/{{WASM}}/$wasm/g" -e "s/{{WASM_SIZE}}/$raw/g" -e "s/{{WASM_EXEC}}/$exec_js/g" \
	-e "s/{{FONT_UI_REGULAR}}/$font_ui_regular/g" -e "s/{{FONT_UI_BOLD}}/$font_ui_bold/g" \
	-e "s/{{FONT_REGULAR}}/$font_regular/g" -e "s/{{FONT_BOLD}}/$font_bold/g" web/index.html >"$tmp/index.html"
if grep -q '{{[A-Z_]*}}' "$tmp/index.html"; then echo "build-web.sh: a placeholder is left in index.html" >&2; exit 1; fi
cp assets/icon.png "$tmp/icon.png"
# The service worker that shows pushes (web/sw.js): served at /app/sw.js, so
# its scope is the app's; not content-hashed, as its address must stay put.
cp web/sw.js "$tmp/sw.js"

# Compress the two large ones side by side (brotli -q 11 of the wasm takes
# a couple of minutes on one core; gzip -9 and the small files meanwhile).
brotli -q "$BROTLI_QUALITY" -w 24 -n -f -o "$tmp/$wasm.br" "$tmp/$wasm" &
br_pid=$!
for f in "$wasm" "$exec_js" index.html $fonts; do gzip -9 -n -c "$tmp/$f" >"$tmp/$f.gz"; done
for f in "$exec_js" index.html $fonts; do brotli -q 11 -n -f -o "$tmp/$f.br" "$tmp/$f"; done
wait "$br_pid"
chmod 644 "$tmp"/*

# Move into place, the page last, so a running server never names a file it
# does not have; then drop what earlier builds left.
for f in $fonts; do mv -f "$tmp/$f" "$tmp/$f.gz" "$tmp/$f.br" "$out/"; done
for f in "$wasm" "$wasm.gz" "$wasm.br" "$exec_js" "$exec_js.gz" "$exec_js.br" icon.png sw.js index.html.gz index.html.br; do
	mv -f "$tmp/$f" "$out/$f"
done
mv -f "$tmp/index.html" "$out/index.html"
find "$out" -maxdepth 1 -type f \( -name 'chorus.*' -o -name 'wasm_exec.*' -o -name 'ChorusSC-*' \) \
	! -name "$wasm" ! -name "$wasm.*" ! -name "$exec_js" ! -name "$exec_js.*" \
	! -name "$font_ui_regular*" ! -name "$font_ui_bold*" ! -name "$font_regular*" ! -name "$font_bold*" -delete

size() { stat -c %s "$out/$1"; }
printf 'web build in %s (%s):\n' "$out" "$wasm"
printf '  %-46s %10s %10s %10s\n' file raw gzip brotli
total_raw=0 total_gz=0 total_br=0
for f in index.html "$exec_js" "$wasm" "$font_ui_regular" "$font_ui_bold"; do
	r=$(size "$f") g=$(size "$f.gz") b=$(size "$f.br")
	total_raw=$((total_raw + r)) total_gz=$((total_gz + g)) total_br=$((total_br + b))
	printf '  %-46s %10d %10d %10d\n' "$f" "$r" "$g" "$b"
done
r=$(size icon.png)
printf '  %-46s %10d %10s %10s\n' icon.png "$r" - -
total_raw=$((total_raw + r)) total_gz=$((total_gz + r)) total_br=$((total_br + r))
awk -v r="$total_raw" -v g="$total_gz" -v b="$total_br" 'BEGIN { printf "  first visit downloads %.1f MB raw, %.1f MB gzip, %.1f MB brotli\n", r/1e6, g/1e6, b/1e6 }'
total_raw=0 total_gz=0 total_br=0
for f in "$font_regular" "$font_bold"; do
	r=$(size "$f") g=$(size "$f.gz") b=$(size "$f.br")
	total_raw=$((total_raw + r)) total_gz=$((total_gz + g)) total_br=$((total_br + b))
	printf '  %-46s %10d %10d %10d\n' "$f" "$r" "$g" "$b"
done
awk -v r="$total_raw" -v g="$total_gz" -v b="$total_br" 'BEGIN { printf "  and when Chinese is shown, the full CJK fonts: %.1f MB raw, %.1f MB gzip, %.1f MB brotli\n", r/1e6, g/1e6, b/1e6 }'
