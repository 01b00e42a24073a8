//! Misaligned double-byte text: a byte was lost (or an ASCII byte inserted), so every
//! character was decoded from the *trail byte of one character and the lead byte of the
//! next*, until an ASCII byte resynchronised the decoder. Often the damage was then
//! converted (s2t, full-width punctuation folded to ASCII), so each garbled character has
//! several possible byte forms. Choosing them is a path through a small lattice — state =
//! (choice at i-1, choice at i), each step adds the language-model score of the character
//! rebuilt from the two — solved with Viterbi, linear in the span. The byte lost at the
//! start (the first damaged character's lead or its trail), a lost trail byte at the end,
//! and, in a run that ends in the U+FFFD of a lost trail byte (or in the character the
//! last trail byte made of the letter after it, `稯` for `头` + `O`), where the damage
//! begins are lattice choices too, picked by score. The characters rebuilt from one known
//! byte (the first, and after a lossy reader the last) are then chosen again by the pairs
//! they make in running text and the words they make with their neighbours. Where one
//! garbled character is all that is left before the U+FFFD of a lost trail byte, the two
//! characters it hides are chosen together ([`find_pair`]).

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

use encoding_rs::GBK;

use crate::model;

/// A misalignment repair must beat the garbled text by this much in total (nats): short
/// fragments (three or four characters, seed 004's) score +15 and come out half right, so
/// they are left alone rather than replaced by a wrong guess…
const MIN_GAIN: f32 = 20.0;
/// The total a repair must gain where the run ends in the U+FFFD of a lost trail byte (a
/// browser's GBK decoder): the damage is shown, and a short span (`业讲问�` for `找到参数`)
/// is worth realigning.
const MIN_GAIN_MARKED: f32 = 10.0;
/// …and where two garbled characters are all there is before it: clean text whose last
/// character before an ASCII byte was lost reads so too, and over 24,000 clean catalog
/// strings (Simplified and Traditional) with such a loss four realigned their last two
/// characters for 10.6–11.2 (`反斜杠�` as `反感备馨`); of 2,100 misaligned strings, 20
/// gained 10–12, 12 of them rebuilt exactly.
const MIN_GAIN_MARKED_SHORT: f32 = 12.0;
/// The total a repair must gain where the run ends in a character made of the last trail
/// byte and the ASCII letter after it (`稯`): the end is known, the damage is not shown.
/// One character guessed from one byte (`礧ord` for `的Word`) gains 7–10; over the
/// installed Chinese and Japanese catalogs (8 MB) no clean run that ends so gains more
/// than 0.3.
const MIN_GAIN_SWALLOWED: f32 = 7.0;
/// …and by this much per garbled character: garbled text is far less likely than real text.
const MIN_GAIN_PER_CHAR: f32 = 2.0;
/// What the U+FFFD of a lost trail byte counts as in the text as it stands: one unknown
/// character, about what an average Chinese character costs (the unigram entropy is 7.0
/// nats), not the model's penalty for U+FFFD (−25). A realignment guesses that character,
/// so removing the U+FFFD is no gain by itself: with the penalty, 95 of 400 clean catalog
/// strings with one character turned into U+FFFD were "realigned"; with this, none.
const UNKNOWN_CHAR: f32 = -8.0;
/// Region needs this many suspicious characters to be considered (unless it ends in the
/// U+FFFD of a lost trail byte).
const MIN_SUSPICIOUS: usize = 2;
/// A run ending in the U+FFFD of a lost trail byte is read as misaligned from at most this
/// many characters before its end (the damage lasts until an ASCII byte; the bound keeps the
/// lattice linear in a long run)…
const MAX_MARKED_REGION: usize = 256;
/// …and of at least this many garbled characters (one garbled character and the U+FFFD
/// would be two guessed characters from one known byte pair: clean text with a lost
/// character reads that way too).
const MIN_MARKED_CHARS: usize = 2;
/// Characters from the first suspicious one (or the `?` lead marker) to the run's end that
/// an unmarked region needs.
const MIN_REGION_CHARS: usize = 3;
/// How many characters before the first suspicious one the damage may start.
const START_SLACK: usize = 3;

/// One candidate byte form of a garbled character.
#[derive(Clone, Copy, Debug)]
struct Cand {
    x: u8,
    y: u8,
    /// The candidate is not the character itself: a conversion inverse was used.
    inverse: Inverse,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inverse {
    None,
    T2s,
    Width,
}

/// A repair found by [`find`].
#[derive(Debug, Clone)]
pub struct Found {
    /// Byte range replaced in the text.
    pub start: usize,
    /// End of the range (exclusive).
    pub end: usize,
    /// The replacement.
    pub after: String,
    /// The chain of inverse steps.
    pub chain: String,
    /// Score gain.
    pub margin: f32,
    /// Characters known to be lost (U+FFFD in `after`).
    pub lost: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum End {
    /// The next character is an ASCII byte 0x40–0x7E that was really the last trail byte.
    AsciiTrail(u8),
    /// `?` or U+FFFD: a lossy reader replaced the last (trail, next) pair.
    LostTrail,
    /// The last garbled character is (last trail byte, an ASCII byte 0x40–0x7E): the letter
    /// that resynchronised the decoder was read as a trail byte (`腗` for `的` + `M`).
    Swallowed(u8),
}

/// Which byte of the first damaged character was lost: its lead (the first garbled
/// character begins with its trail byte) or its trail (the first garbled character is its
/// lead byte and the next character's).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Lost {
    Lead(u8),
    Trail(u8),
}

/// Every GBK double-byte pair decoded once: index (lead - 0x81) * 191 + (trail - 0x40);
/// `'\0'` where the pair is not a character.
static PAIRS: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut table = vec!['\0'; 126 * 191];
    for lead in 0x81u8..=0xFE {
        for trail in 0x40u8..=0xFE {
            if trail == 0x7F {
                continue;
            }
            let pair = [lead, trail];
            let (s, had_errors) = GBK.decode_without_bom_handling(&pair);
            let mut it = s.chars();
            if let (false, Some(c), None) = (had_errors, it.next(), it.next()) {
                table[(lead - 0x81) as usize * 191 + (trail - 0x40) as usize] = c;
            }
        }
    }
    table
});

/// Loads the GBK tables ([`crate::model::warm`]).
pub fn warm() {
    LazyLock::force(&ENCODE);
}

/// Runs of consecutive private-use code points that GB18030-2000's table (unlike WHATWG's)
/// gives to these GBK pairs: (first code point, lead byte, trail bytes).
const GB18030_2000_PUA: [(u32, u8, &[u8]); 13] = [
    (0xE78D, 0xA6, &[0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF]),
    (0xE794, 0xA6, &[0xEC, 0xED]),
    (0xE796, 0xA6, &[0xF3]),
    (0xE7C7, 0xA8, &[0xBC]),
    (0xE816, 0xFE, &[0x51, 0x52, 0x53]),
    (0xE81E, 0xFE, &[0x59]),
    (0xE826, 0xFE, &[0x61]),
    (0xE82B, 0xFE, &[0x66, 0x67]),
    (0xE831, 0xFE, &[0x6C, 0x6D]),
    (0xE83B, 0xFE, &[0x76]),
    (0xE843, 0xFE, &[0x7E]),
    (0xE854, 0xFE, &[0x90, 0x91]),
    (0xE864, 0xFE, &[0xA0]),
];

/// The GBK encoder's byte pair for each character that has one: [`PAIRS`] inverted (a
/// decode table read backwards costs nothing, where asking the encoder searches its tables
/// for every character), asking the encoder only for the few characters two pairs decode to
/// and for the euro sign.
static ENCODE: LazyLock<FxHashMap<char, (u8, u8)>> = LazyLock::new(|| {
    let mut map: FxHashMap<char, (u8, u8)> =
        FxHashMap::with_capacity_and_hasher(24_000, Default::default());
    let mut shared = Vec::new();
    for (i, &c) in PAIRS.iter().enumerate() {
        if c == '\0' {
            continue;
        }
        let pair = ((i / 191) as u8 + 0x81, (i % 191) as u8 + 0x40);
        if map.insert(c, pair).is_some() {
            shared.push(c);
        }
    }
    // The euro sign also decodes from A2E3, but GBK encodes it as the single byte 0x80.
    shared.push('€');
    // Older decoders (GB18030-2000's table: Python's and Java's codecs) give private-use
    // characters for 25 pairs WHATWG decodes to real ones (A8BC is `ḿ`, A6D9 the vertical
    // comma): garbled text from those decoders holds them, and they are the same bytes.
    for (pua, lead, trails) in GB18030_2000_PUA {
        for (k, &trail) in trails.iter().enumerate() {
            if let Some(c) = char::from_u32(pua + k as u32) {
                map.entry(c).or_insert((lead, trail));
            }
        }
    }
    for c in shared {
        let mut buf = [0u8; 4];
        let (bytes, _, bad) = GBK.encode(c.encode_utf8(&mut buf));
        if !bad && bytes.len() == 2 {
            map.insert(c, (bytes[0], bytes[1]));
        } else {
            map.remove(&c);
        }
    }
    map
});

