//! Opt-in normalization steps, each a flag and a config key, each recorded as a
//! [`Step::Normalized`]. Nothing here runs by default: line endings, BOMs, widths and
//! control characters are only changed when asked. In particular full-width CJK
//! punctuation (`，。！`) is never folded: only full-width ASCII letters and digits are.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::step::{note_position, Step};

/// What a step returns when it changed something: (text, count, first positions).
type Changed = Option<(String, usize, Vec<usize>)>;

/// Line-ending policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NewlineMode {
    /// Leave line endings as they are (the default).
    #[default]
    Keep,
    /// Convert CRLF and lone CR to LF.
    Lf,
    /// Convert LF and lone CR to CRLF.
    Crlf,
}

/// Unicode normalization form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// None (the default).
    #[default]
    None,
    /// Canonical composition.
    Nfc,
    /// Compatibility composition (changes meaning-bearing characters such as `①`; opt-in).
    Nfkc,
}

/// Which steps to run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Options {
    /// NFC or NFKC.
    pub form: Form,
    /// Line endings.
    pub newlines: NewlineMode,
    /// Full-width ASCII letters and digits → half-width.
    pub fold_width: bool,
    /// Remove C0 (except tab, LF, CR) and C1 controls, stray U+FEFF, zero-width characters
    /// inside text and bidi overrides.
    pub strip_controls: bool,
    /// Decode HTML character references (`&amp;`, `&#x4F60;`).
    pub unescape_html: bool,
    /// Remove spaces and tabs at line ends.
    pub trim_trailing: bool,
}

impl Options {
    /// Whether any step is on.
    pub fn any(&self) -> bool {
        *self != Options::default()
    }
}

/// Runs the steps that are on, in a fixed order, appending a record for each that changed
/// something.
pub fn normalize<'a>(text: Cow<'a, str>, opts: &Options, steps: &mut Vec<Step>) -> Cow<'a, str> {
    if !opts.any() {
        return text;
    }
    let mut cur = text;
    let mut apply = |what: &'static str, f: &dyn Fn(&str) -> Changed, cur: &mut Cow<'a, str>| {
        if let Some((out, count, at)) = f(cur) {
            steps.push(Step::Normalized { what, count, at });
            *cur = Cow::Owned(out);
        }
    };
    if opts.unescape_html {
        apply("unescape-html", &unescape_html, &mut cur);
    }
    if opts.strip_controls {
        apply("strip-controls", &strip_controls, &mut cur);
    }
    match opts.form {
        Form::Nfc => apply("nfc", &nfc, &mut cur),
        Form::Nfkc => apply("nfkc", &nfkc, &mut cur),
        Form::None => {}
    }
    if opts.fold_width {
        apply("fold-width", &fold_width, &mut cur);
    }
    if opts.trim_trailing {
        apply("trim-trailing", &trim_trailing, &mut cur);
    }
    match opts.newlines {
        NewlineMode::Lf => apply("newlines-lf", &newlines_lf, &mut cur),
        NewlineMode::Crlf => apply("newlines-crlf", &newlines_crlf, &mut cur),
        NewlineMode::Keep => {}
    }
    cur
}

/// Re-runs the named step (for replay).
pub fn apply_named(what: &str, text: &str) -> Option<String> {
    let f: fn(&str) -> Changed = match what {
        "unescape-html" => unescape_html,
        "strip-controls" => strip_controls,
        "nfc" => nfc,
        "nfkc" => nfkc,
        "fold-width" => fold_width,
        "trim-trailing" => trim_trailing,
        "newlines-lf" => newlines_lf,
        "newlines-crlf" => newlines_crlf,
        _ => return None,
    };
    f(text).map(|(s, _, _)| s)
}

/// Maps each character; records how many changed and where.
fn map_chars(text: &str, f: impl Fn(char) -> Option<Option<char>>) -> Changed {
    let first = text.char_indices().find(|&(_, c)| f(c).is_some())?.0;
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    let mut count = 0;
    let mut at = Vec::new();
    for (i, c) in text[first..].char_indices() {
        match f(c) {
            Some(repl) => {
                count += 1;
                note_position(&mut at, first + i);
                if let Some(r) = repl {
                    out.push(r);
                }
            }
            None => out.push(c),
        }
    }
    Some((out, count, at))
}

fn fold_width(text: &str) -> Changed {
    if text.is_ascii() {
        return None;
    }
    map_chars(text, |c| match c as u32 {
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => {
            Some(char::from_u32(c as u32 - 0xFEE0))
        }
        _ => None,
    })
}

fn is_zero_width_or_bidi(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200D | 0x2060 | 0xFEFF | 0x202A..=0x202E | 0x2066..=0x2069 | 0x200E | 0x200F)
}

