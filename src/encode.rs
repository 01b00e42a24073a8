//! Text → bytes in the output encoding. UTF-8 costs nothing; UTF-16 is written by hand
//! (encoding_rs decodes UTF-16 but, per WHATWG, does not encode it); legacy encodings use
//! encoding_rs and fail with the first unencodable characters and where they are.

use std::borrow::Cow;

use encoding_rs::{EncoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::error::{Error, Result};
use crate::step::line_col;

/// How many unencodable characters an error names.
const NAMED: usize = 5;

/// Encodes `text` as `enc`.
pub fn encode<'a>(text: &'a str, enc: &'static Encoding) -> Result<Cow<'a, [u8]>> {
    if enc == UTF_8 {
        return Ok(Cow::Borrowed(text.as_bytes()));
    }
    if enc == UTF_16LE {
        return Ok(Cow::Owned(
            text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ));
    }
    if enc == UTF_16BE {
        return Ok(Cow::Owned(
            text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ));
    }
    let mut encoder = enc.new_encoder();
    let mut out = Vec::with_capacity(text.len());
    let mut read_total = 0;
    let mut bad: Vec<(char, usize)> = Vec::new();
    let mut count = 0;
    loop {
        out.reserve(
            encoder
                .max_buffer_length_from_utf8_without_replacement(text.len() - read_total)
                .unwrap_or(text.len() * 4)
                .max(16),
        );
        let (result, read) = encoder.encode_from_utf8_to_vec_without_replacement(
            &text[read_total..],
            &mut out,
            true,
        );
        read_total += read;
        match result {
            EncoderResult::InputEmpty => break,
            EncoderResult::OutputFull => {}
            EncoderResult::Unmappable(c) => {
                count += 1;
                if bad.len() < NAMED {
                    bad.push((c, read_total - c.len_utf8()));
                }
            }
        }
    }
    if count > 0 {
        let first = bad
            .iter()
            .map(|&(c, at)| {
                let (l, col) = line_col(text, at);
                format!("U+{:04X} '{}' at line {l}, column {col}", c as u32, c)
            })
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::Unencodable {
            encoding: enc.name(),
            count,
            first,
        });
    }
    Ok(Cow::Owned(out))
}

/// The byte-order mark of `enc`.
pub fn bom(enc: &'static Encoding) -> &'static [u8] {
    if enc == UTF_8 {
        b"\xEF\xBB\xBF"
    } else if enc == UTF_16LE {
        b"\xFF\xFE"
    } else if enc == UTF_16BE {
        b"\xFE\xFF"
    } else {
        b""
    }
}

/// Resolves an encoding label (`gbk`, `GB18030`, `utf-16le`, `latin1`, …).
pub fn encoding_for_label(label: &str) -> Result<&'static Encoding> {
    let l = label.trim().to_ascii_lowercase();
    let l = match l.as_str() {
        "utf8" => "utf-8",
        "utf16le" | "utf-16-le" => "utf-16le",
        "utf16be" | "utf-16-be" => "utf-16be",
        "cp936" | "ms936" | "936" => "gbk",
        "sjis" | "cp932" | "ms932" => "shift_jis",
        "cp949" | "uhc" => "euc-kr",
        "cp950" | "big5hkscs" => "big5",
        "cp1252" => "windows-1252",
        "cp1251" => "windows-1251",
        "cp1250" => "windows-1250",
        other => other,
    };
    Encoding::for_label(l.as_bytes()).ok_or_else(|| Error::UnknownEncoding(label.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GBK, SHIFT_JIS};

    #[test]
    fn unencodable_characters_are_named_with_positions() {
        let err = encode("ab\n中😀x", SHIFT_JIS).unwrap_err().to_string();
        assert_eq!(
            err,
            "1 character(s) cannot be encoded in Shift_JIS; first: U+1F600 '😀' at line 2, column 2"
        );
    }

    #[test]
    fn legacy_and_utf16() {
        assert_eq!(&*encode("你好", GBK).unwrap(), b"\xC4\xE3\xBA\xC3");
        assert_eq!(&*encode("a你", UTF_16BE).unwrap(), b"\x00a\x4F\x60");
        assert_eq!(encoding_for_label("CP936").unwrap(), GBK);
        assert!(encoding_for_label("klingon").is_err());
    }
}
