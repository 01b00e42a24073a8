//! The five seed documents through the library: the clean ones borrowed back untouched,
//! the broken passage of 002 repaired with every other byte unchanged, the 001 fragment
//! (the stretch goal) repaired, idempotence and a true explanation on all of them.

use std::borrow::Cow;

use mojifix::pipeline::{replay, run, Config};

use crate::support::{read, root};

fn seed(n: &str) -> String {
    let dir = root().join("fixtures/seeds");
    let p = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(n))
        .unwrap();
    read(&p)
}

#[test]
fn clean_seeds_are_borrowed_back() {
    for n in ["000", "003"] {
        let s = seed(n);
        let out = run(s.as_bytes(), &Config::default()).unwrap();
        assert!(!out.changed, "seed {n}");
        assert!(
            matches!(out.output, Cow::Borrowed(_)),
            "seed {n} was copied"
        );
    }
}

#[test]
fn seed_002_passage_and_nothing_else() {
    let s = seed("002");
    let out = String::from_utf8(
        run(s.as_bytes(), &Config::default())
            .unwrap()
            .output
            .into_owned(),
    )
    .unwrap();
    let broken_start = s.find("饈欠裾易跡").unwrap();
    let broken_end = s.find("濉?/P>").unwrap() + "濉?".len();
    let fixed = "題是否找準，根源是否清楚，整改方面是否明確的標準檢查每個黨員個人小結，要求嚴格、意見明確，不合格的退回黨員個人進行修改，支部再審第二稿。<";
    let expected = format!("{}{fixed}{}", &s[..broken_start], &s[broken_end..]);
    assert_eq!(out, expected);
}

#[test]
fn seed_001_fragment_stretch_goal() {
    let s = seed("001");
    let out = run(s.as_bytes(), &Config::default()).unwrap();
    let text = String::from_utf8(out.output.into_owned()).unwrap();
    assert!(text.contains("學校—家庭—學生"), "the 001 fragment");
}

#[test]
fn every_seed_is_idempotent_and_explained_truly() {
    for n in ["000", "001", "002", "003", "004"] {
        let s = seed(n);
        let cfg = Config::default();
        let out = run(s.as_bytes(), &cfg).unwrap();
        let text = String::from_utf8(out.output.to_vec()).unwrap();
        assert_eq!(replay(&s, &out.steps, &cfg), text, "seed {n}: replay");
        assert!(
            !run(text.as_bytes(), &cfg).unwrap().changed,
            "seed {n}: second run changed it"
        );
    }
}
