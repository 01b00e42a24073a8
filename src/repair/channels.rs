//! Single-layer mojibake channels: text whose bytes were written in one encoding and read
//! in another. A channel is data — `<what the bytes were>_as_<what they were read as>`, the
//! encoding to re-encode the garbled text with and the one to decode the bytes as — so a new
//! channel is a line in [`CHANNELS`], not a module. Lossy readers (a `?` or U+FFFD where a
//! byte did not fit) are modelled by a placeholder byte: everything that survived is
//! recovered, and each character that lost a byte comes back as U+FFFD, counted as lost
//! (except, for UTF-8 read one byte per character, a Han character the model is sure of:
//! see `LOST_BYTE_MARGIN` in the repair module).

use encoding_rs::{
    Encoding, BIG5, EUC_KR, GBK, ISO_8859_2, KOI8_R, MACINTOSH, SHIFT_JIS, UTF_8, WINDOWS_1250,
    WINDOWS_1251, WINDOWS_1253, WINDOWS_1255, WINDOWS_1256, WINDOWS_1257,
};

/// How the garbled text is turned back into the bytes it was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reencode {
    /// An encoding_rs encoder.
    Legacy(&'static Encoding),
    /// windows-1252 where defined, Latin-1 for the C1 range (what browsers and most
    /// "Latin-1" readers actually do), so both `â€™` and `Ã\u{80}` map back to bytes.
    SloppyWindows1252,
    /// IBM code page 437 (the DOS console), which encoding_rs does not carry.
    Cp437,
}

/// One channel: a named inverse of "bytes in `original` were read as `misread`".
#[derive(Debug, Clone, Copy)]
pub struct Channel {
    /// Stable name shown in `--explain` and JSON.
    pub name: &'static str,
    /// Re-encoding of the garbled text.
    pub reencode: Reencode,
    /// The encoding the bytes really were in.
    pub original: &'static Encoding,
    /// Prior cost (nats) of the channel: common accidents cost less.
    pub prior: f32,
}

use Reencode::{Cp437, Legacy, SloppyWindows1252};

