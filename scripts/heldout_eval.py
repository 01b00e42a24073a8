#!/usr/bin/env python3
"""Held-out evaluation of the repair engine on real text the project neither ships nor was
tuned on: the translated message catalogs installed on this machine
(/usr/share/locale/<lang>/LC_MESSAGES/*.mo, GPL and the like, read at run time, never
committed).

Samples catalog strings per language (a fixed seed), garbles them through each channel of
scripts/gen_repair_fixtures.py the way a WHATWG decoder does, and runs the mojifix binary
over all of them at once (`-o`, one file per sample). Two sizes: a single string (a short
text, no context) and eight strings joined by line feeds (a small document). Also:
misaligned GBK (one byte of a double-byte character lost, then decoded as GBK the way
a browser does, misaligned until an ASCII byte below 0x40 resynchronises it), scored by character error rate; the
originals themselves, which must come out unchanged; and ones with a character lost to
U+FFFD before an ASCII byte (Chinese between Han characters; in the other language groups
any non-ASCII character), which must come out unchanged too.

Per channel it prints: samples, exact repairs, left unchanged, character error rate of the
output against the original (Levenshtein distance / length), and, when the Python package
ftfy is installed, ftfy's fix_encoding exact count on the same inputs.

Usage: scripts/heldout_eval.py [--bin PATH] [--samples N] [--seed S] [--show K]
(--show K prints the first K failures of each row: original, garbled, output.)
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clean_corpus import mo_strings  # noqa: E402
from gen_repair_fixtures import CHANNELS, WINDOWS, whatwg_gbk  # noqa: E402

# The fixture texts each channel was written for, and the catalog languages standing in
# for them here.
LANGS = {
    "west": ["fr", "de", "es", "pt_BR", "it", "nl", "sv", "da"],
    "central": ["cs", "pl", "hu", "hr", "sl", "ro"],
    "zh_hans": ["zh_CN"],
    "zh_hant": ["zh_TW"],
    "ja": ["ja"],
    "ko": ["ko"],
    "ru": ["ru", "uk"],
    "el": ["el"],
    "he": ["he"],
    "ar": ["ar"],
}
DOC_LINES = 8


def catalog_strings(lang):
    d = f"/usr/share/locale/{lang}/LC_MESSAGES"
    if not os.path.isdir(d):
        return []
    out = set()
    for f in sorted(os.listdir(d)):
        if not f.endswith(".mo"):
            continue
        try:
            text = mo_strings(open(os.path.join(d, f), "rb").read()).decode("utf-8")
        except (OSError, UnicodeDecodeError, IndexError):
            continue
        for line in text.splitlines():
            line = line.strip()
            # Prose with some non-ASCII letters: a string of ASCII garbles into itself.
            if len(line) >= 8 and sum(1 for c in line if ord(c) > 0x7F and c.isalpha()) >= 3:
                out.add(line)
    return sorted(out)


def levenshtein(a, b):
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def whatwg_gbk_lossy(b):
    """GBK decoded as a browser (WHATWG, encoding_rs) decodes it: a lead byte and the next
    byte are one character; a pair that is none is one U+FFFD, except that an ASCII byte
    after the lead is given back and decoded on its own. So once misaligned, the text stays
    misaligned until a byte below 0x40 (space, digits, most punctuation) comes in a trail
    position."""
    out, i = [], 0
    while i < len(b):
        x = b[i]
        if x < 0x80:
            out.append(chr(x))
            i += 1
        elif x == 0x80 or x == 0xFF or i + 1 == len(b):
            out.append("\u20ac" if x == 0x80 else "\ufffd")
            i += 1
        else:
            try:
                out.append(b[i:i + 2].decode("gb18030"))
                i += 2
            except UnicodeDecodeError:
                out.append("\ufffd")
                i += 1 if b[i + 1] < 0x80 else 2
    return "".join(out)


def misalign(rng, text):
    """GBK bytes of `text` with one byte of a double-byte character removed, decoded as
    GBK as a browser does ([`whatwg_gbk_lossy`]); None if `text` has no such character or
    is not GBK."""
    try:
        b = text.encode("gbk")
    except UnicodeEncodeError:
        return None
    leads, i = [], 0
    while i < len(b):
        if b[i] >= 0x81:
            leads.append(i)
            i += 2
        else:
            i += 1
    if len(leads) < 4:
        return None
    at = rng.choice(leads[: len(leads) // 2]) + rng.randint(0, 1)
    return whatwg_gbk_lossy(b[:at] + b[at + 1:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/mojifix")
    ap.add_argument("--samples", type=int, default=200, help="per channel, language group and size")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=0, help="failures to print per row")
    args = ap.parse_args()
    # Each row draws from its own generator, seeded by the seed and the row's label: a row
    # added or removed leaves every other row's samples as they were.
    def row_rng(label):
        return random.Random(f"{args.seed}:{label}")

    pools = {src: [s for lang in langs for s in catalog_strings(lang)] for src, langs in LANGS.items()}
    if not any(pools.values()):
        print("heldout_eval: skipped (no translated message catalogs installed)")
        return 0
    try:
        import ftfy  # noqa: F401
        fix_encoding = ftfy.fix_encoding
    except ImportError:
        fix_encoding = None

    # (row label, original, garbled or None for a clean sample)
    cases = []

    def texts(src, size, rng):
        pool = pools[src]
        if not pool:
            return []
        out = []
        for _ in range(args.samples * 3):  # more than needed: some do not survive a channel
            if size == 1:
                out.append(rng.choice(pool))
            else:
                k = rng.randrange(max(1, len(pool) - size))
                out.append("\n".join(pool[k:k + size]))
        return out

    for name, sources, orig, misread in CHANNELS:
        # (A fixture text without a group of its own is stood for by another's catalogs:
        # Ukrainian by the "ru" group's.)
        sources = [s for s in sources if s in LANGS]
        if name == "gbk_as_big5":
            # WHATWG's Big5 (a browser's, encoding_rs's) is Big5-HKSCS; Python's big5 codec
            # decodes rows C6-C8 to other characters, which no browser would show.
            misread = lambda b: b.decode("big5hkscs")  # noqa: E731
        for size in (1, DOC_LINES):
            label = f"{name} ({'string' if size == 1 else 'document'})"
            rng = row_rng(label)
            n = 0
            for src in sources:
                taken = 0
                for t in texts(src, size, rng):
                    if taken == args.samples // len(sources) + 1:
                        break
                    try:
                        g = misread(t.encode(orig))
                    except (UnicodeDecodeError, UnicodeEncodeError):
                        continue
                    if g == t:
                        continue
                    cases.append((label, t, g))
                    taken += 1
                    n += 1
    for size in (1, DOC_LINES):
        label = f"gbk_misaligned ({'string' if size == 1 else 'document'})"
        rng = row_rng(label)
        taken = 0
        for t in texts("zh_hans", size, rng):
            if taken == args.samples:
                break
            g = misalign(rng, t)
            if g is not None:
                cases.append((label, t, g))
                taken += 1
    for src in LANGS:
        for size in (1, DOC_LINES):
            label = f"clean {src} ({'string' if size == 1 else 'document'})"
            for t in texts(src, size, row_rng(label))[: args.samples // 2]:
                cases.append((label, t, t))
    # Clean Chinese with one character before an ASCII byte lost to U+FFFD (as a lost trail
    # byte leaves it): the text around the U+FFFD is clean, and must come out as it went in.
    taken = 0
    rng = row_rng("clean zh_hans + U+FFFD (string)")
    for t in texts("zh_hans", 1, rng):
        spots = [i for i in range(1, len(t) - 1)
                 if "\u4e00" <= t[i] <= "\u9fff" and "\u4e00" <= t[i - 1] <= "\u9fff" and ord(t[i + 1]) < 0x40]
        if taken == args.samples // 2:
            break
        if spots:
            i = rng.choice(spots)
            lost = t[:i] + "\ufffd" + t[i + 1:]
            cases.append(("clean zh_hans + U+FFFD (string)", lost, lost))
            taken += 1
    # The same for the other language groups: any non-ASCII character before an ASCII byte
    # below 0x40 or the end lost to U+FFFD (what a strict decoder leaves of a character it
    # could not read), in text that is otherwise clean.
    for src in LANGS:
        if src == "zh_hans":
            continue
        taken = 0
        rng = row_rng(f"clean {src} + U+FFFD (string)")
        for t in texts(src, 1, rng):
            if taken == args.samples // 2:
                break
            spots = [i for i in range(len(t))
                     if ord(t[i]) > 0x7F and (i + 1 == len(t) or ord(t[i + 1]) < 0x40)]
            if spots:
                i = rng.choice(spots)
                lost = t[:i] + "\ufffd" + t[i + 1:]
                cases.append((f"clean {src} + U+FFFD (string)", lost, lost))
                taken += 1
    # GBK read by Windows (code page 950: GBK's rows C6-C8 as Private Use characters). And
    # Big5 read as GBK as a browser reads it (encoding_rs, WHATWG's gb18030 index): a pair in
    # GBK's user-defined rows (A1-A7 with a trail below 0xA1, AA-AF, F8-FE) is a Private Use
    # character, not an error. Python's strict gbk codec, which the big5_as_gbk row garbles
    # with, refuses them, and with them nine in ten of Taiwan's strings; its gb18030 codec
    # reads every two-byte pair as encoding_rs does.
    readings = [(label, sources[0], orig, misread) for _, label, sources, orig, misread in WINDOWS]
    readings.append(("big5_as_gbk, a browser's reading", "zh_hant", "big5", lambda b: b.decode("gb18030")))
    for label, src, orig, misread in readings:
        for size in (1, DOC_LINES):
            row = f"{label} ({'string' if size == 1 else 'document'})"
            rng = row_rng(row)
            taken = 0
            for t in texts(src, size, rng):
                if taken == args.samples:
                    break
                try:
                    g = misread(t.encode(orig))
                except (UnicodeDecodeError, UnicodeEncodeError):
                    continue
                if g != t:
                    cases.append((row, t, g))
                    taken += 1

    with tempfile.TemporaryDirectory() as tmp:
        src_dir, out_dir = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        os.makedirs(src_dir)
        for i, (_, _, g) in enumerate(cases):
            with open(os.path.join(src_dir, f"{i}.txt"), "w", encoding="utf-8") as f:
                f.write(g)
        run = subprocess.run([args.bin, "--keep-pinyin", "-o", out_dir, src_dir],
                             capture_output=True, text=True)
        if run.returncode not in (0, 1):
            print(run.stderr, file=sys.stderr)
            return 2
        rows = {}
        for i, (label, t, g) in enumerate(cases):
            path = os.path.join(out_dir, f"{i}.txt")
            out = open(path, encoding="utf-8").read() if os.path.exists(path) else g
            r = rows.setdefault(label, [0, 0, 0, 0, 0, 0])
            r[0] += 1
            r[1] += out == t
            r[2] += out == g
            if out != t:
                r[3] += levenshtein(out, t)
                if r[0] - r[1] <= args.show:
                    print(f"[{label}]\n  original: {t!r}\n  garbled:  {g!r}\n  output:   {out!r}")
            r[4] += len(t)
            if fix_encoding is not None:
                r[5] += fix_encoding(g) == t
    print(f"{'channel':34} {'samples':>7} {'exact':>7} {'unchanged':>9} {'CER':>7}"
          + ("  ftfy exact" if fix_encoding else ""))
    for label, (n, exact, same, dist, chars, ft) in rows.items():
        line = f"{label:34} {n:7} {100 * exact / n:6.1f}% {same:9} {100 * dist / chars:6.2f}%"
        if fix_encoding:
            line += f"  {100 * ft / n:9.1f}%"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
