//! "Does this look like mojibake?" The gate in front of the expensive hypotheses: one scan
//! over the text (ASCII skipped eight bytes at a time, clean CJK four characters at a time
//! against an 8 KB bitmap, one table read per other character) finds the runs of non-ASCII
//! text whose suspicious characters are dense enough to be a decoding accident, and notes
//! loss markers on the way; clean text yields none and nothing else runs. (A text of 4 MB
//! or more is scanned in 1 MB pieces cut after line feeds, on every thread.) A character is
//! *suspicious* when real text rarely contains it but decoding accidents often produce it.
//! Apart, the scan notes runs that end as misaligned GBK does in a browser — in U+FFFD
//! before an ASCII byte, or in the character a trail byte made of the letter after it
//! ([`Scan::lost_trail`]) — which the first pass weighs too; and, in a text under 64 KB,
//! short runs of Han characters uncommon together, none of them rare, as another CJK code
//! page's reading of double-byte text leaves a word ([`Scan::uncommon_han`]: `匡兜` is Big5
//! 選項 read as GBK).

use rayon::prelude::*;
use std::sync::LazyLock;

/// Han characters the word list saw fewer times than this are "rare". GBK level-2 and
/// extension characters, which UTF-8 read as GBK produces every other character, fall
/// below it; the 3,500 common characters of modern text are far above it.
const RARE_HAN_COUNT: u32 = 300;

/// One bit per BMP code point: set when the character is suspicious. Built from ranges,
/// then every Han character is marked rare and the common ones (and the Traditional forms
/// that fold to them) are unmarked: a few thousand operations, not 65,536 look-ups.
static SUSPICIOUS_BMP: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    let mut set = |cp: u32, on: bool| {
        if on {
            bits[(cp / 64) as usize] |= 1 << (cp % 64);
        } else {
            bits[(cp / 64) as usize] &= !(1 << (cp % 64));
        }
    };
    for &(lo, hi) in SUSPICIOUS_RANGES {
        for cp in lo..=hi {
            set(cp, true);
        }
    }
    // What UTF-8 read through the other single-byte code pages is made of (`Ĺˇ`, `ÄŻ`,
    // `√ü`): their characters for bytes 0x80–0xFF, from encoding_rs's own tables — but not
    // the quotes and dashes of General Punctuation, which clean text is full of.
    for enc in [
        encoding_rs::WINDOWS_1250,
        encoding_rs::ISO_8859_2,
        encoding_rs::WINDOWS_1257,
        encoding_rs::MACINTOSH,
    ] {
        for b in 0x80u8..=0xFF {
            let byte = [b];
            let (s, _) = enc.decode_without_bom_handling(&byte);
            if let Some(c) = s.chars().next() {
                if (c as u32) < 0x10000 && !('\u{2000}'..='\u{206F}').contains(&c) {
                    set(c as u32, true);
                }
            }
        }
    }
    for cp in (0x3400..=0x4DBF)
        .chain(0x4E00..=0x9FFF)
        .chain(0xF900..=0xFAFF)
    {
        set(cp, true);
    }
    let common: std::collections::HashSet<char> =
        crate::model::han_at_least(RARE_HAN_COUNT).collect();
    for &c in &common {
        if (c as u32) < 0x10000 {
            set(c as u32, false);
        }
    }
    for (trad, simp) in crate::convert::t2s_pairs() {
        if common.contains(&simp) && (trad as u32) < 0x10000 {
            set(trad as u32, false);
        }
    }
    for japanese in common_shinjitai(&common) {
        set(japanese as u32, false);
    }
    bits
});

/// The Japanese shinjitai of common characters (`関` of 關, 关; `訳` of 譯, 译), as the
/// model scores them (through OpenCC's JPShinjitaiCharacters): Japanese writes a word such
/// as `関連項目` on every manual page, and none of its characters is a decoding accident.
fn common_shinjitai(common: &std::collections::HashSet<char>) -> Vec<char> {
    crate::convert::shinjitai_pairs()
        .filter(|&(japanese, trad)| {
            let simp = crate::convert::t2s_char(trad).unwrap_or(trad);
            common.contains(&simp)
                && crate::convert::t2s_char(japanese).is_none()
                && (japanese as u32) < 0x10000
        })
        .map(|(japanese, _)| japanese)
        .collect()
}

/// Non-Han ranges that decoding accidents produce far more often than real text does.
const SUSPICIOUS_RANGES: &[(u32, u32)] = &[
    // C1 controls, Latin-1 symbols and letters: what UTF-8 read as windows-1252 is made of.
    (0x80, 0xFF),
    // windows-1252's 0x80–0x9F specials outside Latin-1.
    (0x152, 0x153),
    (0x160, 0x161),
    (0x178, 0x178),
    (0x17D, 0x17E),
    (0x192, 0x192),
    (0x2C6, 0x2C6),
    (0x2DC, 0x2DC),
    (0x2020, 0x2021),
    (0x2030, 0x2030),
    (0x2039, 0x203A),
    (0x2122, 0x2122),
    (0x20AC, 0x20AC),
    // Greek and Cyrillic: GBK maps them to A6xx/A7xx, so garbled Chinese is full of them.
    (0x370, 0x4FF),
    // Number forms, arrows, maths, box drawing, shapes, enclosed numbers: GBK A2xx, A8xx–A9xx.
    (0x2150, 0x25FF),
    (0x3220, 0x324F),
    // Kana (GBK A4xx/A5xx) and half-width kana, Hangul, Bopomofo.
    (0x3040, 0x30FF),
    (0xFF61, 0xFF9F),
    (0xAC00, 0xD7A3),
    (0x3100, 0x318F),
    // Private Use Area: GBK's user-defined areas.
    (0xE000, 0xF8FF),
    // Vertical and small forms.
    (0xFE10, 0xFE4F),
];

/// One bit per BMP character GBK decodes from a lead in `leads` and a trail in `trails`
/// (0xA1–0xFE: GB2312's rows), from encoding_rs's own table.
fn gbk_chars(
    leads: std::ops::RangeInclusive<u8>,
    trails: std::ops::RangeInclusive<u8>,
) -> Vec<u64> {
    decoded_chars(encoding_rs::GBK, leads, trails)
}

/// One bit per BMP character the double-byte `enc` decodes from a lead in `leads` and a
/// trail in `trails`: every pair decoded in one call (a pair without a character is one
/// U+FFFD, its trail not being ASCII, so none shifts the rest).
fn decoded_chars(
    enc: &'static encoding_rs::Encoding,
    leads: std::ops::RangeInclusive<u8>,
    trails: std::ops::RangeInclusive<u8>,
) -> Vec<u64> {
    debug_assert!(*trails.start() >= 0x80);
    let mut bits = vec![0u64; 0x10000 / 64];
    let pairs: Vec<u8> = leads
        .flat_map(|lead| trails.clone().flat_map(move |trail| [lead, trail]))
        .collect();
    let (s, _) = enc.decode_without_bom_handling(&pairs);
    for c in s.chars().filter(|&c| c != '\u{FFFD}') {
        let cp = c as u32;
        if cp < 0x10000 {
            bits[(cp / 64) as usize] |= 1 << (cp % 64);
        }
    }
    bits
}

#[inline]
fn in_bits(bits: &[u64], c: char) -> bool {
    let cp = c as u32;
    cp < 0x10000 && bits[(cp / 64) as usize] & (1 << (cp % 64)) != 0
}

/// GB2312 level-2 characters (GBK leads 0xD8–0xF7): about 2 % of clean Chinese text, but
/// half of UTF-8 read as GBK, whose lead bytes E4–E9 all fall there. With them, the GBK
/// extension characters of the same leads and a trail 0x80–0xA0 (`鍥`, `鍖`): UTF-8 Han
/// read as GBK is made of those two boxes (a lead E4–E9, a continuation byte after it),
/// and many in the second are Traditional forms or in jieba's list, so not rare.
static LEVEL2_BMP: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = gbk_chars(0xD8..=0xF7, 0xA1..=0xFE);
    for (b, e) in bits.iter_mut().zip(gbk_chars(0xE4..=0xE9, 0x80..=0xA0)) {
        *b |= e;
    }
    bits
});

#[inline]
fn is_level2(c: char) -> bool {
    in_bits(&LEVEL2_BMP, c)
}

/// What GBK makes of EUC-KR's 2,350 Hangul syllables (leads 0xB0–0xC8): GB2312 level-1
/// characters, most of them common, so the scan lets Korean read as GBK through.
static HANGUL_AS_GBK: LazyLock<Vec<u64>> = LazyLock::new(|| gbk_chars(0xB0..=0xC8, 0xA1..=0xFE));

/// How much of a text [`read_as_another_code_page`] samples (bytes)…
const SIGN_SAMPLE_BYTES: usize = 16 << 10;
/// …and at most how many Han characters.
const SIGN_SAMPLE_HAN: usize = 256;
/// The sampled Han characters must include at least this many of [`HANGUL_AS_GBK`] (three
/// Chinese characters all from those rows happen about one time in eight, and then the
/// runs are only weighed, together: 92,000 catalog strings and documents in Chinese and
/// Japanese came out unchanged; a Korean message is often a word or two, `吝汗凳` for
/// 중복됨)…
const HANGUL_MIN_CHARS: usize = 3;
/// …and be at least this share of them. Those 2,350 characters are 40–60 % of Chinese text
/// (GB2312 level 1 is ordered by pinyin and they are its first 25 rows; the highest share
/// among the 1,600-odd Chinese and Japanese manual pages installed here is 0.79); Korean
/// read as GBK is made of nothing else, bar the odd Hanja.
const HANGUL_MIN_SHARE: f32 = 0.95;

/// What Big5 makes of GBK's double-byte characters: its characters whose trail byte is
/// 0xA1–0xFE (GBK's Chinese characters all have such trails), never one of the 40 % of
/// Traditional Chinese text whose trail is 0x40–0x7E.
static GBK_AS_BIG5: LazyLock<Vec<u64>> =
    LazyLock::new(|| decoded_chars(encoding_rs::BIG5, 0xA1..=0xF9, 0xA1..=0xFE));

/// The sampled Han characters must number at least this many, all of [`GBK_AS_BIG5`], for
/// the text to look like GBK read as Big5 (a clean Traditional text of four: 0.6⁴, about one
/// in eight, and then its runs are only weighed, each on its own bar).
const BIG5_SIGN_MIN_CHARS: usize = 4;

/// A code page read for another, told by the whole text rather than run by run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSign {
    /// Korean (EUC-KR) read as GBK.
    KoreanAsGbk,
    /// GBK read as Big5.
    GbkAsBig5,
}