fn gbk_pair(c: char) -> Option<(u8, u8)> {
    ENCODE.get(&c).copied()
}

#[inline]
fn decode_pair(a: u8, b: u8) -> Option<char> {
    if !(0x81..=0xFE).contains(&a) || !(0x40..=0xFE).contains(&b) || b == 0x7F {
        return None;
    }
    let c = PAIRS[(a - 0x81) as usize * 191 + (b - 0x40) as usize];
    (c != '\0').then_some(c)
}

fn candidates(c: char) -> Vec<Cand> {
    let mut out = Vec::new();
    if c.is_ascii_punctuation() && c != '?' {
        // Folded full-width punctuation: `!` was `！` (0xA3A1).
        if let Some(w) = char::from_u32(c as u32 + 0xFEE0) {
            if let Some((x, y)) = gbk_pair(w) {
                out.push(Cand {
                    x,
                    y,
                    inverse: Inverse::Width,
                });
            }
        }
        return out;
    }
    if let Some((x, y)) = gbk_pair(c) {
        out.push(Cand {
            x,
            y,
            inverse: Inverse::None,
        });
    }
    for &s in crate::convert::t2s_candidates(c) {
        if s != c {
            if let Some((x, y)) = gbk_pair(s) {
                out.push(Cand {
                    x,
                    y,
                    inverse: Inverse::T2s,
                });
            }
        }
    }
    out
}

/// Looks for a misaligned region overlapping the non-ASCII run `text[run_start..run_end]`:
/// a run of garbled characters ([`find_run`]), or one before the U+FFFD of a lost trail
/// byte ([`find_pair`]).
pub fn find(text: &str, run_start: usize, run_end: usize) -> Option<Found> {
    find_run(text, run_start, run_end).or_else(|| find_pair(text, run_start, run_end))
}

/// [`find_pair`]'s margin (nats): the best pair the two known bytes make must read better
/// than the garbled character followed by the best character any lost one could have been.
/// Of 15,900 clean Simplified catalog strings with a character before an ASCII byte lost
/// to U+FFFD none is changed; over 6,400 of them no pair gained more than 8.4 (`柯�`, for
/// `柯达`, read as `目录`). (`scripts/lost_char_negatives.py` re-runs such a check.) Above that the bar trades right pairs
/// for wrong ones: of the pairs rebuilt in seed 000's and 003's lines (each with a byte of
/// the two characters before an ASCII byte lost), 67 % were right at 10, 70 % at 13 and
/// 82 % at 16, but only 42 % as many; at 13 misaligned catalog strings lose 7 % of their
/// character errors.
const MIN_GAIN_PAIR: f32 = 13.0;
/// How much [`find_pair`] weighs the words of the word list against the pairs of running
/// text: a word list of every kind of text makes `降雨` of `涤�` as readily as `调用`; at
/// 0.3 (against 1), a third fewer of the pairs it rebuilt were wrong, at the same count of
/// right ones.
const PAIR_WORD_WEIGHT: f32 = 0.3;

/// The shortest damage a lossy reader leaves: one garbled character and the U+FFFD of a lost
/// trail byte (`寥�` for `读取`: 读 B6C1 lost its B6, and 取 C8A1's trail went with the
/// space after it). Two characters are rebuilt from two known bytes, the first from its
/// trail (or its lead) and the second from its lead, and they are chosen together, by the
/// running text's pairs and the words they make ([`PairScore`]); which is only evidence
/// enough where the pair reads far better than the text as it stands could: the garbled
/// character, then whatever character was lost (the best of GB2312's, weighed the same
/// way). Clean text that lost a character reads so too (`视�` for `视图`), and the best
/// lost character is what tells them apart: `视` with `图` after it is a word, `寥` with
/// anything after it is not.
fn find_pair(text: &str, run_start: usize, run_end: usize) -> Option<Found> {
    let body = text[run_start..run_end].strip_suffix('\u{FFFD}')?;
    let g = body.chars().next_back()?;
    let (g1, g2) = gbk_pair(g)?;
    let g_at = run_start + body.len() - g.len_utf8();
    let before = without_artifact(&text[..g_at]);
    // A garbled character is a random one: one that running text puts after the character
    // before it (`会` after `谈`) is taken as written. (Of the 654 pairs that cleared a bar
    // of 10 in 20,000 misaligned catalog strings, none; of the 3,100 refused, half.)
    let prev = before.chars().next_back();
    if prev.is_some_and(|p| model::text_pair_listed(p, g)) {
        return None;
    }
    // A kana Japanese writes most (`の`, `な`: a particle, an ending) after a Chinese
    // character is Japanese (`変更な�` is `変更なし` that lost its `し`, not `变更证书`),
    // though GBK makes kana of a lost character's trail byte A4 too (16 of the 169 it makes
    // of A4 and A5 are such kana).
    if model::kana_frequent(g) && prev.is_some_and(model::is_han) {
        return None;
    }
    let after = &text[run_end..];
    let (line_before, line_after) = line_around(before, after);
    let line_before: Vec<char> = line_before.chars().collect();
    let line_after: Vec<char> = line_after.chars().collect();
    // Misaligned GBK is Chinese text: the rest of the line is Chinese or ASCII (a kana, a
    // Cyrillic letter there says the U+FFFD is a character lost from clean Japanese or
    // Russian, where `о�` would be read as two Chinese characters), and holds some Chinese
    // unless the garbled character is a Chinese character itself.
    let rest = line_before.iter().chain(&line_after);
    if rest.clone().any(|&c| !c.is_ascii() && !rebuildable(c))
        || !(rebuildable(g) || rest.clone().any(|&c| model::is_han(c)))
    {
        return None;
    }
    // So is a kanji only Japanese writes (`拡` of 擴, 扩), there or garbled: a line of
    // Japanese kanji without kana (`拡�/縮小(_A):`, 拡大 with 大 lost) reads as Chinese.
    if japanese_only(g) || rest.clone().any(|&c| japanese_only(c)) {
        return None;
    }
    // The script of the line around the damage: a Traditional reading in a Simplified line
    // (or the reverse) is no repair, and the model folds the two together.
    let traditional = line_before
        .iter()
        .chain(&line_after)
        .any(|&c| traditional_form(c));
    let mut left: Vec<char> = before
        .chars()
        .rev()
        .take_while(|&c| model::is_han(c))
        .take(WORD_CONTEXT)
        .collect();
    left.reverse();
    let left = model::simplified(&left.into_iter().collect::<String>());
    let ps = PairScore {
        prev,
        following: after.chars().next(),
        left_words: model::words_logp(&left),
        left,
        line: (&line_before, &line_after),
        traditional,
    };
    let firsts = ps.first_readings(g1);
    let seconds = ps.second_readings(g2);
    let bar = ps.as_it_stands(g) + MIN_GAIN_PAIR;
    let (score, i, j) = best_pair(&ps, &firsts, &seconds, bar)?;
    let ((a, lost, ..), (b, trail, _)) = (firsts[i], seconds[j]);
    let gain = score - (bar - MIN_GAIN_PAIR);
    let lost_step = match lost {
        Lost::Lead(byte) => format!("realign(lost lead byte {byte:#04X})"),
        Lost::Trail(byte) => format!("realign(lost trail byte {byte:#04X})"),
    };
    Some(Found {
        start: g_at,
        end: run_end,
        after: format!("{a}{b}"),
        chain: format!(
            "encode(gbk) → {lost_step} → lossy(lost trail byte {trail:#04X}) → decode(gbk)"
        ),
        margin: gain,
        lost: 0,
    })
}

/// A first reading of [`find_pair`]: the character, the byte lost with it, its score and
/// the share of that which is words ([`PairScore::first`]).
type FirstReading = (char, Lost, f32, f32);
/// A second reading: the character, its lost trail byte, its score ([`PairScore::second`]).
type SecondReading = (char, u8, f32);

