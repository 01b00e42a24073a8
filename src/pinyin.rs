//! Pinyin artifacts: a broken web converter appended the reading to characters it changed,
//! `黨建三創(chuàng)新經(jīng)驗交流`. An annotation is removed when (1) it directly follows a Han
//! character, (2) it is one syllable that is a valid reading of that character (tone marks
//! or tone numbers, any of the character's readings, Traditional folded to Simplified as
//! well; readings from the `pinyin` crate's pinyin-data, built on Unihan), and (3) the
//! document shows the pattern: at least [`MIN_ARTIFACTS`] such annotations. A single
//! teaching annotation in normal prose, `北京(Beijing)`, `(注意)` and `(1)` are kept.

use pinyin::ToPinyinMulti;

use crate::step::{note_position, Step};

/// The density rule: fewer valid-reading annotations than this in one document are taken
/// as deliberate (a teaching note), not as a converter's artifacts. Seeds 001 and 004 have
/// 242 and 304; real prose with a pinyin gloss has one or two.
pub const MIN_ARTIFACTS: usize = 3;

/// Longest annotation looked at, in bytes (`(zhuàng)` is 9).
const MAX_ANNOTATION: usize = 16;

/// Removes pinyin artifacts; `None` when there is nothing to remove.
pub fn strip(text: &str) -> Option<(String, Step)> {
    if !text.contains('(') {
        return None;
    }
    let found = find(text);
    if found.len() < MIN_ARTIFACTS {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut at = Vec::new();
    for &(s, e) in &found {
        out.push_str(&text[last..s]);
        note_position(&mut at, s);
        last = e;
    }
    out.push_str(&text[last..]);
    Some((
        out,
        Step::PinyinRemoved {
            count: found.len(),
            at,
            ranges: found,
        },
    ))
}

/// Byte ranges of every annotation that passes rules (1) and (2). Jumps from `(` to `(`
/// with memchr, so text without annotations costs one scan.
pub fn find(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(k) = memchr::memchr(b'(', &bytes[from..]) {
        let i = from + k;
        from = i + 1;
        // The annotated character: the one right before `(`, unless that was itself the
        // end of a removed annotation (`創(chuàng)(chuàng)` is left after one removal).
        if out.last().is_some_and(|&(_, e)| e == i) {
            continue;
        }
        let Some(h) = text[..i]
            .chars()
            .next_back()
            .filter(|&p| crate::model::is_han(p))
        else {
            continue;
        };
        if let Some(len) = annotation_len(&text[i..]) {
            if is_reading_of(h, &text[i + 1..i + len - 1]) {
                out.push((i, i + len));
                from = i + len;
            }
        }
    }
    out
}

/// Length of `(…)` at the start of `s` if it closes soon and holds only pinyin letters.
fn annotation_len(s: &str) -> Option<usize> {
    let close = memchr::memchr(b')', &s.as_bytes()[..s.len().min(MAX_ANNOTATION)])?;
    let inner = &s[1..close];
    if inner.is_empty()
        || !inner
            .chars()
            .all(|c| c.is_ascii_lowercase() || is_tone_vowel(c) || c.is_ascii_digit())
    {
        return None;
    }
    Some(close + 1)
}

const TONED: &[(char, char, u8)] = &[
    ('ā', 'a', 1),
    ('á', 'a', 2),
    ('ǎ', 'a', 3),
    ('à', 'a', 4),
    ('ē', 'e', 1),
    ('é', 'e', 2),
    ('ě', 'e', 3),
    ('è', 'e', 4),
    ('ī', 'i', 1),
    ('í', 'i', 2),
    ('ǐ', 'i', 3),
    ('ì', 'i', 4),
    ('ō', 'o', 1),
    ('ó', 'o', 2),
    ('ǒ', 'o', 3),
    ('ò', 'o', 4),
    ('ū', 'u', 1),
    ('ú', 'u', 2),
    ('ǔ', 'u', 3),
    ('ù', 'u', 4),
    ('ǖ', 'v', 1),
    ('ǘ', 'v', 2),
    ('ǚ', 'v', 3),
    ('ǜ', 'v', 4),
    ('ü', 'v', 0),
    ('ḿ', 'm', 2),
    ('ń', 'n', 2),
    ('ň', 'n', 3),
    ('ǹ', 'n', 4),
];

fn is_tone_vowel(c: char) -> bool {
    TONED.iter().any(|&(t, _, _)| t == c)
}

/// `chuàng` / `chuang4` / `lv4` → ("chuang", 4); neutral tone is 0 (`5` is accepted too).
fn normalize(s: &str) -> Option<(String, u8)> {
    let mut plain = String::with_capacity(s.len());
    let mut tone = 0u8;
    let mut digits = 0;
    for c in s.chars() {
        if let Some(&(_, base, t)) = TONED.iter().find(|&&(tc, _, _)| tc == c) {
            plain.push(base);
            if t != 0 {
                tone = t;
            }
        } else if c.is_ascii_digit() {
            digits += 1;
            tone = (c as u8 - b'0') % 5;
        } else if c == 'u' && plain.ends_with(['j', 'q', 'x', 'y']) {
            plain.push('u');
        } else {
            plain.push(c);
        }
    }
    (digits <= 1 && !plain.is_empty()).then_some((plain, tone))
}

/// Whether `syllable` is a reading of `han` (or of its Simplified form).
pub fn is_reading_of(han: char, syllable: &str) -> bool {
    let Some(want) = normalize(syllable) else {
        return false;
    };
    let forms = [Some(han), crate::convert::t2s_char(han)];
    forms.into_iter().flatten().any(|c| {
        c.to_pinyin_multi().is_some_and(|multi| {
            multi
                .into_iter()
                .any(|p| normalize(p.with_tone()).is_some_and(|got| got == want))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings() {
        assert!(is_reading_of('創', "chuàng"));
        assert!(is_reading_of('創', "chuang4"));
        assert!(is_reading_of('學', "xué"));
        assert!(is_reading_of('綠', "lǜ"));
        assert!(!is_reading_of('創', "xué"));
        assert!(!is_reading_of('京', "Beijing"));
    }

    #[test]
    fn pattern_rule() {
        let doc = "黨建三創(chuàng)新經(jīng)驗交流,學(xué)習";
        let (out, _) = strip(doc).unwrap();
        assert_eq!(out, "黨建三創新經驗交流,學習");
        // Below the density rule: a lone gloss is kept.
        assert!(strip("這個字讀作行(xíng)。").is_none());
        assert!(strip("北京(Beijing) (注意) (1)").is_none());
    }
}
