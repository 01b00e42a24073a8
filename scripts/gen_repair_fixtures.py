#!/usr/bin/env python3
"""Regenerates fixtures/repair/generated.toml: real sentences (fixtures/text/*.txt) garbled
through each mojibake channel the way a WHATWG decoder (a browser, encoding_rs) garbles
them. Each case records the channel it went through; the test runner checks that repair
gives the sentence back and names that channel. Run: python3 scripts/gen_repair_fixtures.py
"""
import codecs, os, re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def whatwg_1252(b):
    # windows-1252 as WHATWG decodes it: the five undefined bytes become C1 controls.
    return "".join(bytes([x]).decode("cp1252", errors="ignore") or chr(x) for x in b)


def whatwg_gbk(b):
    # Python's gbk lacks WHATWG's single-byte 0x80 (the euro sign) and the user-defined rows
    # that WHATWG's gb18030 index reads as Private Use characters: such cases raise and are
    # skipped rather than garbled differently from a browser (scripts/heldout_eval.py has a
    # row of Big5 read so, through Python's gb18030 codec).
    return b.decode("gbk", errors="strict")


# Windows' code page 950 reads the Big5 rows it leaves to users (EUDC) as Private Use
# characters, in order, where a browser's Big5-HKSCS has characters: (first code point,
# first lead, last lead, codes of the first lead's row before the range). Checked against
# ICU's windows-950 (uconv) on every two-byte code.
CP950_EUDC = [(0xE000, 0xFA, 0xFE, 0), (0xE311, 0x8E, 0xA0, 0), (0xEEB8, 0x81, 0x8D, 0),
              (0xF6B1, 0xC6, 0xC8, 63)]


def windows_950(b):
    """Bytes as Windows reads Big5: Python's cp950, but EUDC as Private Use characters."""
    out, i = [], 0
    while i < len(b):
        x = b[i]
        if x < 0x80:
            out.append(chr(x))
            i += 1
            continue
        y = b[i + 1] if i + 1 < len(b) else 0
        if not (0x81 <= x <= 0xFE and (0x40 <= y <= 0x7E or 0xA1 <= y <= 0xFE)):
            raise UnicodeDecodeError("cp950", bytes(b), i, i + 1, "not a Big5 pair")
        at = y - 0x40 if y <= 0x7E else 63 + y - 0xA1
        for base, lo, hi, skip in CP950_EUDC:
            if lo <= x <= hi and (x - lo) * 157 + at >= skip:
                out.append(chr(base + (x - lo) * 157 + at - skip))
                break
        else:
            out.append(bytes([x, y]).decode("cp950"))  # raises where Windows has nothing
        i += 2
    return "".join(out)


def sentences(name):
    text = open(os.path.join(ROOT, "text", name + ".txt"), encoding="utf-8").read()
    out = []
    for line in text.splitlines():
        for s in re.split(r"(?<=[。.!?])\s*", line):
            if len(s) >= 6:
                out.append(s)
            # Clauses too: a whole sentence is often not a lossless garble, a clause may be.
            out += [c for c in re.split(r"(?<=[，、；,])", s) if len(c) >= 4 and c != s]
    return out


def toml_str(s):
    return '"' + "".join(
        c if c.isprintable() and c not in '"\\' else ("\\\\" if c == "\\" else '\\"' if c == '"' else f"\\u{ord(c):04X}" if ord(c) < 0x10000 else f"\\U{ord(c):08X}")
        for c in s) + '"'


CHANNELS = [
    # (name, sources, original codec, misread as)
    ("utf8_as_cp1252", ["west", "central", "zh_hans", "ja", "ru"], "utf-8", whatwg_1252),
    ("utf8_as_gbk", ["zh_hans", "zh_hant", "ja"], "utf-8", whatwg_gbk),
    ("gbk_as_cp1252", ["zh_hans"], "gbk", whatwg_1252),
    ("big5_as_cp1252", ["zh_hant"], "big5", whatwg_1252),
    ("sjis_as_cp1252", ["ja"], "shift_jis", whatwg_1252),
    ("euckr_as_cp1252", ["ko"], "euc_kr", whatwg_1252),
    ("utf8_as_cp1251", ["ru", "west"], "utf-8", lambda b: b.decode("cp1251")),
    # WHATWG's Big5 is Big5-HKSCS; Python's big5 decodes rows C6-C8 otherwise.
    ("gbk_as_big5", ["zh_hans"], "gbk", lambda b: b.decode("big5hkscs")),
    ("big5_as_gbk", ["zh_hant"], "big5", whatwg_gbk),
    ("sjis_as_gbk", ["ja"], "shift_jis", whatwg_gbk),
    ("euckr_as_gbk", ["ko"], "euc_kr", whatwg_gbk),
    ("cp1251_as_cp1252", ["ru", "uk"], "cp1251", whatwg_1252),
    ("koi8r_as_cp1252", ["ru"], "koi8_r", whatwg_1252),
    ("cp1253_as_cp1252", ["el"], "cp1253", whatwg_1252),
    ("cp1255_as_cp1252", ["he"], "cp1255", whatwg_1252),
    ("cp1256_as_cp1252", ["ar"], "cp1256", whatwg_1252),
]