/// Korean (EUC-KR) read as GBK: Han text made (nearly) only of the characters GBK decodes
/// EUC-KR's Hangul syllables to; or GBK read as Big5: Han text made only of the Big5
/// characters with high trail bytes (`GBK_AS_BIG5`). Judged on a sample from the start of
/// the text. If so, every run of non-ASCII text, for the hypotheses to weigh (the scan,
/// which looks for rare characters, finds few of them — GBK read as Big5 is mostly common
/// Traditional characters, `晤鎢腔恅璃` for 编码的文件 —, and EUC-KR's punctuation read as
/// GBK is GBK's, which needs its neighbours to be judged); otherwise `None`, after looking
/// at no more than the first 16 KiB.
pub fn read_as_another_code_page(text: &str) -> Option<(PageSign, Vec<(usize, usize)>)> {
    sign_of(text, sign_sample(text))
}

/// Byte ranges of a text, in order.
pub type Spans = Vec<(usize, usize)>;

/// [`read_as_another_code_page`], and if the whole text shows no sign, its
/// [`korean_as_gbk_lines`]: the sample decoded once for both.
pub fn page_signs(text: &str) -> (Option<(PageSign, Spans)>, Spans) {
    let sample = sign_sample(text);
    match sign_of(text, sample) {
        Some(sign) => (Some(sign), Vec::new()),
        None => (None, korean_lines_of(text, sample)),
    }
}

/// [`read_as_another_code_page`] from its [`sign_sample`].
fn sign_of(
    text: &str,
    sample: Option<(usize, usize, usize)>,
) -> Option<(PageSign, Vec<(usize, usize)>)> {
    let (han, hangul, big5) = sample?;
    let sign = if hangul >= HANGUL_MIN_CHARS && hangul as f32 >= HANGUL_MIN_SHARE * han as f32 {
        PageSign::KoreanAsGbk
    } else if big5 >= BIG5_SIGN_MIN_CHARS && big5 == han {
        PageSign::GbkAsBig5
    } else {
        return None;
    };
    Some((sign, non_ascii_runs(text).collect()))
}

/// The Han characters of the sample [`read_as_another_code_page`] judges, and how many of
/// them are of [`HANGUL_AS_GBK`] and of [`GBK_AS_BIG5`]; `None` if there cannot be enough
/// for either sign.
fn sign_sample(text: &str) -> Option<(usize, usize, usize)> {
    let mut limit = text.len().min(SIGN_SAMPLE_BYTES);
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    // Either sign needs three Han characters at least: a sample with fewer bytes that can
    // lead one (E3–E9, EF, F0; Hangul's are EA–ED) is settled without decoding it.
    // (Counted 255 bytes at a time, in bytes: a vector loop, which stops at the first piece
    // that has them.)
    let needed = HANGUL_MIN_CHARS.min(BIG5_SIGN_MIN_CHARS);
    let mut may_lead_han = 0;
    for piece in text.as_bytes()[..limit].chunks(255) {
        let n = piece.iter().fold(0u8, |n, &b| {
            n + u8::from(b.wrapping_sub(0xE3) < 7) + u8::from(b == 0xEF) + u8::from(b == 0xF0)
        });
        may_lead_han += usize::from(n);
        if may_lead_han >= needed {
            break;
        }
    }
    if may_lead_han < needed {
        return None;
    }
    let (mut han, mut hangul, mut big5) = (0usize, 0usize, 0usize);
    for c in text[..limit].chars().filter(|&c| crate::model::is_han(c)) {
        han += 1;
        hangul += usize::from(in_bits(&HANGUL_AS_GBK, c));
        big5 += usize::from(in_bits(&GBK_AS_BIG5, c));
        if han == SIGN_SAMPLE_HAN {
            break;
        }
    }
    Some((han, hangul, big5))
}

/// [`korean_as_gbk_lines`] looks at a text's lines only where the sample of
/// [`read_as_another_code_page`] has at least this share of what GBK makes of Hangul:
/// clean Chinese has 40–60 % (a file of Korean messages with a Chinese line among them,
/// more), and looking at every line of a file costs a decoding of all of it (clean Chinese
/// in files of 4 KB: 420M → 755M instructions without this bar).
const LINES_MIN_SHARE: f32 = 0.6;

/// The lines of a short text (under [`SYLLABIC_COUNTED_BELOW`] bytes) that each show the
/// sign of Korean read as GBK on their own, as byte ranges: at least [`HANGUL_MIN_CHARS`]
/// Han characters, [`HANGUL_MIN_SHARE`] of them what GBK makes of Hangul. For a text whose
/// whole does not show it ([`read_as_another_code_page`]): a file of Korean messages read as
/// GBK with a line of Chinese or Japanese among them, whose Han characters are the wrong
/// ones for the whole. (A long text is judged by its start alone: looking at every line of
/// clean Chinese would cost the gate a decoding of all of it.)
pub fn korean_as_gbk_lines(text: &str) -> Vec<(usize, usize)> {
    korean_lines_of(text, sign_sample(text))
}

/// [`korean_as_gbk_lines`] from the text's [`sign_sample`].
fn korean_lines_of(text: &str, sample: Option<(usize, usize, usize)>) -> Vec<(usize, usize)> {
    if !judged_by_lines(text) {
        return Vec::new();
    }
    match sample {
        Some((han, hangul, _))
            if hangul >= HANGUL_MIN_CHARS && hangul as f32 >= LINES_MIN_SHARE * han as f32 => {}
        _ => return Vec::new(),
    }
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        if line_shows_korean_as_gbk(line) {
            out.push((start, end));
        }
        start = end;
    }
    out
}

/// Whether `line` shows the sign of Korean read as GBK on its own ([`korean_as_gbk_lines`]).
pub fn line_shows_korean_as_gbk(line: &str) -> bool {
    let (mut han, mut hangul) = (0usize, 0usize);
    for c in line.chars().filter(|&c| crate::model::is_han(c)) {
        han += 1;
        hangul += usize::from(in_bits(&HANGUL_AS_GBK, c));
    }
    hangul >= HANGUL_MIN_CHARS && hangul as f32 >= HANGUL_MIN_SHARE * han as f32
}

/// Whether [`korean_as_gbk_lines`] looks at the lines of `text`.
pub fn judged_by_lines(text: &str) -> bool {
    text.len() < SYLLABIC_COUNTED_BELOW
}

/// Every maximal run of non-ASCII text, as byte ranges, in order: the units the scan and
/// the hypotheses work on (a run never crosses an ASCII byte).
pub fn non_ascii_runs(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = i + bytes[i..].iter().position(|&b| b >= 0x80)?;
        let end = bytes[start..]
            .iter()
            .position(|&b| b < 0x80)
            .map_or(bytes.len(), |k| start + k);
        i = end;
        Some((start, end))
    })
}

/// The sorted union of two lists of runs from the same text. Runs end at ASCII bytes (or
/// the text's end), so two that overlap are the same run.
pub fn union_of_runs(a: Vec<(usize, usize)>, b: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut all = a;
    all.extend(b);
    all.sort_unstable();
    all.dedup();
    all
}

/// A run with no suspicious character is a candidate on GB2312 level-2 characters alone
/// from this length (a pair of level-2 characters is an ordinary word).
const LEVEL2_ONLY_MIN_CHARS: usize = 3;

/// One byte of flags per BMP code point, so the scan does one look-up per character.
const SUSPICIOUS: u8 = 1;
const LEVEL2: u8 = 2;
const STRONG: u8 = 4;
const CYRILLIC: u8 = 8;
const CYRILLIC_LEAD: u8 = 16;
const MARKER: u8 = 32;
/// A Cyrillic letter windows-1251 puts at 0x80–0xBF (`Ѓ`, `Ђ`, `ї`, `ј`…): a UTF-8
/// continuation byte, when it follows a lead byte read so (`ДЃ` is `ā`, `ЕЎ` is `š`).
const CYRILLIC_TRAIL: u8 = 64;
/// A Hangul syllable or a kana (U+3040–U+30FF); with [`SUSPICIOUS`], one its language
/// hardly uses ([`rare_syllabic`]). What EUC-KR makes of UTF-8 or GBK bytes is Hangul, a
/// third or more of it rare; what GBK makes of Big5 is a third kana, a sixth of that rare
/// (`だ瞒` is 分離, `ぃ` is the commonest). Korean text is Hangul, 0.04 % of it rare;
/// Japanese is kana, 0.01–0.13 % of it rare. So the common ones count as suspicious only
/// in a text where the rare ones are a share of the whole, or where there are too few to
/// tell ([`weighed_scripts`]): clean Korean and Japanese are then stepped over as clean
/// Chinese is, where every run of them was weighed as a candidate before (4–8 MB/s).
const SYLLABIC: u8 = 128;

/// The share of its Hangul and kana that must be rare ([`SYLLABIC`]) for a text's common
/// ones to count as suspicious too (as a per mille): clean Korean has 0.4 ‰ and Japanese
/// 0.1–1.3 ‰ (the installed manual pages and catalogs); EUC-KR's garbage 340–410 ‰, GBK's
/// reading of Big5 180 ‰, of UTF-8 70 ‰. A text with a garbled passage a thirtieth of it
/// is still over the bar.
const SYLLABIC_RARE_SHARE: usize = 10;
/// A text with fewer Hangul and kana than this has its common ones counted as suspicious
/// whatever its share of rare ones: a short string of garbage may hold none (`켓꼬뒈혐` is
/// GBK `南部地区` read as EUC-KR; one in five four-syllable strings), and a short text's
/// runs are few.
const SYLLABIC_ALWAYS_BELOW: usize = 64;
/// …if the text is shorter than this, or holds a rare one: only then are its Hangul and
/// kana counted, which costs a look at every byte (clean Chinese, long, is spared it).
const SYLLABIC_COUNTED_BELOW: usize = 64 * 1024;

/// Whether `c` is a Hangul syllable or a kana ([`SYLLABIC`]).
fn is_syllabic(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{3040}'..='\u{30FF}')
}

/// One bit per BMP character: the Hangul syllables and kana their languages use
/// ([`crate::model::hangul_seen`], [`crate::model::kana_common`]).
static COMMON_SYLLABIC: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    for c in crate::model::hangul_seen().chain(crate::model::kana_common()) {
        bits[c as usize / 64] |= 1 << (c as usize % 64);
    }
    bits
});

/// Whether `c` is a Hangul syllable or kana its language hardly uses.
fn rare_syllabic(c: char) -> bool {
    is_syllabic(c) && !is_common_syllabic(c)
}

/// Whether `text` holds Japanese (kana) or Korean (Hangul): as many of either as a text
/// needs to tell, few of them rare ([`SYLLABIC_RARE_SHARE`]).
pub fn native_syllabic(text: &str) -> Native {
    let (mut kana, mut rare_kana, mut hangul, mut rare_hangul) = (0, 0, 0, 0);
    for c in text.chars().filter(|&c| is_syllabic(c)) {
        let rare = usize::from(!is_common_syllabic(c));
        if c < '\u{3100}' {
            kana += 1;
            rare_kana += rare;
        } else {
            hangul += 1;
            rare_hangul += rare;
        }
    }
    let native = |all: usize, rare: usize| {
        all >= SYLLABIC_ALWAYS_BELOW && rare * 1000 < all * SYLLABIC_RARE_SHARE
    };
    Native {
        japanese: native(kana, rare_kana),
        korean: native(hangul, rare_hangul),
    }
}

