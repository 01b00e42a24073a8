//! The I/O edge: inputs (paths walked with the `ignore` crate, or stdin) → read →
//! [`pipeline`] → sink. Files are processed in parallel with rayon and reported in input
//! order. A large file (or stdin) is streamed in chunks cut at line ends, a few chunks in
//! flight at a time, so memory stays bounded whatever the size. In-place writes go to a
//! temporary file in the same directory, are made durable (a batch of small files with one
//! filesystem sync, a large file with its own fsync) and only then renamed over the
//! original, so an error, a full disk or an interrupt leaves the original intact and no
//! temporary behind.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::detect::{self, Detection};
use crate::pipeline::{self, Config};
use crate::step::Step;

/// Where results go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// The output bytes to stdout (the filter).
    Stdout,
    /// Rewrite changed files in place, optionally keeping `path + suffix` as a backup.
    InPlace {
        /// Backup suffix (`--backup`).
        backup: Option<String>,
    },
    /// Mirror the input tree under this directory.
    OutputDir(PathBuf),
    /// Write nothing; report what would change.
    Check,
}

/// One input.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file; `None` for stdin.
    pub path: Option<PathBuf>,
    /// Path relative to the root it was found under (for `-o`).
    pub rel: PathBuf,
    /// Named on the command line (not found by walking).
    pub explicit: bool,
}

impl Input {
    /// How the input is shown in messages.
    pub fn display(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string())
    }
}

/// Walk options.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Include hidden files and directories.
    pub hidden: bool,
    /// Do not honour .gitignore and friends.
    pub no_ignore: bool,
    /// Only files matching one of these globs (gitignore syntax).
    pub globs: Vec<String>,
    /// Skip files matching these globs.
    pub excludes: Vec<String>,
}

/// Expands paths into inputs: files as given, directories walked. Errors (a path that
/// does not exist, an unreadable directory) are returned beside the inputs found.
pub fn walk(paths: &[PathBuf], opts: &WalkOptions) -> (Vec<Input>, Vec<(PathBuf, io::Error)>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        if root.as_os_str() == "-" {
            inputs.push(Input {
                path: None,
                rel: PathBuf::from("stdin"),
                explicit: true,
            });
            continue;
        }
        match fs::metadata(root) {
            Err(e) => errors.push((root.clone(), e)),
            Ok(m) if !m.is_dir() => inputs.push(Input {
                path: Some(root.clone()),
                rel: root.file_name().map_or_else(|| root.clone(), PathBuf::from),
                explicit: true,
            }),
            Ok(_) => {
                let mut ob = ignore::overrides::OverrideBuilder::new(root);
                let globs = opts.globs.iter().map(|g| (g.clone(), g.clone()));
                let excludes = opts.excludes.iter().map(|g| (format!("!{g}"), g.clone()));
                for (pattern, given) in globs.chain(excludes) {
                    if let Err(e) = ob.add(&pattern) {
                        errors.push((
                            root.clone(),
                            io::Error::other(format!("glob `{given}`: {e}")),
                        ));
                    }
                }
                let mut wb = ignore::WalkBuilder::new(root);
                wb.hidden(!opts.hidden)
                    .git_ignore(!opts.no_ignore)
                    .git_global(!opts.no_ignore)
                    .git_exclude(!opts.no_ignore)
                    .ignore(!opts.no_ignore)
                    .parents(!opts.no_ignore)
                    .require_git(false)
                    .sort_by_file_path(|a, b| a.cmp(b));
                if let Ok(o) = ob.build() {
                    wb.overrides(o);
                }
                for entry in wb.build() {
                    match entry {
                        Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                            let p = e.into_path();
                            let rel = p
                                .strip_prefix(root)
                                .map_or_else(|_| p.clone(), Path::to_path_buf);
                            inputs.push(Input {
                                path: Some(p),
                                rel,
                                explicit: false,
                            });
                        }
                        Ok(_) => {}
                        Err(e) => {
                            let path = match &e {
                                ignore::Error::WithPath { path, .. } => path.clone(),
                                _ => root.clone(),
                            };
                            errors.push((path, io::Error::other(e.to_string())));
                        }
                    }
                }
            }
        }
    }
    (inputs, errors)
}

/// What happened to one input.
#[derive(Debug)]
pub struct FileReport {
    /// The input.
    pub input: Input,
    /// The outcome, or why it failed.
    pub result: Result<FileOutcome, FileError>,
}

/// A failure on one input, with the stage it happened in.
#[derive(Debug)]
pub struct FileError {
    /// What was being done (`reading`, `writing`, `encoding`…).
    pub action: &'static str,
    /// The error message.
    pub message: String,
    /// True for a broken pipe on stdout: the reader went away, which is not an error.
    pub broken_pipe: bool,
}

