#!/usr/bin/env python3
"""Clean-text check on a real corpus we do not ship: the localized manual pages and the
translated message catalogs installed on this machine (/usr/share/man/<lang>,
/usr/share/locale/<lang>/LC_MESSAGES/*.mo; GPL/GFDL and the like, read at test time, never
committed).

Every page is decompressed (every catalog's translations written one per line) into a
temporary directory and run through `mojifix --json`
(repair on, pinyin removal off: roff has no pinyin). A change is allowed only on a page
with real mojibake in Debian, by the fix listed for it below; anything else is a false
positive and the script exits 1, printing it. Without localized
pages it says so and exits 0.

Usage: scripts/clean_corpus.py [--bin PATH] [--per-language N]
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

# Pages and catalogs (by name, any language) with real mojibake in Debian, and the fixes
# allowed there.
KNOWN = {
    # procps: an em dash and an apostrophe, UTF-8 read as Latin-1 (de, fr, sv, uk); in uk
    # pslog.1 the rest of a ’ whose first byte became roff's \(cq (C1 controls).
    "man1_ps.1": {"utf8_as_cp1252"},
    "man1_pslog.1": {"utf8_as_cp1252", "c1_as_cp1252"},
    # fakeroot (es): every accented letter, UTF-8 read as Latin-1.
    "man1_faked.1": {"utf8_as_cp1252"},
    "man1_faked-sysv.1": {"utf8_as_cp1252"},
    "man1_faked-tcp.1": {"utf8_as_cp1252"},
    "man1_fakeroot.1": {"utf8_as_cp1252"},
    "man1_fakeroot-sysv.1": {"utf8_as_cp1252"},
    "man1_fakeroot-tcp.1": {"utf8_as_cp1252"},
    # iptables (zh_CN, zh_TW): a GBK passage with a lost byte, re-aligned.
    "man8_iptables.8": {"gbk_misaligned"},
    # glob (zh_CN, zh_TW): `[aáàäâ]` as Latin-1 read as GBK (`[a徉溻]`); no channel reads
    # Latin-1 as GBK. The EUC-KR one made `蓀壓` of it, wrongly; that reading is Hanja only,
    # no longer taken outside a Korean document, and the page now comes out as it went in.
    "man7_glob.7": {"euckr_as_gbk"},
    # perltw (zh_CN, zh_TW): `彖帢` is an example of what a byte-wise match finds, written
    # on purpose; the Big5 reading of it is a Greek pair. Recorded likewise.
    "man7_perltw.7": {"utf8_as_big5"},
    # python-apt's Dutch catalog: `geÃ¯nstalleerd`, UTF-8 `ï` read as Latin-1.
    "mo_python-apt.txt": {"utf8_as_cp1252"},
}

def mo_strings(data):
    """The translations (msgstr) of a GNU .mo catalog, plural forms split, header skipped."""
    magic = int.from_bytes(data[:4], "little")
    order = "little" if magic == 0x950412DE else "big"
    word = lambda at: int.from_bytes(data[at:at + 4], order)
    count, table = word(8), word(16)
    out = []
    for k in range(count):
        length, offset = word(table + 8 * k), word(table + 8 * k + 4)
        if length and word(word(12) + 8 * k) > 0:  # an empty msgid is the header
            out += data[offset:offset + length].split(b"\0")
    return b"\n".join(out) + b"\n"


LANGS = "cs da de es fi fr hr hu id it ja ko nl pl pt pt_BR ro ru sl sr sv tr uk zh_CN zh_TW"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/mojifix")
    ap.add_argument("--per-language", type=int, default=0, help="pages per language (0: all)")
    args = ap.parse_args()
    langs = [l for l in LANGS.split() if os.path.isdir(f"/usr/share/man/{l}")]
    if not langs:
        print("clean_corpus: skipped (no localized manual pages installed)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        pages = catalogs = 0
        for lang in langs:
            found = []
            for root, _, files in os.walk(f"/usr/share/man/{lang}"):
                found += [os.path.join(root, f) for f in sorted(files) if f.endswith(".gz")]
            if args.per_language:
                found = found[: args.per_language]
            os.makedirs(os.path.join(tmp, lang))
            for path in found:
                try:
                    data = gzip.open(path).read()
                    data.decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue  # not UTF-8 (or not gzip): not clean text to test on
                name = os.path.relpath(path, "/usr/share/man").replace("/", "_")
                with open(os.path.join(tmp, lang, name[:-3]), "wb") as f:
                    f.write(data)
                pages += 1
            mo_dir = f"/usr/share/locale/{lang}/LC_MESSAGES"
            mo = sorted(f for f in os.listdir(mo_dir) if f.endswith(".mo")) if os.path.isdir(mo_dir) else []
            if args.per_language:
                mo = mo[: args.per_language]
            for f in mo:
                try:
                    data = mo_strings(open(os.path.join(mo_dir, f), "rb").read())
                    data.decode("utf-8")
                except (OSError, UnicodeDecodeError, IndexError):
                    continue
                with open(os.path.join(tmp, lang, f"mo_{f[:-3]}.txt"), "wb") as out_file:
                    out_file.write(data)
                catalogs += 1
        out = subprocess.run(
            [args.bin, "--json", "--keep-pinyin", tmp], capture_output=True, text=True
        )
        changed, unexpected = 0, []
        for line in out.stdout.splitlines():
            rec = json.loads(line)
            repairs = [s for s in rec["steps"] if s["step"] == "repaired"]
            changed += bool(repairs)
            page = re.search(r"(man[0-9][^_]*_.*|mo_.*)$", os.path.basename(rec["path"])).group(1)
            for s in repairs:
                if s["fix"] not in KNOWN.get(page, set()):
                    key = (s["fix"], s["before"], s["after"])
                    unexpected.append(f"{os.path.relpath(rec['path'], tmp)}: {key!r}")
        print(
            f"clean_corpus: {pages} pages and {catalogs} message catalogs in {len(langs)} "
            f"languages, {changed} changed, "
            f"{len(unexpected)} unexpected change(s)"
        )
        for u in unexpected:
            print("  " + u)
        return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
