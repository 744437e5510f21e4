//! Reading a large local file into memory on two threads.

use std::path::Path;

/// Files at least this long are read in two halves at once.
const TWO_THREADS_FROM: u64 = 8 * 1024 * 1024;

/// The whole content of `path`. A large file is read in two halves on two threads, so
/// the kernel's copying and the first touch of each fresh page are shared by two cores
/// (a 30 MB F&O `$metadata` document costs a fresh process about 8 ms read on one).
pub fn read_whole(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let Ok(size) = usize::try_from(len) else {
        return std::fs::read(path);
    };
    if len < TWO_THREADS_FROM || !cfg!(unix) {
        return std::fs::read(path);
    }
    read_in_two(&file, size).or_else(|_| std::fs::read(path))
}

#[cfg(unix)]
fn read_in_two(file: &std::fs::File, size: usize) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut bytes = vec![0u8; size];
    let middle = size / 2;
    let (first, second) = bytes.split_at_mut(middle);
    std::thread::scope(|scope| {
        let tail = std::thread::Builder::new()
            .name("read-second-half".to_owned())
            .spawn_scoped(scope, || file.read_exact_at(second, middle as u64))?;
        file.read_exact_at(first, 0)?;
        tail.join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the reading thread stopped")))
    })?;
    Ok(bytes)
}

#[cfg(not(unix))]
fn read_in_two(_file: &std::fs::File, _size: usize) -> std::io::Result<Vec<u8>> {
    Err(std::io::Error::other("not on this platform"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn a_large_file_read_in_two_halves_is_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Odd length, above the two-thread threshold: the halves differ by one byte.
        let bytes = pattern(TWO_THREADS_FROM as usize + 12_345);
        let path = dir.path().join("large.xml");
        std::fs::write(&path, &bytes).expect("write");
        assert_eq!(read_whole(&path).expect("read"), bytes);
    }

    #[test]
    fn small_and_missing_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("small.xml");
        std::fs::write(&path, pattern(1000)).expect("write");
        assert_eq!(read_whole(&path).expect("read"), pattern(1000));
        let missing = read_whole(&dir.path().join("missing.xml")).expect_err("missing");
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }
}