/// The best pair of `firsts` and `seconds` by [`PairScore`] if it reaches `bar`: (score,
/// index of the first, of the second).
fn best_pair(
    ps: &PairScore,
    firsts: &[FirstReading],
    seconds: &[SecondReading],
    bar: f32,
) -> Option<(f32, usize, usize)> {
    // A pair neither list knows scores the sum of its two characters' scores: the best
    // such pair is among the best few of each (unless every one of those is a known pair).
    let top = |scores: &mut dyn Iterator<Item = (usize, f32)>| {
        let mut v: Vec<(usize, f32)> = scores.collect();
        v.sort_unstable_by(|x, y| y.1.total_cmp(&x.1));
        v.truncate(SEPARABLE_TOP);
        v
    };
    let top_firsts = top(&mut firsts.iter().map(|f| f.2).enumerate());
    let top_seconds = top(&mut seconds.iter().map(|s| s.2).enumerate());
    // A first reading that cannot reach the bar with the best second reading and the most
    // a known pair adds is not weighed.
    let max_second = top_seconds.first().map_or(f32::NEG_INFINITY, |t| t.1);
    let reachable = |fa: f32| fa + max_second + PAIR_BONUS_BOUND >= bar;
    if !top_firsts.first().is_some_and(|&(_, fa)| reachable(fa)) {
        return None;
    }
    let mut best: Option<(f32, usize, usize)> = None;
    let consider = |best: &mut Option<(f32, usize, usize)>, s: f32, i: usize, j: usize| {
        if best.is_none_or(|(bs, ..)| s > bs) {
            *best = Some((s, i, j));
        }
    };
    for &(i, fa) in &top_firsts {
        for &(j, sb) in &top_seconds {
            if !ps.known(firsts[i].0, seconds[j].0) {
                consider(&mut best, fa + sb, i, j);
            }
        }
    }
    // The known pairs: each first reading's followers among the second readings.
    // (Most followers are no second reading: a bit per code point tells.)
    let mut by_fold: FxHashMap<char, Vec<usize>> = FxHashMap::default();
    let mut is_second = vec![0u64; 0x10000 / 64];
    for (j, &(b, ..)) in seconds.iter().enumerate() {
        let f = model::fold_char(b);
        by_fold.entry(f).or_default().push(j);
        if let Some(bit) = is_second.get_mut(f as usize / 64) {
            *bit |= 1 << (f as usize % 64);
        }
    }
    let maybe_second = |f: char| {
        is_second
            .get(f as usize / 64)
            .is_none_or(|bit| bit & (1 << (f as usize % 64)) != 0)
    };
    // Best first readings first, until one cannot reach the bar or the best pair found.
    let mut order: Vec<usize> = (0..firsts.len()).collect();
    order.sort_unstable_by(|&x, &y| firsts[y].2.total_cmp(&firsts[x].2));
    for i in order {
        let (a, _, fa, fa_words) = firsts[i];
        if !reachable(fa) || best.is_some_and(|(bs, ..)| fa + max_second + PAIR_BONUS_BOUND < bs) {
            break;
        }
        for f in model::followers(a).filter(|&f| maybe_second(f)) {
            for &j in by_fold.get(&f).map_or(&[][..], Vec::as_slice) {
                let (b, _, sb) = seconds[j];
                consider(&mut best, ps.pair(a, (fa, fa_words), b, sb), i, j);
            }
        }
    }
    best.filter(|&(score, ..)| score >= bar)
}

/// What a pair the lists know gains at most (nats) over the sum of its two readings'
/// scores in [`find_pair`] (the pair's own running-text probability and the word it makes,
/// less each one's alone): 14 at most over the pairs that cleared a bar of 10 in 20,000
/// misaligned catalog strings.
const PAIR_BONUS_BOUND: f32 = 20.0;

/// How many of the best first and second readings [`find_pair`] pairs for the best pair
/// neither list knows.
const SEPARABLE_TOP: usize = 4;

/// What [`find_pair`] weighs two rebuilt characters `a` `b` by: the pairs they make with the
/// text on each side and with each other in running text ([`model::text_logp`]), their
/// paired marks ([`pairing`]), and the words they make with the Chinese before them beyond
/// what each is alone ([`model::words_logp`], [`PAIR_WORD_WEIGHT`]). Where neither list
/// knows the pair `a` `b` ([`PairScore::known`]) this is the sum of a score of `a`
/// ([`PairScore::first`]) and one of `b` ([`PairScore::second`]): the best of 72,000 pairs
/// is found from the few the lists know.
struct PairScore<'a> {
    prev: Option<char>,
    following: Option<char>,
    /// The Han characters before the damage, Simplified…
    left: String,
    /// …and [`model::words_logp`] of them.
    left_words: f32,
    /// The line before and after the damage.
    line: (&'a [char], &'a [char]),
    /// The line is written in Traditional characters.
    traditional: bool,
}

impl PairScore<'_> {
    /// The readings of a first character one of whose bytes is `known`: its trail (the
    /// lead lost) or its lead (the trail lost).
    fn first_readings(&self, known: u8) -> Vec<FirstReading> {
        (0x81..=0xFE)
            .filter_map(|l| Some((decode_pair(l, known)?, Lost::Lead(l))))
            .chain((0x40..=0xFE).filter_map(|t| Some((decode_pair(known, t)?, Lost::Trail(t)))))
            .filter(|&(c, _)| self.fits(c))
            .map(|(c, lost)| {
                let (score, words) = self.first(c);
                (c, lost, score, words)
            })
            .collect()
    }

    /// The readings of a second character whose lead is `lead`.
    fn second_readings(&self, lead: u8) -> Vec<SecondReading> {
        (0x40..=0xFE)
            .filter_map(|t| Some((decode_pair(lead, t)?, t)))
            .filter(|&(c, _)| self.fits(c))
            .map(|(c, t)| (c, t, self.second(c)))
            .collect()
    }

    fn fits(&self, c: char) -> bool {
        fits_line(c, self.traditional)
    }

    fn known(&self, a: char, b: char) -> bool {
        model::text_pair_listed(a, b) || model::in_word(a, b)
    }

    /// `a` after the text before it, and the words it makes with it: the sum, and the
    /// latter alone.
    fn first(&self, a: char) -> (f32, f32) {
        let words = self.first_words(a);
        (
            model::text_logp(self.prev, Some(a)) + pairing(self.line, a) + words,
            words,
        )
    }

    /// The words `a` makes with the Chinese before it, beyond what it is alone.
    fn first_words(&self, a: char) -> f32 {
        if !model::is_han(a) {
            return 0.0;
        }
        let joins = self
            .left
            .chars()
            .next_back()
            .is_some_and(|l| model::in_word(l, a));
        let words = if joins {
            self.words_after_left(&[a])
        } else {
            model::word_logp(a)
        };
        PAIR_WORD_WEIGHT * (words - model::han_logp(a))
    }

    /// `b` after a character the pair with which is unlisted, before the text after it, and
    /// as a word of its own.
    fn second(&self, b: char) -> f32 {
        second_alone(b, self.following) + pairing(self.line, b)
    }

    /// What the words of the Chinese before the damage and `tail` (Simplified) add to
    /// those of the Chinese before it alone.
    fn words_after_left(&self, tail: &[char]) -> f32 {
        let mut t = String::with_capacity(self.left.len() + 8);
        t.push_str(&self.left);
        t.extend(tail.iter().map(|&c| model::fold_char(c)));
        model::words_logp(&t) - self.left_words
    }

    /// The pair `a` `b` that a list knows, from `first(a)` and `second(b)` (`a`'s share
    /// of the former that is words: `first_words(a)`).
    fn pair(&self, a: char, first: (f32, f32), b: char, second: f32) -> f32 {
        let (first, first_words) = first;
        let mut s =
            first + second - model::text_unlisted_logp(b) + model::text_logp(Some(a), Some(b));
        if model::is_han(a) && model::is_han(b) && model::in_word(a, b) {
            // The words of the pair replace those of each alone.
            let words = self.words_after_left(&[a, b]);
            s += PAIR_WORD_WEIGHT * (words - model::han_logp(a) - model::han_logp(b))
                - first_words
                - second_words(b);
        }
        s
    }

    /// The text as it stands: `g`, then the best character of GB2312 the U+FFFD may have
    /// been (of those that make no known pair with `g`, the best is found once per kind
    /// of character after it; those that do are each weighed).
    fn as_it_stands(&self, g: char) -> f32 {
        let fgw = self.first_words(g);
        let fg = model::text_logp(self.prev, Some(g)) + pairing(self.line, g) + fgw;
        let mut best = fg + best_unknown_second(self.following, self.traditional);
        // (A paired mark lost after `g` is weighed with it: `【` and its `】`.)
        let fg_alone = fg - pairing(self.line, g);
        for &(open, close) in &PAIRED_MARKS {
            for m in [open, close] {
                let both = pairing_of(self.line, &[g, m]);
                best = best.max(fg_alone + both + second_alone(m, self.following));
            }
        }
        for x in model::followers(g) {
            if self.fits(x) && gbk_pair(x).is_some() {
                best = best.max(self.pair(g, (fg, fgw), x, self.second(x)));
            }
        }
        best
    }
}

