#!/usr/bin/env python3
"""Regenerates data/lm_ja/ja_kana.txt (how often Japanese uses each kana) from wordfreq.

Source: the `wordfreq` 3.1.1 wheel on PyPI, file wordfreq/data/small_ja.msgpack.gz: about
30,000 Japanese tokens in frequency bins of one centibel. Its data is licensed CC BY-SA 4.0,
and so is the file this script writes (data/lm_ja/LICENSE).

A token in bin k has frequency 10^(-k/100); a kana's count is the sum, over the tokens it
occurs in, of their frequencies (scaled as gen_lm_ko.py scales them, and rounded). Every
character of the block U+3040-U+30FF is listed, those no token holds with a count of 0.
The repair scan reads it to tell the kana Japanese writes from those a decoding accident
makes (GBK's reading of Big5 is a third kana, 18 % of it kana Japanese hardly uses).

Usage: python3 scripts/gen_kana_ja.py [path/to/small_ja.msgpack.gz]
With no argument it runs `pip download wordfreq==3.1.1` into a temporary directory.
"""
import collections, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_lm_ko import VERSION, read_list, unpack, write_counts  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "lm_ja")
HEADER = (f"# GENERATED — do not edit. Source: PyPI wordfreq=={VERSION} "
          "wordfreq/data/small_ja.msgpack.gz (CC BY-SA 4.0).\n"
          "# Regenerate: python3 scripts/gen_kana_ja.py\n")


def main():
    bins, _ = unpack(read_list(sys.argv[1] if len(sys.argv) > 1 else None, "small_ja"))
    header, bins = bins[0], bins[1:]
    assert header.get("format") == "cB", header
    kana = collections.Counter({chr(c): 0.0 for c in range(0x3040, 0x3100)})
    for k, words in enumerate(bins):
        freq = 10 ** (-k / 100)
        for word in words:
            for ch in word:
                if ch in kana:
                    kana[ch] += freq
    write_counts(os.path.join(OUT, "ja_kana.txt"), HEADER, kana)


if __name__ == "__main__":
    main()
