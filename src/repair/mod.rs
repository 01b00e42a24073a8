//! The mojibake engine. Text → candidate runs (non-ASCII runs whose suspicious characters
//! [`badness`] finds dense enough) → hypotheses, each a chain of inverse steps: a
//! single-layer [`channels`] channel (re-encode, decode), or a [`misaligned`] re-alignment
//! with conversion inverses → scored by the language model in [`crate::model`] → applied
//! only when the best beats the text as it stands by a named margin (the document's
//! dominant channel lowers it, and so does, in its own line, a double-byte code page read
//! as another that a reading there has shown; text that is partly right raises it).
//! Repeated to a fixed
//! point, so double mojibake comes off layer by layer. The runs of a pass are weighed in
//! parallel (each depends on the text alone); the decisions then see them all, in order.
//! A text of half a megabyte or more is repaired in segments of a quarter, cut after line
//! ends, in parallel (the decisions too). Every replacement is a [`Step::Repaired`] record
//! that [`crate::pipeline::replay`] can re-apply.

pub mod badness;
pub mod channels;
pub(crate) mod lossy;
pub mod misaligned;

use std::borrow::Cow;
use std::sync::LazyLock;

use channels::{Channel, Reencode, CHANNELS};
use encoding_rs::{Encoding, UTF_8};
use rayon::prelude::*;

use crate::model;
use crate::step::Step;

/// Each inverse step costs this much (nats): an explanation with fewer steps is preferred.
const STEP_PENALTY: f32 = 3.0;
/// A repair must beat the text as it stands by at least this much (nats), after penalties.
const MIN_GAIN: f32 = 3.0;
/// UTF-8 read one byte per character leaves structural evidence (valid multi-byte
/// sequences made of Latin-1 characters) that chance rarely produces, so a small gain after
/// the step penalty is enough; not zero, since `×…` or `É…` in real text also form valid
/// sequences (ftfy's negative cases).
const MIN_GAIN_SEQUENCE: f32 = 2.0;
/// UTF-8 lead bytes whose sequences most often end in 0xA0 (`à`, `Š`, `Р`, `Π`, `ؠ`-range
/// Arabic…), so that a lead read one byte per character and followed by a plain space is
/// tried as lead + NBSP (ftfy's list).
const NBSP_LEADS: [u8; 6] = [0xC2, 0xC3, 0xC5, 0xCE, 0xD0, 0xD9];
/// Code pages whose channel prior is at least this (MacRoman, the Central European and
/// Baltic ones, the DOS console)…
const RARE_CHANNEL_PRIOR: f32 = 2.0;
/// …need this much more gain for a UTF-8 reading: their symbols (`¬´`, `√π`, `├┤`) are
/// what emoticons, maths and line art are made of, so a valid sequence or two is weaker
/// evidence there than in windows-1252.
const RARE_CHANNEL_BAR: f32 = 3.0;
/// Share of a cross-CJK repair's output that must be CJK (Han, kana, Hangul, CJK
/// punctuation): those channels exist to recover CJK text, not to turn box drawing into
/// Greek capitals.
const MIN_CJK_SHARE: f32 = 0.5;
/// For whole-span channels into double-byte text, the gain must also reach this per
/// character of the garbled span: random garbage decodes into plausible-looking CJK more
/// easily than Latin text does, so the bar is higher.
const MIN_GAIN_PER_CHAR_CJK: f32 = 1.5;
/// A UTF-8 reading (through windows-1252 or GBK) with at least this many three-byte
/// characters…
const STRUCTURAL_MIN_CHARS: usize = 4;
/// …and at least this margin (nats) is taken without trying the other channels, if it
/// leaves no more than one Latin-1 character per this many three-byte ones unexplained.
const STRUCTURAL_MARGIN: f32 = 30.0;
/// (That ratio.)
const STRUCTURAL_LEFTOVER_RATIO: usize = 4;
/// Candidate runs from which a pass weighs them on every worker thread (fewer are not worth
/// the hand-off: a run takes microseconds).
const PARALLEL_RUNS: usize = 512;
/// Fixed-point iterations: three layers of mojibake is already extraordinary.
const MAX_PASSES: usize = 4;

/// Which repair records [`repair_with`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// One per repaired span (`--explain`, `--json`, [`crate::pipeline::replay`]).
    Every,
    /// One where the kind of repair changes from the record before: what a summary line
    /// names, the same as from every record once repeats are folded. A page full of
    /// mojibake has a repair per hundred bytes, and making, keeping and freeing a record
    /// for each (a copy of the span before and after, the chain written out) cost a fifth
    /// of its repair time.
    Summary,
}

/// Repairs mojibake in `text`. Returns the repaired text (borrowed when nothing changed)
/// and a record of every step taken.
pub fn repair(text: &str) -> (Cow<'_, str>, Vec<Step>) {
    repair_with(text, Records::Every)
}

/// [`repair`], making the records `records` asks for.
pub fn repair_with(text: &str, records: Records) -> (Cow<'_, str>, Vec<Step>) {
    if text.len() >= 2 * SEGMENT {
        return repair_segments(text, records);
    }
    repair_whole(text, records)
}

/// A text of at least twice this many bytes is repaired in segments of about this size,
/// cut after a line end (no run, span or misaligned stretch crosses one): one segment per
/// task, every stage of a pass in parallel, where a whole text leaves deciding and
/// rebuilding to one thread. A quarter of a megabyte is thousands of runs: the document's
/// channel and page-level signs are as clear in it as in the whole (the chunks a large
/// file is streamed in are the same size). Where a segment ends does not depend on the
/// number of threads, so neither does the output.
const SEGMENT: usize = 256 * 1024;

/// Where [`repair_with`] cuts a long text: after the first line end at least [`SEGMENT`]
/// bytes on, while at least twice that is left (a text without line ends stays whole).
fn segments(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while text.len() - start >= 2 * SEGMENT {
        let Some(nl) = memchr::memchr(b'\n', &bytes[start + SEGMENT..]) else {
            break;
        };
        let end = start + SEGMENT + nl + 1;
        out.push(&text[start..end]);
        start = end;
    }
    out.push(&text[start..]);
    out
}

/// [`repair_with`] over [`segments`] in parallel, the records joined as one repair of the
/// whole would have made them: offsets shifted by the repaired text before the segment (so
/// replaying them in order still reproduces the output), a summary's repeated kind folded
/// at the seams, and each loss marker's counts summed into one record at the end.
fn repair_segments(text: &str, records: Records) -> (Cow<'_, str>, Vec<Step>) {
    // Each segment is scanned first, so that the model, when the runs found need it, is
    // loaded by both threads before any segment waits for it.
    let scanned: Vec<(&str, badness::Scan)> = segments(text)
        .into_par_iter()
        .map(|s| (s, badness::scan(s)))
        .collect();
    if scanned
        .iter()
        .map(|(_, scan)| scan.runs.len())
        .sum::<usize>()
        >= PARALLEL_RUNS
    {
        rayon::join(model::warm, misaligned::warm);
    }
    let parts: Vec<(Cow<'_, str>, Vec<Step>)> = scanned
        .into_par_iter()
        .map(|(s, scan)| repair_scanned(s, scan, records))
        .collect();
    let changed = parts.iter().any(|(p, _)| matches!(p, Cow::Owned(_)));
    let mut out = String::with_capacity(if changed { text.len() } else { 0 });
    let mut base = 0;
    let mut steps: Vec<Step> = Vec::new();
    let mut losses: Vec<Step> = Vec::new();
    for (part, part_steps) in parts {
        for step in part_steps {
            match step.shifted(0, base) {
                Step::Repaired { fix, .. } if !wanted(records, &steps, fix) => {}
                Step::LossMarked { marker, count, at } => {
                    match losses
                        .iter_mut()
                        .find(|l| matches!(l, Step::LossMarked { marker: m, .. } if *m == marker))
                    {
                        Some(Step::LossMarked {
                            count: total,
                            at: all,
                            ..
                        }) => {
                            *total += count;
                            for p in at {
                                crate::step::note_position(all, p);
                            }
                        }
                        _ => losses.push(Step::LossMarked { marker, count, at }),
                    }
                }
                other => steps.push(other),
            }
        }
        base += part.len();
        if changed {
            out.push_str(&part);
        }
    }
    steps.extend(losses);
    if changed {
        (Cow::Owned(out), steps)
    } else {
        (Cow::Borrowed(text), steps)
    }
}

/// [`repair_with`] on a text taken whole.
fn repair_whole(text: &str, records: Records) -> (Cow<'_, str>, Vec<Step>) {
    if text.is_ascii() {
        return (Cow::Borrowed(text), Vec::new());
    }
    let first = badness::scan(text);
    if first.runs.len() >= PARALLEL_RUNS {
        rayon::join(model::warm, misaligned::warm);
    }
    repair_scanned(text, first, records)
}

/// [`repair_whole`] once the text is scanned.
fn repair_scanned(text: &str, first: badness::Scan, records: Records) -> (Cow<'_, str>, Vec<Step>) {
    let mut steps = Vec::new();
    // The page-level sign of Korean read as GBK vouches for that channel in the first pass.
    let mut vouched = None;
    let dense_runs = if first.lost_trail.is_empty() {
        first.runs
    } else {
        badness::union_of_runs(first.runs, first.lost_trail)
    };
    // Lines that show the sign of Korean read as GBK where the whole text does not: their
    // runs are read, and weighed together line by line in the first pass.
    let (sign, mut korean_lines) = badness::page_signs(text);
    let first_runs = match sign {
        Some((sign, all)) => {
            // (GBK read as Big5 is weighed run by run, each on its own bar: a clean
            // Traditional text of four characters shows its sign one time in eight.)
            if sign == badness::PageSign::KoreanAsGbk {
                vouched = Some(KOREAN_AS_GBK);
            }
            badness::union_of_runs(dense_runs, all)
        }
        None => {
            let in_lines: Vec<(usize, usize)> = korean_lines
                .iter()
                .flat_map(|&(a, b)| {
                    badness::non_ascii_runs(&text[a..b]).map(move |(s, e)| (a + s, a + e))
                })
                .collect();
            if in_lines.is_empty() {
                dense_runs
            } else {
                badness::union_of_runs(dense_runs, in_lines)
            }
        }
    };
    let first_runs_empty = first_runs.is_empty();
    let mut maybe_markers = first.markers;
    let mut uncommon = first.uncommon_han;
    let mut runs = Some(first_runs);
    let mut cur: Cow<str> = Cow::Borrowed(text);
    let mut repaired = false;
    for _ in 0..MAX_PASSES {
        let candidates = join_across_lost_bytes(
            &cur,
            runs.take()
                .unwrap_or_else(|| badness::suspicious_runs(&cur)),
        );
        let candidates = beside(candidates, std::mem::take(&mut uncommon));
        let lines = std::mem::take(&mut korean_lines);
        let Some(next) = pass(
            &cur,
            &candidates,
            vouched.take(),
            &lines,
            records,
            &mut steps,
        ) else {
            break;
        };
        cur = Cow::Owned(next);
        repaired = true;
        // A repair can make a marker (`锟斤拷` is U+FFFD read as GBK).
        maybe_markers = true;
    }
    if repaired || !first_runs_empty {
        if let Some(next) = c1_controls(&cur, records, &mut steps) {
            cur = Cow::Owned(next);
        }
    }
    if maybe_markers {
        lossy::report_markers(&cur, &mut steps);
    }
    (cur, steps)
}

/// `runs` with those of `more` (sorted) that overlap none of them: runs weighed as they
/// are, not joined to the others (the part of a lossy reader's text after a `?` is read
/// with the run it belongs to, not with a run of common characters before it).
fn beside(runs: Vec<(usize, usize)>, more: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    if more.is_empty() {
        return runs;
    }
    let mut all = Vec::with_capacity(runs.len() + more.len());
    let mut rest = runs.into_iter().peekable();
    for (a, b) in more {
        while let Some(r) = rest.next_if(|r| r.0 < b) {
            all.push(r);
        }
        if all.last().is_none_or(|r| r.1 <= a) && rest.peek().is_none_or(|r| r.0 >= b) {
            all.push((a, b));
        }
    }
    all.extend(rest);
    all
}

/// Extends candidate runs over a `?` and the non-ASCII text after it (joining runs that only
/// a `?` separates): a lossy reader's `?` for a byte in the middle of a sequence (`â?¬` is
/// `€` with its 0x82 lost) splits a run in two.
fn join_across_lost_bytes(text: &str, runs: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    // Past `?` + non-ASCII text after `end`, as often as that repeats.
    let extend = |mut end: usize| {
        while bytes.get(end) == Some(&b'?') && bytes.get(end + 1).is_some_and(|&b| b >= 0x80) {
            end += 1;
            while bytes.get(end).is_some_and(|&b| b >= 0x80) {
                end += 1;
            }
        }
        end
    };
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(runs.len());
    for (a, b) in runs {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(extend(b)),
            _ => out.push((a, extend(b))),
        }
    }
    out
}

