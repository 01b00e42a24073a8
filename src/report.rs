//! Outcomes → words: the `--explain` text, the `--check` summary line and the `--json`
//! objects. Everything is written to an `impl Write`; the binary decides which stream.
//! Echoed text (file names, before/after snippets) is sanitised so that control characters
//! in a file cannot drive the terminal.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::batch::{FileOutcome, FileReport};
use crate::detect::Detection;
use crate::step::{Source, Step};

/// Longest before/after snippet shown in `--explain` (characters).
const SNIPPET: usize = 60;

/// Replaces control characters so that echoed text cannot move the cursor or ring bells.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            c if c.is_control() || matches!(c as u32, 0x202A..=0x202E | 0x2066..=0x2069) => {
                format!("\\u{{{:04X}}}", c as u32)
            }
            c => c.to_string(),
        })
        .collect()
}

fn snippet(s: &str) -> String {
    let n = s.chars().count();
    if n <= SNIPPET {
        sanitize(s)
    } else {
        let head: String = s.chars().take(SNIPPET / 2).collect();
        let tail: String = s.chars().skip(n - SNIPPET / 2).collect();
        format!("{}…{}", sanitize(&head), sanitize(&tail))
    }
}

fn source_words(s: Source) -> &'static str {
    match s {
        Source::Bom => "byte-order mark",
        Source::Valid => "valid UTF-8",
        Source::Pattern => "UTF-16 zero-byte pattern",
        Source::Guessed => "guessed",
        Source::Given => "given with --from",
        Source::Mixed => "mixed: lines decoded one by one",
    }
}

/// The one-line detection summary (`--detect`): `path<TAB>encoding<TAB>confidence…`.
pub fn detect_line(w: &mut dyn Write, path: &str, d: &Detection) -> io::Result<()> {
    if let Some(b) = d.binary {
        return writeln!(w, "{}\tbinary\t1.00\t({b})", sanitize(path));
    }
    let runner = d
        .runner_up
        .map_or(String::new(), |r| format!(", runner-up {}", r.name()));
    writeln!(
        w,
        "{}\t{}\t{:.2}\t({}{runner})",
        sanitize(path),
        d.encoding.name(),
        d.confidence,
        source_words(d.source)
    )
}

/// Short summary of the steps that changed something, for `--check`.
pub fn summary(o: &FileOutcome) -> String {
    let mut parts = Vec::new();
    for s in &o.steps {
        match s {
            Step::Decoded {
                encoding,
                source,
                malformed,
                ..
            } => {
                if *encoding != "UTF-8" || *source == Source::Mixed {
                    parts.push(format!("decode {encoding}"));
                }
                if *malformed > 0 {
                    parts.push(format!("{malformed} malformed"));
                }
            }
            Step::Repaired { fix, .. } => parts.push(fix.to_string()),
            Step::PinyinRemoved { count, .. } => parts.push(format!("{count} pinyin annotations")),
            Step::Converted { config, chars, .. } => parts.push(format!("{config} {chars} chars")),
            Step::Normalized { what, count, .. } => parts.push(format!("{what} {count}")),
            Step::Encoded { encoding } => parts.push(format!("encode {encoding}")),
            Step::LossMarked { .. } => {}
        }
    }
    parts.dedup();
    parts.join(", ")
}

/// The `--explain` text for one input.
pub fn explain(w: &mut dyn Write, report: &FileReport) -> io::Result<()> {
    let path = sanitize(&report.input.display());
    let o = match &report.result {
        Err(e) => return writeln!(w, "{path}: error {}: {}", e.action, e.message),
        Ok(o) => o,
    };
    let d = &o.detection;
    if let Some(b) = d.binary {
        return writeln!(w, "{path}: binary ({b}), skipped");
    }
    let runner = d
        .runner_up
        .map_or(String::new(), |r| format!(", runner-up {}", r.name()));
    writeln!(
        w,
        "{path}: {} ({}, confidence {:.2}{runner}){}",
        d.encoding.name(),
        source_words(d.source),
        d.confidence,
        if o.changed { "" } else { ", unchanged" }
    )?;
    for s in &o.steps {
        match s {
            Step::Decoded {
                encoding,
                malformed,
                malformed_at,
                legacy_lines,
                source,
            } => {
                if *source == Source::Mixed {
                    writeln!(
                        w,
                        "  decoded: {legacy_lines} line(s) as {encoding}, the rest as UTF-8"
                    )?;
                }
                if *malformed > 0 {
                    writeln!(
                        w,
                        "  malformed: {malformed} byte sequence(s) replaced by U+FFFD, first at byte {}",
                        join(malformed_at)
                    )?;
                }
            }
            Step::Repaired {
                fix,
                chain,
                start,
                before,
                after,
                margin,
                lost,
                ..
            } => {
                writeln!(
                    w,
                    "  repaired {fix} at byte {start}: {chain} (score +{margin:.1})"
                )?;
                writeln!(w, "    before: {}", snippet(before))?;
                writeln!(w, "    after:  {}", snippet(after))?;
                if *lost > 0 {
                    writeln!(w, "    lost: {lost} character(s), marked U+FFFD")?;
                }
            }
            Step::LossMarked { marker, count, at } => {
                writeln!(
                    w,
                    "  lost data: {count} run(s) of {marker} (left as they are), first at byte {}",
                    join(at)
                )?;
            }
            Step::PinyinRemoved { count, at, .. } => {
                writeln!(
                    w,
                    "  pinyin annotations removed: {count}, first at byte {}",
                    join(at)
                )?;
            }
            Step::Converted {
                config,
                chars,
                phrases,
                at,
            } => {
                writeln!(w, "  converted {config}: {chars} character(s) in {phrases} match(es), first at byte {}", join(at))?;
            }
            Step::Normalized { what, count, at } => {
                writeln!(w, "  {what}: {count} change(s), first at byte {}", join(at))?;
            }
            Step::Encoded { encoding } => writeln!(w, "  encoded as {encoding}")?,
        }
    }
    Ok(())
}

fn join(v: &[usize]) -> String {
    v.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `--json` object for one input (schema in the README).
pub fn json(report: &FileReport) -> Value {
    let path = report.input.path.as_ref().map(|p| p.display().to_string());
    match &report.result {
        Err(e) => json!({
            "path": path,
            "status": "error",
            "error": format!("{}: {}", e.action, e.message),
        }),
        Ok(o) => {
            let d = &o.detection;
            let status = if d.binary.is_some() {
                "binary"
            } else if o.changed {
                "changed"
            } else {
                "unchanged"
            };
            json!({
                "path": path,
                "status": status,
                "binary": d.binary,
                "encoding": d.encoding.name(),
                "source": d.source,
                "confidence": (d.confidence * 100.0).round() / 100.0,
                "runner_up": d.runner_up.map(|e| e.name()),
                "bom": d.bom_len > 0,
                "bytes_in": o.bytes_in,
                "bytes_out": o.bytes_out,
                "steps": o.steps,
            })
        }
    }
}
