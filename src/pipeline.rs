//! The whole job for one input, as a pure function: bytes → detect → decode → repair →
//! pinyin clean-up → convert → normalize → encode. [`run`] is the slice version; the batch
//! layer feeds it files, and big inputs chunk by chunk through [`run_detected`].

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::convert::Converter;
use crate::decode::{self, Decoded};
use crate::detect::{self, Detection, Hint};
use crate::error::Result;
use crate::normalize::{self, Options};
use crate::step::{Source, Step};

/// What to do with a BOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BomMode {
    /// UTF-8 output keeps a UTF-8 BOM the input had; a UTF-16 input's BOM is not carried
    /// into UTF-8 (it marked UTF-16); UTF-16 output always starts with one.
    #[default]
    Keep,
    /// Never write a BOM.
    Strip,
    /// Always write one (UTF-8 and UTF-16 output).
    Add,
}

/// Everything that decides the output, resolved once (see `cli::settings`).
#[derive(Debug, Clone)]
pub struct Config {
    /// `--from` and `--lang`.
    pub hint: Hint,
    /// Undo mojibake (default on).
    pub repair: bool,
    /// Remove pinyin artifacts (default on).
    pub pinyin: bool,
    /// OpenCC conversion, if asked.
    pub convert: Option<Converter>,
    /// Opt-in normalization steps.
    pub normalize: Options,
    /// Output encoding (UTF-8 by default).
    pub to: &'static Encoding,
    /// BOM policy.
    pub bom: BomMode,
    /// Keep every repair step (`--explain`, `--json`). Without it the repair makes a record
    /// only where the kind of repair changes ([`crate::repair::Records::Summary`]), and a
    /// streamed input keeps the first repair of each kind: a file full of mojibake makes
    /// a step per span, and keeping them all would make memory grow with the file.
    pub every_step: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            hint: Hint::default(),
            repair: true,
            pinyin: true,
            convert: None,
            normalize: Options::default(),
            to: UTF_8,
            bom: BomMode::Keep,
            every_step: true,
        }
    }
}

/// The result for one input.
#[derive(Debug)]
pub struct Outcome<'a> {
    /// The output bytes (borrowed from the input when nothing changed).
    pub output: Cow<'a, [u8]>,
    /// How the input was read.
    pub detection: Detection,
    /// What was done, in order.
    pub steps: Vec<Step>,
    /// Whether the output differs from the input.
    pub changed: bool,
}

impl Outcome<'_> {
    /// Set when the input is binary and was passed over.
    pub fn binary(&self) -> Option<&'static str> {
        self.detection.binary
    }
}

/// Runs the pipeline over `bytes`. Fails only when the output encoding cannot represent
/// the text ([`crate::Error::Unencodable`]).
///
/// ```
/// use mojifix::pipeline::{run, Config};
/// let out = run("cafÃ© 浣犲ソ".as_bytes(), &Config::default()).unwrap();
/// assert_eq!(std::str::from_utf8(&out.output).unwrap(), "café 你好");
/// ```
pub fn run<'a>(bytes: &'a [u8], cfg: &Config) -> Result<Outcome<'a>> {
    run_in(bytes, cfg, None)
}

/// [`run`] for a large input: legacy double-byte text may be decoded into `scratch`
/// (see [`decode::decode_into`]), and the output may borrow it.
pub fn run_in<'a>(
    bytes: &'a [u8],
    cfg: &Config,
    scratch: Option<&'a mut Vec<u8>>,
) -> Result<Outcome<'a>> {
    let det = detect::detect(bytes, &cfg.hint);
    if det.binary.is_some() {
        return Ok(Outcome {
            output: Cow::Borrowed(bytes),
            detection: det,
            steps: Vec::new(),
            changed: false,
        });
    }
    run_detected_in(bytes, cfg, &det, scratch)
}

/// Runs the pipeline with the encoding already decided (for the chunks after the first
/// of a large input, pass a detection with `bom_len` 0).
pub fn run_detected<'a>(bytes: &'a [u8], cfg: &Config, det: &Detection) -> Result<Outcome<'a>> {
    run_detected_in(bytes, cfg, det, None)
}