/// C1 controls (U+0080–U+009F) left once the mojibake is gone: text never uses them, and
/// they are what windows-1252's `„“”…€` become when it is read as Latin-1
/// (`\u{84}Handwerk\u{93}`). Each run of those windows-1252 defines is decoded as
/// windows-1252; the five it leaves undefined stay as they are.
fn c1_controls(text: &str, records: Records, steps: &mut Vec<Step>) -> Option<String> {
    let is_c1 = |c: char| channels::cp1252_char(c).is_some();
    // U+0080–U+009F are C2 80–C2 9F: found with memchr, not by decoding the whole text.
    let bytes = text.as_bytes();
    if !memchr::memchr_iter(0xC2, bytes)
        .any(|i| bytes.get(i + 1).is_some_and(|&b| is_c1(char::from(b))))
    {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !is_c1(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = it.peek() {
            if !is_c1(d) {
                break;
            }
            end = j + d.len_utf8();
            it.next();
        }
        out.push_str(&text[copied..i]);
        let before = &text[i..end];
        let after: String = before
            .chars()
            .map(|c| channels::cp1252_char(c).expect("defined"))
            .collect();
        let fix = "c1_as_cp1252";
        if wanted(records, steps, fix) {
            steps.push(Step::Repaired {
                fix,
                chain: "encode(latin-1) → decode(windows-1252)".to_string(),
                start: out.len(),
                len: before.len(),
                before: before.to_string(),
                after: after.clone(),
                margin: model::score(&after) - model::score(before),
                lost: 0,
            });
        }
        out.push_str(&after);
        copied = end;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Whether a repair through `fix` gets a record after `steps` (see [`Records::Summary`]).
fn wanted(records: Records, steps: &[Step], fix: &str) -> bool {
    records == Records::Every
        || !matches!(steps.last(), Some(Step::Repaired { fix: last, .. }) if *last == fix)
}

/// One pass over the runs of non-ASCII text, in two steps: every suspicious run gets its
/// candidate fixes; then the channel that alone explains the most text (the document's
/// channel: a document is almost always garbled one way) is preferred, which settles short
/// runs whose own evidence is thin (`Рё` is `и` in a page of UTF-8 read as windows-1251).
fn pass(
    text: &str,
    candidates: &[(usize, usize)],
    vouched: Option<&str>,
    korean_lines: &[(usize, usize)],
    records: Records,
    steps: &mut Vec<Step>,
) -> Option<String> {
    // A reading that can count only through the document's channel is left unscored until
    // that channel is known (accepted fixes decide it, and such a reading never is one):
    // clean French, whose `«`+NBSP runs each read through four double-byte code pages as
    // one character at most, checked at half the speed it does now. Not when the page
    // vouches for a channel: the joint gain of its readings needs every run's.
    let defer = vouched.is_none();
    let marks = LatinMarks::new();
    // The runs read to something, by their index in `candidates`: in clean text dense with
    // accents, a few hundred of a hundred thousand (a `Fixes` per candidate, nearly all
    // empty, was most of the memory a Czech page's pass wrote).
    let read_run = |(i, &(run_start, run_end)): (usize, &(usize, usize))| {
        let (fixes, deferred) =
            candidate_fixes(text, run_start, run_end, candidates, defer, &marks);
        (!fixes.is_empty() || deferred != 0).then_some(((i, deferred), fixes))
    };
    // Each run's candidates depend on the text alone, so runs are weighed in parallel (in
    // order, so the result is the same as one by one); the decisions below see them all.
    // In a long text, the first runs may show a settled channel ([`settled_channel`]); the
    // rest are then read through it first, and through every channel only where that
    // reading is not clearly accepted.
    let sample = candidates.len().min(SETTLING_SAMPLE);
    let read_all = |range: std::ops::Range<usize>, settled: Option<usize>| {
        let read_one = |i: usize| match settled
            .and_then(|k| settled_reading(text, candidates[i], &CHANNELS[k], candidates, &marks))
        {
            Some(f) => Some(((i, 0), smallvec::smallvec![f])),
            None => read_run((i, &candidates[i])),
        };
        if range.len() >= PARALLEL_RUNS {
            range
                .into_par_iter()
                .with_min_len(PARALLEL_RUNS / 4)
                .filter_map(read_one)
                .unzip()
        } else {
            range.filter_map(read_one).unzip()
        }
    };
    let (mut read, mut runs): (Vec<(usize, ChannelSet)>, Vec<Fixes>) = read_all(0..sample, None);
    if sample < candidates.len() {
        let settled = (candidates.len() >= SETTLING_MIN_RUNS)
            .then(|| settled_channel(&runs, sample))
            .flatten();
        let (more_read, more_runs): (Vec<_>, Vec<_>) = read_all(sample..candidates.len(), settled);
        read.extend(more_read);
        runs.extend(more_runs);
    }
    vouch_lines(&mut runs, korean_lines, KOREAN_AS_GBK);
    // Looked for only when a sequence repair is on the table: Latin-1/1252 characters in
    // the text between candidate runs or in runs no sequence reading explains.
    let explained: Vec<usize> = read
        .iter()
        .zip(&runs)
        .filter(|(_, fixes)| fixes.iter().any(|f| f.sequence))
        .map(|(&(i, _), _)| i)
        .collect();
    let unexplained_latin = !explained.is_empty() && {
        let gaps = std::iter::once(0)
            .chain(candidates.iter().map(|r| r.1))
            .zip(candidates.iter().map(|r| r.0).chain([text.len()]));
        let unexplained_runs = candidates
            .iter()
            .enumerate()
            .filter(|(i, _)| explained.binary_search(i).is_err())
            .map(|(_, &run)| run);
        gaps.chain(unexplained_runs)
            .any(|(a, b)| has_latin(&text[a..b]))
    };
    let (doc, doc_runs) = document_channel(&runs)
        .or_else(|| vouched_channel(&runs, vouched?))
        .unzip();
    if let Some(k) = CHANNELS.iter().position(|c| Some(c.name) == doc) {
        score_deferred(text, candidates, &read, k, &mut runs, &marks);
    }
    runs.retain(|fixes| !fixes.is_empty());
    // A channel the page vouches for (`vouched`), or a double-byte one that explains most
    // of the text and is the best reading wherever it is accepted, has shown what the
    // document is as surely as many runs would: the runs left are a character or two
    // (`＆%s＊` is GBK's `‘%s’` read as Big5).
    let mut doc_bonus =
        if doc_runs >= Some(DOC_CHANNEL_MANY_RUNS) || (doc.is_some() && doc == vouched) {
            DOC_CHANNEL_BONUS_MANY
        } else {
            DOC_CHANNEL_BONUS
        };
    // The channel whose sweep read every run with a bonus, if one did.
    let mut swept = None;
    // Whether the text holds Japanese or Korean beside a channel's garbage.
    let native = std::cell::OnceCell::new();
    let native = || *native.get_or_init(|| badness::native_syllabic(text));
    if let Some(ch) = CHANNELS
        .iter()
        .find(|c| Some(c.name) == doc && c.original != UTF_8)
    {
        let native = native();
        let share = explained_share(text, &runs, ch.name);
        if share >= DOC_CHANNEL_COVERAGE && undisputed(&runs, ch.name) {
            doc_bonus = DOC_CHANNEL_BONUS_MANY;
        }
        if native.japanese {
            // Japanese words of kanji read through a Chinese channel (`圧縮` as GBK read
            // as Big5 is `㇌窺`) lose 6–8 nats: a text that holds Japanese is a mixed one,
            // whose channel's runs vouch for their own lines, not for every run.
            doc_bonus = DOC_CHANNEL_BONUS;
        }
        let sweep = Sweep {
            ch,
            native,
            bonus: doc_bonus,
            alone: Alone::No,
            lent: None,
            marks: &marks,
        };
        if doc_runs >= Some(DOC_CHANNEL_MANY_RUNS) || share >= DOC_CHANNEL_COVERAGE {
            runs = with_uncandidated_runs(text, candidates, runs, sweep);
            swept = Some(ch.name);
        } else if share >= DOC_CHANNEL_SOME_COVERAGE {
            let alone = Sweep {
                alone: Alone::OnItsOwn,
                ..sweep
            };
            let before = runs.len();
            runs = with_uncandidated_runs(text, candidates, runs, alone);
            // What it found on its own can make the channel the whole text's (`穦滦籠 ibs
            // ㎝ obs 匡兜` is Big5 read as GBK: the scan flags its first word only, the
            // sweep finds the last, and the lone `㎝` between them is `和`): the runs left
            // are read again with the document's bonus.
            if runs.len() > before && explained_share(text, &runs, ch.name) >= DOC_CHANNEL_COVERAGE
            {
                let read = already_read(&runs, candidates);
                runs = with_uncandidated_runs(text, &read, runs, sweep);
            }
        }
    }
    // A double-byte code page read as another lends a bonus to the lines one of its
    // readings has shown to be garbled on its own, whatever it explains of the text.
    // (Not where the document's channel has read every run with as much.)
    let lent = lending_channel(text, &runs)
        .filter(|ch| !(swept == Some(ch.name) && doc_bonus >= LINE_BONUS))
        .map(|ch| (ch, Lent::new(text, winners(text, &runs, ch.name))));
    if let Some((ch, lines)) = lent.as_ref().filter(|(ch, _)| swept != Some(ch.name)) {
        let read = already_read(&runs, candidates);
        let sweep = Sweep {
            ch,
            native: native(),
            bonus: LINE_BONUS,
            alone: Alone::Skipped,
            lent: Some(lines),
            marks: &marks,
        };
        runs = with_uncandidated_runs(text, &read, runs, sweep);
    }
    // Latin-1/1252 characters that no reading explains mean the text is partly right as it
    // stands: a lone sequence repair then needs more evidence (ftfy's "inconsistent
    // mojibake" caution), unless the document's channel vouches for it.
    let extra = |f: &Fix| {
        if f.sequence
            && unexplained_latin
            && (Some(f.name) != doc || doc_runs < Some(VOUCHING_RUNS))
        {
            INCONSISTENT_TEXT_BAR
        } else {
            0.0
        }
    };
    // The choice per run, in text order (cheap); then the records: every one made on every
    // thread (copying the text before each repair and writing out its chain is most of
    // what a record costs, and a dense page has one per hundred bytes), or a summary's few.
    let score = |f: &Fix| f.margin + if Some(f.name) == doc { doc_bonus } else { 0.0 };
    // Double-byte text read one byte per character lends its bonus only to lines it has
    // shown itself in: Latin-1 text beside it in the same file (`«Oui»`, `¿Qué`, `L’été`
    // read as Big5 or Shift_JIS make `保ui»`, `熹ué`, `L帝té`) is another part of a mixed
    // file, as clean as it looks.
    let shown_on = doc
        .and_then(|name| CHANNELS.iter().find(|c| c.name == name))
        .filter(|ch| ch.original != UTF_8 && ch.reencode == Reencode::SloppyWindows1252)
        .map(|ch| LinesShown::new(text, &runs, ch.name, doc_bonus));
    let eligible = |f: &Fix| {
        (f.accepted && f.margin > f.threshold + extra(f))
            || (Some(f.name) == doc
                && extra(f) == 0.0
                && score(f) > f.doc_threshold
                && shown_on.as_ref().is_none_or(|lines| lines.holds(f.start)))
            || lent.as_ref().is_some_and(|(ch, lines)| {
                f.name == ch.name
                    && extra(f) == 0.0
                    && f.margin + LINE_BONUS > f.doc_threshold
                    && lines.holds(f.start)
            })
    };
    let best: Vec<RunBest> = runs
        .iter()
        .map(|fixes| RunBest {
            first: fixes.iter().map(|f| f.start).min().unwrap_or(usize::MAX),
            top: fixes
                .iter()
                .filter(|f| eligible(f))
                .map(|f| (f.name, f.start, score(f)))
                .max_by(|a, b| a.2.total_cmp(&b.2)),
        })
        .collect();
    // The repairs made: (run, fix, where it lands in the output). Indices, not the fixes
    // moved out: a dense page chooses a hundred thousand, and moving each (with the runs
    // still to read) cost more than the choice.
    let mut chosen: Vec<(usize, usize, usize)> = Vec::new();
    let mut copied = 0;
    let mut grown = 0isize;
    for (i, fixes) in runs.iter().enumerate() {
        // A fix that reaches over the runs after this one (a double-byte reading through
        // their ASCII trail bytes) stands against their repairs through other channels as
        // well as this run's: it is weighed by what it gains beyond theirs (`‚àö¬©l‚àö¬©c` read
        // as GBK, one fix, against two readings of `‚àö¬©` as `√©`). (The same channel's fix
        // of a later run is the same reading, extended.)
        let displaced = |f: &Fix| -> f32 {
            best[i + 1..]
                .iter()
                .take_while(|b| b.first < f.end)
                .filter_map(|b| b.top)
                .filter(|&(name, start, _)| name != f.name && start < f.end)
                .map(|(_, _, s)| s)
                .sum()
        };
        let Some((k, fix)) = fixes
            .iter()
            .enumerate()
            .filter(|(_, f)| eligible(f))
            .max_by(|(_, a), (_, b)| {
                (score(a) - displaced(a)).total_cmp(&(score(b) - displaced(b)))
            })
        else {
            continue;
        };
        if fix.start < copied {
            continue; // overlaps the previous repair
        }
        // Where the repair lands in the output.
        let at = fix.start.wrapping_add_signed(grown);
        grown += fix.after.len() as isize - (fix.end - fix.start) as isize;
        copied = fix.end;
        chosen.push((i, k, at));
    }
    if chosen.is_empty() {
        drop_aside(runs);
        return None;
    }
    let mut out = String::with_capacity(text.len().wrapping_add_signed(grown));
    let mut copied = 0;
    for &(i, k, _) in &chosen {
        let fix = &runs[i][k];
        out.push_str(&text[copied..fix.start]);
        out.push_str(&fix.after);
        copied = fix.end;
    }
    out.push_str(&text[copied..]);
    // (What a record keeps is taken out of the fix, which is dropped.)
    let record = |(fix, at): (&mut Fix, usize)| Step::Repaired {
        fix: fix.name,
        chain: std::mem::replace(&mut fix.chain, Chain::Described(String::new())).describe(),
        start: at,
        len: fix.end - fix.start,
        before: text[fix.start..fix.end].to_string(),
        after: std::mem::take(&mut fix.after),
        margin: fix.margin,
        lost: fix.lost,
    };
    if records == Records::Summary {
        for &(i, k, at) in &chosen {
            if wanted(records, steps, runs[i][k].name) {
                steps.push(record((&mut runs[i][k], at)));
            }
        }
    } else {
        // Each chosen fix is in a run of its own: split the runs into disjoint borrows.
        let mut picked: Vec<(&mut Fix, usize)> = Vec::with_capacity(chosen.len());
        let mut rest: &mut [Fixes] = &mut runs;
        let mut base = 0;
        for &(i, k, at) in &chosen {
            let (_, tail) = std::mem::take(&mut rest).split_at_mut(i - base);
            let (run, after) = tail.split_first_mut().expect("a chosen run");
            picked.push((&mut run[k], at));
            rest = after;
            base = i + 1;
        }
        if picked.len() >= PARALLEL_RUNS {
            let made: Vec<Step> = picked
                .into_par_iter()
                .with_min_len(PARALLEL_RUNS / 4)
                .map(record)
                .collect();
            steps.extend(made);
        } else {
            steps.extend(picked.into_iter().map(record));
        }
    }
    drop_aside(runs);
    Some(out)
}

/// Scores the readings through `CHANNELS[k]`, the document's channel, that
/// [`candidate_fixes`] left unscored, and puts them in their runs' fixes where it would have
/// (in channel order). `read` is, for each of `runs`, its index in `candidates` and the
/// channels whose readings of it were left unscored.
fn score_deferred(
    text: &str,
    candidates: &[(usize, usize)],
    read: &[(usize, ChannelSet)],
    k: usize,
    runs: &mut [Fixes],
    marks: &LatinMarks,
) {
    let ch = &CHANNELS[k];
    let todo: Vec<usize> = (0..read.len())
        .filter(|&i| read[i].1 & (1 << k) != 0)
        .collect();
    let score = |&i: &usize| {
        let (start, end) = candidates[read[i].0];
        let extent = std::cell::OnceCell::new();
        let (span_start, span_end) = channel_span(text, start, end, ch, candidates, &extent);
        let shared = Shared::new(marks);
        try_channel(text, span_start, span_end, ch, &shared, candidates, false)
            .and_then(Reading::scored)
            .map(|f| (i, f))
    };
    let scored: Vec<(usize, Fix)> = if todo.len() >= PARALLEL_RUNS {
        todo.par_iter()
            .with_min_len(PARALLEL_RUNS / 4)
            .filter_map(score)
            .collect()
    } else {
        todo.iter().filter_map(score).collect()
    };
    let order = |f: &Fix| {
        CHANNELS
            .iter()
            .position(|c| c.name == f.name)
            .unwrap_or(usize::MAX)
    };
    for (i, f) in scored {
        let at = runs[i]
            .iter()
            .position(|g| order(g) > k)
            .unwrap_or(runs[i].len());
        runs[i].insert(at, f);
    }
}

/// Frees `items` on a pool thread while this one goes on, when there are many: a dense
/// page's pass leaves a hundred thousand fixes, allocated on other threads, and freeing
/// them one by one took a tenth of the pass on the thread that decides.
fn drop_aside<T: Send + 'static>(items: Vec<T>) {
    if items.len() >= PARALLEL_RUNS {
        rayon::spawn(move || drop(items));
    }
}

/// Per run of a pass: where its earliest fix starts, and its best eligible fix's channel,
/// start and score.
struct RunBest {
    first: usize,
    top: Option<(&'static str, usize, f32)>,
}

/// The channel the page vouches for as the document's, when no channel has explained
/// enough text alone ([`DOC_CHANNEL_MIN_GAIN`]): when one run at least is accepted through
/// it on its own, or when its readings of all the runs together gain enough
/// ([`joint_gain`]). A Korean message garbled as GBK is a few two-syllable words (`角菩`,
/// `坷幅`), each of which reads only a little better as Hangul (`실패`, `오류`), too little
/// for its own bar once the step and the channel's prior are paid (`颇老` → `파일` gains 5.6
/// nats, and pays 5.5).
fn vouched_channel(runs: &[Fixes], vouched: &str) -> Option<(&'static str, usize)> {
    let mut accepted = accepted_through(runs, vouched);
    if let Some(first) = accepted.next() {
        return Some((first.name, 1 + accepted.count()));
    }
    let (name, gain, chars) = joint_gain(runs, vouched)?;
    (gain > MIN_GAIN.max(JOINT_GAIN_PER_CHAR * chars as f32)).then_some((name, runs.len()))
}

/// What the channel `name` gains over the whole text, applied once: its fixes' margins
/// summed, each run's step and prior paid back but one; with the number of characters its
/// readings make. `None` unless every run has a reading through it.
fn joint_gain<'a>(
    runs: impl IntoIterator<Item = &'a Fixes>,
    name: &str,
) -> Option<(&'static str, f32, usize)> {
    let ch = CHANNELS.iter().find(|c| c.name == name)?;
    let (mut gain, mut chars) = (-(STEP_PENALTY + ch.prior), 0);
    for fixes in runs.into_iter().filter(|fixes| !fixes.is_empty()) {
        let f = fixes.iter().find(|f| f.name == name)?;
        gain += f.margin + STEP_PENALTY + ch.prior;
        chars += f.after.chars().count();
    }
    Some((ch.name, gain, chars))
}

/// [`vouched_channel`]'s joint weighing, line by line, for the lines of `lines` (byte
/// ranges) that show a page sign on their own ([`badness::korean_as_gbk_lines`]): where the
/// readings through `name` of a line's runs gain enough together, each of them is taken as
/// the page's channel's would be, with [`DOC_CHANNEL_BONUS_MANY`]. A clean line of Chinese
/// that happens to show the sign reads as Hangul garbage and gains nothing.
fn vouch_lines(runs: &mut [Fixes], lines: &[(usize, usize)], name: &str) {
    if lines.is_empty() {
        return;
    }
    // Each run's line, by where its fixes start.
    let line_of: Vec<Option<usize>> = runs
        .iter()
        .map(|fixes| {
            let start = fixes.iter().map(|f| f.start).min()?;
            let k = lines.partition_point(|&(_, end)| end <= start);
            lines.get(k).filter(|&&(a, _)| a <= start).map(|_| k)
        })
        .collect();
    for k in 0..lines.len() {
        let in_line: Vec<usize> = (0..runs.len()).filter(|&i| line_of[i] == Some(k)).collect();
        let Some((_, gain, chars)) = joint_gain(in_line.iter().map(|&i| &runs[i]), name) else {
            continue;
        };
        if chars == 0 || gain <= MIN_GAIN.max(JOINT_GAIN_PER_CHAR * chars as f32) {
            continue;
        }
        for i in in_line {
            for f in runs[i].iter_mut() {
                if f.name == name && f.margin + DOC_CHANNEL_BONUS_MANY > f.doc_threshold {
                    f.accepted = true;
                    f.threshold = f.doc_threshold - DOC_CHANNEL_BONUS_MANY;
                }
            }
        }
    }
}

/// What [`joint_gain`] must reach per character read (and at least [`MIN_GAIN`]): Korean
/// catalog strings garbled as GBK gain 1.4–2.3 nats per syllable; over 92,000 Chinese and
/// Japanese catalog strings and documents, the few the page sign let through gained −1.5
/// at best.
const JOINT_GAIN_PER_CHAR: f32 = 1.0;

/// Candidate runs a pass reads through every channel before it may settle on one…
const SETTLING_SAMPLE: usize = 512;
/// …in a text of at least this many.
const SETTLING_MIN_RUNS: usize = 4 * SETTLING_SAMPLE;
/// Share (per mille) of the sampled runs a settled channel must be accepted on, undisputed.
const SETTLED_SHARE: usize = 900;
/// A run is read through the settled channel alone when that reading clears its bar by
/// this much (nats); otherwise through every channel, as in the sample. At 6, a fifth of a
/// Greek page's runs (short words: `οι` clears its bar by 6.1) were read through every
/// channel again; at 3 (and at 0) 10 MB pages of Russian, Greek, Hebrew and Arabic read as
/// windows-1252, and 20,540 catalog lines of the four garbled and read as one document
/// each, come out byte for byte as they did at 6, the Greek page in 1.40 s instead of 1.62.
const SETTLED_MARGIN: f32 = 3.0;

/// The channel (index in [`CHANNELS`]) that the first `sampled` candidate runs of a long
/// text, read through every channel (`runs`, those read to something), show it to be
/// garbled through: accepted on nine runs in ten or more, and on each of them at least as
/// good as any other accepted reading. A page of Russian read as windows-1252 is a word a
/// run, each read through a dozen channels of which one is ever right.
fn settled_channel(runs: &[Fixes], sampled: usize) -> Option<usize> {
    let (name, _) = document_channel(runs)?;
    let through = accepted_through(runs, name).count();
    (through * 1000 >= sampled * SETTLED_SHARE && undisputed(runs, name))
        .then(|| CHANNELS.iter().position(|c| c.name == name))
        .flatten()
}

/// The reading of the candidate `run` through the settled channel `ch`, when it is clearly
/// accepted ([`SETTLED_MARGIN`]).
fn settled_reading(
    text: &str,
    (start, end): (usize, usize),
    ch: &'static Channel,
    candidates: &[(usize, usize)],
    marks: &LatinMarks,
) -> Option<Fix> {
    let extent = std::cell::OnceCell::new();
    let (span_start, span_end) = channel_span(text, start, end, ch, candidates, &extent);
    let shared = Shared::new(marks);
    try_channel(text, span_start, span_end, ch, &shared, candidates, true)
        .and_then(Reading::scored)
        .filter(|f| f.accepted && f.margin > f.threshold + SETTLED_MARGIN)
}

/// Whether the channel `name` reads every run it is accepted on at least as well as any
/// other accepted reading of that run (`‚àö¬©l‚àö¬©c` read as GBK is accepted, but each `‚àö¬©`
/// reads better as `√©`).
fn undisputed(runs: &[Fixes], name: &str) -> bool {
    runs.iter().all(|fixes| {
        let Some(own) = fixes.iter().find(|f| f.name == name && f.accepted) else {
            return true;
        };
        fixes
            .iter()
            .all(|f| !f.accepted || f.name == name || f.margin <= own.margin)
    })
}

/// For each run, the fix through the channel `name` if it is accepted on its own.
fn accepted_through<'a>(runs: &'a [Fixes], name: &'a str) -> impl Iterator<Item = &'a Fix> {
    runs.iter()
        .filter_map(move |fixes| fixes.iter().find(|f| f.name == name && f.accepted))
}

/// Share of a text's non-ASCII bytes that the runs a channel explains must hold for the
/// channel to be the whole text's, whatever the number of runs (a message of two garbled
/// runs and a lone character between ASCII words)…
const DOC_CHANNEL_COVERAGE: f32 = 0.75;
/// …and for it to read the runs the scan passed over at all, each of which must then be
/// accepted on its own: a message whose garbled words the scan found only in part
/// (`拸楊峈 %s 氝樓腎翹茬扞` is GBK read as Big5, and only its first word holds a character
/// the scan flags).
const DOC_CHANNEL_SOME_COVERAGE: f32 = 0.25;

/// The share of the non-ASCII bytes of `text` in the runs the channel `name` explains alone
/// (see [`DOC_CHANNEL_COVERAGE`]): what is left is the more likely garbled the same way,
/// the larger it is (a page only partly garbled has whole clean lines).
fn explained_share(text: &str, runs: &[Fixes], name: &str) -> f32 {
    let non_ascii = |s: &str| s.bytes().filter(|&b| b >= 0x80).count();
    let explained: usize = accepted_through(runs, name)
        .map(|f| non_ascii(&text[f.start..f.end]))
        .sum();
    explained as f32 / non_ascii(text).max(1) as f32
}

/// The lines of a text (between line feeds) where one channel has shown itself: a fix
/// through it accepted on its own, or its readings (with the document's bonus) explain
/// every non-ASCII character of the line, two readings at least (`(2010¦~7¤ë5¤é)`, three
/// characters each too little alone, in a page of Big5 read as windows-1252). A line of
/// Latin-1 text keeps characters no double-byte reading explains (`«` before a space, `à`
/// before one), or is a word or two (`Ça va`).
struct LinesShown {
    /// The line feeds of the text, in order.
    feeds: Vec<usize>,
    /// The lines, by their number (line feeds before them), sorted.
    lines: Vec<usize>,
}

impl LinesShown {
    fn new(text: &str, runs: &[Fixes], name: &str, bonus: f32) -> LinesShown {
        let feeds: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
        let line_of = |at: usize| feeds.partition_point(|&n| n < at);
        let through: Vec<&Fix> = runs.iter().flatten().filter(|f| f.name == name).collect();
        let mut lines: Vec<usize> = through
            .iter()
            .filter(|f| f.accepted && f.margin > f.threshold)
            .flat_map(|f| line_of(f.start)..=line_of(f.end.saturating_sub(1)))
            .collect();
        // The spans read with the bonus, merged, in text order.
        let mut read: Vec<(usize, usize)> = through
            .iter()
            .filter(|f| f.margin + bonus > f.doc_threshold)
            .map(|f| (f.start, f.end))
            .collect();
        read.sort_unstable();
        read.dedup();
        // Lines with two readings at least: one (`Ça` in `Ça va` is a Big5 pair) is no more
        // than a Latin word's two letters make by chance.
        let starts: Vec<usize> = read.iter().map(|&(a, _)| line_of(a)).collect();
        let candidates = starts
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect::<std::collections::BTreeSet<usize>>();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(read.len());
        for (a, b) in read {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        // Whether every non-ASCII byte of a line lies in a merged span: a walk from span to
        // span over the ASCII between them (the lines come in order, and so do the spans).
        let bytes = text.as_bytes();
        let mut k = 0;
        for line in candidates {
            let start = if line == 0 { 0 } else { feeds[line - 1] + 1 };
            let end = feeds.get(line).copied().unwrap_or(text.len());
            let mut at = start;
            let explained = loop {
                match bytes[at..end].iter().position(|b| !b.is_ascii()) {
                    None => break true,
                    Some(skip) => at += skip,
                }
                while merged.get(k).is_some_and(|r| r.1 <= at) {
                    k += 1;
                }
                match merged.get(k) {
                    Some(r) if r.0 <= at => at = r.1.min(end),
                    _ => break false,
                }
            };
            if explained {
                lines.push(line);
            }
        }
        lines.sort_unstable();
        lines.dedup();
        LinesShown { feeds, lines }
    }

    /// Whether the line of the byte `at` is one of them.
    fn holds(&self, at: usize) -> bool {
        let line = self.feeds.partition_point(|&n| n < at);
        self.lines.binary_search(&line).is_ok()
    }
}

/// How [`with_uncandidated_runs`] reads: through the document's channel `ch`, in a text
/// that holds Japanese or Korean or neither (`native`), where the channel's runs have the
/// document bonus `bonus`, or (`alone`) none outside the lines the channel has shown itself
/// in.
#[derive(Clone, Copy)]
struct Sweep<'p> {
    ch: &'static Channel,
    native: badness::Native,
    bonus: f32,
    alone: Alone,
    /// With [`Alone::Skipped`]: the lines read, with `bonus` ([`lending_channel`]).
    lent: Option<&'p Lent>,
    marks: &'p LatinMarks,
}

/// The spans of `runs`' fixes and the `candidates`, sorted: what a second sweep
/// ([`with_uncandidated_runs`]) does not read again.
fn already_read(runs: &[Fixes], candidates: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut read: Vec<(usize, usize)> = runs
        .iter()
        .flatten()
        .map(|f| (f.start, f.end))
        .chain(candidates.iter().copied())
        .collect();
    read.sort_unstable();
    read.dedup();
    read
}

/// Where a line lends its channel ([`lending_channel`]): within [`LEND_REACH`] bytes of a
/// reading that won its run, on the same line (a file of one endless line is not lent whole
/// for one reading in it).
struct Lent {
    /// The line feeds of the text, in order.
    feeds: Vec<usize>,
    /// The winning readings' spans, in order.
    spans: Vec<(usize, usize)>,
}

/// How far (bytes) a winning reading lends its channel along its line, each side: a few
/// lines of a message or a paragraph's sentence.
const LEND_REACH: usize = 600;

impl Lent {
    fn new(text: &str, spans: impl Iterator<Item = (usize, usize)>) -> Lent {
        let mut spans: Vec<(usize, usize)> = spans.collect();
        spans.sort_unstable();
        Lent {
            feeds: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
            spans,
        }
    }

    /// Whether the byte `at` is lent: on the line of a winning reading, within reach.
    fn holds(&self, at: usize) -> bool {
        let line = |x: usize| self.feeds.partition_point(|&n| n < x);
        let k = self.spans.partition_point(|&(a, _)| a <= at);
        let before = k.checked_sub(1).map(|i| self.spans[i]);
        let after = self.spans.get(k).copied();
        before
            .into_iter()
            .chain(after)
            .any(|(a, b)| at.abs_diff(a).min(at.abs_diff(b)) <= LEND_REACH && line(a) == line(at))
    }
}

/// Which runs [`with_uncandidated_runs`] lends a bonus to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Alone {
    /// Every run: the channel explains enough of the text.
    No,
    /// None: each must be accepted on its own.
    OnItsOwn,
    /// Those of the lines lent ([`lending_channel`]); the others are not read.
    Skipped,
}

/// Whether `ch` is one double-byte code page read as another.
fn cross_cjk(ch: &Channel) -> bool {
    ch.original != UTF_8 && matches!(ch.reencode, Reencode::Legacy(_))
}

/// The fix of a run accepted on its own that reads it best, if one is: a reading that lost
/// its run to another (a double-byte code page's reading of misaligned GBK, which the
/// realignment reads better) shows nothing of its line.
fn winner(fixes: &Fixes) -> Option<&Fix> {
    fixes
        .iter()
        .filter(|f| f.accepted && f.margin > f.threshold)
        .max_by(|a, b| a.margin.total_cmp(&b.margin))
}

/// Whether `text[start..end]` is more than one character: one alone (`芠`, misaligned GBK
/// that Big5 reads as `𦹅觀`) shows too little of its line to lend it a bonus.
fn more_than_one_char(text: &str, start: usize, end: usize) -> bool {
    text[start..end].chars().nth(1).is_some()
}

/// The spans of more than one character of the runs whose [`winner`] reads through the
/// channel `name`.
fn winners<'a>(
    text: &'a str,
    runs: &'a [Fixes],
    name: &'a str,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    runs.iter()
        .filter_map(|fixes| winner(fixes))
        .filter(move |f| f.name == name && more_than_one_char(text, f.start, f.end))
        .map(|f| (f.start, f.end))
}

