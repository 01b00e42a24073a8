//! Times the repair engine alone on one file: `cargo run --release --example repair_time --
//! FILE [RUNS] [THREADS] [every|summary]`. Prints the number of records, a hash of the output
//! (to check that a change keeps the output) and the fastest of RUNS repairs on a pool of
//! THREADS threads (default 3, 1, and a record per repair; `summary` makes the records the
//! command line makes without `--explain` or `--json`). The whole-process figures come from
//! `scripts/bench.sh`.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: repair_time FILE [RUNS] [THREADS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().map_or(3, |s| s.parse().expect("RUNS"));
    let threads: usize = args.next().map_or(1, |s| s.parse().expect("THREADS"));
    let records = match args.next().as_deref() {
        None | Some("every") => mojifix::repair::Records::Every,
        Some("summary") => mojifix::repair::Records::Summary,
        Some(other) => {
            eprintln!("records: `every` or `summary`, not `{other}`");
            std::process::exit(2);
        }
    };
    let text = std::fs::read_to_string(&path).expect("a UTF-8 file");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    // The first repair also loads the model; it is not timed.
    let (out, steps) = pool.install(|| mojifix::repair::repair_with(&text, records));
    let mut h = std::collections::hash_map::DefaultHasher::new();
    out.hash(&mut h);
    let mut stdout = std::io::stdout();
    // (Printing into a closed pipe is not an error worth a panic here.)
    let _ = writeln!(
        stdout,
        "{} records, output hash {:016x}",
        steps.len(),
        h.finish()
    );
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        pool.install(|| std::hint::black_box(mojifix::repair::repair_with(&text, records)));
        best = best.min(t.elapsed().as_secs_f64());
    }
    let _ = writeln!(
        stdout,
        "fastest of {runs}: {:.1} ms, {:.1} MB/s on {threads} thread(s)",
        best * 1e3,
        text.len() as f64 / best / 1e6
    );
}
