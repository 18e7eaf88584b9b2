#!/usr/bin/env bash
# Start-up figures of the desktop client: from process start to the first
# paint of the feed, with the feed in the app's cache and without (a saved
# session, nothing cached: the feed comes from the server), and memory then.
# Runs the real window under Xvfb against a local demo server; prints the
# median of RUNS (default 5) starts of each kind.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
runs=${RUNS:-5}
"$GO" build -o bin/chorus-server ./backend/cmd/chorus-server
"$GO" build -o bin/chorus .
tmp=$(mktemp -d)
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
bin/chorus-server serve --demo --addr "127.0.0.1:$port" --data "$tmp/data" --log-level warn >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
export XDG_CONFIG_HOME=$tmp/config FYNE_SCALE=1
app() { timeout 60 xvfb-run -a -s "-screen 0 1280x900x24" bin/chorus --server "$url" --layout desktop "$@" 2>/dev/null; }
# Sign in once (the screenshot tour does it), which saves the session.
app --lang en --screenshots "$tmp/shots" >/dev/null
store=$(dirname "$(find "$tmp/config" -name 'feed-*.json' | head -n1)")
: >"$tmp/uncached"; : >"$tmp/cached"
for _ in $(seq "$runs"); do
	rm -f "$store"/feed-*.json "$store"/me-*.json
	app --measure-start | tee -a "$tmp/uncached"
	app --measure-start | tee -a "$tmp/cached"
done
median() { sed -n 's/.*paint: \([0-9]*\) ms.*RSS \([0-9]*\) MB.*/\1 \2/p' "$1" | sort -n | awk '{ms[NR]=$1; rss[NR]=$2} END {m=int((NR+1)/2); printf "%d ms (RSS %d MB)", ms[m], rss[m]}'; }
echo "desktop cold start to first feed paint, median of $runs:"
echo "  feed not cached (fetched from the server): $(median "$tmp/uncached")"
echo "  feed cached:                               $(median "$tmp/cached")"
