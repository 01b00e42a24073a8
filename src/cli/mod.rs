//! The binary's half: flags → settings → batch → reports → exit status. The library never
//! sees clap, anyhow, indicatif or the terminal; this module is the only place that does.

pub mod args;
pub mod exit;
pub mod settings;

use std::io::{self, IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use rayon::prelude::*;

use mojifix::batch::{self, FileReport, Input, Options, Sink, STREAM_THRESHOLD};
use mojifix::detect::Detection;
use mojifix::report;

use args::Args;
use exit::ExitStatus;
use settings::Settings;

/// How much of a file `--detect` reads.
const DETECT_PREFIX: u64 = 1024 * 1024;
/// Inputs `--detect` reads and detects together before their lines are printed.
const DETECT_BATCH: usize = 256;
/// Small files processed together before their output is written (stdout sink).
const STDOUT_BATCH: usize = 64;

/// Runs mojifix; the only caller is `main`.
pub fn run(args: Args) -> Result<ExitStatus> {
    let s = settings::resolve(&args)?;
    if args.print_config {
        let mut out = String::new();
        if let Some(p) = &s.config_path {
            out.push_str(&format!("# from {}\n", p.display()));
        }
        out.push_str(&toml::to_string(&s.resolved).context("printing the config")?);
        print!("{out}");
        return Ok(ExitStatus::Clean);
    }
    if let Some(n) = s.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("starting the worker threads")?;
    }
    let interrupted = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&interrupted))
            .context("installing the signal handler")?;
    }
    // With `ulimit -f`, exceeding the limit must be a write error we can clean up after,
    // not SIGXFSZ killing the process with a temporary file left behind.
    signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        Arc::new(AtomicBool::new(false)),
    )
    .context("installing the signal handler")?;

    let (inputs, walk_errors) = batch::walk(&s.paths, &s.walk);
    let mut status = ExitStatus::Clean;
    for (path, e) in &walk_errors {
        message(&s, &format!("{}: {e}", path.display()));
        status = status.max(ExitStatus::Error);
    }
    let st = if s.detect_only {
        detect_all(&s, inputs)?
    } else if s.sink == Sink::Stdout && !s.json {
        to_stdout(&s, inputs, &interrupted)?
    } else {
        to_sink(&s, inputs, &interrupted)?
    };
    status = status.max(st);
    if interrupted.load(Ordering::Relaxed) {
        message(&s, "interrupted; files not yet written are unchanged");
        return Ok(ExitStatus::Interrupted);
    }
    Ok(status)
}

fn message(s: &Settings, msg: &str) {
    if s.quiet {
        return;
    }
    let prefix = if s.color {
        "\x1b[1;31mmojifix:\x1b[0m"
    } else {
        "mojifix:"
    };
    let _ = writeln!(io::stderr().lock(), "{prefix} {}", report::sanitize(msg));
}

/// `--detect`: one line per input, in input order; files are read and detected in parallel
/// a batch at a time.
fn detect_all(s: &Settings, inputs: Vec<Input>) -> Result<ExitStatus> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut status = ExitStatus::Clean;
    for batch in inputs.chunks(DETECT_BATCH) {
        let found: Vec<io::Result<Detection>> = batch
            .par_iter()
            .map(|input| {
                let mut buf = Vec::new();
                match &input.path {
                    None => io::stdin().lock().take(DETECT_PREFIX).read_to_end(&mut buf),
                    Some(p) => std::fs::File::open(p)
                        .and_then(|f| f.take(DETECT_PREFIX).read_to_end(&mut buf)),
                }?;
                Ok(mojifix::detect::detect(&buf, &s.config.hint))
            })
            .collect();
        for (input, d) in batch.iter().zip(found) {
            match d {
                Ok(d) => {
                    if let Err(e) = report::detect_line(&mut out, &input.display(), &d) {
                        return broken_pipe_or(e);
                    }
                }
                Err(e) => {
                    message(s, &format!("{}: reading: {e}", input.display()));
                    status = status.max(ExitStatus::Error);
                }
            }
        }
    }
    Ok(status)
}

fn broken_pipe_or(e: io::Error) -> Result<ExitStatus> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(ExitStatus::Clean)
    } else {
        Err(e).context("writing to stdout")
    }
}