/// Every single-layer channel, most common first.
pub const CHANNELS: &[Channel] = &[
    Channel {
        name: "utf8_as_cp1252",
        reencode: SloppyWindows1252,
        original: UTF_8,
        prior: 0.0,
    },
    Channel {
        name: "utf8_as_gbk",
        reencode: Legacy(GBK),
        original: UTF_8,
        prior: 0.5,
    },
    Channel {
        name: "gbk_as_cp1252",
        reencode: SloppyWindows1252,
        original: GBK,
        prior: 1.0,
    },
    Channel {
        name: "utf8_as_cp1251",
        reencode: Legacy(WINDOWS_1251),
        original: UTF_8,
        prior: 1.0,
    },
    Channel {
        name: "utf8_as_big5",
        reencode: Legacy(BIG5),
        original: UTF_8,
        prior: 1.5,
    },
    Channel {
        name: "utf8_as_sjis",
        reencode: Legacy(SHIFT_JIS),
        original: UTF_8,
        prior: 1.5,
    },
    Channel {
        name: "utf8_as_euckr",
        reencode: Legacy(EUC_KR),
        original: UTF_8,
        prior: 2.0,
    },
    Channel {
        name: "utf8_as_cp1250",
        reencode: Legacy(WINDOWS_1250),
        original: UTF_8,
        prior: 2.0,
    },
    Channel {
        name: "utf8_as_macroman",
        reencode: Legacy(MACINTOSH),
        original: UTF_8,
        prior: 2.0,
    },
    Channel {
        name: "utf8_as_iso8859_2",
        reencode: Legacy(ISO_8859_2),
        original: UTF_8,
        prior: 2.5,
    },
    Channel {
        name: "utf8_as_cp1257",
        reencode: Legacy(WINDOWS_1257),
        original: UTF_8,
        prior: 2.5,
    },
    Channel {
        name: "utf8_as_cp437",
        reencode: Cp437,
        original: UTF_8,
        prior: 2.5,
    },
    Channel {
        name: "big5_as_cp1252",
        reencode: SloppyWindows1252,
        original: BIG5,
        prior: 2.0,
    },
    Channel {
        name: "sjis_as_cp1252",
        reencode: SloppyWindows1252,
        original: SHIFT_JIS,
        prior: 2.0,
    },
    Channel {
        name: "euckr_as_cp1252",
        reencode: SloppyWindows1252,
        original: EUC_KR,
        prior: 2.0,
    },
    Channel {
        name: "gbk_as_big5",
        reencode: Legacy(BIG5),
        original: GBK,
        prior: 2.0,
    },
    Channel {
        name: "big5_as_gbk",
        reencode: Legacy(GBK),
        original: BIG5,
        prior: 2.0,
    },
    Channel {
        name: "sjis_as_gbk",
        reencode: Legacy(GBK),
        original: SHIFT_JIS,
        prior: 2.5,
    },
    Channel {
        name: "euckr_as_gbk",
        reencode: Legacy(GBK),
        original: EUC_KR,
        prior: 2.5,
    },
    Channel {
        name: "gbk_as_sjis",
        reencode: Legacy(SHIFT_JIS),
        original: GBK,
        prior: 2.5,
    },
    Channel {
        name: "gbk_as_euckr",
        reencode: Legacy(EUC_KR),
        original: GBK,
        prior: 2.5,
    },
    // Text in a single-byte code page of another alphabet read as windows-1252: every
    // letter becomes an accented Latin one (`Ïðèâåò` is windows-1251's `Привет`, `ðÒÉ×ÅÔ`
    // KOI8-R's, `Ãåéá` windows-1253's `Γεια`, `ùìåí` windows-1255's `שלום`, `ÇáÚÑÈíÉ`
    // windows-1256's `العربية`), the classic accident of Russian, Greek, Hebrew and Arabic
    // text in programs and tags that assumed Western European.
    Channel {
        name: "cp1251_as_cp1252",
        reencode: SloppyWindows1252,
        original: WINDOWS_1251,
        prior: 1.5,
    },
    Channel {
        name: "koi8r_as_cp1252",
        reencode: SloppyWindows1252,
        original: KOI8_R,
        prior: 2.5,
    },
    Channel {
        name: "cp1253_as_cp1252",
        reencode: SloppyWindows1252,
        original: WINDOWS_1253,
        prior: 2.5,
    },
    Channel {
        name: "cp1255_as_cp1252",
        reencode: SloppyWindows1252,
        original: WINDOWS_1255,
        prior: 2.5,
    },
    Channel {
        name: "cp1256_as_cp1252",
        reencode: SloppyWindows1252,
        original: WINDOWS_1256,
        prior: 2.5,
    },
];

/// Placeholder for a byte a lossy reader replaced by `?` or U+FFFD; never valid in any
/// of the original encodings' multi-byte sequences as a lead, so it breaks exactly the
/// character it belonged to.
pub const LOST_BYTE: u8 = 0xFF;

/// windows-1252's 0x80–0x9F, as encoding_rs decodes them (undefined bytes → C1 controls).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// What windows-1252 makes of the byte a Latin-1 reader turned into the C1 control `c`
/// (`None` for the five bytes windows-1252 leaves undefined, and for other characters).
pub fn cp1252_char(c: char) -> Option<char> {
    let i = (c as u32).checked_sub(0x80).filter(|&i| i < 32)?;
    Some(CP1252_HIGH[i as usize]).filter(|&h| h != c)
}

/// The byte a sloppy windows-1252 reader turned into `c`, if any.
#[inline]
pub fn sloppy_1252_byte(c: char) -> Option<u8> {
    let cp = c as u32;
    if cp < 0x100 {
        Some(cp as u8)
    } else if cp > 0x2122 {
        // Past `™`, the last of them: Han, kana, Hangul…
        None
    } else {
        cp1252_special_byte(c)
    }
}

/// The first code point past `™`, the last of windows-1252's characters above U+00FF.
const SPECIAL_END: usize = 0x2123;

