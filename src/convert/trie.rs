//! One OpenCC dictionary group compiled into a character trie. OpenCC's semantics, exactly:
//! at each position the *first* dictionary of a short-circuit group that has any key
//! starting there wins, with its longest key (a union group is merged into one dictionary:
//! its longest key wins, ties to the earlier member); where nothing matches, one character
//! (or one whole ideographic description sequence) is copied. The roots are a dense table
//! over the BMP whose entry also holds the answer for the character alone, so that the
//! common cases — a character that starts no key, a one-character key, a walk that a Bloom
//! filter over the trie's edges says ends at once — cost one array read.

use encoding_rs::DecoderResult;
use rustc_hash::FxHashMap;

/// Most dictionaries in one short-circuit group: a term names its dictionary in a byte
/// (OpenCC's largest group has 3).
const MAX_MAPS: usize = u8::MAX as usize;

#[derive(Clone, Copy, Default)]
struct Node {
    term_start: u32,
    term_len: u8,
    has_children: bool,
}

/// What matching the character alone gives ([`Root::action`]): nothing (no key is the
/// character, or it maps to itself)…
const NO_KEY: u32 = 0;
/// …a value of one three-byte character (all of CJK): `UTF8 | its bytes`, the first in the
/// low byte, so that the converter writes it with one store…
const UTF8: u32 = 0x2000_0000;
/// …or any other value: `TERM + term index`.
const TERM: u32 = 0x1000_0000;
/// Set in [`Root::action`] when longer keys start with the character: the trie must be
/// walked, and the rest of the action is the answer when the walk ends at once.
const WALK: u32 = 0x8000_0000;
/// Set in [`Root::action`] for the ideographic description operators (U+2FF0–U+2FFF):
/// when no key matches, their whole sequence is copied.
const IDS: u32 = 0x4000_0000;

/// The first bytes at which [`Level::convert_range`] must look closer: the lead bytes of
/// every key's first character, plus the lead of the ideographic description characters
/// (an IDS is copied whole, so its components are never converted). When there are at
/// most three, the scan jumps between them with memchr.
#[derive(Clone, Copy)]
enum Stops {
    Every,
    Jump1(u8),
    Jump2(u8, u8),
    Jump3(u8, u8, u8),
}

/// The lead byte of U+2FF0–U+2FFF (IDS operators).
const IDS_LEAD: u8 = 0xE2;

/// The root of the trie for one BMP character. The node sits beside the action: a walk
/// (two characters in five of Simplified text under s2t) reads it at once, with no second
/// table to miss in the cache.
#[derive(Clone, Copy, Default)]
struct Root {
    /// What the character alone gives, plus [`WALK`] and [`IDS`].
    action: u32,
    /// The trie node (0: no key starts with the character).
    node: u32,
}

/// A compiled dictionary group.
pub struct Level {
    /// Per BMP code point: the common case in one read.
    roots: Box<[Root; 0x10000]>,
    stops: Stops,
    root_astral: FxHashMap<u32, u32>,
    edges: FxHashMap<(u32, u32), u32>,
    nodes: Vec<Node>,
    terms: Vec<Term>,
    /// A one-hash Bloom filter over `edges`: most walks end at their second character,
    /// and a bit read settles that without the hash-table probe.
    edge_bits: Vec<u64>,
}

/// The value one dictionary gives a key.
#[derive(Clone, Copy)]
struct Term {
    /// Which dictionary of the group (lower wins).
    map: u8,
    /// The value equals the key: a match that changes nothing.
    same: bool,
    value: &'static str,
}

/// A match: where the key ends, its value, and whether the value equals the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Byte offset just past the key.
    pub end: usize,
    /// The value.
    pub value: &'static str,
    /// The value equals the key.
    pub same: bool,
}

/// Bits in [`Level::edge_bits`] (128 KiB): about one in twenty probes of a large
/// dictionary is a false positive.
const EDGE_BITS_LOG2: u32 = 20;

