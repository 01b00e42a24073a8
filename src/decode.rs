//! Bytes + encoding → text. Malformed bytes are data, not errors: they become U+FFFD and
//! their byte offsets are reported. Mixed input (UTF-8 with some lines in a legacy
//! encoding, or the reverse) is decoded line by line, each line with the encoding under
//! which it reads best.

use std::borrow::Cow;

use encoding_rs::{DecoderResult, Encoding, UTF_8};

use crate::step::note_position;

mod pairs;

/// Decoded text and what went wrong on the way.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text; borrowed when the input was valid UTF-8.
    pub text: Cow<'a, str>,
    /// How many malformed sequences became U+FFFD.
    pub malformed: usize,
    /// Byte offsets in the input of the first malformed sequences.
    pub malformed_at: Vec<usize>,
    /// For mixed decoding: lines decoded with the legacy encoding.
    pub legacy_lines: usize,
}

impl Decoded<'_> {
    /// Whether any byte was malformed.
    pub fn had_errors(&self) -> bool {
        self.malformed > 0
    }
}

/// Decodes `bytes` (no BOM) as `enc`.
pub fn decode<'a>(bytes: &'a [u8], enc: &'static Encoding) -> Decoded<'a> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if !had_errors {
        return Decoded {
            text,
            malformed: 0,
            malformed_at: Vec::new(),
            legacy_lines: 0,
        };
    }
    let (text, malformed, malformed_at) = decode_reporting(bytes, enc, 0);
    Decoded {
        text: Cow::Owned(text),
        malformed,
        malformed_at,
        legacy_lines: 0,
    }
}

/// Inputs from this size on are decoded by the pair table in [`decode_into`].
pub const PAIR_TABLE_MIN: usize = 64 * 1024;

/// [`decode`] for large inputs: a double-byte encoding is decoded into `scratch` by a pair
/// table built from encoding_rs's decoders (about 1.6 times as fast; see `pairs`), and the
/// text borrows `scratch`. Building a table costs under a millisecond once per encoding,
/// so callers pass a scratch buffer only for inputs of some megabytes. Same result as
/// [`decode`] to the byte, malformed positions included.
pub fn decode_into<'a>(
    bytes: &'a [u8],
    enc: &'static Encoding,
    scratch: &'a mut Vec<u8>,
) -> Decoded<'a> {
    let Some(table) = pairs::table(enc).filter(|_| bytes.len() >= PAIR_TABLE_MIN) else {
        return decode(bytes, enc);
    };
    let (malformed, malformed_at) = table.decode(bytes, enc, 0, scratch);
    let scratch: &'a Vec<u8> = scratch;
    match simdutf8::basic::from_utf8(scratch) {
        Ok(text) => Decoded {
            text: Cow::Borrowed(text),
            malformed,
            malformed_at,
            legacy_lines: 0,
        },
        // Every byte written is ASCII, a table entry or encoding_rs's output: not reached.
        Err(_) => decode(bytes, enc),
    }
}

/// Decodes with positions of malformed sequences (`base` is added to every offset).
fn decode_reporting(
    bytes: &[u8],
    enc: &'static Encoding,
    base: usize,
) -> (String, usize, Vec<usize>) {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let mut read_total = 0;
    let mut malformed = 0;
    let mut at = Vec::new();
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => out.reserve(bytes.len() - read_total + 16),
            DecoderResult::Malformed(bad, after) => {
                malformed += 1;
                let pos = read_total - after as usize - bad as usize;
                note_position(&mut at, base + pos);
                out.push('\u{FFFD}');
            }
        }
    }
    (out, malformed, at)
}

/// Decodes mixed input: each line that is valid UTF-8 (and reads at least as well as UTF-8
/// as in `legacy`) stays UTF-8; every other line is decoded as `legacy`.
pub fn decode_mixed<'a>(bytes: &'a [u8], legacy: &'static Encoding) -> Decoded<'a> {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut malformed = 0;
    let mut at = Vec::new();
    let mut legacy_lines = 0;
    let mut offset = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(s) if s.is_ascii() || !legacy_reads_better(s, line, legacy) => out.push_str(s),
            Err(_) if mostly_utf8(line) => {
                let (t, m, a) = decode_reporting(line, UTF_8, offset);
                malformed += m;
                for p in a {
                    note_position(&mut at, p);
                }
                out.push_str(&t);
            }
            _ => {
                let (t, m, a) = decode_reporting(line, legacy, offset);
                legacy_lines += 1;
                malformed += m;
                for p in a {
                    note_position(&mut at, p);
                }
                out.push_str(&t);
            }
        }
        offset += line.len();
    }
    Decoded {
        text: Cow::Owned(out),
        malformed,
        malformed_at: at,
        legacy_lines,
    }
}

/// A line valid as UTF-8 can still be legacy text that happens to form UTF-8 sequences; the
/// language model decides. UTF-8 wins ties: by chance, legacy text is rarely valid UTF-8.
fn legacy_reads_better(as_utf8: &str, line: &[u8], legacy: &'static Encoding) -> bool {
    let (t, had_errors) = legacy.decode_without_bom_handling(line);
    !had_errors && crate::model::score(&t) > crate::model::score(as_utf8) + 10.0
}

/// Valid multi-byte UTF-8 sequences needed per invalid byte for damaged text to count as
/// UTF-8: legacy double-byte text forms valid UTF-8 sequences only by rare accident.
const MOSTLY_UTF8_RATIO: usize = 2;

/// Whether `bytes` is UTF-8 with some damage (a few invalid bytes among many valid
/// multi-byte sequences) rather than text in another encoding.
pub fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid_multibyte, mut invalid) = (0usize, 0usize);
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid_multibyte += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let good = &rest[..e.valid_up_to()];
                valid_multibyte += std::str::from_utf8(good)
                    .map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                invalid += 1;
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[e.valid_up_to() + skip..];
            }
        }
    }
    valid_multibyte > 0 && valid_multibyte >= MOSTLY_UTF8_RATIO * invalid
}

/// Whether `bytes` looks like mixed input: some lines valid UTF-8 with non-ASCII, some not.
pub fn is_mixed(bytes: &[u8]) -> bool {
    let (mut utf8, mut other) = (false, false);
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(s) if !s.is_ascii() => utf8 = true,
            Ok(_) => {}
            Err(_) => other = true,
        }
        if utf8 && other {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::GBK;

    #[test]
    fn malformed_bytes_are_reported_with_offsets() {
        let d = decode(b"ab\xFFcd\xC3", UTF_8);
        assert_eq!(d.text, "ab\u{FFFD}cd\u{FFFD}");
        assert_eq!((d.malformed, d.malformed_at), (2, vec![2, 5]));
    }

    #[test]
    fn gbk_lone_lead_byte_before_ascii() {
        // WHATWG: a lead byte followed by ASCII is an error and the ASCII byte is kept.
        let d = decode(b"\xC4\xE3\xBA<a>", GBK);
        assert_eq!(d.text, "你\u{FFFD}<a>");
        assert_eq!(d.malformed_at, vec![2]);
    }

    #[test]
    fn mixed_lines() {
        let mut bytes = "第一行 UTF-8\n".as_bytes().to_vec();
        bytes.extend_from_slice(&GBK.encode("第二行是GBK\n").0);
        bytes.extend_from_slice("第三行\n".as_bytes());
        assert!(is_mixed(&bytes));
        let d = decode_mixed(&bytes, GBK);
        assert_eq!(d.text, "第一行 UTF-8\n第二行是GBK\n第三行\n");
        assert_eq!(d.legacy_lines, 1);
    }
}
