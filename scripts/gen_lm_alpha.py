#!/usr/bin/env python3
"""Regenerates data/lm_alpha/ (letter pairs and short common words of the Cyrillic, Greek,
Hebrew and Arabic alphabets) from wordfreq's word lists.

Source: the `wordfreq` 3.1.1 wheel on PyPI, files wordfreq/data/small_LANG.msgpack.gz for
Russian, Ukrainian, Bulgarian and Macedonian (Cyrillic), Greek, Hebrew and Arabic: about 30,000
words each in frequency bins of one centibel. Its data is licensed CC BY-SA 4.0, and so are
the files this script writes (data/lm_alpha/LICENSE).

A word in bin k has frequency 10^(-k/100). A pair's count is the sum, over the words it
occurs in, of their frequencies (scaled by SCALE and rounded), each language's list
weighing the same; `^` stands before a word's first letter and `$` after its last. Only
words written wholly in the letters of one of the four alphabets are counted, lower-cased
(wordfreq's lists are case-folded: Greek's final sigma is written σ there, and the model
reads `ς` as `σ`).
The model uses the pairs to tell which alphabet a single-byte text read as windows-1252
was written in (`ùìåí` is windows-1255's `שלום` and windows-1251's `щмем`).

alpha_words.txt holds the words of at most MAX_WORD_LETTERS letters with a frequency of at
least 10^(MIN_ZIPF - 9) in some list, each with its Zipf frequency in hundredths (the
highest of the lists it is in): letter pairs say little about a short word, and Hebrew,
written without vowels, is made of short words (`îñîê` is windows-1255's `מסמך`,
"document", and windows-1251's `осок`, which pairs like about as well). A Greek word is also
kept without its accents, as capitals write it.

Usage: python3 scripts/gen_lm_alpha.py [DIR]   (DIR holding the small_LANG.msgpack.gz files)
With no argument it runs `pip download wordfreq==3.1.1` into a temporary directory.
"""
import collections, gzip, os, subprocess, sys, tempfile, unicodedata, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_lm_ko import SCALE, VERSION, unpack, write_counts  # noqa: E402

LANGS = ["ru", "uk", "bg", "mk", "el", "he", "ar"]
# Pairs rarer than this (of SCALE) are left out: misspellings and loan words.
MIN_COUNT = 2000
# The words kept whole: at most this many letters, at least this Zipf frequency (3.5: about
# three in a million words).
MAX_WORD_LETTERS = 6
MIN_ZIPF = 3.5
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "lm_alpha")
HEADER = (f"# GENERATED — do not edit. Source: PyPI wordfreq=={VERSION} "
          f"wordfreq/data/small_{{{','.join(LANGS)}}}.msgpack.gz (CC BY-SA 4.0).\n"
          "# Regenerate: python3 scripts/gen_lm_alpha.py\n")


def alphabet(c):
    """0 for a letter of none of the four alphabets, else 1 Greek, 2 Cyrillic, 3 Hebrew, 4 Arabic."""
    o = ord(c)
    if 0x370 <= o <= 0x3FF and c.isalpha():
        return 1
    if 0x400 <= o <= 0x4FF and c.isalpha():
        return 2
    if 0x5D0 <= o <= 0x5EA:
        return 3
    if 0x621 <= o <= 0x64A:
        return 4
    return 0


def unaccented(word):
    """`word` without its accents and diaereses."""
    return unicodedata.normalize("NFC", "".join(
        c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)))


def lists(directory):
    if directory:
        for lang in LANGS:
            yield lang, gzip.open(os.path.join(directory, f"small_{lang}.msgpack.gz")).read()
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", f"wordfreq=={VERSION}",
                        "-d", tmp], check=True, stdout=subprocess.DEVNULL)
        wheel = os.path.join(tmp, f"wordfreq-{VERSION}-py3-none-any.whl")
        with zipfile.ZipFile(wheel) as z:
            for lang in LANGS:
                yield lang, gzip.decompress(z.read(f"wordfreq/data/small_{lang}.msgpack.gz"))


def main():
    pairs = collections.Counter()
    common = {}
    for lang, data in lists(sys.argv[1] if len(sys.argv) > 1 else None):
        bins, _ = unpack(data)
        header, bins = bins[0], bins[1:]
        assert header.get("format") == "cB", header
        for k, words in enumerate(bins):
            freq = 10 ** (-k / 100)
            for word in words:
                word = word.lower()
                scripts = {alphabet(c) for c in word}
                if len(scripts) != 1 or 0 in scripts:
                    continue
                padded = "^" + word + "$"
                for a, b in zip(padded, padded[1:]):
                    pairs[a + b] += freq
                zipf = 900 - k
                if len(word) <= MAX_WORD_LETTERS and zipf >= MIN_ZIPF * 100:
                    common[word] = max(common.get(word, 0), zipf)
    # Greek written in capitals drops its accents (`ΑΡΧΕΙΟ` is `αρχείο`): each Greek word
    # is also kept without them, where that is no other word.
    for word, zipf in list(common.items()):
        if alphabet(word[0]) == 1:
            bare = unaccented(word)
            if bare != word and bare not in common:
                common[bare] = zipf
    kept = collections.Counter({p: n for p, n in pairs.items() if n * SCALE >= MIN_COUNT})
    write_counts(os.path.join(OUT, "alpha_pairs.txt"), HEADER, kept)
    with open(os.path.join(OUT, "alpha_words.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER.replace("# Regenerate", "# Zipf frequency x 100 (9 + log10 of the "
                               "frequency), the highest of the lists.\n# Regenerate"))
        for word, zipf in sorted(common.items(), key=lambda kv: (-kv[1], kv[0])):
            f.write(f"{word}\t{zipf}\n")


if __name__ == "__main__":
    main()