#[inline]
fn edge_bit(node: u32, cp: u32) -> usize {
    let h = ((u64::from(node) << 21) | u64::from(cp)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - EDGE_BITS_LOG2)) as usize
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
        let mut node_terms: Vec<Vec<Term>> = vec![Vec::new()];
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
                    if !terms.iter().any(|t| t.map as usize == m) {
                        terms.push(Term {
                            map: m as u8,
                            same: key == value,
                            value,
                        });
                    }
                }
            }
        }
        let mut nodes = Vec::with_capacity(node_terms.len());
        let mut terms = Vec::new();
        for (i, t) in node_terms.into_iter().enumerate() {
            nodes.push(Node {
                term_start: terms.len() as u32,
                term_len: t.len() as u8,
                has_children: has_children[i],
            });
            terms.extend(t);
        }
        let actions: Vec<u32> = root_dense
            .iter()
            .enumerate()
            .map(|(cp, &node)| {
                let ids = if (0x2FF0..=0x2FFF).contains(&cp) {
                    IDS
                } else {
                    0
                };
                if node == 0 {
                    return ids;
                }
                let n = nodes[node as usize];
                let own = &terms[n.term_start as usize..][..n.term_len as usize];
                // The character alone: the first dictionary's value, if any has one.
                let alone = match own.iter().enumerate().min_by_key(|(_, t)| t.map) {
                    None => NO_KEY,
                    // Mapped to itself: copying the character is the same as matching it.
                    Some((_, t)) if t.same => NO_KEY,
                    Some((k, t)) => match *t.value.as_bytes() {
                        [b0, b1, b2] => UTF8 | u32::from_le_bytes([b0, b1, b2, 0]),
                        _ => TERM + n.term_start + k as u32,
                    },
                };
                if n.has_children {
                    WALK | ids | alone
                } else {
                    ids | alone
                }
            })
            .collect();
        let mut leads = [false; 256];
        leads[IDS_LEAD as usize] = true;
        for (cp, &node) in root_dense.iter().enumerate() {
            if node != 0 {
                let c = char::from_u32(cp as u32).unwrap_or('\0');
                leads[c.encode_utf8(&mut [0; 4]).as_bytes()[0] as usize] = true;
            }
        }
        for &cp in root_astral.keys() {
            leads[0xF0 | (cp >> 18) as usize] = true;
        }
        let set: Vec<u8> = (0..=255u8).filter(|&b| leads[b as usize]).collect();
        let stops = match *set.as_slice() {
            [a] => Stops::Jump1(a),
            [a, b] => Stops::Jump2(a, b),
            [a, b, c] => Stops::Jump3(a, b, c),
            _ => Stops::Every,
        };
        let mut edge_bits = vec![0u64; 1 << (EDGE_BITS_LOG2 - 6)];
        for &(node, cp) in edges.keys() {
            let b = edge_bit(node, cp);
            edge_bits[b >> 6] |= 1 << (b & 63);
        }
        let roots: Vec<Root> = actions
            .iter()
            .zip(&root_dense)
            .map(|(&action, &node)| Root { action, node })
            .collect();
        Level {
            roots: roots
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| unreachable!("one entry per BMP code point")),
            stops,
            root_astral,
            edges,
            nodes,
            terms,
            edge_bits,
        }
    }

    #[inline]
    fn root(&self, cp: u32) -> u32 {
        if cp < 0x10000 {
            self.roots[cp as usize].node
        } else {
            self.root_astral.get(&cp).copied().unwrap_or(0)
        }
    }

    /// False when no key continues from `node` with `c`; true when one may.
    #[inline]
    fn may_have_edge(&self, node: u32, cp: u32) -> bool {
        let b = edge_bit(node, cp);
        self.edge_bits[b >> 6] & (1 << (b & 63)) != 0
    }

    /// Whether some key starts with `c`.
    #[inline]
    pub fn starts_key(&self, c: char) -> bool {
        self.root(c as u32) != 0
    }

    /// OpenCC's prefix match at `text[at..end]`.
    pub fn match_at(&self, text: &str, at: usize, end: usize) -> Option<Match> {
        let bytes = text.as_bytes();
        let (c0, len0) = scalar_at(bytes, at, end)?;
        let mut node = self.root(c0);
        if node == 0 {
            return None;
        }
        let mut pos = at + len0;
        let first = self.nodes[node as usize];
        let found = |t: &Term, end: usize| Match {
            end,
            value: t.value,
            same: t.same,
        };
        if !first.has_children && first.term_len == 1 {
            return Some(found(&self.terms[first.term_start as usize], pos));
        }
        // The answer is the longest match of the first dictionary that has any: keep the
        // lowest dictionary seen so far and its latest (longest) match.
        let mut best: Option<Match> = None;
        let mut best_map = u8::MAX;
        loop {
            let n = self.nodes[node as usize];
            for t in
                &self.terms[n.term_start as usize..(n.term_start as usize + n.term_len as usize)]
            {
                if t.map <= best_map {
                    best_map = t.map;
                    best = Some(found(t, pos));
                }
            }
            if !n.has_children {
                break;
            }
            let Some((c, len)) = scalar_at(bytes, pos, end) else {
                break;
            };
            if !self.may_have_edge(node, c) {
                break;
            }
            match self.edges.get(&(node, c)) {
                Some(&next) => {
                    node = next;
                    pos += len;
                }
                None => break,
            }
        }
        best
    }

    /// The next position at or after `i` (and before `end`) whose byte is a stop; `end`
    /// when there is none.
    #[inline]
    fn next_stop(&self, bytes: &[u8], i: usize, end: usize) -> usize {
        let hay = &bytes[i..end];
        let found = match self.stops {
            Stops::Every => return i,
            Stops::Jump1(a) => memchr::memchr(a, hay),
            Stops::Jump2(a, b) => memchr::memchr2(a, b, hay),
            Stops::Jump3(a, b, c) => memchr::memchr3(a, b, c, hay),
        };
        found.map_or(end, |k| i + k)
    }

    /// Converts `text[start..end]`, appending to `out` only once something changes:
    /// returns `false` (and leaves `out` untouched) when the output would equal the input.
    ///
    /// Nothing is written before the first change. From there every character is written,
    /// changed or not, as raw bytes: a three-byte character settled by its own table entry
    /// (most of CJK) costs one four-byte store of either its own bytes or its value's, so
    /// whether it changes is data, not a branch. The bytes are checked as UTF-8 once, when
    /// they are appended to `out`.
    pub fn convert_range(
        &self,
        text: &str,
        start: usize,
        end: usize,
        out: &mut String,
        changes: &mut Changes,
        offset: usize,
    ) -> bool {
        let Some(first) = self.first_change(text, start, end) else {
            return false;
        };
        let mut buf = vec![0u8; (end - start) + (end - first) / 8 + SLACK];
        buf[..first - start].copy_from_slice(&text.as_bytes()[start..first]);
        let len = self.write_from(text, first, end, &mut buf, first - start, changes, offset);
        let mut decoder = encoding_rs::UTF_8.new_decoder_without_bom_handling();
        let mut read = 0;
        loop {
            out.reserve(len - read + SLACK);
            match decoder.decode_to_string_without_replacement(&buf[read..len], out, true) {
                (DecoderResult::InputEmpty, _) => break,
                (DecoderResult::OutputFull, n) => read += n,
                (DecoderResult::Malformed(..), _) => {
                    unreachable!("the converter writes whole characters of valid UTF-8")
                }
            }
        }
        true
    }

    /// What the text at `i` (the character `cp`, `len` bytes) becomes: OpenCC's match there,
    /// or the character (with its whole IDS) copied.
    #[inline(always)]
    fn resolve(&self, text: &str, i: usize, end: usize, cp: u32, len: usize) -> Resolved {
        let bytes = text.as_bytes();
        if cp < 0x10000 {
            let Root { action, node } = self.roots[cp as usize];
            // Settled by the character alone: no longer key starts with it, or the next
            // character cannot continue one (the Bloom filter says so).
            let alone = action & WALK == 0
                || !scalar_at(bytes, i + len, end)
                    .is_some_and(|(next, _)| self.may_have_edge(node, next));
            if alone {
                let f = action & !(WALK | IDS);
                return if f == NO_KEY {
                    let ids = if action & IDS != 0 {
                        ids_extra(text, i, end)
                    } else {
                        0
                    };
                    Resolved::Same(i + len + ids)
                } else if f & UTF8 != 0 {
                    Resolved::Char3(i + len, f)
                } else {
                    Resolved::Str(i + len, self.terms[(f - TERM) as usize].value)
                };
            }
        } else if !self.root_astral.contains_key(&cp) {
            return Resolved::Same(i + len);
        }
        match self.match_at(text, i, end) {
            Some(m) if m.same => Resolved::Same(m.end),
            Some(m) => Resolved::Str(m.end, m.value),
            None => Resolved::Same(i + len + ids_extra(text, i, end)),
        }
    }

    /// Where the first change in `text[start..end]` starts, if anything changes.
    fn first_change(&self, text: &str, start: usize, end: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let every = matches!(self.stops, Stops::Every);
        let mut i = start;
        while i < end {
            if !every {
                i = self.next_stop(bytes, i, end);
                if i >= end {
                    break;
                }
            }
            // ASCII that starts no key is stepped over without decoding.
            let b = bytes[i];
            if b < 0x80 && self.roots[b as usize].node == 0 {
                i += 1;
                continue;
            }
            let (cp, len) = scalar_at(bytes, i, end)?;
            match self.resolve(text, i, end, cp, len) {
                Resolved::Same(next) => i = next,
                _ => return Some(i),
            }
        }
        None
    }

    /// Converts `text[i..end]` into `buf` from `pos`, where `buf` has room for at least
    /// `end - i + SLACK` more bytes (kept so: no write outgrows what it consumes unless it
    /// makes room). Returns the length written.
    #[allow(clippy::too_many_arguments)]
    fn write_from(
        &self,
        text: &str,
        mut i: usize,
        end: usize,
        buf: &mut Vec<u8>,
        mut pos: usize,
        changes: &mut Changes,
        offset: usize,
    ) -> usize {
        let bytes = text.as_bytes();
        let roots: &[Root; 0x10000] = &self.roots;
        let every = matches!(self.stops, Stops::Every);
        while i < end {
            if !every {
                let stop = self.next_stop(bytes, i, end);
                buf[pos..pos + (stop - i)].copy_from_slice(&bytes[i..stop]);
                pos += stop - i;
                i = stop;
                if i >= end {
                    break;
                }
            }
            let b = bytes[i];
            if b < 0x80 && roots[b as usize].node == 0 {
                buf[pos] = b;
                pos += 1;
                i += 1;
                continue;
            }
            if let (0xE0..=0xEF, Some(&[b1, b2])) = (b, bytes.get(i + 1..i + 3)) {
                let cp = ((u32::from(b) & 0x0F) << 12)
                    | ((u32::from(b1) & 0x3F) << 6)
                    | (u32::from(b2) & 0x3F);
                let Root { action, node } = roots[cp as usize];
                if i + 3 <= end
                    && action & (IDS | TERM) == 0
                    && (action & WALK == 0
                        || !scalar_at(bytes, i + 3, end)
                            .is_some_and(|(next, _)| self.may_have_edge(node, next)))
                {
                    // The character itself or its one-character value: one store either way.
                    let value = action & !WALK;
                    let changed = value != NO_KEY;
                    let word = if changed {
                        value
                    } else {
                        u32::from_le_bytes([b, b1, b2, 0])
                    };
                    buf[pos..pos + 4].copy_from_slice(&word.to_le_bytes());
                    if changes.at.len() < crate::step::MAX_POSITIONS && changed {
                        changes.at.push(offset + i);
                    }
                    let n = usize::from(changed);
                    changes.chars += n;
                    changes.phrases += n;
                    pos += 3;
                    i += 3;
                    continue;
                }
            }
            let Some((cp, len)) = scalar_at(bytes, i, end) else {
                break;
            };
            let next = match self.resolve(text, i, end, cp, len) {
                Resolved::Same(next) => {
                    let copy = &bytes[i..next];
                    buf[pos..pos + copy.len()].copy_from_slice(copy);
                    pos += copy.len();
                    i = next;
                    continue;
                }
                Resolved::Char3(next, word) => {
                    make_room(buf, pos + 3 + (end - next));
                    buf[pos..pos + 4].copy_from_slice(&word.to_le_bytes());
                    pos += 3;
                    next
                }
                Resolved::Str(next, v) => {
                    make_room(buf, pos + v.len() + (end - next));
                    buf[pos..pos + v.len()].copy_from_slice(v.as_bytes());
                    pos += v.len();
                    next
                }
            };
            changes.phrases += 1;
            changes.chars += text[i..next].chars().count();
            crate::step::note_position(&mut changes.at, offset + i);
            i = next;
        }
        pos
    }
}

