#!/usr/bin/env bash
# make screenshots: the desktop client in a real window under Xvfb, against
# a fresh `chorus-server serve --demo`, in the phone layout (390×844) and
# the desktop layout, in English and Chinese; it signs in as member1 and
# saves the main screens to docs/screenshots/LAYOUT-LANG-SCREEN.png.
# (Fyne's -tags mobile simulation hangs under Xvfb, hence --layout phone.)
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
out=${1:-docs/screenshots}
command -v xvfb-run >/dev/null || { echo "screenshots need Xvfb: make deps (Debian package xvfb)" >&2; exit 1; }
mkdir -p bin "$out"
"$GO" build -o bin/chorus-server ./backend/cmd/chorus-server
"$GO" build -o bin/chorus .

tmp=$(mktemp -d)
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# A fixed port, so the address in the pictures stays the same (not :0: the
# server's public URL is made from it); another one when it is taken.
port=${SHOTS_PORT:-8090}
if curl -s "http://127.0.0.1:$port/" >/dev/null 2>&1; then
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
url="http://127.0.0.1:$port"
bin/chorus-server serve --demo --addr "127.0.0.1:$port" --data "$tmp/data" --log-level warn >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
	curl -fsS "$url/healthz" >/dev/null 2>&1 && break
	sleep 0.2
done
curl -fsS "$url/healthz" >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
"$GO" run ./scripts/screenshot-data --server "$url"

# The manager's desktop: activities, editor, member view preview, a report
# and the program admin (desktop-LANG-manager-SCREEN.png); first, so that the member runs
# after it take the sign-in pictures.
for lang in en zh-Hans; do
	XDG_CONFIG_HOME="$tmp/config-manager-$lang" FYNE_SCALE=1 FYNE_THEME=light \
		timeout 180 xvfb-run -a -s "-screen 0 1280x900x24" \
		bin/chorus --server "$url" --layout desktop --lang "$lang" --screenshots "$out" \
		--screenshots-as manager@demo.test --screenshots-grab scripts/grab-window.sh
done
for layout in phone desktop; do
	for lang in en zh-Hans; do
		# A profile of its own: no session or language from an earlier run.
		XDG_CONFIG_HOME="$tmp/config-$layout-$lang" FYNE_SCALE=1 FYNE_THEME=light \
			timeout 120 xvfb-run -a -s "-screen 0 1280x900x24" \
			bin/chorus --server "$url" --layout "$layout" --lang "$lang" --screenshots "$out" \
			--screenshots-grab scripts/grab-window.sh
	done
done
# The desktop's Share on WeChat (the handoff and the share page's QR code)
# goes by the name the docs use: desktop-handoff-qr-en.png, -zh.png.
for lang in en zh-Hans; do
	mv "$out/desktop-$lang-handoff-qr.png" "$out/desktop-handoff-qr-${lang%%-*}.png"
done
# 256 colours: half the bytes, and the UI's flat colours and anti-aliased
# text look the same.
for f in "$out"/*.png; do
	convert "$f" -strip -colors 256 PNG8:"$f"
done
echo "pictures in $out:"
ls -l "$out"
