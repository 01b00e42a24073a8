#!/usr/bin/env python3
"""Differential test: mojifix --convert CONFIG against OpenCC 1.4.2 (the PyPI package, its
library with default options) on a large real corpus, line by line. The corpus is Debian's
manpages-zh (GFDL: installed at test time, never committed), Simplified and Traditional
pages, decompressed to text. Prints one line per config and exits 1 on any difference.

Usage: python3 scripts/opencc_diff.py [--bin target/release/mojifix] [--limit-mb 40]
"""
import argparse, glob, gzip, os, subprocess, sys

import opencc

CONFIGS = ["t2s", "s2t", "s2twp", "tw2sp", "hk2s", "t2jp"]


def corpus(limit):
    lines, size = [], 0
    for d in ("/usr/share/man/zh_CN", "/usr/share/man/zh_TW"):
        for path in sorted(glob.glob(d + "/**/*.gz", recursive=True)):
            try:
                text = gzip.open(path).read().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for line in text.splitlines():
                lines.append(line)
                size += len(line.encode())
            if size >= limit:
                return lines
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/mojifix")
    ap.add_argument("--limit-mb", type=float, default=40)
    a = ap.parse_args()
    lines = corpus(int(a.limit_mb * 1e6))
    if not lines:
        print("opencc_diff: skipped (no corpus: apt-get install manpages-zh)")
        return 0
    text = "\n".join(lines) + "\n"
    failed = 0
    for cfg in CONFIGS:
        ref = opencc.OpenCC(cfg + ".json").convert(text)
        out = subprocess.run([a.bin, "--no-config", "--no-repair", "--keep-pinyin", "--convert", cfg],
                             input=text.encode(), capture_output=True, check=True).stdout.decode()
        diff = [(i, x, y) for i, (x, y) in enumerate(zip(ref.split("\n"), out.split("\n"))) if x != y]
        if len(ref) != len(out) and not diff:
            diff = [(-1, "<length>", "<length>")]
        print(f"opencc_diff {cfg}: {len(lines)} lines, {len(text)/1e6:.1f} MB, {len(diff)} differing lines")
        for i, x, y in diff[:3]:
            print(f"  line {i}:\n    opencc:  {x[:120]}\n    mojifix: {y[:120]}")
        failed += len(diff)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
