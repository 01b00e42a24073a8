//! The command line, as clap sees it: a flat mirror of the flags. Nothing here interprets
//! them; `settings` turns them (plus the config file and the environment) into a Config.

use std::path::PathBuf;

use clap::{ArgAction, Parser, ValueEnum};

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and NO_COLOR is unset or empty.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// mojifix: repair and normalize text files.
#[derive(Debug, Parser)]
#[command(
    name = "mojifix",
    version,
    about = "Repairs and normalizes text: detects the encoding, undoes mojibake, converts Chinese with OpenCC's rules, writes clean UTF-8.",
    long_about = "Repairs and normalizes text: detects the encoding, undoes mojibake (UTF-8 read as \
GBK or Latin-1, GBK read as Latin-1, misaligned double-byte text…), removes pinyin artifacts, \
optionally converts Traditional ⇄ Simplified Chinese with OpenCC's rules, and writes clean UTF-8.\n\n\
With no PATH (or -), reads stdin and writes stdout. Directories are walked recursively, honouring \
.gitignore. Exit status: 0 done / nothing to do, 1 --check or --diff found changes, 2 an error.",
    after_help = "Examples:\n  mojifix old-gbk-notes.txt > notes.txt\n  curl -s URL | mojifix | grep …\n  mojifix --check docs/        # CI: exit 1 if anything needs fixing\n  mojifix -i --t2s book/       # fix and convert in place"
)]
pub struct Args {
    /// Files or directories (none or `-`: stdin).
    pub paths: Vec<PathBuf>,

    // ---- sinks ----
    /// Rewrite files in place (atomically, keeping permissions).
    #[arg(short = 'i', long, help_heading = "Output")]
    pub in_place: bool,
    /// With -i, keep the original as PATH+SUFFIX.
    #[arg(long, value_name = "SUFFIX", help_heading = "Output")]
    pub backup: Option<String>,
    /// Write results under DIR, mirroring the input tree.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        help_heading = "Output"
    )]
    pub output: Option<PathBuf>,
    /// Change nothing; list files that would change; exit 1 if any would.
    #[arg(long, help_heading = "Output")]
    pub check: bool,
    /// Change nothing; print a unified diff of what would change; exit 1 if anything would.
    #[arg(long, help_heading = "Output")]
    pub diff: bool,
    /// Print each input's encoding and confidence, and nothing else.
    #[arg(long, help_heading = "Output")]
    pub detect: bool,
    /// Explain per file (to stderr): the encoding and why, and each step with its position.
    #[arg(long, help_heading = "Output")]
    pub explain: bool,
    /// One JSON object per input on stdout (with no -i/-o, nothing else is written).
    #[arg(long, help_heading = "Output")]
    pub json: bool,
    /// Output encoding (default UTF-8).
    #[arg(long, value_name = "ENC", help_heading = "Output")]
    pub to: Option<String>,
    /// Byte-order mark: keep (default), strip or add.
    #[arg(long, value_name = "MODE", help_heading = "Output")]
    pub bom: Option<String>,

    // ---- decoding ----
    /// Input encoding: skip detection.
    #[arg(long, value_name = "ENC", help_heading = "Decoding")]
    pub from: Option<String>,
    /// Language hint for short inputs: zh, zh-TW, ja, ko, ru, pl, en…
    #[arg(long, value_name = "LANG", help_heading = "Decoding")]
    pub lang: Option<String>,

    // ---- repair ----
    /// Do not undo mojibake.
    #[arg(long, help_heading = "Repair")]
    pub no_repair: bool,
    /// Keep pinyin annotations such as 創(chuàng).
    #[arg(long, help_heading = "Repair")]
    pub keep_pinyin: bool,

    // ---- conversion ----
    /// OpenCC conversion: s2t, t2s, s2tw, tw2s, s2twp, tw2sp, s2hk, hk2s, s2hkp, hk2sp, t2tw, tw2t, t2hk, hk2t, t2jp, jp2t.
    #[arg(long, value_name = "CONFIG", help_heading = "Conversion")]
    pub convert: Option<String>,
    /// Same as --convert t2s.
    #[arg(long, conflicts_with_all = ["convert", "s2t"], help_heading = "Conversion")]
    pub t2s: bool,
    /// Same as --convert s2t.
    #[arg(long, conflicts_with = "convert", help_heading = "Conversion")]
    pub s2t: bool,
    /// User phrases (`from<TAB>to` per line) that take precedence over OpenCC's.
    #[arg(long, value_name = "FILE", help_heading = "Conversion")]
    pub dict: Option<PathBuf>,

    // ---- normalization ----
    /// Unicode NFC.
    #[arg(long, conflicts_with = "nfkc", help_heading = "Normalization")]
    pub nfc: bool,
    /// Unicode NFKC (also folds compatibility characters like ①).
    #[arg(long, help_heading = "Normalization")]
    pub nfkc: bool,
    /// Line endings: keep (default), lf or crlf.
    #[arg(long, value_name = "MODE", help_heading = "Normalization")]
    pub newlines: Option<String>,
    /// Full-width ASCII letters and digits to half-width (never CJK punctuation).
    #[arg(long, help_heading = "Normalization")]
    pub fold_width: bool,
    /// Remove control, zero-width and bidi-override characters.
    #[arg(long, help_heading = "Normalization")]
    pub strip_controls: bool,
    /// Decode HTML character references (&amp;, &#x4F60;).
    #[arg(long, help_heading = "Normalization")]
    pub unescape_html: bool,
    /// Remove trailing spaces and tabs.
    #[arg(long, help_heading = "Normalization")]
    pub trim_trailing: bool,

    // ---- walking ----
    /// Include hidden files and directories.
    #[arg(long, help_heading = "Files")]
    pub hidden: bool,
    /// Do not honour .gitignore/.ignore files.
    #[arg(long, help_heading = "Files")]
    pub no_ignore: bool,
    /// Only files matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB", action = ArgAction::Append, help_heading = "Files")]
    pub glob: Vec<String>,
    /// Skip files matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB", action = ArgAction::Append, help_heading = "Files")]
    pub exclude: Vec<String>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N", help_heading = "Files")]
    pub threads: Option<usize>,

    // ---- config and terminal ----
    /// Ignore mojifix.toml files.
    #[arg(long, help_heading = "Config")]
    pub no_config: bool,
    /// Print the resolved settings as TOML and exit.
    #[arg(long, help_heading = "Config")]
    pub print_config: bool,
    /// Silence messages (not the exit status).
    #[arg(short, long)]
    pub quiet: bool,
    /// When to colour messages.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}
