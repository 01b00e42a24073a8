//! Criterion benches for each stage and the whole pipeline, on corpora built from the seed
//! documents (named `<script>-<size>`). Throughput is in input bytes. The clean-input
//! benches matter most: most CI inputs are already fine.
//!
//! Run: `cargo bench --bench pipeline` (add `-- <filter>` for one group).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mojifix::convert::Converter;
use mojifix::pipeline::{run, Config};

const SIZE: usize = 4 << 20;

fn seed(n: &str) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seeds");
    let p = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(n))
        .unwrap();
    std::fs::read_to_string(p).unwrap()
}

fn grow(s: &str, size: usize) -> String {
    s.repeat(size / s.len() + 1)
}

fn corpora() -> Vec<(&'static str, Vec<u8>)> {
    let zh_hans = grow(&(seed("000") + &seed("003")), SIZE);
    let zh_hant = grow(&seed("002").replace("饈欠裾易跡", ""), SIZE);
    let latin = grow("Tous les êtres humains naissent libres et égaux en dignité et en droits. All human beings are born free.\n", SIZE);
    // Mojibake: the whole Simplified page, UTF-8 read as GBK (lossless lines only).
    let moji_gbk: String = zh_hans
        .lines()
        .filter_map(|l| {
            let (t, bad) = encoding_rs::GBK.decode_without_bom_handling(l.as_bytes());
            (!bad).then(|| t.into_owned() + "\n")
        })
        .collect();
    let moji_1252: String = zh_hans
        .lines()
        .map(|l| {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(l.as_bytes())
                .0
                .into_owned()
                + "\n"
        })
        .collect();
    // Another alphabet's text read as windows-1252: UDHR article 1 in Russian through
    // windows-1251, a word a run.
    let russian = include_str!("../fixtures/text/ru.txt");
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(russian);
    let moji_cp1251 = grow(
        &encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(&cp1251)
            .0,
        SIZE,
    );
    vec![
        ("zh_hans-4M", zh_hans.into_bytes()),
        ("zh_hant-4M", zh_hant.into_bytes()),
        ("latin-4M", latin.into_bytes()),
        ("mojibake_utf8_as_gbk-4M", moji_gbk.into_bytes()),
        ("mojibake_utf8_as_cp1252-4M", moji_1252.into_bytes()),
        ("mojibake_cp1251_as_cp1252-4M", moji_cp1251.into_bytes()),
    ]
}

fn bench_detect(c: &mut Criterion) {
    let corpora = corpora();
    let mut g = c.benchmark_group("detect");
    let gbk = encoding_rs::GBK
        .encode(std::str::from_utf8(&corpora[0].1).unwrap())
        .0
        .into_owned();
    for (name, bytes) in [("zh_hans-4M", &corpora[0].1), ("gbk-4M", &gbk)] {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), bytes, |b, bytes| {
            b.iter(|| mojifix::detect::detect(black_box(bytes), &Default::default()))
        });
    }
    g.finish();
}

fn bench_decode(c: &mut Criterion) {
    let corpora = corpora();
    let gbk = encoding_rs::GBK
        .encode(std::str::from_utf8(&corpora[0].1).unwrap())
        .0
        .into_owned();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(gbk.len() as u64));
    g.bench_function("gbk-4M", |b| {
        b.iter(|| mojifix::decode::decode(black_box(&gbk), encoding_rs::GBK))
    });
    // What a large input's chunks use: the pair table, 256 KB at a time into one buffer.
    let mut scratch = Vec::new();
    g.bench_function("gbk-4M/pair-table", |b| {
        b.iter(|| {
            for chunk in black_box(&gbk).chunks(256 * 1024) {
                let d = mojifix::decode::decode_into(chunk, encoding_rs::GBK, &mut scratch);
                black_box(d.text.len());
            }
        })
    });
    g.finish();
}

fn bench_repair(c: &mut Criterion) {
    let mut g = c.benchmark_group("repair");
    g.sample_size(10);
    for (name, bytes) in corpora() {
        let text = String::from_utf8(bytes).unwrap();
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, t| {
            b.iter(|| mojifix::repair::repair(black_box(t)))
        });
        // The records the command line makes without --explain or --json.
        if name.starts_with("mojibake") {
            g.bench_with_input(BenchmarkId::new("summary", name), &text, |b, t| {
                b.iter(|| {
                    mojifix::repair::repair_with(black_box(t), mojifix::repair::Records::Summary)
                })
            });
        }
        // The gate's scan alone: what clean text costs.
        g.bench_with_input(BenchmarkId::new("gate", name), &text, |b, t| {
            b.iter(|| mojifix::repair::badness::scan(black_box(t)))
        });
    }
    // A short clean text, where the scan also weighs each short run of Han characters
    // (texts under 64 KB): the seeds' Chinese writes ASCII commas, a run every few dozen
    // bytes: 2.4 GiB/s with that look, 3.3 without it (2026-11-25, one thread).
    let short = grow(&(seed("000") + &seed("003")), 60_000);
    let end = (0..=60_000)
        .rev()
        .find(|&i| short.is_char_boundary(i))
        .unwrap_or(0);
    let short = &short[..end];
    g.throughput(Throughput::Bytes(short.len() as u64));
    g.bench_function("gate/zh_hans-60K", |b| {
        b.iter(|| mojifix::repair::badness::scan(black_box(short)))
    });
    g.bench_function("zh_hans-60K", |b| {
        b.iter(|| mojifix::repair::repair(black_box(short)))
    });
    g.finish();
}