/// The outcome for one input that could be processed.
#[derive(Debug)]
pub struct FileOutcome {
    /// How the input was read.
    pub detection: Detection,
    /// Steps, in order (offsets of later chunks shifted to whole-input positions).
    pub steps: Vec<Step>,
    /// Whether the output differs from the input.
    pub changed: bool,
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes of output.
    pub bytes_out: u64,
    /// For `Stdout` (and `--diff`): the output of a small input, kept for the caller.
    pub output: Option<Vec<u8>>,
    /// For `--diff`: the input of a small file.
    pub original: Option<Vec<u8>>,
}

/// Inputs at least this large are streamed in chunks.
pub const STREAM_THRESHOLD: u64 = 16 * 1024 * 1024;
/// Target chunk size for streaming.
pub const CHUNK: usize = 256 * 1024;
/// Inputs at least this large decode legacy double-byte text through a pair table into a
/// buffer of their own ([`pipeline::run_in`]); smaller ones do not pay for the table.
const SCRATCH_MIN: usize = 4 * 1024 * 1024;

/// Processing options beyond the pipeline config.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where results go.
    pub sink: Sink,
    /// Keep input and output bytes of small files in the report (for `--diff`).
    pub keep_original: bool,
}

/// Processes all inputs in parallel; reports come back in input order. `interrupted` is
/// checked before each file and each chunk: once set, nothing new starts and unfinished
/// in-place writes are abandoned (their temporary files removed).
///
/// In-place rewrites of small files are committed a batch at a time: each file's new
/// content goes to a temporary file beside it; once the whole batch is written, one
/// filesystem sync makes every temporary durable, and only then are they renamed over the
/// originals (and synced again). Syncing file by file costs a disk flush per file, which
/// dominates a run over a tree of small files; the guarantee is the same, since nothing is
/// renamed before its content is on disk.
pub fn process_all(
    inputs: Vec<Input>,
    cfg: &Config,
    opts: &Options,
    interrupted: &AtomicBool,
    on_done: &(dyn Fn(&FileReport) + Sync),
) -> Vec<FileReport> {
    if !matches!(opts.sink, Sink::InPlace { .. }) {
        return inputs
            .into_par_iter()
            .map(|input| {
                let report = process_one(input, cfg, opts, interrupted);
                on_done(&report);
                report
            })
            .collect();
    }
    let mut reports = Vec::with_capacity(inputs.len());
    let mut inputs = inputs.into_iter();
    // The batch written last is synced and renamed on a thread of its own while the workers
    // process the next one: a commit mostly waits for the disk, and a worker that waited
    // with it would leave its core idle (with `-j 1`, the whole run would stop for it).
    std::thread::scope(|scope| {
        let mut committing: Option<std::thread::ScopedJoinHandle<'_, Vec<FileReport>>> = None;
        let mut collect = |handle: std::thread::ScopedJoinHandle<'_, Vec<FileReport>>| {
            let committed = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for report in committed {
                on_done(&report);
                reports.push(report);
            }
        };
        loop {
            let batch: Vec<Input> = inputs.by_ref().take(COMMIT_BATCH).collect();
            if batch.is_empty() {
                break;
            }
            let staged: Vec<_> = batch
                .into_par_iter()
                .map(|input| stage_one(input, cfg, opts, interrupted))
                .collect();
            if let Some(handle) = committing.take() {
                collect(handle);
            }
            committing = Some(scope.spawn(move || commit(staged, interrupted)));
        }
        if let Some(handle) = committing {
            collect(handle);
        }
    });
    reports
}

/// Files per in-place commit batch.
const COMMIT_BATCH: usize = 1024;
/// In-place rewrites of files below this size are staged for a batch commit; larger ones
/// are written and synced on their own, so a batch never holds more than
/// `COMMIT_BATCH × STAGE_LIMIT` bytes of temporary copies.
const STAGE_LIMIT: u64 = 1024 * 1024;

/// A rewritten file waiting for its batch commit: the temporary beside it (removed if
/// dropped) holds the new content, with the original's permissions.
struct Staged {
    temp: tempfile::TempPath,
    path: PathBuf,
    backup: Option<String>,
    /// The filesystem it is on (one sync per filesystem).
    device: u64,
}

/// [`process_one`] for an in-place run: a small changed file's new content is written to a
/// temporary file and returned for [`commit`] instead of being renamed into place.
fn stage_one(
    input: Input,
    cfg: &Config,
    opts: &Options,
    interrupted: &AtomicBool,
) -> (FileReport, Option<Staged>) {
    let Some(path) = &input.path else {
        return (process_one(input, cfg, opts, interrupted), None);
    };
    let mut staged = None;
    let result = if interrupted.load(Ordering::Relaxed) {
        Err(err("processing", "interrupted"))
    } else {
        process_path(path, &input, cfg, opts, interrupted, Some(&mut staged))
    };
    (FileReport { input, result }, staged)
}

