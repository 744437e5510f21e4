//! Exports that never look complete when they are not: a file is written under a temporary
//! name beside the target and renamed only when complete, removed on a failure and on SIGTERM
//! or SIGINT (which end the command with 143 or 130); output cut short on stdout is followed
//! by a last line on stderr saying so.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Exit code after SIGINT (128 + 2), as shells report it.
pub const EXIT_SIGINT: i32 = 130;
/// Exit code after SIGTERM (128 + 15), as shells report it.
pub const EXIT_SIGTERM: i32 = 143;

/// The command was stopped by a signal while writing a file; the file was not written and
/// the temporary file was removed.
#[derive(Debug, thiserror::Error)]
#[error("interrupted by {signal}: {} was not written (nothing was left behind)", path.display())]
pub struct Interrupted {
    /// `SIGTERM` or `SIGINT`.
    pub signal: &'static str,
    /// The file that was being written.
    pub path: PathBuf,
}

impl Interrupted {
    /// The exit code for this signal.
    pub fn exit_code(&self) -> i32 {
        if self.signal == "SIGINT" {
            EXIT_SIGINT
        } else {
            EXIT_SIGTERM
        }
    }
}

/// Records cut short on stdout: printed as the last line on stderr, after the error.
#[derive(Debug, thiserror::Error)]
#[error(
    "the output on stdout is incomplete: the listing failed after {records} record{}; it is not a complete export",
    if *records == 1 { "" } else { "s" }
)]
pub struct IncompleteOutput {
    /// Records handed to the writer before the failure (a table prints none of them).
    pub records: u64,
}

/// Writes `path` through `write`, atomically: the bytes go to a temporary file beside it
/// (`.NAME.XXXXXX.part`), which replaces `path` only when `write` succeeds. On an error, and
/// on SIGTERM or SIGINT while writing, the temporary file is removed and `path` is left as it
/// was. The signal handlers are in place before the temporary file exists.
pub fn write_atomically(
    runtime: &tokio::runtime::Runtime,
    path: &Path,
    write: impl AsyncFnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let _entered = runtime.enter();
    let mut terminate = signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot watch for SIGINT")?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(".".as_ref());
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let file = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let interrupted = |signal| Interrupted {
        signal,
        path: path.to_owned(),
    };
    let outcome = runtime.block_on(async {
        tokio::select! {
            result = write(&mut out) => result,
            _ = terminate.recv() => Err(interrupted("SIGTERM").into()),
            _ = interrupt.recv() => Err(interrupted("SIGINT").into()),
        }
    });
    // On an error, dropping the writer removes the temporary file.
    outcome?;
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    // Only a complete export replaces the target file.
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
