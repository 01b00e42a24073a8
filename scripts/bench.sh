#!/usr/bin/env bash
# Whole-process comparisons with the peer tools on the same generated files. Prints a
# Markdown table (the README's Performance section is this output). Needs: hyperfine,
# iconv, uchardet, /usr/bin/time, python3 with opencc==1.4.2 and ftfy. Data goes to
# bench-data/ (git-ignored). Usage: scripts/bench.sh [SIZE_MB] (default 100).
#   apt-get install hyperfine uchardet; pip install opencc==1.4.2 ftfy
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-100}
D=bench-data
BIN=target/release/mojifix
mkdir -p "$D"
cargo build --release --quiet

python3 - "$MB" "$D" <<'PY'
import os, random, sys
mb, d = int(sys.argv[1]), sys.argv[2]
seeds = sorted(os.listdir("fixtures/seeds"))
txt = lambda n: open("fixtures/seeds/" + [s for s in seeds if s.startswith(n)][0], encoding="utf-8").read()
hans = txt("000") + txt("003")
hant = txt("002").replace("饈欠裾易跡", "") + txt("001")
def grow(s, size): return (s * (size // len(s.encode()) + 1))
def write(name, data, mode="w"):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        with open(p, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f: f.write(data)
size = mb * 1_000_000
write("clean.txt", grow(hans, size))
write("gbk.txt", grow(hans, size).encode("gbk", errors="replace"), "wb")
write("hant.txt", grow(hant, size))
write("hans.txt", grow(hans, size))
moji = "\n".join(l.encode("utf-8").decode("cp1252", errors="replace") for l in hans.splitlines())
write("mojibake.txt", grow(moji, 10_000_000))
# A tree of 10,000 small files in mixed encodings.
tree = os.path.join(d, "tree-src")
if not os.path.isdir(tree):
    rnd = random.Random(1)
    paras = [p for p in hans.split("\n") if len(p) > 20]
    for i in range(10_000):
        sub = os.path.join(tree, f"d{i % 100}")
        os.makedirs(sub, exist_ok=True)
        text = "\n".join(rnd.sample(paras, 3)) + "\n"
        enc = ["utf-8", "gbk", "gb18030"][i % 3]
        with open(os.path.join(sub, f"{i}.txt"), "wb") as f:
            f.write(text.encode(enc, errors="replace"))
PY

mbps() { python3 -c "import sys; print(f'{$1/1e6/$2:.0f}')"; }
secs() { # median seconds of a command (hyperfine, 3 runs)
  hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$D/h.json" -N "$1" >/dev/null 2>&1 || hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$D/h.json" "$1" >/dev/null
  python3 -c "import json; print(json.load(open('$D/h.json'))['results'][0]['median'])"
}
size() { stat -c %s "$1"; }
trio() { # medians (seconds) of mojifix, mojifix -j 1 and a peer, run in turn RUNS rounds:
  # this machine's speed drifts over minutes, and taking turns lets a drift touch all three
  python3 - "$@" <<'PY'
import os, statistics, subprocess, sys, time
cmds, runs = sys.argv[1:], int(os.environ.get("RUNS", "5"))
run = lambda c: subprocess.run(c, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
for c in cmds: run(c)  # warm-up
times = [[] for _ in cmds]
for _ in range(runs):
    for k, c in enumerate(cmds):
        t = time.perf_counter(); run(c); times[k].append(time.perf_counter() - t)
print(" ".join(str(statistics.median(t)) for t in times))
PY
}

echo "| job | input | mojifix | peer | ratio |"
echo "|---|---|---|---|---|"
s=$(size $D/clean.txt)
t=$(secs "$BIN --check $D/clean.txt"); t1=$(secs "$BIN -j 1 --check $D/clean.txt")
echo "| clean UTF-8 through \`--check\` | $((s/1000000)) MB zh_hans | $(mbps $s $t) MB/s ($(mbps $s $t1) MB/s one thread) | — | — |"

s=$(size $D/gbk.txt)
read -r t t1 p < <(trio "$BIN --from gbk $D/gbk.txt -o $D/out-gbk" "$BIN -j 1 --from gbk $D/gbk.txt -o $D/out-gbk1" "iconv -f GBK -t UTF-8 $D/gbk.txt > $D/gbk.iconv")
echo "| GBK → UTF-8 | $((s/1000000)) MB | $(mbps $s $t) MB/s ($(mbps $s $t1) one thread) | iconv $(mbps $s $p) MB/s | $(python3 -c "print(f'{$p/$t:.1f}×')") |"

s=$(size $D/hant.txt)
read -r t t1 p < <(trio "$BIN --no-repair --keep-pinyin --t2s $D/hant.txt -o $D/out-t2s" "$BIN -j 1 --no-repair --keep-pinyin --t2s $D/hant.txt -o $D/out-t2s1" "opencc -c t2s --include-tofu-risk-dictionaries -i $D/hant.txt -o $D/hant.opencc")
echo "| t2s | $((s/1000000)) MB zh_hant | $(mbps $s $t) MB/s ($(mbps $s $t1) one thread) | OpenCC 1.4.2 CLI $(mbps $s $p) MB/s | $(python3 -c "print(f'{$p/$t:.1f}× ({$p/$t1:.1f}× one thread)')") |"
s=$(size $D/hans.txt)
read -r t t1 p < <(trio "$BIN --no-repair --keep-pinyin --s2t $D/hans.txt -o $D/out-s2t" "$BIN -j 1 --no-repair --keep-pinyin --s2t $D/hans.txt -o $D/out-s2t1" "opencc -c s2t -i $D/hans.txt -o $D/hans.opencc")
echo "| s2t | $((s/1000000)) MB zh_hans | $(mbps $s $t) MB/s ($(mbps $s $t1) one thread) | OpenCC 1.4.2 CLI $(mbps $s $p) MB/s | $(python3 -c "print(f'{$p/$t:.1f}× ({$p/$t1:.1f}× one thread)')") |"

s=$(size $D/mojibake.txt)
t=$(secs "$BIN $D/mojibake.txt -o $D/out-moji")
p=$(RUNS=1 secs "python3 -c 'import ftfy,sys; sys.stdout.write(ftfy.fix_text(open(\"$D/mojibake.txt\").read()))' > /dev/null")
echo "| repair: whole page UTF-8 read as windows-1252 | $((s/1000000)) MB | $(mbps $s $t) MB/s | ftfy $(mbps $s $p) MB/s | $(python3 -c "print(f'{$p/$t:.1f}×')") |"

# Copies left by an interrupted run are removed first; this run's are removed at the end: on
# an ext4 without a journal (this machine's) every file created scans past the inodes
# deleted in the last minutes, so deleting 40,000 files just before would slow the runs.
rm -rf $D/tree-a $D/tree-b $D/tree-c $D/tree-d
for t in a b c d; do cp -r $D/tree-src $D/tree-$t; done
sync # the copies' dirty pages are not the runs' to flush
# Each in-place run frees the inodes of the files it replaces: two threads run before and
# after one thread, and their mean is taken, so that neither count runs only after the other.
ta1=$( { /usr/bin/time -f %e $BIN -i -j 2 $D/tree-a >/dev/null; } 2>&1 | tail -1)
tb=$( { /usr/bin/time -f %e $BIN -i -j 1 $D/tree-b >/dev/null; } 2>&1 | tail -1)
ta2=$( { /usr/bin/time -f %e $BIN -i -j 2 $D/tree-c >/dev/null; } 2>&1 | tail -1)
ta=$(python3 -c "print(f'{($ta1 + $ta2) / 2:.2f}')")
tc=$( { /usr/bin/time -f %e find $D/tree-d -name '*.txt' -exec sh -c 'e=$(uchardet "$1"); iconv -f "$e" -t UTF-8 "$1" > "$1.tmp" && mv "$1.tmp" "$1"' _ {} \; ; } 2>&1 | tail -1)
echo "| 10,000 small files, mixed encodings, in place | 2 threads ${ta}s (mean of ${ta1}s and ${ta2}s), 1 thread ${tb}s | $(python3 -c "print(f'{$tb/$ta:.2f}× from threads')") | find + uchardet + iconv ${tc}s | $(python3 -c "print(f'{$tc/$ta:.0f}×')") |"
# The same on tmpfs, fresh copies each round, the thread counts taking turns: on this disk
# (an ext4 without a journal) creating the temporaries scans past every inode deleted in the
# last minutes, kernel work that grows with the deletions before the run and does not split
# across threads, so the disk row's thread ratio says as much about the runs before it.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  S=$(mktemp -d /dev/shm/mojifix-bench.XXXXXX)
  read -r sa sb < <(python3 - "$BIN" "$D/tree-src" "$S" <<'PY'
import os, shutil, statistics, subprocess, sys, time
bin_, src, tmp = sys.argv[1:]
times = {1: [], 2: []}
for r in range(int(os.environ.get("RUNS", "5"))):
    for j in ((1, 2) if r % 2 == 0 else (2, 1)):
        d = os.path.join(tmp, f"t{j}")
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(src, d)
        t = time.perf_counter()
        subprocess.run([bin_, "-i", "-j", str(j), d], stdout=subprocess.DEVNULL, check=True)
        times[j].append(time.perf_counter() - t)
print(statistics.median(times[2]), statistics.median(times[1]))
PY
)
  rm -rf "$S"
  echo "| the same on tmpfs (the tool's own scaling) | 2 threads $(python3 -c "print(f'{$sa:.2f}')")s, 1 thread $(python3 -c "print(f'{$sb:.2f}')")s | $(python3 -c "print(f'{$sb/$sa:.2f}× from threads')") | — | — |"
fi

rss=$( { python3 -c "
import sys
chunk = open('$D/clean.txt','rb').read(50_000_000)
for _ in range(40): sys.stdout.buffer.write(chunk)
" | /usr/bin/time -f %M $BIN > /dev/null; } 2>&1 | tail -1)
echo "| 2 GB through stdin → stdout | 2,000 MB | peak RSS $((rss/1024)) MB | — | — |"
rss=$( { /usr/bin/time -f %M $BIN --t2s $D/hant.txt -o $D/out-t2s-rss >/dev/null; } 2>&1 | tail -1)
echo "| t2s with repair on, whole file | $(( $(size $D/hant.txt) / 1000000 )) MB | peak RSS $((rss/1024)) MB | — | — |"
rm -rf $D/tree-a $D/tree-b $D/tree-c $D/tree-d