/// Noise that looks like mojibake, at two sizes (time should grow fourfold): random GBK
/// byte pairs read as windows-1252, where every lead takes an ASCII or Latin-1 trail (the
/// runs of double-byte text shown one byte per character run on and on), the same bytes
/// read as GBK (random Han), and random bytes read as GBK (one long line). A xorshift
/// generator keeps it reproducible without a crate.
fn bench_noise(c: &mut Criterion) {
    let mut g = c.benchmark_group("repair-noise");
    g.sample_size(10);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for size in [64 * 1024, 256 * 1024] {
        let mut bytes = Vec::with_capacity(size);
        while bytes.len() < size {
            let r = next();
            bytes.push(0x81 + (r % 0x7E) as u8);
            bytes.push(0x40 + ((r >> 8) % 0xBF) as u8);
        }
        let (latin, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
        let (han, _, _) = encoding_rs::GBK.decode(&bytes);
        // Random bytes, a third of them printable ASCII and no line break, read as GBK: a
        // single line of short runs, many ending in the U+FFFD of a lead byte before ASCII
        // (the sign of misaligned GBK), each of which reads the line around it.
        let random: Vec<u8> = (0..size)
            .map(|_| {
                let r = next();
                if r % 3 == 0 {
                    0x20 + ((r >> 8) % 0x5F) as u8
                } else {
                    0x81 + ((r >> 8) % 0x7E) as u8
                }
            })
            .collect();
        let (lossy, _, _) = encoding_rs::GBK.decode(&random);
        for (name, text) in [
            ("gbk-pairs-as-cp1252", latin),
            ("gbk-pairs-as-gbk", han),
            ("random-bytes-as-gbk", lossy),
        ] {
            let text = text.into_owned();
            g.throughput(Throughput::Bytes(text.len() as u64));
            g.bench_with_input(
                BenchmarkId::new(name, format!("{}K", size / 1024)),
                &text,
                |b, t| b.iter(|| mojifix::repair::repair(black_box(t))),
            );
        }
    }
    g.finish();
}

fn bench_convert(c: &mut Criterion) {
    let corpora = corpora();
    let hant = std::str::from_utf8(&corpora[1].1).unwrap();
    let hans = std::str::from_utf8(&corpora[0].1).unwrap();
    let mut g = c.benchmark_group("convert");
    g.sample_size(10);
    for (cfg, text, name) in [
        ("t2s", hant, "t2s/zh_hant-4M"),
        ("s2t", hans, "s2t/zh_hans-4M"),
        ("s2twp", hans, "s2twp/zh_hans-4M"),
        ("t2s", hans, "t2s/zh_hans-4M-unchanged"),
    ] {
        let conv = Converter::new(cfg).unwrap();
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| conv.convert(black_box(text))));
    }
    g.bench_function("startup/t2s-compile", |b| {
        // Compiling a config's dictionaries: measured on a fresh copy each time.
        b.iter(|| mojifix::convert::Converter::compile_uncached("t2s"))
    });
    g.finish();
}

/// The pinyin pass and each normalization step on clean text, where there is nothing to do:
/// the cost every CI run pays.
fn bench_normalize(c: &mut Criterion) {
    use mojifix::normalize::{normalize, Form, NewlineMode, Options};
    use std::borrow::Cow;
    let corpora = corpora();
    let text = std::str::from_utf8(&corpora[0].1).unwrap();
    let mut g = c.benchmark_group("clean-text");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("pinyin/zh_hans-4M", |b| {
        b.iter(|| mojifix::pinyin::strip(black_box(text)))
    });
    let steps: Vec<(&str, Options)> = vec![
        (
            "nfc",
            Options {
                form: Form::Nfc,
                ..Default::default()
            },
        ),
        (
            "nfkc",
            Options {
                form: Form::Nfkc,
                ..Default::default()
            },
        ),
        (
            "newlines-lf",
            Options {
                newlines: NewlineMode::Lf,
                ..Default::default()
            },
        ),
        (
            "fold-width",
            Options {
                fold_width: true,
                ..Default::default()
            },
        ),
        (
            "strip-controls",
            Options {
                strip_controls: true,
                ..Default::default()
            },
        ),
        (
            "unescape-html",
            Options {
                unescape_html: true,
                ..Default::default()
            },
        ),
        (
            "trim-trailing",
            Options {
                trim_trailing: true,
                ..Default::default()
            },
        ),
    ];
    for (name, opts) in steps {
        g.bench_function(format!("{name}/zh_hans-4M"), |b| {
            b.iter(|| {
                let mut steps = Vec::new();
                normalize(Cow::Borrowed(black_box(text)), &opts, &mut steps).len()
            })
        });
    }
    g.finish();
}

fn bench_pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    let cfg = Config::default();
    for (name, bytes) in corpora() {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new("default", name), &bytes, |b, bytes| {
            b.iter(|| run(black_box(bytes), &cfg).unwrap().changed)
        });
    }
    let ascii = grow(
        "plain ASCII log line with nothing to fix at all, 0123456789\n",
        SIZE,
    )
    .into_bytes();
    g.throughput(Throughput::Bytes(ascii.len() as u64));
    g.bench_function("default/ascii-4M", |b| {
        b.iter(|| run(black_box(&ascii), &cfg).unwrap().changed)
    });
    g.finish();
}

// criterion_group! generates an undocumented function.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(
        benches,
        bench_detect,
        bench_decode,
        bench_repair,
        bench_noise,
        bench_convert,
        bench_normalize,
        bench_pipeline
    );
}
use group::benches;

criterion_main!(benches);
