#!/usr/bin/env python3
"""Regenerates data/lm_ko/ (the Korean syllable language model) from wordfreq's Korean list.

Source: the `wordfreq` 3.1.1 wheel on PyPI, file wordfreq/data/small_ko.msgpack.gz: about
30,000 Korean tokens (wordfreq splits words into morphemes: stems, endings and particles)
in frequency bins of one centibel. Its data is licensed CC BY-SA 4.0, and so are the files
this script writes (data/lm_ko/LICENSE).

A token in bin k has frequency 10^(-k/100). A syllable's count is the sum, over the tokens
it occurs in, of their frequencies (scaled by SCALE and rounded); a bigram's count is the
same sum over adjacent syllable pairs inside tokens. Only Hangul syllables (U+AC00-U+D7A3)
are counted: the model scores the other characters of Korean text by other means.

Usage: python3 scripts/gen_lm_ko.py [path/to/small_ko.msgpack.gz]
With no argument it runs `pip download wordfreq==3.1.1` into a temporary directory.
"""
import collections, gzip, os, subprocess, sys, tempfile, zipfile

VERSION = "3.1.1"
SCALE = 1e9  # frequencies are fractions of all tokens; counts are integers
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "lm_ko")
HEADER = (f"# GENERATED — do not edit. Source: PyPI wordfreq=={VERSION} "
          "wordfreq/data/small_ko.msgpack.gz (CC BY-SA 4.0).\n"
          "# Regenerate: python3 scripts/gen_lm_ko.py\n")


def unpack(buf, i=0):
    """The subset of MessagePack wordfreq's files use: maps, arrays, strings, integers."""
    b = buf[i]
    if b <= 0x7F:
        return b, i + 1
    if 0x80 <= b <= 0x8F or b in (0xDE, 0xDF):
        n, i = (b & 0x0F, i + 1) if b <= 0x8F else _length(buf, i, b == 0xDF)
        out = {}
        for _ in range(n):
            k, i = unpack(buf, i)
            out[k], i = unpack(buf, i)
        return out, i
    if 0x90 <= b <= 0x9F or b in (0xDC, 0xDD):
        n, i = (b & 0x0F, i + 1) if b <= 0x9F else _length(buf, i, b == 0xDD)
        out = []
        for _ in range(n):
            v, i = unpack(buf, i)
            out.append(v)
        return out, i
    if 0xA0 <= b <= 0xBF or b in (0xD9, 0xDA, 0xDB):
        if b <= 0xBF:
            n, i = b & 0x1F, i + 1
        else:
            width = {0xD9: 1, 0xDA: 2, 0xDB: 4}[b]
            n = int.from_bytes(buf[i + 1:i + 1 + width], "big")
            i += 1 + width
        return buf[i:i + n].decode("utf-8"), i + n
    if b in (0xCC, 0xCD, 0xCE):
        width = {0xCC: 1, 0xCD: 2, 0xCE: 4}[b]
        return int.from_bytes(buf[i + 1:i + 1 + width], "big"), i + 1 + width
    raise ValueError(f"unexpected MessagePack byte 0x{b:02X} at {i}")


def _length(buf, i, wide):
    width = 4 if wide else 2
    return int.from_bytes(buf[i + 1:i + 1 + width], "big"), i + 1 + width


def read_list(path, name="small_ko"):
    """wordfreq's list `name` from `path`, or from the wheel on PyPI when `path` is None."""
    if path:
        return gzip.open(path).read()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", f"wordfreq=={VERSION}",
                        "-d", tmp], check=True, stdout=subprocess.DEVNULL)
        wheel = os.path.join(tmp, f"wordfreq-{VERSION}-py3-none-any.whl")
        with zipfile.ZipFile(wheel) as z:
            return gzip.decompress(z.read(f"wordfreq/data/{name}.msgpack.gz"))


def is_syllable(c):
    return 0xAC00 <= ord(c) <= 0xD7A3


def main():
    bins, _ = unpack(read_list(sys.argv[1] if len(sys.argv) > 1 else None))
    header, bins = bins[0], bins[1:]
    assert header.get("format") == "cB", header
    uni = collections.Counter()
    bi = collections.Counter()
    for k, words in enumerate(bins):
        freq = 10 ** (-k / 100)
        for word in words:
            for ch in word:
                if is_syllable(ch):
                    uni[ch] += freq
            for a, b in zip(word, word[1:]):
                if is_syllable(a) and is_syllable(b):
                    bi[a + b] += freq
    write_counts(os.path.join(OUT, "ko_syllables.txt"), HEADER, uni)
    write_counts(os.path.join(OUT, "ko_bigrams.txt"), HEADER, bi)


def write_counts(path, header, counts):
    """`key<TAB>count` lines under `header`, commonest first, frequencies scaled by SCALE."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            f.write(f"{key}\t{round(n * SCALE)}\n")


if __name__ == "__main__":
    main()
