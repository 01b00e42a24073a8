#!/usr/bin/env python3
"""Clean text with one character lost: at scale, none of it may change.

A lossy reader leaves a U+FFFD where a character lost a byte; before an ASCII byte (or at
a line's end) that is also the sign of misaligned GBK, so each of these strings is a
candidate for the misalignment repair, and must come out as it went in. The held-out
evaluation (heldout_eval.py) has such rows of 100-500 strings; this script takes up to
12,000 strings per language of the installed message catalogs
(/usr/share/locale/*/LC_MESSAGES/*.mo, read at run time, never committed), replaces one
non-ASCII character that is followed by an ASCII byte below 0x40 or ends the string with
U+FFFD, and reports every string the tool changes.

Usage: python3 scripts/lost_char_negatives.py --bin target/release/mojifix [--langs zh_CN,zh_TW,ja] [--seed S]
Exit status 1 if any string changed.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heldout_eval import catalog_strings  # noqa: E402

PER_LANGUAGE = 12_000


def cases(lang, seed):
    rng = random.Random(f"{seed}:{lang}")
    pool = catalog_strings(lang)
    out = []
    for t in rng.sample(pool, min(len(pool), PER_LANGUAGE)):
        spots = [i for i in range(len(t))
                 if ord(t[i]) > 0x7F and (i + 1 == len(t) or ord(t[i + 1]) < 0x40)]
        if spots:
            i = rng.choice(spots)
            out.append(t[:i] + "\ufffd" + t[i + 1:])
    return out


def run(binary, texts):
    """Each text as a file of its own (one line), through `binary -o`; the outputs."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in"), os.path.join(d, "out")
        os.mkdir(src)
        for k, t in enumerate(texts):
            with open(os.path.join(src, f"{k}.txt"), "w", encoding="utf-8") as f:
                f.write(t + "\n")
        subprocess.run([binary, "-o", dst, src], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        outs = []
        for k, t in enumerate(texts):
            try:
                with open(os.path.join(dst, f"{k}.txt"), encoding="utf-8", errors="replace") as f:
                    outs.append(f.read()[:-1])
            except OSError:
                outs.append(t)
        return outs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/mojifix")
    ap.add_argument("--langs", default="zh_CN,zh_TW,ja,ko")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    changed_total = 0
    for lang in args.langs.split(","):
        texts = cases(lang, args.seed)
        if not texts:
            print(f"{lang}: skipped (no catalogs installed)")
            continue
        changed = [(t, o) for t, o in zip(texts, run(args.bin, texts)) if o != t]
        changed_total += len(changed)
        print(f"{lang}: {len(texts)} strings with a lost character, {len(changed)} changed")
        for t, o in changed[:10]:
            print(f"  {t!r}\n  -> {o!r}")
    return 1 if changed_total else 0


if __name__ == "__main__":
    sys.exit(main())
