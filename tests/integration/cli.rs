//! The command line: every sink for every byte-level fixture, the reports (--check, --diff,
//! --detect, --json, --explain), the config file, BOM and newline policies, walking.

use std::fs;
use std::path::Path;

use crate::support::{files_under, mojifix, read, root, run_with_stdin, tempdir};

fn out(cmd: &mut std::process::Command) -> (i32, String, String) {
    let o = cmd.output().expect("run mojifix");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn seed(n: &str) -> std::path::PathBuf {
    let dir = root().join("fixtures/seeds");
    fs::read_dir(&dir)
        .expect("fixtures/seeds")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with(n))
        })
        .expect("seed exists")
}

#[test]
fn clap_definition_is_consistent() {
    use clap::CommandFactory;
    #[path = "../../src/cli/args.rs"]
    #[allow(dead_code)]
    mod args;
    args::Args::command().debug_assert();
}

#[test]
fn clean_seeds_come_out_byte_identical_and_check_passes() {
    for n in ["000", "003"] {
        let p = seed(n);
        let o = mojifix().arg(&p).output().unwrap();
        assert_eq!(o.status.code(), Some(0));
        assert!(o.stdout == fs::read(&p).unwrap(), "seed {n} changed");
        assert!(o.stderr.is_empty());
        let (code, stdout, stderr) = out(mojifix().arg("--check").arg(&p));
        assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    }
}

#[test]
fn check_lists_what_would_change_and_exits_1() {
    let (code, stdout, _) = out(mojifix().arg("--check").arg(seed("002")).arg(seed("000")));
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        format!("{}\tgbk_misaligned\n", seed("002").display())
    );
}