/// [`sloppy_1252_byte`] of U+0100..[`SPECIAL_END`], 0 where there is none: one read
/// instead of a search (mojibake of UTF-8 holds one of them in every fourth character).
static SPECIAL_BYTES: [u8; SPECIAL_END - 0x100] = {
    let mut t = [0u8; SPECIAL_END - 0x100];
    let mut i = 0;
    while i < 32 {
        let cp = CP1252_HIGH[i] as usize;
        if cp >= 0x100 {
            t[cp - 0x100] = 0x80 + i as u8;
        }
        i += 1;
    }
    t
};

/// [`sloppy_1252_byte`] of a character above U+00FF.
#[inline]
fn cp1252_special_byte(c: char) -> Option<u8> {
    let i = (c as usize).checked_sub(0x100)?;
    SPECIAL_BYTES.get(i).copied().filter(|&b| b != 0)
}

/// Code page 437's 0x80–0xFF.
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}";

/// The byte a one-byte-per-character reader turned into `c`, for single-byte
/// re-encodings. C1 controls map to themselves: a reader that did not know a byte often
/// passed it through as U+0080–U+009F. (Hot loops take [`byte_table`] once instead.)
pub fn single_byte(c: char, how: Reencode) -> Option<u8> {
    byte_table(how)?.byte(c)
}

/// The inverse of a single-byte reading: which byte each character came from.
#[derive(Debug)]
pub struct ByteTable {
    /// Every character U+0080–U+00FF is the byte of the same number (Latin-1 readers).
    latin1: bool,
    /// The byte of each character U+0080..[`DENSE_END`] (0: none), looked up directly.
    dense: Vec<u8>,
    /// The characters from [`DENSE_END`] on with a byte, sorted.
    high: Vec<(char, u8)>,
}

/// Where [`ByteTable`]'s direct lookup ends: past Latin Extended, the 1252 punctuation,
/// box drawing and blocks.
pub const DENSE_END: u32 = 0x2600;

impl ByteTable {
    /// The characters from [`DENSE_END`] on that have a byte (Mac OS Roman's `ﬁ`, `ﬂ` and
    /// Apple logo; none in most code pages).
    pub fn high_chars(&self) -> impl Iterator<Item = char> + '_ {
        self.high.iter().map(|&(c, _)| c)
    }

    /// The byte `c` was read from, if any.
    #[inline]
    pub fn byte(&self, c: char) -> Option<u8> {
        let cp = c as u32;
        if cp < 0x80 || (self.latin1 && cp < 0x100) {
            return Some(cp as u8);
        }
        if cp < DENSE_END {
            return Some(self.dense[(cp - 0x80) as usize]).filter(|&b| b != 0);
        }
        let i = self.high.binary_search_by_key(&c, |&(h, _)| h).ok()?;
        Some(self.high[i].1)
    }

    fn build(how: Reencode) -> Option<ByteTable> {
        let (latin1, mut high): (bool, Vec<(char, u8)>) = match how {
            SloppyWindows1252 => (
                true,
                (0x80u8..=0x9F)
                    .map(|b| (CP1252_HIGH[usize::from(b - 0x80)], b))
                    .filter(|&(c, _)| (c as u32) >= 0x100)
                    .collect(),
            ),
            Cp437 => (false, CP437_HIGH.chars().zip(0x80u8..=0xFF).collect()),
            Legacy(e) if e.is_single_byte() => {
                let undefined = undefined_bytes(how);
                let pairs = (0x80u8..=0xFF).filter_map(|b| {
                    let byte = [b];
                    let (s, _) = e.decode_without_bom_handling(&byte);
                    let c = s.chars().next().filter(|&c| c != '\u{FFFD}')?;
                    // Only a byte the code page leaves undefined comes through as a C1 control.
                    if b < 0xA0 && u32::from(b) == c as u32 {
                        return undefined.contains(b).then_some((c, b));
                    }
                    match encode_char(e, c) {
                        Some((bytes, 1)) => Some((c, bytes[0])),
                        _ => None,
                    }
                });
                (false, pairs.collect())
            }
            Legacy(_) => return None,
        };
        high.sort_unstable();
        high.dedup_by_key(|p| p.0);
        let mut dense = vec![0u8; (DENSE_END - 0x80) as usize];
        for &(c, b) in &high {
            if let Some(slot) = dense.get_mut((c as usize).wrapping_sub(0x80)) {
                if *slot == 0 {
                    *slot = b;
                }
            }
        }
        high.retain(|&(c, _)| c as u32 >= DENSE_END);
        Some(ByteTable {
            latin1,
            dense,
            high,
        })
    }
}