/// The indices in [`CHANNELS`] of the channels [`cross_cjk`] holds.
static CROSS_CJK: LazyLock<Vec<usize>> = LazyLock::new(|| {
    (0..CHANNELS.len())
        .filter(|&k| cross_cjk(&CHANNELS[k]))
        .collect()
});

/// The bonus (nats) a line lends its runs through the channel one of its readings has shown
/// ([`lending_channel`]): a little more than the document's ordinary one, since within a
/// line one decoder read everything. A lone symbol is worth little either way (`¨` for `“`
/// loses 3.8 nats with its step's cost). Of the catalogs' Big5 strings read as GBK, 94.7 %
/// came out exact at 6 nats, 96.3 % at 8, 96.9 % at 10 and 12; but at 10, a line of the
/// misaligned catalog strings (read as one document) whose GBK garbage Big5 reads a little
/// better lent `或` for `麼` (−6.2 nats). 0 of 60,000 clean catalog strings changed at any
/// of them.
const LINE_BONUS: f32 = 8.0;

/// The double-byte code page read as another ([`cross_cjk`]) whose readings accepted on
/// their own explain the most (by their margins): the lines they are in lend. One decoder
/// read a whole line, so a line such a reading has shown to be garbled is garbled
/// throughout: its other runs are read through the channel with [`LINE_BONUS`], a word of
/// common characters the scan passed over (`匡兜` for 選項), a lone symbol (`┪` for 或), a
/// reading just short of its bar (`氨ノ` for 停用 beside `币ノ` for 啟用). Whatever the
/// channel explains of the text: a message is a line or two.
fn lending_channel(text: &str, runs: &[Fixes]) -> Option<&'static Channel> {
    let mut totals = [0f32; CHANNELS.len()];
    for f in runs
        .iter()
        .filter_map(|fixes| winner(fixes))
        .filter(|f| more_than_one_char(text, f.start, f.end))
    {
        // (A page of Latin mojibake accepts a fix every hundred bytes: the names of the few
        // channels that count are compared, not every channel's.)
        if let Some(&k) = CROSS_CJK.iter().find(|&&k| CHANNELS[k].name == f.name) {
            totals[k] += f.margin;
        }
    }
    let (k, _) = totals
        .iter()
        .enumerate()
        .filter(|(_, &t)| t > 0.0)
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    Some(&CHANNELS[k])
}

/// The document's channel, a double-byte one that has explained many runs or most of the
/// text ([`DOC_CHANNEL_COVERAGE`]), read into the runs of non-ASCII text the scan passed
/// over: a lone character between digits (`2009爛11` is `2009年11` as GBK read as Big5) is
/// never a candidate on its own, yet in such a page it is garbled like the rest. Each
/// reading has to clear its bar with the ordinary document bonus — or, with
/// [`Alone::OnItsOwn`] (the channel explains less of the text), without it; a clean run (a
/// page only partly garbled) reads worse and stays. With [`Alone::Skipped`] it reads only
/// the runs a line lends its channel to ([`Lent`], [`lending_channel`]), with `bonus`. A
/// double-byte original lends the page's own bonus in
/// the lines it has shown itself in ([`LinesShown`]): there an apostrophe before a letter
/// (`’l`, Shift_JIS `値` read as windows-1252) is its lead byte, not English, and two
/// common characters (`揣纔`, Big5 `揮優` read as GBK) are garbled like the rest. In a
/// text of Japanese or Korean, a run of the kana or Hangul they use is not read. `runs`
/// comes back with the new ones in text order.
fn with_uncandidated_runs(
    text: &str,
    candidates: &[(usize, usize)],
    runs: Vec<Fixes>,
    sweep: Sweep,
) -> Vec<Fixes> {
    let Sweep {
        ch,
        native,
        bonus,
        alone,
        lent,
        marks,
    } = sweep;
    let shown = (ch.original != UTF_8 && bonus > DOC_CHANNEL_BONUS && alone == Alone::No)
        .then(|| LinesShown::new(text, &runs, ch.name, bonus));
    let mut found = Vec::new();
    let mut next = candidates.iter().peekable();
    // Every run of non-ASCII text is read through the channel now, the candidates and these:
    // what is left around a run, its context for the text as it stands, is the ASCII (a
    // lone `゜` beside garbled `堎` is no kana in context).
    let read: Vec<(usize, usize)> = badness::non_ascii_runs(text).collect();
    for &(start, i) in &read {
        while next.next_if(|r| r.1 <= start).is_some() {}
        if next.peek().is_some_and(|r| r.0 < i) {
            continue; // a candidate already
        }
        if (native.japanese || native.korean)
            && text[start..i].chars().all(badness::is_common_syllabic)
        {
            // A word of the text's Japanese or Korean (`は` between identifiers, which GBK
            // read as Big5 makes `反`).
            continue;
        }
        let end = if ch.reencode == Reencode::SloppyWindows1252 && !is_other_alphabet(ch) {
            // A run the scan passed over is a character or two: a short reach.
            double_byte_extent(text, start, i, i + EXTENT_SLACK)
        } else {
            i
        };
        // The ordinary bonus, not the larger one: these runs did not look garbled, and a
        // clean character read through the channel (`月` as GBK read as Big5 is `る`) can
        // come within the larger one of the text as it stands. (But in a line shown to be
        // garbled through the channel, each of its runs is.)
        let (bonus, on_its_own) = match alone {
            Alone::No if shown.as_ref().is_some_and(|lines| lines.holds(start)) => (bonus, false),
            Alone::No => (DOC_CHANNEL_BONUS, false),
            Alone::OnItsOwn => (0.0, true),
            Alone::Skipped if lent.is_some_and(|lines| lines.holds(start)) => (bonus, false),
            Alone::Skipped => continue,
        };
        let shared = Shared::new(marks);
        if let Some(f) = try_channel(text, start, end, ch, &shared, &read, false)
            .and_then(Reading::scored)
            .filter(|f| {
                if on_its_own {
                    f.accepted && f.margin > f.threshold
                } else {
                    f.margin + bonus > f.doc_threshold
                }
            })
        {
            found.push(smallvec::smallvec![f]);
        }
    }
    if found.is_empty() {
        return runs;
    }
    let mut all = runs;
    all.extend(found);
    // (By where each run's spans start, then end: a run's double-byte readings reach back
    // over the ASCII before it, `ä_` in Hebrew `ה_טובה`, to where a run found here begins,
    // and this one, ending first, goes first.)
    all.sort_by_key(|fixes| {
        let start = fixes.iter().map(|f| f.start).min();
        (start, fixes.iter().map(|f| f.end).min())
    });
    all
}

/// Whether `s` has a non-ASCII character of the Latin-1/1252 repertoire.
fn has_latin(s: &str) -> bool {
    let bytes = s.as_bytes();
    // U+0080–U+00FF are the two-byte sequences led by C2 and C3 (searched a vector at a
    // time: this runs over whole pages); windows-1252's characters above them are led by
    // C5, C6, CB and E2, never a continuation byte, so only those are decoded.
    memchr::memchr2(0xC2, 0xC3, bytes).is_some()
        || memchr::memchr3_iter(0xC5, 0xC6, 0xCB, bytes)
            .chain(memchr::memchr_iter(0xE2, bytes))
            .any(|i| {
                s[i..]
                    .chars()
                    .next()
                    .and_then(channels::sloppy_1252_byte)
                    .is_some()
            })
}

/// Runs the document's channel must explain before it vouches for a repair in text that is
/// partly right as it is: one run is the repair itself.
const VOUCHING_RUNS: usize = 2;
/// Extra gain (nats) a lone sequence repair needs in text that is partly right as it is.
const INCONSISTENT_TEXT_BAR: f32 = 10.0;
/// A document's channel earns this bonus (nats) on runs where it is nearly convincing.
const DOC_CHANNEL_BONUS: f32 = 6.0;
/// …once it has explained at least this many runs on its own…
const DOC_CHANNEL_MIN_RUNS: usize = 1;
/// …with at least this much total gain (nats).
const DOC_CHANNEL_MIN_GAIN: f32 = 10.0;
/// A channel that has explained this many runs on its own has shown what the document is…
const DOC_CHANNEL_MANY_RUNS: usize = 8;
/// …and earns this bonus instead: a one- or two-character run (`砃 `, `(賦彆 `) gains too
/// little for its own bar, however plain its reading is, and the channel's other runs
/// are the evidence it lacks.
const DOC_CHANNEL_BONUS_MANY: f32 = 12.0;
/// The channel [`badness::PageSign::KoreanAsGbk`] vouches for.
const KOREAN_AS_GBK: &str = "euckr_as_gbk";

/// Accepted fixes within this many nats of their run's best count as explaining it too: the
/// same bytes often read the same through two code pages (`Ä›` is `ě` in windows-1250 and
/// ISO-8859-2), and only the runs where they differ tell them apart.
const DOC_CHANNEL_TIE: f32 = 3.0;

/// The channel whose accepted fixes, where each is its run's best or close to it, add up to
/// the most gain, with the number of runs it explains.
fn document_channel(runs: &[Fixes]) -> Option<(&'static str, usize)> {
    let mut totals: Vec<(&'static str, f32, usize)> = Vec::new();
    for fixes in runs {
        let Some(best) = fixes
            .iter()
            .filter(|f| f.accepted)
            .map(|f| f.margin)
            .max_by(f32::total_cmp)
        else {
            continue;
        };
        for f in fixes {
            if !f.accepted || f.margin < best - DOC_CHANNEL_TIE {
                continue;
            }
            match totals.iter_mut().find(|t| t.0 == f.name) {
                Some(t) => {
                    t.1 += f.margin;
                    t.2 += 1;
                }
                None => totals.push((f.name, f.margin, 1)),
            }
        }
    }
    totals
        .into_iter()
        .filter(|t| t.2 >= DOC_CHANNEL_MIN_RUNS && t.1 >= DOC_CHANNEL_MIN_GAIN)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|t| (t.0, t.2))
}

/// A run's fixes: most runs have one (a long run of UTF-8 read as windows-1252 is settled by
/// its structure), kept inline so that the decisions read the runs' fixes in one sweep of
/// memory rather than one allocation per run.
type Fixes = smallvec::SmallVec<[Fix; 1]>;

struct Fix {
    name: &'static str,
    chain: Chain,
    start: usize,
    end: usize,
    after: String,
    margin: f32,
    lost: usize,
    /// The margin clears the bar on its own.
    accepted: bool,
    /// The bar this fix had to clear.
    threshold: f32,
    /// The bar once the document's channel is known to be this fix's: a rare code page
    /// has then shown itself, and its extra bar is waived.
    doc_threshold: f32,
    /// A sequence-by-sequence reading (UTF-8 read one byte per character).
    sequence: bool,
}

/// The chain of steps of a [`Fix`], written out only for the fixes applied (the others
/// are weighed and dropped).
enum Chain {
    /// Re-encode and decode through `ch`, with the bytes and characters found lost.
    Channel {
        ch: &'static Channel,
        lost_bytes: usize,
        lost_chars: usize,
        restored: usize,
    },
    /// Already written out.
    Described(String),
}

impl Chain {
    fn describe(self) -> String {
        let (ch, lost_bytes, lost_chars, restored) = match self {
            Chain::Described(s) => return s,
            Chain::Channel {
                ch,
                lost_bytes,
                lost_chars,
                restored,
            } => (ch, lost_bytes, lost_chars, restored),
        };
        let (enc_name, dec_name) = chain_names(ch);
        let mut chain = format!("encode({enc_name}) → decode({dec_name})");
        if lost_bytes > 0 {
            chain.push_str(&format!(" (lossy: {lost_bytes} byte(s) lost)"));
        }
        if lost_chars > 0 {
            chain.push_str(&format!(" (lossy: {lost_chars} character(s) lost)"));
        }
        if restored > 0 {
            chain.push_str(&format!(
                " (lossy: {restored} lost byte(s) chosen by the model)"
            ));
        }
        chain
    }
}

/// What reading a span through a channel came to, when it came to anything.
enum Reading {
    /// Scored: a fix, accepted on its own or not.
    Scored(Fix),
    /// Left unscored, as asked: a double-byte reading that can never be accepted on its own
    /// (one CJK character at most, or punctuation only) and counts only if the document's
    /// channel turns out to be its own.
    Deferred,
}

impl Reading {
    fn scored(self) -> Option<Fix> {
        match self {
            Reading::Scored(f) => Some(f),
            Reading::Deferred => None,
        }
    }
}

/// A set of channels, one bit per index into [`CHANNELS`].
type ChannelSet = u32;
const _: () = assert!(CHANNELS.len() <= ChannelSet::BITS as usize);

/// Every fix for the run `text[start..end]` that is accepted on its own or could be with
/// the document-channel bonus; with `defer`, the channels whose readings were left
/// unscored ([`Reading::Deferred`]) instead of their fixes.
fn candidate_fixes(
    text: &str,
    start: usize,
    end: usize,
    runs: &[(usize, usize)],
    defer: bool,
    marks: &LatinMarks,
) -> (Fixes, ChannelSet) {
    let run = &text[start..end];
    let class = SpanClass::of(run);
    // The channels that can read the run: what it is made of allows, and for UTF-8 read
    // one byte per character, where a whole sequence can be. In clean European text dense
    // with accents (`ří`, `čí`, `«`+NBSP, a run every 80 bytes) that is few or none.
    // (Worked out after the structural reading below, which settles most runs of a garbled
    // passage alone and needs only its own channel's answer: on a dense mojibake page,
    // every channel's cost 5 % more instructions.)
    let mut allowed = class.allowed();
    let shared = Shared::new(marks);
    let sequence_wise = CHANNEL_KINDS.sequence_wise;
    let mut narrowed = false;
    let mut narrow = |allowed: &mut ChannelSet| {
        if !narrowed && *allowed & sequence_wise != 0 {
            let wanted = *allowed & sequence_wise;
            *allowed &= !wanted | sequence_channels(run, text[end..].chars().next(), wanted);
        }
        narrowed = true;
    };
    // UTF-8 read as windows-1252 (a Latin run) or as GBK (a wide one), settled by
    // structure: a run whose bytes form valid three-byte UTF-8 sequences again and again,
    // and read far better so, is that and nothing else (no other reading of the same bytes
    // can beat it; chance makes a valid three-byte sequence one time in thousands).
    let structural = if class.latin && class.utf8_lead {
        Some(&CHANNELS[0])
    } else if class.wide {
        Some(&CHANNELS[1])
    } else {
        None
    };
    // (Its fix, when it is not taken alone, is one of the run's fixes.) A windows-1252
    // reading also gives C1 controls outside any sequence the characters of their bytes.
    let mut structural_fix = None;
    if let Some(ch) = structural.filter(|&ch| {
        let bit = 1 << channel_index(ch);
        (allowed & bit != 0
            && (sequence_wise & bit == 0
                || sequence_channels(run, text[end..].chars().next(), bit) != 0))
            || run.contains(|c| ('\u{80}'..='\u{9F}').contains(&c))
    }) {
        debug_assert!(matches!(ch.name, "utf8_as_cp1252" | "utf8_as_gbk"));
        if let Some(f) =
            try_channel(text, start, end, ch, &shared, runs, false).and_then(Reading::scored)
        {
            // A windows-1252 reading leaves the bytes outside valid sequences as they were:
            // its `‚` and `”` are no more decoded than its `Ã`.
            let latin_reading = ch.reencode == Reencode::SloppyWindows1252;
            let kept = |c: char| {
                (0x80..0x100).contains(&(c as u32))
                    || (latin_reading && channels::sloppy_1252_byte(c).is_some())
            };
            let wide = f
                .after
                .chars()
                .filter(|&c| c as u32 >= 0x800 && !kept(c))
                .count();
            // Latin-1 the reading left as it was: a long run of GBK or Shift_JIS read as
            // windows-1252 has valid UTF-8 sequences by chance here and there (`Ì\x8d`,
            // `í\x8fœ`), and leaves the rest.
            let left = f.after.chars().filter(|&c| kept(c)).count();
            // (A sequence reading marks each lost character; it hides nothing.)
            if f.accepted
                && (f.lost == 0 || f.sequence)
                && f.end >= end
                && wide >= STRUCTURAL_MIN_CHARS
                && left * STRUCTURAL_LEFTOVER_RATIO <= wide
                && f.margin >= STRUCTURAL_MARGIN
            {
                return (smallvec::smallvec![f], 0);
            }
            narrow(&mut allowed);
            allowed |= 1 << channel_index(ch);
            structural_fix = Some(f);
        }
    }
    narrow(&mut allowed);
    // Another alphabet's text read as windows-1252 makes words of accented letters alone
    // (its letters are windows-1252's À–ÿ, but for a few such as `ё`, `і`, `Ή`): a run
    // mostly of other characters (UTF-8's `ä¸­`, one letter in three) is no such word, and
    // a run in text that writes Latin with them (`příliš`, `été`) is Latin as it stands.
    // A run whose bytes are also UTF-8 counts the signs only through the document's channel
    // (`ä³¿` is Ukrainian `дії`, and UTF-8's `䳿`).
    let alphabets = CHANNEL_KINDS.other_alphabet;
    let mut deferred: ChannelSet = 0;
    if allowed & alphabets != 0 {
        match letters_shape(run) {
            LettersShape::Few => allowed &= !alphabets,
            LettersShape::AlsoUtf8 => {
                // (Whether it is Latin as it stands is asked when it is read.)
                if defer {
                    deferred |= allowed & alphabets;
                }
                allowed &= !alphabets;
            }
            LettersShape::Many if shared.latin_as_it_stands(text, start, end) => {
                allowed &= !alphabets;
            }
            LettersShape::Many => {}
        }
    }
    let mut fixes = Fixes::new();
    let extent = std::cell::OnceCell::new();
    // In channel order.
    let mut rest = allowed;
    while rest != 0 {
        let k = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        let ch = &CHANNELS[k];
        if structural.is_some_and(|s| std::ptr::eq(s, ch)) {
            fixes.extend(structural_fix.take());
            continue;
        }
        let (span_start, span_end) = channel_span(text, start, end, ch, runs, &extent);
        // A thin reading (see `thin_cjk` in [`try_channel`]) known so before anything is
        // decoded: each CJK character takes a byte from 0x81 up, and two bytes at least in
        // GBK, Big5 and EUC-KR (Shift_JIS makes a katakana of one).
        if defer
            && ch.original != UTF_8
            && !is_other_alphabet(ch)
            && ch.reencode == Reencode::SloppyWindows1252
            && at_most_one_cjk(&text[span_start..span_end], ch.original)
        {
            deferred |= 1 << k;
            continue;
        }
        match try_channel(text, span_start, span_end, ch, &shared, runs, defer) {
            Some(Reading::Scored(f)) => fixes.push(f),
            Some(Reading::Deferred) => deferred |= 1 << k,
            None => {}
        }
    }
    if let Some(m) = misaligned::find(text, start, end) {
        fixes.push(Fix {
            name: "gbk_misaligned",
            chain: Chain::Described(m.chain),
            start: m.start,
            end: m.end,
            after: m.after,
            margin: m.margin,
            lost: m.lost,
            accepted: true,
            threshold: 0.0,
            doc_threshold: 0.0,
            sequence: false,
        });
    }
    (fixes, deferred)
}