#[test]
fn every_encoding_through_file_pipe_output_dir_and_in_place() {
    let mut failures = Vec::new();
    for dir in fs::read_dir(root().join("fixtures/bytes")).unwrap() {
        for f in fs::read_dir(dir.unwrap().path()).unwrap() {
            let input = f.unwrap().path();
            if input.extension().is_none_or(|e| e != "in") {
                continue;
            }
            let expected = fs::read(input.with_extension("expected")).unwrap();
            let bytes = fs::read(&input).unwrap();
            let name = input.display().to_string();
            // file → stdout
            let o = mojifix().arg(&input).output().unwrap();
            if o.stdout != expected || o.status.code() != Some(0) {
                failures.push(format!("{name}: file"));
            }
            // pipe
            let o = run_with_stdin(&mut mojifix(), &bytes);
            if o.stdout != expected || o.status.code() != Some(0) {
                failures.push(format!("{name}: pipe"));
            }
            // -o DIR
            let t = tempdir();
            let o = mojifix()
                .arg(&input)
                .arg("-o")
                .arg(t.path())
                .output()
                .unwrap();
            let written = fs::read(t.path().join(input.file_name().unwrap())).unwrap_or_default();
            if written != expected || o.status.code() != Some(0) {
                failures.push(format!("{name}: -o"));
            }
            // -i
            let copy = t.path().join("copy.txt");
            fs::write(&copy, &bytes).unwrap();
            let o = mojifix().arg("-i").arg(&copy).output().unwrap();
            if fs::read(&copy).unwrap() != expected || o.status.code() != Some(0) {
                failures.push(format!("{name}: -i"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn detect_prints_encoding_and_confidence() {
    let f = root().join("fixtures/bytes/gbk/zh_hans.in");
    let (code, stdout, _) = out(mojifix().arg("--detect").arg(&f));
    assert_eq!(code, 0);
    let cols: Vec<&str> = stdout.trim_end().split('\t').collect();
    assert_eq!(cols[0], f.display().to_string());
    assert_eq!(cols[1], "GBK");
    assert!(cols[2].parse::<f32>().unwrap() > 0.5, "{stdout}");
    let (_, stdout, _) = out(mojifix().arg("--detect").arg(seed("000")));
    assert!(
        stdout.ends_with("\tUTF-8\t1.00\t(valid UTF-8)\n"),
        "{stdout}"
    );
}

/// `--detect` works on batches in parallel: the lines still come in walk order (by path),
/// each with its own file's encoding, across batch boundaries.
#[test]
fn detect_over_a_tree_keeps_walk_order() {
    let t = tempdir();
    let gbk = fs::read(root().join("fixtures/bytes/gbk/zh_hans.in")).unwrap();
    let utf8 = fs::read(seed("000")).unwrap();
    let mut expected = String::new();
    for i in 0..600 {
        let f = t.path().join(format!("{i:04}.txt"));
        let (bytes, enc) = if i % 3 == 0 {
            (&gbk, "GBK")
        } else {
            (&utf8, "UTF-8")
        };
        fs::write(&f, bytes).unwrap();
        expected.push_str(&format!("{}\t{enc}\n", f.display()));
    }
    let (code, stdout, _) = out(mojifix().args(["-j", "2", "--detect"]).arg(t.path()));
    assert_eq!(code, 0);
    let got: String = stdout
        .lines()
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            format!("{}\t{}\n", cols[0], cols[1])
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn json_reports_one_object_per_input() {
    let (code, stdout, _) = out(mojifix()
        .arg("--json")
        .arg(seed("002"))
        .arg(seed("000"))
        .arg("missing.txt"));
    assert_eq!(code, 2, "the missing file is an error");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "walk errors are messages, inputs are objects: {stdout}"
    );
    assert_eq!(lines[0]["status"], "changed");
    assert_eq!(lines[0]["encoding"], "UTF-8");
    assert_eq!(lines[0]["source"], "valid");
    let steps = lines[0]["steps"].as_array().unwrap();
    let rep = steps
        .iter()
        .find(|s| s["step"] == "repaired")
        .expect("a repaired step");
    assert_eq!(rep["fix"], "gbk_misaligned");
    assert!(rep["chain"]
        .as_str()
        .unwrap()
        .contains("realign(lost lead byte 0xCC)"));
    assert!(rep["after"].as_str().unwrap().starts_with("題是否找準"));
    assert_eq!(lines[1]["status"], "unchanged");
}

#[test]
fn explain_goes_to_stderr_and_names_the_chain() {
    let (code, stdout, stderr) = out(mojifix().arg("--explain").arg(seed("002")));
    assert_eq!(code, 0);
    assert!(stdout.contains("用問題是否找準，根源是否清楚"));
    assert!(
        stderr.contains("repaired gbk_misaligned at byte"),
        "{stderr}"
    );
    assert!(
        stderr.contains("t2s-inverse → encode(gbk) → realign(lost lead byte 0xCC)"),
        "{stderr}"
    );
}

#[test]
fn diff_shows_unified_diff_and_exits_1() {
    let (code, stdout, _) = out(mojifix().arg("--diff").arg(seed("002")));
    assert_eq!(code, 1);
    assert!(stdout.starts_with("--- "), "{stdout}");
    assert!(stdout.contains("\n-") && stdout.contains("\n+"));
    assert!(stdout.contains("用問題是否找準"));
}

#[test]
fn mixed_utf8_and_gbk_lines() {
    let lines = read(&root().join("fixtures/text/zh_hans.txt"));
    let mut bytes = Vec::new();
    let mut expected = String::new();
    for (i, line) in lines
        .lines()
        .chain(read(&root().join("fixtures/text/zh_hant.txt")).lines())
        .enumerate()
    {
        let l = format!("{line}\n");
        if i % 2 == 0 {
            bytes.extend_from_slice(l.as_bytes());
        } else {
            bytes.extend_from_slice(&encoding_rs::GBK.encode(&l).0);
        }
        expected.push_str(&l);
    }
    let o = run_with_stdin(&mut mojifix(), &bytes);
    assert_eq!(String::from_utf8_lossy(&o.stdout), expected);
}

#[test]
fn to_legacy_encoding_and_unencodable_error() {
    let o = run_with_stdin(mojifix().args(["--to", "gbk"]), "你好，世界\n".as_bytes());
    assert_eq!(o.stdout, encoding_rs::GBK.encode("你好，世界\n").0.to_vec());
    let o = run_with_stdin(
        mojifix().args(["--to", "shift_jis"]),
        "a\n한국어 b\n".as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "3 character(s) cannot be encoded in Shift_JIS; first: U+D55C '한' at line 2, column 1"
        ),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "nothing half-written");
}

#[test]
fn bom_policies() {
    let with_bom = b"\xEF\xBB\xBFhello\n";
    assert_eq!(
        run_with_stdin(&mut mojifix(), with_bom).stdout,
        with_bom,
        "keep is the default"
    );
    assert_eq!(
        run_with_stdin(mojifix().args(["--bom", "strip"]), with_bom).stdout,
        b"hello\n"
    );
    assert_eq!(
        run_with_stdin(mojifix().args(["--bom", "add"]), b"hello\n").stdout,
        with_bom
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("hi\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(
        run_with_stdin(&mut mojifix(), &utf16).stdout,
        b"hi\n",
        "a UTF-16 BOM is not carried into UTF-8"
    );
    assert_eq!(
        run_with_stdin(mojifix().args(["--to", "utf-16le"]), b"hi").stdout,
        b"\xFF\xFEh\x00i\x00"
    );
}

#[test]
fn crlf_stays_unless_asked() {
    let text = "第一行\r\n第二行\r\n";
    assert_eq!(
        run_with_stdin(&mut mojifix(), text.as_bytes()).stdout,
        text.as_bytes()
    );
    assert_eq!(
        run_with_stdin(mojifix().args(["--newlines", "lf"]), text.as_bytes()).stdout,
        "第一行\n第二行\n".as_bytes()
    );
}

#[test]
fn config_file_discovery_precedence_and_errors() {
    let t = tempdir();
    let sub = t.path().join("a/b");
    fs::create_dir_all(&sub).unwrap();
    fs::write(
        t.path().join("mojifix.toml"),
        "convert = \"t2s\"\nnewlines = \"lf\"\n",
    )
    .unwrap();
    let input = "漢字\r\n".as_bytes();
    // Found from a subdirectory, upwards.
    let o = run_with_stdin(mojifix().current_dir(&sub), input);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "汉字\n");
    // A flag overrides the file.
    let o = run_with_stdin(
        mojifix()
            .current_dir(&sub)
            .args(["--convert", "s2t", "--newlines", "keep"]),
        input,
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout), "漢字\r\n");
    // --no-config ignores it.
    let o = run_with_stdin(mojifix().current_dir(&sub).arg("--no-config"), input);
    assert_eq!(o.stdout, input);
    // --print-config shows the resolved settings.
    let (code, stdout, _) = out(mojifix()
        .current_dir(&sub)
        .args(["--print-config", "--fold-width"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("mojifix.toml")
            && stdout.contains("convert = \"t2s\"")
            && stdout.contains("fold-width = true"),
        "{stdout}"
    );
    // Unknown keys are an error that names the key.
    fs::write(t.path().join("mojifix.toml"), "convrt = \"t2s\"\n").unwrap();
    let (code, _, stderr) = out(mojifix()
        .current_dir(&sub)
        .arg("--check")
        .arg(Path::new("/dev/null")));
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown field `convrt`"), "{stderr}");
}

#[test]
fn t2s_on_the_seeds() {
    let (code, stdout, _) = out(mojifix().arg("--t2s").arg(seed("002")));
    assert_eq!(code, 0);
    assert!(stdout.contains(
        "用问题是否找准，根源是否清楚，整改方面是否明确的标准检查每个党员个人小结，要求严格、意见明确，不合格的退回党员个人进行修改，支部再审第二稿"
    ));
    // The same as converting the repaired text afterwards.
    let repaired = mojifix().arg(seed("002")).output().unwrap().stdout;
    let o = run_with_stdin(mojifix().arg("--t2s"), &repaired);
    assert_eq!(o.stdout, stdout.as_bytes());
    for n in ["001", "004"] {
        let t2s = mojifix().arg("--t2s").arg(seed(n)).output().unwrap().stdout;
        let cleaned = mojifix().arg(seed(n)).output().unwrap().stdout;
        let then = run_with_stdin(mojifix().args(["--t2s", "--no-repair"]), &cleaned).stdout;
        assert_eq!(t2s, then, "seed {n}");
    }
    let t2s = mojifix()
        .arg("--t2s")
        .arg(seed("001"))
        .output()
        .unwrap()
        .stdout;
    assert!(String::from_utf8_lossy(&t2s).starts_with("党建三创新经验交流\n"));
}

#[test]
fn pinyin_seeds_lose_exactly_the_annotations() {
    let re_han_pinyin = |s: &str| -> usize { crate::support::count_annotations_after_han(s) };
    for (n, count) in [("001", 242), ("004", 304)] {
        let original = read(&seed(n));
        assert_eq!(re_han_pinyin(&original), count, "seed {n} annotations");
        let o = mojifix().arg("--no-repair").arg(seed(n)).output().unwrap();
        let got = String::from_utf8(o.stdout).unwrap();
        assert_eq!(
            got,
            crate::support::strip_annotations_after_han(&original),
            "seed {n}"
        );
        assert_eq!(re_han_pinyin(&got), 0);
    }
}

#[test]
fn walking_honours_gitignore_hidden_and_globs() {
    let t = tempdir();
    let d = t.path();
    fs::create_dir_all(d.join("sub")).unwrap();
    fs::create_dir_all(d.join(".hidden")).unwrap();
    for p in [
        "a.txt",
        "sub/b.txt",
        "sub/c.md",
        ".hidden/d.txt",
        "ignored.txt",
    ] {
        fs::write(d.join(p), "cafÃ©\n").unwrap();
    }
    fs::write(d.join(".gitignore"), "ignored.txt\n").unwrap();
    let listed = |args: &[&str]| -> Vec<String> {
        let (_, stdout, _) = out(mojifix().arg("--check").args(args).arg(d));
        let mut v: Vec<String> = stdout
            .lines()
            .map(|l| {
                l.split('\t')
                    .next()
                    .unwrap()
                    .strip_prefix(&format!("{}/", d.display()))
                    .unwrap()
                    .to_string()
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(listed(&[]), ["a.txt", "sub/b.txt", "sub/c.md"]);
    assert_eq!(
        listed(&["--hidden"]),
        [".hidden/d.txt", "a.txt", "sub/b.txt", "sub/c.md"]
    );
    assert_eq!(listed(&["--glob", "*.md"]), ["sub/c.md"]);
    assert_eq!(listed(&["--exclude", "sub"]), ["a.txt"]);
    assert_eq!(
        listed(&["--no-ignore"]),
        ["a.txt", "ignored.txt", "sub/b.txt", "sub/c.md"]
    );
}

#[test]
fn output_dir_mirrors_the_tree_and_refuses_to_overwrite_inputs() {
    let t = tempdir();
    let src = t.path().join("src");
    fs::create_dir_all(src.join("x/y")).unwrap();
    fs::write(src.join("x/y/z.txt"), "cafÃ©\n").unwrap();
    fs::write(src.join("top.txt"), "plain\n").unwrap();
    let dst = t.path().join("dst");
    let (code, _, _) = out(mojifix().arg(&src).arg("-o").arg(&dst));
    assert_eq!(code, 0);
    assert_eq!(read(&dst.join("x/y/z.txt")), "café\n");
    assert_eq!(read(&dst.join("top.txt")), "plain\n");
    assert_eq!(read(&src.join("x/y/z.txt")), "cafÃ©\n", "inputs untouched");
    let (code, _, stderr) = out(mojifix().arg(&src).arg("-o").arg(&src));
    assert_eq!(code, 2);
    assert!(stderr.contains("is an input; use -i"), "{stderr}");
}

#[test]
fn in_place_keeps_permissions_and_backup() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempdir();
    let f = t.path().join("f.txt");
    fs::write(&f, "cafÃ©\n").unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o640)).unwrap();
    let (code, stdout, _) = out(mojifix().args(["-i", "--backup", ".orig"]).arg(&f));
    assert_eq!((code, stdout.as_str()), (0, ""));
    assert_eq!(read(&f), "café\n");
    assert_eq!(read(&t.path().join("f.txt.orig")), "cafÃ©\n");
    assert_eq!(
        fs::metadata(&f).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // Idempotent: a second run changes nothing and check passes.
    let (code, _, _) = out(mojifix().arg("--check").arg(&f));
    assert_eq!(code, 0);
}

#[test]
fn in_place_over_more_files_than_one_commit_batch() {
    // In-place rewrites are committed in batches of 1,024 (one filesystem sync each):
    // every file of every batch ends up fixed, large ones (written on their own) too,
    // with backups and permissions, and no temporary file is left.
    use std::os::unix::fs::PermissionsExt;
    let t = tempdir();
    let gbk = encoding_rs::GBK.encode("你好，世界。学校要闻\n").0.to_vec();
    let n = 2_100;
    for i in 0..n {
        let d = t.path().join(format!("d{}", i % 7));
        fs::create_dir_all(&d).unwrap();
        let f = d.join(format!("{i}.txt"));
        match i % 3 {
            0 => fs::write(&f, "cafÃ© naÃ¯ve\n").unwrap(),
            1 => fs::write(&f, &gbk).unwrap(),
            _ => fs::write(&f, "clean 文本\n").unwrap(),
        }
        fs::set_permissions(
            &f,
            fs::Permissions::from_mode(0o600 + (i % 2) as u32 * 0o40),
        )
        .unwrap();
    }
    // One file over the staging limit.
    let big = t.path().join("big.txt");
    fs::write(&big, "cafÃ© ".repeat(300_000)).unwrap();
    let (code, _, stderr) = out(mojifix()
        .args(["-i", "-j", "2", "--backup", "~"])
        .arg(t.path()));
    assert_eq!(code, 0, "{stderr}");
    let mut names = Vec::new();
    for i in 0..n {
        let f = t.path().join(format!("d{}/{i}.txt", i % 7));
        let expected = ["café naïve\n", "你好，世界。学校要闻\n", "clean 文本\n"][i % 3];
        assert_eq!(read(&f), expected, "{}", f.display());
        let mode = fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600 + (i % 2) as u32 * 0o40);
        let backup = t.path().join(format!("d{}/{i}.txt~", i % 7));
        assert_eq!(
            backup.exists(),
            i % 3 != 2,
            "only changed files are backed up"
        );
        names.push(f);
    }
    assert_eq!(read(&big), "café ".repeat(300_000));
    let leftovers: Vec<_> = files_under(t.path())
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".mojifix-")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Idempotent.
    let (code, _, _) = out(mojifix()
        .arg("--check")
        .arg(t.path())
        .args(["--exclude", "*~"]));
    assert_eq!(code, 0);
}

#[test]
fn detect_lang_narrows_short_snippets() {
    let bytes = encoding_rs::GBK.encode("学校").0.to_vec();
    let o = run_with_stdin(mojifix().args(["--detect", "--lang", "zh"]), &bytes);
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("<stdin>\tGBK\t"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = run_with_stdin(mojifix().args(["--lang", "zh"]), &bytes);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "学校");
}

#[test]
fn bad_arguments_are_clear_errors() {
    let (code, _, stderr) = out(mojifix().args(["--from", "klingon", "x"]));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("mojifix: --from: use a WHATWG label"),
        "{stderr}"
    );
    let (code, _, stderr) = out(mojifix().args(["--convert", "x2y"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown conversion `x2y`"), "{stderr}");
    let (code, _, stderr) = out(mojifix().args(["-i", "--check", "x"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("choose one of"), "{stderr}");
    let (code, _, stderr) = out(mojifix()
        .args(["--check", "--glob", "["])
        .arg(root().join("fixtures/text")));
    assert_eq!(code, 2);
    assert!(stderr.contains("glob `[`: error parsing glob"), "{stderr}");
    let (code, _, stderr) = out(mojifix().args(["-i"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("-i cannot rewrite stdin"), "{stderr}");
}
