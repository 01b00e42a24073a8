//! Bytes → [`Detection`]: which encoding the input is in, how that was decided, and how
//! sure we are. The order is: a byte-order mark, binary signatures, the caller's `--from`,
//! UTF-16 recognised from its zero bytes, NUL bytes (binary), valid UTF-8, UTF-8 with a
//! little damage, then a guess. The guess is the language model's ([`crate::model`]) contest
//! among the candidate readings; where no double-byte reading wins it clearly, chardetng
//! (fed a bounded prefix that grows only while it is undecided, since it runs at a few MB/s)
//! weighs in, except on short inputs where it has too little evidence (2–4 Chinese
//! characters) and the model decides alone. Binary input is recognised
//! here too, so that nothing downstream ever rewrites it.

use encoding_rs::{
    Encoding, BIG5, EUC_JP, EUC_KR, GBK, IBM866, ISO_8859_2, ISO_8859_5, ISO_8859_7, KOI8_R,
    KOI8_U, SHIFT_JIS, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1250, WINDOWS_1251, WINDOWS_1252,
    WINDOWS_1253,
};

use crate::step::Source;

/// A language hint (`--lang`): narrows the candidate encodings for short inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Chinese, Simplified first (GBK/GB18030, then Big5).
    Zh,
    /// Chinese, Traditional first (Big5, then GBK).
    ZhHant,
    /// Japanese.
    Ja,
    /// Korean.
    Ko,
    /// Cyrillic-script languages (Russian, Ukrainian, Bulgarian, …).
    Cyrillic,
    /// Central European Latin (Polish, Czech, Hungarian, …).
    Central,
    /// Western European Latin (English, French, German, Portuguese, …).
    Western,
    /// Greek.
    Greek,
}

impl Lang {
    /// Parses a BCP 47-ish language tag (`zh`, `zh-TW`, `ja`, `ru`, `pl`, …).
    pub fn parse(tag: &str) -> Option<Lang> {
        let t = tag.to_ascii_lowercase();
        let primary = t.split(['-', '_']).next().unwrap_or("");
        Some(match primary {
            "zh" if t.contains("tw")
                || t.contains("hk")
                || t.contains("hant")
                || t.contains("mo") =>
            {
                Lang::ZhHant
            }
            "zh" | "cn" => Lang::Zh,
            "ja" | "jp" => Lang::Ja,
            "ko" | "kr" => Lang::Ko,
            "ru" | "uk" | "be" | "bg" | "sr" | "mk" | "kk" => Lang::Cyrillic,
            "pl" | "cs" | "sk" | "hu" | "sl" | "hr" | "ro" | "bs" => Lang::Central,
            "el" => Lang::Greek,
            "en" | "fr" | "de" | "es" | "pt" | "it" | "nl" | "sv" | "da" | "no" | "nb" | "fi"
            | "is" | "ca" | "ga" | "af" => Lang::Western,
            _ => return None,
        })
    }

    fn tld(self) -> &'static [u8] {
        match self {
            Lang::Zh => b"cn",
            Lang::ZhHant => b"tw",
            Lang::Ja => b"jp",
            Lang::Ko => b"kr",
            Lang::Cyrillic => b"ru",
            Lang::Central => b"pl",
            Lang::Western => b"com",
            Lang::Greek => b"gr",
        }
    }

    fn candidates(self) -> &'static [&'static Encoding] {
        static ZH: [&Encoding; 2] = [GBK, BIG5];
        static ZH_HANT: [&Encoding; 2] = [BIG5, GBK];
        static JA: [&Encoding; 2] = [SHIFT_JIS, EUC_JP];
        static KO: [&Encoding; 1] = [EUC_KR];
        static CYR: [&Encoding; 5] = [WINDOWS_1251, KOI8_R, KOI8_U, IBM866, ISO_8859_5];
        static CENTRAL: [&Encoding; 2] = [WINDOWS_1250, ISO_8859_2];
        static WESTERN: [&Encoding; 1] = [WINDOWS_1252];
        static GREEK: [&Encoding; 2] = [WINDOWS_1253, ISO_8859_7];
        match self {
            Lang::Zh => &ZH,
            Lang::ZhHant => &ZH_HANT,
            Lang::Ja => &JA,
            Lang::Ko => &KO,
            Lang::Cyrillic => &CYR,
            Lang::Central => &CENTRAL,
            Lang::Western => &WESTERN,
            Lang::Greek => &GREEK,
        }
    }
}

