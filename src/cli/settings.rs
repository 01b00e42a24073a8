//! Args + mojifix.toml + environment → Settings, resolved once. The config file is found
//! from the current directory upwards (the first `mojifix.toml` wins, as rustfmt.toml and
//! ruff.toml are found); any command-line flag overrides the file; `--no-config` ignores it.
//! Unknown keys are an error that names the key.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use mojifix::batch::{Sink, WalkOptions};
use mojifix::convert::Converter;
use mojifix::detect::{Hint, Lang};
use mojifix::encode::encoding_for_label;
use mojifix::normalize::{Form, NewlineMode, Options};
use mojifix::pipeline::{BomMode, Config};

use super::args::{Args, ColorChoice};

/// The config file's keys: the long options, kebab-case.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    pub from: Option<String>,
    pub to: Option<String>,
    pub lang: Option<String>,
    pub repair: Option<bool>,
    pub keep_pinyin: Option<bool>,
    pub convert: Option<String>,
    pub dict: Option<PathBuf>,
    pub nfc: Option<bool>,
    pub nfkc: Option<bool>,
    pub newlines: Option<String>,
    pub bom: Option<String>,
    pub fold_width: Option<bool>,
    pub strip_controls: Option<bool>,
    pub unescape_html: Option<bool>,
    pub trim_trailing: Option<bool>,
    pub hidden: Option<bool>,
    pub no_ignore: Option<bool>,
    pub glob: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub threads: Option<usize>,
    pub backup: Option<String>,
}

/// What the run will do, fully resolved.
pub struct Settings {
    pub config: Config,
    pub sink: Sink,
    pub diff: bool,
    /// `--check` or `--diff`: changes make the exit status 1.
    pub check: bool,
    pub detect_only: bool,
    pub explain: bool,
    pub json: bool,
    pub quiet: bool,
    pub color: bool,
    pub progress: bool,
    pub threads: Option<usize>,
    pub walk: WalkOptions,
    pub paths: Vec<PathBuf>,
    /// The resolved file config (for --print-config) and where it came from.
    pub resolved: FileConfig,
    pub config_path: Option<PathBuf>,
}

/// Finds `mojifix.toml` in `start` or its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join("mojifix.toml"))
        .find(|p| p.is_file())
}

fn load(path: &Path) -> Result<FileConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!("{}: {}", path.display(), e.message().trim())
            .context("invalid config file (see README, \"Config file\", for the keys)")
    })
}