/// Whether `text` holds a kana Japanese writes most ([`model::kana_frequent`]: its
/// particles and endings) right after a kanji, as Japanese does in every sentence and
/// Chinese never does — a kanji Japanese writes: after a character only Simplified Chinese
/// writes (`现の`), the kana is misaligned GBK's (its trail byte A4 read as a lead).
fn japanese_particle_after_kanji(text: &str) -> bool {
    let mut prev = None;
    text.chars().any(|c| {
        let after_kanji = prev
            .is_some_and(|p| model::is_han(p) && !crate::convert::simplified_only(p))
            && model::kana_frequent(c);
        prev = Some(c);
        after_kanji
    })
}

/// Whether `c` is a kanji only Japanese writes: a shinjitai of OpenCC's
/// JPShinjitaiCharacters that is no Traditional form and that jieba's word list counts 100
/// times at most (`拡`, `団`, `値`; not `国`, which Simplified Chinese writes too). 222
/// characters.
fn japanese_only(c: char) -> bool {
    static JAPANESE: LazyLock<rustc_hash::FxHashSet<char>> = LazyLock::new(|| {
        crate::convert::shinjitai_pairs()
            .map(|(japanese, _)| japanese)
            .filter(|&j| crate::convert::t2s_char(j).is_none() && model::han_count(j) <= 100)
            .collect()
    });
    model::is_han(c) && JAPANESE.contains(&c)
}

/// A reading [`find_pair`] weighs in a line written in Traditional characters
/// (`traditional`) or not.
fn fits_line(c: char, traditional: bool) -> bool {
    rebuildable(c)
        && if traditional {
            !crate::convert::simplified_only(c)
        } else {
            !traditional_form(c)
        }
}

/// Whether `c` is a Traditional form, one OpenCC's TSCharacters writes otherwise in
/// Simplified Chinese (`檔`, not `档` or `的`).
fn traditional_form(c: char) -> bool {
    crate::convert::t2s_char(c).is_some_and(|s| s != c)
}

/// The words `b` makes as a word of its own, beyond what it is alone ([`PairScore`]).
fn second_words(b: char) -> f32 {
    if model::is_han(b) {
        PAIR_WORD_WEIGHT * (model::word_logp(b) - model::han_logp(b))
    } else {
        0.0
    }
}

/// [`PairScore::second`] of any character but a paired mark.
fn second_alone(b: char, following: Option<char>) -> f32 {
    model::text_unlisted_logp(b) + model::text_logp(Some(b), following) + second_words(b)
}

/// The best [`second_alone`] of GB2312's characters (Han and the punctuation of rows A1
/// and A3, but for the paired marks) that [`fits_line`], per kind of character after it
/// (a line's end, a digit, a letter, any other ASCII), found on first use.
fn best_unknown_second(following: Option<char>, traditional: bool) -> f32 {
    const KINDS: [Option<char>; 4] = [None, Some('0'), Some('a'), Some('.')];
    static BEST: LazyLock<[[f32; 4]; 2]> = LazyLock::new(|| {
        let readings: Vec<char> = (0xB0..=0xF7)
            .chain([0xA1, 0xA3])
            .flat_map(|lead| (0xA1..=0xFE).filter_map(move |t| decode_pair(lead, t)))
            .filter(|&x| !PAIRED_MARKS.iter().any(|&(o, c)| x == o || x == c))
            .collect();
        [false, true].map(|traditional| {
            KINDS.map(|kind| {
                readings
                    .iter()
                    .filter(|&&x| fits_line(x, traditional))
                    .map(|&x| second_alone(x, kind))
                    .fold(f32::NEG_INFINITY, f32::max)
            })
        })
    });
    let kind = match following {
        None | Some('\n' | '\r') => 0,
        Some(c) if c.is_ascii_digit() => 1,
        Some(c) if c.is_ascii_alphabetic() => 2,
        Some(_) => 3,
    };
    BEST[usize::from(traditional)][kind]
}