/// Whether double-byte text in `original` read one byte per character as `span` (bytes
/// from the sloppy windows-1252 table) can make one CJK character at most: the bytes are
/// paired as the WHATWG decoder pairs them (a lead takes the next byte unless that is ASCII
/// outside the trail range; Shift_JIS makes a katakana of one byte), and each pair, and each
/// such katakana, counted as one. French `«`+NBSP and Czech `ží` make one.
fn at_most_one_cjk(span: &str, original: &Encoding) -> bool {
    let sjis = original == encoding_rs::SHIFT_JIS;
    let is_lead = |b: u8| {
        if sjis {
            matches!(b, 0x81..=0x9F | 0xE0..=0xFC)
        } else {
            b >= 0x81 && b != 0xFF
        }
    };
    // An ASCII byte a lead takes (GB18030's four-byte form takes a digit).
    let ascii_trail = |b: u8| {
        if original == encoding_rs::GBK || original == encoding_rs::GB18030 {
            b.is_ascii_digit() || (0x40..=0x7E).contains(&b)
        } else if original == encoding_rs::EUC_KR {
            b.is_ascii_alphabetic()
        } else {
            (0x40..=0x7E).contains(&b)
        }
    };
    let mut bytes = span.chars().map(channels::sloppy_1252_byte);
    let mut made = 0;
    while let Some(b) = bytes.next() {
        // (A character without such a byte is not read so; counted as one.)
        let Some(b) = b else {
            made += 1;
            continue;
        };
        if sjis && (0xA1..=0xDF).contains(&b) {
            made += 1;
        } else if is_lead(b) {
            match bytes.next() {
                Some(Some(t)) if !t.is_ascii() || ascii_trail(t) => made += 1,
                Some(Some(_)) => {}
                // The lead and a character without a byte: the pair and the character.
                Some(None) => made += 2,
                None => {}
            }
        }
        if made > 1 {
            return false;
        }
    }
    true
}

/// The span the channel `ch` reads for the run `text[start..end]`: the run, or for
/// double-byte text read one byte per character, the run extended over the ASCII trail
/// bytes inside such text (worked out once per run, in `extent`).
fn channel_span(
    text: &str,
    start: usize,
    end: usize,
    ch: &Channel,
    runs: &[(usize, usize)],
    extent: &std::cell::OnceCell<(usize, usize)>,
) -> (usize, usize) {
    if ch.original == UTF_8 || is_other_alphabet(ch) || ch.reencode != Reencode::SloppyWindows1252 {
        return (start, end);
    }
    *extent.get_or_init(|| {
        // Back to the previous run's end at most, and not at all where that run's extent
        // stops at this one (its limit, below): the two spans meet.
        let here = runs.partition_point(|r| r.0 < start);
        let floor = match here.checked_sub(1).map(|k| runs[k]) {
            Some(prev) if runs.partition_point(|r| r.0 < prev.1 + EXTENT_SLACK) == here => start,
            Some(prev) => prev.1,
            None => 0,
        };
        let next = runs.partition_point(|r| r.0 < end + EXTENT_SLACK);
        let limit = runs.get(next).map_or(text.len(), |r| r.0);
        (
            double_byte_start(text, start, floor),
            double_byte_extent(text, start, end, limit),
        )
    })
}

/// How far (bytes) past its end a run's double-byte extent may reach over later candidate
/// runs before it may be cut at the next one (which extends itself)…
const EXTENT_SLACK: usize = 128;
/// …and how far past that the pairs must run on for the cut to be made (a long line stays
/// one span; an unbroken stretch of pairs is cut into pieces).
const EXTENT_REACH: usize = 1024;

/// The start of the run at `start` read as double-byte text shown one byte per character,
/// moved back over characters whose trail byte is ASCII 0x40–0x7E (`µLªk±q` is Big5
/// `無法從`, and the scan's run begins at `±`): pairs of a lead read as one character and
/// such a letter, as far back as an ASCII character or the start of the text stands before
/// them (else where a pair begins is unsure), never before `floor` (the previous run).
fn double_byte_start(text: &str, start: usize, floor: usize) -> usize {
    let mut best = start;
    let mut back = text[..start].char_indices().rev().peekable();
    while let (Some((_, trail)), Some(&(i, lead))) = (back.next(), back.peek()) {
        if !(0x40..=0x7E).contains(&(trail as u32))
            || i < floor
            || channels::sloppy_1252_byte(lead).is_none_or(|b| b < 0x81)
        {
            break;
        }
        back.next();
        if back.peek().is_none_or(|&(_, c)| c.is_ascii()) {
            best = i;
        }
    }
    best
}

/// The end of the run `text[start..end]` read as double-byte text shown one byte per
/// character: a byte ≥ 0x81 is a lead and takes the next character as its trail even when
/// that is ASCII 0x40–0x7E (`¤H` is Big5 `人`). Returns `end` when nothing extends it.
/// Pairs that run on [`EXTENT_REACH`] bytes past `limit` are cut at `limit`: in a long
/// stretch of such pairs every run would otherwise reach its end, and the work would grow
/// with the square of its length; a line that ends soon after `limit` stays one span.
fn double_byte_extent(text: &str, start: usize, end: usize, limit: usize) -> usize {
    let mut it = text[start..]
        .char_indices()
        .map(|(i, c)| (start + i, c))
        .peekable();
    let mut last = start;
    // Where the extent stops if the pairs run on past `limit` + EXTENT_REACH.
    let mut cut = None;
    while let Some((i, c)) = it.next() {
        if i >= limit && cut.is_none() {
            cut = Some(last);
        }
        if i >= limit.saturating_add(EXTENT_REACH) {
            last = cut.unwrap_or(last);
            break;
        }
        if channels::sloppy_1252_byte(c).is_none_or(|b| b < 0x81) {
            break;
        }
        match it.peek() {
            Some(&(j, t)) => match channels::sloppy_1252_byte(t) {
                Some(b) if (0x40..=0xFE).contains(&b) && b != 0x7F => {
                    it.next();
                    last = j + t.len_utf8();
                }
                _ => {
                    last = i + c.len_utf8();
                    break;
                }
            },
            None => {
                last = i + c.len_utf8();
                break;
            }
        }
    }
    last.max(end)
}

/// What a run is made of decides which channels can have produced it: a run a channel's
/// re-encoding cannot represent is not tried at all.
#[derive(Debug, Clone, Copy)]
struct SpanClass {
    /// Every character has a byte in sloppy windows-1252 (Latin-1 and the 1252 specials).
    latin: bool,
    /// Some character is a UTF-8 lead byte read as Latin-1 (`Â`–`ô`): sequence-wise
    /// channels apply even when the run also holds other text.
    utf8_lead: bool,
    /// Every character is Cyrillic (or Latin-1 punctuation windows-1251 also has).
    cyrillic: bool,
    /// Something outside Latin-1 and Cyrillic, and no Latin letter that GBK, Big5, Shift_JIS
    /// and EUC-KR all lack: the double-byte re-encodings apply. A run with such a letter
    /// (Czech `ř`, `č`; GBK's pinyin `ǎ` and KS X 1001's `ł` are theirs) is no double-byte
    /// decoder's output; weighing such runs through the ten double-byte channels made clean
    /// Czech text check at 28 MB/s.
    wide: bool,
    /// The double-byte code pages ([`DOUBLE_BYTE`], one bit each) that lack some character
    /// of the run below U+0500 (NBSP and `«` are in none of them): a run cannot be
    /// re-encoded through those, and French `«`+NBSP runs were tried through all ten.
    unencodable: u8,
}

/// The [`DOUBLE_BYTE`] code pages that lack the character `c` (one bit each), for the
/// characters below U+0500 (none for the others, and none for ASCII): worked out per
/// character the first time it is asked for (encoding_rs's Big5 encoder searches its
/// table; the whole range took 5 ms of a process's start).
fn lacking_from(c: char) -> u8 {
    use std::sync::atomic::{AtomicU8, Ordering};
    /// Per character: 0 until known, then the bits with `KNOWN` set.
    static LACKING: [AtomicU8; 0x500] = [const { AtomicU8::new(0) }; 0x500];
    const KNOWN: u8 = 0x80;
    let Some(slot) = LACKING.get(c as usize).filter(|_| !c.is_ascii()) else {
        return 0;
    };
    let known = slot.load(Ordering::Relaxed);
    if known != 0 {
        return known & !KNOWN;
    }
    let mut buf = [0; 4];
    let bits = DOUBLE_BYTE
        .iter()
        .enumerate()
        .filter(|(_, e)| e.encode(c.encode_utf8(&mut buf)).2)
        .fold(0u8, |m, (k, _)| m | 1 << k);
    slot.store(bits | KNOWN, Ordering::Relaxed);
    bits
}

/// The code pages double-byte channels re-encode into, in [`SpanClass::unencodable`]'s bit
/// order.
const DOUBLE_BYTE: [&Encoding; 4] = [
    encoding_rs::GBK,
    encoding_rs::BIG5,
    encoding_rs::SHIFT_JIS,
    encoding_rs::EUC_KR,
];

impl SpanClass {
    fn of(run: &str) -> SpanClass {
        // What each character allows: every one must be `LATIN` (`CYRILLIC`) for the run
        // to be; one `LEAD` is enough.
        const LATIN: u8 = 1;
        const CYRILLIC: u8 = 2;
        const LEAD: u8 = 4;
        const NO_DOUBLE_BYTE: u8 = 8;
        fn bits(c: char) -> u8 {
            let cp = c as u32;
            let mut b = 0;
            if (0x100..0x250).contains(&cp) && !in_double_byte_sets(c) {
                b |= NO_DOUBLE_BYTE;
            }
            if (0xC2..=0xF4).contains(&cp) {
                b |= LEAD;
            }
            if channels::sloppy_1252_byte(c).is_some() || c == '\u{FFFD}' {
                b |= LATIN;
            }
            if (0x400..=0x4FF).contains(&cp)
                || matches!(cp, 0xA0..=0xBF | 0x2010..=0x203A | 0x2116 | 0x20AC)
            {
                b |= CYRILLIC;
            }
            b
        }
        // Below U+0500 (what Latin and Cyrillic mojibake is made of), one read.
        static BELOW_0500: LazyLock<[u8; 0x500]> = LazyLock::new(|| {
            std::array::from_fn(|cp| bits(char::from_u32(cp as u32).expect("below the surrogates")))
        });
        let table = &*BELOW_0500;
        let (mut all, mut any) = (LATIN | CYRILLIC, 0);
        for c in run.chars() {
            let b = table.get(c as usize).copied().unwrap_or_else(|| bits(c));
            all &= b;
            any |= b;
        }
        let (latin, cyrillic) = (all & LATIN != 0, all & CYRILLIC != 0);
        let wide = !latin && !cyrillic && any & NO_DOUBLE_BYTE == 0;
        SpanClass {
            latin,
            utf8_lead: any & LEAD != 0,
            cyrillic,
            wide,
            // Only asked for where double-byte channels apply at all.
            unencodable: if wide || cyrillic {
                run.chars().fold(0, |m, c| m | lacking_from(c))
            } else {
                0
            },
        }
    }

    /// The channels that can have produced the run.
    fn allowed(&self) -> ChannelSet {
        let kinds = &*CHANNEL_KINDS;
        let mut set = kinds.single_byte;
        if self.utf8_lead {
            set |= kinds.utf8_as_1252;
        }
        if self.latin {
            set |= kinds.double_byte_as_1252;
        }
        if self.wide || self.cyrillic {
            for (k, &channels) in kinds.double_byte.iter().enumerate() {
                if self.unencodable & 1 << k == 0 {
                    set |= channels;
                }
            }
        }
        set
    }
}

/// The index of `ch` in [`CHANNELS`].
fn channel_index(ch: &Channel) -> usize {
    CHANNELS
        .iter()
        .position(|c| std::ptr::eq(c, ch))
        .expect("one of CHANNELS")
}

/// [`CHANNELS`] by how they read a run ([`SpanClass::allowed`]), one bit per channel.
struct ChannelKinds {
    /// UTF-8 read one byte per character through a single-byte code page other than
    /// windows-1252: any run may hold a sequence.
    single_byte: ChannelSet,
    /// UTF-8 read as windows-1252: a run with a lead byte's character (`Â`–`ô`).
    utf8_as_1252: ChannelSet,
    /// Every reading of UTF-8 one byte per character, sequence by sequence (the two above).
    sequence_wise: ChannelSet,
    /// Double-byte text read as windows-1252: a run of its characters only.
    double_byte_as_1252: ChannelSet,
    /// Of those, another alphabet's single-byte text ([`is_other_alphabet`]).
    other_alphabet: ChannelSet,
    /// Read through each [`DOUBLE_BYTE`] code page: a run of CJK or Cyrillic that has no
    /// character the code page lacks ([`SpanClass::unencodable`]).
    double_byte: [ChannelSet; DOUBLE_BYTE.len()],
}

static CHANNEL_KINDS: LazyLock<ChannelKinds> = LazyLock::new(|| {
    let mut kinds = ChannelKinds {
        single_byte: 0,
        utf8_as_1252: 0,
        sequence_wise: 0,
        double_byte_as_1252: 0,
        other_alphabet: 0,
        double_byte: [0; DOUBLE_BYTE.len()],
    };
    for (k, ch) in CHANNELS.iter().enumerate() {
        let bit = 1 << k;
        match ch.reencode {
            Reencode::SloppyWindows1252 if ch.original == UTF_8 => kinds.utf8_as_1252 |= bit,
            Reencode::SloppyWindows1252 => kinds.double_byte_as_1252 |= bit,
            Reencode::Cp437 => kinds.single_byte |= bit,
            Reencode::Legacy(e) if e.is_single_byte() => kinds.single_byte |= bit,
            Reencode::Legacy(e) => {
                let page = DOUBLE_BYTE.iter().position(|&d| d == e);
                kinds.double_byte[page.expect("a double-byte code page of DOUBLE_BYTE")] |= bit;
            }
        }
        if ch.original == UTF_8 && channels::is_single_byte(ch.reencode) {
            kinds.sequence_wise |= bit;
        }
        if is_other_alphabet(ch) {
            kinds.other_alphabet |= bit;
        }
    }
    // (How [`SequenceRoles::packed`] keeps them.)
    assert!(
        kinds.sequence_wise < 1 << 15,
        "sequence-wise channels first"
    );
    kinds
});

/// The readings of UTF-8 one byte per character among `wanted` (of
/// [`ChannelKinds::sequence_wise`]) that can find anything in `run` ([`sequence_fix`]
/// repairs whole sequences only): some character whose byte in the channel's code page is
/// a UTF-8 lead (C2–F4) followed by as many continuation bytes (80–BF) as it needs, any of
/// them a lost byte (U+FFFD), or at the end such a sequence one byte short when `next`, the
/// character after the run, completes it in [`try_channel`] (a lossy reader's `?`, or a
/// space that was the NBSP of [`missing_one_byte`]: `Ã `, `à¸ `). Czech `ří` and `íš`
/// through windows-1250 are F8 ED and ED 9A, French `»`+NBSP through Mac OS Roman C8 CA,
/// none of these: such runs are common in clean European text. A short run is read once
/// for all the channels, a bit each; a long one (a garbled passage) channel by channel,
/// each stopping at its first sequence.
fn sequence_channels(run: &str, next: Option<char>, wanted: ChannelSet) -> ChannelSet {
    let (found, one) = if run.len() <= SHORT_RUN {
        sequences_at_once(run)
    } else {
        sequences_one_by_one(run, wanted)
    };
    let completed = match next {
        Some('?') => one,
        Some(' ') => (0..CHANNELS.len())
            .filter(|&k| one & 1 << k != 0 && missing_one_byte(run, CHANNELS[k].reencode))
            .fold(0, |m, k| m | 1 << k),
        _ => 0,
    };
    (found | completed) & wanted
}

/// The run length (bytes) up to which [`sequence_channels`] reads all the channels at once.
const SHORT_RUN: usize = 24;

/// The channels that find a whole sequence in `run`, and those whose last sequence is one
/// byte short at its end, every channel followed at once.
fn sequences_at_once(run: &str) -> (ChannelSet, ChannelSet) {
    // The channels whose last lead's sequence still needs one, two, three continuations.
    let (mut one, mut two, mut three) = (0, 0, 0);
    let mut found = 0;
    for c in run.chars() {
        let r = SequenceRoles::of(c);
        found |= one & r.continuation;
        (one, two, three) = (
            two & r.continuation | r.lead[0],
            three & r.continuation | r.lead[1],
            r.lead[2],
        );
    }
    (found, one)
}

/// [`sequences_at_once`] for the channels of `wanted`, one at a time, each stopping at its
/// first whole sequence.
fn sequences_one_by_one(run: &str, wanted: ChannelSet) -> (ChannelSet, ChannelSet) {
    let (mut found, mut short) = (0, 0);
    for k in (0..CHANNELS.len()).filter(|&k| wanted & 1 << k != 0) {
        let Some(table) = channels::channel_byte_table(k) else {
            continue;
        };
        // The continuation bytes the last lead's sequence still needs.
        let mut needed = 0u8;
        for c in run.chars() {
            let b = table.byte(c);
            if needed > 0 && (c == '\u{FFFD}' || b.is_some_and(|b| (0x80..=0xBF).contains(&b))) {
                needed -= 1;
                if needed == 0 {
                    found |= 1 << k;
                    break;
                }
                continue;
            }
            needed = match b {
                Some(0xC2..=0xDF) => 1,
                Some(0xE0..=0xEF) => 2,
                Some(0xF0..=0xF4) => 3,
                _ => 0,
            };
        }
        if needed == 1 {
            short |= 1 << k;
        }
    }
    (found, short)
}