/// Resolves everything.
pub fn resolve(args: &Args) -> Result<Settings> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let config_path = if args.no_config { None } else { discover(&cwd) };
    let file = match &config_path {
        Some(p) => load(p)?,
        None => FileConfig::default(),
    };
    let base = config_path
        .as_ref()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf);
    // Command-line values win over the file's.
    let flag = |cli: bool, file: Option<bool>| if cli { Some(true) } else { file };
    let convert = if args.t2s {
        Some("t2s".to_string())
    } else if args.s2t {
        Some("s2t".to_string())
    } else {
        args.convert.clone().or(file.convert.clone())
    };
    let dict = args.dict.clone().or_else(|| {
        file.dict
            .as_ref()
            .map(|d| base.as_ref().map_or_else(|| d.clone(), |b| b.join(d)))
    });
    let resolved = FileConfig {
        from: args.from.clone().or(file.from.clone()),
        to: args.to.clone().or(file.to.clone()),
        lang: args.lang.clone().or(file.lang.clone()),
        repair: if args.no_repair {
            Some(false)
        } else {
            file.repair
        },
        keep_pinyin: flag(args.keep_pinyin, file.keep_pinyin),
        convert,
        dict,
        nfc: flag(args.nfc, file.nfc),
        nfkc: flag(args.nfkc, file.nfkc),
        newlines: args.newlines.clone().or(file.newlines.clone()),
        bom: args.bom.clone().or(file.bom.clone()),
        fold_width: flag(args.fold_width, file.fold_width),
        strip_controls: flag(args.strip_controls, file.strip_controls),
        unescape_html: flag(args.unescape_html, file.unescape_html),
        trim_trailing: flag(args.trim_trailing, file.trim_trailing),
        hidden: flag(args.hidden, file.hidden),
        no_ignore: flag(args.no_ignore, file.no_ignore),
        glob: if args.glob.is_empty() {
            file.glob.clone()
        } else {
            Some(args.glob.clone())
        },
        exclude: if args.exclude.is_empty() {
            file.exclude.clone()
        } else {
            Some(args.exclude.clone())
        },
        threads: args.threads.or(file.threads),
        backup: args.backup.clone().or(file.backup.clone()),
    };
    let r = &resolved;
    let from = r
        .from
        .as_deref()
        .map(encoding_for_label)
        .transpose()
        .context("--from: use a WHATWG label such as gbk, big5, shift_jis, utf-16le")?;
    let to =
        r.to.as_deref()
            .map(encoding_for_label)
            .transpose()
            .context("--to: use a WHATWG label such as gbk, big5, shift_jis, utf-16le")?
            .unwrap_or(encoding_rs::UTF_8);
    let lang = match r.lang.as_deref() {
        None => None,
        Some(l) => Some(Lang::parse(l).with_context(|| {
            format!("unknown --lang `{l}`; use zh, zh-TW, ja, ko, ru, pl, el or en")
        })?),
    };
    let mut converter = match r.convert.as_deref() {
        None => None,
        Some(c) => Some(Converter::new(c)?),
    };
    if let Some(d) = &r.dict {
        let Some(c) = converter.take() else {
            bail!("--dict needs a conversion: add --convert CONFIG (or --t2s / --s2t)");
        };
        converter = Some(c.with_user_dict(d)?);
    }
    let newlines = match r.newlines.as_deref() {
        None | Some("keep") => NewlineMode::Keep,
        Some("lf") => NewlineMode::Lf,
        Some("crlf") => NewlineMode::Crlf,
        Some(other) => bail!("--newlines: expected keep, lf or crlf, not `{other}`"),
    };
    let bom = match r.bom.as_deref() {
        None | Some("keep") => BomMode::Keep,
        Some("strip") => BomMode::Strip,
        Some("add") => BomMode::Add,
        Some(other) => bail!("--bom: expected keep, strip or add, not `{other}`"),
    };
    if r.nfc == Some(true) && r.nfkc == Some(true) {
        bail!("nfc and nfkc are exclusive: pick one");
    }
    let normalize = Options {
        form: if r.nfkc == Some(true) {
            Form::Nfkc
        } else if r.nfc == Some(true) {
            Form::Nfc
        } else {
            Form::None
        },
        newlines,
        fold_width: r.fold_width == Some(true),
        strip_controls: r.strip_controls == Some(true),
        unescape_html: r.unescape_html == Some(true),
        trim_trailing: r.trim_trailing == Some(true),
    };
    let config = Config {
        hint: Hint { from, lang },
        repair: r.repair != Some(false),
        pinyin: r.keep_pinyin != Some(true),
        convert: converter,
        normalize,
        to,
        bom,
        every_step: args.explain || args.json,
    };
    let sinks = [
        args.in_place,
        args.output.is_some(),
        args.check,
        args.diff,
        args.detect,
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if sinks > 1 {
        bail!("choose one of -i, -o, --check, --diff and --detect");
    }
    if args.backup.is_some() && !args.in_place {
        bail!("--backup only makes sense with -i");
    }
    let sink = if args.in_place {
        Sink::InPlace {
            backup: r.backup.clone(),
        }
    } else if let Some(dir) = &args.output {
        Sink::OutputDir(dir.clone())
    } else if args.check || args.diff || args.detect || args.json {
        Sink::Check
    } else {
        Sink::Stdout
    };
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        paths.push(PathBuf::from("-"));
    }
    if args.in_place && paths.iter().any(|p| p.as_os_str() == "-") {
        bail!("-i cannot rewrite stdin; drop -i to write the result to stdout");
    }
    if let Sink::OutputDir(dir) = &sink {
        // The output directory may not exist yet: resolve its parent.
        let out = std::fs::canonicalize(dir).unwrap_or_else(|_| {
            let parent = dir
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            std::fs::canonicalize(parent).map_or_else(
                |_| dir.clone(),
                |p| p.join(dir.file_name().unwrap_or_default()),
            )
        });
        for p in &paths {
            if let Ok(c) = std::fs::canonicalize(p) {
                // Writing into an input (or inside an input tree) would mix results with
                // the files they came from.
                if c == out || (c.is_dir() && out.starts_with(&c)) {
                    bail!(
                        "-o {} is an input; use -i to rewrite files in place",
                        dir.display()
                    );
                }
            }
        }
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let stderr_tty = std::io::stderr().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stderr_tty && !no_color,
    };
    Ok(Settings {
        config,
        sink,
        diff: args.diff,
        check: args.check || args.diff,
        detect_only: args.detect,
        explain: args.explain,
        json: args.json,
        quiet: args.quiet,
        color,
        progress: stderr_tty && !args.quiet && !args.json,
        threads: r.threads,
        walk: WalkOptions {
            hidden: r.hidden == Some(true),
            no_ignore: r.no_ignore == Some(true),
            globs: r.glob.clone().unwrap_or_default(),
            excludes: r.exclude.clone().unwrap_or_default(),
        },
        paths,
        resolved,
        config_path,
    })
}