/// [`find`] where the damage is two garbled characters or more (or ends in no U+FFFD).
fn find_run(text: &str, run_start: usize, run_end: usize) -> Option<Found> {
    // A decoder that met (last trail byte, a byte below 0x40) wrote U+FFFD for the pair and
    // gave the ASCII byte back (WHATWG's GBK decoder, a browser): the run then ends in the
    // U+FFFD that marks the lost trail byte, with the resynchronising byte after it.
    let (run_end, lost_trail_marked) = match text[run_start..run_end].strip_suffix('\u{FFFD}') {
        Some(body) if !body.is_empty() => (run_start + body.len(), true),
        _ => (run_end, false),
    };
    // Where the letter that resynchronised it was read as the last trail byte, the run ends
    // in a character GB2312 text never holds (`稯` for `头` + `O`): as sure an end, and
    // the damage may begin at that character itself (where the character before the
    // letter lost a byte).
    let swallowed_marked = !lost_trail_marked
        && super::badness::swallowed_end(
            &text[run_start..run_end],
            text.as_bytes().get(run_end).copied(),
        );
    let marked = lost_trail_marked || swallowed_marked;
    // Extend backwards over folded punctuation and a `?` that stands for the lost lead byte.
    let mut start = run_start;
    let mut lead_marker = false;
    while let Some(c) = text[..start].chars().next_back() {
        if c == '?' {
            start -= 1;
            lead_marker = true;
            break;
        }
        if c.is_ascii_punctuation() && !matches!(c, '(' | ')' | '<' | '>' | '"' | '\'') {
            start -= 1;
            continue;
        }
        break;
    }
    // Punctuation before the run is only part of it when a `?` lead marker precedes it.
    if !lead_marker {
        start = run_start;
    }
    // Too short to weigh (below), known before anything is collected: clean Czech has a
    // run such as `ří` every 80 bytes.
    let needed = if marked && !lead_marker {
        MIN_MARKED_CHARS
    } else {
        MIN_REGION_CHARS
    };
    let body_start = if lead_marker { start + 1 } else { start };
    text[body_start..run_end].chars().nth(needed - 1)?;
    let after = &text[run_end..];
    let swallowed = text[start..run_end]
        .chars()
        .next_back()
        .and_then(gbk_pair)
        .filter(|&(_, y)| (0x40..=0x7E).contains(&y));
    let end_kind = match (swallowed, after.chars().next()) {
        (Some((_, y)), _) if !lost_trail_marked => End::Swallowed(y),
        (_, Some('?') | Some('\u{FFFD}')) => End::LostTrail,
        (_, Some(c)) if (0x40..=0x7E).contains(&(c as u32)) => End::AsciiTrail(c as u8),
        _ => return None,
    };
    let body: Vec<(usize, char)> = text[if lead_marker { start + 1 } else { start }..run_end]
        .char_indices()
        .map(|(i, c)| (i + if lead_marker { start + 1 } else { start }, c))
        .collect();
    // Where the damage may begin. After a `?` lead marker: there. Where the run ends in the
    // U+FFFD of a lost trail byte (or a swallowed letter) the damage is certain and may
    // begin anywhere in the run
    // (misaligned GBK is mostly common characters: nothing else points at its start);
    // elsewhere at most a few characters before the first suspicious one.
    let (lo, hi) = if marked && !lead_marker {
        if body.len() < MIN_MARKED_CHARS {
            return None;
        }
        (
            body.len().saturating_sub(MAX_MARKED_REGION),
            body.len()
                - if swallowed_marked {
                    1
                } else {
                    MIN_MARKED_CHARS
                },
        )
    } else {
        let suspicious: Vec<usize> = body
            .iter()
            .enumerate()
            .filter(|(_, (_, c))| super::badness::is_suspicious(*c))
            .map(|(i, _)| i)
            .collect();
        // The `?` of a lost lead byte is evidence too, and so is the U+FFFD of a lost trail
        // byte (the text is damaged already: the question is only how).
        let markers = usize::from(lead_marker) + usize::from(lost_trail_marked);
        let first = match suspicious.first() {
            Some(&i) if !lead_marker => i,
            _ => 0,
        };
        let evidence = suspicious.len() + markers;
        if evidence < MIN_SUSPICIOUS
            || body.len() - first < MIN_REGION_CHARS
            || evidence * 10 < (body.len() - first) * 3
        {
            return None;
        }
        if lead_marker {
            (0, 0)
        } else {
            (first.saturating_sub(START_SLACK), first)
        }
    };
    let cands: Vec<Vec<Cand>> = body.iter().map(|&(_, c)| candidates(c)).collect();
    // A character no GBK pair gives cannot be in the damage, so it begins after the last.
    let lo = cands
        .iter()
        .rposition(Vec::is_empty)
        .map_or(lo, |e| lo.max(e + 1));
    if lo > hi {
        return None;
    }
    let min_gain = if lost_trail_marked {
        MIN_GAIN_MARKED
    } else if swallowed_marked {
        MIN_GAIN_SWALLOWED
    } else {
        MIN_GAIN
    };
    let end_char_len = match end_kind {
        End::Swallowed(_) => 0,
        _ => after.chars().next().map_or(0, char::len_utf8),
    };
    // The whole window is compared: garbled text as it stands vs. the kept prefix + repair.
    // With a `?` lead marker nothing is kept: the `?` itself is consumed.
    let window_start = if lead_marker { start } else { body[lo].0 };
    let prev = without_artifact(&text[..window_start]).chars().next_back();
    let region_end = run_end + end_char_len;
    let mut orig_score = model::score_after(prev, &text[window_start..region_end]);
    if lost_trail_marked {
        orig_score +=
            UNKNOWN_CHAR - model::char_logp(text[..run_end].chars().next_back(), '\u{FFFD}');
    }
    let kept: Vec<char> = body[lo..hi].iter().map(|&(_, c)| c).collect();
    // A few places before the first suspicious character are all weighed; a marked run's
    // every place is first rated.
    let allowed = if marked && !lead_marker {
        likely_starts(&body[lo..], &cands[lo..], prev, hi - lo)
    } else {
        vec![true; hi - lo + 1]
    };
    let mut path = viterbi(&cands[lo..], &kept, &allowed, prev, !lead_marker, end_kind)?;
    let s = lo + path.start;
    // The gain is the model's own, whatever the lattice weighed the guessed bytes by.
    let mut rebuilt: String = body[lo..s].iter().map(|&(_, c)| c).collect();
    rebuilt.extend(&path.chars);
    let gain = model::score_after(prev, &rebuilt) - orig_score;
    let min_gain = if lost_trail_marked && body.len() - s <= MIN_MARKED_CHARS {
        MIN_GAIN_MARKED_SHORT
    } else {
        min_gain
    };
    if gain < min_gain || gain < MIN_GAIN_PER_CHAR * (body.len() - s) as f32 {
        return None;
    }
    let window_text = &text[..if lead_marker { start } else { body[s].0 }];
    reguess(
        &mut path,
        window_text,
        &text[region_end..],
        !lead_marker,
        end_kind == End::LostTrail,
    );
    let used_t2s = path.inverses.contains(&Inverse::T2s);
    let used_width = path.inverses.contains(&Inverse::Width);
    let mut recovered: String = path.chars.iter().collect();
    if used_t2s {
        if let Ok(s2t) = crate::convert::Converter::new("s2t") {
            recovered = s2t.convert(&recovered).into_owned();
        }
    }
    if used_width {
        recovered = recovered
            .chars()
            .map(|c| match c as u32 {
                0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect();
    }
    // Traditional text is not repaired into Simplified: a character only Simplified writes
    // in a realignment of a line written in Traditional characters (`啟用觸控螢幕模�` read
    // as `…为災荒，`) says the reading is wrong (a page converted after the damage was
    // read through the t2s inverse and is converted back above).
    let (line_before, line_after) = line_around(window_text, &text[region_end..]);
    if recovered.chars().any(crate::convert::simplified_only)
        && line_before
            .chars()
            .chain(line_after.chars())
            .any(traditional_form)
    {
        return None;
    }
    // Nor is Japanese: where two characters or fewer are realigned before a lost trail
    // byte's U+FFFD, a kana Japanese writes most after a kanji (`の` of `回の`), in the line
    // outside the realignment, says the line is Japanese and the U+FFFD a character it lost
    // (`回の繰返�` is 繰返し with its `し` lost, not `回の如胤的`). (A longer realignment is
    // surer, and a kana beside it is more often garbage it left out: `人た` before
    // `可读的状态描述`, GBK's `工` of 人工 realigned from its second byte. And a line that
    // holds a character only Simplified writes is no Japanese: `给定的的な椴呗�` is 给定的策略
    // misaligned, whose garbage `な` follows a `的`.)
    if lost_trail_marked
        && body.len() - s <= MIN_MARKED_CHARS
        && (japanese_particle_after_kanji(line_before) || japanese_particle_after_kanji(line_after))
        && !line_before
            .chars()
            .chain(line_after.chars())
            .any(crate::convert::simplified_only)
    {
        return None;
    }
    let mut chain = Vec::new();
    if used_t2s {
        chain.push("t2s-inverse".to_string());
    }
    if used_width {
        chain.push("width-inverse".to_string());
    }
    chain.push("encode(gbk)".to_string());
    chain.push(match path.lost {
        Lost::Lead(b) => format!("realign(lost lead byte {b:#04X})"),
        Lost::Trail(b) => format!("realign(lost trail byte {b:#04X})"),
    });
    if end_kind == End::LostTrail {
        chain.push(format!("lossy(lost trail byte {:#04X})", path.trail));
    }
    chain.push("decode(gbk)".to_string());
    if used_t2s {
        chain.push("s2t".to_string());
    }
    // A lossy reader that met (trail, '<') consumed the '<' too: "?/P>" was "。</P>".
    if end_kind == End::LostTrail && restores_tag_open(&text[region_end..]) {
        recovered.push('<');
        chain.push("restore('<')".to_string());
    }
    Some(Found {
        start: if lead_marker { start } else { body[s].0 },
        end: region_end,
        after: recovered,
        chain: chain.join(" → "),
        margin: gain,
        lost: 0,
    })
}

/// Chinese characters on each side of a guessed one that [`reguess`] reads as words.
const WORD_CONTEXT: usize = 3;

/// Chooses again the characters the lattice guessed from one known byte: the first damaged
/// one (its lost byte) and, after a lossy reader, the last (its lost trail byte), among
/// every reading of the known byte that Chinese text holds ([`rebuildable`]). The lattice
/// weighs them with the character model, which knows pairs inside words only and so falls
/// back on how common each character is alone (`中表` for `列表`, `人` for `了`), and knows
/// nothing of where punctuation goes (`，` for `：` before a line's end). Here each reading
/// is weighed by the pairs it makes with its neighbours in running text
/// ([`model::text_logp`]) and by the words it makes with the Chinese around it beyond what
/// it is alone ([`model::words_logp`]). The known byte may be the lead or the trail of the
/// character: the rest of the realignment reads the same either way, so both are weighed.
/// A paired mark is weighed by the marks of its line too ([`pairing`]). `before` is the text
/// before the damage (a pinyin artifact at its end looked through), `after` the text after
/// the repaired region.
fn reguess(
    path: &mut Path,
    before: &str,
    after: &str,
    trail_may_be_lost: bool,
    last_guessed: bool,
) {
    let n = path.chars.len();
    let before = without_artifact(before);
    let following = after.chars().next();
    // The line around the damage, for the paired marks ([`pairing`]).
    let (line_before, line_after) = line_around(before, after);
    // The Han characters just before position `k` of the path (the text before the damage,
    // then the path), nearest last, read as Simplified as the word list is (seed 002's `問`
    // before a guessed `题`; a guess keeps its own form).
    let left_of = |chars: &[char], k: usize| -> String {
        let mut t: Vec<char> = chars[..k]
            .iter()
            .rev()
            .copied()
            .chain(before.chars().rev())
            .take_while(|&c| model::is_han(c))
            .take(WORD_CONTEXT)
            .collect();
        t.reverse();
        model::simplified(&t.into_iter().collect::<String>())
    };
    // The best of `readings` (character, what was lost) between the characters `prev` and
    // `next` (`Some(None)`: a line's edge; `None`: unknown, a guessed one), the Han words
    // `left` and `right`, and the rest of the line on each side (`line`); `None` if that is
    // `current`.
    let pick = |prev: Option<char>,
                next: Option<Option<char>>,
                left: &str,
                right: &str,
                line: (&[char], &[char]),
                current: char,
                readings: &mut dyn Iterator<Item = (char, Lost)>| {
        let alone = model::words_logp(left) + model::words_logp(right);
        let score = |c: char| {
            let mut s = model::text_logp(prev, Some(c)) + pairing(line, c);
            if let Some(next) = next {
                s += model::text_logp(Some(c), next);
            }
            if model::is_han(c) && !(left.is_empty() && right.is_empty()) {
                // A word with a neighbour holds the pair it makes with it; without one the
                // words are those of each side and `c` alone (one look-up, not a
                // segmentation: most of the readings make no word).
                let joins = left
                    .chars()
                    .next_back()
                    .is_some_and(|l| model::in_word(l, c))
                    || right.chars().next().is_some_and(|r| model::in_word(c, r));
                let words = if joins {
                    model::words_logp(&format!("{left}{c}{right}")) - alone
                } else {
                    model::word_logp(c)
                };
                s += words - model::han_logp(c);
            }
            s
        };
        let bar = score(current);
        readings
            .filter(|&(c, _)| rebuildable(c) && c != current)
            .map(|(c, lost)| (score(c), c, lost))
            .filter(|&(s, ..)| s > bar)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c, lost)| (c, lost))
    };
    let last_is_guessed = last_guessed && n > 1;
    let first = path.chars[0];
    if let Some((x, y)) = gbk_pair(first).filter(|_| rebuildable(first)) {
        // (A guessed last character is no context.)
        let next = match path.chars.get(1) {
            Some(_) if last_is_guessed && n == 2 => None,
            Some(&c) => Some(Some(c)),
            None => Some(following),
        };
        let right: String = path.chars[1..n - usize::from(last_is_guessed)]
            .iter()
            .copied()
            .take_while(|&c| model::is_han(c))
            .take(WORD_CONTEXT)
            .collect();
        let (prev, left) = (before.chars().next_back(), left_of(&path.chars, 0));
        // The known byte is the first character's trail if its lead was lost, its lead if
        // its trail was; the rest of the realignment is the same either way, so both are
        // weighed (`启` C6F4 with F4 lost reads `移` D2C6 too, as a lost lead).
        let known = match path.lost {
            Lost::Lead(_) => y,
            Lost::Trail(_) => x,
        };
        let as_trail = (0x81..=0xFE).filter_map(|l| Some((decode_pair(l, known)?, Lost::Lead(l))));
        let as_lead = (0x40..=0xFE)
            .filter(|_| trail_may_be_lost)
            .filter_map(|t| Some((decode_pair(known, t)?, Lost::Trail(t))));
        let line_left: Vec<char> = line_before.chars().collect();
        let line_right: Vec<char> = path.chars[1..]
            .iter()
            .copied()
            .chain(line_after.chars())
            .collect();
        let found = pick(
            prev,
            next,
            &left,
            &model::simplified(&right),
            (&line_left, &line_right),
            first,
            &mut as_trail.chain(as_lead),
        );
        if let Some((c, lost)) = found {
            path.chars[0] = c;
            path.lost = lost;
        }
    }
    let last = path.chars[n - 1];
    if let (true, Some((x, _))) = (last_is_guessed && rebuildable(last), gbk_pair(last)) {
        let left = left_of(&path.chars, n - 1);
        let line_left: Vec<char> = line_before
            .chars()
            .chain(path.chars[..n - 1].iter().copied())
            .collect();
        let line_right: Vec<char> = line_after.chars().collect();
        let found = pick(
            Some(path.chars[n - 2]),
            Some(following),
            &left,
            "",
            (&line_left, &line_right),
            last,
            &mut (0x40..=0xFE).filter_map(|t| Some((decode_pair(x, t)?, Lost::Trail(t)))),
        );
        if let Some((c, Lost::Trail(byte) | Lost::Lead(byte))) = found {
            path.chars[n - 1] = c;
            path.trail = byte;
        }
    }
}

