#!/bin/sh
# Makes assets/fonts/ChorusSC-{Regular,Bold}.otf: Noto Sans CJK SC (SIL Open
# Font License 1.1) cut down to Latin, punctuation and the GB 2312 character
# set (all 6,763 hanzi of everyday Simplified Chinese) plus every character of
# the app's catalogs, without hinting (Fyne's rasterizer, go-text, draws
# outlines only; the hints were a fifth of the file). Desktops without a CJK
# font need it, and the web build fetches it when it shows Chinese; phones
# use the system's CJK fonts.
#
#   sh assets/internal/genfont/genfont.sh ui DIR
# instead cuts those fonts down to what the interface itself writes (Latin,
# punctuation and the characters of assets/i18n/*.json, about 130 KB each)
# into DIR/ChorusSC-UI-{Regular,Bold}.otf: the web build (scripts/build-web.sh)
# loads these first, so a Chinese screen is drawn before the large fonts
# arrive, and makes them anew each build so they follow the catalogs.
#
# Needs: fonttools (Debian: python3-fonttools; make deps installs it) and,
# for the full fonts, fonts-noto-cjk's .deb (not installed: fetched with
# apt-get download). Run from the repository root:
#   sh assets/internal/genfont/genfont.sh
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=/usr/bin/python3
[ -x "$python" ] || python=python3

chars() { # FILE [all]: the characters to keep, into FILE
  "$python" - "$@" assets/i18n/*.json <<'PY'
import json, sys
out, mode, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
chars = set()
def span(a, b):
    chars.update(chr(c) for c in range(a, b + 1))
span(0x20, 0x7E); span(0xA0, 0x17F)           # Latin, Latin-1, Latin Extended-A
span(0x2000, 0x206F); span(0x20A0, 0x20BF)     # punctuation, currency
span(0x3000, 0x303F); span(0xFF00, 0xFFEF)     # CJK punctuation, full-width forms
if mode == "all":
    span(0x2190, 0x21FF); span(0x2600, 0x27BF) # arrows, ★ ✓ and friends
    for hi in range(0xA1, 0xF8):               # GB 2312: symbols and hanzi
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
for path in paths:
    for text in json.load(open(path, encoding="utf-8")).values():
        chars.update(text)
open(out, "w", encoding="utf-8").write("".join(sorted(chars)))
PY
}

if [ "${1:-}" = ui ]; then
  dir=${2:?usage: genfont.sh ui DIR}
  chars "$work/chars.txt" ui
  for weight in Regular Bold; do
    "$python" -m fontTools.subset "assets/fonts/ChorusSC-$weight.otf" --layout-features='*' --no-hinting \
      --text-file="$work/chars.txt" --name-IDs='*' --output-file="$dir/ChorusSC-UI-$weight.otf"
  done
  exit 0
fi

(cd "$work" && apt-get download fonts-noto-cjk >/dev/null 2>&1 && dpkg-deb -x fonts-noto-cjk_*.deb x)
chars "$work/chars.txt" all
for weight in Regular Bold; do
  "$python" -m fontTools.subset "$work/x/usr/share/fonts/opentype/noto/NotoSansCJK-$weight.ttc" \
    --font-number=2 --layout-features-='locl' --no-hinting --text-file="$work/chars.txt" --name-IDs='*' \
    --output-file="assets/fonts/ChorusSC-$weight.otf"
done
ls -l assets/fonts/*.otf