/// What a character's byte is in each [`ChannelKinds::sequence_wise`] reading, one bit per
/// channel: a continuation byte (or a lost one, U+FFFD), or a lead that needs one, two or
/// three.
#[derive(Clone, Copy, Default)]
struct SequenceRoles {
    continuation: ChannelSet,
    lead: [ChannelSet; 3],
}

impl SequenceRoles {
    fn of(c: char) -> SequenceRoles {
        use std::sync::atomic::{AtomicU64, Ordering};
        // Up to where the code pages' dense tables end (Latin, Cyrillic, the punctuation
        // Latin mojibake is full of, box drawing), worked out per character the first time
        // it is asked for and kept packed ([`SequenceRoles::packed`], 0 until known).
        static BELOW: [AtomicU64; channels::DENSE_END as usize] =
            [const { AtomicU64::new(0) }; channels::DENSE_END as usize];
        // From there on, the few characters a code page has (Mac OS Roman's `ﬁ`), sorted;
        // every other one (all of CJK) has no byte, and U+FFFD stands for a lost one.
        static ABOVE: LazyLock<Vec<(char, SequenceRoles)>> = LazyLock::new(|| {
            let mut chars: Vec<char> = (0..CHANNELS.len())
                .filter(|&k| CHANNEL_KINDS.sequence_wise & 1 << k != 0)
                .filter_map(channels::channel_byte_table)
                .flat_map(|t| t.high_chars())
                .chain(['\u{FFFD}'])
                .collect();
            chars.sort_unstable();
            chars.dedup();
            chars
                .into_iter()
                .map(|c| (c, SequenceRoles::worked_out(c)))
                .collect()
        });
        if let Some(slot) = BELOW.get(c as usize) {
            let known = slot.load(Ordering::Relaxed);
            if known != 0 {
                return SequenceRoles::unpacked(known);
            }
            let r = SequenceRoles::worked_out(c);
            slot.store(r.packed(), Ordering::Relaxed);
            return r;
        }
        match ABOVE.binary_search_by_key(&c, |&(a, _)| a) {
            Ok(k) => ABOVE[k].1,
            Err(_) => SequenceRoles::default(),
        }
    }

    /// The four sets in sixteen bits each, with the top bit set (never 0): the sequence-wise
    /// channels are the first fifteen (asserted in [`CHANNEL_KINDS`]).
    fn packed(self) -> u64 {
        u64::from(self.continuation)
            | u64::from(self.lead[0]) << 16
            | u64::from(self.lead[1]) << 32
            | u64::from(self.lead[2]) << 48
            | 1 << 63
    }

    fn unpacked(v: u64) -> SequenceRoles {
        let set = |shift: u32| ((v >> shift) & 0x7FFF) as ChannelSet;
        SequenceRoles {
            continuation: set(0),
            lead: [set(16), set(32), set(48)],
        }
    }

    fn worked_out(c: char) -> SequenceRoles {
        let mut r = SequenceRoles::default();
        let kinds = &*CHANNEL_KINDS;
        for k in (0..CHANNELS.len()).filter(|&k| kinds.sequence_wise & 1 << k != 0) {
            let b = channels::channel_byte_table(k).and_then(|t| t.byte(c));
            let bit = 1 << k;
            match b {
                _ if c == '\u{FFFD}' => r.continuation |= bit,
                Some(0x80..=0xBF) => r.continuation |= bit,
                Some(0xC2..=0xDF) => r.lead[0] |= bit,
                Some(0xE0..=0xEF) => r.lead[1] |= bit,
                Some(0xF0..=0xF4) => r.lead[2] |= bit,
                _ => {}
            }
        }
        r
    }
}

/// Whether the character `c` is in GBK, Big5, Shift_JIS or EUC-KR, whose decoders can show
/// it (asked for Latin letters U+0100–U+024F; true above U+0500).
fn in_double_byte_sets(c: char) -> bool {
    lacking_from(c) != (1 << DOUBLE_BYTE.len()) - 1
}

/// Applies one channel to the run, whole (double-byte originals) or sequence by sequence
/// (UTF-8 read through a single-byte encoding, where each garbled character is one byte).
/// A `?` right after the run is first read as a lossy reader's mark of a lost byte, and
/// where that reading fails, as the question mark it also is (`真的要簽署嗎? (y/N)` read as
/// GBK ends in a whole character before it).
fn try_channel(
    text: &str,
    start: usize,
    end: usize,
    ch: &'static Channel,
    shared: &Shared,
    runs: &[(usize, usize)],
    defer_thin: bool,
) -> Option<Reading> {
    // (Only readers of UTF-8 are modelled as lossy.)
    let question = ch.original == UTF_8 && text[end..].starts_with('?');
    try_channel_as(text, start, end, ch, shared, runs, defer_thin, question).or_else(|| {
        question
            .then(|| try_channel_as(text, start, end, ch, shared, runs, defer_thin, false))
            .flatten()
    })
}

/// [`try_channel`], with a `?` after the run read as a lost byte (`question_lost`) or not.
#[allow(clippy::too_many_arguments)]
fn try_channel_as(
    text: &str,
    start: usize,
    end: usize,
    ch: &'static Channel,
    shared: &Shared,
    runs: &[(usize, usize)],
    defer_thin: bool,
    question_lost: bool,
) -> Option<Reading> {
    let prev = text[..start].chars().next_back();
    let single_byte_to_utf8 = ch.original == UTF_8 && channels::is_single_byte(ch.reencode);
    let mut span_end = end;
    let mut lost_at: Vec<usize> = Vec::new();
    let mut nbsp = false;
    // French puts a no-break space before `?` (`supprimé ?`): a letter and that space
    // before a `?` are typography, not a sequence whose last byte a lossy reader replaced.
    let typographic_space =
        text[start..end].ends_with('\u{A0}') && text[start..end].chars().nth(2).is_none();
    if question_lost && ch.original == UTF_8 && !typographic_space {
        // A lossy reader's `?` right after the run stands for one lost byte.
        if matches!(ch.reencode, Reencode::Legacy(e) if !e.is_single_byte()) {
            lost_at.push(end - start);
        }
        span_end = end + 1;
    } else if single_byte_to_utf8 && text[end..].starts_with(' ') {
        // A UTF-8 sequence one byte short (a lead such as C3 read as `Ã`, or `à¸`) then a
        // space: the space was 0xA0 (NBSP), turned into a space on the way (`Ã ` is `à`,
        // `à¸ ` is `ภ`).
        if missing_one_byte(&text[start..end], ch.reencode) {
            nbsp = true;
            span_end = end + 1;
        }
    }
    let span = &text[start..span_end];
    // Private Use characters alone read through a double-byte code page (`\u{F83E}` is GBK's
    // `若` read by Windows as Big5; icon fonts put glyphs there too): a reading only the
    // document's channel can vouch for, left unscored until it is known.
    let private_only = matches!(ch.reencode, Reencode::Legacy(e) if !e.is_single_byte())
        && channels::private_use_only(span);
    if private_only && defer_thin {
        return Some(Reading::Deferred);
    }
    // A U+FFFD inside the run is a byte the reader could not decode: only readers of UTF-8
    // mojibake are modelled as lossy (the GBK and Big5 decoders that produce it).
    if ch.original == UTF_8 && matches!(ch.reencode, Reencode::Legacy(e) if !e.is_single_byte()) {
        for (i, c) in span.char_indices() {
            if c == '\u{FFFD}' {
                lost_at.push(i);
            }
        }
    } else if !single_byte_to_utf8 && span.contains('\u{FFFD}') {
        return None;
    }
    lost_at.sort_unstable();
    lost_at.dedup();
    let next = text[span_end..].chars().next();
    // What the model scores as the repaired text: `after`, except that a character a lossy
    // reader destroyed is scored as the placeholder it left (the loss was there before).
    let mut scored_after = None;
    let mut restored = 0;
    // A reading that recovers no character and gives up two or more characters to mark one
    // loss only deletes them: Polish `częś�` (`części` with a letter lost) read through
    // windows-1250 is `ę`, `ś` and the lost byte as one three-byte sequence, `cz�`; so is
    // `ä»�` in a page of UTF-8 read as windows-1252. Only a document whose channel this is
    // shows which it is. (One letter and its lost byte, `Ä�` in `SlovenÄ�ina`, is a
    // sequence's lead byte and its lost continuation: that reading stands.)
    let mut deletes_only = false;
    let (after, lost) = if single_byte_to_utf8 {
        let SequenceFix {
            text: mut fixed,
            scored,
            lost,
            restored: r,
            recovered,
            widest_loss,
        } = sequence_fix(span, ch, prev, nbsp)?;
        deletes_only = lost > 0 && recovered == 0 && widest_loss >= 3;
        scored_after = scored;
        restored = r;
        // `Ã` + NBSP + space, with the two spaces collapsed into one: `à perturber`. Only
        // Portuguese `às ` and `àquele` really glue to the next word (ftfy's rule).
        if nbsp && fixed.ends_with('à') {
            let rest = &text[span_end..];
            if !(rest.starts_with("s ")
                || rest.starts_with("quel")
                || rest.starts_with(char::is_whitespace))
            {
                fixed.push(' ');
                if let Some(s) = scored_after.as_mut() {
                    s.push(' ');
                }
            }
        }
        (fixed, lost)
    } else {
        let mut bytes = channels::reencode(span, ch.reencode, &lost_at)?;
        if ch.original == UTF_8 && !lost_at.is_empty() && !invalid_only_beside_losses(&bytes) {
            return None;
        }
        // The lost byte is simply missing: the character it belonged to decodes as one
        // U+FFFD (two at most, when a lead byte was lost before its continuation bytes).
        bytes.retain(|&b| b != channels::LOST_BYTE || lost_at.is_empty());
        let (decoded, bad) = channels::decode(&bytes, ch.original);
        // Every lost byte must show as a U+FFFD: a hypothesis may not hide a loss.
        if bad > 2 * lost_at.len() || bad < lost_at.len() {
            return None;
        }
        (decoded, bad)
    };
    // A double-byte reading that recovers nothing (all U+FFFD) only deletes the characters
    // beside the loss: `缺�` is no UTF-8 character's remains because its bytes, short one,
    // decode to nothing. (One byte per character, `Ä�` in a Latin word is a sequence's
    // lead byte and its lost continuation: that reading stands.)
    let nothing_recovered = !single_byte_to_utf8 && after.chars().all(|c| c == '\u{FFFD}');
    if after == span || nothing_recovered {
        return None;
    }
    // A code point no version of Unicode has assigned is no text anyone wrote: UTF-8's
    // four-byte form reads windows-1251's `ñ³º¿` (Ukrainian `сієї`) as U+73EBF.
    if after.bytes().any(|b| b >= 0xF0) && after.chars().any(model::is_unassigned_plane) {
        return None;
    }
    // Kana read as Hangul letters alone (GBK's hiragana row is EUC-KR's row of jamo): Korean
    // writes a letter alone only to name it, and kana beside a page of Korean read as GBK
    // is a Japanese line of a mixed file (`%sは%d` is no `%sㅟ%d`).
    if ch.original == encoding_rs::EUC_KR
        && span.chars().all(is_kana)
        && after.chars().all(|c| matches!(c, '\u{3131}'..='\u{318E}'))
    {
        return None;
    }
    // Double-byte punctuation misread (`¡°%s¡±` is GBK's `“%s”` read one byte per
    // character, `※%s§` the same read as Big5) is no CJK text, but a reading to it alone is
    // thin (below) and waits for the document: `※` and `§` are also punctuation of their own.
    // (A single-byte original is another alphabet's text: its reading must be that
    // alphabet's letters, as a double-byte one's must be CJK.)
    let alphabet = is_other_alphabet(ch);
    // (So is another alphabet's punctuation or direction mark alone: windows-1255 writes
    // the right-to-left mark `þ` where a Latin word or a number ends in Hebrew text,
    // `PNG:þ %s`, and windows-1256's Arabic comma is `¡`, `TRUE¡ `.)
    let quotes_only = ch.original != UTF_8
        && if alphabet {
            after.chars().all(model::is_right_to_left_sign)
        } else {
            after.chars().all(is_double_byte_punct)
        };
    let share = if alphabet {
        alphabet_share(&after)
    } else {
        cjk_share(&after)
    };
    if ch.original != UTF_8 && !quotes_only && share < MIN_CJK_SHARE {
        return None;
    }
    // A Latin-1 reading of double-byte text that yields one CJK character (`£3` → 龍), or
    // of another alphabet's text that yields one letter (`è`, Russian `и`, is a French
    // letter too), is applied only where the document's channel supports it.
    let thin_cjk = ch.original != UTF_8
        && ch.reencode == Reencode::SloppyWindows1252
        && after
            .chars()
            .filter(|&c| {
                if alphabet {
                    model::is_alphabet(c)
                } else {
                    model::is_han(c) || is_kana(c) || is_hangul(c)
                }
            })
            .count()
            < 2;
    // Korean text is written in Hangul, its Hanja a word here and there among it: a Korean
    // reading of nothing but Hanja (`辛辛族`, a Hebrew word's bytes through EUC-KR, whose
    // Hanja rows hold the commonest characters) is read only through the document's channel.
    let thin_cjk = thin_cjk
        || (ch.original == encoding_rs::EUC_KR
            && !after.chars().any(is_hangul)
            && after.chars().any(model::is_han));
    if defer_thin && (thin_cjk || quotes_only) {
        return Some(Reading::Deferred);
    }
    if alphabet && shared.latin_as_it_stands(text, start, end) {
        return None;
    }
    let (old, breaks_before) = shared.as_is(text, start, span_end, single_byte_to_utf8);
    let scored = scored_after.as_deref().unwrap_or(&after);
    let new = model::score_after(prev, scored) + boundary(scored, next);
    let breaks_after = case_breaks(text, start, span_end, &after, single_byte_to_utf8);
    let base = new - old - STEP_PENALTY - ch.prior
        + CASE_BREAK * (breaks_before as f32 - breaks_after as f32);
    let association = association_evidence(ch, span, &after);
    // (Which alphabet: the character model weighs every letter of one alike.)
    let which_alphabet = if alphabet {
        model::alphabet_evidence(&after)
    } else {
        0.0
    };
    let with_evidence = |script: f32| {
        let margin = base + script + association;
        if alphabet {
            margin + which_alphabet
        } else {
            margin
        }
    };

    let n = span.chars().count() as f32;
    let min_gain = if single_byte_to_utf8 && ch.prior >= RARE_CHANNEL_PRIOR {
        MIN_GAIN_SEQUENCE + RARE_CHANNEL_BAR
    } else if single_byte_to_utf8 {
        MIN_GAIN_SEQUENCE
    } else {
        MIN_GAIN.max(MIN_GAIN_PER_CHAR_CJK * n)
    };
    let doc_threshold = if single_byte_to_utf8 {
        MIN_GAIN_SEQUENCE
    } else {
        min_gain
    };
    // Korean writes its Hanja in their Traditional forms: a character only Simplified
    // Chinese writes (`辩`, `复`, `滚`), in a Korean line of a document garbled this way,
    // is GBK's reading of a syllable (a rare one, `긺`, that the model weighs below it).
    let doc_threshold = if ch.original == encoding_rs::EUC_KR
        && ch.reencode == Reencode::Legacy(encoding_rs::GBK)
        && span.chars().any(crate::convert::simplified_only)
        && korean_line(text, start, span_end)
    {
        doc_threshold - SIMPLIFIED_IN_KOREAN
    } else {
        doc_threshold
    };
    // The scripts around the run only ever count against a reading, unless the run is one
    // letter foreign to them ([`script_evidence`]): a reading below the bar without them is
    // below it with them, and the context (a window each side) is not read. (Rounding is
    // monotonic: adding a penalty first never raises the sum.)
    if !judged_by_its_letter(span) && with_evidence(0.0) + DOC_CHANNEL_BONUS_MANY <= doc_threshold {
        return None;
    }
    let margin = with_evidence(script_evidence(
        text,
        start,
        span_end,
        span,
        &after,
        ch.original,
        // (A Korean reading is judged within its line where that line shows the sign
        // of Korean read as GBK: see `context_scripts`.)
        if ch.original == encoding_rs::EUC_KR {
            (&shared.line_scripts, true)
        } else {
            (&shared.scripts, false)
        },
        runs,
    ));
    if margin + DOC_CHANNEL_BONUS_MANY <= doc_threshold {
        return None;
    }
    let chain = Chain::Channel {
        ch,
        lost_bytes: lost_at.len(),
        lost_chars: if single_byte_to_utf8 { lost } else { 0 },
        restored,
    };
    // A no-break space invented behind a Cyrillic capital at the end of a word (`КСисВ `
    // read as `КСис` + NBSP) explains one character: Cyrillic words end in `В` and `Г`, and
    // acronyms mix case, so only a document whose channel this is shows it is mojibake.
    let glued_nbsp = nbsp && {
        let mut tail = text[..end].chars().rev();
        tail.next().is_some_and(model::is_alphabet) && tail.next().is_some_and(model::is_letter)
    };
    Some(Reading::Scored(Fix {
        name: ch.name,
        chain,
        start,
        end: span_end,
        after,
        margin,
        lost,
        accepted: margin > min_gain
            && !thin_cjk
            && !quotes_only
            && !glued_nbsp
            && !deletes_only
            && !private_only,
        threshold: min_gain,
        doc_threshold,
        sequence: single_byte_to_utf8,
    }))
}

/// What a character only Simplified Chinese writes, in a Korean line, takes off the bar a
/// reading of it as Korean read as GBK must clear where that is the document's channel
/// (nats).
const SIMPLIFIED_IN_KOREAN: f32 = 8.0;

/// Whether the line around `text[start..end]` (within [`CONTEXT`]) is Korean: it holds a
/// Hangul syllable outside the span, or shows the sign of Korean read as GBK
/// ([`badness::line_shows_korean_as_gbk`]).
fn korean_line(text: &str, start: usize, end: usize) -> bool {
    let (lo, hi) = around(text, start, end, CONTEXT);
    let before = &text[lo..start];
    let line_start = before.rfind('\n').map_or(lo, |k| lo + k + 1);
    let after = &text[end..hi];
    let line_end = after.find('\n').map_or(hi, |k| end + k);
    text[line_start..start]
        .chars()
        .chain(text[end..line_end].chars())
        .any(is_hangul)
        || badness::line_shows_korean_as_gbk(&text[line_start..line_end])
}

/// Weight of [`association_evidence`] in a reading's margin.
const ASSOCIATION_WEIGHT: f32 = 1.0;

/// What running Chinese text says of a reading of one Chinese code page's text read as
/// another CJK code page's (`币笆箇凝跌怠じン` is Big5 `啟動預覽視窗元件` read as GBK): the
/// pairs it makes that running text holds more often than chance, less those the text as
/// it stands makes ([`model::text_association`]). Such garbage is made of common
/// characters, which the character model, whose pairs are those inside words, scores as
/// words of one character each, nearly as well as the text's own words; running text
/// knows the pairs between words too, and garbage makes none of them. Only where the text
/// as it stands is mostly Han (a run of kana, `カンカン`, is Japanese running Chinese text
/// knows nothing of: as GBK read as Big5 it would be `千秋千秋`; Czech `ěň`, whose letters
/// GBK has for Pinyin, is no Chinese as it stands), and only for a reading
/// with no other alphabet's letter in it (`И衝擊` is EUC-KR's `형식을` read as GBK and then
/// as Big5, which the Korean reading must be free to beat).
fn association_evidence(ch: &Channel, span: &str, after: &str) -> f32 {
    let chinese = ch.original == encoding_rs::GBK || ch.original == encoding_rs::BIG5;
    let double_byte = matches!(ch.reencode, Reencode::Legacy(e) if !e.is_single_byte());
    if !chinese || !double_byte {
        return 0.0;
    }
    let (han, kana) = span.chars().fold((0, 0), |(h, k), c| {
        (
            h + usize::from(model::is_han(c)),
            k + usize::from(is_kana(c)),
        )
    });
    if han == 0
        || han < kana
        || after
            .chars()
            .any(|c| model::is_letter(c) && !model::is_han(c) && !is_kana(c))
    {
        return 0.0;
    }
    ASSOCIATION_WEIGHT * (model::text_association(after) - model::text_association(span))
}

/// What the readings of one run have in common, each worked out once, by the first reading
/// that needs it: a run is read through up to a dozen channels, most over the same span.
struct Shared<'p> {
    /// The pass's [`LatinMarks`], worked out by the first run that needs them.
    marks: &'p LatinMarks,
    /// The scripts around the run ([`script_evidence`])…
    scripts: std::cell::OnceCell<(u16, u16)>,
    /// …and for a Korean reading, within a line that shows the sign of Korean read as GBK.
    line_scripts: std::cell::OnceCell<(u16, u16)>,
    /// The text as it stands, per span read.
    as_is: std::cell::RefCell<Vec<AsIs>>,
    /// Whether the run is Latin as it stands ([`Shared::latin_as_it_stands`]).
    latin: std::cell::OnceCell<bool>,
}