/// The [`ByteTable`] of a single-byte re-encoding (`None` for double-byte ones), built once
/// per code page.
pub fn byte_table(how: Reencode) -> Option<&'static ByteTable> {
    static TABLES: std::sync::Mutex<Vec<(Reencode, Option<&'static ByteTable>)>> =
        std::sync::Mutex::new(Vec::new());
    thread_local! {
        static CACHE: std::cell::RefCell<Vec<(Reencode, Option<&'static ByteTable>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().iter().find(|e| e.0 == how).map(|e| e.1)) {
        return hit;
    }
    let table = {
        let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
        match tables.iter().find(|e| e.0 == how) {
            Some(e) => e.1,
            None => {
                // One table per code page for the life of the process (a dozen at most).
                let t: Option<&'static ByteTable> =
                    ByteTable::build(how).map(|t| &*Box::leak(Box::new(t)));
                tables.push((how, t));
                t
            }
        }
    };
    CACHE.with(|c| c.borrow_mut().push((how, table)));
    table
}

/// The [`byte_table`] of `CHANNELS[k]`'s re-encoding: the engine reads it for each channel
/// of every run, and a look-up by index costs an eighth of one by code page.
pub fn channel_byte_table(k: usize) -> Option<&'static ByteTable> {
    static TABLES: std::sync::LazyLock<Vec<Option<&'static ByteTable>>> =
        std::sync::LazyLock::new(|| CHANNELS.iter().map(|c| byte_table(c.reencode)).collect());
    TABLES[k]
}

/// The bytes 0x80–0x9F that a single-byte code page leaves undefined (encoding_rs decodes
/// them as the C1 control of the same number; a strict reader makes them U+FFFD), one bit
/// per byte from 0x80. Worked out once per thread and code page.
pub fn undefined_bytes(how: Reencode) -> UndefinedBytes {
    thread_local! {
        static CACHE: std::cell::RefCell<Vec<(Reencode, u32)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let enc = match how {
        SloppyWindows1252 => encoding_rs::WINDOWS_1252,
        Legacy(e) if e.is_single_byte() => e,
        Cp437 | Legacy(_) => return UndefinedBytes(0),
    };
    CACHE.with(|c| {
        if let Some(&(_, m)) = c.borrow().iter().find(|(h, _)| *h == how) {
            return UndefinedBytes(m);
        }
        let m = (0x80u8..=0x9F)
            .filter(|&b| {
                let byte = [b];
                let (s, _) = enc.decode_without_bom_handling(&byte);
                s.starts_with(char::from(b))
            })
            .fold(0u32, |m, b| m | 1 << (b - 0x80));
        c.borrow_mut().push((how, m));
        UndefinedBytes(m)
    })
}

/// A set of bytes in 0x80–0x9F ([`undefined_bytes`]).
#[derive(Debug, Clone, Copy)]
pub struct UndefinedBytes(u32);

impl UndefinedBytes {
    /// Whether `b` is in the set.
    pub fn contains(self, b: u8) -> bool {
        (0x80..=0x9F).contains(&b) && self.0 & (1 << (b - 0x80)) != 0
    }

    /// Whether the code page defines every byte.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The bytes, in order.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        (0x80u8..=0x9F).filter(move |&b| self.contains(b))
    }
}

/// Whether `how` re-encodes one byte per character.
pub fn is_single_byte(how: Reencode) -> bool {
    match how {
        SloppyWindows1252 | Cp437 => true,
        Legacy(e) => e.is_single_byte(),
    }
}

