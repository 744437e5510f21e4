//! Progress lines of long commands, on stderr only (never into the data on stdout): shown
//! when `--progress` is given or stderr is a terminal.

use std::io::IsTerminal;

/// Whether progress lines are shown: asked for with `--progress`, or stderr is a terminal.
pub fn enabled(asked: bool) -> bool {
    asked || std::io::stderr().is_terminal()
}

/// Bytes as megabytes with one decimal (`30.5 MB`).
pub fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// Megabytes per second of `bytes` in `ms` milliseconds.
pub fn rate(bytes: usize, ms: f64) -> String {
    if ms > 0.0 {
        format!("{:.0} MB/s", bytes as f64 / 1_000.0 / ms)
    } else {
        "- MB/s".to_owned()
    }
}