/// What [`native_syllabic`] found.
#[derive(Clone, Copy, Debug)]
pub struct Native {
    /// Japanese: kana, few of them rare.
    pub japanese: bool,
    /// Korean: Hangul syllables, few of them rare.
    pub korean: bool,
}

/// Whether `c` is a Hangul syllable or kana its language uses.
pub fn is_common_syllabic(c: char) -> bool {
    (c as u32) < 0x10000 && COMMON_SYLLABIC[c as usize / 64] & (1 << (c as usize % 64)) != 0
}

static CLASS_BMP: LazyLock<Box<[u8; 0x10000]>> = LazyLock::new(|| {
    let mut t = Box::new([0u8; 0x10000]);
    for (cp, slot) in t.iter_mut().enumerate().skip(0x80) {
        let Some(c) = char::from_u32(cp as u32) else {
            continue;
        };
        let mut f = 0;
        if is_syllabic(c) {
            f |= SYLLABIC;
        }
        if is_suspicious(c) && (f == 0 || rare_syllabic(c)) {
            f |= SUSPICIOUS;
            if (0x80..=0x9F).contains(&cp) || (0xE000..=0xF8FF).contains(&cp) {
                f |= STRONG;
            }
            if (0x400..=0x4FF).contains(&cp) {
                f |= CYRILLIC;
                if matches!(c, 'Р' | 'С' | 'Г' | 'В' | 'в' | 'Ђ') {
                    f |= CYRILLIC_LEAD;
                }
                if is_cp1251_continuation(c) {
                    f |= CYRILLIC_TRAIL;
                }
            }
        }
        if is_level2(c) {
            f |= LEVEL2;
        }
        if matches!(c, '锟' | '烫' | '屯') {
            f |= MARKER;
        }
        *slot = f;
    }
    t
});

/// One bit per three-byte character, set when its [`CLASS_BMP`] flags are not all zero:
/// the word at `(lead & 0x0F) << 8 | second byte` holds the characters that share those
/// two bytes, one bit per value of the last byte's low six bits. Only 64 of every 256 words
/// are used (the second byte is a continuation byte), so the clean-text loop touches 8 KiB,
/// which stays in the L1 cache, and finds its word with no arithmetic on the code point.
///
/// The common Hangul syllables and kana (flagged [`SYLLABIC`] alone) are not set: a text's
/// first scan steps over them ([`scan`]).
static FLAGGED_PAIR: LazyLock<Box<[u64; 4096]>> = LazyLock::new(|| flagged_pairs(0));

/// [`FLAGGED_PAIR`] with the common kana set, the common Hangul syllables, or both (by
/// [`WEIGH_KANA`] and [`WEIGH_HANGUL`] less one): for a text whose common ones are to be
/// weighed.
static FLAGGED_PAIR_WEIGHED: [LazyLock<Box<[u64; 4096]>>; 3] = [
    LazyLock::new(|| flagged_pairs(WEIGH_KANA)),
    LazyLock::new(|| flagged_pairs(WEIGH_HANGUL)),
    LazyLock::new(|| flagged_pairs(WEIGH_KANA | WEIGH_HANGUL)),
];

/// One bit per three-byte character whose [`CLASS_BMP`] flags are not all zero, but for
/// the common kana and Hangul syllables that `weigh` ([`WEIGH_KANA`], [`WEIGH_HANGUL`])
/// does not name.
fn flagged_pairs(weigh: u8) -> Box<[u64; 4096]> {
    let mut t = Box::new([0u64; 4096]);
    for (cp, &f) in CLASS_BMP.iter().enumerate().skip(0x800) {
        let script = if cp < 0x3100 {
            WEIGH_KANA
        } else {
            WEIGH_HANGUL
        };
        if f & !SYLLABIC != 0 || (f != 0 && weigh & script != 0) {
            t[pair_index(0xE0 | (cp >> 12) as u8, 0x80 | ((cp >> 6) & 0x3F) as u8)] |=
                1 << (cp & 63);
        }
    }
    t
}

/// The [`FLAGGED_PAIR`] word of a three-byte character's first two bytes.
#[inline(always)]
fn pair_index(b0: u8, b1: u8) -> usize {
    (usize::from(b0 & 0x0F) << 8) | usize::from(b1)
}

#[inline]
fn class(c: char) -> u8 {
    let cp = c as u32;
    if cp < 0x10000 {
        CLASS_BMP[cp as u16 as usize]
    } else if is_suspicious(c) {
        SUSPICIOUS
    } else {
        0
    }
}

/// Whether `c` is suspicious.
#[inline]
pub fn is_suspicious(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return false;
    }
    if cp < 0x10000 {
        return SUSPICIOUS_BMP[(cp / 64) as usize] & (1 << (cp % 64)) != 0;
    }
    // Supplementary planes: extension B+ Han and plane-15/16 private use.
    crate::model::is_private_use(c) || crate::model::is_han(c)
}

/// Runs of non-ASCII text that look like mojibake, found in one scan. A run qualifies when
/// its suspicious characters are dense enough for a decoding accident, which has a
/// signature: UTF-8 read one byte per character never leaves a lone non-ASCII character;
/// UTF-8 Cyrillic read as windows-1251 is half `Р`/`С`; garbled Chinese is dense with rare
/// characters. A long clean sentence with one rare character is not a candidate, nor is a
/// single accented letter in a word.
pub fn suspicious_runs(text: &str) -> Vec<(usize, usize)> {
    scan(text).runs
}

/// What one scan of the gate found.
#[derive(Debug, Default)]
pub struct Scan {
    /// The candidate runs ([`suspicious_runs`]).
    pub runs: Vec<(usize, usize)>,
    /// Runs not dense enough to be candidates that end as misaligned GBK ends in a
    /// browser: in U+FFFD before an ASCII byte below 0x40 (or the text's end), or in the
    /// character the last trail byte made of an ASCII letter ([`swallowed_end`]).
    /// Misaligned common characters are not rare enough to be found by density, so the
    /// first pass weighs these too, and what the realignment gains decides (clean text
    /// with a lost character gains nothing). Later passes do not: there the sign is a lost
    /// character the pass before marked.
    pub lost_trail: Vec<(usize, usize)>,
    /// Short runs of Han characters, none of them rare, that are uncommon together (the mean
    /// of their log-probabilities below −10 nats; texts under 64 KB): another code page's
    /// reading of double-byte text, made of common characters (Big5 read as GBK: `匡兜` is
    /// `選項`, `龄絃才腹` is `鍵盤符號`), which no density of rare characters finds. The
    /// first pass weighs them as it does the runs.
    pub uncommon_han: Vec<(usize, usize)>,
    /// Whether the text holds a loss marker (`锟斤拷`, `烫烫`, `屯屯`); only then are they
    /// counted and located.
    pub markers: bool,
    /// The rare kana and Hangul syllables the runs looked at hold (a scan that counts
    /// common ones as suspicious looks at every run of them; one that does not, at those
    /// with a flagged character in them).
    rare_kana: usize,
    rare_hangul: usize,
}

/// The scripts ([`WEIGH_KANA`], [`WEIGH_HANGUL`]) whose common characters count as
/// suspicious in `text`, whose scan without them found `scan`'s rare ones: each decided on
/// its own (a Korean text's Hangul says nothing of the kana of GBK's Big5 lines in it).
fn weighed_scripts(text: &str, scan: &Scan) -> u8 {
    let short = text.len() < SYLLABIC_COUNTED_BELOW;
    if !short && scan.rare_kana + scan.rare_hangul == 0 {
        return 0;
    }
    // How many of a script's characters settle it: in a long text, one more than its rare
    // ones allow (none if it has no rare one); a short text's are all counted.
    let enough = |rare: usize| match (short, rare) {
        (true, _) => usize::MAX,
        (false, 0) => 0,
        (false, rare) => rare * 1000 / SYLLABIC_RARE_SHARE + 1,
    };
    let (kana, hangul) = syllabic_count(
        text.as_bytes(),
        enough(scan.rare_kana),
        enough(scan.rare_hangul),
    );
    let weighed = |all: usize, rare: usize| {
        all > 0
            && ((short && all < SYLLABIC_ALWAYS_BELOW) || rare * 1000 >= all * SYLLABIC_RARE_SHARE)
    };
    let mut weigh = 0;
    if weighed(kana, scan.rare_kana) {
        weigh |= WEIGH_KANA;
    }
    if weighed(hangul, scan.rare_hangul) {
        weigh |= WEIGH_HANGUL;
    }
    weigh
}

/// Whose common characters count as suspicious: kana's…
const WEIGH_KANA: u8 = 1;
/// …the Hangul syllables'.
const WEIGH_HANGUL: u8 = 2;

/// How many characters of `bytes` are kana (E3 81 80 to E3 83 BF) and how many have the
/// lead byte of a Hangul syllable (0xEA–0xED: U+A000–U+DFFF, which but for a few rare
/// scripts' blocks is the syllables), counted in bytes 255 at a time so that the loop is a
/// vector one. The count stops once it has found `enough_kana` kana and `enough_hangul`
/// syllables (the first piece that does: what it returns is then at least those): clean
/// Korean, long, shows the share its rare syllables are of it well within its first piece.
fn syllabic_count(bytes: &[u8], enough_kana: usize, enough_hangul: usize) -> (usize, usize) {
    let (mut kana, mut hangul) = (0, 0);
    let mut i = 0;
    while i < bytes.len() && (kana < enough_kana || hangul < enough_hangul) {
        let to = (i + SYLLABIC_PIECE).min(bytes.len());
        while i < to {
            let end = (i + 255).min(to);
            // Each byte with the one after it (the last byte of the text has none: it
            // begins no whole character).
            let next = &bytes[i + 1..(end + 1).min(bytes.len())];
            let (k, h) = bytes[i..end]
                .iter()
                .zip(next)
                .fold((0u8, 0u8), |(k, h), (&b, &c)| {
                    let kana = u8::from(b == 0xE3) & u8::from(c.wrapping_sub(0x81) < 3);
                    (k + kana, h + u8::from(b.wrapping_sub(0xEA) < 4))
                });
            kana += usize::from(k);
            hangul += usize::from(h);
            i = end;
        }
    }
    (kana, hangul)
}

/// The bytes [`syllabic_count`] counts between looks at whether it has counted enough.
const SYLLABIC_PIECE: usize = 4 << 10;

/// What GBK makes of two bytes 0xA1–0xFE: GB2312's characters, and the private-use ones
/// of GBK's user-defined rows (AAA1–AFFE, F8A1–FEFE) that misaligned GB2312 text makes of
/// a trail byte and a byte 0xAA–0xAF or 0xF8–0xFE (`服蚊\u{E360}芣` for `服务名称`).
/// Counted in, the held-out evaluation's misaligned strings gained 0.05 points of
/// character error rate; the clean-text check is unchanged.
static MISALIGNED_GB2312_BMP: LazyLock<Vec<u64>> =
    LazyLock::new(|| gbk_chars(0xA1..=0xFE, 0xA1..=0xFE));