/// Makes a batch of staged rewrites durable, then renames each over its original. If the
/// sync fails or the run was interrupted, no file of the batch is replaced and every
/// temporary file is removed.
fn commit(staged: Vec<(FileReport, Option<Staged>)>, interrupted: &AtomicBool) -> Vec<FileReport> {
    // One file per filesystem: its temporary now, its final name after the renames.
    let mut devices: Vec<(u64, PathBuf, PathBuf)> = Vec::new();
    for s in staged.iter().filter_map(|(_, s)| s.as_ref()) {
        if !devices.iter().any(|d| d.0 == s.device) {
            devices.push((s.device, s.temp.to_path_buf(), s.path.clone()));
        }
    }
    let synced = if interrupted.load(Ordering::Relaxed) {
        Err(err("processing", "interrupted"))
    } else {
        let temps: Vec<&Path> = devices.iter().map(|d| d.1.as_path()).collect();
        sync_staged(&staged, &temps).map_err(|e| io_err("syncing", &e))
    };
    let mut renamed = false;
    let reports = staged
        .into_iter()
        .map(|(mut report, s)| {
            let Some(s) = s else { return report };
            let result = match &synced {
                Err(e) => Err(FileError {
                    action: e.action,
                    message: e.message.clone(),
                    broken_pipe: false,
                }),
                Ok(()) => {
                    renamed = true;
                    replace_with(s).map_err(|e| io_err("writing", &e))
                }
            };
            if let Err(e) = result {
                report.result = Err(e);
            }
            report
        })
        .collect();
    if renamed {
        // The renames themselves: best effort, the content is already safe either way.
        let finals: Vec<&Path> = devices.iter().map(|d| d.2.as_path()).collect();
        let _ = sync_filesystems(&finals);
    }
    reports
}

/// Backup (if asked) and rename: the last step of an in-place rewrite.
fn replace_with(s: Staged) -> io::Result<()> {
    if let Some(suffix) = &s.backup {
        make_backup(&s.path, suffix)?;
    }
    s.temp.persist(&s.path).map_err(|e| e.error)
}

/// Keeps the original as `path + suffix` (a hard link, or a copy where links fail).
fn make_backup(path: &Path, suffix: &str) -> io::Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    let backup_path = PathBuf::from(name);
    let _ = fs::remove_file(&backup_path);
    if fs::hard_link(path, &backup_path).is_err() {
        fs::copy(path, &backup_path)?;
    }
    Ok(())
}

/// Puts every staged temporary file on disk: one `syncfs` per filesystem on Linux (`one_per_fs`
/// names a file on each), one fsync per file (many at once) elsewhere.
#[cfg(target_os = "linux")]
fn sync_staged(_staged: &[(FileReport, Option<Staged>)], one_per_fs: &[&Path]) -> io::Result<()> {
    sync_filesystems(one_per_fs)
}

#[cfg(not(target_os = "linux"))]
fn sync_staged(staged: &[(FileReport, Option<Staged>)], _one_per_fs: &[&Path]) -> io::Result<()> {
    staged
        .par_iter()
        .filter_map(|(_, s)| s.as_ref())
        .try_for_each(|s| fs::File::open(&s.temp)?.sync_all())
}

/// Flushes the filesystem of each of `files`.
#[cfg(target_os = "linux")]
fn sync_filesystems(files: &[&Path]) -> io::Result<()> {
    for f in files {
        rustix::fs::syncfs(fs::File::open(f)?)?;
    }
    Ok(())
}

