//! OpenCC's dictionaries and configs, embedded as text (data/opencc, generated from the
//! OpenCC 1.4.2 source distribution by scripts/gen_opencc.py) and parsed once on first use.
//! A dictionary maps a key (a phrase or one character) to its candidates; conversion uses
//! the first candidate, as OpenCC does, and the repair engine uses all of them.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

macro_rules! dicts {
    ($($name:literal),* $(,)?) => {
        /// (file stem, contents) of every embedded dictionary.
        static DICT_FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../data/opencc/dict/", $name, ".txt")))),*
        ];
    };
}

dicts!(
    "CJK_Compatibility_Ideographs",
    "HKPhrases",
    "HKPhrasesRev",
    "HKVariants",
    "HKVariantsPhrases",
    "HKVariantsRev",
    "HKVariantsRevPhrases",
    "JPShinjitaiCharacters",
    "JPShinjitaiCharactersRev",
    "JPShinjitaiPhrases",
    "STCharacters",
    "STPhrases",
    "STPhrases_GeneratedFromRegionalPhrases",
    "TSCharacters",
    "TSCharactersExt",
    "TSPhrases",
    "TWPhrases",
    "TWPhrasesRev",
    "TWVariants",
    "TWVariantsPhrases",
    "TWVariantsRev",
    "TWVariantsRevPhrases",
);

macro_rules! configs {
    ($($name:literal),* $(,)?) => {
        /// (config name, JSON) of every OpenCC configuration.
        pub(crate) static CONFIG_FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../data/opencc/config/", $name, ".json")))),*
        ];
    };
}

configs!(
    "s2t", "t2s", "s2tw", "tw2s", "s2twp", "tw2sp", "s2hk", "hk2s", "s2hkp", "hk2sp", "t2tw",
    "tw2t", "t2hk", "hk2t", "t2jp", "jp2t",
);

/// One parsed dictionary: entries in file order (key, candidates).
pub struct Dict {
    /// (key, candidates separated by single spaces)
    pub entries: Vec<(&'static str, &'static str)>,
}

impl Dict {
    fn parse(text: &'static str) -> Dict {
        let entries = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once('\t'))
            .map(|(k, v)| (k, v.trim_end_matches('\r')))
            .collect();
        Dict { entries }
    }
}

/// The dictionary whose file stem is `name` (an OpenCC `.ocd2` name with the suffix dropped).
pub fn dict(name: &str) -> Option<&'static Dict> {
    static CELLS: LazyLock<Vec<OnceLock<Dict>>> =
        LazyLock::new(|| DICT_FILES.iter().map(|_| OnceLock::new()).collect());
    let i = DICT_FILES.iter().position(|(n, _)| *n == name)?;
    Some(CELLS[i].get_or_init(|| Dict::parse(DICT_FILES[i].1)))
}

/// The one character `s` is, if it is one.
fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    it.next().filter(|_| it.next().is_none())
}

/// The entries of the embedded dictionary `name` whose key is one character, each with
/// the values that are one character, in order.
fn char_entries(name: &str) -> impl Iterator<Item = (char, Vec<char>)> {
    dict(name)
        .expect("embedded")
        .entries
        .iter()
        .filter_map(|&(k, v)| {
            Some((
                single_char(k)?,
                v.split(' ').filter_map(single_char).collect(),
            ))
        })
}

/// Single-character Traditional → Simplified candidates (TSCharacters), all of them.
static TS_CHARS: LazyLock<HashMap<char, Vec<char>>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (c, cands) in char_entries("TSCharacters") {
        if !cands.is_empty() {
            map.entry(c).or_insert(cands);
        }
    }
    map
});

/// The Simplified form OpenCC's TSCharacters gives first for `c`, if it lists `c`.
pub fn t2s_char(c: char) -> Option<char> {
    TS_CHARS.get(&c).map(|v| v[0])
}

/// Every Simplified candidate TSCharacters lists for `c` (empty if none).
pub fn t2s_candidates(c: char) -> &'static [char] {
    TS_CHARS.get(&c).map_or(&[], |v| v.as_slice())
}

/// The characters only Simplified Chinese writes: those STCharacters gives Traditional
/// forms for, none of them the character itself (`辩` → `辯`, `复` → `復 複 覆`; not `干` →
/// `幹 乾 干 榦`, which Traditional writes too).
static SIMPLIFIED_ONLY: LazyLock<std::collections::HashSet<char>> = LazyLock::new(|| {
    char_entries("STCharacters")
        .filter_map(|(c, traditional)| (!traditional.contains(&c)).then_some(c))
        .collect()
});

/// Whether only Simplified Chinese writes `c` ([`SIMPLIFIED_ONLY`]).
pub fn simplified_only(c: char) -> bool {
    SIMPLIFIED_ONLY.contains(&c)
}

/// Every (Traditional, first Simplified candidate) pair of TSCharacters.
pub fn t2s_pairs() -> impl Iterator<Item = (char, char)> {
    TS_CHARS.iter().map(|(&t, v)| (t, v[0]))
}

/// Every (Japanese shinjitai, Traditional form) pair of OpenCC's JPShinjitaiCharacters whose
/// Traditional form differs (`値` → `値 值` gives `值`; `図` → `圖`).
pub fn shinjitai_pairs() -> impl Iterator<Item = (char, char)> {
    char_entries("JPShinjitaiCharacters")
        .filter_map(|(j, traditional)| Some((j, traditional.into_iter().find(|&t| t != j)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_simplified_chinese_writes_some_characters() {
        // Traditional writes 辯, 復 複 覆, 滾; it writes 干 and 出 too, and 律 is both.
        for c in ['辩', '复', '滚'] {
            assert!(simplified_only(c), "{c}");
        }
        for c in ['干', '出', '律', '辯'] {
            assert!(!simplified_only(c), "{c}");
        }
    }
}