/// Whether the two characters at the end of `run` are made of two bytes 0xA1–0xFE, as
/// misaligned GB2312 text always is (each character is a trail byte 0xA1–0xFE and a lead
/// 0xA1–0xF7: GB2312's, or a user-defined one, [`MISALIGNED_GB2312_BMP`]): clean
/// Traditional text ends in a character GB2312 lacks as often as not (`遠端檔`).
fn garbled_gb2312_before(run: &str) -> bool {
    let gb2312 = |c: Option<char>| c.is_some_and(|c| in_bits(&MISALIGNED_GB2312_BMP, c));
    let mut tail = run.chars().rev();
    gb2312(tail.next()) && gb2312(tail.next())
}

/// Characters (with the U+FFFD) from which a run ending in a lost trail byte's U+FFFD is a
/// candidate whatever its density: two garbled characters and the U+FFFD.
const LOST_TRAIL_MIN_CHARS: usize = 3;

/// The characters GBK makes of a GB2312 trail byte (0xA1–0xFE, read as a lead) and an
/// ASCII byte 0x40–0x7E: how misaligned GB2312 text ends where the byte that resynchronises
/// the decoder is a letter (`稯` is `头`'s trail byte and the `O` of `OID`). Decoded pair by
/// pair: an ASCII trail the decoder refuses is given back, and would shift the rest.
static SWALLOWING_BMP: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    for lead in 0xA1u8..=0xFE {
        for trail in 0x40u8..=0x7E {
            let pair = [lead, trail];
            let (s, bad) = encoding_rs::GBK.decode_without_bom_handling(&pair);
            let mut it = s.chars();
            if let (false, Some(c), None) = (bad, it.next(), it.next()) {
                let cp = c as u32;
                if cp < 0x10000 {
                    bits[(cp / 64) as usize] |= 1 << (cp % 64);
                }
            }
        }
    }
    bits
});

