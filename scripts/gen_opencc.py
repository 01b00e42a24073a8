#!/usr/bin/env python3
"""Regenerates data/opencc/ from the OpenCC 1.4.2 source distribution on PyPI (Apache-2.0).

Copies OpenCC's raw dictionaries (data/dictionary/*.txt), its config files
(data/config/*.json), its LICENSE and its test cases (test/testcases/testcases.json), then
builds the five generated dictionaries the way OpenCC's data/CMakeLists.txt does:
  TSCharactersExt            extract_tofu_risk.py TSCharacters.txt  (OpenCC's own script)
  TWVariantsRev, HKVariantsRev, JPShinjitaiCharactersRev   reverse.py (OpenCC's own script)
  STPhrases_GeneratedFromRegionalPhrases   keys of HKPhrases + TWPhrases converted with t2s;
      OpenCC runs its own binary for this step, we run the `opencc==1.4.2` Python package
      (pip install opencc==1.4.2), which is the same library.
Every file written gets a first line saying it is generated.

Usage: python3 scripts/gen_opencc.py [opencc-1.4.2.tar.gz]
"""
import os, shutil, subprocess, sys, tarfile, tempfile
from collections import defaultdict

VERSION = "1.4.2"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "data", "opencc")
RAW = ["CJK_Compatibility_Ideographs", "STCharacters", "STPhrases", "TSCharacters", "TSPhrases",
       "TWPhrases", "TWPhrasesRev", "TWVariantsPhrases", "TWVariants", "TWVariantsRevPhrases",
       "HKVariantsPhrases", "HKVariants", "HKVariantsRevPhrases", "HKPhrases", "HKPhrasesRev",
       "JPShinjitaiCharacters", "JPShinjitaiPhrases"]
MARK = f"# GENERATED — do not edit. Source: PyPI opencc=={VERSION} sdist. Regenerate: python3 scripts/gen_opencc.py\n"


def fetch(tmp):
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", "opencc",
                    f"opencc=={VERSION}", "-d", tmp], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(tmp, f"opencc-{VERSION}.tar.gz")


def write_marked(src, dst):
    with open(src, encoding="utf-8") as f:
        body = f.read()
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        f.write(MARK + body)


def entries(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            key, value = line.rstrip("\r\n").split("\t", 1)
            yield key, value.split(" ")


def regional_phrases(src_dict, dst):
    import opencc  # the reference implementation, same version
    if getattr(opencc, "__version__", VERSION) != VERSION:
        sys.exit(f"need opencc=={VERSION} (pip install opencc=={VERSION})")
    t2s = opencc.OpenCC("t2s.json", include_tofu_risk_dictionaries=True)
    collisions = defaultdict(list)
    for name in ("HKPhrases", "TWPhrases"):
        for key, _ in entries(os.path.join(src_dict, name + ".txt")):
            conv = t2s.convert(key)
            if len(conv) >= 3:
                collisions[conv].append(key)
    conflicts = {k: v for k, v in collisions.items() if len(set(v)) > 1}
    if conflicts:
        sys.exit(f"conflicting regional phrase projections: {sorted(conflicts)[:5]}")
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        f.write(MARK)
        for key in sorted(collisions):
            f.write(f"{key}\t{collisions[key][0]}\n")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        archive = sys.argv[1] if len(sys.argv) > 1 else fetch(tmp)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        src = os.path.join(tmp, f"opencc-{VERSION}")
        src_dict = os.path.join(src, "data", "dictionary")
        scripts = os.path.join(src, "data", "scripts")
        shutil.rmtree(OUT, ignore_errors=True)
        os.makedirs(os.path.join(OUT, "dict"))
        os.makedirs(os.path.join(OUT, "config"))
        shutil.copy(os.path.join(src, "LICENSE"), os.path.join(OUT, "LICENSE"))
        write_marked(os.path.join(src, "test", "testcases", "testcases.json"), os.path.join(OUT, "testcases.json.txt"))
        for name in RAW:
            write_marked(os.path.join(src_dict, name + ".txt"), os.path.join(OUT, "dict", name + ".txt"))
        gen = os.path.join(tmp, "gen")
        os.makedirs(gen)
        subprocess.run([sys.executable, os.path.join(scripts, "extract_tofu_risk.py"),
                        os.path.join(src_dict, "TSCharacters.txt"), os.path.join(gen, "TSCharactersExt.txt")], check=True)
        for name in ("TWVariants", "HKVariants", "JPShinjitaiCharacters"):
            subprocess.run([sys.executable, os.path.join(scripts, "reverse.py"),
                            os.path.join(src_dict, name + ".txt"), os.path.join(gen, name + "Rev.txt")],
                           check=True, cwd=scripts)
        for name in ("TSCharactersExt", "TWVariantsRev", "HKVariantsRev", "JPShinjitaiCharactersRev"):
            write_marked(os.path.join(gen, name + ".txt"), os.path.join(OUT, "dict", name + ".txt"))
        regional_phrases(src_dict, os.path.join(OUT, "dict", "STPhrases_GeneratedFromRegionalPhrases.txt"))
        for cfg in sorted(os.listdir(os.path.join(src, "data", "config"))):
            if cfg.endswith(".json") and "schema" not in cfg:
                shutil.copy(os.path.join(src, "data", "config", cfg), os.path.join(OUT, "config", cfg))


if __name__ == "__main__":
    main()