/// [`run_detected`] with a buffer for the decoded text, as in [`run_in`].
pub fn run_detected_in<'a>(
    bytes: &'a [u8],
    cfg: &Config,
    det: &Detection,
    scratch: Option<&'a mut Vec<u8>>,
) -> Result<Outcome<'a>> {
    let body = &bytes[det.bom_len.min(bytes.len())..];
    let mut steps = Vec::new();
    let decoded = decode_body(body, cfg, det, scratch);
    steps.push(Step::Decoded {
        encoding: decoded.1.name(),
        source: decoded.2,
        malformed: decoded.0.malformed,
        malformed_at: decoded.0.malformed_at.clone(),
        legacy_lines: decoded.0.legacy_lines,
    });
    let text = process_text(decoded.0.text, cfg, &mut steps);
    let had_utf8_bom = det.bom_len > 0 && det.encoding == UTF_8;
    let bom: &[u8] = match cfg.bom {
        BomMode::Strip => b"",
        BomMode::Add => crate::encode::bom(cfg.to),
        BomMode::Keep if cfg.to == UTF_16LE || cfg.to == UTF_16BE => crate::encode::bom(cfg.to),
        BomMode::Keep if had_utf8_bom && cfg.to == UTF_8 => crate::encode::bom(UTF_8),
        BomMode::Keep => b"",
    };
    // UTF-8 output is the text itself: owned text moves into the output without a copy.
    let encoded: Cow<'a, [u8]> = if cfg.to == UTF_8 {
        match text {
            Cow::Borrowed(t) => Cow::Borrowed(t.as_bytes()),
            Cow::Owned(t) => Cow::Owned(t.into_bytes()),
        }
    } else {
        steps.push(Step::Encoded {
            encoding: cfg.to.name(),
        });
        Cow::Owned(crate::encode::encode(&text, cfg.to)?.into_owned())
    };
    // Output that still borrows the input body is the body: no need to compare bytes.
    let same = bytes.len() == bom.len() + encoded.len()
        && bytes.starts_with(bom)
        && (std::ptr::eq(bytes[bom.len()..].as_ptr(), encoded.as_ptr())
            || bytes[bom.len()..] == *encoded);
    let output = if same {
        Cow::Borrowed(bytes)
    } else if bom.is_empty() {
        encoded
    } else {
        let mut v = Vec::with_capacity(bom.len() + encoded.len());
        v.extend_from_slice(bom);
        v.extend_from_slice(&encoded);
        Cow::Owned(v)
    };
    Ok(Outcome {
        output,
        detection: *det,
        steps,
        changed: !same,
    })
}

fn decode_body<'a>(
    body: &'a [u8],
    cfg: &Config,
    det: &Detection,
    scratch: Option<&'a mut Vec<u8>>,
) -> (Decoded<'a>, &'static Encoding, Source) {
    let enc = det.encoding;
    let decode_as = |enc| match scratch {
        Some(s) => decode::decode_into(body, enc, s),
        None => decode::decode(body, enc),
    };
    if det.source == Source::Given || detect::is_utf16(enc) {
        return (decode_as(enc), enc, det.source);
    }
    if enc == UTF_8 {
        // One validation, and the text borrows the input.
        if let Some(text) = UTF_8.decode_without_bom_handling_and_without_replacement(body) {
            let decoded = Decoded {
                text,
                malformed: 0,
                malformed_at: Vec::new(),
                legacy_lines: 0,
            };
            return (decoded, UTF_8, det.source);
        }
        // Mostly UTF-8 (or a later chunk of a stream that started as UTF-8): the lines that
        // are not damaged UTF-8 get an encoding of their own.
        if let Some(legacy) = detect::legacy_for_invalid_lines(body, &cfg.hint) {
            return (decode::decode_mixed(body, legacy), legacy, Source::Mixed);
        }
        return (decode::decode(body, UTF_8), UTF_8, det.source);
    }
    if decode::is_mixed(body) {
        return (decode::decode_mixed(body, enc), enc, Source::Mixed);
    }
    (decode_as(enc), enc, det.source)
}

/// The text stages: repair → pinyin → convert → normalize.
pub fn process_text<'a>(text: Cow<'a, str>, cfg: &Config, steps: &mut Vec<Step>) -> Cow<'a, str> {
    let mut text = text;
    if cfg.repair {
        let records = if cfg.every_step {
            crate::repair::Records::Every
        } else {
            crate::repair::Records::Summary
        };
        let (fixed, s) = crate::repair::repair_with(&text, records);
        if let Cow::Owned(f) = fixed {
            text = Cow::Owned(f);
        }
        steps.extend(s);
    }
    if cfg.pinyin {
        if let Some((out, step)) = crate::pinyin::strip(&text) {
            text = Cow::Owned(out);
            steps.push(step);
        }
    }
    if let Some(conv) = &cfg.convert {
        let c = conv.convert_counted(&text);
        if let Cow::Owned(out) = c.text {
            steps.push(Step::Converted {
                config: conv.name().to_string(),
                chars: c.chars,
                phrases: c.phrases,
                at: c.at,
            });
            text = Cow::Owned(out);
        }
    }
    normalize::normalize(text, &cfg.normalize, steps)
}

/// Re-applies recorded text steps to the decoded text. Tests use it to prove that the
/// explanation is true: `replay(decoded, steps) == output text`.
pub fn replay(decoded: &str, steps: &[Step], cfg: &Config) -> String {
    let mut text = decoded.to_string();
    for step in steps {
        match step {
            Step::Repaired {
                start, len, after, ..
            } => {
                text.replace_range(*start..*start + *len, after);
            }
            Step::PinyinRemoved { ranges, .. } => {
                for &(s, e) in ranges.iter().rev() {
                    text.replace_range(s..e, "");
                }
            }
            Step::Converted { .. } => {
                if let Some(conv) = &cfg.convert {
                    text = conv.convert(&text).into_owned();
                }
            }
            Step::Normalized { what, .. } => {
                if let Some(t) = normalize::apply_named(what, &text) {
                    text = t;
                }
            }
            Step::Decoded { .. } | Step::LossMarked { .. } | Step::Encoded { .. } => {}
        }
    }
    text
}
