//! One OpenCC dictionary group compiled into a character trie. OpenCC's semantics, exactly:
//! at each position the *first* dictionary of a short-circuit group that has any key
//! starting there wins, with its longest key (a union group is merged into one dictionary:
//! its longest key wins, ties to the earlier member); where nothing matches, one character
//! (or one whole ideographic description sequence) is copied. Root transitions are a dense
//! table over the BMP so that the common case, a character that starts no key, costs one
//! array read.

use rustc_hash::FxHashMap;

/// Most dictionaries in one short-circuit group (OpenCC's largest has 3).
pub const MAX_MAPS: usize = 8;

#[derive(Clone, Copy, Default)]
struct Node {
    term_start: u32,
    term_len: u8,
    has_children: bool,
}

/// `root_fast` values: no key starts with the character…
const NO_KEY: u32 = 0;
/// …a longer key may start here, walk the trie…
const WALK: u32 = 1;
/// …or the character is a key of its own and nothing longer: `LEAF + term index`.
const LEAF: u32 = 2;

/// A compiled dictionary group.
pub struct Level {
    /// Per BMP code point: NO_KEY, WALK or LEAF + term (the common case in one read).
    root_fast: Vec<u32>,
    /// Per term: the value equals the key (a mapping that changes nothing).
    identity: Vec<bool>,
    root_dense: Vec<u32>,
    root_astral: FxHashMap<u32, u32>,
    edges: FxHashMap<(u32, u32), u32>,
    nodes: Vec<Node>,
    terms: Vec<(u8, &'static str)>,
}

/// What a conversion pass changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Matches whose value differs from the key.
    pub phrases: usize,
    /// Characters of input covered by those matches.
    pub chars: usize,
    /// Byte offsets (in this pass's input) of the first changes.
    pub at: Vec<usize>,
}

