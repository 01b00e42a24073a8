#!/usr/bin/env python3
"""Mixed pages: clean Japanese or Korean text with legacy-garbled lines among it.

The installed message catalogs (/usr/share/locale/{ja,ko,zh_TW,zh_CN}/LC_MESSAGES/*.mo,
read at run time, never committed) give the text: 20,000 lines of the host language, and
after every 50th a line of Chinese garbled through a channel (400 in all). mojifix must
repair the garbled lines and leave every clean line as it is.

  A: Japanese, with Traditional lines written in Big5 and read as GBK
  C: Japanese, with Simplified lines written in GBK and read as Big5 by Windows (code page
     950: GBK's rows C6-C8 and leads below 0xA1 as Private Use characters)
  D: Korean, with Traditional lines written in Big5 and read as GBK

Usage: python3 scripts/mixed_pages.py --bin target/release/mojifix
Prints, per page: garbled lines repaired exactly, partly, left as they were; clean lines
changed.
"""
import argparse
import glob
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clean_corpus import mo_strings  # noqa: E402
from gen_repair_fixtures import windows_950  # noqa: E402

HOST_LINES = 20_000
EVERY = 50
PAGES = [
    # (name, host language, source of the garbled lines, written as, read as, seed)
    ("A", "ja", "zh_TW", "big5", "gbk", 5),
    ("C", "ja", "zh_CN", "gbk", "cp950", 7),
    ("D", "ko", "zh_TW", "big5", "gbk", 8),
]


def catalog_lines(lang):
    out = []
    for path in sorted(glob.glob(f"/usr/share/locale/{lang}/LC_MESSAGES/*.mo")):
        with open(path, "rb") as f:
            text = mo_strings(f.read()).decode("utf-8", errors="replace")
        out += [line for line in text.split("\n") if "\ufffd" not in line]
    return out


def page(host, source, written, read, seed):
    rng = random.Random(seed)
    src = [line for line in source if line.strip() and not line.isascii()]
    rng.shuffle(src)
    garbled, expected, k = [], [], 0
    for i, line in enumerate(host[:HOST_LINES]):
        garbled.append(line)
        expected.append(line)
        if i % EVERY:
            continue
        while k < len(src):
            t = src[k]
            k += 1
            try:
                g = windows_950(t.encode(written)) if read == "cp950" else t.encode(written).decode(read)
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if g != t:
                garbled.append(g)
                expected.append(t)
                break
    return garbled, expected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    cache = {}
    for name, host, source, written, read, seed in PAGES:
        for lang in (host, source):
            if lang not in cache:
                cache[lang] = catalog_lines(lang)
        if len(cache[host]) < HOST_LINES or not cache[source]:
            print(f"{name}: skipped (too few installed {host} or {source} catalog lines)")
            continue
        garbled, expected = page(cache[host], cache[source], written, read, seed)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as f:
            f.write("\n".join(garbled) + "\n")
            f.flush()
            out = subprocess.run([args.bin, f.name], capture_output=True, check=False)
        got = out.stdout.decode("utf-8").split("\n")
        rows = list(zip(got, expected, garbled))
        bad = [(x, y, z) for x, y, z in rows if y != z]
        clean = [(x, y) for x, y, z in rows if y == z]
        print(f"{name} ({host} with {source} {written} read as {read}): "
              f"{len(bad)} garbled lines: {sum(x == y for x, y, _ in bad)} exact, "
              f"{sum(x != y and x != z for x, y, z in bad)} partly, "
              f"{sum(x == z for x, _, z in bad)} untouched; "
              f"{len(clean)} clean lines: {sum(x != y for x, y in clean)} changed")


if __name__ == "__main__":
    main()
