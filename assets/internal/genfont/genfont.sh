#!/bin/sh
# Makes assets/fonts/ChorusSC-{Regular,Bold}.otf: Noto Sans CJK SC (SIL Open
# Font License 1.1) cut down to Latin, punctuation and the GB 2312 character
# set (all 6,763 hanzi of everyday Simplified Chinese) plus every character of
# the app's catalogs. Desktops without a CJK font and the web build (which
# sees no system fonts) need it; phones use the system's CJK fonts.
#
# Needs: fonts-noto-cjk's .deb (not installed: fetched with apt-get download)
# and fonttools (Debian: python3-fonttools). Run from the repository root:
#   sh assets/internal/genfont/genfont.sh
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download fonts-noto-cjk >/dev/null 2>&1 && dpkg-deb -x fonts-noto-cjk_*.deb x)
/usr/bin/python3 - "$work/chars.txt" assets/i18n/*.json <<'PY'
import json, sys
chars = set()
def span(a, b):
    chars.update(chr(c) for c in range(a, b + 1))
span(0x20, 0x7E); span(0xA0, 0x17F)           # Latin, Latin-1, Latin Extended-A
span(0x2000, 0x206F); span(0x20A0, 0x20BF)     # punctuation, currency
span(0x2190, 0x21FF); span(0x2600, 0x27BF)     # arrows, ★ ✓ and friends
span(0x3000, 0x303F); span(0xFF00, 0xFFEF)     # CJK punctuation, full-width forms
for hi in range(0xA1, 0xF8):                   # GB 2312: symbols and hanzi
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for path in sys.argv[2:]:
    for text in json.load(open(path, encoding="utf-8")).values():
        chars.update(text)
open(sys.argv[1], "w", encoding="utf-8").write("".join(sorted(chars)))
PY
for weight in Regular Bold; do
  /usr/bin/python3 -m fontTools.subset "$work/x/usr/share/fonts/opentype/noto/NotoSansCJK-$weight.ttc" \
    --font-number=2 --layout-features-='locl' --text-file="$work/chars.txt" --name-IDs='*' \
    --output-file="assets/fonts/ChorusSC-$weight.otf"
done
ls -l assets/fonts/*.otf
