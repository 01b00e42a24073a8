//! A faster decoder for the double-byte encodings (GBK, gb18030, Big5, EUC-KR, EUC-JP,
//! Shift_JIS) of large inputs, built from encoding_rs's own decoders and giving byte for
//! byte what they give.
//!
//! encoding_rs works out each two-byte character from its lead and trail bytes through
//! range checks and several tables (about 1 GB/s of GBK here). This decoder asks
//! encoding_rs once for every pair (24,576 of them, under a millisecond) and keeps the
//! UTF-8 of each pair that reads as one character in a flat table, so a character costs
//! one look-up and one store, and a run of pairs is a loop of its own (about 1.5 GB/s:
//! `cargo bench --bench pipeline -- decode/`). Anything else (a single-byte character of
//! Shift_JIS, gb18030's four-byte sequences, malformed bytes) goes to encoding_rs, from
//! the byte where the table stopped to just after the next ASCII byte that is not a digit.
//!
//! Why the result is the same: the table is used only where encoding_rs's decoder would be
//! between characters (at the start, after ASCII, after a pair), and a pair then reads the
//! same whatever follows it (a pair that is only the start of a longer sequence, like
//! gb18030's lead byte and digit or EUC-JP's 0x8F and a byte, is incomplete on its own and
//! not in the table). After an ASCII byte that is not a digit each of these decoders is
//! between characters again: the byte either completed a sequence as its trail or ended a
//! malformed one and was read as itself (WHATWG's "prepend" rule); only gb18030 takes a
//! digit as a second byte. The unit tests compare the two over every sequence of up to
//! four bytes from the bytes that matter and over random bytes.
//!
//! The output is written as bytes and borrowed as text after a SIMD validation (simdutf8,
//! about 20 GB/s): the crate has no unsafe code to skip it.

use std::sync::OnceLock;

use encoding_rs::{DecoderResult, Encoding, BIG5, EUC_JP, EUC_KR, GB18030, GBK, SHIFT_JIS};

use crate::step::note_position;

/// Bytes whose first byte is 0x80..=0xFF and second 0x40..=0xFF: 128 rows of 192.
const ROW: usize = 192;
const ENTRIES: usize = 128 * ROW;

/// The UTF-8 (one to three bytes) of each pair that reads as one character, its length
/// in the top byte; 0 for every other pair.
pub struct PairTable {
    entries: Box<[u32; ENTRIES]>,
}

/// One table per encoding, built on first use.
static TABLES: [OnceLock<PairTable>; 6] = [const { OnceLock::new() }; 6];