/// How far along its line the text around the damage is read (bytes each side): its paired
/// marks and its scripts are those of this window, so that a file of one endless line (random
/// bytes read as GBK) is not read whole for each damaged span.
const LINE_REACH: usize = 600;

/// The line around the damage: `before` back to its line's start and `after` on to its
/// line's end, each at most [`LINE_REACH`] bytes.
fn line_around<'a>(before: &'a str, after: &'a str) -> (&'a str, &'a str) {
    let mut lo = before.len().saturating_sub(LINE_REACH);
    while !before.is_char_boundary(lo) {
        lo += 1;
    }
    let before = &before[lo..];
    let mut hi = after.len().min(LINE_REACH);
    while !after.is_char_boundary(hi) {
        hi -= 1;
    }
    let after = &after[..hi];
    (
        &before[before.rfind('\n').map_or(0, |i| i + 1)..],
        &after[..after.find('\n').unwrap_or(after.len())],
    )
}

/// The marks Chinese text writes in pairs, opening and closing within a line.
const PAIRED_MARKS: [(char, char); 6] = [
    ('“', '”'),
    ('‘', '’'),
    ('（', '）'),
    ('《', '》'),
    ('「', '」'),
    ('【', '】'),
];
/// What a reading of a guessed character gains (nats) per paired mark it matches (an
/// opening `“` before a `”` later in the line, a `）` after an unclosed `（`) and loses per
/// mark it leaves unmatched: the running text's pairs weigh `“` and `。` by their
/// neighbours only (`“%s”` became `。%s”`), and prefer `。` by about five nats. On held-out
/// catalog strings 3 nats fixed half the wrong marks, 6 to 10 three quarters alike. With
/// programs' messages in the running text (many a line ends in `。`), 8 no longer closed
/// seed 003's `《调车推进作业安全细化措施》`; at 10 the held-out rows are as good or better.
const PAIR_BALANCE: f32 = 10.0;

/// [`PAIR_BALANCE`] times how many fewer marks of its kind are left unmatched in the line
/// (`line`: the characters before and after) with `c` between its two sides than without
/// it; 0 for a character that is no paired mark.
fn pairing(line: (&[char], &[char]), c: char) -> f32 {
    pairing_of(line, &[c])
}

/// [`pairing`] of the characters `chars` together, between the two sides of `line`: a mark
/// among them may match another (`【` and the `】` after it).
fn pairing_of(line: (&[char], &[char]), chars: &[char]) -> f32 {
    let mut total = 0.0;
    for &(open, close) in &PAIRED_MARKS {
        if !chars.iter().any(|&c| c == open || c == close) {
            continue;
        }
        let unmatched = |with: &[char]| {
            let (mut depth, mut stray) = (0u32, 0u32);
            for &ch in line.0.iter().chain(with).chain(line.1) {
                if ch == open {
                    depth += 1;
                } else if ch == close {
                    match depth.checked_sub(1) {
                        Some(d) => depth = d,
                        None => stray += 1,
                    }
                }
            }
            depth + stray
        };
        total += PAIR_BALANCE * (unmatched(&[]) as f32 - unmatched(chars) as f32);
    }
    total
}

/// The text before the damage without a pinyin artifact at its end: in `學(xué)?!…` what
/// comes before the rebuilt `校` is `學`, not `)`.
fn without_artifact(before: &str) -> &str {
    if before.ends_with(')') {
        if let Some(open) = before.rfind('(') {
            let han = before[..open].chars().next_back();
            if let Some(h) = han.filter(|&h| model::is_han(h)) {
                if crate::pinyin::is_reading_of(h, &before[open + 1..before.len() - 1]) {
                    return &before[..open];
                }
            }
        }
    }
    before
}

