//! eframe's settings file (`app.ron`: window size, egui's memory, the UI state) checked
//! before the window opens. eframe reads a file it cannot parse as empty and overwrites it on
//! the next save; Flowbench instead names the file with its line and column, leaves it as it
//! is and keeps this session's settings in a temporary file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::state::UiState;

/// The settings file eframe uses for the `flowbench` app id, when the system has a data
/// directory.
pub fn default_path() -> Option<PathBuf> {
    eframe::storage_dir("flowbench").map(|dir| dir.join("app.ron"))
}

/// Why the settings file at `path` would be lost, if it would: it cannot be read, is not
/// RON, or its UI state does not decode. A missing file is fine (first launch).
pub fn problem_with(path: &Path) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => return Some(format!("{}: cannot be read: {error}", path.display())),
    };
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(error) => {
            let (line, column) = line_column(&bytes, error.valid_up_to());
            return Some(format!(
                "{}: invalid window settings: expected UTF-8 text, found an invalid byte at line {line} column {column}",
                path.display()
            ));
        }
    };
    let entries: HashMap<String, String> = match ron::from_str(text) {
        Ok(entries) => entries,
        Err(error) => {
            return Some(format!(
                "{}: invalid window settings: {} at line {} column {}",
                path.display(),
                error.code,
                error.span.start.line,
                error.span.start.col
            ));
        }
    };
    let state = entries.get(eframe::APP_KEY)?;
    match ron::from_str::<UiState>(state) {
        Ok(_) => None,
        Err(error) => Some(format!(
            "{}: invalid window settings: the entry \"{}\": {} at line {} column {} of its value",
            path.display(),
            eframe::APP_KEY,
            error.code,
            error.span.start.line,
            error.span.start.col
        )),
    }
}

/// Where this session keeps its settings when the real file has a problem: a file of its
/// own in the temporary directory, removed when the window closes.
pub fn session_path() -> PathBuf {
    std::env::temp_dir().join(format!(
        "flowbench-window-settings-{}.ron",
        std::process::id()
    ))
}

/// 1-based line and column of byte `offset` in `bytes`.
fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("app.ron");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    #[test]
    fn a_missing_file_is_the_first_launch() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(problem_with(&dir.path().join("app.ron")), None);
    }

    #[test]
    fn a_file_eframe_wrote_reads() {
        let state = ron::to_string(&UiState::default()).expect("ron");
        let map: HashMap<String, String> = [
            (eframe::APP_KEY.to_owned(), state),
            ("window".to_owned(), "(inner_size_points: None)".to_owned()),
        ]
        .into();
        let (_dir, path) = written(ron::to_string(&map).expect("ron").as_bytes());
        assert_eq!(problem_with(&path), None);
    }

    #[test]
    fn a_truncated_file_is_named_with_its_position() {
        let (_dir, path) = written(b"{\n  \"app\": \"()\",\n  \"window\": ");
        let problem = problem_with(&path).expect("a problem");
        assert!(
            problem.contains("app.ron: invalid window settings:"),
            "{problem}"
        );
        assert!(problem.contains("at line 3 column"), "{problem}");
    }

    #[test]
    fn a_state_that_does_not_decode_is_named() {
        let (_dir, path) = written(b"{\"app\": \"(view: Nowhere)\"}");
        let problem = problem_with(&path).expect("a problem");
        assert!(problem.contains("the entry \"app\""), "{problem}");
    }

    #[test]
    fn invalid_utf8_is_named_with_its_position() {
        let (_dir, path) = written(b"{\n\"app\": \"\xff\"}");
        let problem = problem_with(&path).expect("a problem");
        assert!(problem.contains("at line 2 column 9"), "{problem}");
    }
}
