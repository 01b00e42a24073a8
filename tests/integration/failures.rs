//! Failure modes: unreadable and missing files, binary files, a write that fails part-way
//! (file size limit), a read-only directory, SIGINT during an in-place run over a tree,
//! a broken pipe, huge lines, malformed bytes. In each the originals are intact, no
//! temporary file is left behind, and the exit status says what happened.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{files_under, mojifix, read, run_with_stdin, tempdir};

fn leftovers(dir: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for e in files_under(dir) {
        let name = e.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(".mojifix-") {
            v.push(e.display().to_string());
        }
    }
    v
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn missing_file_is_reported_and_the_run_goes_on() {
    let t = tempdir();
    let good = t.path().join("good.txt");
    fs::write(&good, "cafÃ©\n").unwrap();
    let o = mojifix()
        .arg("-i")
        .arg(t.path().join("missing.txt"))
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("mojifix: ") && err.contains("missing.txt: No such file"),
        "{err}"
    );
    assert_eq!(read(&good), "café\n", "the other file was still fixed");
}

#[test]
fn unreadable_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    if is_root() {
        return; // root reads anything; the missing-file test covers the path
    }
    let t = tempdir();
    let f = t.path().join("secret.txt");
    fs::write(&f, "x").unwrap();
    fs::set_permissions(&f, fs::Permissions::from_mode(0o000)).unwrap();
    let o = mojifix().arg(&f).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("reading failed: Permission denied"));
}

#[test]
fn binary_files_are_skipped_never_rewritten() {
    let t = tempdir();
    let png = t.path().join("image.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice("cafÃ© 浣犲ソ".as_bytes());
    fs::write(&png, &bytes).unwrap();
    let nul = t.path().join("data.bin");
    fs::write(&nul, b"cafe\x00\x01\x02 \xC3\x83\xC2\xA9").unwrap();
    let text = t.path().join("t.txt");
    fs::write(&text, "cafÃ©\n").unwrap();
    let o = mojifix().arg("-i").arg(t.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(fs::read(&png).unwrap(), bytes);
    assert_eq!(
        fs::read(&nul).unwrap(),
        b"cafe\x00\x01\x02 \xC3\x83\xC2\xA9"
    );
    assert_eq!(read(&text), "café\n");
    // Named explicitly, it is reported.
    let o = mojifix().arg("--check").arg(&png).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("image.png: binary (PNG image), skipped"));
    // Through a pipe, binary passes through untouched.
    let o = run_with_stdin(&mut mojifix(), &bytes);
    assert_eq!(o.stdout, bytes);
}

#[test]
fn a_write_that_fails_leaves_the_original_and_no_temporary() {
    let t = tempdir();
    let f = t.path().join("big.txt");
    let original = "cafÃ© ".repeat(100_000); // 700 kB
    fs::write(&f, &original).unwrap();
    // 100 blocks of 512 bytes: the rewrite cannot fit.
    let bin = env!("CARGO_BIN_EXE_mojifix");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -f 100; exec '{bin}' -i '{}'", f.display()))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("writing failed") && err.contains("the original is unchanged"),
        "{err}"
    );
    assert_eq!(read(&f), original);
    assert!(leftovers(t.path()).is_empty(), "{:?}", leftovers(t.path()));
}

#[test]
fn read_only_directory() {
    use std::os::unix::fs::PermissionsExt;
    if is_root() {
        return; // root writes anywhere; the ulimit test covers a failing write
    }
    let t = tempdir();
    let d = t.path().join("ro");
    fs::create_dir(&d).unwrap();
    let f = d.join("f.txt");
    fs::write(&f, "cafÃ©\n").unwrap();
    fs::set_permissions(&d, fs::Permissions::from_mode(0o555)).unwrap();
    let o = mojifix().arg("-i").arg(&f).output().unwrap();
    fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(read(&f), "cafÃ©\n");
    assert!(leftovers(&d).is_empty());
}

#[test]
fn sigint_during_in_place_leaves_every_file_whole() {
    let t = tempdir();
    let n = 3000;
    let body = "浣犲ソ锛屼笘鐣屻€?cafÃ© ".repeat(200);
    for i in 0..n {
        let d = t.path().join(format!("d{}", i % 30));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join(format!("{i}.txt")), &body).unwrap();
    }
    let child = mojifix()
        .arg("-i")
        .arg("-j")
        .arg("2")
        .arg(t.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let _ = Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status();
    let o = child.wait_with_output().unwrap();
    let expected =
        String::from_utf8(run_with_stdin(&mut mojifix(), body.as_bytes()).stdout).unwrap();
    let (mut done, mut untouched) = (0, 0);
    for p in files_under(t.path()) {
        let s = read(&p);
        if s == body {
            untouched += 1;
        } else if s == expected {
            done += 1;
        } else {
            panic!("{} is neither the original nor the fixed text", p.display());
        }
    }
    assert_eq!(done + untouched, n);
    assert!(leftovers(t.path()).is_empty(), "{:?}", leftovers(t.path()));
    match o.status.code() {
        Some(130) => assert!(
            String::from_utf8_lossy(&o.stderr).contains("interrupted"),
            "stopped early: {done} done"
        ),
        Some(0) => assert_eq!(done, n, "finished before the signal"),
        other => panic!("exit {other:?}: {}", String::from_utf8_lossy(&o.stderr)),
    }
}

#[test]
fn broken_pipe_exits_quietly() {
    let bin = env!("CARGO_BIN_EXE_mojifix");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "yes 'cafÃ© 你好' | head -c 30000000 | '{bin}' | head -c 10 >/dev/null"
        ))
        .output()
        .unwrap();
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn huge_line_streams_in_bounded_chunks_with_the_same_output() {
    // 20 MB with no line end at all, over the streaming threshold: cut at safe points.
    let line = "漢字テキスト cafÃ© ".repeat(900_000);
    assert!(line.len() > 20_000_000);
    let o = run_with_stdin(&mut mojifix(), line.as_bytes());
    assert_eq!(o.status.code(), Some(0));
    let expected = line.replace("cafÃ©", "café");
    assert!(o.stdout == expected.as_bytes(), "streamed output differs");
}

#[test]
fn malformed_bytes_are_marked_and_reported() {
    // A UTF-8 file with one character cut short and a stray byte: still UTF-8, the damage
    // marked U+FFFD and reported at its byte offsets.
    let input = "你好世界，这是一段正常的文字";
    let mut bytes = input.as_bytes().to_vec();
    bytes.extend_from_slice(b"\xE4\xBD");
    bytes.extend_from_slice("，后面还有文字。再来。\n".as_bytes());
    bytes.push(0xFF);
    bytes.extend_from_slice("结束。\n".as_bytes());
    let o = run_with_stdin(mojifix().arg("--json"), &bytes);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let dec = &j["steps"][0];
    assert_eq!(dec["step"], "decoded");
    assert_eq!(dec["encoding"], "UTF-8");
    assert_eq!(dec["malformed"], 2);
    assert_eq!(
        dec["malformed_at"],
        serde_json::json!([input.len(), bytes.len() - "结束。\n".len() - 1])
    );
    let o = run_with_stdin(&mut mojifix(), &bytes);
    assert_eq!(o.status.code(), Some(0));
    let s = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        s,
        format!("{input}\u{FFFD}，后面还有文字。再来。\n\u{FFFD}结束。\n")
    );
}
