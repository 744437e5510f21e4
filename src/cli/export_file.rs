//! Exports that never look complete when they are not: a file is written under a temporary
//! name beside the target and renamed only when complete, removed on a failure and on SIGTERM
//! or SIGINT (which end the command with 143 or 130); output cut short on stdout is followed
//! by a last line on stderr saying so.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

mod early_writeback;

use early_writeback::EarlyWriteback;

/// Exit code after SIGINT (128 + 2), as shells report it.
pub const EXIT_SIGINT: i32 = 130;
/// Exit code after SIGTERM (128 + 15), as shells report it.
pub const EXIT_SIGTERM: i32 = 143;

/// The command was stopped by a signal while writing files; what was left (no temporary
/// file, no half-written file) is said in `what`.
#[derive(Debug, thiserror::Error)]
#[error("interrupted by {signal}: {what}")]
pub struct Interrupted {
    /// `SIGTERM` or `SIGINT`.
    pub signal: &'static str,
    /// What was and was not written, e.g. `out.csv was not written (nothing was left behind)`.
    pub what: String,
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
    let mut signals = StopSignals::install(runtime)?;
    let file = part_file_beside(path)?;
    let mut out = std::io::BufWriter::new(EarlyWriteback::new(file));
    let interrupted = |signal| Interrupted {
        signal,
        what: format!(
            "{} was not written (nothing was left behind)",
            path.display()
        ),
    };
    let outcome = runtime.block_on(async {
        tokio::select! {
            result = write(&mut out) => result,
            _ = signals.terminate.recv() => Err(interrupted("SIGTERM").into()),
            _ = signals.interrupt.recv() => Err(interrupted("SIGINT").into()),
        }
    });
    // A listing that watches the same signal may stop first and fail as cancelled: the
    // signal is still what stopped it.
    let outcome = match outcome {
        Err(error) if error.downcast_ref::<Interrupted>().is_none() => {
            match signals.received(runtime) {
                Some(signal) => Err(interrupted(signal).into()),
                None => Err(error),
            }
        }
        other => other,
    };
    // On an error, dropping the writer removes the temporary file.
    outcome?;
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    let file = out.into_inner().map_err(|e| e.into_error())?.finish();
    persist(file, path)
}

/// Writes `bytes` to `path` atomically: to a temporary `.NAME.XXXXXX.part` beside it, synced,
/// then renamed over `path`; on an error the temporary file is removed and `path` is left as
/// it was. Callers install [`StopSignals`] first, so that SIGTERM or SIGINT cannot end the
/// process between the two steps.
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = part_file_beside(path)?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    persist(file, path)
}

/// SIGTERM and SIGINT watched instead of ending the process, so a command stops between two
/// files rather than in the middle of one.
pub struct StopSignals {
    /// SIGTERM, received.
    pub terminate: tokio::signal::unix::Signal,
    /// SIGINT, received.
    pub interrupt: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Starts watching; from now on the two signals no longer end the process by themselves.
    pub fn install(runtime: &tokio::runtime::Runtime) -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        let _entered = runtime.enter();
        Ok(Self {
            terminate: signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?,
            interrupt: signal(SignalKind::interrupt()).context("cannot watch for SIGINT")?,
        })
    }

    /// The signal received since the last call (`SIGTERM` or `SIGINT`), without waiting;
    /// `runtime` is the one the signals were installed on.
    pub fn received(&mut self, runtime: &tokio::runtime::Runtime) -> Option<&'static str> {
        let (terminate, interrupt) = (&mut self.terminate, &mut self.interrupt);
        runtime.block_on(async {
            tokio::select! {
                biased;
                _ = terminate.recv() => Some("SIGTERM"),
                _ = interrupt.recv() => Some("SIGINT"),
                () = std::future::ready(()) => None,
            }
        })
    }
}

/// A new temporary file `.NAME.XXXXXX.part` in the directory of `path`. Part files of the
/// same target that an earlier write left behind (`kill -9` cannot be handled) are removed
/// first.
fn part_file_beside(path: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(".".as_ref());
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    remove_left_parts(dir, &name);
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))
}

/// Removes `.NAME.XXXXXX.part` files in `dir`: what an earlier write to `NAME` that was
/// killed left behind. Nothing else is touched; failures are ignored (best effort).
fn remove_left_parts(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(middle) = file_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".part"))
        else {
            continue;
        };
        // tempfile's random part: six letters or digits.
        if middle.len() == 6
            && middle.chars().all(|c| c.is_ascii_alphanumeric())
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Gives the complete temporary file the target's permissions, syncs it and renames it to
/// `path`.
fn persist(file: tempfile::NamedTempFile, path: &Path) -> anyhow::Result<()> {
    crate::connector::saved_file::match_permissions(file.as_file(), path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    // Only a complete file replaces the target.
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn an_export_that_replaces_a_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old").expect("old");
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).expect("mode");
        write_bytes_atomically(&target, b"new").expect("written");
        assert_eq!(std::fs::read(&target).expect("read"), b"new");
        let mode = std::fs::metadata(&target)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn a_part_file_left_by_a_killed_write_goes_with_the_next_write_of_that_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.csv");
        let names = [
            ".out.csv.a1B2c3.part", // left by a killed write of out.csv: removed
            ".other.csv.a1B2c3.part",
            ".out.csv.part",
            "out.csv.a1B2c3.part",
            "notes.txt",
        ];
        for name in names {
            std::fs::write(dir.path().join(name), "x").expect("write");
        }
        write_bytes_atomically(&target, b"a,b\n").expect("written");
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".other.csv.a1B2c3.part",
                ".out.csv.part",
                "notes.txt",
                "out.csv",
                "out.csv.a1B2c3.part"
            ]
        );
        assert_eq!(std::fs::read(&target).expect("read"), b"a,b\n");
    }
}
