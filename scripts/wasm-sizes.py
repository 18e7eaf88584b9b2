#!/usr/bin/env python3
"""Where a Go wasm binary's bytes go: `go tool nm` refuses wasm, so this reads
the module itself.

  GOOS=js GOARCH=wasm go build -trimpath -tags release,no_emoji -o /tmp/c.wasm .
  python3 scripts/wasm-sizes.py /tmp/c.wasm [--top 40] [--find NAME=FILE ...]

Build it without -ldflags=-s (which drops the "name" section this reads; the
code is the same). It prints the module's sections, then the code section's
function bodies summed per Go package (names from the name section), with
each package's raw and brotli/gzip-compressed size (its bodies compressed
together, so an estimate of its share of the download). --find NAME=FILE
looks for FILE's bytes in the data section (an embedded font, say) and
reports where and how big.
"""
import argparse
import collections
import gzip
import re
import shutil
import subprocess
import sys


def leb(buf, i):
    result = shift = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


SECTION_NAMES = {0: 'custom', 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory',
                 6: 'global', 7: 'export', 8: 'start', 9: 'element', 10: 'code', 11: 'data', 12: 'datacount'}


def sections(buf):
    assert buf[:4] == b'\0asm', 'not a wasm module'
    i = 8
    while i < len(buf):
        sid = buf[i]
        size, j = leb(buf, i + 1)
        name = SECTION_NAMES.get(sid, str(sid))
        if sid == 0:
            n, k = leb(buf, j)
            name = 'custom:' + buf[k:k + n].decode('utf-8', 'replace')
        yield sid, name, j, j + size
        i = j + size


def function_names(buf, start, end):
    # custom "name" section: skip its own name, then subsections; 1 = functions.
    n, i = leb(buf, start)
    i += n
    names = {}
    while i < end:
        sub = buf[i]
        size, i = leb(buf, i + 1)
        stop = i + size
        if sub == 1:
            count, i = leb(buf, i)
            for _ in range(count):
                idx, i = leb(buf, i)
                ln, i = leb(buf, i)
                names[idx] = buf[i:i + ln].decode('utf-8', 'replace')
                i += ln
        i = stop
    return names


def imported_functions(buf, start, end):
    count, i = leb(buf, start)
    funcs = 0
    for _ in range(count):
        for _ in range(2):  # module, field
            n, i = leb(buf, i)
            i += n
        kind = buf[i]
        i += 1
        if kind == 0:
            _, i = leb(buf, i)
            funcs += 1
        elif kind == 1:
            i += 1
            flags, i = leb(buf, i)
            _, i = leb(buf, i)
            if flags & 1:
                _, i = leb(buf, i)
        elif kind == 2:
            flags, i = leb(buf, i)
            _, i = leb(buf, i)
            if flags & 1:
                _, i = leb(buf, i)
        elif kind == 3:
            i += 2
    return funcs


# The linker writes import paths with "_" for "/", "-" and "." past the
# domain (and "(*T)" as "__T_"): "fyne.io_fyne_v2_widget.__Entry_.Tapped" is
# in fyne.io/fyne/v2/widget. Names are shown that way (the mapping back is
# ambiguous).
DOMAIN = re.compile(r'^[a-z0-9_]+\.(com|io|org|in|co|net|dev)_')


def package_of(fn):
    m = DOMAIN.match(fn)
    dot = fn.find('.', m.end() if m else 0)
    return fn[:dot] if dot > 0 else fn


GROUPS = ('fyne.io_fyne_v2', 'github.com_go_text', 'github.com_yuin_goldmark', 'golang.org_x_text',
          'golang.org_x_image', 'golang.org_x_net', 'github.com_chorus_advocacy_chorus_app',
          'github.com_chorus_advocacy_chorus_backend', 'github.com_chorus_advocacy_chorus')


def group(pkg):
    for prefix in GROUPS:
        if pkg.startswith(prefix):
            return prefix
    m = DOMAIN.match(pkg)
    if m:
        return '_'.join(pkg.split('_')[:3])
    return pkg.split('_')[0]


def br_size(data):
    if shutil.which('brotli'):
        return len(subprocess.run(['brotli', '-q', '9', '-c'], input=data, capture_output=True, check=True).stdout)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('wasm')
    ap.add_argument('--top', type=int, default=30)
    ap.add_argument('--find', action='append', default=[], metavar='NAME=FILE')
    ap.add_argument('--by', choices=['package', 'group'], default='package')
    a = ap.parse_args()
    buf = open(a.wasm, 'rb').read()
    secs = list(sections(buf))
    print(f'{a.wasm}: {len(buf):,} bytes')
    for sid, name, s, e in secs:
        print(f'  section {name:<24} {e - s:>12,}')
    nimports = 0
    names = {}
    code = None
    data = None
    for sid, name, s, e in secs:
        if sid == 2:
            nimports = imported_functions(buf, s, e)
        elif name == 'custom:name':
            names = function_names(buf, s, e)
        elif sid == 10:
            code = (s, e)
        elif sid == 11:
            data = (s, e)
    if not names:
        sys.exit('no name section: build without -ldflags=-s')

    per = collections.defaultdict(list)
    count, i = leb(buf, code[0])
    for k in range(count):
        size, j = leb(buf, i)
        fn = names.get(nimports + k, f'func{nimports + k}')
        key = package_of(fn) if a.by == 'package' else group(package_of(fn))
        per[key].append(buf[j:j + size])
        i = j + size
    rows = []
    for key, bodies in per.items():
        blob = b''.join(bodies)
        rows.append((len(blob), key, len(bodies), blob))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    print(f'\ncode: {count:,} functions, {total:,} bytes of bodies; top {a.top} by {a.by} (raw, gzip -9, brotli -q 9):')
    for raw, key, n, blob in rows[:a.top]:
        gz = len(gzip.compress(blob, 9))
        br = br_size(blob)
        print(f'  {raw:>11,} {gz:>10,} {br if br is not None else "-":>10,}  {n:>6} funcs  {key}')

    if a.find:
        blob = buf[data[0]:data[1]]
        for spec in a.find:
            label, path = spec.split('=', 1)
            want = open(path, 'rb').read()
            at = blob.find(want)
            print(f'\ndata: {label} ({len(want):,} bytes) ' + ('not found' if at < 0 else f'at data offset {at:,}'))
    if data:
        blob = buf[data[0]:data[1]]
        print(f'\ndata section {len(blob):,} bytes: gzip -9 {len(gzip.compress(blob, 9)):,}, '
              f'brotli -q 9 {br_size(blob) or 0:,}')


if __name__ == '__main__':
    main()
