//! Misaligned double-byte text: a byte was lost (or an ASCII byte inserted), so every
//! character was decoded from the *trail byte of one character and the lead byte of the
//! next*, until an ASCII byte resynchronised the decoder. Often the damage was then
//! converted (s2t, full-width punctuation folded to ASCII), so each garbled character has
//! several possible byte forms. Choosing them is a path through a small lattice — state =
//! (choice at i-1, choice at i), each step adds the language-model score of the character
//! rebuilt from the two — solved with Viterbi, linear in the span. The lost lead byte at the
//! start (and a lost trail byte at the end) are lattice choices too, picked by score.

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
/// …and by this much per garbled character: garbled text is far less likely than real text.
const MIN_GAIN_PER_CHAR: f32 = 2.0;
/// Region needs this many suspicious characters to be considered.
const MIN_SUSPICIOUS: usize = 2;
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

/// Looks for a misaligned region overlapping the non-ASCII run `text[run_start..run_end]`.
pub fn find(text: &str, run_start: usize, run_end: usize) -> Option<Found> {
    // A decoder that met (last trail byte, a byte below 0x40) wrote U+FFFD for the pair and
    // gave the ASCII byte back (WHATWG's GBK decoder, a browser): the run then ends in the
    // U+FFFD that marks the lost trail byte, with the resynchronising byte after it.
    let (run_end, lost_trail_marked) = match text[run_start..run_end].strip_suffix('\u{FFFD}') {
        Some(body) if !body.is_empty() => (run_start + body.len(), true),
        _ => (run_end, false),
    };
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
    let after = &text[run_end..];
    let end_kind = match after.chars().next() {
        Some('?') | Some('\u{FFFD}') => End::LostTrail,
        Some(c) if (0x40..=0x7E).contains(&(c as u32)) => End::AsciiTrail(c as u8),
        _ => return None,
    };
    let body: Vec<(usize, char)> = text[if lead_marker { start + 1 } else { start }..run_end]
        .char_indices()
        .map(|(i, c)| (i + if lead_marker { start + 1 } else { start }, c))
        .collect();
    let suspicious: Vec<usize> = body
        .iter()
        .enumerate()
        .filter(|(_, (_, c))| super::badness::is_suspicious(*c))
        .map(|(i, _)| i)
        .collect();
    // The `?` of a lost lead byte is evidence too, and so is the U+FFFD of a lost trail byte
    // (the text is damaged already: the question is only how).
    let markers = usize::from(lead_marker) + usize::from(lost_trail_marked);
    if suspicious.len() + markers < MIN_SUSPICIOUS {
        return None;
    }
    let first = match suspicious.first() {
        Some(&i) if !lead_marker => i,
        _ => 0,
    };
    if (body.len() - first) < 3 || (suspicious.len() + markers) * 10 < (body.len() - first) * 3 {
        return None;
    }
    let min_gain = if lost_trail_marked {
        MIN_GAIN_MARKED
    } else {
        MIN_GAIN
    };
    let cands: Vec<Vec<Cand>> = body.iter().map(|&(_, c)| candidates(c)).collect();
    let end_char_len = after.chars().next().map_or(0, char::len_utf8);
    let mut best: Option<Found> = None;
    let starts: Vec<usize> = if lead_marker {
        vec![0]
    } else {
        (first.saturating_sub(START_SLACK)..=first).collect()
    };
    // The whole window is compared: garbled text as it stands vs. the kept prefix + repair.
    let window_start = if lead_marker {
        start
    } else {
        body[starts[0]].0
    };
    let prev = context_before(&text[..window_start]);
    let region_end = run_end + end_char_len;
    let orig_score = model::score_after(prev, &text[window_start..region_end]);
    for &s in &starts {
        if cands[s..].iter().any(Vec::is_empty) {
            continue;
        }
        // With a `?` lead marker nothing is kept: the `?` itself is consumed.
        let kept = if lead_marker {
            ""
        } else {
            &text[window_start..body[s].0]
        };
        let kept_prev = if kept.is_empty() {
            prev
        } else {
            kept.chars().next_back()
        };
        let Some(path) = viterbi(&cands[s..], kept_prev, end_kind) else {
            continue;
        };
        let score = model::score_after(prev, kept) + path.score;
        let gain = score - orig_score;
        let n = body.len() - s;
        if gain < min_gain || gain < MIN_GAIN_PER_CHAR * n as f32 {
            continue;
        }
        if best.as_ref().is_some_and(|b| b.margin >= gain) {
            continue;
        }
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
        let mut chain = Vec::new();
        if used_t2s {
            chain.push("t2s-inverse".to_string());
        }
        if used_width {
            chain.push("width-inverse".to_string());
        }
        chain.push("encode(gbk)".to_string());
        chain.push(format!("realign(lost lead byte {:#04X})", path.lead));
        if end_kind == End::LostTrail {
            chain.push(format!("lossy(lost trail byte {:#04X})", path.trail));
        }
        chain.push("decode(gbk)".to_string());
        if used_t2s {
            chain.push("s2t".to_string());
        }
        // A lossy reader that met (trail, '<') consumed the '<' too: "?/P>" was "。</P>".
        let end = region_end;
        if end_kind == End::LostTrail && restores_tag_open(&text[region_end..]) {
            recovered.push('<');
            chain.push("restore('<')".to_string());
        }
        best = Some(Found {
            start: body[s].0.min(if lead_marker { start } else { usize::MAX }),
            end,
            after: recovered,
            chain: chain.join(" → "),
            margin: gain,
            lost: 0,
        });
    }
    best
}

