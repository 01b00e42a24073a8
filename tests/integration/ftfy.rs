//! ftfy's own test cases (../shared/external/ftfy, Apache-2.0), read from there when
//! present and never copied into the project. Compared with `fixed-encoding` where given
//! (what ftfy's fix_encoding produces), else `fixed`. Every negative case must come out as
//! expected; the overall count is a floor that may only rise (ftfy's own fix_encoding
//! passes 151 of 161).

use mojifix::pipeline::{run, Config};

use crate::support::{read, shared};

/// Passing cases today; raise it when the engine improves.
const FLOOR: usize = 153;

#[test]
fn ftfy_cases() {
    let Some(dir) = shared().map(|s| s.join("external/ftfy")) else {
        return;
    };
    if !dir.is_dir() {
        return;
    }
    let cfg = Config {
        pinyin: false,
        ..Config::default()
    };
    let (mut pass, mut total) = (0, 0);
    let mut negative_failures = Vec::new();
    for file in [
        "in-the-wild",
        "synthetic",
        "negative",
        "known-failures",
        "language-names",
    ] {
        let cases: serde_json::Value =
            serde_json::from_str(&read(&dir.join(format!("{file}.json")))).unwrap();
        for case in cases.as_array().unwrap() {
            let original = case["original"].as_str().unwrap();
            let expected = case
                .get("fixed-encoding")
                .unwrap_or(&case["fixed"])
                .as_str()
                .unwrap();
            let out = run(original.as_bytes(), &cfg).unwrap();
            let got = String::from_utf8(out.output.into_owned()).unwrap();
            total += 1;
            if got == expected {
                pass += 1;
            } else if file == "negative" {
                negative_failures.push(format!(
                    "{}\n  in:  {original:?}\n  got: {got:?}",
                    case["label"]
                ));
            }
        }
    }
    assert_eq!(total, 161);
    eprintln!("ftfy cases: {pass} of {total} pass");
    assert!(
        negative_failures.is_empty(),
        "negative cases changed:\n{}",
        negative_failures.join("\n")
    );
    assert!(
        pass >= FLOOR,
        "{pass} of {total} pass; the floor is {FLOOR}"
    );
}