/// Candidates ranked by the language model when no language is given.
const DEFAULT_CANDIDATES: &[&Encoding] = &[
    GBK,
    BIG5,
    SHIFT_JIS,
    EUC_JP,
    EUC_KR,
    WINDOWS_1252,
    WINDOWS_1251,
    KOI8_R,
    WINDOWS_1250,
    WINDOWS_1253,
];

/// What the caller knows before detection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hint {
    /// `--from`: skip detection.
    pub from: Option<&'static Encoding>,
    /// `--lang`: narrow the candidates.
    pub lang: Option<Lang>,
}

/// The outcome of detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// The encoding to decode with (for mixed input, the legacy one).
    pub encoding: &'static Encoding,
    /// How it was decided.
    pub source: Source,
    /// 0.0–1.0: how sure. 1.0 for BOM, valid UTF-8 and `--from`.
    pub confidence: f32,
    /// The second-best candidate, when there was a contest.
    pub runner_up: Option<&'static Encoding>,
    /// Length of the byte-order mark at the start (0 if none).
    pub bom_len: usize,
    /// Set when the input is not text; the reason (`"NUL bytes"`, `"PNG image"`, …).
    pub binary: Option<&'static str>,
}

impl Detection {
    fn sure(encoding: &'static Encoding, source: Source, bom_len: usize) -> Detection {
        Detection {
            encoding,
            source,
            confidence: 1.0,
            runner_up: None,
            bom_len,
            binary: None,
        }
    }
}

/// How much of the input chardetng sees at first, and at most.
const CHARDET_FIRST: usize = 64 * 1024;
const CHARDET_MAX: usize = 1024 * 1024;
/// How much of the input the language model scores per candidate.
const LM_SAMPLE: usize = 16 * 1024;
/// Weight (nats) of chardetng's confident answer in the language-model contest: chardetng
/// knows letter-pair statistics for every single-byte encoding, the model does not.
const CHARDET_BONUS: f32 = 8.0;
/// Non-ASCII bytes from which chardetng's confident answer is trusted without a contest.
const CHARDET_TRUSTED_NON_ASCII: usize = 512;
/// How much of the input is examined for binary signatures and UTF-16 patterns.
const SNIFF: usize = 8 * 1024;

/// Decides the encoding of `bytes`.
pub fn detect(bytes: &[u8], hint: &Hint) -> Detection {
    if let Some((enc, len)) = Encoding::for_bom(bytes) {
        return Detection::sure(enc, Source::Bom, len);
    }
    if let Some(kind) = binary_kind(bytes) {
        return Detection {
            binary: Some(kind),
            ..Detection::sure(UTF_8, Source::Guessed, 0)
        };
    }
    if let Some(enc) = hint.from {
        return Detection::sure(enc, Source::Given, 0);
    }
    if let Some(enc) = utf16_pattern(bytes) {
        return Detection::sure(enc, Source::Pattern, 0);
    }
    if has_nul(bytes) {
        return Detection {
            binary: Some("NUL bytes"),
            ..Detection::sure(UTF_8, Source::Guessed, 0)
        };
    }
    let valid_up_to = Encoding::utf8_valid_up_to(bytes);
    if valid_up_to == bytes.len() {
        if let Some(d) = accidental_utf8(bytes, hint) {
            return d;
        }
        return Detection::sure(UTF_8, Source::Valid, 0);
    }
    if crate::decode::mostly_utf8(&bytes[..bytes.len().min(CHARDET_MAX)]) {
        // UTF-8 with some damage: decoded as UTF-8 (lines in another encoding are still
        // found line by line), the damage marked U+FFFD.
        return Detection {
            confidence: 0.9,
            ..Detection::sure(UTF_8, Source::Guessed, 0)
        };
    }
    guess(bytes, hint, valid_up_to)
}

fn has_nul(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(SNIFF)]).is_some()
}