/// Flushes the directories of `files` (where their renames are recorded).
#[cfg(not(target_os = "linux"))]
fn sync_filesystems(files: &[&Path]) -> io::Result<()> {
    for f in files {
        if let Some(dir) = f.parent() {
            fs::File::open(dir)?.sync_all()?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn device_of(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::dev(meta)
}

#[cfg(not(unix))]
fn device_of(_meta: &fs::Metadata) -> u64 {
    0
}

fn err(action: &'static str, e: impl std::fmt::Display) -> FileError {
    FileError {
        action,
        message: e.to_string(),
        broken_pipe: false,
    }
}

fn io_err(action: &'static str, e: &io::Error) -> FileError {
    FileError {
        action,
        message: e.to_string(),
        broken_pipe: e.kind() == io::ErrorKind::BrokenPipe,
    }
}

/// Processes one input.
pub fn process_one(
    input: Input,
    cfg: &Config,
    opts: &Options,
    interrupted: &AtomicBool,
) -> FileReport {
    if interrupted.load(Ordering::Relaxed) {
        return FileReport {
            input,
            result: Err(err("processing", "interrupted")),
        };
    }
    let result = match &input.path {
        None => {
            // The handles, not their locks: the reader and writer work on other threads
            // than the one that started the stream.
            let mut stdin = io::stdin();
            match opts.sink {
                Sink::Stdout => {
                    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout());
                    stream(&mut stdin, Some(&mut out), cfg, interrupted)
                }
                _ => stream(&mut stdin, None::<&mut io::Sink>, cfg, interrupted),
            }
        }
        Some(path) => process_path(path, &input, cfg, opts, interrupted, None),
    };
    FileReport { input, result }
}

/// Processes one named file. In place, a file under [`STAGE_LIMIT`] is left in `stage` (when
/// given) for a batch commit; otherwise it is written, synced and renamed on its own.
fn process_path(
    path: &Path,
    input: &Input,
    cfg: &Config,
    opts: &Options,
    interrupted: &AtomicBool,
    stage: Option<&mut Option<Staged>>,
) -> Result<FileOutcome, FileError> {
    let meta = fs::metadata(path).map_err(|e| io_err("reading", &e))?;
    if meta.len() >= STREAM_THRESHOLD {
        return process_large(path, input, &meta, cfg, opts, interrupted);
    }
    let bytes = fs::read(path).map_err(|e| io_err("reading", &e))?;
    let mut scratch = Vec::new();
    let scratch = (bytes.len() >= SCRATCH_MIN).then_some(&mut scratch);
    let out = pipeline::run_in(&bytes, cfg, scratch).map_err(|e| err("encoding", e))?;
    let changed = out.changed;
    let binary = out.detection.binary.is_some();
    let mut outcome = FileOutcome {
        detection: out.detection,
        steps: out.steps,
        changed,
        bytes_in: bytes.len() as u64,
        bytes_out: out.output.len() as u64,
        output: None,
        original: None,
    };
    if interrupted.load(Ordering::Relaxed) {
        return Err(err("processing", "interrupted"));
    }
    match &opts.sink {
        Sink::Stdout => outcome.output = Some(out.output.into_owned()),
        Sink::Check => {
            if opts.keep_original && changed {
                outcome.output = Some(out.output.into_owned());
                outcome.original = Some(bytes.clone());
            }
        }
        Sink::InPlace { backup } => match stage {
            _ if !changed || binary => {}
            Some(slot) if meta.len() < STAGE_LIMIT => {
                let tmp = write_temp(path, |w| w.write_all(&out.output))
                    .and_then(|tmp| {
                        fs::set_permissions(tmp.path(), meta.permissions())?;
                        Ok(tmp)
                    })
                    .map_err(|e| io_err("writing", &e))?;
                *slot = Some(Staged {
                    temp: tmp.into_temp_path(),
                    path: path.to_path_buf(),
                    backup: backup.clone(),
                    device: device_of(&meta),
                });
            }
            _ => write_atomic(path, &meta, backup.as_deref(), |w| w.write_all(&out.output))
                .map_err(|e| io_err("writing", &e))?,
        },
        Sink::OutputDir(dir) => {
            if !binary {
                let dest = dir.join(&input.rel);
                if let Some(parent) = dest.parent() {
                    fs::create_dir_all(parent).map_err(|e| io_err("creating directory", &e))?;
                }
                write_new(&dest, |w| w.write_all(&out.output))
                    .map_err(|e| io_err("writing", &e))?;
            }
        }
    }
    Ok(outcome)
}

/// Streams a large file through the pipeline to its sink.
fn process_large(
    path: &Path,
    input: &Input,
    meta: &fs::Metadata,
    cfg: &Config,
    opts: &Options,
    interrupted: &AtomicBool,
) -> Result<FileOutcome, FileError> {
    let mut file = fs::File::open(path).map_err(|e| io_err("reading", &e))?;
    match &opts.sink {
        Sink::Stdout => {
            let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout());
            stream(&mut file, Some(&mut out), cfg, interrupted)
        }
        Sink::Check => stream(&mut file, None::<&mut io::Sink>, cfg, interrupted),
        Sink::InPlace { backup } => {
            // A first pass that writes nothing decides whether anything changes at all, so
            // an unchanged file is never rewritten; only then is the file streamed out.
            let probe = stream(&mut file, None::<&mut io::Sink>, cfg, interrupted)?;
            if !probe.changed || probe.detection.binary.is_some() {
                return Ok(probe);
            }
            let mut result = None;
            let mut reread = fs::File::open(path).map_err(|e| io_err("reading", &e))?;
            write_atomic(path, meta, backup.as_deref(), |w| {
                let r = stream(&mut reread, Some(w), cfg, interrupted)
                    .map_err(|e| io::Error::other(e.message))?;
                result = Some(r);
                Ok(())
            })
            .map_err(|e| io_err("writing", &e))?;
            result.ok_or_else(|| err("writing", "no result"))
        }
        Sink::OutputDir(dir) => {
            let dest = dir.join(&input.rel);
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent).map_err(|e| io_err("creating directory", &e))?;
            }
            let mut result = None;
            write_new(&dest, |w| {
                let r = stream(&mut file, Some(w), cfg, interrupted)
                    .map_err(|e| io::Error::other(e.message))?;
                result = Some(r);
                Ok(())
            })
            .map_err(|e| io_err("writing", &e))?;
            result.ok_or_else(|| err("writing", "no result"))
        }
    }
}

