#!/usr/bin/env python3
"""Regenerates data/lm/ (the Chinese character language model) from jieba's word list.

Source: the `jieba` 0.42.1 source distribution on PyPI (MIT licence), file jieba/dict.txt:
349,046 words with frequencies. A character's count is the sum of the frequencies of the
words it occurs in; a bigram's count is the sum over adjacent character pairs inside words;
a character's initial count is the sum of the frequencies of the words it begins (how
often it starts a word, as a run of Chinese after punctuation or a Latin word does).
Bigrams seen with a total count below MIN_BIGRAM are dropped to keep the table small.
zh_words.txt keeps the words themselves (up to MAX_WORD_CHARS characters, counted at least
MIN_WORD times) and the dictionary's total count: the word model that chooses a character a
misalignment left to guess.

Usage: python3 scripts/gen_lm.py [path/to/dict.txt]
With no argument it runs `pip download jieba==0.42.1` into a temporary directory.
"""
import collections, io, os, subprocess, sys, tarfile, tempfile

MIN_BIGRAM = 10  # pairs rarer than this add little evidence and most of the size
MIN_WORD = 20  # 78,522 words of up to 4 characters are counted this often; the rest are mostly rare names and idioms
MAX_WORD_CHARS = 4  # src/model.rs segments with words up to this long
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "lm")
HEADER = "# GENERATED — do not edit. Source: PyPI jieba==0.42.1 jieba/dict.txt (MIT).\n# Regenerate: python3 scripts/gen_lm.py\n"


def read_dict(path):
    if path:
        return open(path, encoding="utf-8").read()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "jieba==0.42.1", "-d", tmp], check=True, stdout=subprocess.DEVNULL)
        with tarfile.open(os.path.join(tmp, "jieba-0.42.1.tar.gz")) as tar:
            return tar.extractfile("jieba-0.42.1/jieba/dict.txt").read().decode("utf-8")


def main():
    text = read_dict(sys.argv[1] if len(sys.argv) > 1 else None)
    uni = collections.Counter()
    bi = collections.Counter()
    initial = collections.Counter()
    words = {}
    total = 0
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) < 2:
            continue
        word, freq = parts[0], int(parts[1])
        if freq <= 0:
            continue
        total += freq
        if freq >= MIN_WORD and len(word) <= MAX_WORD_CHARS and not any(c.isspace() for c in word):
            words[word] = words.get(word, 0) + freq
        for ch in word:
            uni[ch] += freq
        initial[word[0]] += freq
        for a, b in zip(word, word[1:]):
            bi[a + b] += freq
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "zh_chars.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        for ch, n in sorted(uni.items(), key=lambda kv: (-kv[1], kv[0])):
            if ch.isspace():
                continue
            f.write(f"{ch}\t{n}\n")
    with open(os.path.join(OUT, "zh_initials.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        for ch, n in sorted(initial.items(), key=lambda kv: (-kv[1], kv[0])):
            if not ch.isspace():
                f.write(f"{ch}\t{n}\n")
    with open(os.path.join(OUT, "zh_bigrams.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        for pair, n in sorted(bi.items(), key=lambda kv: (-kv[1], kv[0])):
            if n >= MIN_BIGRAM and not any(c.isspace() for c in pair):
                f.write(f"{pair}\t{n}\n")
    with open(os.path.join(OUT, "zh_words.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        f.write(f"# total {total}\n")
        for word, n in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])):
            f.write(f"{word}\t{n}\n")


if __name__ == "__main__":
    main()