/// Decides among legacy encodings (the input is not valid UTF-8).
///
/// The language model ranks the candidates first. When a double-byte CJK reading wins by
/// [`LM_DECISIVE`] nats, that is the answer: chardetng (which reads every single-byte
/// encoding's letter pairs: half of a small file's detection time) could only move a
/// contest within its bonus, and where it is trusted on its own it has never disagreed with
/// such a win (1,923 catalog documents in eleven encodings, 1 to 64 lines: 871 of the 896
/// in double-byte encodings were decided this way, every one as before, and so were the
/// 6,666 legacy files of the benchmark tree). Otherwise chardetng is consulted: its sure
/// answer gets a bonus in the contest, and on long input it is trusted outright.
fn guess(bytes: &[u8], hint: &Hint, valid_up_to: usize) -> Detection {
    // Lines that are valid UTF-8 say nothing about the legacy encoding: let the guess look at
    // the rest, so that a mostly-UTF-8 file with a few GBK lines is judged by those lines.
    let legacy_sample = legacy_lines_sample(bytes, valid_up_to, CHARDET_MAX);
    let candidates: &[&Encoding] = hint.lang.map_or(DEFAULT_CANDIDATES, Lang::candidates);
    let sample = cut_sample(&legacy_sample, LM_SAMPLE);
    let mut contest = Contest::new(sample);
    for &e in candidates {
        contest.enter(e, 0.0);
    }
    if let Some((best, gap)) = contest.top() {
        if DOUBLE_BYTE.contains(&best) && gap >= LM_DECISIVE {
            return contest.detection();
        }
    }

    let tld = hint.lang.map(Lang::tld);
    let mut det = chardetng::EncodingDetector::new();
    let mut fed = 0;
    let (mut chardet_guess, mut chardet_sure);
    loop {
        let end = (fed + if fed == 0 { CHARDET_FIRST } else { fed }).min(legacy_sample.len());
        let last = end == legacy_sample.len();
        det.feed(&legacy_sample[fed..end], last);
        fed = end;
        (chardet_guess, chardet_sure) = det.guess_assess(tld, false);
        if chardet_sure || last {
            break;
        }
    }
    let non_ascii = legacy_sample[..fed.min(legacy_sample.len())]
        .iter()
        .filter(|b| **b >= 0x80)
        .count();
    let chardet_in_candidates = hint.lang.is_none() || candidates.contains(&chardet_guess);
    if chardet_in_candidates {
        let bonus = if chardet_sure { CHARDET_BONUS } else { 0.0 };
        contest.enter(chardet_guess, bonus);
    }
    if chardet_sure && non_ascii >= CHARDET_TRUSTED_NON_ASCII && chardet_in_candidates {
        let (best, runner) = (contest.ranked[0].0, contest.ranked.get(1).map(|r| r.0));
        let agree = chardet_guess == best;
        return Detection {
            encoding: chardet_guess,
            source: Source::Guessed,
            confidence: if agree { 0.99 } else { 0.8 },
            runner_up: if agree { runner } else { Some(best) },
            bom_len: 0,
            binary: None,
        };
    }
    contest.detection()
}

/// The double-byte CJK encodings, whose decisive win in the language model's contest needs
/// no second opinion.
const DOUBLE_BYTE: &[&Encoding] = &[GBK, BIG5, SHIFT_JIS, EUC_JP, EUC_KR];
/// How far (nats) a double-byte reading must lead the contest to be taken without chardetng.
/// chardetng's bonus is [`CHARDET_BONUS`]; twice that leaves a margin.
const LM_DECISIVE: f32 = 2.0 * CHARDET_BONUS;