# GBK read by Windows (code page 950) rather than a browser: the cases whose text differs
# from a browser's reading (GBK's rows C6-C8, 人 前 请…, become Private Use characters).
# (fix name, case name, sources, original codec, misread as)
WINDOWS = [("gbk_as_big5", "gbk_as_cp950", ["zh_hans"], "gbk", windows_950)]

SEEDS = ["000_bb97d4d45944454e", "003_7963ed26b60f730d"]

# Cases the engine gets wrong, kept, marked, with the reason.
KNOWN = {
}


def _or_none(misread, b):
    """`misread(b)`, or None where it cannot read `b` (or there is no `misread`)."""
    try:
        return misread(b)
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None


def main():
    lines = ["# GENERATED — do not edit. Regenerate: python3 scripts/gen_repair_fixtures.py",
             "# Real sentences (fixtures/text) garbled through one channel each, as a WHATWG decoder would.", ""]
    browser = {name: misread for name, _, _, misread in CHANNELS}
    cases = [(name, name, sources, orig, misread) for name, sources, orig, misread in CHANNELS]
    for name, label, sources, orig, misread in cases + WINDOWS:
        # A Windows reading is a case of its own only where it differs from a browser's.
        def other(b, name=name, label=label):
            return browser[name](b) if label != name else None
        for src in sources:
            for i, s in enumerate(sentences(src)):
                try:
                    garbled = misread(s.encode(orig))
                except (UnicodeDecodeError, UnicodeEncodeError):
                    continue  # not lossless through this channel: lossy cases live elsewhere
                if garbled == s or garbled == _or_none(other, s.encode(orig)):
                    continue
                lines += ["[[case]]", f'name = "{label}-{src}-{i}"',
                          f'comment = "fixtures/text/{src}.txt sentence {i}, {orig} bytes read as {label.split("_as_")[1]}"',
                          f"input = {toml_str(garbled)}", f"expected = {toml_str(s)}", f'fixes = ["{name}"]']
                case = f"{label}-{src}-{i}"
                if case in KNOWN:
                    lines += ['expect = "known-failure"', f"# {KNOWN[case]}"]
                lines.append("")
            # The whole text as one document: what the document's channel adds (short runs
            # whose own evidence is thin, repaired because the rest of the page says how).
            whole = open(os.path.join(ROOT, "text", src + ".txt"), encoding="utf-8").read()
            try:
                garbled = misread(whole.encode(orig))
            except (UnicodeDecodeError, UnicodeEncodeError):
                continue
            if garbled == _or_none(other, whole.encode(orig)):
                continue
            case = f"{label}-{src}-document"
            lines += ["[[case]]", f'name = "{case}"',
                      f'comment = "fixtures/text/{src}.txt whole, {orig} bytes read as {label.split("_as_")[1]}"',
                      f"input = {toml_str(garbled)}", f"expected = {toml_str(whole)}", f'fixes = ["{name}"]']
            if case in KNOWN:
                lines += ['expect = "known-failure"', f"# {KNOWN[case]}"]
            lines.append("")
    # The clean seed pages (Simplified Chinese), every line the original encoding can hold,
    # as whole documents through each channel that garbles Simplified Chinese: long runs of
    # real prose, where chance makes other readings look plausible here and there. (Read
    # by Windows too: dates' `日` and a line's first `若` stand alone there, as Private Use
    # characters only the page's channel explains.)
    for name, label, sources, orig, misread in cases + WINDOWS:
        if "zh_hans" not in sources:
            continue
        for seed in SEEDS:
            text = open(os.path.join(ROOT, "seeds", seed + ".txt"), encoding="utf-8").read()
            kept, garbled = [], []
            for line in text.splitlines(keepends=True):
                try:
                    g = misread(line.encode(orig))
                except (UnicodeDecodeError, UnicodeEncodeError):
                    continue
                kept.append(line)
                garbled.append(g)
            case = f"{label}-seed{seed[:3]}"
            lines += ["[[case]]", f'name = "{case}"',
                      f'comment = "fixtures/seeds/{seed}.txt, the {len(kept)} lines {orig} can encode, read as {label.split("_as_")[1]}"',
                      f"input = {toml_str(''.join(garbled))}", f"expected = {toml_str(''.join(kept))}",
                      f'fixes = ["{name}"]']
            if case in KNOWN:
                lines += ['expect = "known-failure"', f"# {KNOWN[case]}"]
            lines.append("")
            if seed != SEEDS[-1]:
                continue
            # The same garbled lines between two copies of a clean page: the document's
            # channel repairs the garbled part, and the clean text around it stays as it is.
            clean = open(os.path.join(ROOT, "seeds", SEEDS[0] + ".txt"), encoding="utf-8").read()
            clean = "\n" + clean.strip("\n") + "\n"
            case = f"{label}-seed{seed[:3]}-inside-clean-seed{SEEDS[0][:3]}"
            lines += ["[[case]]", f'name = "{case}"',
                      f'comment = "fixtures/seeds/{seed}.txt garbled as in {label}-seed{seed[:3]}, between two clean copies of fixtures/seeds/{SEEDS[0]}.txt"',
                      f"input = {toml_str(clean + ''.join(garbled) + clean)}",
                      f"expected = {toml_str(clean + ''.join(kept) + clean)}", f'fixes = ["{name}"]', ""]
    os.makedirs(os.path.join(ROOT, "repair"), exist_ok=True)
    with open(os.path.join(ROOT, "repair", "generated.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
