//! The process exit status. Ordered so that folding with `max` lets an error win over
//! "changes needed", which wins over "clean" (ruff's ExitStatus, fd's merge_exitcodes).

/// What the run amounted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Done, or nothing to do.
    Clean,
    /// `--check` / `--diff` found something to change.
    ChangesNeeded,
    /// At least one input failed.
    Error,
    /// Stopped by SIGINT/SIGTERM.
    Interrupted,
}

impl ExitStatus {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::ChangesNeeded => 1,
            ExitStatus::Error => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}