/// The language model's contest among the readings of a sample: only the best two scores
/// are ever used, so a reading that falls below the second best part-way is dropped.
struct Contest<'a> {
    sample: &'a [u8],
    /// (encoding, score + bonus), best first; at most the readings that were not dropped.
    ranked: Vec<(&'static Encoding, f32)>,
    /// Every reading entered, with the bonus it was entered with.
    entered: Vec<(&'static Encoding, f32)>,
}

impl<'a> Contest<'a> {
    fn new(sample: &'a [u8]) -> Self {
        Contest {
            sample,
            ranked: Vec::new(),
            entered: Vec::new(),
        }
    }

    /// Scores `e`'s reading (again, if it was entered with a smaller bonus).
    fn enter(&mut self, e: &'static Encoding, bonus: f32) {
        match self.entered.iter_mut().find(|(x, _)| *x == e) {
            Some((_, b)) if *b >= bonus => return,
            Some(entry) => entry.1 = bonus,
            None => self.entered.push((e, bonus)),
        }
        self.ranked.retain(|(x, _)| *x != e);
        let floor = self.ranked.get(1).map_or(f32::NEG_INFINITY, |r| r.1) - bonus;
        let (text, _) = e.decode_without_bom_handling(self.sample);
        if let Some(score) = crate::model::score_above(&text, floor) {
            self.ranked.push((e, score + bonus));
            self.ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        }
    }

    /// The leader and its lead over the runner-up (50 nats when it ran alone).
    fn top(&self) -> Option<(&'static Encoding, f32)> {
        let (best, score) = *self.ranked.first()?;
        Some((best, self.ranked.get(1).map_or(50.0, |r| score - r.1)))
    }

    fn detection(&self) -> Detection {
        let (best, gap) = self.top().unwrap_or((WINDOWS_1252, 0.0));
        Detection {
            encoding: best,
            source: Source::Guessed,
            confidence: (gap / (gap + 8.0)).clamp(0.0, 0.99),
            runner_up: self.ranked.get(1).map(|r| r.0),
            bom_len: 0,
            binary: None,
        }
    }
}

/// Short legacy text can be valid UTF-8 by accident: GBK `学校` (D1 A7 D0 A3) reads as
/// UTF-8 `ѧУ`. Only inputs whose non-ASCII characters are all two-byte sequences (Latin-1,
/// Greek, Cyrillic…) and that are short are put to the language model against the CJK
/// encodings; real UTF-8 Chinese uses three-byte sequences and never gets here.
fn accidental_utf8(bytes: &[u8], hint: &Hint) -> Option<Detection> {
    // Without a CJK language hint, valid UTF-8 stays UTF-8: clean text must never be
    // re-read (Latin-1 symbols in short prose would otherwise lose to Hangul).
    if !matches!(
        hint.lang,
        Some(Lang::Zh | Lang::ZhHant | Lang::Ja | Lang::Ko)
    ) {
        return None;
    }
    if bytes.len() > ACCIDENTAL_UTF8_MAX || bytes.iter().any(|&b| b >= 0xE0) || bytes.is_ascii() {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let utf8_score = crate::model::score(text);
    let candidates: &[&Encoding] = hint.lang.map_or(&[], Lang::candidates);
    let (best, score) = candidates
        .iter()
        .map(|&e| (e, legacy_score(bytes, e)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let gap = score - utf8_score;
    (gap >= ACCIDENTAL_UTF8_MARGIN).then(|| Detection {
        encoding: best,
        source: Source::Guessed,
        confidence: (gap / (gap + 8.0)).min(0.99),
        runner_up: Some(UTF_8),
        bom_len: 0,
        binary: None,
    })
}

/// Longest input checked for accidental UTF-8.
const ACCIDENTAL_UTF8_MAX: usize = 256;
/// How much better (nats) the legacy reading must be.
const ACCIDENTAL_UTF8_MARGIN: f32 = 3.0;

/// For input that is mostly UTF-8: the encoding of the lines that are not UTF-8 (nor
/// UTF-8 with a little damage), if there are any.
pub fn legacy_for_invalid_lines(bytes: &[u8], hint: &Hint) -> Option<&'static Encoding> {
    let mut sample = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if std::str::from_utf8(line).is_err() && !crate::decode::mostly_utf8(line) {
            sample.extend_from_slice(line);
            if sample.len() >= CHARDET_MAX {
                break;
            }
        }
    }
    if sample.is_empty() {
        return None;
    }
    let d = guess(&sample, hint, 0);
    (d.encoding != UTF_8).then_some(d.encoding)
}

/// The language-model score of `sample` decoded as `enc`, with malformed bytes penalised.
pub fn legacy_score(sample: &[u8], enc: &'static Encoding) -> f32 {
    let (text, _) = enc.decode_without_bom_handling(sample);
    crate::model::score(&text)
}

/// At most `max` bytes of the lines that are not valid UTF-8 (all of `bytes` when the
/// first invalid byte comes early: then the file is simply legacy-encoded).
fn legacy_lines_sample(bytes: &[u8], valid_up_to: usize, max: usize) -> std::borrow::Cow<'_, [u8]> {
    if valid_up_to < 4096 {
        return std::borrow::Cow::Borrowed(&bytes[..bytes.len().min(max)]);
    }
    let mut out = Vec::new();
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if std::str::from_utf8(line).is_err() {
            out.extend_from_slice(line);
            if out.len() >= max {
                break;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The first `max` bytes of `bytes`, cut after a newline or ASCII byte so that no
/// multi-byte character is split.
fn cut_sample(bytes: &[u8], max: usize) -> &[u8] {
    if bytes.len() <= max {
        return bytes;
    }
    let head = &bytes[..max];
    match head
        .iter()
        .rposition(|&b| b == b'\n')
        .or_else(|| head.iter().rposition(|&b| b < 0x40))
    {
        Some(i) if i > max / 2 => &head[..=i],
        _ => head,
    }
}

/// UTF-16 without a BOM: ASCII-range text has a zero in every other byte.
fn utf16_pattern(bytes: &[u8]) -> Option<&'static Encoding> {
    let n = bytes.len().min(SNIFF) & !1;
    if n < 4 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in bytes[..n].chunks_exact(2) {
        even += (pair[0] == 0) as usize;
        odd += (pair[1] == 0) as usize;
    }
    let units = n / 2;
    // A real UTF-16 text of mostly ASCII: most high bytes zero, almost no low bytes zero.
    if odd * 10 >= units * 4 && even * 50 <= units {
        Some(UTF_16LE)
    } else if even * 10 >= units * 4 && odd * 50 <= units {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Known binary signatures. Text formats that share a prefix are not listed.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1F\x8B", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xFD7zXZ\x00", "xz data"),
    (b"7z\xBC\xAF\x27\x1C", "7-zip archive"),
    (b"\x28\xB5\x2F\xFD", "zstd data"),
    (b"\x7FELF", "ELF executable"),
    (b"\xCA\xFE\xBA\xBE", "Java class or Mach-O"),
    (b"\xCF\xFA\xED\xFE", "Mach-O executable"),
    (b"\x00asm", "WebAssembly"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\xFE\xFF", "UTF-32 (not supported)"),
    (b"\xFF\xFE\x00\x00", "UTF-32 (not supported)"),
];

/// `Some(reason)` when `bytes` is recognisably not text.
pub fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            // ID3 and BZh are three printable letters: require a binary byte soon after.
            if magic.len() <= 3
                && magic.iter().all(|b| b.is_ascii_alphanumeric())
                && !bytes[magic.len()..bytes.len().min(16)]
                    .iter()
                    .any(|&b| b < 0x09)
            {
                continue;
            }
            return Some(what);
        }
    }
    // Containers whose signature is four letters a text can begin with (a Japanese catalog's
    // `RIFF オーディオ`): a chunk's size follows (or precedes) it, little-endian or
    // big-endian, and holds a byte below a tab in any file under 16 MB.
    let sized =
        |at: std::ops::Range<usize>| bytes.get(at).is_some_and(|b| b.iter().any(|&b| b < 0x09));
    if bytes.starts_with(b"RIFF") && sized(4..24) {
        return Some("RIFF media");
    }
    if bytes.get(4..8) == Some(b"ftyp") && sized(0..4) {
        return Some("MP4/QuickTime media");
    }
    None
}

/// A detection for text already known to be UTF-8.
pub fn utf8() -> Detection {
    Detection::sure(UTF_8, Source::Valid, 0)
}

/// Is `enc` one of the UTF-16 encodings?
pub fn is_utf16(enc: &'static Encoding) -> bool {
    enc == UTF_16LE || enc == UTF_16BE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        GBK.encode(s).0.into_owned()
    }

    #[test]
    fn bom_wins() {
        let d = detect(b"\xEF\xBB\xBFabc", &Hint::default());
        assert_eq!((d.encoding, d.source, d.bom_len), (UTF_8, Source::Bom, 3));
        let d = detect(b"\xFF\xFEa\x00", &Hint::default());
        assert_eq!((d.encoding, d.bom_len), (UTF_16LE, 2));
    }

    #[test]
    fn utf16_without_bom() {
        let le: Vec<u8> = "hello world, plain text"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(detect(&le, &Hint::default()).encoding, UTF_16LE);
        let be: Vec<u8> = "hello world, plain text"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(detect(&be, &Hint::default()).encoding, UTF_16BE);
    }

    #[test]
    fn short_gbk_snippets() {
        for s in ["你好", "中国人民", "谢谢你", "问题", "学校"] {
            let d = detect(
                &gbk(s),
                &Hint {
                    lang: Some(Lang::Zh),
                    from: None,
                },
            );
            assert_eq!(d.encoding, GBK, "{s} with --lang zh");
        }
    }

    #[test]
    fn binary_signatures() {
        assert_eq!(binary_kind(b"\x89PNG\r\n\x1a\n...."), Some("PNG image"));
        assert_eq!(binary_kind(b"ID3 is a tag name in this sentence"), None);
        // A WAV file's header, and a line of a Japanese catalog about the format.
        let wav = b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00";
        assert_eq!(binary_kind(wav), Some("RIFF media"));
        assert_eq!(
            binary_kind("RIFF オーディオ\nRIFF コンテナ\n".as_bytes()),
            None
        );
        assert_eq!(
            binary_kind(b"RIFF \x83I\x81[\x83f\x83B\x83I\nRIFF \x83R\x83\x93"),
            None
        );
        let mp4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00";
        assert_eq!(binary_kind(mp4), Some("MP4/QuickTime media"));
        assert_eq!(binary_kind(b"See ftyp boxes in the spec."), None);
        assert_eq!(
            detect(b"a\x00b\x00c\x00\x00\x00\x00\x01\x02\xff", &Hint::default()).binary,
            Some("NUL bytes")
        );
    }
}