/// The table for `enc`, if it is one of the double-byte encodings.
pub fn table(enc: &'static Encoding) -> Option<&'static PairTable> {
    let k = [GBK, GB18030, BIG5, EUC_KR, EUC_JP, SHIFT_JIS]
        .iter()
        .position(|&e| e == enc)?;
    Some(TABLES[k].get_or_init(|| PairTable::new(enc)))
}

impl PairTable {
    fn new(enc: &'static Encoding) -> Self {
        let mut entries = Box::new([0u32; ENTRIES]);
        let mut buf = [0u8; 16];
        for lead in 0x80..=0xFFu8 {
            for trail in 0x40..=0xFFu8 {
                let mut decoder = enc.new_decoder_without_bom_handling();
                let (result, read, written) =
                    decoder.decode_to_utf8_without_replacement(&[lead, trail], &mut buf, true);
                let one_char =
                    std::str::from_utf8(&buf[..written]).is_ok_and(|s| s.chars().count() == 1);
                if result == DecoderResult::InputEmpty && read == 2 && written <= 3 && one_char {
                    let mut e = [0u8; 4];
                    e[..written].copy_from_slice(&buf[..written]);
                    e[3] = written as u8;
                    entries[index(lead, trail)] = u32::from_le_bytes(e);
                }
            }
        }
        PairTable { entries }
    }

    /// Decodes `src` (no BOM; offsets reported from `base`) as `enc` into `out`, which
    /// ends up holding exactly the UTF-8. Returns the number of malformed sequences and
    /// their first positions, exactly as [`super::decode`] reports them. `out` is written
    /// by index and only grown (zero-filled) where its length falls short, so a buffer
    /// reused from chunk to chunk is not cleared each time.
    pub fn decode(
        &self,
        src: &[u8],
        enc: &'static Encoding,
        base: usize,
        out: &mut Vec<u8>,
    ) -> (usize, Vec<usize>) {
        // ASCII stays one byte and a pair becomes at most three: 1.5 bytes per byte, and
        // room for a whole word or entry past the end.
        let room = |len: usize| len + len / 2 + 8;
        if out.len() < room(src.len()) {
            out.resize(room(src.len()), 0);
        }
        let n = src.len();
        let (mut malformed, mut at) = (0, Vec::new());
        let (mut i, mut o) = (0, 0);
        while i < n {
            if let (Some(word), Some(dest)) = (src.get(i..i + 8), out.get_mut(o..o + 8)) {
                if u64::from_le_bytes(word.try_into().unwrap_or_default()) & 0x8080_8080_8080_8080
                    == 0
                {
                    dest.copy_from_slice(word);
                    i += 8;
                    o += 8;
                    continue;
                }
            }
            let b = src[i];
            if b < 0x80 {
                out[o] = b;
                i += 1;
                o += 1;
                continue;
            }
            // A run of pairs, without looking for ASCII words in between.
            let run_start = i;
            while let (Some(&lead), Some(&t)) = (src.get(i), src.get(i + 1)) {
                let e = if lead >= 0x80 && t >= 0x40 {
                    self.entries[index(lead, t)]
                } else {
                    0
                };
                if e == 0 {
                    break;
                }
                out[o..o + 4].copy_from_slice(&e.to_le_bytes());
                // Most pairs are three bytes of UTF-8: a predicted branch instead of
                // waiting for the entry's length.
                o += if e >> 24 == 3 { 3 } else { (e >> 24) as usize };
                i += 2;
            }
            if i > run_start {
                continue;
            }
            // encoding_rs reads up to and including the next ASCII byte that is not a digit,
            // after which its decoder is between characters again.
            let end = src[i + 1..]
                .iter()
                .position(|&c| c < 0x80 && !c.is_ascii_digit())
                .map_or(n, |k| i + k + 2);
            let (text, m, positions) = super::decode_reporting(&src[i..end], enc, base + i);
            let text = text.as_bytes();
            // A malformed byte can become three bytes: the room left may not be enough.
            let need = o + text.len() + room(n - end);
            if out.len() < need {
                out.resize(need, 0);
            }
            out[o..o + text.len()].copy_from_slice(text);
            o += text.len();
            malformed += m;
            for p in positions {
                note_position(&mut at, p);
            }
            i = end;
        }
        out.truncate(o);
        (malformed, at)
    }
}

fn index(lead: u8, trail: u8) -> usize {
    usize::from(lead & 0x7F) * ROW + usize::from(trail - 0x40)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both decoders over `bytes`: text and malformed positions must agree.
    fn check(bytes: &[u8], enc: &'static Encoding) {
        let (text, m, at) = super::super::decode_reporting(bytes, enc, 7);
        // A buffer reused from an earlier, longer text: written over, not appended to.
        let mut out = vec![0xAA; 100];
        let (m2, at2) = table(enc).unwrap().decode(bytes, enc, 7, &mut out);
        assert_eq!(
            (std::str::from_utf8(&out).unwrap(), m2, at2),
            (text.as_str(), m, at),
            "{} {:02X?}",
            enc.name(),
            bytes
        );
    }

    const ENCODINGS: [&Encoding; 6] = [GBK, GB18030, BIG5, EUC_KR, EUC_JP, SHIFT_JIS];

    #[test]
    fn every_short_sequence_of_the_bytes_that_matter_decodes_as_encoding_rs_decodes_it() {
        // Every kind of byte: controls, space, digits, trail-only ASCII, each encoding's
        // lead and trail ranges and their edges, single-byte characters, unassigned bytes.
        let alphabet: &[u8] = &[
            0x0A, 0x20, 0x30, 0x39, 0x40, 0x41, 0x7E, 0x7F, 0x80, 0x81, 0x82, 0x8E, 0x8F, 0x9F,
            0xA0, 0xA1, 0xA4, 0xB0, 0xC6, 0xC8, 0xDF, 0xE0, 0xF9, 0xFC, 0xFE, 0xFF,
        ];
        let k = alphabet.len();
        for enc in ENCODINGS {
            for len in 1..=4u32 {
                for mut code in 0..k.pow(len) {
                    let mut bytes = Vec::with_capacity(4);
                    for _ in 0..len {
                        bytes.push(alphabet[code % k]);
                        code /= k;
                    }
                    check(&bytes, enc);
                }
            }
        }
    }

    #[test]
    fn random_bytes_and_real_text_decode_as_encoding_rs_decodes_them() {
        let mut next = crate::test_support::xorshift(0x9E37_79B9_7F4A_7C15);
        let text = "用問題是否找準，根源是否清楚 — 한국어 にほんご ｶﾀｶﾅ 𠀀 €5 (a)\n";
        for enc in ENCODINGS {
            let real = enc.encode(text).0.into_owned();
            check(&real.repeat(40), enc);
            for _ in 0..3000 {
                let len = (next() % 48) as usize;
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = next();
                        // Mostly high bytes, with ASCII and digits among them.
                        match r % 8 {
                            0 => b'0' + (r >> 8) as u8 % 10,
                            1 => 0x20 + (r >> 8) as u8 % 0x60,
                            2 => real[(r >> 8) as usize % real.len()],
                            _ => 0x80 | (r >> 8) as u8,
                        }
                    })
                    .collect();
                check(&bytes, enc);
            }
        }
    }

    #[test]
    fn pairs_that_are_not_one_character_are_left_to_encoding_rs() {
        let gbk = table(GBK).unwrap();
        // 0x81 0x30 starts a four-byte gb18030 sequence; 0xFF is no lead.
        assert_eq!(gbk.entries[index(0xC4, 0xE3)] >> 24, 3);
        assert_eq!(gbk.entries[index(0xFF, 0xA1)], 0);
        // Big5's 0x8862 is two characters (Ê̄); 0x8840 is one.
        let big5 = table(BIG5).unwrap();
        assert_eq!(big5.entries[index(0x88, 0x62)], 0);
        assert_ne!(big5.entries[index(0x88, 0x40)], 0);
        // Shift_JIS's 0xB1 is one half-width katakana: a pair of them is two characters.
        assert_eq!(table(SHIFT_JIS).unwrap().entries[index(0xB1, 0xB1)], 0);
        assert!(table(encoding_rs::UTF_8).is_none());
    }
}
