//! Detection of very short GBK snippets (2–4 Chinese characters) cut from real text (the
//! clean seed pages): at least 90 % right with `--lang zh`, 80 % without.

use mojifix::detect::{detect, Hint, Lang};

use crate::support::{read, root};

fn snippets() -> Vec<String> {
    let mut out = Vec::new();
    for f in ["000_bb97d4d45944454e.txt", "003_7963ed26b60f730d.txt"] {
        let text = read(&root().join("fixtures/seeds").join(f));
        let han: Vec<Vec<char>> = text
            .split(|c: char| !matches!(c as u32, 0x4E00..=0x9FFF))
            .filter(|r| r.chars().count() >= 4)
            .map(|r| r.chars().collect())
            .collect();
        for (i, run) in han.iter().enumerate() {
            let len = 2 + i % 3;
            out.push(run[..len].iter().collect());
        }
    }
    out
}

fn rate(hint: Hint) -> (usize, usize) {
    let s = snippets();
    let ok = s
        .iter()
        .filter(|w| detect(&encoding_rs::GBK.encode(w).0, &hint).encoding == encoding_rs::GBK)
        .count();
    (ok, s.len())
}

#[test]
fn short_gbk_snippets_with_lang_zh() {
    let (ok, n) = rate(Hint {
        lang: Some(Lang::Zh),
        from: None,
    });
    assert!(n >= 200, "{n} snippets");
    assert!(ok * 100 >= n * 90, "{ok}/{n}");
}

#[test]
fn short_gbk_snippets_without_a_hint() {
    let (ok, n) = rate(Hint::default());
    assert!(ok * 100 >= n * 80, "{ok}/{n}");
}
