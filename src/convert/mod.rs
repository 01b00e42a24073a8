//! OpenCC conversion (Traditional ⇄ Simplified and regional variants) with OpenCC 1.4.2's
//! own dictionaries and algorithm: the config's normalization stage, then its optional
//! maximum-match segmentation, then its chain of dictionary groups, each pass matching
//! forward-longest inside one segment. Output is identical to OpenCC's library (which, like
//! OpenCC's test suite and Python API, includes the "tofu risk" dictionaries; OpenCC's
//! command line needs `--include-tofu-risk-dictionaries` for the same output).
//!
//! ```
//! let t2s = mojifix::convert::Converter::new("t2s").unwrap();
//! assert_eq!(t2s.convert("黨建三創新經驗交流"), "党建三创新经验交流");
//! ```

mod dict;
pub(crate) mod trie;

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::Value;

pub use dict::{shinjitai_pairs, simplified_only, t2s_candidates, t2s_char, t2s_pairs};
use trie::{Changes, Level};

use crate::error::{Error, Result};

/// Every OpenCC configuration mojifix knows, in OpenCC's naming.
pub const CONFIGS: &[&str] = &[
    "s2t", "t2s", "s2tw", "tw2s", "s2twp", "tw2sp", "s2hk", "hk2s", "s2hkp", "hk2sp", "t2tw",
    "tw2t", "t2hk", "hk2t", "t2jp", "jp2t",
];

/// Compiled configs, shared by every converter of the process.
type Cache = Vec<(&'static str, Arc<Compiled>)>;

struct Compiled {
    normalization: Vec<Level>,
    segmentation: Option<Level>,
    chain: Vec<Level>,
}

/// A ready-to-use OpenCC converter for one configuration, plus optional user phrases.
#[derive(Clone)]
pub struct Converter {
    name: &'static str,
    compiled: Arc<Compiled>,
    user: Option<Arc<Level>>,
}

impl std::fmt::Debug for Converter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converter")
            .field("name", &self.name)
            .field("user", &self.user.is_some())
            .finish()
    }
}

/// The result of converting a text.
#[derive(Debug)]
pub struct Converted<'a> {
    /// The converted text (borrowed when nothing changed).
    pub text: Cow<'a, str>,
    /// Dictionary matches that changed something, over all passes.
    pub phrases: usize,
    /// Characters covered by those matches, over all passes.
    pub chars: usize,
    /// Byte offsets of the first changes (in the input for the first pass that changed).
    pub at: Vec<usize>,
}

impl Converter {
    /// The converter for OpenCC configuration `name` (`t2s`, `s2twp`, …; `.json` optional).
    /// Dictionaries are compiled once per process and shared.
    pub fn new(name: &str) -> Result<Converter> {
        let name = name.trim_end_matches(".json");
        let Some(&canon) = CONFIGS.iter().find(|c| **c == name) else {
            return Err(Error::UnknownConversion(
                name.to_string(),
                CONFIGS.join(", "),
            ));
        };
        static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(Vec::new()));
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        let compiled = match cache.iter().find(|(n, _)| *n == canon) {
            Some((_, c)) => Arc::clone(c),
            None => {
                let c = Arc::new(compile(canon));
                cache.push((canon, Arc::clone(&c)));
                c
            }
        };
        Ok(Converter {
            name: canon,
            compiled,
            user: None,
        })
    }

    /// Compiles a configuration's dictionaries without the process-wide cache (for
    /// measuring start-up). Returns the number of dictionary groups built.
    pub fn compile_uncached(name: &str) -> Result<usize> {
        let Some(&canon) = CONFIGS.iter().find(|c| **c == name) else {
            return Err(Error::UnknownConversion(
                name.to_string(),
                CONFIGS.join(", "),
            ));
        };
        let c = compile(canon);
        Ok(c.normalization.len() + c.chain.len() + usize::from(c.segmentation.is_some()))
    }

    /// The configuration's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Adds user phrases (`from<TAB>to` per line; `#` comments and blank lines ignored).
    /// They take precedence over every OpenCC dictionary: a user phrase is matched first
    /// (longest wins) and its value is written as given, not converted further.
    pub fn with_user_dict(mut self, path: &Path) -> Result<Converter> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text: &'static str = Box::leak(text.into_boxed_str());
        let mut map = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('\t') {
                Some((k, v)) if !k.is_empty() && !v.contains('\t') => {
                    map.push((k, v.split(' ').next().unwrap_or(v)))
                }
                _ => {
                    return Err(Error::BadDictionary {
                        path: path.to_path_buf(),
                        line: i + 1,
                    })
                }
            }
        }
        self.user = Some(Arc::new(Level::build(&[map])));
        Ok(self)
    }

    /// Converts `text`; borrowed when nothing changed.
    pub fn convert<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.convert_counted(text).text
    }

    /// Converts `text` and says what changed.
    pub fn convert_counted<'a>(&self, text: &'a str) -> Converted<'a> {
        let mut changes = Changes::default();
        let text = match &self.user {
            None => self.convert_plain(text, &mut changes),
            Some(user) => {
                // User phrases first; the text between them goes through OpenCC.
                let mut out = String::with_capacity(text.len());
                let mut changed = false;
                let mut last = 0;
                let mut i = 0;
                while i < text.len() {
                    let c = text[i..].chars().next().expect("in bounds");
                    if user.starts_key(c) {
                        if let Some(trie::Match { end, value, same }) =
                            user.match_at(text, i, text.len())
                        {
                            let before = self.convert_plain(&text[last..i], &mut changes);
                            out.push_str(&before);
                            out.push_str(value);
                            if !same {
                                changes.phrases += 1;
                                changes.chars += text[i..end].chars().count();
                                crate::step::note_position(&mut changes.at, i);
                            }
                            changed = true;
                            i = end;
                            last = end;
                            continue;
                        }
                    }
                    i += c.len_utf8();
                }
                if changed {
                    let rest = self.convert_plain(&text[last..], &mut changes);
                    out.push_str(&rest);
                    if out == text {
                        Cow::Borrowed(text)
                    } else {
                        Cow::Owned(out)
                    }
                } else {
                    self.convert_plain(text, &mut changes)
                }
            }
        };
        Converted {
            text,
            phrases: changes.phrases,
            chars: changes.chars,
            at: changes.at,
        }
    }

    fn convert_plain<'a>(&self, text: &'a str, changes: &mut Changes) -> Cow<'a, str> {
        let c = &*self.compiled;
        let mut cur: Cow<'a, str> = Cow::Borrowed(text);
        for level in &c.normalization {
            cur = run_level(level, cur, changes);
        }
        match &c.segmentation {
            None => {
                for level in &c.chain {
                    cur = run_level(level, cur, changes);
                }
                cur
            }
            Some(seg) => {
                let mut out = String::with_capacity(cur.len() + cur.len() / 8);
                let mut changed = false;
                for (s, e) in segments(seg, &cur) {
                    let mut piece: Cow<str> = Cow::Borrowed(&cur[s..e]);
                    for level in &c.chain {
                        piece = run_level(level, piece, changes);
                    }
                    changed |= matches!(piece, Cow::Owned(_));
                    out.push_str(&piece);
                }
                if changed {
                    Cow::Owned(out)
                } else {
                    cur
                }
            }
        }
    }
}