/// How much of a run is letters another alphabet's single-byte text makes:
/// [`LettersShape::Many`] when at least half its characters are windows-1252's letters
/// À–ÿ, or are with windows-1252's signs where windows-1251 or windows-1253 has a letter
/// ([`is_sign_letter`]) and the run's bytes are no UTF-8 (Ukrainian `цієї` is `ö³º¿`);
/// [`LettersShape::AlsoUtf8`] when they are UTF-8 (`ä³¿` is Ukrainian `дії`, and UTF-8's
/// `䳿`); [`LettersShape::Few`] otherwise (`ä¸­`, one letter in three, is UTF-8's `中`).
fn letters_shape(run: &str) -> LettersShape {
    let (mut letters, mut signs, mut all) = (0usize, 0usize, 0usize);
    for c in run.chars() {
        all += 1;
        letters += usize::from(matches!(c as u32, 0xC0..=0xFF) && c != '×' && c != '÷');
        signs += usize::from(is_sign_letter(c));
    }
    if letters * 2 >= all {
        return LettersShape::Many;
    }
    if (letters + signs) * 2 < all {
        return LettersShape::Few;
    }
    let bytes: Option<Vec<u8>> = run.chars().map(channels::sloppy_1252_byte).collect();
    match bytes.map(String::from_utf8) {
        Some(Ok(_)) => LettersShape::AlsoUtf8,
        Some(Err(_)) => LettersShape::Many,
        // (A character no byte of windows-1252 stands for, U+FFFD, is no such text's.)
        None => LettersShape::Few,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LettersShape {
    Many,
    AlsoUtf8,
    Few,
}

/// Whether `c` is one of windows-1252's signs at the bytes where windows-1251 has a letter
/// (`³` is Ukrainian `і`, `¿` is `ї`, `º` is `є`, `¸` is `ё`, `¼` is Serbian `ј`) or
/// windows-1253 a capital with its accent (`¢` is `Ά`, `¹` is `Ή`).
fn is_sign_letter(c: char) -> bool {
    // ¡¢£ ¥ ¨ ª ¯ ²³´ ¸¹º ¼½¾¿
    matches!(c as u32, 0xA1..=0xA3 | 0xA5 | 0xA8 | 0xAA | 0xAF | 0xB2..=0xB4 | 0xB8..=0xBA | 0xBC..=0xBF)
}

/// The window `reach` bytes around `text[start..end]`, widened to character boundaries.
fn around(text: &str, start: usize, end: usize, reach: usize) -> (usize, usize) {
    let mut lo = start.saturating_sub(reach);
    while !text.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = (end + reach).min(text.len());
    while !text.is_char_boundary(hi) {
        hi += 1;
    }
    (lo, hi)
}

/// How far around a run [`latin_in_use`] looks (bytes).
const LATIN_CONTEXT: usize = 300;

/// Whether the text within [`LATIN_CONTEXT`] of `text[start..end]` writes Latin with
/// accents: one in ten or more of its accented letters (Latin-1's) inside a word of ASCII
/// letters (`Ørsted`, `MÄ£ÄM`). Another alphabet's text read as windows-1252 makes words of
/// such letters alone (`Ïðèâåò`), so there a word of them (`æøå`, `ÌÑÌ`) is Latin too.
fn latin_in_use(text: &str, start: usize, end: usize, marks: &LatinMarks) -> bool {
    let (lo, hi) = around(text, start, end, LATIN_CONTEXT);
    let (glued, apart) = marks.count(text.as_bytes(), lo, hi);
    glued * 10 > apart
}

/// (glued, apart) [`latin_mark`]s whose lead byte is in `bytes[lo..hi]`, counted one by one.
fn count_latin_marks(bytes: &[u8], lo: usize, hi: usize) -> (usize, usize) {
    memchr::memchr_iter(0xC3, &bytes[lo..hi])
        .filter_map(|k| latin_mark(bytes, lo + k))
        .fold((0, 0), |(g, a), glued| {
            (g + usize::from(glued), a + usize::from(!glued))
        })
}

/// Whether the accented letter (Latin-1's) whose UTF-8 lead byte C3 is at `bytes[i]` is
/// glued to an ASCII letter (`Some(true)`), stands apart (`Some(false)`), or is no letter.
fn latin_mark(bytes: &[u8], i: usize) -> Option<bool> {
    // U+00C0..U+00FF is C3 80..C3 BF in UTF-8 (less `×` and `÷`, C3 97 and C3 B7).
    let b = *bytes.get(i + 1)?;
    if !(0x80..=0xBF).contains(&b) || b == 0x97 || b == 0xB7 {
        return None;
    }
    let letter = |k: Option<usize>| {
        k.and_then(|k| bytes.get(k))
            .is_some_and(u8::is_ascii_alphabetic)
    };
    // (A capital after a small accented letter is no Latin word's: `ìÎAlt` is Hebrew `ל־Alt`,
    // a prefix and its hyphen glued to a Latin word, read as windows-1252.)
    let after_small = i >= 2 && bytes[i - 2] == 0xC3 && bytes[i - 1] >= 0xA0;
    let case_break = after_small && b <= 0x9E;
    Some(!case_break && (letter(i.checked_sub(1)) || letter(Some(i + 2))))
}

/// [`latin_mark`] of every accented letter of a text, counted per block of
/// [`LATIN_BLOCK`] bytes (running totals): a text of another alphabet read as windows-1252
/// is such letters all through, and counting them again in every run's window was a
/// quarter of repairing it. A pass counts window by window until the windows have cost
/// about what counting the whole text once does, then counts the text (clean Latin text
/// dense with accents asks of few runs).
struct LatinMarks {
    /// Windows counted one by one so far.
    asked: std::sync::atomic::AtomicUsize,
    /// (glued, apart) before each block, and after the last.
    before: std::sync::OnceLock<Vec<(u32, u32)>>,
}

/// See [`LatinMarks`].
const LATIN_BLOCK: usize = 16;

impl LatinMarks {
    fn new() -> LatinMarks {
        LatinMarks {
            asked: std::sync::atomic::AtomicUsize::new(0),
            before: std::sync::OnceLock::new(),
        }
    }

    fn totals(bytes: &[u8]) -> Vec<(u32, u32)> {
        let blocks = bytes.len().div_ceil(LATIN_BLOCK);
        let mut per_block = vec![(0u32, 0u32); blocks];
        for i in memchr::memchr_iter(0xC3, bytes) {
            if let Some(glued) = latin_mark(bytes, i) {
                let block = &mut per_block[i / LATIN_BLOCK];
                if glued {
                    block.0 += 1;
                } else {
                    block.1 += 1;
                }
            }
        }
        let mut before = Vec::with_capacity(blocks + 1);
        let mut total = (0u32, 0u32);
        before.push(total);
        for (g, a) in per_block {
            total = (total.0 + g, total.1 + a);
            before.push(total);
        }
        before
    }

    /// (glued, apart) accented letters whose lead byte is in `bytes[lo..hi]`.
    fn count(&self, bytes: &[u8], lo: usize, hi: usize) -> (usize, usize) {
        let before = match self.before.get() {
            Some(before) => before,
            None => {
                let budget = bytes.len() / (2 * LATIN_CONTEXT) + 1;
                let asked = self
                    .asked
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if asked < budget {
                    return count_latin_marks(bytes, lo, hi);
                }
                self.before.get_or_init(|| LatinMarks::totals(bytes))
            }
        };
        let first = lo.div_ceil(LATIN_BLOCK);
        let last = hi / LATIN_BLOCK;
        if first >= last {
            return count_latin_marks(bytes, lo, hi);
        }
        let head = count_latin_marks(bytes, lo, first * LATIN_BLOCK);
        let tail = count_latin_marks(bytes, last * LATIN_BLOCK, hi);
        let (g1, a1) = before[first];
        let (g2, a2) = before[last];
        (
            head.0 + tail.0 + (g2 - g1) as usize,
            head.1 + tail.1 + (a2 - a1) as usize,
        )
    }
}

/// The span `text[start..end]` as it stands: its score in context and its
/// [`case_breaks`] (counted without and with the words of alphabets).
struct AsIs {
    start: usize,
    end: usize,
    score: f32,
    breaks: [Option<u32>; 2],
}

impl<'p> Shared<'p> {
    fn new(marks: &'p LatinMarks) -> Shared<'p> {
        Shared {
            marks,
            scripts: Default::default(),
            line_scripts: Default::default(),
            as_is: Default::default(),
            latin: Default::default(),
        }
    }

    /// Whether the run `text[start..end]` is Latin as it stands, no other alphabet's letters
    /// read as windows-1252: inside a word of ASCII letters (`příliš`), or in text that
    /// writes Latin with accents ([`latin_in_use`]). (A run with an ASCII letter on one side
    /// only may be another alphabet's: Hebrew glues a prefix to a Latin word, `ה־JPEG`, read
    /// as windows-1252 `äÎJPEG`.)
    fn latin_as_it_stands(&self, text: &str, start: usize, end: usize) -> bool {
        *self.latin.get_or_init(|| {
            let letter = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
            (letter(text[..start].chars().next_back()) && letter(text[end..].chars().next()))
                || latin_in_use(text, start, end, self.marks)
        })
    }

    /// The score of `text[start..end]` as it stands (with the character after it) and its
    /// case breaks.
    fn as_is(&self, text: &str, start: usize, end: usize, alphabets: bool) -> (f32, u32) {
        let mut known = self.as_is.borrow_mut();
        let k = match known.iter().position(|a| a.start == start && a.end == end) {
            Some(k) => k,
            None => {
                let span = &text[start..end];
                let prev = text[..start].chars().next_back();
                let next = text[end..].chars().next();
                known.push(AsIs {
                    start,
                    end,
                    score: model::score_after(prev, span) + boundary(span, next),
                    breaks: [None; 2],
                });
                known.len() - 1
            }
        };
        let a = &mut known[k];
        let breaks = *a.breaks[usize::from(alphabets)]
            .get_or_insert_with(|| case_breaks(text, start, end, &text[start..end], alphabets));
        (a.score, breaks)
    }
}

/// A change of case inside a Latin word (`voilÃ`, `baÅ†`, `ÄÆdomu`) costs this much (nats):
/// outside brand names, a lower-case letter is followed by an upper-case one, or two
/// capitals by a small letter, a few times in ten thousand letters.
const CASE_BREAK: f32 = 6.0;

/// How many case breaks the word around `text[start..end]` has with `middle` in its place:
/// a small letter followed by a capital, and two capitals followed by a small letter (a
/// reading removes some, `CASE_BREAK` each). Words are of
/// Latin letters, and with `alphabets` also of Greek and Cyrillic ones: readings of UTF-8
/// one byte per character compare two words of an alphabet (`ПРИвСТ` for `ПРИРІСТ`), while
/// a double-byte reading of two Cyrillic letters (`вВ` in a list of answer keys `qQвВ`)
/// would gain from their case alone. Any other character ends a word.
fn case_breaks(text: &str, start: usize, end: usize, middle: &str, alphabets: bool) -> u32 {
    // Per character below U+0500: bit 0 a letter, bit 1 a capital.
    static CASED: LazyLock<[u8; 0x500]> = LazyLock::new(|| {
        std::array::from_fn(|cp| {
            let c = char::from_u32(cp as u32).expect("below the surrogates");
            u8::from(model::is_letter(c)) | (u8::from(c.is_uppercase()) << 1)
        })
    });
    let table: &[u8] = &CASED[..if alphabets { 0x500 } else { 0x250 }];
    let info = |c: char| table.get(c as usize).copied().unwrap_or(0);
    let latin = |c: char| info(c) & 1 != 0;
    let word_start = text[..start]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| latin(c))
        .last()
        .map_or(start, |(i, _)| i);
    let word_end = text[end..]
        .char_indices()
        .find(|&(_, c)| !latin(c))
        .map_or(text.len(), |(i, _)| end + i);
    let (mut breaks, mut capitals, mut prev_small) = (0u32, 0u32, false);
    // (Three loops, not a chain of iterators: this runs for every reading of every run.)
    for part in [&text[word_start..start], middle, &text[end..word_end]] {
        for c in part.chars() {
            let f = info(c);
            if f & 1 == 0 {
                (capitals, prev_small) = (0, false);
            } else if f & 2 != 0 {
                breaks += u32::from(prev_small);
                (capitals, prev_small) = (capitals + 1, false);
            } else {
                breaks += u32::from(capitals >= 2);
                (capitals, prev_small) = (0, true);
            }
        }
    }
    breaks
}

/// Whether `run`, re-encoded one byte per character, ends with a UTF-8 sequence that lacks
/// exactly its last byte, 0xA0: a two-byte one whose lead is among [`NBSP_LEADS`], or a
/// three-byte one that 0xA0 makes a letter of an alphabet (`à¸` + 0xA0 is Thai `ภ`).
fn missing_one_byte(run: &str, how: Reencode) -> bool {
    let tail: Vec<u8> = run
        .chars()
        .rev()
        .take(3)
        .map_while(|c| channels::single_byte(c, how))
        .collect();
    // `tail` is reversed: tail[k] is k bytes before the end.
    (0..tail.len()).any(|k| {
        let lead = tail[k];
        if utf8_seq_len(Some(lead)) != Some(k + 2)
            || !tail[..k].iter().all(|&b| (0x80..=0xBF).contains(&b))
        {
            return false;
        }
        if k == 0 {
            return NBSP_LEADS.contains(&lead);
        }
        let mut seq: Vec<u8> = tail[..=k].iter().rev().copied().collect();
        seq.push(0xA0);
        std::str::from_utf8(&seq)
            .ok()
            .and_then(|s| s.chars().next())
            .is_some_and(model::is_alphabet)
    })
}

/// Letters of a script found nowhere around the span count against a reading, and — for a
/// lone character — against the text as it stands too: a lone `Г` between French words is
/// as out of place as a lone `ף` would be. The text as it stands is judged by the context
/// outside the other candidate runs (the Cyrillic of `вЂ™` elsewhere is mojibake), a
/// reading by all of it (`Ð ` is `Р` next to a repaired `уский`). Greek letters are
/// symbols as often as words (`√π`), so they never count against the text. A reading of
/// double-byte text (`double_byte`) is not judged by its script when nothing outside the
/// candidate runs is written in anything but ASCII: a Korean page read as GBK is Han runs
/// between spaces and full stops, and says nothing about its script but what the runs
/// decode to. Nor is a reading of another alphabet's single-byte text (`original`): read
/// as windows-1252, such text shows none of its script anywhere. `ctx` caches the two
/// contexts for the run.
#[allow(clippy::too_many_arguments)]
fn script_evidence(
    text: &str,
    start: usize,
    end: usize,
    span: &str,
    after: &str,
    original: &'static Encoding,
    (ctx, within_line): (&std::cell::OnceCell<(u16, u16)>, bool),
    runs: &[(usize, usize)],
) -> f32 {
    let double_byte = original != UTF_8 && !original.is_single_byte();
    let alphabet = original != UTF_8 && original.is_single_byte();
    // Only letters with a script bit can mismatch: most spans (Han, Latin-1) have none, and
    // their context is never read.
    let judged_before = judged_by_its_letter(span);
    // (Another alphabet's reading is judged by the text as it stands alone, below.)
    if !judged_before && (alphabet || !has_foreign_letters(after)) {
        return 0.0;
    }
    let (outside, all) = ctx.get_or_init(|| context_scripts(text, start, end, runs, within_line));
    let before = if judged_before {
        script_mismatch(span, &(outside | GREEK_BIT))
    } else {
        0.0
    };
    if alphabet || (double_byte && outside & NON_ASCII_BIT == 0) {
        return before;
    }
    before - script_mismatch(after, all)
}

/// Whether `span` is one non-ASCII character, a letter of a script [`script_mismatch`]
/// counts: [`script_evidence`] then weighs it against its context, for a reading or
/// against it; otherwise the evidence is a penalty or nothing.
fn judged_by_its_letter(span: &str) -> bool {
    let mut non_ascii = span.chars().filter(|c| !c.is_ascii());
    let lone = non_ascii.next().is_some() && non_ascii.next().is_none();
    lone && has_foreign_letters(span)
}

/// Whether `s` has a letter [`script_mismatch`] can count.
fn has_foreign_letters(s: &str) -> bool {
    s.chars()
        .any(|c| !matches!(script_bit(c), 0 | LATIN_EXT_BIT))
}

/// Letters of a script that appears nowhere around the span (kana or Hangul in Chinese,
/// one Hebrew letter in English) are a worse explanation than a context-free model thinks:
/// real text in a script comes with more of it.
const FOREIGN_SCRIPT_PER_CHAR: f32 = 4.0;
/// How far around the span the context is read (bytes).
const CONTEXT: usize = 300;

/// Greek's [`script_bit`].
const GREEK_BIT: u16 = 16;
/// Latin Extended-A's [`script_bit`]: never foreign (see [`script_mismatch`]).
const LATIN_EXT_BIT: u16 = 64;
/// Set in a context (never by [`script_bit`]) that holds any character beyond ASCII.
const NON_ASCII_BIT: u16 = 1 << 15;

/// A script class, as a bit.
fn script_bit(c: char) -> u16 {
    match c as u32 {
        // Han, the common case, has none.
        0x3400..=0x9FFF => 0,
        0x3040..=0x30FF | 0xFF66..=0xFF9F => 1,
        0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F => 2,
        0x590..=0x5FF => 4,
        0x600..=0x6FF => 8,
        0x370..=0x3FF => GREEK_BIT,
        0x400..=0x4FF => 32,
        0x100..=0x17F => LATIN_EXT_BIT,
        0x180..=0x2AF | 0x1D00..=0x1DBF => 128,
        0xE00..=0xE7F => 256,
        // Armenian, Georgian, Lao and the Indic alphabets.
        0x530..=0x58F | 0x10A0..=0x10FF | 0xE80..=0xEFF | 0x900..=0xDFF => 512,
        _ => 0,
    }
}

/// Punctuation the double-byte code pages share with Western text (GBK's `“”‘’—…·`, the
/// horizontal bar `―` and two-dot leader `‥` of Shift_JIS): in a reading it says nothing
/// about the script either way.
fn is_double_byte_punct(c: char) -> bool {
    matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·' | '―' | '‥')
}

/// The share of CJK characters among the non-ASCII characters of `text`, not counting
/// [`is_double_byte_punct`] (`”和“` is all CJK).
/// Whether `ch` reads text of a single-byte code page of another alphabet (Cyrillic,
/// Greek, Hebrew) that was read as windows-1252.
fn is_other_alphabet(ch: &Channel) -> bool {
    ch.original != UTF_8 && ch.original.is_single_byte()
}

/// The share of letters of the alphabets other than Latin ([`model::is_alphabet`]) among
/// the non-ASCII characters of `text`.
fn alphabet_share(text: &str) -> f32 {
    let (mut letters, mut all) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        all += 1;
        letters += usize::from(model::is_alphabet(c));
    }
    if all == 0 {
        0.0
    } else {
        letters as f32 / all as f32
    }
}

fn cjk_share(text: &str) -> f32 {
    let (mut cjk, mut all) = (0usize, 0usize);
    for c in text
        .chars()
        .filter(|&c| !c.is_ascii() && !is_double_byte_punct(c))
    {
        all += 1;
        let cp = c as u32;
        if model::is_han(c)
            || is_kana(c)
            || is_hangul(c)
            || (0x3000..=0x303F).contains(&cp)
            || (0xFF00..=0xFFEF).contains(&cp)
        {
            cjk += 1;
        }
    }
    if all == 0 {
        0.0
    } else {
        cjk as f32 / all as f32
    }
}

fn is_kana(c: char) -> bool {
    script_bit(c) == 1
}

fn is_hangul(c: char) -> bool {
    script_bit(c) == 2
}

/// The script classes present around the span: outside the candidate `runs` (sorted), and
/// in all of it (the Cyrillic of `вЂ™` elsewhere on the line is mojibake, not context, for
/// the text as it stands; a reading is judged by all of it). `within_line`: see below.
fn context_scripts(
    text: &str,
    start: usize,
    end: usize,
    runs: &[(usize, usize)],
    within_line: bool,
) -> (u16, u16) {
    let bytes = text.as_bytes();
    let (mut lo, mut hi) = around(text, start, end, CONTEXT);
    // With `within_line`, for a Korean reading: a line that shows the sign of Korean read
    // as GBK on its own is a message of its own ([`badness::korean_as_gbk_lines`]), and the
    // Chinese or Japanese lines around it are no context for its script. (Not for other
    // readings: one line in eight of three Chinese characters shows the sign too, and its
    // own runs would then be all the context a reading of them through another channel
    // had: `互斥` read as GBK read as Big5 is `がジ`.)
    // (A message is a short line: a line longer than the window keeps the window, and the
    // line is looked for within it, so that each run pays for no more than that.)
    if within_line && badness::judged_by_lines(text) {
        let line_start = memchr::memrchr(b'\n', &bytes[lo..start]).map(|k| lo + k + 1);
        let line_end = memchr::memchr(b'\n', &bytes[end..hi]).map(|k| end + k);
        let (line_start, line_end) = match (line_start, line_end) {
            (Some(a), Some(b)) => (a, b),
            (Some(a), None) if hi == text.len() => (a, hi),
            (None, Some(b)) if lo == 0 => (0, b),
            (None, None) if lo == 0 && hi == text.len() => (0, hi),
            _ => (lo, hi),
        };
        if (line_start, line_end) != (lo, hi)
            && badness::line_shows_korean_as_gbk(&text[line_start..line_end])
        {
            lo = line_start;
            hi = line_end;
        }
    }
    let (mut outside, mut inside) = (0, 0);
    for (a, b) in [(lo, start), (end, hi)] {
        let mut from = a;
        let first = runs.partition_point(|r| r.1 <= a);
        for &(rs, re) in runs[first..].iter().take_while(|r| r.0 < b) {
            if rs > from {
                outside |= scripts_in(&bytes[from..rs]);
            }
            let (in_from, in_to) = (rs.max(from), re.min(b));
            if in_to > in_from {
                inside |= scripts_in(&bytes[in_from..in_to]);
            }
            from = from.max(re);
        }
        if from < b {
            outside |= scripts_in(&bytes[from..b]);
        }
    }
    (outside, outside | inside)
}

/// The [`script_bit`]s of the characters in `bytes` (whole UTF-8 characters), decoding only
/// those that can have one: ASCII, Latin-1 (leads below C4) and Han (leads E4–E9) are
/// stepped over byte by byte or character by character.
fn scripts_in(bytes: &[u8]) -> u16 {
    let mut m = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b >= 0xC2 {
            m |= NON_ASCII_BIT;
        }
        if !(0xC4..0xF0).contains(&b) {
            i += 1;
        } else if (0xE4..=0xE9).contains(&b) {
            i += 3;
        } else {
            // `bytes` is whole UTF-8 characters: the continuation bytes are there.
            let cont = |k: usize| bytes.get(i + k).map_or(0, |&c| u32::from(c & 0x3F));
            let (cp, len) = if b < 0xE0 {
                ((u32::from(b & 0x1F) << 6) | cont(1), 2)
            } else {
                ((u32::from(b & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
            };
            m |= script_bit(char::from_u32(cp).unwrap_or('\0'));
            i += len;
        }
    }
    m
}

fn script_mismatch(after: &str, context: &u16) -> f32 {
    after
        .chars()
        .map(|c| match script_bit(c) {
            0 => 0.0,
            b if b & context != 0 => 0.0,
            LATIN_EXT_BIT => 0.0,
            _ => FOREIGN_SCRIPT_PER_CHAR,
        })
        .sum()
}

fn boundary(span: &str, next: Option<char>) -> f32 {
    match next {
        Some(n) => model::char_logp(span.chars().next_back(), n),
        None => 0.0,
    }
}

fn chain_names(ch: &Channel) -> (&'static str, String) {
    let enc = match ch.reencode {
        Reencode::SloppyWindows1252 => "windows-1252",
        Reencode::Cp437 => "ibm437",
        Reencode::Legacy(e) => e.name(),
    };
    (enc, ch.original.name().to_ascii_lowercase())
}

/// What a U+FFFD encoded in full is scored as: a symbol (white square).
const WRITTEN_REPLACEMENT: char = '\u{25A1}';

/// Whether UTF-8 `bytes`, with [`channels::LOST_BYTE`] where a reader lost bytes, is valid
/// but beside the losses: a sequence cut short just before one, continuation bytes just
/// after one. A reading whose other bytes are no UTF-8 explains the loss with bytes the
/// text never had (`檔�` read as GBK is 99 6E and the loss: a stray continuation byte, an
/// `n`, and `檔` gone).
fn invalid_only_beside_losses(bytes: &[u8]) -> bool {
    let mut parts = bytes.split(|&b| b == channels::LOST_BYTE).peekable();
    let mut after_loss = false;
    while let Some(part) = parts.next() {
        let before_loss = parts.peek().is_some();
        let orphans = if after_loss {
            part.iter()
                .take(3)
                .take_while(|b| (0x80..=0xBF).contains(*b))
                .count()
        } else {
            0
        };
        match std::str::from_utf8(&part[orphans..]) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() && before_loss => {}
            Err(_) => return false,
        }
        after_loss = true;
    }
    true
}

/// A [`sequence_fix`]: the repaired text, the same with each destroyed character shown as
/// the placeholder its reader left (what the model scores; `None` while it is the same as
/// the text, as it is in most runs), and how many were destroyed.
struct SequenceFix {
    text: String,
    scored: Option<String>,
    lost: usize,
    /// Lost bytes the model settled (see [`LOST_BYTE_MARGIN`]).
    restored: usize,
    /// Characters recovered: sequences read as one (not lost), C1 controls read as
    /// windows-1252.
    recovered: usize,
    /// The most characters one lost sequence took (its bytes as they were shown).
    widest_loss: usize,
}

impl SequenceFix {
    /// Appends `c`, scored as `shown`.
    fn push(&mut self, c: char, shown: char) {
        match &mut self.scored {
            Some(s) => s.push(shown),
            None if shown != c => {
                let mut s = String::with_capacity(self.text.capacity());
                s.push_str(&self.text);
                s.push(shown);
                self.scored = Some(s);
            }
            None => {}
        }
        self.text.push(c);
    }

    /// Appends `s`, scored as it is.
    fn push_str(&mut self, s: &str) {
        if let Some(scored) = &mut self.scored {
            scored.push_str(s);
        }
        self.text.push_str(s);
    }
}

/// A sequence with a lost byte is read only if the byte can make a character likelier than
/// this where it stands (or a Han character beside another, which the bigrams weigh) —
/// likelier than a letter glued to a word of another script, or a symbol: Belarusian `аў`
/// before a U+FFFD is no UTF-8 sequence's remains (E0 A2 and windows-1251's one undefined
/// byte, 0x98, make U+0898, an Arabic mark), nor Ukrainian `ді` (E4 B3 98 is the rare `䳘`),
/// while `Ã` before one is `Á`, `Í`, `Ï`, `Ð` or `Ý`.
const LOST_FILL_FLOOR: f32 = -10.5;

/// A lost byte is restored only when the best character it can make beats every other by
/// this much (nats) in context, and is Han…
const LOST_BYTE_MARGIN: f32 = 2.0;
/// …or by this much where neither neighbour is a Han character (`之 _` alone on a line):
/// the characters' own frequencies alone choose then, and a common one is not the lost one
/// as surely.
const LOST_BYTE_MARGIN_ALONE: f32 = 4.0;

/// The character encoded at `bytes[i..]`, if it is a complete hole-free UTF-8 sequence.
fn next_char(bytes: &[Option<u8>], i: usize) -> Option<char> {
    let len = utf8_seq_len(*bytes.get(i)?)?;
    let mut seq = [0u8; 4];
    for (k, b) in bytes.get(i..i + len)?.iter().enumerate() {
        seq[k] = (*b)?;
    }
    decode_one(&seq[..len])
}

/// The one character `seq` encodes in UTF-8, if it is exactly one valid sequence (what
/// `str::from_utf8` accepts: no overlong form, surrogate or value past U+10FFFF).
fn decode_one(seq: &[u8]) -> Option<char> {
    let cont = |b: u8| u32::from(b & 0x3F);
    let ok = |b: u8| b & 0xC0 == 0x80;
    let cp = match *seq {
        [a] if a < 0x80 => return Some(char::from(a)),
        [a @ 0xC2..=0xDF, b] if ok(b) => (u32::from(a & 0x1F) << 6) | cont(b),
        [a @ 0xE0..=0xEF, b, c] if ok(b) && ok(c) => {
            let cp = (u32::from(a & 0x0F) << 12) | (cont(b) << 6) | cont(c);
            if cp < 0x800 {
                return None;
            }
            cp
        }
        [a @ 0xF0..=0xF4, b, c, d] if ok(b) && ok(c) && ok(d) => {
            let cp = (u32::from(a & 0x07) << 18) | (cont(b) << 12) | (cont(c) << 6) | cont(d);
            if cp < 0x10000 {
                return None;
            }
            cp
        }
        _ => return None,
    };
    // Rejects surrogates and values past U+10FFFF.
    char::from_u32(cp)
}

/// UTF-8 read one byte per character: re-encode, then replace every byte run that forms a
/// valid multi-byte UTF-8 sequence by its character; everything else stays as it was. A
/// sequence with a byte its reader destroyed (a strict reader's U+FFFD for one of the bytes
/// its code page leaves undefined, or a lossy one's `?`) comes back as one U+FFFD:
/// the rest of its bytes are recognised, but the character is lost, and guessing it would
/// present invented text as recovered — unless the model settles it ([`LOST_BYTE_MARGIN`]),
/// which the chain then says.
fn sequence_fix(span: &str, ch: &Channel, prev: Option<char>, nbsp: bool) -> Option<SequenceFix> {
    let sloppy = matches!(ch.reencode, Reencode::SloppyWindows1252);
    // The bytes a strict reader of this code page turns into U+FFFD: a lost byte is one.
    let undefined = channels::undefined_bytes(ch.reencode);
    let table = channels::byte_table(ch.reencode)?;
    // The characters and their bytes, in one pass, and whether one can stand for a lost byte.
    let mut chars: Vec<char> = Vec::with_capacity(span.len());
    let mut bytes: Vec<Option<u8>> = Vec::with_capacity(span.len());
    let mut lost_marks = false;
    for c in span.chars() {
        lost_marks |= c == '\u{FFFD}' || c == '?';
        chars.push(c);
        bytes.push(table.byte(c));
    }
    if nbsp {
        *bytes.last_mut().expect("the space") = Some(0xA0);
    }
    let mut out = SequenceFix {
        text: String::with_capacity(span.len()),
        scored: None,
        lost: 0,
        restored: 0,
        recovered: 0,
        widest_loss: 0,
    };
    let holes_possible = !undefined.is_empty() && lost_marks;
    if !holes_possible {
        let flat: Option<Vec<u8>> = bytes.iter().copied().collect();
        // CESU-8's surrogates (0xED A0–BF) are invalid UTF-8: the general loop pairs them.
        if let Some(flat) = flat.filter(|f| !f.contains(&0xED)) {
            return whole_sequences(&flat, &chars, sloppy, out);
        }
    }
    let mut i = 0;
    let mut any = false;
    let mut last = prev;
    while i < chars.len() {
        // A lost byte: U+FFFD from a strict reader, or `?` from a lossy one.
        let wild = |j: usize| !undefined.is_empty() && (chars[j] == '\u{FFFD}' || chars[j] == '?');
        let mut fixed = None;
        if let Some(c) = cesu8_pair(&bytes[i..]) {
            fixed = Some((c, None, 6));
        } else if let Some(len) = utf8_seq_len(bytes[i]) {
            if i + len <= chars.len()
                && (1..len).all(|k| {
                    bytes[i + k].is_some_and(|b| (0x80..=0xBF).contains(&b)) || wild(i + k)
                })
            {
                // At most one lost byte per sequence can be filled in.
                let mut holes = (1..len).filter(|&k| wild(i + k));
                let hole = holes.next();
                let several_holes = holes.next().is_some();
                let mut seq = [0u8; 4];
                for (k, b) in seq.iter_mut().enumerate().take(len) {
                    *b = bytes[i + k].unwrap_or(0);
                }
                // The best reading and the runner-up's score: every character the sequence
                // can be, one per value of the lost byte, scored in context — the character
                // before and the complete one after (决定_开 → 召开, not 听开). A sequence
                // without a hole has one reading and needs no score.
                let mut best: Option<(f32, char)> = None;
                let mut second = f32::NEG_INFINITY;
                // Whether a neighbour is Han (see [`LOST_BYTE_MARGIN_ALONE`]).
                let mut han_beside = false;
                match hole {
                    None => best = decode_one(&seq[..len]).map(|c| (0.0, c)),
                    Some(_) if several_holes => {}
                    Some(k) => {
                        let next = next_char(&bytes, i + len);
                        han_beside =
                            last.is_some_and(model::is_han) || next.is_some_and(model::is_han);
                        let mut plausible = false;
                        for fill in undefined.iter() {
                            seq[k] = fill;
                            let Some(c) = decode_one(&seq[..len]) else {
                                continue;
                            };
                            let own = model::char_logp(last, c);
                            if own < LOST_FILL_FLOOR && !model::is_han(c) {
                                continue;
                            }
                            // (A Han character beside another is weighed by the bigrams;
                            // beside none, only its own frequency speaks for it.)
                            plausible |= own >= LOST_FILL_FLOOR || han_beside;
                            let sc = own + next.map_or(0.0, |n| model::char_logp(Some(c), n));
                            match best {
                                Some((b, _)) if sc <= b => second = second.max(sc),
                                _ => {
                                    second = best.map_or(second, |(b, _)| second.max(b));
                                    best = Some((sc, c));
                                }
                            }
                        }
                        if !plausible {
                            best = None;
                        }
                    }
                }
                fixed = best.map(|(best, c)| match hole {
                    // U+FFFD written out in full (`ï¿½`) is a character the text had: scored
                    // as a symbol, not as a decoder's failure.
                    None if c == '\u{FFFD}' => (c, Some(WRITTEN_REPLACEMENT), len),
                    None => (c, None, len),
                    // A lost byte the model settles: a Han character that its neighbours
                    // make far likelier than every other value (您的_置 → 位). Chinese has the
                    // bigram data for it; elsewhere the character stays lost.
                    Some(_)
                        if model::is_han(c)
                            && best - second
                                >= if han_beside {
                                    LOST_BYTE_MARGIN
                                } else {
                                    LOST_BYTE_MARGIN_ALONE
                                } =>
                    {
                        out.restored += 1;
                        (c, None, len)
                    }
                    Some(k) => ('\u{FFFD}', Some(chars[i + k]), len),
                });
            }
        }
        match fixed {
            Some((c, placeholder, len)) => {
                out.push(c, placeholder.unwrap_or(c));
                if placeholder.is_some_and(|p| p != WRITTEN_REPLACEMENT) {
                    out.lost += 1;
                    out.widest_loss = out.widest_loss.max(len);
                } else {
                    out.recovered += 1;
                }
                last = Some(c);
                i += len;
                any = true;
            }
            None => {
                // A C1 control outside any sequence was a windows-1252 byte read as Latin-1.
                let c = match channels::cp1252_char(chars[i]) {
                    Some(c) if sloppy => c,
                    _ => chars[i],
                };
                any |= c != chars[i];
                out.recovered += usize::from(c != chars[i]);
                last = Some(c);
                out.push(c, c);
                i += 1;
            }
        }
    }
    any.then_some(out)
}

/// [`sequence_fix`] where no byte is missing: the valid stretches of the re-encoded bytes
/// decode as they are (a U+FFFD written out in full is scored as a symbol); every byte of
/// an invalid stretch stays the character it was read as, a C1 control read as windows-1252
/// when the reader was sloppy. (The maximal invalid prefixes `utf8_chunks` reports are
/// exactly the positions where the general loop finds no sequence.)
fn whole_sequences(
    bytes: &[u8],
    chars: &[char],
    sloppy: bool,
    mut out: SequenceFix,
) -> Option<SequenceFix> {
    let mut any = false;
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        if valid.contains('\u{FFFD}') {
            for c in valid.chars() {
                out.push(
                    c,
                    if c == '\u{FFFD}' {
                        WRITTEN_REPLACEMENT
                    } else {
                        c
                    },
                );
            }
        } else {
            out.push_str(valid);
        }
        any |= !valid.is_ascii();
        at += valid.len();
        for &orig in &chars[at..at + chunk.invalid().len()] {
            let c = match channels::cp1252_char(orig) {
                Some(c) if sloppy => c,
                _ => orig,
            };
            any |= c != orig;
            out.push(c, c);
        }
        at += chunk.invalid().len();
    }
    any.then_some(out)
}

/// CESU-8 (a supplementary character written as two UTF-8-encoded surrogates, as old Java
/// and MySQL did): ED A0–AF xx ED B0–BF xx.
fn cesu8_pair(bytes: &[Option<u8>]) -> Option<char> {
    if bytes.first() != Some(&Some(0xED)) {
        return None;
    }
    let mut b = [0u8; 6];
    for (k, x) in bytes.get(..6)?.iter().enumerate() {
        b[k] = (*x)?;
    }
    if b[0] != 0xED
        || !(0xA0..=0xAF).contains(&b[1])
        || b[3] != 0xED
        || !(0xB0..=0xBF).contains(&b[4])
    {
        return None;
    }
    if [b[2], b[5]].iter().any(|x| !(0x80..=0xBF).contains(x)) {
        return None;
    }
    let hi = 0xD000 | ((b[1] as u32 & 0x3F) << 6) | (b[2] as u32 & 0x3F);
    let lo = 0xD000 | ((b[4] as u32 & 0x3F) << 6) | (b[5] as u32 & 0x3F);
    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
}

fn utf8_seq_len(lead: Option<u8>) -> Option<usize> {
    match lead? {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs of common characters the scan notes apart join the candidates where they
    /// overlap none, and are not joined across a `?` to the run after it as a lossy reader's
    /// runs are ([`join_across_lost_bytes`]): Debian's iptables page has misaligned GBK read
    /// by such a reader, `ICMP?嘈停?蛘呤悄掣鲇擅?`, whose realignment begins at the second
    /// `?` and was lost when the common `嘈停` before it was joined to it.
    #[test]
    fn runs_noted_apart_are_weighed_beside_the_candidates_not_joined_to_them() {
        let text = "ICMP?嘈停?蛘呤悄 x 蚌癡";
        let candidates = join_across_lost_bytes(text, vec![(12, 21)]);
        assert_eq!(candidates, vec![(12, 21)]);
        assert_eq!(
            join_across_lost_bytes(text, vec![(5, 11), (12, 21)]),
            vec![(5, 21)]
        );
        assert_eq!(
            beside(candidates, vec![(5, 11), (24, 30)]),
            vec![(5, 11), (12, 21), (24, 30)]
        );
        // One that overlaps a candidate is left out.
        assert_eq!(beside(vec![(12, 21)], vec![(15, 21)]), vec![(12, 21)]);
        assert_eq!(beside(vec![], vec![(1, 2)]), vec![(1, 2)]);
    }

    /// A line lends its channel only where a reading through it of two characters or more
    /// wins its run on its own: not where it lost the run to a realignment (misaligned GBK
    /// that Big5 reads a little better than it stands), nor where it read one character.
    #[test]
    fn a_line_lends_only_the_channel_of_a_reading_that_wins_its_run() {
        let fix = |name: &'static str, start: usize, end: usize, margin: f32| Fix {
            name,
            chain: Chain::Described(String::new()),
            start,
            end,
            after: String::new(),
            margin,
            lost: 0,
            accepted: true,
            threshold: 3.0,
            doc_threshold: 3.0,
            sequence: false,
        };
        // Seed 004's photo credit in Big5 read as GBK, and a second line.
        let text = "紈う 尼紇:朝腳\n匡兜";
        let lent = |runs: &[Fixes]| lending_channel(text, runs).map(|ch| ch.name);
        let won: Fixes = smallvec::smallvec![fix("big5_as_gbk", 7, 13, 9.0)];
        assert_eq!(lent(std::slice::from_ref(&won)), Some("big5_as_gbk"));
        let lines = Lent::new(
            text,
            winners(text, std::slice::from_ref(&won), "big5_as_gbk"),
        );
        assert!(lines.holds(0) && lines.holds(14) && !lines.holds(text.len() - 1));
        // Along one endless line, only within reach of the reading.
        let long = format!("紈う 尼紇{}朝腳", " x".repeat(LEND_REACH));
        let far = Lent::new(&long, [(7, 13)].into_iter());
        assert!(far.holds(0) && far.holds(13 + LEND_REACH) && !far.holds(long.len() - 1));
        // The same reading, beaten in its run by a realignment.
        let lost: Fixes = smallvec::smallvec![
            fix("big5_as_gbk", 7, 13, 9.0),
            fix("gbk_misaligned", 7, 13, 20.0),
        ];
        assert_eq!(lent(&[lost]), None);
        // A reading of one character (`尼`) wins its run, and lends nothing.
        let one: Fixes = smallvec::smallvec![fix("big5_as_gbk", 7, 10, 9.0)];
        assert_eq!(lent(&[one]), None);
        // Nor does a channel that is not one double-byte code page read as another.
        let latin: Fixes = smallvec::smallvec![fix("utf8_as_cp1252", 7, 13, 9.0)];
        assert_eq!(lent(&[latin]), None);
    }

    fn fixed(s: &str) -> String {
        repair(s).0.into_owned()
    }

    /// The kinds of the repair records, in order.
    fn kinds(steps: &[Step]) -> Vec<&'static str> {
        steps
            .iter()
            .filter_map(|s| match s {
                Step::Repaired { fix, .. } => Some(*fix),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn running_text_speaks_for_chinese_read_as_another_cjk_code_page_only() {
        let channel = |name: &str| CHANNELS.iter().find(|c| c.name == name).expect(name);
        // Big5 read as GBK, read back.
        let gain = association_evidence(channel("big5_as_gbk"), "闽超跌怠", "關閉視窗");
        assert!(gain > 5.0, "{gain}");
        // Clean text's own words count against a reading.
        assert!(association_evidence(channel("gbk_as_big5"), "关闭视窗", "闽超跌怠") < -5.0);
        // (channel, text as it stands, reading) that running text does not speak for.
        for (name, span, after) in [
            // Kana as it stands, and a reading with another alphabet's letter.
            ("gbk_as_big5", "カンカン", "千秋千秋"),
            ("big5_as_gbk", "屈侥阑", "И衝擊"),
            // Latin as it stands (Czech `ěň` is GBK's Pinyin letters, read as Big5).
            ("big5_as_gbk", "ěň", "豆防"),
            // Channels whose original is not Chinese, or read one byte per character.
            ("euckr_as_gbk", "闽超跌怠", "關閉視窗"),
            ("big5_as_cp1252", "Ãö³¬", "關閉"),
        ] {
            assert_eq!(
                association_evidence(channel(name), span, after),
                0.0,
                "{span}"
            );
        }
    }

    #[test]
    fn latin_mojibake_with_bytes_a_strict_reader_lost() {
        // 发 is E5 8F 91; a strict windows-1252 reader turned 0x8F into U+FFFD. One of
        // five bytes fits; before 布 the model settles it as 发.
        assert_eq!(fixed("å\u{FFFD}‘å¸ƒ"), "发布");
        // Outside Han the model has no such evidence: č (C4 8D) stays lost.
        assert_eq!(fixed("SlovenÄ\u{FFFD}ina"), "Sloven\u{FFFD}ina");
    }

    #[test]
    fn thin_readings_wait_for_the_document_and_count_once_it_is_theirs() {
        // UDHR article 1 in GBK read as windows-1252, with its number: `第1条` leaves two
        // runs of two characters, `µÚ` and `Ìõ`, one CJK character each through GBK.
        let source = "第1条 人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心。";
        let (gbk, _, _) = encoding_rs::GBK.encode(source);
        let text = encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(&gbk)
            .0;
        let runs = badness::suspicious_runs(&text);
        let marks = LatinMarks::new();
        let first = runs[0];
        assert_eq!(&text[first.0..first.1], "µÚ");
        let gbk_as_cp1252 = 1
            << CHANNELS
                .iter()
                .position(|c| c.name == "gbk_as_cp1252")
                .unwrap();
        // Deferred, the reading is not even decoded; scored, it is refused on its own.
        let (fixes, deferred) = candidate_fixes(&text, first.0, first.1, &runs, true, &marks);
        assert!(fixes.iter().all(|f| f.name != "gbk_as_cp1252"));
        assert_ne!(deferred & gbk_as_cp1252, 0);
        let (fixes, deferred) = candidate_fixes(&text, first.0, first.1, &runs, false, &marks);
        let thin = fixes.iter().find(|f| f.name == "gbk_as_cp1252").unwrap();
        assert_eq!(
            (thin.after.as_str(), thin.accepted, deferred),
            ("第", false, 0)
        );
        // The sentence shows the document is GBK: the thin runs are read through it too.
        assert_eq!(fixed(&text), source);
        // A page of French has no such document: its `«`+NBSP runs lack from all four
        // double-byte code pages, and stay.
        assert_eq!(SpanClass::of("«\u{A0}").unencodable, 0b1111);
        let french = "Il a dit «\u{A0}non\u{A0}» deux fois.";
        assert_eq!(fixed(french), french);
    }

    #[test]
    fn a_japanese_text_keeps_its_words_beside_big5_lines_read_as_gbk() {
        // UDHR article 1 in Traditional Chinese, clause by clause, written in Big5 and read
        // as GBK (one clause a line), between copies of the article in Japanese and a line
        // that glues particles to identifiers: the garbled lines come back, and neither
        // `は` (a run the channel's sweep would read: Big5 `反` as GBK) nor `圧縮` (a
        // candidate run: `㇌窺`, 6 nats worse, within the larger bonus) is read through the
        // channel the garbled lines show.
        let ja = include_str!("../../fixtures/text/ja.txt").trim();
        let hant = include_str!("../../fixtures/text/zh_hant.txt");
        let clauses = hant
            .lines()
            .flat_map(|l| l.split(['，', '。', ';', ',', '、']))
            .filter(|c| !c.is_empty());
        let (mut input, mut expected) = (String::new(), String::new());
        for (k, clause) in clauses.enumerate() {
            let (big5, _, _) = encoding_rs::BIG5.encode(clause);
            let (garbled, _) = encoding_rs::GBK.decode_without_bom_handling(&big5);
            assert_ne!(garbled, clause);
            input += &format!("{garbled}\n");
            expected += &format!("{clause}\n");
            if k % 3 == 0 {
                let clean = format!("{ja}\nOKはFAILの値 (gzip 圧縮)\n");
                input += &clean;
                expected += &clean;
            }
        }
        let (out, steps) = repair(&input);
        assert_eq!(out, expected);
        assert!(kinds(&steps).iter().all(|&k| k == "big5_as_gbk"));
    }

    #[test]
    fn a_summary_records_each_change_of_kind_and_repairs_alike() {
        // Enough runs for a pass to weigh them and free them on the pool.
        let text = "cafÃ© and dÃ©jÃ  vu; 浣犲ソ; naÃ¯ve\n".repeat(300);
        let (every_text, every) = repair_with(&text, Records::Every);
        let (summary_text, summary) = repair_with(&text, Records::Summary);
        assert_eq!(every_text, "café and déjà vu; 你好; naïve\n".repeat(300));
        assert_eq!(summary_text, every_text);
        assert_eq!(every.len(), 1500);
        let mut folded = kinds(&every);
        folded.dedup();
        assert_eq!(kinds(&summary), folded);
        // Four through windows-1252 and one through GBK a line: A G A G … A.
        assert_eq!(folded.len(), 601);
    }

    #[test]
    fn a_long_text_is_repaired_in_segments_as_if_whole() {
        // Over a megabyte: four segments, each cut after a line end.
        let line = "cafÃ© and dÃ©jÃ  vu; 浣犲ソ; 锟斤拷 naÃ¯ve\n";
        let text = line.repeat(1_100_000 / line.len());
        let parts = segments(&text);
        assert_eq!(parts.len(), 4);
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| p.ends_with('\n')));
        assert!(parts[..3].iter().all(|p| p.len() >= SEGMENT));
        let lines = text.len() / line.len();
        let (every_text, every) = repair_with(&text, Records::Every);
        assert_eq!(
            every_text,
            "café and déjà vu; 你好; 锟斤拷 naïve\n".repeat(lines)
        );
        // The records, replayed in order on the text as it was, give the repaired text: each
        // segment's offsets were shifted by the repaired text before it.
        let mut replayed = text.clone();
        for step in &every {
            if let Step::Repaired {
                start, len, after, ..
            } = step
            {
                replayed.replace_range(*start..*start + *len, after);
            }
        }
        assert_eq!(replayed, every_text);
        // One loss record for the whole text, its count summed over the segments, at the
        // end (where a repair of the whole puts it).
        let losses: Vec<&Step> = every
            .iter()
            .filter(|s| matches!(s, Step::LossMarked { .. }))
            .collect();
        assert_eq!(losses.len(), 1);
        assert!(
            matches!(every.last(), Some(Step::LossMarked { count, at, .. })
            if *count == lines && at[1] - at[0] == every_text.len() / lines)
        );
        // A summary folds the repeats where two segments meet: one record per change of
        // kind, as from the records of every repair.
        let (summary_text, summary) = repair_with(&text, Records::Summary);
        assert_eq!(summary_text, every_text);
        let mut folded = kinds(&every);
        folded.dedup();
        assert_eq!(kinds(&summary), folded);
        // Clean text comes back borrowed.
        let clean = "中文与 ASCII 的一行。\n".repeat(40_000);
        assert!(matches!(repair(&clean).0, Cow::Borrowed(_)));
    }

    #[test]
    fn readings_that_cannot_count_are_known_before_decoding() {
        let channel = |name: &str| CHANNELS.iter().position(|c| c.name == name).unwrap();
        let (cp1252, cp1250, macroman) = (
            channel("utf8_as_cp1252"),
            channel("utf8_as_cp1250"),
            channel("utf8_as_macroman"),
        );
        for (run, ch, may) in [
            // Czech letter pairs: F8 ED, E8 ED (a three-byte lead last, two bytes short).
            ("ří", cp1250, false),
            ("čí", cp1250, false),
            ("ř", cp1252, false),
            // A lead and a continuation; a lead and a lost byte.
            ("Ã©", cp1252, true),
            ("Ã\u{FFFD}", cp1252, true),
            ("Ä›", cp1250, true),
            // One byte short at the end: the space or `?` after the run may complete it,
            // nothing else can.
            ("Ã ", cp1252, true),
            ("à¸?", cp1252, true),
            ("ä»?", cp1252, true),
            ("Ãx", cp1252, false),
            ("Ã", cp1252, false),
            // A lead and fewer continuations than it needs (`íš` is ED 9A), with nothing
            // after the run to complete it.
            ("íš", cp1250, false),
            ("íšx", cp1250, false),
            ("íš?", cp1250, true),
            ("ä¸\u{AD}", cp1252, true),
            // Two bytes short, or nothing that leads (MacRoman's `«` is C7, NBSP CA).
            ("ä ", cp1252, false),
            ("«\u{A0}", cp1252, false),
            ("«\u{A0}x", macroman, false),
            // MacRoman's `»` is C8: a space after it would be C8 A0, `Ƞ`, which no word
            // is made of (only a few leads are: `à`, `Š`, `Р`…).
            ("\u{A0}» ", macroman, false),
            ("\u{A0}»?", macroman, true),
        ] {
            // The run is the non-ASCII characters; what follows is the character after it.
            let split = run.find(|c: char| c.is_ascii()).unwrap_or(run.len());
            let (run, next) = (&run[..split], run[split..].chars().next());
            assert_eq!(
                sequence_channels(run, next, CHANNEL_KINDS.sequence_wise) & 1 << ch != 0,
                may,
                "{run:?} through {}",
                CHANNELS[ch].name
            );
        }
        // A long run is read channel by channel, a short one all at once: the same sets.
        for run in [
            "ří",
            "íš",
            "Ã©",
            "Ã\u{FFFD}",
            "ä¸\u{AD}æ–‡",
            "\u{A0}»",
            "Ä›ĹˇÄŤĹ™Ĺľ",
            "Ã©Ã¨Ã Ã¹Ã¢ÃªÃ®Ã´Ã»Ã§Ã«Ã¯Ã¼Ã¿Å“Ã¦Ã‰",
            "Ð¡Ð¿Ð°Ñ\u{81}Ð¸Ð±Ð¾ Ð·Ð° Ð²Ð½Ð¸Ð¼Ð°Ð½Ð¸Ðµ",
            "浣犲ソ锛屼笘鐣",
            "ěščřžýáíéůúťďňó",
        ] {
            let (at_once, short) = sequences_at_once(run);
            assert_eq!(
                (
                    at_once & CHANNEL_KINDS.sequence_wise,
                    short & !at_once & CHANNEL_KINDS.sequence_wise
                ),
                sequences_one_by_one(run, CHANNEL_KINDS.sequence_wise),
                "{run:?}"
            );
        }
        // Only readings of UTF-8 one byte per character are in the set.
        assert_eq!(
            sequence_channels("Ã©ä¸\u{AD}", None, !0) & !CHANNEL_KINDS.sequence_wise,
            0
        );
        // What a run is made of: `ří` is no double-byte decoder's output, nor (with `ř`)
        // windows-1252's; its `í` is a lead byte (ED) there.
        let names = |set: ChannelSet| -> Vec<&str> {
            (0..CHANNELS.len())
                .filter(|k| set & 1 << k != 0)
                .map(|k| CHANNELS[k].name)
                .collect()
        };
        assert_eq!(
            names(SpanClass::of("ří").allowed()),
            [
                "utf8_as_cp1252",
                "utf8_as_cp1251",
                "utf8_as_cp1250",
                "utf8_as_macroman",
                "utf8_as_iso8859_2",
                "utf8_as_cp1257",
                "utf8_as_cp437"
            ]
        );
        assert!(names(SpanClass::of("ÄãºÃ").allowed()).contains(&"gbk_as_cp1252"));
        assert!(names(SpanClass::of("浣犲ソ").allowed()).contains(&"utf8_as_gbk"));
        // `«` is in none of the double-byte code pages.
        assert!(!names(SpanClass::of("«浣").allowed()).contains(&"utf8_as_gbk"));
        // Double-byte text read as windows-1252 that can make two CJK characters or more,
        // its bytes paired as the decoder pairs them.
        for (span, original, two) in [
            // Czech `ží` (9E ED), French `«`+NBSP (AB A0): one pair at most.
            ("ží", encoding_rs::GBK, false),
            ("ží", encoding_rs::SHIFT_JIS, false),
            ("«\u{A0}", encoding_rs::BIG5, false),
            // Shift_JIS makes a katakana of AB, and a character of A0 in no code page.
            ("«\u{A0}", encoding_rs::SHIFT_JIS, false),
            ("««", encoding_rs::SHIFT_JIS, true),
            // A lead takes an ASCII trail byte in range (`Ä` `ã` is C4 E3, `ºÃ` BA C3).
            ("ÄãºÃ", encoding_rs::GBK, true),
            ("Äa", encoding_rs::GBK, false),
            ("ÄaÄa", encoding_rs::GBK, true),
            ("Ä Ä ", encoding_rs::GBK, false),
            // EUC-KR's trail bytes below 0x80 are letters; GB18030's four-byte form starts
            // with a digit.
            ("Ä@Ä@", encoding_rs::EUC_KR, false),
            ("Ä@Ä@", encoding_rs::BIG5, true),
            ("Ä1Ä1", encoding_rs::GBK, true),
        ] {
            assert_eq!(
                !at_most_one_cjk(span, original),
                two,
                "{span:?} as {}",
                original.name()
            );
        }
        // Double-byte channels: not for a run with a Latin letter no double-byte set has.
        for (run, wide) in [
            ("ří", false),
            ("čí", false),
            ("ǎě", true),
            ("ł", true),
            ("中文", true),
        ] {
            assert_eq!(SpanClass::of(run).wide, wide, "{run}");
        }
    }

    #[test]
    fn a_loss_explains_only_the_bytes_beside_it() {
        const L: u8 = channels::LOST_BYTE;
        // 你 (E4 BD A0) with its last byte lost, then 好: a sequence cut short before it.
        assert!(invalid_only_beside_losses(&[
            0xE4, 0xBD, L, 0xE5, 0xA5, 0xBD
        ]));
        // Its lead lost: continuation bytes after the loss.
        assert!(invalid_only_beside_losses(&[L, 0xBD, 0xA0, b'a']));
        // 檔 as GBK (99 6E) before the loss: a stray continuation byte away from it.
        assert!(!invalid_only_beside_losses(&[0x99, 0x6E, L]));
        // A sequence cut short with no loss after it.
        assert!(!invalid_only_beside_losses(&[L, b'a', 0xE4, 0xBD]));
    }

    #[test]
    fn decode_one_accepts_exactly_one_valid_sequence() {
        // Against the standard library, for every sequence of one or two bytes and every
        // three- and four-byte one with a lead from the edges of each range.
        let std_one = |seq: &[u8]| {
            let s = std::str::from_utf8(seq).ok()?;
            let mut it = s.chars();
            it.next().filter(|_| it.next().is_none())
        };
        let mut seqs: Vec<Vec<u8>> = (0..=255u8).map(|a| vec![a]).collect();
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                seqs.push(vec![a, b]);
            }
        }
        for a in [0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF4, 0xF5, 0xC2, 0x7F] {
            for b in 0x70..=0xC5u8 {
                for c in [0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0] {
                    seqs.push(vec![a, b, c]);
                    for d in [0x7F, 0x80, 0xBF, 0xC0] {
                        seqs.push(vec![a, b, c, d]);
                    }
                }
            }
        }
        for seq in seqs {
            assert_eq!(decode_one(&seq), std_one(&seq), "{seq:02X?}");
        }
    }

    #[test]
    fn a_long_text_settles_on_its_channel_and_still_reads_a_run_of_another() {
        // UDHR article 1 in Russian, windows-1251 read as windows-1252, over and over: past
        // the sample its runs are read through windows-1251 alone. A line of Chinese, UTF-8
        // read as windows-1252, after the sample (which windows-1251 cannot read) is read
        // through every channel, as before.
        let russian = include_str!("../../fixtures/text/ru.txt").trim_end();
        let chinese = "人人生而自由，在尊严和权利上一律平等。";
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(russian);
        let garbled = encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(&cp1251)
            .0;
        let mojibake = encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(chinese.as_bytes())
            .0;
        let lines = 200;
        let mut text = String::new();
        let mut want = String::new();
        for i in 0..lines {
            if i == lines - 10 {
                text.push_str(&mojibake);
                text.push('\n');
                want.push_str(chinese);
                want.push('\n');
            }
            text.push_str(&garbled);
            text.push('\n');
            want.push_str(russian);
            want.push('\n');
        }
        let runs = badness::suspicious_runs(&text);
        assert!(runs.len() >= SETTLING_MIN_RUNS, "{} runs", runs.len());
        let (out, steps) = repair(&text);
        assert_eq!(out, want);
        let fixes: std::collections::BTreeSet<&str> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Repaired { fix, .. } => Some(*fix),
                _ => None,
            })
            .collect();
        assert_eq!(
            fixes,
            ["cp1251_as_cp1252", "utf8_as_cp1252"].into_iter().collect()
        );
    }

    #[test]
    fn latin_mojibake() {
        assert_eq!(fixed("cafÃ©"), "café");
        assert_eq!(fixed("donâ€™t"), "don’t");
        assert_eq!(fixed("æ–‡å\u{AD}—"), "文字");
    }

    #[test]
    fn utf8_read_as_gbk() {
        assert_eq!(fixed("浣犲ソ"), "你好");
        assert_eq!(fixed("鍚嶇О"), "名称");
    }

    #[test]
    fn gbk_read_as_latin1() {
        assert_eq!(fixed("ÄãºÃ£¬ÊÀ½ç"), "你好，世界");
    }

    #[test]
    fn a_long_line_of_double_byte_pairs_is_repaired_in_bounded_spans() {
        // UDHR Article 1 in Big5, its ASCII dropped and repeated into one 24 kB line, read
        // as windows-1252: every character is a lead and its trail, so without a limit each
        // of the thousands of runs reached the end of the line (quadratic time and memory).
        let udhr: String = include_str!("../../fixtures/text/zh_hant.txt")
            .lines()
            .next()
            .expect("a line")
            .chars()
            .filter(|c| !c.is_ascii())
            .collect();
        let (big5, _, bad) = encoding_rs::BIG5.encode(&udhr);
        assert!(!bad);
        let bytes = big5.repeat(24_000 / big5.len());
        let (garbled, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
        let (out, steps) = repair(&garbled);
        let longest = steps
            .iter()
            .filter_map(|s| match s {
                Step::Repaired { len, .. } => Some(*len),
                _ => None,
            })
            .max()
            .expect("repairs");
        assert!(longest < 2_048, "a span of {longest} bytes");
        let expected = udhr.repeat(24_000 / big5.len());
        let wrong = out
            .chars()
            .zip(expected.chars())
            .filter(|(a, b)| a != b)
            .count();
        assert!(
            wrong * 100 < expected.chars().count(),
            "{wrong} characters differ"
        );
    }

    #[test]
    fn clean_text_is_untouched() {
        for s in [
            "café",
            "São Paulo",
            "naïve",
            "你好，世界。",
            "Привет, мир",
            "日本語のテキスト",
            "한국어 텍스트",
        ] {
            assert_eq!(fixed(s), s);
        }
    }
}