/// Writes `path` through a temporary file in the same directory: write, fsync, keep the
/// original's permissions, optionally hard-link or copy the original to the backup name,
/// rename. Any failure before the rename leaves the original as it was and removes the
/// temporary file.
pub fn write_atomic(
    path: &Path,
    meta: &fs::Metadata,
    backup: Option<&str>,
    write: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = write_temp(path, write)?;
    tmp.as_file().sync_all()?;
    fs::set_permissions(tmp.path(), meta.permissions())?;
    if let Some(suffix) = backup {
        make_backup(path, suffix)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes a new file (for `-o`) through a temporary file in its directory.
fn write_new(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
) -> io::Result<()> {
    write_temp(path, write)?
        .persist(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// A temporary file beside `path` (same directory, so the rename is atomic) holding what
/// `write` wrote. Dropped on error, which removes it.
fn write_temp(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
) -> io::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".mojifix-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write(&mut w)?;
        w.flush()?;
    }
    Ok(tmp)
}

/// Streams `reader` through the pipeline in chunks cut at line ends, a few chunks processed
/// in parallel at a time and written in order to `writer` (if any). The encoding is decided
/// on the first chunk; later chunks that are not valid in it are decoded line by line.
pub fn stream<R: Read + Send, W: Write + Send + ?Sized>(
    reader: &mut R,
    writer: Option<&mut W>,
    cfg: &Config,
    interrupted: &AtomicBool,
) -> Result<FileOutcome, FileError> {
    stream_chunked(reader, writer, cfg, interrupted, CHUNK)
}

/// One processed chunk: its input buffer (written out when the output is the same bytes,
/// then reused for reading), the output when it differs, and the records.
struct ChunkOut {
    input: Vec<u8>,
    output: Option<Vec<u8>>,
    /// The buffer the chunk was decoded into, when the output is not that buffer.
    scratch: Vec<u8>,
    steps: Vec<Step>,
    changed: bool,
    out_len: usize,
}

/// Runs the pipeline over one chunk; with `use_scratch`, legacy text is decoded into
/// `scratch` ([`pipeline::run_detected_in`]), which then becomes the output buffer when the
/// output is that decoded text.
fn run_chunk(
    input: Vec<u8>,
    mut scratch: Vec<u8>,
    use_scratch: bool,
    cfg: &Config,
    det: &Detection,
    keep_output: bool,
) -> Result<ChunkOut, FileError> {
    let out = pipeline::run_detected_in(&input, cfg, det, use_scratch.then_some(&mut scratch))
        .map_err(|e| err("encoding", e))?;
    let out_len = out.output.len();
    let (steps, changed) = (out.steps, out.changed);
    let input_range = input.as_ptr_range();
    // Where borrowed output lies when it is not in the input: (address, length) in the
    // scratch buffer, compared once the buffer is free again.
    let mut in_scratch = None;
    let output = match out.output {
        std::borrow::Cow::Owned(v) => (keep_output && changed).then_some(v),
        // Unchanged output is the input; changed output may still borrow part of it (a
        // stripped BOM), so it is made owned.
        std::borrow::Cow::Borrowed(b) if input_range.contains(&b.as_ptr()) || b.is_empty() => {
            (keep_output && changed).then(|| b.to_vec())
        }
        std::borrow::Cow::Borrowed(b) => {
            in_scratch = Some((b.as_ptr() as usize, b.len()));
            None
        }
    };
    let output = match in_scratch {
        Some(_) if !(keep_output && changed) => output,
        Some((at, len)) if at == scratch.as_ptr() as usize && len == scratch.len() => {
            Some(std::mem::take(&mut scratch))
        }
        // A part of it (the pipeline borrows its output from the input or the decoded text
        // only: anything else would be a bug, reported rather than written).
        Some((at, len)) => {
            let part = (at.checked_sub(scratch.as_ptr() as usize))
                .and_then(|start| scratch.get(start..start + len));
            Some(
                part.ok_or_else(|| err("processing", "output outside its buffers"))?
                    .to_vec(),
            )
        }
        None => output,
    };
    Ok(ChunkOut {
        output,
        scratch,
        steps,
        changed,
        out_len,
        input,
    })
}

/// Cuts the input into chunks at safe boundaries, reusing the buffers of written chunks.
struct Chunker<'r, R> {
    reader: &'r mut R,
    pending: Vec<u8>,
    eof: bool,
    chunk_size: usize,
    spare: Vec<Vec<u8>>,
}

impl<R: Read> Chunker<'_, R> {
    /// The next chunk, cut so that no character of `enc` is split; `None` at the end.
    fn next(&mut self, enc: &'static encoding_rs::Encoding) -> io::Result<Option<Vec<u8>>> {
        let size = self.chunk_size;
        while !self.eof && self.pending.len() < size {
            // Appends without zero-filling the buffer first. Reads up to the chunk size
            // only, so what follows the cut (copied to the next chunk) is a partial line.
            let want = size - self.pending.len();
            self.pending.reserve(want);
            if read_some(self.reader, &mut self.pending, want as u64)? == 0 {
                self.eof = true;
            }
        }
        if self.pending.is_empty() {
            return Ok(None);
        }
        let cut = if self.eof {
            self.pending.len()
        } else {
            safe_cut(&self.pending, enc)
        };
        let mut rest = self.spare.pop().unwrap_or_default();
        rest.clear();
        rest.extend_from_slice(&self.pending[cut..]);
        self.pending.truncate(cut);
        Ok(Some(std::mem::replace(&mut self.pending, rest)))
    }

    /// Up to `n` chunks.
    fn batch(&mut self, enc: &'static encoding_rs::Encoding, n: usize) -> io::Result<Vec<Vec<u8>>> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.next(enc)? {
                Some(c) => out.push(c),
                None => break,
            }
        }
        Ok(out)
    }
}

