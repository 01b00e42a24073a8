#!/usr/bin/env python3
"""Short mixed documents: a few lines garbled through one channel beside clean lines.

Each document is one to three lines of one language's catalog strings garbled through a
channel, and one or two clean lines of Chinese (Simplified or Traditional), Japanese or
Korean, shuffled; only documents whose garbled lines hold 45-80 % of the non-ASCII bytes
are kept (where the share that makes a channel the document's is decided). The installed
message catalogs (/usr/share/locale/*/LC_MESSAGES/*.mo) give the text, read at run time,
never committed.

  zh_TW written in Big5, read as GBK      zh_CN written in GBK, read as Big5
  ja written in Shift_JIS, read as GBK    ko written in EUC-KR, read as GBK

Usage: python3 scripts/mixed_short_docs.py --bin target/release/mojifix [--bin OTHER ...] [--seed S]
Prints, per binary: garbled lines repaired exactly (per source language) and clean lines
changed, with the first failures of the last binary.
"""
import argparse
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mixed_pages import catalog_lines  # noqa: E402

DOCUMENTS = 600
CHANNELS = [("zh_TW", "big5", "gbk"), ("zh_CN", "gbk", "big5"),
            ("ja", "shift_jis", "gbk"), ("ko", "euc_kr", "gbk")]
CLEAN = ["zh_CN", "zh_TW", "ja", "ko"]


def non_ascii_bytes(s):
    return sum(1 for b in s.encode() if b >= 0x80)


def documents(seed=11):
    rng = random.Random(seed)
    langs = {lang: [x for x in catalog_lines(lang) if x.strip() and not x.isascii() and len(x) < 120]
             for lang in CLEAN}
    if any(not lines for lines in langs.values()):
        return None
    docs = []
    while len(docs) < DOCUMENTS:
        src, written, read = rng.choice(CHANNELS)
        garbled, wanted = [], rng.randint(1, 3)
        while len(garbled) < wanted:
            t = rng.choice(langs[src])
            try:
                x = t.encode(written).decode(read)
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if x != t:
                garbled.append((x, t))
        clean = [(t, t) for t in rng.sample(langs[rng.choice(CLEAN)], rng.randint(1, 2))]
        g = sum(non_ascii_bytes(x) for x, _ in garbled)
        c = sum(non_ascii_bytes(x) for x, _ in clean)
        if not 0.45 <= g / max(1, g + c) < 0.8:
            continue
        lines = garbled + clean
        rng.shuffle(lines)
        docs.append((src, lines))
    return docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", required=True)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    docs = documents(args.seed)
    if docs is None:
        print("skipped: too few installed zh_CN, zh_TW, ja or ko catalog lines")
        return
    for b in args.bin:
        per, changed, shown = {}, [], []
        for src, lines in docs:
            text = "\n".join(x for x, _ in lines) + "\n"
            out = subprocess.run([b], input=text.encode(), capture_output=True, check=False)
            got = out.stdout.decode("utf-8").split("\n")
            for (x, t), o in zip(lines, got):
                if x == t:
                    if o != t:
                        changed.append((t, o))
                    continue
                row = per.setdefault(src, [0, 0])
                row[0] += 1
                row[1] += o == t
                if o != t:
                    shown.append((src, x, o, t))
        print(f"{b}: garbled lines repaired exactly "
              + ", ".join(f"{src} {ok}/{n}" for src, (n, ok) in sorted(per.items()))
              + f"; clean lines changed {len(changed)}")
        for t, o in changed:
            print(f"  clean changed: {t!r} -> {o!r}")
    for src, x, o, t in shown[:10]:
        print(f"  {src}: {x[:50]!r} -> {o[:50]!r} (want {t[:50]!r})")


if __name__ == "__main__":
    main()
