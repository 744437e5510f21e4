//! Exports synced while they are written, so the sync before the rename is short.

use std::io::Write;

/// A part file that starts writing its bytes to disk while more are coming: every
/// [`EarlyWriteback::EVERY`] bytes a helper thread syncs what is written so far, so the sync
/// before the rename has only the last stretch left (a 20 MB export waited ~20 ms for it).
pub(super) struct EarlyWriteback {
    file: tempfile::NamedTempFile,
    unsynced: u64,
    syncing: Option<std::thread::JoinHandle<()>>,
}

impl EarlyWriteback {
    const EVERY: u64 = 4 * 1024 * 1024;

    pub(super) fn new(file: tempfile::NamedTempFile) -> Self {
        Self {
            file,
            unsynced: 0,
            syncing: None,
        }
    }

    /// Starts a sync of the bytes written so far unless one is still running. Best effort:
    /// a failure here is found again by the final sync.
    fn start_sync(&mut self) {
        if self.syncing.as_ref().is_some_and(|s| !s.is_finished()) {
            return;
        }
        let Ok(handle) = self.file.as_file().try_clone() else {
            return;
        };
        let started = std::thread::Builder::new()
            .name("export-writeback".to_owned())
            .spawn(move || {
                let _ = handle.sync_data();
            });
        if let Ok(thread) = started {
            self.syncing = Some(thread);
            self.unsynced = 0;
        }
    }

    /// The part file, once the sync in flight (if any) is done.
    pub(super) fn finish(mut self) -> tempfile::NamedTempFile {
        if let Some(thread) = self.syncing.take() {
            let _ = thread.join();
        }
        self.file
    }
}

impl Write for EarlyWriteback {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.file.write(bytes)?;
        self.unsynced += written as u64;
        if self.unsynced >= Self::EVERY {
            self.start_sync();
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::export_file::{part_file_beside, write_atomically};

    #[test]
    fn a_large_export_is_synced_early_and_written_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("large.csv");
        let runtime = crate::cli::connect::runtime().expect("runtime");
        let line = "1,customer,a long enough line of text to fill a few megabytes\r\n";
        let lines = (3 * EarlyWriteback::EVERY as usize) / line.len();
        write_atomically(&runtime, &target, async |out| {
            for _ in 0..lines {
                out.write_all(line.as_bytes())?;
            }
            Ok(())
        })
        .expect("written");
        let written = std::fs::read_to_string(&target).expect("read back");
        assert_eq!(written.len(), lines * line.len());
        assert!(written.lines().all(|l| l == line.trim_end()));

        // Past the threshold a sync starts and the count of unsynced bytes starts again.
        let part = part_file_beside(&dir.path().join("other.csv")).expect("part file");
        let mut early = EarlyWriteback::new(part);
        early
            .write_all(&vec![b'x'; EarlyWriteback::EVERY as usize + 1])
            .expect("write");
        assert!(early.syncing.is_some());
        assert_eq!(early.unsynced, 0);
        let file = early.finish();
        assert_eq!(
            file.as_file().metadata().expect("metadata").len(),
            EarlyWriteback::EVERY + 1
        );
    }
}
