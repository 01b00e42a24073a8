#!/usr/bin/env python3
"""Regenerates fixtures/bytes/: real text (fixtures/text/*.txt, UTF-8) written in each legacy
encoding. fixtures/bytes/<encoding>/<text>.in holds the encoded bytes, <text>.expected the
UTF-8 text mojifix must produce from them. Run: python3 scripts/gen_byte_fixtures.py
"""
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
# encoding label (as mojifix names it) -> (python codec, texts, prefix bytes)
PLAN = {
    "gbk": ("gbk", ["zh_hans"], b""),
    "gb18030": ("gb18030", ["zh_hans", "zh_hant"], b""),
    "big5": ("big5", ["zh_hant"], b""),
    "shift_jis": ("shift_jis", ["ja"], b""),
    "euc-jp": ("euc_jp", ["ja"], b""),
    "euc-kr": ("euc_kr", ["ko"], b""),
    "windows-1251": ("cp1251", ["ru"], b""),
    "koi8-r": ("koi8_r", ["ru"], b""),
    "windows-1252": ("cp1252", ["west"], b""),
    "iso-8859-2": ("iso8859_2", ["central"], b""),
    "utf-16le-bom": ("utf-16-le", ["zh_hans", "west", "ja"], b"\xff\xfe"),
    "utf-16be-bom": ("utf-16-be", ["zh_hant", "ru", "ko"], b"\xfe\xff"),
    "utf-8-bom": ("utf-8", ["zh_hans", "central"], b"\xef\xbb\xbf"),
}

for enc, (codec, texts, prefix) in PLAN.items():
    d = os.path.join(ROOT, "bytes", enc)
    os.makedirs(d, exist_ok=True)
    for t in texts:
        with open(os.path.join(ROOT, "text", t + ".txt"), encoding="utf-8") as f:
            text = f.read()
        with open(os.path.join(d, t + ".in"), "wb") as f:
            f.write(prefix + text.encode(codec))
        expected = text.encode("utf-8")
        if enc == "utf-8-bom":
            expected = prefix + expected  # a UTF-8 BOM is kept by default
        with open(os.path.join(d, t + ".expected"), "wb") as f:
            f.write(expected)
