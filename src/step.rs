//! The shared "what we did" vocabulary. Every stage appends [`Step`]s to the
//! [`crate::pipeline::Outcome`]; `--explain`, `--json` and the tests all read the same
//! records, and [`crate::pipeline::replay`] re-applies them to prove the explanation true.

use serde::Serialize;

/// How the input's encoding was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A byte-order mark.
    Bom,
    /// The bytes are valid UTF-8.
    Valid,
    /// UTF-16 recognised from the pattern of zero bytes (no BOM).
    Pattern,
    /// A statistical guess (chardetng, confirmed by the language model).
    Guessed,
    /// The caller named it (`--from`).
    Given,
    /// Most lines are one encoding, some another; each line was decoded on its own.
    Mixed,
}

/// One thing the pipeline did to the text, with where it did it.
///
/// Offsets are byte offsets into the text as it was *before* the step (for `Decoded`, into
/// the input bytes). Records are small: positions are capped at [`MAX_POSITIONS`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// The bytes were decoded.
    Decoded {
        /// WHATWG name of the encoding (for mixed input, the legacy one).
        encoding: &'static str,
        /// How the encoding was decided.
        source: Source,
        /// Malformed byte sequences replaced by U+FFFD.
        malformed: usize,
        /// Byte offsets in the input of the first malformed sequences.
        malformed_at: Vec<usize>,
        /// For mixed input: how many lines were decoded with the legacy encoding.
        legacy_lines: usize,
    },
    /// A span of mojibake was replaced by what it was before it was damaged.
    Repaired {
        /// The channel or mechanism, e.g. `utf8_as_gbk`, `gbk_misaligned`.
        fix: &'static str,
        /// The chain of inverse steps, e.g. `t2s-inverse → encode(gbk) → realign(lost lead 0xCC) → decode(gbk) → s2t`.
        chain: String,
        /// Byte offset of the span in the text before this step.
        start: usize,
        /// Byte length of the span before this step.
        len: usize,
        /// The text that was there.
        before: String,
        /// The text that replaced it.
        after: String,
        /// How much better the replacement scored (log-probability per character, natural log).
        margin: f32,
        /// Characters the repair knows were lost (marked U+FFFD in `after`).
        lost: usize,
    },
    /// Runs of bytes that only mark lost data (`锟斤拷`, `烫烫`), reported, not removed.
    LossMarked {
        /// What kind of marker.
        marker: &'static str,
        /// How many runs.
        count: usize,
        /// Byte offsets of the first runs.
        at: Vec<usize>,
    },
    /// Pinyin annotations a broken converter appended after Han characters were removed.
    PinyinRemoved {
        /// How many annotations.
        count: usize,
        /// Byte offsets (in the text before this step) of the first ones.
        at: Vec<usize>,
        /// Byte ranges removed, all of them, so that replay is exact.
        #[serde(skip)]
        ranges: Vec<(usize, usize)>,
    },
    /// OpenCC conversion.
    Converted {
        /// The OpenCC configuration, e.g. `t2s`.
        config: String,
        /// How many characters changed.
        chars: usize,
        /// How many dictionary matches (phrases or characters) changed something.
        phrases: usize,
        /// Byte offsets of the first changes.
        at: Vec<usize>,
    },
    /// An opt-in normalization step.
    Normalized {
        /// The step: `nfc`, `nfkc`, `newlines-lf`, `strip-controls`, …
        what: &'static str,
        /// How many characters or sequences it changed.
        count: usize,
        /// Byte offsets of the first changes.
        at: Vec<usize>,
    },
    /// The output was encoded in something other than UTF-8.
    Encoded {
        /// WHATWG name of the output encoding.
        encoding: &'static str,
    },
}

/// At most this many positions are kept in a step record.
pub const MAX_POSITIONS: usize = 8;

impl Step {
    /// The step with its positions moved: input offsets (`malformed_at`) by `in_base`, text
    /// offsets by `text_base` — a chunk's or a segment's record made a whole input's.
    pub fn shifted(self, in_base: usize, text_base: usize) -> Step {
        if in_base == 0 && text_base == 0 {
            return self;
        }
        match self {
            Step::Decoded {
                encoding,
                source,
                malformed,
                malformed_at,
                legacy_lines,
            } => Step::Decoded {
                encoding,
                source,
                malformed,
                malformed_at: malformed_at.into_iter().map(|p| p + in_base).collect(),
                legacy_lines,
            },
            Step::Repaired {
                fix,
                chain,
                start,
                len,
                before,
                after,
                margin,
                lost,
            } => Step::Repaired {
                fix,
                chain,
                start: start + text_base,
                len,
                before,
                after,
                margin,
                lost,
            },
            Step::LossMarked { marker, count, at } => Step::LossMarked {
                marker,
                count,
                at: at.into_iter().map(|p| p + text_base).collect(),
            },
            Step::PinyinRemoved { count, at, ranges } => Step::PinyinRemoved {
                count,
                at: at.into_iter().map(|p| p + text_base).collect(),
                ranges: ranges
                    .into_iter()
                    .map(|(s, e)| (s + text_base, e + text_base))
                    .collect(),
            },
            Step::Converted {
                config,
                chars,
                phrases,
                at,
            } => Step::Converted {
                config,
                chars,
                phrases,
                at: at.into_iter().map(|p| p + text_base).collect(),
            },
            Step::Normalized { what, count, at } => Step::Normalized {
                what,
                count,
                at: at.into_iter().map(|p| p + text_base).collect(),
            },
            s @ Step::Encoded { .. } => s,
        }
    }
}

/// Pushes `pos` onto `list` unless it already holds [`MAX_POSITIONS`].
pub fn note_position(list: &mut Vec<usize>, pos: usize) {
    if list.len() < MAX_POSITIONS {
        list.push(pos);
    }
}

/// 1-based (line, column in characters) of byte offset `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text.as_bytes()[..at];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let col = text
        .get(line_start..at)
        .map_or(at - line_start, |s| s.chars().count())
        + 1;
    (line, col)
}