/// [`stream`] with a chosen target chunk size (tests use small chunks).
///
/// A three-stage pipeline: while one batch of chunks is processed in parallel, the output
/// of the batch before it is written and the next batch is read, so reading and writing
/// overlap the work. At most three batches of `4 × threads` chunks (capped at 16) are
/// alive at once, which bounds memory whatever the input size; four per thread are enough
/// for the thread that reads and writes to join the work late without leaving the others
/// idle at the end of a batch.
pub fn stream_chunked<R: Read + Send, W: Write + Send + ?Sized>(
    reader: &mut R,
    mut writer: Option<&mut W>,
    cfg: &Config,
    interrupted: &AtomicBool,
    chunk_size: usize,
) -> Result<FileOutcome, FileError> {
    let in_flight = (rayon::current_num_threads() * 4).clamp(2, 16);
    let mut chunker = Chunker {
        reader,
        pending: Vec::new(),
        eof: false,
        chunk_size,
        spare: Vec::new(),
    };
    let mut outcome = FileOutcome {
        detection: detect::utf8(),
        steps: Vec::new(),
        changed: false,
        bytes_in: 0,
        bytes_out: 0,
        output: None,
        original: None,
    };
    let read_err = |e: io::Error| io_err("reading", &e);
    let Some(first) = chunker.next(encoding_rs::UTF_8).map_err(read_err)? else {
        // Empty input.
        outcome.steps.push(Step::Decoded {
            encoding: "UTF-8",
            source: crate::step::Source::Valid,
            malformed: 0,
            malformed_at: Vec::new(),
            legacy_lines: 0,
        });
        return Ok(outcome);
    };
    let det = detect::detect(&first, &cfg.hint);
    outcome.detection = det;
    if det.binary.is_some() {
        // Binary: pass it through untouched (a filter must not lose data).
        let pending = std::mem::take(&mut chunker.pending);
        return pass_through(chunker.reader, writer, vec![first], pending, outcome);
    }
    let enc = det.encoding;
    let later = Detection { bom_len: 0, ..det };
    let mut batch = vec![first];
    batch.extend(chunker.batch(enc, in_flight - 1).map_err(read_err)?);
    let mut first_batch = true;
    let mut written: Vec<ChunkOut> = Vec::new();
    let (mut in_base, mut text_base) = (0usize, 0usize);
    let mut kinds_seen: Vec<String> = Vec::new();
    // Buffers for decoded text, reused from chunk to chunk.
    let mut scratch_pool: Vec<Vec<u8>> = Vec::new();
    loop {
        if interrupted.load(Ordering::Relaxed) {
            return Err(err("processing", "interrupted"));
        }
        if batch.is_empty() && written.is_empty() {
            break;
        }
        let keep_output = writer.is_some();
        let scratches: Vec<Vec<u8>> = (0..batch.len())
            .map(|_| scratch_pool.pop().unwrap_or_default())
            .collect();
        let (io_result, processed) = rayon::join(
            || -> Result<Vec<Vec<u8>>, FileError> {
                for c in written.drain(..) {
                    outcome.changed |= c.changed;
                    outcome.bytes_in += c.input.len() as u64;
                    outcome.bytes_out += c.out_len as u64;
                    let in_len = c.input.len();
                    for s in c.steps {
                        if !cfg.every_step {
                            // Only the first of each kind is kept (see `Config::every_step`).
                            if let Some(kind) = repair_kind(&s) {
                                if kinds_seen.iter().any(|k| k == kind) {
                                    continue;
                                }
                                kinds_seen.push(kind.to_string());
                            }
                        }
                        outcome.steps.push(s.shifted(in_base, text_base));
                    }
                    if let Some(w) = writer.as_deref_mut() {
                        let bytes = c.output.as_deref().unwrap_or(&c.input);
                        w.write_all(bytes).map_err(|e| io_err("writing", &e))?;
                    }
                    in_base += in_len;
                    text_base += c.out_len;
                    chunker.spare.push(c.input);
                    // Kept for the next batch: as many as it uses at most.
                    let buffers = c.output.into_iter().chain([c.scratch]);
                    let room = in_flight.saturating_sub(scratch_pool.len());
                    scratch_pool.extend(buffers.filter(|b| b.capacity() > 0).take(room));
                }
                chunker.batch(enc, in_flight).map_err(read_err)
            },
            || -> Result<Vec<ChunkOut>, FileError> {
                batch
                    .into_par_iter()
                    .zip(scratches)
                    .enumerate()
                    .map(|(i, (input, scratch))| {
                        let d = if first_batch && i == 0 { &det } else { &later };
                        run_chunk(input, scratch, !first_batch, cfg, d, keep_output)
                    })
                    .collect()
            },
        );
        batch = io_result?;
        written = processed?;
        first_batch = false;
    }
    if let Some(w) = writer {
        w.flush().map_err(|e| io_err("writing", &e))?;
    }
    merge_decoded(&mut outcome.steps);
    Ok(outcome)
}