/// The character before the damage, looking through a pinyin artifact: in `學(xué)?!…` the
/// context of the rebuilt `校` is `學`, not `)`.
fn context_before(before: &str) -> Option<char> {
    if before.ends_with(')') {
        if let Some(open) = before.rfind('(') {
            let han = before[..open].chars().next_back();
            if let Some(h) = han.filter(|&h| model::is_han(h)) {
                if crate::pinyin::is_reading_of(h, &before[open + 1..before.len() - 1]) {
                    return Some(h);
                }
            }
        }
    }
    before.chars().next_back()
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
    chars: Vec<char>,
    inverses: Vec<Inverse>,
    score: f32,
    lead: u8,
    trail: u8,
}

/// Best choice of candidates, lost lead byte and (for a lossy end) lost trail byte.
fn viterbi(cands: &[Vec<Cand>], prev: Option<char>, end: End) -> Option<Path> {
    let n = cands.len();
    // State after step k: (index of choice at k-1 — or the lead byte for k = 0 —, index at k).
    // dp holds (score, rebuilt char r_k, back-pointer to the previous state).
    struct Cell {
        score: f32,
        ch: char,
        back: usize,
    }
    let leads: Vec<u8> = (0x81..=0xFE).collect();
    let mut layers: Vec<Vec<Vec<Option<Cell>>>> = Vec::with_capacity(n + 1);
    // Layer 0: states (lead, c0).
    let mut l0: Vec<Vec<Option<Cell>>> = Vec::with_capacity(leads.len());
    for &lead in &leads {
        let row = cands[0]
            .iter()
            .map(|c0| {
                decode_pair(lead, c0.x).map(|ch| Cell {
                    score: model::char_logp(prev, ch),
                    ch,
                    back: usize::MAX,
                })
            })
            .collect();
        l0.push(row);
    }
    layers.push(l0);
    for k in 1..n {
        let prev_layer = &layers[k - 1];
        let mut layer: Vec<Vec<Option<Cell>>> = (0..cands[k - 1].len())
            .map(|_| (0..cands[k].len()).map(|_| None).collect())
            .collect();
        for (a, ca) in cands[k - 1].iter().enumerate() {
            for (b, cb) in cands[k].iter().enumerate() {
                let Some(ch) = decode_pair(ca.y, cb.x) else {
                    continue;
                };
                // Best predecessor state (z, a).
                let mut best: Option<(f32, usize)> = None;
                for (z, row) in prev_layer.iter().enumerate() {
                    if let Some(Some(cell)) = row.get(a) {
                        let s = cell.score + model::char_logp(Some(cell.ch), ch);
                        if best.is_none_or(|(bs, _)| s > bs) {
                            best = Some((s, z));
                        }
                    }
                }
                if let Some((score, z)) = best {
                    layer[a][b] = Some(Cell { score, ch, back: z });
                }
            }
        }
        layers.push(layer);
    }
    // Final character: (y of the last choice, trail).
    let last = &layers[n - 1];
    let trails: Vec<u8> = match end {
        End::AsciiTrail(t) => vec![t],
        End::LostTrail => (0x40..=0xFE).filter(|&b| b != 0x7F).collect(),
    };
    let mut best: Option<(f32, usize, usize, u8, char)> = None;
    for (z, row) in last.iter().enumerate() {
        for (b, cell) in row.iter().enumerate() {
            let Some(cell) = cell else { continue };
            for &t in &trails {
                let Some(ch) = decode_pair(cands[n - 1][b].y, t) else {
                    continue;
                };
                let s = cell.score + model::char_logp(Some(cell.ch), ch);
                if best.is_none_or(|(bs, ..)| s > bs) {
                    best = Some((s, z, b, t, ch));
                }
            }
        }
    }
    let (score, mut z, mut b, trail, last_ch) = best?;
    // Walk back.
    let mut chars = vec![last_ch];
    let mut inverses = Vec::with_capacity(n);
    for k in (0..n).rev() {
        let cell = layers[k][z][b].as_ref().expect("on the best path");
        chars.push(cell.ch);
        inverses.push(cands[k][b].inverse);
        if k == 0 {
            break;
        }
        let back = cell.back;
        b = z;
        z = back;
    }
    let lead = leads[z];
    chars.reverse();
    Some(Path {
        chars,
        inverses,
        score,
        lead,
        trail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_inverted_table_is_the_encoder() {
        for &c in PAIRS.iter().filter(|&&c| c != '\0') {
            let mut buf = [0u8; 4];
            let (bytes, _, bad) = GBK.encode(c.encode_utf8(&mut buf));
            let expected = (!bad && bytes.len() == 2).then(|| (bytes[0], bytes[1]));
            assert_eq!(gbk_pair(c), expected, "{c} U+{:04X}", c as u32);
        }
    }
}
