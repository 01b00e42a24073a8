//! Helpers shared by the integration tests: running the binary with a clean environment,
//! finding ../shared when it is there, reading JSON that has trailing commas.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the checkout, when present (tests that need it skip without it).
pub fn shared() -> Option<PathBuf> {
    let p = root().join("../shared");
    p.is_dir().then_some(p)
}

/// The mojifix binary, with an environment that cannot leak into its behaviour.
pub fn mojifix() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mojifix"));
    c.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        c.env("PATH", path);
    }
    c
}

/// Runs `cmd` with `stdin` and returns its output.
pub fn run_with_stdin(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mojifix");
    {
        let mut si = child.stdin.take().expect("stdin");
        let data = stdin.to_vec();
        std::thread::spawn(move || {
            let _ = si.write_all(&data);
        });
    }
    child.wait_with_output().expect("wait")
}

/// Parses JSON that may have trailing commas (OpenCC's testcases.json has some).
pub fn lenient_json(text: &str) -> serde_json::Value {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut in_str = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 1;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if !matches!(next, Some('}') | Some(']')) {
                out.push(c);
            }
        } else if c != '#' || !out.ends_with('\n') && !out.is_empty() {
            out.push(c);
        } else {
            // A `#` comment line (our generated-file header).
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        }
        i += 1;
    }
    serde_json::from_str(&out).expect("valid JSON after removing trailing commas")
}

/// Reads a file to a string.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fresh temporary directory.
/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Byte ranges of `(pinyin)` directly after a Han character (an independent, simple
/// recogniser: lower-case letters, tone-marked vowels and tone digits only).
fn annotations_after_han(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut prev = None;
    for (i, c) in s.char_indices() {
        if c == '(' && prev.is_some_and(is_han) {
            if let Some(close) = s[i..].find(')') {
                let inner = &s[i + 1..i + close];
                if !inner.is_empty()
                    && inner.chars().all(|c| {
                        c.is_ascii_lowercase()
                            || c.is_ascii_digit()
                            || "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü".contains(c)
                    })
                {
                    out.push((i, i + close + 1));
                }
            }
        }
        prev = Some(c);
    }
    out
}

/// How many pinyin annotations follow Han characters in `s`.
pub fn count_annotations_after_han(s: &str) -> usize {
    annotations_after_han(s).len()
}

/// `s` with those annotations removed.
pub fn strip_annotations_after_han(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (a, b) in annotations_after_han(s) {
        out.push_str(&s[last..a]);
        last = b;
    }
    out.push_str(&s[last..]);
    out
}
