//! The fixture runner: every case in fixtures/repair/*.toml and fixtures/negative.toml, and
//! every byte-level case in fixtures/bytes/. All failures are reported together.

use std::borrow::Cow;

use mojifix::pipeline::{replay, run, Config};
use mojifix::Step;
use serde::Deserialize;

use crate::support::{read, root};

#[derive(Debug, Deserialize)]
struct File {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[allow(dead_code)]
    comment: Option<String>,
    input: String,
    expected: Option<String>,
    /// Distinct fix names, in order of first use.
    #[serde(default)]
    fixes: Vec<String>,
    /// Exact number of Repaired steps, when it matters (double mojibake).
    repairs: Option<usize>,
    #[serde(default = "pass")]
    expect: String,
}

fn pass() -> String {
    "pass".to_string()
}

/// Checks one text case; returns a failure description.
fn check(case: &Case, cfg: &Config) -> Option<String> {
    let expected = case.expected.as_deref().unwrap_or(&case.input);
    let out = run(case.input.as_bytes(), cfg).expect("UTF-8 output never fails");
    let got = String::from_utf8(out.output.to_vec()).expect("valid UTF-8 output");
    if got != expected {
        return Some(format!(
            "output\n    input:    {}\n    expected: {expected}\n    got:      {got}",
            case.input
        ));
    }
    let all: Vec<&str> = out
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Repaired { fix, .. } => Some(*fix),
            _ => None,
        })
        .collect();
    if case.repairs.is_some_and(|n| n != all.len()) {
        return Some(format!(
            "expected {:?} repairs, got {}: {all:?}",
            case.repairs,
            all.len()
        ));
    }
    let mut fixes: Vec<&str> = Vec::new();
    for f in &all {
        if !fixes.contains(f) {
            fixes.push(f);
        }
    }
    if !case.fixes.is_empty() && fixes != case.fixes {
        return Some(format!("fixes: expected {:?}, got {fixes:?}", case.fixes));
    }
    if case.expected.is_none() && (out.changed || matches!(out.output, Cow::Owned(_))) {
        return Some("clean text was copied or changed".into());
    }
    let replayed = replay(&case.input, &out.steps, cfg);
    if replayed != got {
        return Some(format!(
            "replay differs:\n    output:   {got}\n    replayed: {replayed}"
        ));
    }
    let again = run(got.as_bytes(), cfg).expect("UTF-8");
    if again.changed {
        return Some(format!(
            "not idempotent: second run gives {}",
            String::from_utf8_lossy(&again.output)
        ));
    }
    None
}

fn run_file(path: &str) -> (usize, Vec<String>) {
    let file: File =
        toml::from_str(&read(&root().join(path))).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cfg = Config::default();
    let mut failures = Vec::new();
    let mut passed = 0;
    for case in &file.case {
        let failure = check(case, &cfg);
        match (case.expect.as_str(), failure) {
            ("pass", None) => passed += 1,
            ("pass", Some(f)) => failures.push(format!("{path} {}: {f}", case.name)),
            ("known-failure", Some(_)) => {}
            ("known-failure", None) => failures.push(format!(
                "{path} {}: passes now; change expect to \"pass\"",
                case.name
            )),
            (other, _) => failures.push(format!("{path} {}: unknown expect `{other}`", case.name)),
        }
    }
    (passed, failures)
}

#[test]
fn repair_cases() {
    let mut all = Vec::new();
    let mut passed = 0;
    for f in [
        "fixtures/repair/real_world.toml",
        "fixtures/repair/generated.toml",
    ] {
        let (p, fails) = run_file(f);
        passed += p;
        all.extend(fails);
    }
    assert!(
        all.is_empty(),
        "{passed} passed, {} failed:\n{}",
        all.len(),
        all.join("\n")
    );
}

#[test]
fn negative_cases_are_unchanged() {
    let (passed, failures) = run_file("fixtures/negative.toml");
    assert!(
        failures.is_empty(),
        "{passed} passed, {} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn byte_fixtures_decode_exactly() {
    let mut failures = Vec::new();
    let mut count = 0;
    for dir in std::fs::read_dir(root().join("fixtures/bytes")).expect("fixtures/bytes") {
        let dir = dir.expect("entry").path();
        for f in std::fs::read_dir(&dir).expect("dir") {
            let input = f.expect("entry").path();
            if input.extension().is_none_or(|e| e != "in") {
                continue;
            }
            count += 1;
            let expected = std::fs::read(input.with_extension("expected")).expect("expected file");
            let bytes = std::fs::read(&input).expect("input");
            let out = run(&bytes, &Config::default()).expect("utf-8 output");
            if *out.output != expected[..] {
                failures.push(format!(
                    "{}: detected {} ({:?}), got {}",
                    input.display(),
                    out.detection.encoding.name(),
                    out.detection.source,
                    String::from_utf8_lossy(&out.output)
                ));
            }
        }
    }
    assert!(count >= 19, "only {count} byte fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[derive(Debug, Deserialize)]
struct NormFile {
    case: Vec<NormCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NormCase {
    name: String,
    #[allow(dead_code)]
    comment: Option<String>,
    steps: Vec<String>,
    input: String,
    expected: Option<String>,
}

fn norm_config(steps: &[String]) -> Config {
    use mojifix::normalize::{Form, NewlineMode};
    let mut cfg = Config::default();
    for s in steps {
        let n = &mut cfg.normalize;
        match s.as_str() {
            "nfc" => n.form = Form::Nfc,
            "nfkc" => n.form = Form::Nfkc,
            "newlines-lf" => n.newlines = NewlineMode::Lf,
            "newlines-crlf" => n.newlines = NewlineMode::Crlf,
            "fold-width" => n.fold_width = true,
            "strip-controls" => n.strip_controls = true,
            "unescape-html" => n.unescape_html = true,
            "trim-trailing" => n.trim_trailing = true,
            other => panic!("unknown step {other}"),
        }
    }
    cfg
}

#[test]
fn normalization_steps() {
    let file: NormFile = toml::from_str(&read(&root().join("fixtures/normalize.toml"))).unwrap();
    let mut failures = Vec::new();
    for case in &file.case {
        let cfg = norm_config(&case.steps);
        let expected = case.expected.as_deref().unwrap_or(&case.input);
        let got = String::from_utf8(
            run(case.input.as_bytes(), &cfg)
                .unwrap()
                .output
                .into_owned(),
        )
        .unwrap();
        if got != expected {
            failures.push(format!("{}: expected {expected:?}, got {got:?}", case.name));
            continue;
        }
        if run(got.as_bytes(), &cfg).unwrap().changed {
            failures.push(format!("{}: not idempotent", case.name));
        }
        let out = run(case.input.as_bytes(), &cfg).unwrap();
        if replay(&case.input, &out.steps, &cfg).as_bytes() != &*out.output {
            failures.push(format!("{}: replay differs", case.name));
        }
        // With every step off, the input is untouched (no control characters are stripped,
        // no line endings changed by default) — except a pinyin or mojibake repair, which
        // these inputs do not contain.
        let plain = run(case.input.as_bytes(), &Config::default()).unwrap();
        if plain.changed {
            failures.push(format!("{}: changed with no steps on", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
