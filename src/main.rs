//! The `mojifix` command: parse the flags, run, map the outcome to one exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc keeps freed chunk buffers for reuse; the system allocator returns them to the
/// kernel and pays page faults to get them back, a tenth of the time of a streamed file.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::args::Args::parse();
    let quiet = args.quiet;
    match cli::run(args) {
        Ok(status) => ExitCode::from(status.code()),
        Err(e) => {
            if !quiet {
                eprintln!("mojifix: {e:#}");
            }
            ExitCode::from(cli::exit::ExitStatus::Error.code())
        }
    }
}