fn strip_controls(text: &str) -> Changed {
    let ascii_clean = |b: &u8| *b >= 0x20 || matches!(*b, b'\t' | b'\n' | b'\r');
    if text.is_ascii() && text.as_bytes().iter().all(ascii_clean) {
        return None;
    }
    map_chars(text, |c| {
        let cp = c as u32;
        let control = (cp < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
            || cp == 0x7F
            || (0x80..=0x9F).contains(&cp);
        // ZWJ between two emoji or letters is part of a grapheme; it is kept only there.
        (control || (is_zero_width_or_bidi(c) && c != '\u{200D}')).then_some(None)
    })
}

/// Whether every character of `text` is in a range that NFC (and, with `nfkc`, NFKC)
/// leaves alone whatever surrounds it: below U+0300 (no combining marks yet), CJK
/// ideographs, Hangul syllables, kana without the combining sound marks U+3099/U+309A, CJK
/// punctuation, quotes and dashes, and for NFC the full-width forms. The common case of clean CJK text is
/// decided in one pass without Unicode tables.
fn stable_ranges(text: &str, nfkc: bool) -> bool {
    let stable = |cp: u32| match cp {
        0..=0x9F => true,
        0xA0..=0x2FF => !nfkc,
        0x3001..=0x3098 | 0x309B..=0x309E | 0x30A1..=0x30FE => true,
        0x3000 => !nfkc,
        // General punctuation (quotes, dashes): no decompositions from U+2010 on; NFKC
        // only changes the spaces, the leaders and ellipsis, and the double primes.
        0x2010..=0x2023 | 0x2027..=0x202E | 0x2030..=0x2032 => true,
        0x202F => !nfkc,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => true,
        0xFF00..=0xFFEF => !nfkc,
        _ => false,
    };
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            i += 1;
            continue;
        }
        // `text` is valid UTF-8: decode the scalar value in place.
        let (cp, len) = match x {
            0xC0..=0xDF => (((x as u32 & 0x1F) << 6) | (b[i + 1] as u32 & 0x3F), 2),
            0xE0..=0xEF => (
                ((x as u32 & 0x0F) << 12)
                    | ((b[i + 1] as u32 & 0x3F) << 6)
                    | (b[i + 2] as u32 & 0x3F),
                3,
            ),
            _ => return false,
        };
        if !stable(cp) {
            return false;
        }
        i += len;
    }
    true
}

fn nfc(text: &str) -> Changed {
    if text.is_ascii()
        || stable_ranges(text, false)
        || is_nfc_quick(text.chars()) == IsNormalized::Yes
    {
        return None;
    }
    let out: String = text.nfc().collect();
    changed_form(text, out)
}

fn nfkc(text: &str) -> Changed {
    if text.is_ascii()
        || stable_ranges(text, true)
        || is_nfkc_quick(text.chars()) == IsNormalized::Yes
    {
        return None;
    }
    let out: String = text.nfkc().collect();
    changed_form(text, out)
}

fn changed_form(text: &str, out: String) -> Changed {
    if out == text {
        return None;
    }
    let first = text
        .bytes()
        .zip(out.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(0);
    let count = text.chars().count().abs_diff(out.chars().count()).max(1);
    Some((out, count, vec![first]))
}

fn unescape_html(text: &str) -> Changed {
    if !text.contains('&') {
        return None;
    }
    let out = html_escape::decode_html_entities(text);
    if out == text {
        return None;
    }
    let at: Vec<usize> = text
        .match_indices('&')
        .map(|(i, _)| i)
        .take(crate::step::MAX_POSITIONS)
        .collect();
    let count = text.matches('&').count() - out.matches('&').count().min(text.matches('&').count());
    Some((out.into_owned(), count.max(1), at))
}

fn trim_trailing(text: &str) -> Changed {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut at = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix("\r\n") {
            Some(b) => (b, "\r\n"),
            None => match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            },
        };
        let trimmed = body.trim_end_matches([' ', '\t']);
        if trimmed.len() != body.len() {
            count += 1;
            note_position(&mut at, offset + trimmed.len());
        }
        out.push_str(trimmed);
        out.push_str(nl);
        offset += line.len();
    }
    (count > 0).then_some((out, count, at))
}

fn newlines_lf(text: &str) -> Changed {
    if !text.contains('\r') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut at = Vec::new();
    let b = text.as_bytes();
    let mut last = 0;
    for i in memchr::memchr_iter(b'\r', b) {
        out.push_str(&text[last..i]);
        out.push('\n');
        count += 1;
        note_position(&mut at, i);
        last = if b.get(i + 1) == Some(&b'\n') {
            i + 2
        } else {
            i + 1
        };
    }
    out.push_str(&text[last..]);
    Some((out, count, at))
}

fn newlines_crlf(text: &str) -> Changed {
    let b = text.as_bytes();
    let needs = memchr::memchr2_iter(b'\r', b'\n', b).any(|i| {
        (b[i] == b'\n' && (i == 0 || b[i - 1] != b'\r'))
            || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'))
    });
    if !needs {
        return None;
    }
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut count = 0;
    let mut at = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                out.push_str("\r\n");
                i += 2;
            }
            b'\r' | b'\n' => {
                out.push_str("\r\n");
                count += 1;
                note_position(&mut at, i);
                i += 1;
            }
            _ => {
                let next = memchr::memchr2(b'\r', b'\n', &b[i..]).map_or(b.len(), |j| i + j);
                out.push_str(&text[i..next]);
                i = next;
            }
        }
    }
    Some((out, count, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, opts: Options) -> String {
        let mut steps = Vec::new();
        normalize(Cow::Borrowed(text), &opts, &mut steps).into_owned()
    }

    #[test]
    fn width_folding_spares_cjk_punctuation() {
        let o = Options {
            fold_width: true,
            ..Default::default()
        };
        assert_eq!(run("ＡＢＣ１２３，。！", o), "ABC123，。！");
    }

    #[test]
    fn newlines() {
        let lf = Options {
            newlines: NewlineMode::Lf,
            ..Default::default()
        };
        assert_eq!(run("a\r\nb\rc\n", lf), "a\nb\nc\n");
        let crlf = Options {
            newlines: NewlineMode::Crlf,
            ..Default::default()
        };
        assert_eq!(run("a\nb\r\nc\r", crlf), "a\r\nb\r\nc\r\n");
    }

    #[test]
    fn controls_and_entities() {
        let o = Options {
            strip_controls: true,
            ..Default::default()
        };
        assert_eq!(run("a\u{0}b\u{200B}c\u{202E}d\u{85}e\tf", o), "abcde\tf");
        let h = Options {
            unescape_html: true,
            ..Default::default()
        };
        assert_eq!(run("&amp;&#x4F60;&lt;&hellip;", h), "&你<…");
    }
}
