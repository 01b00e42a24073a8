#!/usr/bin/env python3
"""Clean text dense with accented letters, for timing the gate where it is slowest: the
translated strings of the message catalogs installed on this machine
(/usr/share/locale/<lang>/LC_MESSAGES/*.mo, GPL and the like: written to a file you name,
never committed) that hold at least three non-ASCII letters, one per line, repeated in
order until the file holds SIZE bytes.

Usage: scripts/accented_catalogs.py LANG OUT [--size BYTES]
  e.g. scripts/accented_catalogs.py cs /tmp/lat_cs.txt, then
       hyperfine -N 'target/release/mojifix -j1 --check /tmp/lat_cs.txt'
"""

import argparse
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clean_corpus import mo_strings  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lang")
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=10_000_000)
    args = ap.parse_args()
    lines = []
    for path in sorted(glob.glob(f"/usr/share/locale/{args.lang}/LC_MESSAGES/*.mo")):
        with open(path, "rb") as f:
            text = mo_strings(f.read()).decode("utf-8", errors="replace")
        for line in text.split("\n"):
            if "\ufffd" not in line and sum(1 for c in line if ord(c) > 127 and c.isalpha()) >= 3:
                lines.append(line)
    if not lines:
        sys.exit(f"no catalog strings with accented letters for {args.lang!r} here")
    block = ("\n".join(lines) + "\n").encode()
    with open(args.out, "wb") as f:
        written = 0
        while written < args.size:
            f.write(block)
            written += len(block)
    print(f"{args.out}: {written} bytes, {len(lines)} strings", file=sys.stderr)


if __name__ == "__main__":
    main()