fn pass_through<R: Read, W: Write + ?Sized>(
    reader: &mut R,
    writer: Option<&mut W>,
    chunks: Vec<Vec<u8>>,
    pending: Vec<u8>,
    mut outcome: FileOutcome,
) -> Result<FileOutcome, FileError> {
    let mut n = 0u64;
    match writer {
        Some(w) => {
            for c in chunks.iter().chain(std::iter::once(&pending)) {
                w.write_all(c).map_err(|e| io_err("writing", &e))?;
                n += c.len() as u64;
            }
            n += io::copy(reader, w).map_err(|e| io_err("writing", &e))?;
            w.flush().map_err(|e| io_err("writing", &e))?;
        }
        None => {
            n += chunks.iter().map(|c| c.len() as u64).sum::<u64>() + pending.len() as u64;
            n += io::copy(reader, &mut io::sink()).map_err(|e| io_err("reading", &e))?;
        }
    }
    outcome.bytes_in = n;
    outcome.bytes_out = n;
    Ok(outcome)
}

/// Appends up to `want` bytes from `r` to `buf`; 0 only at the end of the input.
fn read_some<R: Read>(r: &mut R, buf: &mut Vec<u8>, want: u64) -> io::Result<usize> {
    loop {
        match r.by_ref().take(want).read_to_end(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Where to end a chunk: after the last line end, so that no character, mojibake span or
/// OpenCC phrase is split (a newline is never part of a multi-byte character in UTF-8, GBK,
/// Big5, Shift_JIS or EUC). A chunk with no line end (a huge line) is cut after the last
/// byte below 0x40, which is never a trail byte in those encodings, or for UTF-8 at a
/// character boundary.
pub fn safe_cut(buf: &[u8], enc: &'static encoding_rs::Encoding) -> usize {
    if detect::is_utf16(enc) {
        let le = enc == encoding_rs::UTF_16LE;
        let mut i = buf.len() & !1;
        while i >= 2 {
            let (a, b) = (buf[i - 2], buf[i - 1]);
            if (le && a == b'\n' && b == 0) || (!le && a == 0 && b == b'\n') {
                return i;
            }
            i -= 2;
        }
        // No line end: cut at an even offset that does not split a surrogate pair.
        let mut cut = buf.len() & !1;
        let high = |i: usize| if le { buf[i + 1] } else { buf[i] };
        if cut >= 2 && (0xD8..=0xDB).contains(&high(cut - 2)) {
            cut -= 2;
        }
        return cut.max(2);
    }
    if let Some(i) = memchr::memrchr(b'\n', buf) {
        return i + 1;
    }
    if enc == encoding_rs::UTF_8 {
        let mut i = buf.len();
        while i > 0 && (buf[i - 1] & 0xC0) == 0x80 {
            i -= 1;
        }
        // Back over the lead byte of an incomplete character.
        if i > 0 && buf[i - 1] >= 0xC0 {
            let lead = buf[i - 1];
            let need = if lead >= 0xF0 {
                4
            } else if lead >= 0xE0 {
                3
            } else {
                2
            };
            if buf.len() - (i - 1) < need {
                return (i - 1).max(1);
            }
        }
        return buf.len();
    }
    match buf.iter().rposition(|&b| b < 0x40) {
        Some(i) if i > 0 => i + 1,
        _ => buf.len(),
    }
}

/// The kind of a repair or loss report (its fix, or its marker), for keeping one of each.
fn repair_kind(step: &Step) -> Option<&str> {
    match step {
        Step::Repaired { fix, .. } => Some(fix),
        Step::LossMarked { marker, .. } => Some(marker),
        _ => None,
    }
}

/// One `Decoded` record per input: chunks after the first add their counts to it.
fn merge_decoded(steps: &mut Vec<Step>) {
    let mut first: Option<usize> = None;
    let mut i = 0;
    while i < steps.len() {
        if let Step::Decoded {
            malformed,
            malformed_at,
            legacy_lines,
            source,
            ..
        } = steps[i].clone()
        {
            match first {
                None => {
                    first = Some(i);
                    i += 1;
                }
                Some(f) => {
                    if let Step::Decoded {
                        malformed: m,
                        malformed_at: at,
                        legacy_lines: l,
                        source: s,
                        ..
                    } = &mut steps[f]
                    {
                        *m += malformed;
                        for p in malformed_at {
                            crate::step::note_position(at, p);
                        }
                        *l += legacy_lines;
                        if source == crate::step::Source::Mixed {
                            *s = source;
                        }
                    }
                    steps.remove(i);
                }
            }
        } else {
            i += 1;
        }
    }
    // Identical Encoded records from every chunk collapse to one.
    let mut seen_encoded = false;
    steps.retain(|s| {
        if matches!(s, Step::Encoded { .. }) {
            let keep = !seen_encoded;
            seen_encoded = true;
            keep
        } else {
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{self, PAIR_TABLE_MIN};

    #[test]
    fn cuts_at_line_ends_and_never_inside_a_character() {
        assert_eq!(safe_cut(b"ab\ncd", encoding_rs::UTF_8), 3);
        let s = "你好".as_bytes();
        assert_eq!(safe_cut(&s[..4], encoding_rs::UTF_8), 3);
        let le: Vec<u8> = "a\nb".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(safe_cut(&le, encoding_rs::UTF_16LE), 4);
    }

    #[test]
    fn streaming_equals_one_pass() {
        let text = "浣犲ソ cafÃ© 黨建三創(chuàng)新經(jīng)驗交流,學(xué)習(xí),創(chuàng)造\n"
            .repeat(2_000);
        let cfg = Config::default();
        let whole = pipeline::run(text.as_bytes(), &cfg)
            .unwrap()
            .output
            .into_owned();
        let mut out = Vec::new();
        let chunk = 16 * 1024;
        let r = stream_chunked(
            &mut text.as_bytes(),
            Some(&mut out),
            &cfg,
            &AtomicBool::new(false),
            chunk,
        )
        .unwrap();
        assert!(text.len() > 8 * chunk);
        assert!(r.changed);
        assert_eq!(out, whole);
    }

    #[test]
    fn a_large_legacy_input_streams_through_the_pair_table_as_encoding_rs_decodes_it() {
        use encoding_rs::{BIG5, GB18030, GBK, SHIFT_JIS};
        // The seed-002 passage (Shift_JIS writes what it cannot as HTML references), then
        // malformed bytes past the first batch: a lead byte before ASCII, a byte that is
        // no lead, a gb18030 four-byte sequence and a lone lead byte at the very end.
        let line = "用問題是否找準，根源是否清楚，整改方面是否明確的標準檢查每個黨員 2024年 ｶﾅ\n";
        for enc in [GBK, GB18030, BIG5, SHIFT_JIS] {
            let mut bytes = enc.encode(&line.repeat(40_000)).0.into_owned();
            bytes.extend_from_slice(b"\x81A \xFF tail \x81\x308\x81\x30 end \x81");
            assert!(bytes.len() > 3 << 20);
            let whole = decode::decode(&bytes, enc);
            let cfg = Config {
                hint: detect::Hint {
                    from: Some(enc),
                    lang: None,
                },
                repair: false,
                ..Config::default()
            };
            for keep_output in [true, false] {
                let mut out = Vec::new();
                let r = stream_chunked(
                    &mut bytes.as_slice(),
                    keep_output.then_some(&mut out),
                    &cfg,
                    &AtomicBool::new(false),
                    2 * PAIR_TABLE_MIN,
                )
                .unwrap();
                if keep_output {
                    assert!(out == whole.text.as_bytes(), "{}", enc.name());
                }
                let decoded = r.steps.iter().find_map(|s| match s {
                    Step::Decoded {
                        malformed,
                        malformed_at,
                        ..
                    } => Some((*malformed, malformed_at.clone())),
                    _ => None,
                });
                assert_eq!(
                    decoded,
                    Some((whole.malformed, whole.malformed_at.clone())),
                    "{}",
                    enc.name()
                );
                assert!(whole.malformed >= 3 && whole.malformed_at[0] > 3 << 20);
            }
        }
    }

    #[test]
    fn a_streamed_input_keeps_one_repair_of_each_kind_unless_every_step_is_asked_for() {
        let text = "浣犲ソ cafÃ© 锟斤拷\n".repeat(5_000);
        let run = |every_step| {
            let cfg = Config {
                every_step,
                ..Config::default()
            };
            let mut out = Vec::new();
            let r = stream_chunked(
                &mut text.as_bytes(),
                Some(&mut out),
                &cfg,
                &AtomicBool::new(false),
                4 * 1024,
            )
            .unwrap();
            let mut kinds: Vec<String> = r
                .steps
                .iter()
                .filter_map(|s| match s {
                    Step::Repaired { fix, .. } => Some(fix.to_string()),
                    Step::LossMarked { marker, .. } => Some(marker.to_string()),
                    _ => None,
                })
                .collect();
            (out, kinds.len(), {
                kinds.sort();
                kinds.dedup();
                kinds
            })
        };
        let (all_out, all_steps, all_kinds) = run(true);
        let (out, steps, kinds) = run(false);
        assert_eq!(out, all_out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "你好 café 锟斤拷\n".repeat(5_000)
        );
        // Two repairs a line, and the markers once a chunk.
        assert!(all_steps > 10_000, "{all_steps}");
        assert_eq!(kinds, all_kinds);
        assert_eq!(steps, kinds.len());
    }
}