/// Re-encodes `text` for `how`; `lost` characters (`?`, U+FFFD) become [`LOST_BYTE`].
/// `None` when some character has no byte form in that encoding.
pub fn reencode(text: &str, how: Reencode, lost: &[usize]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    match how {
        SloppyWindows1252 | Cp437 => {
            let table = byte_table(how)?;
            for (i, c) in text.char_indices() {
                if lost.contains(&i) {
                    out.push(LOST_BYTE);
                } else {
                    out.push(table.byte(c)?);
                }
            }
        }
        Legacy(enc) => {
            for (i, c) in text.char_indices() {
                if lost.contains(&i) {
                    out.push(LOST_BYTE);
                } else if c.is_ascii() {
                    out.push(c as u8);
                } else {
                    let (bytes, len) = encode_char(enc, c)?;
                    out.extend_from_slice(&bytes[..len]);
                }
            }
        }
    }
    Some(out)
}

/// (encoding, character) → its bytes and their length, or `None` when unmappable.
type EncodeCache = rustc_hash::FxHashMap<(usize, char), Option<([u8; 4], usize)>>;

thread_local! {
    /// encoding_rs's CJK encoders search their tables for every character (Big5 linearly);
    /// the repair engine re-encodes the same few thousand characters over and over, so each
    /// thread remembers the answers.
    static ENCODED: std::cell::RefCell<EncodeCache> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// The Private Use characters Windows' code page 950 reads the Big5 rows it leaves to
/// users as (ICU's windows-950 agrees; glibc's CP950 has the last range only): (first
/// character, last character, the lead byte of the first, how many codes of that lead's row
/// come before the first; each row has the trails 0x40–0x7E, then 0xA1–0xFE, 157 codes). encoding_rs's Big5, a browser's, reads
/// these rows as HKSCS characters instead. GBK text opened as Big5 on Windows shows its rows
/// C6–C8 (人, 前, 请, 起, 全…: one character in twenty of Chinese text) and its leads below
/// 0xA1 so, and [`encode_char`] gives them back their bytes.
const CP950_EUDC: [(char, char, u8, u32); 4] = [
    ('\u{E000}', '\u{E310}', 0xFA, 0),
    ('\u{E311}', '\u{EEB7}', 0x8E, 0),
    ('\u{EEB8}', '\u{F6B0}', 0x81, 0),
    // From C6A1, the 64th code of row C6.
    ('\u{F6B1}', '\u{F848}', 0xC6, 63),
];

/// The Big5 bytes Windows reads as `c` ([`CP950_EUDC`]).
fn cp950_eudc_bytes(c: char) -> Option<[u8; 2]> {
    let &(first, _, lead, skip) = CP950_EUDC
        .iter()
        .find(|&&(first, last, _, _)| (first..=last).contains(&c))?;
    let pointer = c as u32 - first as u32 + skip;
    let (row, at) = (pointer / 157, pointer % 157);
    let trail = if at < 63 { 0x40 + at } else { 0xA1 + at - 63 };
    Some([lead + row as u8, trail as u8])
}

/// Whether the non-ASCII characters of `text` are all Private Use ones: alone they are no
/// evidence of a double-byte code page (GBK's user-defined rows, [`CP950_EUDC`]), since icon
/// fonts put their glyphs there too (Powerline's branch `\u{E0A0}` is not EUC-KR's `ャ`
/// read as GBK). Only a document whose channel reads them so shows what they are (`若`,
/// `日` of GBK read by Windows as Big5, alone between ASCII bytes).
pub fn private_use_only(text: &str) -> bool {
    let mut wide = text.chars().filter(|c| !c.is_ascii()).peekable();
    wide.peek().is_some() && wide.all(|c| ('\u{E000}'..='\u{F8FF}').contains(&c))
}

/// The bytes of one non-ASCII character in `enc` (`None` if it has none).
pub fn encode_char(enc: &'static Encoding, c: char) -> Option<([u8; 4], usize)> {
    if enc == BIG5 {
        if let Some([lead, trail]) = cp950_eudc_bytes(c) {
            return Some(([lead, trail, 0, 0], 2));
        }
    }
    let key = (enc as *const Encoding as usize, c);
    if let Some(hit) = ENCODED.with(|m| m.borrow().get(&key).copied()) {
        return hit;
    }
    let mut buf = [0u8; 4];
    let (bytes, _, bad) = enc.encode(c.encode_utf8(&mut buf));
    let result = (!bad && bytes.len() <= 4).then(|| {
        let mut out = [0u8; 4];
        out[..bytes.len()].copy_from_slice(&bytes);
        (out, bytes.len())
    });
    ENCODED.with(|m| m.borrow_mut().insert(key, result));
    result
}

/// Decodes `bytes` as `enc`: (text, U+FFFD count). Strict callers reject any U+FFFD.
pub fn decode(bytes: &[u8], enc: &'static Encoding) -> (String, usize) {
    if enc == UTF_8 {
        if let Ok(s) = std::str::from_utf8(bytes) {
            return (s.to_string(), 0);
        }
    }
    let (text, _) = enc.decode_without_bom_handling(bytes);
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    (text.into_owned(), bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_tables_invert_the_encoders() {
        for how in CHANNELS.iter().map(|ch| ch.reencode) {
            let Legacy(e) = how else { continue };
            if !e.is_single_byte() {
                assert!(byte_table(how).is_none());
                continue;
            }
            for c in '\u{80}'..='\u{FFFF}' {
                let cp = c as u32;
                let expected = match encode_char(e, c) {
                    Some((b, 1)) => Some(b[0]),
                    _ if (0x80..=0x9F).contains(&cp) => {
                        undefined_bytes(how).contains(cp as u8).then_some(cp as u8)
                    }
                    _ => None,
                };
                assert_eq!(single_byte(c, how), expected, "{} {cp:#x}", e.name());
            }
        }
    }

    #[test]
    fn sloppy_1252_round_trips_every_byte() {
        for b in 0x80u16..=0xFF {
            let byte = [b as u8];
            let (s, _, _) = encoding_rs::WINDOWS_1252.decode(&byte);
            let c = s.chars().next().unwrap();
            assert_eq!(sloppy_1252_byte(c), Some(b as u8), "{b:#x}");
        }
        for c in ('\u{100}'..='\u{3000}').filter(|c| !CP1252_HIGH.contains(c)) {
            assert_eq!(sloppy_1252_byte(c), None, "{c}");
        }
    }

    #[test]
    fn windows_private_use_characters_go_back_to_their_big5_rows() {
        // Each range's ends, as ICU's windows-950 reads them, and 前 (GBK C7 B0) between.
        for (c, bytes) in [
            ('\u{E000}', [0xFA, 0x40]),
            ('\u{E310}', [0xFE, 0xFE]),
            ('\u{E311}', [0x8E, 0x40]),
            ('\u{EEB7}', [0xA0, 0xFE]),
            ('\u{EEB8}', [0x81, 0x40]),
            ('\u{F6B0}', [0x8D, 0xFE]),
            ('\u{F6B1}', [0xC6, 0xA1]),
            ('\u{F75D}', [0xC7, 0xB0]),
            ('\u{F848}', [0xC8, 0xFE]),
        ] {
            assert_eq!(cp950_eudc_bytes(c), Some(bytes), "{c:?}");
        }
        // Every character of the ranges: a Big5 pair of its own.
        let mut seen = std::collections::HashSet::new();
        for c in '\u{E000}'..='\u{F848}' {
            let [lead, trail] = cp950_eudc_bytes(c).expect("in a range");
            assert!(matches!(trail, 0x40..=0x7E | 0xA1..=0xFE), "{c:?}");
            assert!(seen.insert([lead, trail]), "{c:?}");
        }
        assert_eq!(cp950_eudc_bytes('\u{F849}'), None);
        // GBK's 前面 read by Windows: back to GBK's bytes.
        assert_eq!(
            reencode("\u{F75D}醱", Legacy(BIG5), &[]),
            Some(vec![0xC7, 0xB0, 0xC3, 0xE6])
        );
        assert!(private_use_only("\u{E0A0} \u{F015}"));
        assert!(!private_use_only("\u{F75D}醱"));
        assert!(!private_use_only("main"));
    }

    #[test]
    fn lost_characters_become_placeholders() {
        assert_eq!(
            reencode("浣�", Legacy(GBK), &[3]).unwrap(),
            vec![0xE4, 0xBD, LOST_BYTE]
        );
    }
}
