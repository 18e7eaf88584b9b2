#!/usr/bin/env bash
# grab-window.sh FILE: saves the Chorus window on the current X display to
# FILE (PNG), as it is on screen. Used by make screenshots under Xvfb.
set -euo pipefail
id=$(xdotool search --onlyvisible --name '^Chorus$' | head -n1)
[ -n "$id" ] || { echo "no Chorus window on $DISPLAY" >&2; exit 1; }
import -window "$id" "$1"
