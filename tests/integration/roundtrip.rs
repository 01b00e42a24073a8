//! Round trips over encoding_rs's own tables: characters of GB2312 (both levels), Big5,
//! JIS X 0208 and KS X 1001, each embedded in a real sentence (UDHR Article 1 in that
//! language), garbled through each channel that can carry it losslessly, repaired, and
//! compared. A sample of each table is used (every Nth character) to keep the debug-build
//! test fast; the rate is printed and must stay above the floor.

use encoding_rs::{Encoding, BIG5, EUC_KR, GBK, SHIFT_JIS, WINDOWS_1252};
use mojifix::pipeline::{run, Config};

/// Every Nth character of each table.
const STRIDE: usize = 7;

fn chars_of(
    enc: &'static Encoding,
    leads: std::ops::RangeInclusive<u8>,
    trails: std::ops::RangeInclusive<u8>,
) -> Vec<char> {
    let mut out = Vec::new();
    for l in leads {
        for t in trails.clone() {
            let pair = [l, t];
            let (s, bad) = enc.decode_without_bom_handling(&pair);
            let mut it = s.chars();
            if let (false, Some(c), None) = (bad, it.next(), it.next()) {
                if !c.is_ascii() && !mojifix::model::is_private_use(c) {
                    out.push(c);
                }
            }
        }
    }
    out.into_iter().step_by(STRIDE).collect()
}

/// UTF-8 bytes read as `enc` (WHATWG), when that is lossless.
fn utf8_as(enc: &'static Encoding, s: &str) -> Option<String> {
    let (t, bad) = enc.decode_without_bom_handling(s.as_bytes());
    (!bad).then(|| t.into_owned())
}

/// UTF-8 read as GBK is lossless only when every byte pair is a GBK character; a 0x80
/// continuation byte in lead position breaks it. Try the sentence shifted by one character
/// (a prefix) and without its last one, and keep the first lossless variant.
fn utf8_as_gbk_aligned(s: &str) -> Option<(String, String)> {
    let variants = [
        s.to_string(),
        format!("注{s}"),
        s.trim_end_matches('。').to_string(),
        format!("注{}", s.trim_end_matches('。')),
    ];
    variants
        .into_iter()
        .find_map(|v| utf8_as(GBK, &v).map(|g| (g, v)))
}

/// Legacy bytes read as windows-1252.
fn legacy_as_1252(enc: &'static Encoding, s: &str) -> Option<String> {
    let (b, _, bad) = enc.encode(s);
    if bad {
        return None;
    }
    Some(WINDOWS_1252.decode_without_bom_handling(&b).0.into_owned())
}

/// Sentence → (garbled text, the sentence it must repair to), if the channel is lossless.
type Garble = fn(&str) -> Option<(String, String)>;

struct Table {
    name: &'static str,
    chars: Vec<char>,
    template: &'static str,
    channels: Vec<(&'static str, Garble)>,
}

fn tables() -> Vec<Table> {
    vec![
        Table {
            name: "GB2312",
            chars: chars_of(GBK, 0xB0..=0xF7, 0xA1..=0xFE),
            template: "人人生而自由，在尊严和权利上一律平等，X也是。",
            channels: vec![
                ("utf8_as_gbk", utf8_as_gbk_aligned),
                ("gbk_as_cp1252", |s| {
                    legacy_as_1252(GBK, s).map(|g| (g, s.to_string()))
                }),
            ],
        },
        Table {
            name: "Big5",
            chars: chars_of(BIG5, 0xA4..=0xC6, 0xA1..=0xFE),
            template: "人人生而自由，在尊嚴和權利上一律平等，X也是。",
            channels: vec![
                ("utf8_as_gbk", utf8_as_gbk_aligned),
                ("big5_as_cp1252", |s| {
                    legacy_as_1252(BIG5, s).map(|g| (g, s.to_string()))
                }),
            ],
        },
        Table {
            name: "JIS X 0208",
            chars: chars_of(SHIFT_JIS, 0x88..=0x98, 0x40..=0xFC),
            template: "すべての人間は、生れながらにして自由であり、Xである。",
            channels: vec![
                ("utf8_as_cp1252", |s| {
                    utf8_as(WINDOWS_1252, s).map(|g| (g, s.to_string()))
                }),
                ("sjis_as_cp1252", |s| {
                    legacy_as_1252(SHIFT_JIS, s).map(|g| (g, s.to_string()))
                }),
            ],
        },
        Table {
            name: "KS X 1001",
            chars: chars_of(EUC_KR, 0xB0..=0xC8, 0xA1..=0xFE),
            template: "모든 인간은 태어날 때부터 자유로우며 X 동등하다.",
            channels: vec![("utf8_as_cp1252", |s| {
                utf8_as(WINDOWS_1252, s).map(|g| (g, s.to_string()))
            })],
        },
    ]
}

#[test]
fn garbled_sentences_come_back() {
    let cfg = Config::default();
    let mut report = Vec::new();
    let mut worst = 1.0f64;
    for t in tables() {
        for (channel, garble) in &t.channels {
            let (mut ok, mut n) = (0usize, 0usize);
            let mut failures = Vec::new();
            for &c in &t.chars {
                let sentence = t.template.replace('X', &c.to_string());
                let Some((garbled, sentence)) = garble(&sentence) else {
                    continue;
                };
                n += 1;
                let out = run(garbled.as_bytes(), &cfg).unwrap();
                if *out.output == *sentence.as_bytes() {
                    ok += 1;
                } else if failures.len() < 3 {
                    failures.push(format!("{c} ({})", String::from_utf8_lossy(&out.output)));
                }
            }
            assert!(n >= 5, "{} via {channel}: only {n} lossless cases", t.name);
            let r = ok as f64 / n.max(1) as f64;
            worst = worst.min(r);
            report.push(format!(
                "{} via {channel}: {ok}/{n} ({:.1} %) e.g. {failures:?}",
                t.name,
                r * 100.0
            ));
        }
    }
    println!("{}", report.join("\n"));
    assert!(worst >= 0.95, "{}", report.join("\n"));
}
