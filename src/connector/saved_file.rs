//! The permissions of a file saved atomically (a part file beside it, then a rename).
//!
//! `tempfile` creates part files readable by their owner only (0600), so a rename would
//! silently make an export or a flow file private. A file that replaces another keeps the
//! other's permissions; a new file gets what the process's umask leaves of 0666, as if it
//! had been created directly.

use std::fs::Permissions;
use std::path::Path;

/// What the file saved at `path` should be allowed; `None` keeps the part file's own
/// (the umask cannot be read).
pub fn permissions_for(path: &Path) -> Option<Permissions> {
    match std::fs::metadata(path) {
        Ok(existing) if existing.is_file() => Some(existing.permissions()),
        _ => new_file_permissions(),
    }
}

/// Applies [`permissions_for`] `path` to the part file about to replace it.
///
/// # Errors
/// When the part file's permissions cannot be changed.
pub fn match_permissions(part: &std::fs::File, path: &Path) -> std::io::Result<()> {
    match permissions_for(path) {
        Some(permissions) => part.set_permissions(permissions),
        None => Ok(()),
    }
}

#[cfg(unix)]
fn new_file_permissions() -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(Permissions::from_mode(0o666 & !umask()?))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<Permissions> {
    None
}

/// The process's umask, as Linux reports it in `/proc/self/status` (reading it through
/// `umask(2)` would change it).
#[cfg(unix)]
fn umask() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
    u32::from_str_radix(line.trim(), 8).ok()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask() {
        let dir = tempfile::tempdir().expect("temp dir");
        for wanted in [0o644, 0o600, 0o664, 0o444] {
            let target = dir.path().join(format!("out-{wanted:o}.csv"));
            std::fs::write(&target, "old").expect("old file");
            std::fs::set_permissions(&target, Permissions::from_mode(wanted)).expect("mode");
            let part = tempfile::NamedTempFile::new_in(dir.path()).expect("part");
            assert_eq!(mode(part.path()), 0o600, "tempfile's own mode");
            match_permissions(part.as_file(), &target).expect("set");
            part.persist(&target).expect("renamed");
            assert_eq!(mode(&target), wanted);
        }
        let umask = umask().expect("Linux reports the umask");
        let target = dir.path().join("new.csv");
        let part = tempfile::NamedTempFile::new_in(dir.path()).expect("part");
        match_permissions(part.as_file(), &target).expect("set");
        part.persist(&target).expect("renamed");
        assert_eq!(mode(&target), 0o666 & !umask);
        assert_ne!(
            0o666 & !umask,
            0o600,
            "a umask of 066 would hide the point of the test"
        );
    }
}