fn run_level<'a>(level: &Level, text: Cow<'a, str>, changes: &mut Changes) -> Cow<'a, str> {
    let mut out = String::new();
    if level.convert_range(&text, 0, text.len(), &mut out, changes, 0) {
        Cow::Owned(out)
    } else {
        text
    }
}

/// OpenCC's MaxMatchSegmentation: every matched key is a segment of its own; runs of
/// unmatched characters (and whole IDS sequences) are joined into one segment.
fn segments(seg: &Level, text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut run_start = 0;
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().expect("in bounds");
        if seg.starts_key(c) {
            if let Some(trie::Match { end, .. }) = seg.match_at(text, i, text.len()) {
                if run_start < i {
                    out.push((run_start, i));
                }
                out.push((i, end));
                i = end;
                run_start = end;
                continue;
            }
        }
        i += c.len_utf8() + trie::ids_extra(text, i, text.len());
    }
    if run_start < text.len() {
        out.push((run_start, text.len()));
    }
    out
}

fn compile(name: &str) -> Compiled {
    let (_, json) = dict::CONFIG_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .expect("every name in CONFIGS has a config");
    let doc: Value = serde_json::from_str(json).expect("embedded OpenCC config is valid JSON");
    let chain_of = |key: &str| -> Vec<Level> {
        doc.get(key)
            .and_then(Value::as_array)
            .map(|arr| {
                arr.iter()
                    .map(|item| Level::build(&group_maps(&item["dict"])))
                    .collect()
            })
            .unwrap_or_default()
    };
    Compiled {
        normalization: chain_of("normalization"),
        segmentation: doc
            .get("segmentation")
            .map(|s| Level::build(&group_maps(&s["dict"]))),
        chain: chain_of("conversion_chain"),
    }
}

/// A dictionary spec → the maps of one short-circuit level, in precedence order. A union
/// group becomes one merged map (earlier members first, so equal-length ties go to them).
fn group_maps(spec: &Value) -> Vec<Vec<(&'static str, &'static str)>> {
    match spec["type"].as_str() {
        Some("group") if spec["match_policy"].as_str() == Some("union") => {
            vec![group_maps_flat(spec)]
        }
        Some("group") => spec["dicts"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|d| {
                if d["type"].as_str() == Some("group")
                    && d["match_policy"].as_str() != Some("union")
                {
                    group_maps(d)
                } else {
                    vec![group_maps_flat(d)]
                }
            })
            .collect(),
        _ => vec![group_maps_flat(spec)],
    }
}

fn group_maps_flat(spec: &Value) -> Vec<(&'static str, &'static str)> {
    if spec["type"].as_str() == Some("group") {
        return spec["dicts"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(group_maps_flat)
            .collect();
    }
    let file = spec["file"].as_str().unwrap_or_default();
    let stem = file.trim_end_matches(".ocd2").trim_end_matches(".txt");
    dict::dict(stem)
        .map(|d| {
            d.entries
                .iter()
                .map(|&(k, v)| (k, v.split(' ').next().unwrap_or(v)))
                .collect()
        })
        .unwrap_or_default()
}