/// Whether the non-ASCII run `run` (of [`LOST_TRAIL_MIN_CHARS`] characters or more), before
/// the byte `next`, ends as misaligned GB2312 text ends where an ASCII byte 0x40–0x7E
/// resynchronised the decoder: in a character of [`SWALLOWING_BMP`] after two of GB2312's,
/// and before a letter, the rest of the word whose first byte it took
/// ([`Scan::lost_trail`]). Clean Traditional text ends a run in such a character every few
/// hundred characters (`稱`, `說` before a space, a comma, a pinyin artifact's `(`), and
/// before a letter almost never.
pub fn swallowed_end(run: &str, next: Option<u8>) -> bool {
    if !next.is_some_and(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let mut chars = run.chars();
    let Some(last) = chars.next_back() else {
        return false;
    };
    in_bits(&SWALLOWING_BMP, last)
        && garbled_gb2312_before(chars.as_str())
        && chars.count() + 1 >= LOST_TRAIL_MIN_CHARS
}

/// Text from which [`scan`] splits the work between threads.
const PARALLEL_SCAN: usize = 4 << 20;
/// The size of each piece then (cut after a line feed).
const SCAN_PIECE: usize = 1 << 20;

/// [`suspicious_runs`] and the loss-marker hint in one pass. A long text is scanned in
/// pieces on every thread: a run never crosses an ASCII byte, so pieces cut after a line
/// feed give the same runs as one scan.
///
/// Common kana and Hangul syllables count as suspicious only where [`weighed_scripts`]
/// says, which the scan without them tells (the rare ones it counts): a text for which they
/// do is scanned again.
pub fn scan(text: &str) -> Scan {
    let first = scan_with(text, 0);
    match weighed_scripts(text, &first) {
        0 => first,
        weigh => scan_with(text, weigh),
    }
}

/// [`scan`], with the common characters of the scripts `weigh` names counted as
/// suspicious.
fn scan_with(text: &str, weigh: u8) -> Scan {
    if text.len() < PARALLEL_SCAN {
        return scan_piece_with(text, weigh);
    }
    let bytes = text.as_bytes();
    let mut cuts = vec![0];
    let mut at = 0;
    while at + SCAN_PIECE < bytes.len() {
        match memchr::memchr(b'\n', &bytes[at + SCAN_PIECE..]) {
            Some(k) => at += SCAN_PIECE + k + 1,
            None => break,
        }
        cuts.push(at);
    }
    cuts.push(bytes.len());
    let pieces: Vec<Scan> = cuts
        .par_windows(2)
        .map(|w| {
            let mut piece = scan_piece_with(&text[w[0]..w[1]], weigh);
            for r in piece
                .runs
                .iter_mut()
                .chain(&mut piece.lost_trail)
                .chain(&mut piece.uncommon_han)
            {
                *r = (r.0 + w[0], r.1 + w[0]);
            }
            piece
        })
        .collect();
    let mut out = Scan::default();
    for piece in pieces {
        out.runs.extend(piece.runs);
        out.lost_trail.extend(piece.lost_trail);
        out.uncommon_han.extend(piece.uncommon_han);
        out.markers |= piece.markers;
        out.rare_kana += piece.rare_kana;
        out.rare_hangul += piece.rare_hangul;
    }
    out
}

// When a non-ASCII character alone between ASCII bytes is a candidate run, by the byte
// after it ([`lone_candidate`]): a double-byte lead with an ASCII trail after it, or a
// lossy marker; a lone accented letter or rare hanzi is just text.
/// Whatever follows: a C1 control or a Private Use character, never text.
const LONE_ALWAYS: u8 = 1;
/// Before a byte 0x40–0x7E, a double-byte trail: a Latin-1 symbol (not a letter) or `ƒ`
/// (a letter, but as windows-1252's 0x83 Shift_JIS's katakana lead, and real text does
/// not glue it to a letter: `ƒ(x)`, `ƒ/2.8`).
const LONE_BEFORE_TRAIL: u8 = 2;
/// Before `?`, a lossy reader's mark for the byte it could not read.
const LONE_BEFORE_MARK: u8 = 4;
/// Before a space: `Ã ` is `à` whose NBSP became a space (also as windows-1251 `Г `), `Å `
/// is `Š`, `Ð ` is `Р`.
const LONE_BEFORE_SPACE: u8 = 8;

/// The `LONE_*` rules of a character whose [`CLASS_BMP`] flags are `f`.
fn lone_rule(c: char, f: u8) -> u8 {
    if f & SUSPICIOUS == 0 {
        0
    } else if f & STRONG != 0 {
        LONE_ALWAYS
    } else {
        let trail = (c as u32) < 0x100 && !crate::model::is_letter(c) || c == 'ƒ';
        let space = matches!(c, 'Â' | 'Ã' | 'Å' | 'Î' | 'Ð' | 'Ù' | 'В' | 'Г');
        LONE_BEFORE_MARK
            | if trail { LONE_BEFORE_TRAIL } else { 0 }
            | if space { LONE_BEFORE_SPACE } else { 0 }
    }
}

/// Whether a character with the [`lone_rule`] `rule`, alone between ASCII bytes, is a
/// candidate run when `next` follows it.
#[inline]
fn lone_candidate(rule: u8, next: Option<u8>) -> bool {
    let needs = match next {
        Some(0x40..=0x7E) => LONE_BEFORE_TRAIL,
        Some(b'?') => LONE_BEFORE_MARK,
        Some(b' ') => LONE_BEFORE_SPACE,
        _ => 0,
    };
    rule & (LONE_ALWAYS | needs) != 0
}

/// [`lone_rule`] of the two-byte characters (U+0080–U+07FF) by code point: an accented
/// letter alone in a Latin word is the commonest non-ASCII character of European text, and
/// the scan settles it with one read.
static LONE_TWO_BYTE: LazyLock<Box<[u8; 0x800]>> = LazyLock::new(|| {
    let mut t = Box::new([0u8; 0x800]);
    for (cp, slot) in t.iter_mut().enumerate().skip(0x80) {
        let c = char::from_u32(cp as u32).expect("below the surrogates");
        *slot = lone_rule(c, CLASS_BMP[cp]);
    }
    t
});

/// One scan of `text`, with the common characters of the scripts `weigh` names counted as
/// suspicious.
fn scan_piece_with(text: &str, weigh: u8) -> Scan {
    match weigh {
        // (Where common syllables are weighed, a block would stop at every word.)
        0 if words_between_spaces(text) => scan_piece::<0, true>(text),
        0 => scan_piece::<0, false>(text),
        WEIGH_KANA => scan_piece::<WEIGH_KANA, false>(text),
        WEIGH_HANGUL => scan_piece::<WEIGH_HANGUL, false>(text),
        _ => scan_piece::<{ WEIGH_KANA | WEIGH_HANGUL }, false>(text),
    }
}

/// How much of a text (bytes) [`words_between_spaces`] samples.
const SPACED_SAMPLE_BYTES: usize = 4 << 10;

/// Whether `text` writes its CJK in words between spaces, as Korean does: whether its first
/// [`SPACED_SAMPLE_BYTES`] hold more three-byte characters led by 0xEA–0xED (the Hangul
/// syllables) than by any other byte. Its scan then goes on past a clean word in
/// [`skip_clean_blocks`]; Chinese and Japanese, whose runs of CJK are long, are faster
/// without them (clean Chinese: 8 % more instructions, 13 % more time with them).
fn words_between_spaces(text: &str) -> bool {
    let sample = &text.as_bytes()[..text.len().min(SPACED_SAMPLE_BYTES)];
    let (hangul, other) = sample.chunks(255).fold((0usize, 0usize), |(h, o), piece| {
        let (ph, pt) = piece.iter().fold((0u8, 0u8), |(h, t), &b| {
            (
                h + u8::from(b.wrapping_sub(0xEA) < 4),
                t + u8::from(b & 0xF0 == 0xE0),
            )
        });
        (h + usize::from(ph), o + usize::from(pt - ph))
    });
    hangul > other
}

/// [`scan_piece_with`], compiled for each (the first scan of clean text does not test for
/// what only the second needs), and for text written in words between spaces
/// ([`words_between_spaces`]) or not.
fn scan_piece<const WEIGH: u8, const SPACED: bool>(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let table: &[u8; 0x10000] = &CLASS_BMP;
    let flagged: &[u64; 4096] = if WEIGH == 0 {
        &FLAGGED_PAIR
    } else {
        &FLAGGED_PAIR_WEIGHED[usize::from(WEIGH) - 1]
    };
    let lone: &[u8; 0x800] = &LONE_TWO_BYTE;
    let mut out = Scan::default();
    // (Not in text written in words between spaces: Korean's runs are words.)
    let uncommon = !SPACED && text.len() < UNCOMMON_HAN_TEXT_MAX;
    let mut i = 0;
    // Where the current run of non-ASCII text began: just after the last ASCII byte.
    let mut run_start = 0;
    while i < bytes.len() {
        // The hot path of clean text: ASCII (eight bytes at a time where it comes in
        // stretches), and three-byte characters (all of CJK) whose flags are all zero. A
        // run made only of those is never a candidate, so it is stepped over unmeasured.
        if let Some(w) = bytes.get(i..i + 8) {
            // The ASCII bytes before the first other one, counted at once (a stretch of
            // one to seven, the punctuation and digits between runs of CJK, would end a
            // byte-by-byte loop at an unpredictable point).
            let high = u64::from_le_bytes(w.try_into().expect("8 bytes")) & 0x8080_8080_8080_8080;
            let ascii = (high.trailing_zeros() / 8) as usize;
            if ascii > 0 {
                if uncommon {
                    note_uncommon_han(text, run_start, i, &mut out);
                }
                i += ascii;
                run_start = i;
                continue;
            }
        } else if bytes[i] < 0x80 {
            if uncommon {
                note_uncommon_han(text, run_start, i, &mut out);
            }
            i += 1;
            run_start = i;
            continue;
        }
        let clean_end = skip_clean_cjk(bytes, i, flagged);
        if clean_end > i {
            i = clean_end;
            if SPACED && bytes.get(i).is_some_and(|&b| b < 0x80) {
                (i, run_start) = skip_clean_blocks(bytes, i, run_start, flagged);
            }
            // (A run of characters none of which is flagged is not looked at for a
            // [`swallowed_end`] either: a check at each run's end cost clean Chinese 4–7 %
            // more instructions, and on the held-out evaluation's misaligned strings found
            // one more of 900.)
            continue;
        }
        // A two-byte character alone between ASCII bytes (an accented letter in a Latin
        // word), settled by its [`LONE_TWO_BYTE`] rule and the byte after it. (Tried after
        // the clean-CJK skip: tried before it, it made clean Chinese 5 % slower.)
        if run_start == i {
            if let Some(&[b0, b1, next]) = bytes.get(i..i + 3) {
                if b0 & 0xE0 == 0xC0 && next < 0x80 {
                    let cp = (usize::from(b0 & 0x1F) << 6) | usize::from(b1 & 0x3F);
                    if lone_candidate(lone[cp], Some(next)) {
                        out.runs.push((i, i + 2));
                    }
                    i += 2;
                    run_start = i;
                    continue;
                }
            }
        }
        // A character that needs a look: measure its whole run, from the run's start (the
        // characters before it are clean three-byte ones).
        let start = run_start;
        let (mut chars, mut susp, mut level2, mut cyr, mut cyr_lead) =
            ((i - start) / 3, 0, 0, 0, 0);
        let mut cyr_trail = false;
        let mut any = 0u8;
        loop {
            let f = match bytes.get(i..i + 3) {
                Some(&[b0, b1, b2]) if b0 & 0xF0 == 0xE0 => {
                    // The hot path of clean text: three-byte characters (all of CJK) whose
                    // flags are all zero, in a loop of their own.
                    let clean_end = skip_clean_cjk(bytes, i, flagged);
                    if clean_end > i {
                        chars += (clean_end - i) / 3;
                        i = clean_end;
                        continue;
                    }
                    i += 3;
                    let f = table[cp3(b0, b1, b2)];
                    // (Kana and Hangul are all three-byte characters, kana led by E3.)
                    let script = if b0 == 0xE3 { WEIGH_KANA } else { WEIGH_HANGUL };
                    if WEIGH != 0 && f & SYLLABIC != 0 && WEIGH & script != 0 {
                        f | SUSPICIOUS
                    } else {
                        f
                    }
                }
                // Two-byte characters (Latin mojibake is made of them) without decoding.
                Some(&[b0, b1, _]) if b0 & 0xE0 == 0xC0 => {
                    i += 2;
                    table[(usize::from(b0 & 0x1F) << 6) | usize::from(b1 & 0x3F)]
                }
                _ => match bytes.get(i) {
                    Some(&b) if b >= 0x80 => {
                        let (c, len) = decode_at(bytes, i);
                        i += len;
                        class(c)
                    }
                    _ => break,
                },
            };
            chars += 1;
            if f != 0 {
                any |= f;
                susp += usize::from(f & SUSPICIOUS != 0);
                level2 += usize::from(f & LEVEL2 != 0);
                cyr += usize::from(f & CYRILLIC != 0);
                cyr_lead += usize::from(f & CYRILLIC_LEAD != 0);
                cyr_trail |= f & CYRILLIC_TRAIL != 0;
            }
        }
        if any & SYLLABIC != 0 {
            // (Counted here, not per character: text with neither pays one test a run.)
            for c in text[start..i].chars().filter(|&c| rare_syllabic(c)) {
                if c < '\u{3100}' {
                    out.rare_kana += 1;
                } else {
                    out.rare_hangul += 1;
                }
            }
        }
        if any & MARKER != 0 && !out.markers {
            let run = &bytes[start..i];
            out.markers = crate::repair::lossy::MARKERS
                .iter()
                .any(|(pat, _)| memchr::memmem::find(run, pat.as_bytes()).is_some());
        }
        let keep = if susp == 0 {
            // Nothing rare, but a third of it GB2312 level 2 (2 % of Chinese text): UTF-8
            // read as GBK whose characters happen to be in jieba's list or to fold to one
            // that is (`璁剧疆杈撳嚭鏍煎紡`, with `紡` the Traditional `纺`).
            chars >= LEVEL2_ONLY_MIN_CHARS && level2 * 3 >= chars
        } else if any & STRONG != 0 {
            // Never in clean text: C1 controls and Private Use.
            true
        } else if cyr == chars && chars >= 2 {
            // A Cyrillic word: mojibake only if nearly half of it is Р/С/Г/В/в/Ђ (the UTF-8
            // lead bytes D0/D1/C3/C2/E2 and E2 80's 0x80 read as windows-1251), or if it
            // holds a two-byte UTF-8 sequence read so (Latin Extended letters: `KhorДЃsДЃn`
            // is `Khorāsān`, whose `ā` no Russian word has the letters of).
            cyr_lead * 10 >= chars * 4 || (cyr_trail && has_cp1251_pair(&text[start..i]))
        } else if chars == 1 {
            let c = text[start..i].chars().next().expect("one char");
            lone_candidate(lone_rule(c, any), bytes.get(i).copied())
        } else {
            // Dense enough: at least one suspicious character in four, or two of them in a
            // short run.
            susp * 4 >= chars || (susp >= 2 && chars <= 12) || (susp + level2) * 3 >= chars
        };
        // A run that ends in U+FFFD before an ASCII byte below 0x40 (or the end) is how a
        // browser's GBK decoder leaves misaligned text: the last trail byte and the byte
        // that resynchronised it made no character ([`Scan::lost_trail`]).
        if keep {
            out.runs.push((start, i));
        } else if chars >= LOST_TRAIL_MIN_CHARS
            && (bytes[start..i].ends_with("\u{FFFD}".as_bytes())
                && bytes.get(i).is_none_or(|&b| b < 0x40)
                && garbled_gb2312_before(&text[start..i - 3])
                || swallowed_end(&text[start..i], bytes.get(i).copied()))
        {
            out.lost_trail.push((start, i));
        } else if uncommon && any & !(SUSPICIOUS | LEVEL2) == 0 {
            // (Rare characters are Han or not; any other flag is not Han.)
            note_uncommon_han(text, start, i, &mut out);
        }
        run_start = i;
    }
    if uncommon {
        note_uncommon_han(text, run_start, bytes.len(), &mut out);
    }
    out
}

/// Texts shorter than this (bytes) are looked at for [`Scan::uncommon_han`]: a message, a
/// short document. A longer one garbled through one code page shows it in the runs the
/// scan finds, and the document's channel is then read into every run (Chinese that writes
/// ASCII punctuation has a short run every few dozen bytes, and weighing each cost the
/// scan of such text a third of its time).
const UNCOMMON_HAN_TEXT_MAX: usize = 64 * 1024;
/// Runs of Han characters at most this long are weighed by [`uncommon_han`]: a word or two
/// (of the 380 such runs below [`UNCOMMON_HAN_MEAN`] in the catalogs' Big5 read as GBK,
/// 379 are; a longer reading's garbage holds a rare character every few, which the density
/// rule finds).
const UNCOMMON_HAN_MAX_CHARS: usize = 8;
/// The mean log-probability (nats) of the characters of a run, alone, below which it is
/// [`uncommon_han`]. What Big5 makes of GBK and the reverse are characters each code page
/// orders by strokes or by sound, not by use: of the 434 short runs of Han characters with
/// no rare one that GBK makes of the Big5 of the zh_TW message catalogs installed here,
/// 88 % are below it; of the 206,000 in the Chinese catalogs and manual pages, 0.07 %
/// (which are only weighed: a reading must still beat the text as it stands). At −9, 93 %
/// and 1.6 %: the model would be loaded for most clean texts, which triples a small one's
/// time.
const UNCOMMON_HAN_MEAN: f32 = -10.0;

/// Whether `run`, two to [`UNCOMMON_HAN_MAX_CHARS`] Han characters, is uncommon together:
/// the mean of its characters' log-probabilities below [`UNCOMMON_HAN_MEAN`].
fn uncommon_han(run: &str) -> bool {
    if run.len() < 6 || run.len() > 4 * UNCOMMON_HAN_MAX_CHARS {
        return false;
    }
    let HanCosts { table, most } = &*HAN_COST;
    let bar = (-UNCOMMON_HAN_MEAN * HAN_COST_SCALE) as i32;
    let most = i32::from(*most);
    // The sum of the costs less `bar` a character: it must end above zero. Most runs of
    // clean text are settled by their first character or two, a common one whose shortfall
    // the rest could not make up even if each were as rare as any (a Han character is
    // three bytes at least).
    let bytes = run.as_bytes();
    let mut balance = 0i32;
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() {
        // (Three-byte characters, all the scan passes here but extension B's four-byte
        // ones, are decoded in place.)
        let (cost, len) = match bytes[i..] {
            [b0, b1, b2, ..] if b0 & 0xF0 == 0xE0 => {
                match table.get((cp3(b0, b1, b2) as u32).wrapping_sub(HAN_COST_START) as usize) {
                    Some(&0) => return false,
                    Some(&k) => (i32::from(k), 3),
                    None => match run[i..].chars().next() {
                        Some(c) if crate::model::is_han(c) => (i32::from(han_cost(c)).min(most), 3),
                        _ => return false,
                    },
                }
            }
            _ => match run[i..].chars().next() {
                Some(c) if crate::model::is_han(c) => {
                    (i32::from(han_cost(c)).min(most), c.len_utf8())
                }
                _ => return false,
            },
        };
        i += len;
        n += 1;
        balance += cost - bar;
        let left = ((bytes.len() - i) / 3) as i32;
        if balance + left * (most - bar) <= 0 {
            return false;
        }
    }
    (2..=UNCOMMON_HAN_MAX_CHARS).contains(&n)
}

/// The Han characters whose [`han_cost`] is read from a table: the dense range of the
/// model (extension A and the unified ideographs), where every run the scan meets is.
const HAN_COST_START: u32 = 0x3400;
const HAN_COST_END: u32 = 0xA000;
/// Units of [`han_cost`] per nat.
const HAN_COST_SCALE: f32 = 4.0;

/// A Han character's log-probability alone, negated, in quarters of a nat (1–255): what
/// [`uncommon_han`] adds up, one look-up a character (the model's own look-up folds
/// Traditional forms first, a table and a test more; the scan meets a short run of Han
/// characters every few dozen bytes of Chinese that writes ASCII punctuation).
fn han_cost(c: char) -> u8 {
    (-crate::model::han_logp(c) * HAN_COST_SCALE)
        .round()
        .clamp(1.0, 255.0) as u8
}

/// [`han_cost`] from [`HAN_COST_START`] to [`HAN_COST_END`] (0 for what is not Han), and
/// the most any character costs.
struct HanCosts {
    table: Box<[u8]>,
    most: u8,
}

static HAN_COST: LazyLock<HanCosts> = LazyLock::new(|| {
    let table: Box<[u8]> = (HAN_COST_START..HAN_COST_END)
        .map(|cp| {
            char::from_u32(cp)
                .filter(|&c| crate::model::is_han(c))
                .map_or(0, han_cost)
        })
        .collect();
    let most = table.iter().copied().max().unwrap_or(255);
    HanCosts { table, most }
});

/// Notes `text[start..end]` in [`Scan::uncommon_han`] if it is such a run.
#[inline]
fn note_uncommon_han(text: &str, start: usize, end: usize, out: &mut Scan) {
    if end > start && end - start <= 4 * UNCOMMON_HAN_MAX_CHARS && uncommon_han(&text[start..end]) {
        out.uncommon_han.push((start, end));
    }
}

/// Whether `c` is a Cyrillic letter windows-1251 encodes at 0x80–0xBF (the letters of
/// Serbian, Macedonian, Ukrainian and Belarusian beyond Russian's, and `Ёё`).
fn is_cp1251_continuation(c: char) -> bool {
    use super::channels::{single_byte, Reencode};
    (0x400..=0x4FF).contains(&(c as u32))
        && single_byte(c, Reencode::Legacy(encoding_rs::WINDOWS_1251))
            .is_some_and(|b| (0x80..=0xBF).contains(&b))
}

/// Whether `run` holds `Д` or `Е` (0xC4, 0xC5: the UTF-8 lead bytes of Latin Extended-A)
/// followed by a letter of [`is_cp1251_continuation`] — other than Ukrainian's `ДІ`
/// (`ВІДПОВІДНІСТЬ` in capitals), which would be the rare `Ĳ`. Other capitals before such a
/// letter are Ukrainian, Belarusian or Serbian words in capitals (`МІНІМАЛЬНИЙ`, `ЉУБАВ`).
fn has_cp1251_pair(run: &str) -> bool {
    let mut prev = '\0';
    run.chars().any(|c| {
        let pair = match prev {
            'Д' => is_cp1251_continuation(c) && c != 'І' && c != 'і',
            'Е' => is_cp1251_continuation(c),
            _ => false,
        };
        prev = c;
        pair
    })
}

/// The code point of a three-byte UTF-8 sequence.
#[inline(always)]
fn cp3(b0: u8, b1: u8, b2: u8) -> usize {
    ((b0 as usize & 0x0F) << 12) | ((b1 as usize & 0x3F) << 6) | (b2 as usize & 0x3F)
}

/// From `i`, past the three-byte characters whose flags are all zero; returns where the
/// first other character (or the end) is.
#[inline(always)]
fn skip_clean_cjk(bytes: &[u8], mut i: usize, table: &[u64; 4096]) -> usize {
    // A character's flag word from its first two bytes (the low sixteen bits, lead first),
    // its bit from the third (the low byte): the [`pair_index`] look-up, from a word.
    let word = |lead_and_next: u64| table[(lead_and_next as u16).swap_bytes() as usize & 0x0FFF];
    let bit = |third: u64| 1u64 << (third & 63);
    // Four, then one at a time. Each test is a branch of its own: all are taken only at
    // the end of a run, and separate bit tests need fewer registers than one combined. The
    // four lead bytes (offsets 0, 3, 6 and 9) are checked together from two words.
    while let Some(twelve) = bytes.get(i..i + 12) {
        let head = u64::from_le_bytes(twelve[..8].try_into().expect("8 bytes"));
        let tail = u32::from_le_bytes(twelve[8..].try_into().expect("4 bytes"));
        if head & 0x00F0_0000_F000_00F0 != 0x00E0_0000_E000_00E0
            || tail & 0xF000 != 0xE000
            || word(head) & bit(head >> 16) != 0
            || word(head >> 24) & bit(head >> 40) != 0
            || word(head >> 48) & bit(u64::from(tail)) != 0
            || word(u64::from(tail >> 8)) & bit(u64::from(tail >> 24)) != 0
        {
            break;
        }
        i += 12;
    }
    while let Some(&[b0, b1, b2]) = bytes.get(i..i + 3) {
        if b0 & 0xF0 != 0xE0
            || word(u64::from(u16::from_le_bytes([b0, b1]))) & bit(u64::from(b2)) != 0
        {
            break;
        }
        i += 3;
    }
    i
}

/// The bytes [`skip_clean_blocks`] judges at once.
const BLOCK: usize = 16;

/// The high bit of each of a word's bytes set where that byte is a lead byte of a
/// three-byte character (1110xxxx).
#[inline(always)]
fn three_byte_leads(w: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // The bytes that are zero once the lead's pattern is taken away.
    let x = (w & 0xF0F0_F0F0_F0F0_F0F0) ^ 0xE0E0_E0E0_E0E0_E0E0;
    !(((x & LOW) + LOW) | x) & HIGH
}

/// The high bits of a word's bytes (bits 7, 15, …, 63), as the low eight bits.
#[inline(always)]
fn gather_high_bits(m: u64) -> u32 {
    ((m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// From `i`, a character boundary in the run that began at `run_start` (just after the
/// last ASCII byte), past the [`BLOCK`]-byte blocks made of ASCII and of three-byte
/// characters whose flags are all zero, each with an ASCII byte in it; returns where the
/// first other block begins (a character boundary) and where the run there began.
///
/// Korean writes its words between spaces, a run of CJK every eight bytes or so, and a
/// loop that stops at each run's end mispredicts its way through them (the clean-CJK
/// skip, then the ASCII count, twice a word). Here a block's characters are all tested,
/// as many as it holds, with no branch but the one that ends the blocks. A block with no
/// ASCII byte is left to [`skip_clean_cjk`], faster through a long run of CJK, and one
/// with nothing else to the ASCII count, faster through markup (cachegrind, 20 MB of
/// Korean manual pages: branch mispredictions 3.7M → 0.8M, instructions 442M → 380M with
/// the cheaper syllable count).
#[inline(always)]
fn skip_clean_blocks(
    bytes: &[u8],
    mut i: usize,
    mut run_start: usize,
    table: &[u64; 4096],
) -> (usize, usize) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A block's characters, and the two bytes after it that its last one may end in, and
    // one more for the look-up that finds no character.
    while let Some(window) = bytes.get(i..i + BLOCK + 3) {
        let window: &[u8; BLOCK + 3] = window.try_into().expect("a block and three");
        let lo = u64::from_le_bytes(window[..8].try_into().expect("8 bytes"));
        let hi = u64::from_le_bytes(window[8..16].try_into().expect("8 bytes"));
        let (lo_three, hi_three) = (three_byte_leads(lo), three_byte_leads(hi));
        // Lead bytes (11xxxxxx) of characters of two or four bytes.
        let other = (lo & (lo << 1) & HIGH & !lo_three) | (hi & (hi << 1) & HIGH & !hi_three);
        let ascii = gather_high_bits(!lo & HIGH) | gather_high_bits(!hi & HIGH) << 8;
        if other != 0 || ascii == 0 || ascii == 0xFFFF {
            break;
        }
        // The three-byte characters' flags, lowest lead first: a block with an ASCII byte
        // holds at most five (six would fill it: at 0, 3, 6, 9, 12 and 15); a look-up past
        // the last is at byte 16 and masked.
        let leads = gather_high_bits(lo_three) | gather_high_bits(hi_three) << 8;
        let mut rest = leads;
        let mut flagged = 0u64;
        for _ in 0..5 {
            let at = (rest | 1 << BLOCK).trailing_zeros() as usize;
            let word = table[pair_index(window[at], window[at + 1])];
            let within = u64::from(at < BLOCK).wrapping_neg();
            flagged |= word & (1 << (window[at + 2] & 63)) & within;
            rest &= rest.wrapping_sub(1);
        }
        if flagged != 0 {
            break;
        }
        run_start = i + (32 - ascii.leading_zeros()) as usize;
        // A character led at byte 14 or 15 ends one or two bytes into the next block.
        i += BLOCK + ((leads >> 14) & 1) as usize + 2 * ((leads >> 15) & 1) as usize;
    }
    (i, run_start)
}

#[inline]
fn decode_at(bytes: &[u8], i: usize) -> (char, usize) {
    let b = bytes[i];
    let (len, init) = match b {
        0xC0..=0xDF => (2, (b & 0x1F) as u32),
        0xE0..=0xEF => (3, (b & 0x0F) as u32),
        _ => (4, (b & 0x07) as u32),
    };
    let mut cp = init;
    for &cb in &bytes[i + 1..i + len] {
        cp = (cp << 6) | (cb & 0x3F) as u32;
    }
    (char::from_u32(cp).unwrap_or('\u{FFFD}'), len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_scanned_in_pieces_gives_the_runs_of_one_scan() {
        // Seed 002's mojibake between clean lines, past the parallel threshold, with a
        // line that is one long run (no line feed inside a piece's first megabyte).
        let seed = include_str!("../../fixtures/seeds/002_fffee6579d95772e.txt");
        let mut text = String::new();
        let mut k = 0;
        while text.len() < PARALLEL_SCAN + 3 * SCAN_PIECE {
            text.push_str(seed);
            text.push_str("æ‚¨çš„ä½ç½®:é¦–é¡µ 锟斤拷\n");
            if k == 3 {
                text.push_str(&"æ‚¨çš„".repeat(SCAN_PIECE / 8));
            }
            k += 1;
        }
        let whole = scan_piece::<0, false>(&text);
        let pieces = scan(&text);
        assert!(whole.runs.len() > 100);
        assert_eq!(pieces.runs, whole.runs);
        assert_eq!(pieces.markers, whole.markers);
    }

    #[test]
    fn the_clean_skip_stops_at_exactly_the_flagged_characters() {
        // Every three-byte character, alone and as the fifth of a row (past the four-wide
        // loop), between clean ones: the skip stops at it iff its class has a flag (other
        // than a common kana's or Hangul syllable's, unless their script is weighed).
        for weigh in 0..=WEIGH_KANA | WEIGH_HANGUL {
            let table: &[u64; 4096] = match weigh {
                0 => &FLAGGED_PAIR,
                w => &FLAGGED_PAIR_WEIGHED[usize::from(w) - 1],
            };
            for cp in 0x800..0x10000u32 {
                let Some(c) = char::from_u32(cp) else {
                    continue;
                };
                let f = CLASS_BMP[cp as usize];
                let script = match c {
                    '\u{3040}'..='\u{30FF}' => WEIGH_KANA,
                    '\u{AC00}'..='\u{D7A3}' => WEIGH_HANGUL,
                    _ => 0,
                };
                let flagged = f != 0 && (f != SYLLABIC || weigh & script != 0);
                let alone = c.to_string();
                assert_eq!(
                    skip_clean_cjk(alone.as_bytes(), 0, table) == 0,
                    flagged,
                    "{c:?}"
                );
                let row = format!("一二三四{c}五六七八九十百");
                let stop = skip_clean_cjk(row.as_bytes(), 0, table);
                assert_eq!(stop, if flagged { 12 } else { row.len() }, "{c:?}");
            }
        }
        // Every kana and Hangul syllable is flagged SYLLABIC, the rare ones SUSPICIOUS too.
        assert_eq!(CLASS_BMP[0xAC00], SYLLABIC, "가");
        assert_eq!(CLASS_BMP['뵨' as usize], SYLLABIC | SUSPICIOUS);
        assert_eq!(CLASS_BMP['の' as usize], SYLLABIC);
        assert_eq!(CLASS_BMP['ぃ' as usize], SYLLABIC | SUSPICIOUS);
    }

    #[test]
    fn korean_scanned_in_blocks_gives_the_runs_of_the_scan_character_by_character() {
        // Random texts of words between spaces: common and rare Hangul (`뵨`, flagged),
        // Han, two- and four-byte characters, U+FFFD and Private Use among ASCII, so that
        // every block position, a character straddling the block's end, and each reason a
        // block stops come up; the blocks must find what the character loop finds.
        let pieces = [
            " ",
            " ",
            " ",
            "a",
            "?",
            "\n",
            "1.",
            "한",
            "국",
            "어",
            "는",
            "뵨",
            "끕",
            "中",
            "缃",
            "é",
            "Ã©",
            "😀",
            "\u{FFFD}",
            "\u{E000}",
            "「",
            "锟斤拷",
        ];
        let mut random = crate::test_support::xorshift(0x9E37_79B9_7F4A_7C15);
        let mut next = |n: usize| (random() % n as u64) as usize;
        let mut blocks_passed = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..next(40) {
                // Mostly common Hangul and spaces, as Korean is.
                let k = if next(3) == 0 {
                    next(pieces.len())
                } else {
                    next(10)
                };
                text.push_str(pieces[k]);
            }
            let blocks = scan_piece::<0, true>(&text);
            let chars = scan_piece::<0, false>(&text);
            assert_eq!(blocks.runs, chars.runs, "{text:?}");
            assert_eq!(blocks.lost_trail, chars.lost_trail, "{text:?}");
            assert_eq!(blocks.markers, chars.markers, "{text:?}");
            let (end, _) = skip_clean_blocks(text.as_bytes(), 0, 0, &FLAGGED_PAIR);
            blocks_passed += usize::from(end > 0);
        }
        assert!(blocks_passed > 1000, "{blocks_passed}");
    }

    #[test]
    fn the_block_masks_are_the_bytes_they_describe() {
        let mut random = crate::test_support::xorshift(0x2545_F491_4F6C_DD1D);
        for _ in 0..100_000 {
            let state = random();
            let bytes = state.to_le_bytes();
            let (mut leads, mut high) = (0u32, 0u32);
            for (k, &b) in bytes.iter().enumerate() {
                leads |= u32::from(b & 0xF0 == 0xE0) << k;
                high |= u32::from(b >= 0x80) << k;
            }
            assert_eq!(
                gather_high_bits(three_byte_leads(state)),
                leads,
                "{bytes:x?}"
            );
            assert_eq!(
                gather_high_bits(state & 0x8080_8080_8080_8080),
                high,
                "{bytes:x?}"
            );
        }
    }

    #[test]
    fn korean_is_told_written_between_spaces() {
        assert!(words_between_spaces("한국어는 띄어쓰기를 합니다. 「」"));
        assert!(!words_between_spaces("中文不用空格。한국"));
        assert!(!words_between_spaces("日本語は「分かち書き」をしません。"));
        assert!(!words_between_spaces("plain ASCII"));
    }

    #[test]
    fn a_lone_character_is_a_candidate_by_the_byte_after_it() {
        // (text, whether its one non-ASCII character is a candidate run): the two-byte
        // characters are settled by the scan's table, the others (`’`, `€`) the long way,
        // by the same rules.
        for (s, candidate) in [
            // Letters are text, whatever follows; a lossy reader's `?` may follow anything.
            ("café au lait", false),
            ("caféx", false),
            ("café?", true),
            ("Straße", false),
            // A Latin-1 symbol or `ƒ` glued to a trail byte 0x40–0x7E: a double-byte
            // character read one byte per character.
            ("a×b", true),
            ("a×1", false),
            ("a×", false),
            ("ƒa", true),
            ("x»y", true),
            // The leads whose NBSP became a space.
            ("Ã perturber", true),
            ("Ãx", false),
            ("Г ", true),
            ("Ж ", false),
            // C1 controls are never text.
            ("a\u{85}b", true),
            ("a\u{85}", true),
            // Three-byte characters: the same rules.
            // (`’` is not suspicious at all: clean text is full of it.)
            ("it’s", false),
            ("it’?", false),
            ("5€a", false),
            ("5€?", true),
        ] {
            let runs = suspicious_runs(s);
            assert_eq!(!runs.is_empty(), candidate, "{s:?}: {runs:?}");
        }
    }

    #[test]
    fn japanese_shinjitai_of_common_characters_are_text() {
        // `関` (關, 关), `訳` (譯, 译), `読` (讀, 读) are written on every Japanese manual
        // page; a rare Chinese character (`缃`, what UTF-8 read as GBK makes of `署`)
        // still counts.
        for c in ['関', '訳', '読', '圧', '栄'] {
            assert!(!is_suspicious(c), "{c}");
        }
        assert!(is_suspicious('缃'));
        assert!(suspicious_runs("関連項目\n").is_empty());
        assert!(!suspicious_runs("鐪熺殑瑕佸缓绔嬪棊\n").is_empty());
    }

    #[test]
    fn a_run_ending_in_a_swallowed_letter_is_noted_apart() {
        // (text, whether its first run ends the way misaligned GB2312 text ends before a
        // letter): `贠` is GBK DA 4F, a trail byte and the `O` of `OA`.
        for (s, noted) in [
            ("公开信狄言贠A上发布", true),
            // Not before a letter: the rest of a word would follow.
            ("公开信狄言贠 上发布", false),
            ("公开信狄言贠", false),
            // Too short: one character and the swallowing one.
            ("言贠A", false),
            // The two before it are made of bytes 0xA1–0xFE (GB2312 or user-defined)…
            ("服蚊\u{E360}芣rvice", true),
            // …which Traditional `們` (GBK 82 83) is not; `稱` is B7 51.
            ("我們稱A", false),
            // A run ending in a GB2312 character: what clean Chinese does.
            ("实施方案在OA上发布", false),
        ] {
            let end = s.find(|c: char| c.is_ascii()).unwrap_or(s.len());
            assert_eq!(
                swallowed_end(&s[..end], s.as_bytes().get(end).copied()),
                noted,
                "{s:?}"
            );
        }
        // The scan notes such a run apart when it is not dense enough to be a candidate.
        assert_eq!(scan("公开信狄言贠A上发布").lost_trail, vec![(0, 18)]);
    }

    #[test]
    fn short_runs_of_han_uncommon_together_are_noted_apart() {
        // Seed 001's 培訓 and 體驗 in Big5 read as GBK: common characters, no rare one.
        for (text, noted) in [
            ("蚌癡", vec![(0, 6)]),
            ("砰喷,", vec![(0, 6)]),
            ("3 蚌癡 砰喷", vec![(2, 8), (9, 15)]),
            // The words themselves, and clean words between ASCII.
            ("培訓 體驗", vec![]),
            ("用法: %s [选项]", vec![]),
            // One character is too little to weigh; a run with a full stop is not Han alone.
            ("蚌 癡", vec![]),
            ("蚌癡。", vec![]),
        ] {
            let found = scan(text);
            assert!(found.runs.is_empty(), "{text:?}");
            assert_eq!(found.uncommon_han, noted, "{text:?}");
        }
        // Nine characters are too long to weigh (`蚌癡` four times and a half).
        assert_eq!(scan("蚌癡蚌癡蚌癡蚌癡蚌").uncommon_han, vec![]);
        // A long text is not looked at for them.
        let line = "3 蚌癡\n";
        let lines = (UNCOMMON_HAN_TEXT_MAX - 1) / line.len();
        assert_eq!(scan(&line.repeat(lines)).uncommon_han.len(), lines);
        assert_eq!(scan(&line.repeat(lines + 1)).uncommon_han, vec![]);
    }

    #[test]
    fn common_hangul_is_suspicious_only_in_a_short_text_or_beside_rare_hangul() {
        // `켓꼬뒈혐` is GBK `南部地区`'s bytes read as EUC-KR: four syllables Korean uses.
        // `헝渴흙痰빵츰뵨쵱쯤` (GBK `请输入用户名和密码`) holds two it never does (`뵨쵱`).
        let garbage = "켓꼬뒈혐";
        let rare = "헝渴흙痰빵츰뵨쵱쯤";
        let korean = "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다.\n";
        let long = korean.repeat(3);
        assert!(long.chars().filter(|c| is_hangul(*c)).count() >= SYLLABIC_ALWAYS_BELOW);
        // Every run of two characters or more (a lone syllable has rules of its own).
        let all = |s: &str| {
            non_ascii_runs(s)
                .filter(|&(a, b)| s[a..b].chars().nth(1).is_some())
                .collect::<Vec<_>>()
        };
        // Short: the garbage is weighed; so is every word of a short Korean sentence (and
        // left alone by the model, which the negative fixtures hold).
        assert_eq!(scan(garbage).runs, vec![(0, garbage.len())]);
        assert_eq!(scan(korean).runs, all(korean));
        // Long Korean text with no rare syllable: nothing is weighed, the garbage neither.
        assert_eq!(scan(&long).runs, vec![]);
        let with_garbage = format!("{long}{garbage}\n");
        assert_eq!(scan(&with_garbage).runs, vec![]);
        // With a rare-syllable passage too, every run is weighed, as in a short text.
        let both = format!("{long}{rare}\n{garbage}\n");
        assert_eq!(scan(&both).runs, all(&both));
        // In an ASCII text the garbage is weighed where the text is short enough for its
        // Hangul to be counted, or holds a rare syllable; past that length, with no rare
        // syllable, its Hangul is not looked for (clean Chinese is spared the count).
        let english = "The quick brown fox jumps over the lazy dog.\n";
        let short = format!("{english}{garbage}\n");
        assert_eq!(scan(&short).runs, vec![(english.len(), short.len() - 1)]);
        let long_english = english.repeat(SYLLABIC_COUNTED_BELOW / english.len() + 1);
        let lone = format!("{long_english}{garbage}\n");
        assert_eq!(scan(&lone).runs, vec![]);
        let at = long_english.len();
        let with_rare = format!("{long_english}{rare}\n{garbage}\n");
        let g = at + rare.len() + 1;
        assert_eq!(
            scan(&with_rare).runs,
            vec![(at, at + rare.len()), (g, g + garbage.len())]
        );
    }

    #[test]
    fn kana_and_hangul_are_weighed_each_by_its_own_rare_share() {
        // (text, the scripts whose common characters count as suspicious in it)
        let ja = include_str!("../../fixtures/text/ja.txt");
        let ko = include_str!("../../fixtures/text/ko.txt").repeat(2);
        // `だ瞒` is Big5 `分離` read as GBK; `ぃや穿` is `不支援` (`ぃ`: rare in Japanese).
        let big5 = "ぃや穿\n";
        for (text, weighed) in [
            // Japanese: short, then long enough to tell (52 kana, then 104).
            (ja.to_string(), WEIGH_KANA),
            (ja.repeat(2), 0),
            // Garbage alone.
            ("だ瞒".to_string(), WEIGH_KANA),
            // Korean: its Hangul stays unweighed beside the kana of Big5 read as GBK, and
            // the other way round (`뵨쵱` are rare syllables).
            (ko.clone(), 0),
            (format!("{ko}{big5}"), WEIGH_KANA),
            (format!("{ko}헝渴흙痰빵츰뵨쵱쯤\n"), WEIGH_HANGUL),
            (
                format!("{}{big5}헝渴흙痰빵츰뵨쵱쯤\n", "plain ASCII\n".repeat(9)),
                3,
            ),
        ] {
            let first = scan_with(&text, 0);
            assert_eq!(weighed_scripts(&text, &first), weighed, "{text}");
        }
    }

    #[test]
    fn a_long_texts_syllables_are_counted_as_far_as_its_share_needs() {
        // 700 rare syllables after common ones: weighed while all of them number at most a
        // hundred times the rare ones, whether the count stops early or not.
        let rare = 700;
        for (all, weighed) in [(70_000, WEIGH_HANGUL), (70_001, 0), (69_998, WEIGH_HANGUL)] {
            let common = all - rare;
            let mut text = "가나 ".repeat(common / 2);
            if common % 2 == 1 {
                text.push_str("가 ");
            }
            text.push_str(&"뵨 ".repeat(rare));
            let first = scan_with(&text, 0);
            assert_eq!(first.rare_hangul, rare);
            assert_eq!(
                syllabic_count(text.as_bytes(), usize::MAX, usize::MAX),
                (0, all)
            );
            assert_eq!(weighed_scripts(&text, &first), weighed, "{all}");
        }
        // The count stops at the first piece past what is enough.
        let text = "가".repeat(10 * SYLLABIC_PIECE);
        let (_, counted) = syllabic_count(text.as_bytes(), 0, 100);
        assert_eq!(counted, SYLLABIC_PIECE / 3 + 1);
    }

    fn is_hangul(c: char) -> bool {
        ('\u{AC00}'..='\u{D7A3}').contains(&c)
    }

    #[test]
    fn clean_text_has_no_candidate_runs() {
        for s in [
            "你好，世界。",
            "中华人民共和国成立了",
            "plain ASCII",
            "黨建三創新經驗交流",
            "😀 emoji",
            "café naïve été",
            "Привет, мир",
            "珍馐美味在桌上摆满了",
            "ƒ(x) = ƒ/2.8",
        ] {
            assert_eq!(suspicious_runs(s), vec![], "{s}");
        }
    }

    #[test]
    fn the_scan_notes_loss_markers_only_when_one_is_there() {
        assert!(scan("数据锟斤拷丢失").markers);
        assert!(scan("内存烫烫烫").markers);
        assert!(
            !scan("屯门和烫手的山芋").markers,
            "the characters alone are words"
        );
        assert!(!scan("plain text").markers);
    }

    #[test]
    fn long_clean_runs_pass_the_unrolled_loop() {
        // Lengths around the four- and two-at-a-time loops' edges, with one suspicious
        // character at every position: found wherever it is.
        let base = "中华人民共和国成立了";
        for n in 1..base.chars().count() {
            let clean: String = base.chars().cycle().take(n * 3).collect();
            assert!(scan(&clean).runs.is_empty(), "{clean}");
            for k in 0..=clean.chars().count() {
                let mut s: String = clean.chars().take(k).collect();
                s.push('\u{E0D3}');
                s.extend(clean.chars().skip(k));
                assert_eq!(scan(&s).runs, vec![(0, s.len())], "{s}");
            }
        }
    }

    #[test]
    fn korean_read_as_gbk_is_found_from_its_characters() {
        let ko = include_str!("../../fixtures/text/ko.txt");
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(ko);
        let (as_gbk, _) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
        let (sign, runs) = read_as_another_code_page(&as_gbk).expect("found");
        assert_eq!(sign, PageSign::KoreanAsGbk);
        // Every run of non-ASCII text, and nothing else.
        let non_ascii: Vec<(usize, usize)> = as_gbk
            .split(|c: char| c.is_ascii())
            .filter(|s| !s.is_empty())
            .map(|s| {
                let start = s.as_ptr() as usize - as_gbk.as_ptr() as usize;
                (start, start + s.len())
            })
            .collect();
        assert_eq!(runs, non_ascii);
        // Chinese, Japanese and Korean as they are: no.
        for clean in [
            include_str!("../../fixtures/text/zh_hans.txt"),
            include_str!("../../fixtures/text/zh_hant.txt"),
            include_str!("../../fixtures/text/ja.txt"),
            include_str!("../../fixtures/seeds/000_bb97d4d45944454e.txt"),
            ko,
        ] {
            assert_eq!(read_as_another_code_page(clean), None);
        }
        // Too few characters to tell; three are enough.
        assert_eq!(read_as_another_code_page("牢埃 abc"), None);
        assert!(read_as_another_code_page("牢埃篮 abc").is_some());
    }

    #[test]
    fn gbk_read_as_big5_is_found_from_its_characters() {
        // UDHR Article 1 in Chinese, GBK read as Big5: every character has a high trail.
        let zh = include_str!("../../fixtures/text/zh_hans.txt");
        let (bytes, _, _) = encoding_rs::GBK.encode(zh);
        let (as_big5, _) = encoding_rs::BIG5.decode_without_bom_handling(&bytes);
        let (sign, runs) = read_as_another_code_page(&as_big5).expect("found");
        assert_eq!(sign, PageSign::GbkAsBig5);
        assert_eq!(runs, non_ascii_runs(&as_big5).collect::<Vec<_>>());
        // Clean Traditional Chinese has low trails (40 % of its characters): no.
        assert_eq!(
            read_as_another_code_page(include_str!("../../fixtures/text/zh_hant.txt")),
            None
        );
        // Three characters are too few to tell; four are enough.
        assert_eq!(read_as_another_code_page("UTF-8 晤鎢腔"), None);
        assert!(read_as_another_code_page("UTF-8 晤鎢腔恅").is_some());
    }

    #[test]
    fn gbk_chars_decoded_at_once_match_pair_by_pair() {
        let mut one_by_one = vec![0u64; 0x10000 / 64];
        for lead in 0x81u8..=0xFE {
            for trail in 0x80u8..=0xFE {
                let pair = [lead, trail];
                let (s, bad) = encoding_rs::GBK.decode_without_bom_handling(&pair);
                if let (false, Some(c)) = (bad, s.chars().next()) {
                    assert!(
                        in_bits(&gbk_chars(lead..=lead, 0x80..=0xFE), c),
                        "{lead:X}{trail:X}"
                    );
                    one_by_one[c as usize / 64] |= 1 << (c as usize % 64);
                }
            }
        }
        assert_eq!(gbk_chars(0x81..=0xFE, 0x80..=0xFE), one_by_one);
    }

    #[test]
    fn lines_of_korean_read_as_gbk_are_found_one_by_one() {
        // 파일을 열 수 없습니다 read as GBK, a Chinese line, a line of two such characters
        // only, and a line where one of four is another.
        let text = "颇老阑 凯 荐 绝嚼聪促\n无法打开文件\n颇老\n颇老阑 荐 中\n";
        let lines = korean_as_gbk_lines(text);
        let shown: Vec<&str> = lines.iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(shown, ["颇老阑 凯 荐 绝嚼聪促\n"]);
        // The whole text does not show it (the Chinese line's characters are not those).
        assert_eq!(read_as_another_code_page(text), None);
        // A long text is judged by its start only.
        let long = text.repeat(SYLLABIC_COUNTED_BELOW / text.len() + 1);
        assert!(korean_as_gbk_lines(&long).is_empty());
    }

    #[test]
    fn non_ascii_runs_are_maximal_and_in_order() {
        let runs = |s: &str| non_ascii_runs(s).collect::<Vec<_>>();
        assert_eq!(runs(""), vec![]);
        assert_eq!(runs("plain"), vec![]);
        assert_eq!(runs("é"), vec![(0, 2)]);
        assert_eq!(runs("中文 ab 文,x"), vec![(0, 6), (10, 13)]);
        assert_eq!(runs("a中"), vec![(1, 4)]);
    }

    #[test]
    fn union_of_runs_is_sorted_without_repeats() {
        assert_eq!(
            union_of_runs(vec![(0, 3), (10, 13)], vec![(5, 8), (10, 13)]),
            vec![(0, 3), (5, 8), (10, 13)]
        );
    }

    #[test]
    fn mojibake_runs_are_candidates() {
        for s in [
            "浣犲ソ",
            "cafÃ©",
            "鍚嶇О",
            "\u{E0D3}",
            "РїСЂРёРІРµС‚",
            "Ã perturber",
            // Shift_JIS katakana (lead 0x83) read as windows-1252, trail byte ASCII: `ポ`.
            "ƒ|",
            // UTF-8 read as GBK with nothing rare in it (设置输出格式; 回应包带有不正确的):
            // level-2 characters and GBK extension ones with the same leads.
            "璁剧疆杈撳嚭鏍煎紡",
            "鍥炲簲鍖呭甫鏈変笉姝ｇ‘鐨",
        ] {
            assert_eq!(suspicious_runs(s).len(), 1, "{s}");
        }
    }
}