/// `/name>` right after a lost byte: the lost byte was the `<` of a closing tag.
fn restores_tag_open(rest: &str) -> bool {
    let b = rest.as_bytes();
    if b.first() != Some(&b'/') {
        return false;
    }
    let name_len = b[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    name_len > 0 && b.get(1 + name_len) == Some(&b'>')
}

struct Path {
    /// The rebuilt characters, from the start of the damage.
    chars: Vec<char>,
    inverses: Vec<Inverse>,
    /// How many characters are kept before the damage begins.
    start: usize,
    lost: Lost,
    trail: u8,
}

/// The best reading of `cands` (the garbled characters from the earliest place the damage
/// may begin) as misaligned text: where the damage begins (after k of the characters,
/// which stay as they are, for each k that `allowed` allows; `kept` holds those that may be
/// kept), the lost byte of the first damaged character (its lead, or its trail when
/// `trail_may_be_lost`), the candidate byte form of each garbled character and, for a
/// lossy end, the lost trail byte. One Viterbi pass: state after
/// character k = (choice at k-1, or the lost byte where the damage begins at k; choice at
/// k), scored by the rebuilt character.
fn viterbi(
    cands: &[Vec<Cand>],
    kept: &[char],
    allowed: &[bool],
    prev: Option<char>,
    trail_may_be_lost: bool,
    end: End,
) -> Option<Path> {
    let n = cands.len();
    let mut starts: Vec<Lost> = (0x81..=0xFE).map(Lost::Lead).collect();
    if trail_may_be_lost {
        starts.extend((0x40..=0xFE).filter(|&b| b != 0x7F).map(Lost::Trail));
    }
    // layers[k][z][b]: rebuilt character k from choice b at k and, for z below the count of
    // choices at k-1, choice z there; above it, the damage begins at k with lost byte
    // starts[z - that count].
    let mut layers: Vec<Vec<Vec<Option<Cell>>>> = Vec::with_capacity(n);
    let mut kept_score = 0.0;
    let mut kept_prev = prev;
    for k in 0..n {
        let before = if k == 0 { 0 } else { cands[k - 1].len() };
        let mut layer: Vec<Vec<Option<Cell>>> = Vec::with_capacity(before + starts.len());
        if let Some(prev_layer) = k.checked_sub(1).map(|p| &layers[p]) {
            let before_prev = if k == 1 { 0 } else { cands[k - 2].len() };
            for (a, ca) in cands[k - 1].iter().enumerate() {
                let row = cands[k]
                    .iter()
                    .map(|cb| {
                        let ch = decode_pair(ca.y, cb.x).filter(|&c| rebuildable(c))?;
                        let (score, back) = best_before(prev_layer, a, before_prev, ch)?;
                        Some(Cell { score, ch, back })
                    })
                    .collect();
                layer.push(row);
            }
        }
        if allowed.get(k) == Some(&true) {
            for &lost in &starts {
                let row = cands[k]
                    .iter()
                    .map(|c| {
                        let ch = match lost {
                            Lost::Lead(lead) => decode_pair(lead, c.x),
                            Lost::Trail(trail) => decode_pair(c.x, trail),
                        }?;
                        if !rebuildable(ch) {
                            return None;
                        }
                        Some(Cell {
                            score: kept_score + model::guess_logp(kept_prev, ch),
                            ch,
                            back: usize::MAX,
                        })
                    })
                    .collect();
                layer.push(row);
            }
        }
        if let Some(&c) = kept.get(k) {
            kept_score += model::char_logp(kept_prev, c);
            kept_prev = Some(c);
        }
        debug_assert!(layer.len() >= before);
        layers.push(layer);
    }
    // Final character: (y of the last choice, trail), or the swallowed ASCII byte itself.
    let last = &layers[n - 1];
    let trails: Vec<u8> = match end {
        End::AsciiTrail(t) | End::Swallowed(t) => vec![t],
        End::LostTrail => (0x40..=0xFE).filter(|&b| b != 0x7F).collect(),
    };
    let mut best: Option<(f32, usize, usize, u8, char)> = None;
    for (z, row) in last.iter().enumerate() {
        for (b, cell) in row.iter().enumerate() {
            let Some(cell) = cell else { continue };
            let y = cands[n - 1][b].y;
            for &t in &trails {
                let ch = match end {
                    End::Swallowed(_) if y == t => t as char,
                    End::Swallowed(_) => continue,
                    _ => match decode_pair(y, t) {
                        Some(ch) if end == End::LostTrail && !rebuildable(ch) => continue,
                        Some(ch) => ch,
                        None => continue,
                    },
                };
                let s = cell.score
                    + if end == End::LostTrail {
                        model::guess_logp(Some(cell.ch), ch)
                    } else {
                        model::char_logp(Some(cell.ch), ch)
                    };
                if best.is_none_or(|(bs, ..)| s > bs) {
                    best = Some((s, z, b, t, ch));
                }
            }
        }
    }
    let (_, mut z, mut b, trail, last_ch) = best?;
    // Walk back to where the damage begins.
    let mut chars = vec![last_ch];
    let mut inverses = Vec::with_capacity(n);
    let mut k = n - 1;
    let lost = loop {
        let cell = layers[k][z][b].as_ref().expect("on the best path");
        chars.push(cell.ch);
        inverses.push(cands[k][b].inverse);
        let before = if k == 0 { 0 } else { cands[k - 1].len() };
        if z >= before {
            break starts[z - before];
        }
        b = z;
        z = cell.back;
        k -= 1;
    };
    chars.reverse();
    Some(Path {
        chars,
        inverses,
        start: k,
        lost,
        trail,
    })
}

/// Can a realigned reading of Chinese text rebuild `c` (or a lost byte be guessed to
/// make it)? Chinese text's own characters: Han, and GBK's rows of punctuation and
/// full-width forms (A1, A3); not the kana, Greek, Cyrillic, pinyin and box-drawing rows,
/// which a wrong reading makes often (`无有У算术` for `无效的算术`) and Chinese text holds
/// rarely.
fn rebuildable(c: char) -> bool {
    model::is_han(c) || gbk_pair(c).is_some_and(|(lead, _)| lead == 0xA1 || lead == 0xA3)
}

/// How many places [`likely_starts`] lets the lattice begin the damage at.
const MAX_STARTS: usize = 2;

/// Where in `body` (from its start to `last`) the damage most likely begins, as a mask for
/// [`viterbi`]: each place is rated by how much better the text after it reads realigned
/// (each character rebuilt from its neighbours' bytes, the first candidate of each) than as
/// it stands, and the [`MAX_STARTS`] best are kept. The lattice weighs every lost byte at
/// every place it may begin (316 of them): trying every place made a file of misaligned
/// lines nine times slower to repair, and two places give the same held-out results as
/// four; the realigned text tells where its gain begins.
fn likely_starts(
    body: &[(usize, char)],
    cands: &[Vec<Cand>],
    prev: Option<char>,
    last: usize,
) -> Vec<bool> {
    let n = body.len();
    let form = |j: usize| cands[j].first().map(|c| (c.x, c.y));
    // gain[j]: character j realigned (from j-1's second byte and its own first) against as
    // it stands, each after the character before it read the same way.
    let mut gain = vec![0f32; n];
    let mut as_is = vec![0f32; n];
    let mut rebuilt_prev: Option<char> = None;
    for j in 0..n {
        let before = if j == 0 { prev } else { Some(body[j - 1].1) };
        as_is[j] = model::char_logp(before, body[j].1);
        let rebuilt = match (j.checked_sub(1).and_then(form), form(j)) {
            (Some((_, y)), Some((x, _))) => decode_pair(y, x),
            _ => None,
        };
        gain[j] = match rebuilt {
            Some(r) => model::char_logp(rebuilt_prev, r) - as_is[j],
            None => f32::NEG_INFINITY,
        };
        rebuilt_prev = rebuilt;
    }
    // Beginning at s: character s is guessed, every later one realigned.
    let mut rated: Vec<(f32, usize)> = Vec::with_capacity(last + 1);
    let mut suffix = 0f32;
    for s in (0..n).rev() {
        if s <= last {
            rated.push((suffix - as_is[s], s));
        }
        suffix += gain[s];
    }
    rated.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    let mut allowed = vec![false; last + 1];
    for &(_, s) in rated.iter().take(MAX_STARTS) {
        allowed[s] = true;
    }
    allowed
}

/// A state of [`viterbi`]'s lattice: the best score of a reading ending in it, the
/// character it rebuilds and the state before it (`usize::MAX` where the damage begins).
struct Cell {
    score: f32,
    ch: char,
    back: usize,
}

/// The best state of `layer` whose choice at its character is `a`, followed by the rebuilt
/// character `ch`: (score with `ch`, that state's row). Rows from `continued` on are where
/// the damage begins, one per lost byte: the pair they make with `ch` weighs at most 0 and
/// at least [`model::guess_floor`], so a row whose score is below the best row's by more
/// than that floor cannot win and is not weighed.
fn best_before(
    layer: &[Vec<Option<Cell>>],
    a: usize,
    continued: usize,
    ch: char,
) -> Option<(f32, usize)> {
    let cell_at = |z: usize| layer[z].get(a).and_then(Option::as_ref);
    let mut best: Option<(f32, usize)> = None;
    for z in 0..continued.min(layer.len()) {
        if let Some(cell) = cell_at(z) {
            let s = cell.score + model::char_logp(Some(cell.ch), ch);
            if best.is_none_or(|(bs, _)| s > bs) {
                best = Some((s, z));
            }
        }
    }
    let top = (continued..layer.len())
        .filter_map(|z| cell_at(z).map(|c| c.score))
        .fold(f32::NEG_INFINITY, f32::max);
    let bar = top + model::guess_floor(ch);
    for z in continued..layer.len() {
        if let Some(cell) = cell_at(z).filter(|c| c.score >= bar) {
            let s = cell.score + model::guess_logp(Some(cell.ch), ch);
            if best.is_none_or(|(bs, _)| s > bs) {
                best = Some((s, z));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paired_mark_is_weighed_by_the_marks_of_its_line() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        // `“立志` before, `的` after: `”` closes the quote, `“` leaves two open.
        let (before, after) = (chars("开展“立志"), chars("的主题"));
        assert_eq!(pairing((&before, &after), '”'), PAIR_BALANCE);
        assert_eq!(pairing((&before, &after), '“'), -PAIR_BALANCE);
        assert_eq!(pairing((&before, &after), '。'), 0.0);
        // A closing mark later in the line is matched by an opening one before it.
        let (before, after) = (chars(""), chars("统一认识.doc》"));
        assert_eq!(pairing((&before, &after), '《'), PAIR_BALANCE);
        assert_eq!(pairing((&before, &after), '》'), -PAIR_BALANCE);
        // Other kinds of marks are not counted against each other.
        assert_eq!(pairing((&before, &after), '（'), -PAIR_BALANCE);
        assert_eq!(pairing((&chars("（甲"), &chars("乙")), '）'), PAIR_BALANCE);
        assert_eq!(
            pairing((&chars("（甲"), &chars("乙）")), '）'),
            -PAIR_BALANCE
        );
        // Marks weighed together match each other: `【` with the `】` lost after it.
        let (before, after) = (chars("浏览次数: "), chars(""));
        assert_eq!(pairing((&before, &after), '【'), -PAIR_BALANCE);
        assert_eq!(pairing_of((&before, &after), &['【', '】']), 0.0);
        assert_eq!(
            pairing_of((&before, &after), &['【', '”']),
            -2.0 * PAIR_BALANCE
        );
    }

    #[test]
    fn older_decoders_private_use_is_the_same_pair() {
        // A8BC: `ḿ` to WHATWG's decoder, U+E7C7 to GB18030-2000's (Python's codec).
        assert_eq!(gbk_pair('\u{1E3F}'), Some((0xA8, 0xBC)));
        assert_eq!(gbk_pair('\u{E7C7}'), Some((0xA8, 0xBC)));
        assert_eq!(gbk_pair('\u{E864}'), Some((0xFE, 0xA0)));
        // A private-use character WHATWG decodes to itself keeps its own pair.
        assert_eq!(gbk_pair('\u{E000}'), Some((0xAA, 0xA1)));
    }

    #[test]
    fn a_guessed_pair_never_weighs_below_its_floor() {
        // `best_before` skips start rows by this bound: it must hold for every character a
        // lost byte can make, before every Han character (every 37th GBK pair of each).
        let guessed: Vec<char> = PAIRS.iter().copied().filter(|&c| rebuildable(c)).collect();
        let han: Vec<char> = guessed
            .iter()
            .copied()
            .filter(|&c| model::is_han(c))
            .collect();
        assert!(guessed.len() > 20_000 && han.len() > 20_000);
        for &p in guessed.iter().step_by(37) {
            for &c in han.iter().step_by(37) {
                let (w, floor) = (model::guess_logp(Some(p), c), model::guess_floor(c));
                assert!(w >= floor && w <= 0.0, "{p}{c}: {w} < {floor}");
            }
        }
    }

    #[test]
    fn the_inverted_table_is_the_encoder() {
        for &c in PAIRS.iter().filter(|&&c| c != '\0') {
            let mut buf = [0u8; 4];
            let (bytes, _, bad) = GBK.encode(c.encode_utf8(&mut buf));
            let expected = (!bad && bytes.len() == 2).then(|| (bytes[0], bytes[1]));
            assert_eq!(gbk_pair(c), expected, "{c} U+{:04X}", c as u32);
        }
    }

    /// A line written in Traditional characters is not realigned into Simplified ones:
    /// `觸控螢幕模` (touch-screen mode) that lost its last character read as misaligned GBK
    /// gave `觸控为災荒，`.
    #[test]
    fn traditional_text_is_not_realigned_into_simplified() {
        let text = "觸控螢幕模\u{FFFD}";
        assert!(find(text, 0, text.len()).is_none());
    }

    /// A particle after a kanji says a line is Japanese, which keeps a short realignment
    /// from being made in it ([`find_run`]).
    #[test]
    fn a_particle_after_a_kanji_japanese_writes_is_japanese() {
        // fixtures/text/ja.txt: `人間は`, `尊厳と`.
        assert!(japanese_particle_after_kanji(
            "すべての人間は、生れながらにして"
        ));
        assert!(japanese_particle_after_kanji("尊厳と権利"));
        // A kana before a kanji, a rarer kana (`ぃ`, what GBK makes of Big5's 不), no kana.
        assert!(!japanese_particle_after_kanji("の人"));
        assert!(!japanese_particle_after_kanji("人ぃ"));
        assert!(!japanese_particle_after_kanji("人人生而自由"));
        // After a character only Simplified Chinese writes, a kana is misaligned GBK's.
        assert!(!japanese_particle_after_kanji("身份现の"));
    }

    /// A kanji only Japanese writes keeps a line from being read as misaligned Chinese:
    /// `拡大/縮小` (zoom in, out) that lost its `大` is Japanese, though 拡 (92 88) and the
    /// U+FFFD make a Chinese pair.
    #[test]
    fn a_japanese_only_kanji_is_no_garbled_chinese() {
        assert!(japanese_only('拡') && japanese_only('団'));
        assert!(!japanese_only('国') && !japanese_only('扩') && !japanese_only('擴'));
        let text = "拡\u{FFFD}/縮小";
        let run_end = text.find('/').unwrap();
        assert!(find_pair(text, 0, run_end).is_none());
    }

    /// The pair search (the best few of each side for the pairs no list knows, the
    /// followers of each first reading for those a list knows, best first readings first)
    /// finds the pair that weighing all 72,000 finds, in the lines of the fixtures and
    /// others.
    #[test]
    fn the_pair_search_finds_the_best_of_every_pair() {
        let cases: [(&str, char, &str); 6] = [
            ("", '谝', ",我院在党建"),
            ("创新人才培养", '氖', ",提高人才"),
            ("报告厅召开了座", '袒', ",进行了网络"),
            ("向党", '献', ",各阶段的活动"),
            ("无法", '唇', " '%s.lock'：%s。"),
            ("“五个", '谩', ":即领导班子"),
        ];
        for (before, g, after) in cases {
            let line_before: Vec<char> = before.chars().collect();
            let line_after: Vec<char> = after.chars().collect();
            let left: String = before
                .chars()
                .rev()
                .take_while(|&c| model::is_han(c))
                .take(WORD_CONTEXT)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let ps = PairScore {
                prev: before.chars().next_back(),
                following: after.chars().next(),
                left_words: model::words_logp(&left),
                left,
                line: (&line_before, &line_after),
                traditional: false,
            };
            let (g1, g2) = gbk_pair(g).unwrap();
            let (firsts, seconds) = (ps.first_readings(g1), ps.second_readings(g2));
            let mut every = (f32::NEG_INFINITY, 0, 0);
            for (i, &(a, _, fa, fw)) in firsts.iter().enumerate() {
                for (j, &(b, _, sb)) in seconds.iter().enumerate() {
                    let s = if ps.known(a, b) {
                        ps.pair(a, (fa, fw), b, sb)
                    } else {
                        fa + sb
                    };
                    if s > every.0 {
                        every = (s, i, j);
                    }
                }
            }
            let found = best_pair(&ps, &firsts, &seconds, f32::NEG_INFINITY).unwrap();
            assert_eq!(
                (firsts[found.1].0, seconds[found.2].0),
                (firsts[every.1].0, seconds[every.2].0),
                "{before}{g}�{after}"
            );
            assert!((found.0 - every.0).abs() < 1e-4, "{before}{g}�{after}");
        }
    }
}