/// Bytes a conversion buffer keeps beyond what the rest of the input needs: a three-byte
/// character is written with a four-byte store.
const SLACK: usize = 4;

/// Grows `buf` to hold `len` bytes plus [`SLACK`] (a key's value can be longer than the key).
fn make_room(buf: &mut Vec<u8>, len: usize) {
    if len + SLACK > buf.len() {
        buf.resize(len + SLACK + len / 8, 0);
    }
}

/// What the text at a position becomes ([`Level::resolve`]), and where the key ends.
enum Resolved {
    /// Unchanged up to this offset.
    Same(usize),
    /// A one-character value of three bytes, as [`UTF8`] packs it.
    Char3(usize, u32),
    /// Any other value.
    Str(usize, &'static str),
}

/// The scalar value at `bytes[i..end]` and its length, `None` at `end`; `bytes` is valid
/// UTF-8 and `i` a character boundary. Three-byte characters (all of CJK) inline.
#[inline(always)]
fn scalar_at(bytes: &[u8], i: usize, end: usize) -> Option<(u32, usize)> {
    if i >= end {
        return None;
    }
    let b = bytes[i];
    if b < 0x80 {
        return Some((u32::from(b), 1));
    }
    if let (0xE0..=0xEF, Some(&[b1, b2])) = (b, bytes.get(i + 1..i + 3)) {
        let cp =
            ((u32::from(b) & 0x0F) << 12) | ((u32::from(b1) & 0x3F) << 6) | (u32::from(b2) & 0x3F);
        return Some((cp, 3));
    }
    let (c, len) = decode_at(bytes, i);
    Some((c as u32, len))
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
pub(crate) fn ids_extra(text: &str, at: usize, end: usize) -> usize {
    // U+2FF0–U+2FFF is E2 BF B0–BF: every other character is settled by its bytes, without
    // decoding (callers ask for every character that matched no key).
    if !matches!(text.as_bytes()[at..end], [0xE2, 0xBF, 0xB0..=0xBF, ..]) {
        return 0;
    }
    let mut count = 0;
    match consume_ids(&text[at..end], 16, &mut count) {
        Some(len) => len - 3,
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
    fn a_walk_that_ends_at_once_gives_the_character_alone() {
        // `A` starts the longer key `AB` (first dictionary) and is a key of its own in the
        // second: followed by anything but `B` it is the second dictionary's `y`.
        let l = level(&[&[("AB", "x")], &[("A", "y"), ("Z", "Z")]]);
        assert_eq!(conv(&l, "ABACA"), "xyCy");
        assert_eq!(conv(&l, "Z"), "Z");
        // A one-character key mapped to itself changes nothing and is not counted.
        let mut out = String::new();
        let mut ch = Changes::default();
        assert!(!l.convert_range("ZZ", 0, 2, &mut out, &mut ch, 0));
        assert_eq!(ch, Changes::default());
    }

    #[test]
    fn sparse_dictionaries_jump_between_their_lead_bytes() {
        // Keys only under lead byte 0xEF (U+F900 block): the scan jumps with memchr, and
        // still stops at IDS operators (lead 0xE2) so their components stay whole.
        let l = level(&[&[("\u{F900}", "豈")]]);
        assert!(matches!(l.stops, Stops::Jump2(0xE2, 0xEF)));
        assert_eq!(
            conv(&l, "abc \u{F900} 中文 ⿰\u{F900}木"),
            "abc 豈 中文 ⿰\u{F900}木"
        );
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

    #[test]
    fn values_of_every_width_replace_keys_of_every_width() {
        // Keys of one to four bytes, values shorter, as long and longer (a value longer
        // than the rest of the text makes the buffer grow), at the start, the middle and
        // the end: (input, output, changed characters, their offsets).
        let l = level(&[&[
            ("a", "語"),
            ("é", "z"),
            ("語", "语"),
            ("😀", "é"),
            ("言", "言語言語言語"),
            ("x", "𠀀"),
        ]]);
        let cases: &[(&str, &str, usize, &[usize])] = &[
            ("a", "語", 1, &[0]),
            (
                "aé語😀言x",
                "語z语é言語言語言語𠀀",
                6,
                &[0, 1, 3, 6, 10, 13],
            ),
            ("言", "言語言語言語", 1, &[0]),
            ("b語c", "b语c", 1, &[1]),
            ("語b語語", "语b语语", 3, &[0, 4, 7]),
            ("bc中", "bc中", 0, &[]),
        ];
        for &(input, want, chars, at) in cases {
            let mut out = String::new();
            let mut ch = Changes::default();
            let changed = l.convert_range(input, 0, input.len(), &mut out, &mut ch, 0);
            assert_eq!(changed, want != input, "{input}");
            assert_eq!(if changed { out.as_str() } else { input }, want, "{input}");
            assert_eq!(
                (ch.chars, ch.phrases, ch.at.as_slice()),
                (chars, chars, at),
                "{input}"
            );
        }
    }
}
