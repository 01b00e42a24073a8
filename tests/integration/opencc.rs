//! OpenCC's own test cases: the copy vendored from the 1.4.2 distribution must pass
//! completely, for every config it covers; the newer upstream copy in ../shared (when
//! present) at least as well as OpenCC 1.4.2 itself does (540 of 543).

use mojifix::convert::{Converter, CONFIGS};

use crate::support::{lenient_json, read, root, shared};

fn run_cases(json: &serde_json::Value) -> (usize, Vec<String>) {
    let mut pass = 0;
    let mut failures = Vec::new();
    for case in json["cases"].as_array().expect("cases") {
        let input = case["input"].as_str().expect("input");
        for (cfg, expected) in case["expected"].as_object().expect("expected") {
            let conv = Converter::new(cfg).unwrap_or_else(|e| panic!("{cfg}: {e}"));
            let got = conv.convert(input);
            if got == expected.as_str().expect("string") {
                pass += 1;
            } else {
                failures.push(format!(
                    "{} [{cfg}]\n  input:    {input}\n  expected: {}\n  got:      {got}",
                    case["id"], expected
                ));
            }
        }
    }
    (pass, failures)
}

#[test]
fn vendored_opencc_1_4_2_cases_all_pass() {
    let json = lenient_json(&read(&root().join("data/opencc/testcases.json.txt")));
    let (pass, failures) = run_cases(&json);
    assert!(
        failures.is_empty(),
        "{} passed, {} failed:\n{}",
        pass,
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(pass, 556, "the 1.4.2 distribution has 556 pairs");
}

#[test]
fn upstream_cases_at_least_as_many_as_opencc_1_4_2() {
    let Some(shared) = shared() else { return };
    let path = shared.join("external/opencc/testcases.json");
    if !path.exists() {
        return;
    }
    let (pass, failures) = run_cases(&lenient_json(&read(&path)));
    assert!(
        pass >= 540,
        "{pass} passed; failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_config_loads_and_leaves_ascii_alone() {
    let ascii: String = (0u8..0x80).map(char::from).collect::<String>().repeat(3);
    for cfg in CONFIGS {
        let conv = Converter::new(cfg).unwrap();
        assert_eq!(conv.convert(&ascii), ascii, "{cfg}");
        assert!(
            matches!(conv.convert(&ascii), std::borrow::Cow::Borrowed(_)),
            "{cfg} copied ASCII"
        );
    }
}

#[test]
fn unknown_config_is_an_error_naming_the_choices() {
    let e = Converter::new("x2y").unwrap_err().to_string();
    assert!(
        e.contains("unknown conversion `x2y`") && e.contains("s2twp"),
        "{e}"
    );
}

#[test]
fn user_dictionary_takes_precedence() {
    let dir = crate::support::tempdir();
    let dict = dir.path().join("user.txt");
    std::fs::write(&dict, "# comment\n服务器\t伺服器\n鼠标\t滑鼠\n").unwrap();
    let conv = Converter::new("s2t")
        .unwrap()
        .with_user_dict(&dict)
        .unwrap();
    assert_eq!(conv.convert("服务器和鼠标都坏了"), "伺服器和滑鼠都壞了");
    std::fs::write(&dict, "no tab here\n").unwrap();
    let e = Converter::new("s2t")
        .unwrap()
        .with_user_dict(&dict)
        .unwrap_err()
        .to_string();
    assert!(e.ends_with(":1: expected `from<TAB>to`"), "{e}");
}