impl Level {
    /// Compiles `maps`, in precedence order; each map is (key, value) pairs, first wins.
    pub fn build(maps: &[Vec<(&'static str, &'static str)>]) -> Level {
        assert!(maps.len() <= MAX_MAPS, "too many dictionaries in one group");
        let mut root_dense = vec![0u32; 0x10000];
        let mut root_astral = FxHashMap::default();
        let mut edges: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        let mut has_children = vec![false];
        let mut node_terms: Vec<Vec<(u8, &'static str)>> = vec![Vec::new()];
        for (m, map) in maps.iter().enumerate() {
            for &(key, value) in map {
                let mut node = 0u32;
                for (depth, c) in key.chars().enumerate() {
                    let cp = c as u32;
                    let existing = if depth == 0 {
                        if cp < 0x10000 {
                            root_dense[cp as usize]
                        } else {
                            root_astral.get(&cp).copied().unwrap_or(0)
                        }
                    } else {
                        edges.get(&(node, cp)).copied().unwrap_or(0)
                    };
                    let next = if existing != 0 {
                        existing
                    } else {
                        let id = node_terms.len() as u32;
                        node_terms.push(Vec::new());
                        has_children.push(false);
                        if depth == 0 {
                            if cp < 0x10000 {
                                root_dense[cp as usize] = id;
                            } else {
                                root_astral.insert(cp, id);
                            }
                        } else {
                            edges.insert((node, cp), id);
                        }
                        id
                    };
                    has_children[node as usize] = true;
                    node = next;
                }
                if node != 0 {
                    let terms = &mut node_terms[node as usize];
                    if !terms.iter().any(|&(mm, _)| mm as usize == m) {
                        terms.push((m as u8, value));
                    }
                }
            }
        }
        let mut nodes = Vec::with_capacity(node_terms.len());
        let mut terms = Vec::new();
        let mut root_fast = vec![NO_KEY; 0x10000];
        for (cp, &node) in root_dense.iter().enumerate() {
            if node != 0 {
                let n = node as usize;
                root_fast[cp] = if !has_children[n] && node_terms[n].len() == 1 {
                    // Filled in below, once the term's index is known.
                    LEAF
                } else {
                    WALK
                };
            }
        }
        for (i, t) in node_terms.into_iter().enumerate() {
            nodes.push(Node {
                term_start: terms.len() as u32,
                term_len: t.len() as u8,
                has_children: has_children[i],
            });
            terms.extend(t);
        }
        for (cp, slot) in root_fast.iter_mut().enumerate() {
            if *slot == LEAF {
                *slot = LEAF + nodes[root_dense[cp] as usize].term_start;
            }
        }
        let identity = {
            // A term's key is the path to its node; only single-character keys are checked
            // here, the fast path's case.
            let mut id = vec![false; terms.len()];
            for (cp, &f) in root_fast.iter().enumerate() {
                if f >= LEAF {
                    let t = (f - LEAF) as usize;
                    let mut buf = [0u8; 4];
                    id[t] = char::from_u32(cp as u32)
                        .is_some_and(|c| terms[t].1 == c.encode_utf8(&mut buf));
                }
            }
            id
        };
        Level {
            root_fast,
            identity,
            root_dense,
            root_astral,
            edges,
            nodes,
            terms,
        }
    }

    #[inline]
    fn root(&self, c: char) -> u32 {
        let cp = c as u32;
        if cp < 0x10000 {
            self.root_dense[cp as usize]
        } else {
            self.root_astral.get(&cp).copied().unwrap_or(0)
        }
    }

    /// Whether some key starts with `c`.
    #[inline]
    pub fn starts_key(&self, c: char) -> bool {
        self.root(c) != 0
    }

    /// OpenCC's prefix match at `text[at..end]`: (end of the key, value).
    pub fn match_at(&self, text: &str, at: usize, end: usize) -> Option<(usize, &'static str)> {
        let mut chars = text[at..end].char_indices();
        let (_, c0) = chars.next()?;
        let mut node = self.root(c0);
        if node == 0 {
            return None;
        }
        let mut pos = at + c0.len_utf8();
        let first = self.nodes[node as usize];
        if !first.has_children && first.term_len == 1 {
            return Some((pos, self.terms[first.term_start as usize].1));
        }
        let mut best: [Option<(usize, &'static str)>; MAX_MAPS] = [None; MAX_MAPS];
        loop {
            let n = self.nodes[node as usize];
            for &(m, v) in
                &self.terms[n.term_start as usize..(n.term_start as usize + n.term_len as usize)]
            {
                best[m as usize] = Some((pos, v));
            }
            if !n.has_children {
                break;
            }
            let Some((_, c)) = chars.next() else { break };
            match self.edges.get(&(node, c as u32)) {
                Some(&next) => {
                    node = next;
                    pos += c.len_utf8();
                }
                None => break,
            }
        }
        best.into_iter().flatten().next()
    }

    /// Converts `text[start..end]`, appending to `out` only once something changes:
    /// returns `false` (and leaves `out` untouched) when the output would equal the input.
    pub fn convert_range(
        &self,
        text: &str,
        start: usize,
        end: usize,
        out: &mut String,
        changes: &mut Changes,
        offset: usize,
    ) -> bool {
        let bytes = text.as_bytes();
        let mut i = start;
        let mut copied = start; // text[copied..i] not yet appended
        let mut started = false;
        while i < end {
            let b = bytes[i];
            if b < 0x80 {
                if self.root_dense[b as usize] == 0 {
                    i += 1;
                    continue;
                }
            } else {
                // Decode one scalar value; `text` is valid UTF-8.
                let (c, len) = decode_at(bytes, i);
                let cp = c as u32;
                if cp < 0x10000 {
                    let f = self.root_fast[cp as usize];
                    if f == NO_KEY {
                        i += len + ids_extra(text, i, c, end);
                        continue;
                    }
                    if f >= LEAF {
                        // A one-character key and nothing longer: no walk, no comparison.
                        let t = (f - LEAF) as usize;
                        if !self.identity[t] {
                            if !started {
                                out.reserve(end - start + (end - start) / 8);
                                started = true;
                            }
                            out.push_str(&text[copied..i]);
                            out.push_str(self.terms[t].1);
                            copied = i + len;
                            changes.phrases += 1;
                            changes.chars += 1;
                            crate::step::note_position(&mut changes.at, offset + i);
                        }
                        i += len;
                        continue;
                    }
                } else if self.root(c) == 0 {
                    i += len + ids_extra(text, i, c, end);
                    continue;
                }
            }
            match self.match_at(text, i, end) {
                Some((key_end, value)) => {
                    let key = &text[i..key_end];
                    if key != value {
                        if !started {
                            out.reserve(end - start + (end - start) / 8);
                            started = true;
                        }
                        out.push_str(&text[copied..i]);
                        out.push_str(value);
                        copied = key_end;
                        changes.phrases += 1;
                        changes.chars += key.chars().count();
                        crate::step::note_position(&mut changes.at, offset + i);
                    }
                    i = key_end;
                }
                None => {
                    let c = text[i..].chars().next().expect("in bounds");
                    i += c.len_utf8() + ids_extra(text, i, c, end);
                }
            }
        }
        if started {
            out.push_str(&text[copied..end]);
        }
        started
    }
}

#[inline]
fn decode_at(bytes: &[u8], i: usize) -> (char, usize) {
    let b = bytes[i];
    let (len, init) = match b {
        0xC0..=0xDF => (2, (b & 0x1F) as u32),
        0xE0..=0xEF => (3, (b & 0x0F) as u32),
        _ => (4, (b & 0x07) as u32),
    };
    let mut cp = init;
    for &cb in &bytes[i + 1..i + len] {
        cp = (cp << 6) | (cb & 0x3F) as u32;
    }
    (char::from_u32(cp).unwrap_or('\u{FFFD}'), len)
}

/// OpenCC copies a complete ideographic description sequence (`⿰氵青`) as one unit, so
/// its components are never converted. Returns the bytes after `c` that belong to it.
pub(crate) fn ids_extra(text: &str, at: usize, c: char, end: usize) -> usize {
    if !(0x2FF0..=0x2FFF).contains(&(c as u32)) {
        return 0;
    }
    let mut count = 0;
    match consume_ids(&text[at..end], 16, &mut count) {
        Some(len) => len - c.len_utf8(),
        None => 0,
    }
}

fn ids_arity(c: char) -> usize {
    match c as u32 {
        0x2FF2 | 0x2FF3 => 3,
        0x2FFE | 0x2FFF => 1,
        0x2FF0..=0x2FFD => 2,
        _ => 0,
    }
}

/// Length of the complete IDS at the start of `s` (OpenCC UTF8Util: depth 16, 64 code points).
fn consume_ids(s: &str, depth: usize, count: &mut usize) -> Option<usize> {
    if depth == 0 || *count >= 64 {
        return None;
    }
    let c = s.chars().next()?;
    *count += 1;
    let arity = ids_arity(c);
    let mut off = c.len_utf8();
    for _ in 0..arity {
        if off >= s.len() {
            return None;
        }
        off += consume_ids(&s[off..], depth - 1, count)?;
    }
    Some(off)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(maps: &[&[(&'static str, &'static str)]]) -> Level {
        Level::build(&maps.iter().map(|m| m.to_vec()).collect::<Vec<_>>())
    }

    fn conv(l: &Level, s: &str) -> String {
        let mut out = String::new();
        let mut ch = Changes::default();
        if l.convert_range(s, 0, s.len(), &mut out, &mut ch, 0) {
            out
        } else {
            s.to_string()
        }
    }

    #[test]
    fn short_circuit_prefers_first_dictionary_even_if_shorter() {
        // OpenCC DictGroup::MatchPrefix: the first dictionary with any match wins.
        let l = level(&[&[("AB", "x")], &[("ABC", "y"), ("D", "d")]]);
        assert_eq!(conv(&l, "ABCD"), "xCd");
    }

    #[test]
    fn longest_key_of_a_dictionary_wins() {
        let l = level(&[&[("A", "1"), ("AB", "2"), ("ABC", "3")]]);
        assert_eq!(conv(&l, "ABCAB A"), "32 1");
    }

    #[test]
    fn ids_sequences_are_copied_whole() {
        let l = level(&[&[("氵", "水")]]);
        assert_eq!(conv(&l, "⿰氵青 氵"), "⿰氵青 水");
        // An incomplete sequence is not a unit.
        assert_eq!(conv(&l, "⿰氵"), "⿰水");
    }

    #[test]
    fn unchanged_text_is_not_copied() {
        let l = level(&[&[("a", "a")]]);
        let mut out = String::new();
        let mut ch = Changes::default();
        assert!(!l.convert_range("abc", 0, 3, &mut out, &mut ch, 0));
        assert!(out.is_empty());
    }
}