/// The filter: outputs in input order on stdout. Small files go in parallel batches; large
/// files and stdin stream straight through.
fn to_stdout(s: &Settings, inputs: Vec<Input>, interrupted: &AtomicBool) -> Result<ExitStatus> {
    let opts = Options {
        sink: Sink::Stdout,
        keep_original: false,
    };
    let mut status = ExitStatus::Clean;
    let mut i = 0;
    let is_large = |inp: &Input| {
        inp.path
            .as_ref()
            .is_none_or(|p| std::fs::metadata(p).is_ok_and(|m| m.len() >= STREAM_THRESHOLD))
    };
    while i < inputs.len() {
        if interrupted.load(Ordering::Relaxed) {
            break;
        }
        let mut batch_end = i;
        while batch_end < inputs.len()
            && batch_end - i < STDOUT_BATCH
            && !is_large(&inputs[batch_end])
        {
            batch_end += 1;
        }
        let reports = if batch_end == i {
            batch_end = i + 1;
            vec![batch::process_one(
                inputs[i].clone(),
                &s.config,
                &opts,
                interrupted,
            )]
        } else {
            batch::process_all(
                inputs[i..batch_end].to_vec(),
                &s.config,
                &opts,
                interrupted,
                &|_| {},
            )
        };
        for r in reports {
            if let Ok(o) = &r.result {
                if let Some(bytes) = &o.output {
                    if o.detection.binary.is_some() && r.input.path.is_some() {
                        message(
                            s,
                            &format!(
                                "{}: binary ({}), skipped",
                                r.input.display(),
                                o.detection.binary.unwrap_or("")
                            ),
                        );
                    } else {
                        let stdout = io::stdout();
                        let mut lock = stdout.lock();
                        if let Err(e) = lock.write_all(bytes).and_then(|()| lock.flush()) {
                            return broken_pipe_or(e);
                        }
                    }
                }
            }
            if let Err(e) = &r.result {
                if e.broken_pipe {
                    return Ok(status);
                }
            }
            status = status.max(report_one(s, &r)?);
        }
        i = batch_end;
    }
    Ok(status)
}

/// In place, mirrored, checked or reported: everything in parallel, reported in order.
fn to_sink(s: &Settings, inputs: Vec<Input>, interrupted: &AtomicBool) -> Result<ExitStatus> {
    let opts = Options {
        sink: s.sink.clone(),
        keep_original: s.diff,
    };
    let bar = (s.progress && inputs.len() > 1).then(|| {
        let b = indicatif::ProgressBar::new(inputs.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} files {wide_bar} {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let tick = |_: &FileReport| {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let reports = batch::process_all(inputs, &s.config, &opts, interrupted, &tick);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut status = ExitStatus::Clean;
    for r in &reports {
        status = status.max(report_one(s, r)?);
    }
    Ok(status)
}

/// Writes the messages and reports for one input; returns its status.
fn report_one(s: &Settings, r: &FileReport) -> Result<ExitStatus> {
    let stdout = io::stdout();
    let name = r.input.display();
    if s.explain {
        let _ = report::explain(&mut io::stderr().lock(), r);
    }
    if s.json {
        let line = serde_json::to_string(&report::json(r)).context("writing JSON")?;
        if let Err(e) = writeln!(stdout.lock(), "{line}") {
            return broken_pipe_or(e);
        }
    }
    let o = match &r.result {
        Err(e) => {
            if e.message == "interrupted" {
                return Ok(ExitStatus::Interrupted);
            }
            if !s.json {
                let hint = match e.action {
                    "encoding" => " (pick another --to, or keep the default UTF-8)",
                    "writing" => " (the original is unchanged)",
                    _ => "",
                };
                message(
                    s,
                    &format!("{name}: {} failed: {}{hint}", e.action, e.message),
                );
            }
            return Ok(ExitStatus::Error);
        }
        Ok(o) => o,
    };
    if let Some(b) = o.detection.binary {
        if r.input.explicit && r.input.path.is_some() && s.sink != Sink::Stdout {
            message(s, &format!("{name}: binary ({b}), skipped"));
        }
        return Ok(ExitStatus::Clean);
    }
    if s.check && o.changed {
        let mut out = stdout.lock();
        let res = if s.json {
            Ok(())
        } else if s.diff {
            write_diff(&mut out, &name, o)
        } else {
            writeln!(out, "{}\t{}", report::sanitize(&name), report::summary(o))
        };
        if !s.json {
            if let Err(e) = res {
                return broken_pipe_or(e);
            }
        }
    }
    // `--json` alone reports; only `--check` and `--diff` turn changes into exit status 1.
    if s.check && o.changed {
        return Ok(ExitStatus::ChangesNeeded);
    }
    Ok(ExitStatus::Clean)
}

fn write_diff(out: &mut dyn Write, name: &str, o: &batch::FileOutcome) -> io::Result<()> {
    let (Some(before), Some(after)) = (&o.original, &o.output) else {
        return writeln!(
            out,
            "--- {name}\n+++ {name}\n(large file: diff not shown; {})",
            report::summary(o)
        );
    };
    let a = String::from_utf8_lossy(before);
    let b = String::from_utf8_lossy(after);
    let diff = similar::TextDiff::from_lines(a.as_ref(), b.as_ref());
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(name, &format!("{name} (fixed)"))
        .to_string();
    out.write_all(text.as_bytes())?;
    if !io::stdout().is_terminal() {
        out.flush()?;
    }
    Ok(())
}
