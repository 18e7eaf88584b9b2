#!/usr/bin/env bash
# Scrolling figures of the client: a feed of 1,000 sample activities (no
# server) in the real window under Xvfb (Mesa's software GL), scrolled a step
# each frame for 5 s, at the desktop and at the phone layout; prints each
# frame's work and the intervals between frames (app/measure_scroll.go).
# RUNS (default 3) runs of each.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
runs=${RUNS:-3}
"$GO" build -o bin/chorus .
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME=$tmp/config FYNE_SCALE=1
for layout in desktop phone; do
	for i in $(seq "$runs"); do
		echo "$layout layout, run $i:"
		timeout 60 xvfb-run -a -s "-screen 0 1280x900x24" bin/chorus --layout "$layout" --lang en --measure-scroll 1000 2>/dev/null
	done
done
