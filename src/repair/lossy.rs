//! Loss markers: text that only says data was lost. `锟斤拷` is two U+FFFD (EF BF BD) read
//! as GBK; `烫烫` and `屯屯` are uninitialised MSVC stack (0xCC) and heap (0xCD) read as GBK.
//! They are reported, never removed and never "repaired" into text that was not there.

use crate::step::{note_position, Step};

pub(crate) const MARKERS: &[(&str, &str)] =
    &[("锟斤拷", "锟斤拷"), ("烫烫", "烫烫"), ("屯屯", "屯屯")];

/// Appends a [`Step::LossMarked`] for each kind of marker found in `text`.
pub fn report_markers(text: &str, steps: &mut Vec<Step>) {
    for &(pat, name) in MARKERS {
        let mut count = 0;
        let mut at = Vec::new();
        let mut from = 0;
        let finder = memchr::memmem::Finder::new(pat);
        while let Some(i) = finder.find(&text.as_bytes()[from..]) {
            let pos = from + i;
            count += 1;
            note_position(&mut at, pos);
            // A run counts once.
            let mut end = pos + pat.len();
            let unit = &pat[..pat.chars().next().map_or(0, char::len_utf8)];
            while text[end..].starts_with(unit) || text[end..].starts_with(pat) {
                end += if text[end..].starts_with(pat) {
                    pat.len()
                } else {
                    unit.len()
                };
            }
            from = end;
        }
        if count > 0 {
            steps.push(Step::LossMarked {
                marker: name,
                count,
                at,
            });
        }
    }
}
