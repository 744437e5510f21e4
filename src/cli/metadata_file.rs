//! A local `$metadata` file: parsed as it is read when it is large, else (or when that
//! declines) read whole and parsed, which also words every error and warning.

use std::path::Path;

use crate::odata::metadata::{Model, parse_metadata};

/// Files at least this long are parsed as they are read.
const STREAM_FROM: u64 = 1024 * 1024;

/// The model of the file at `path`; `label` names it in the error message.
pub fn parse_file(path: &Path, label: &str) -> Result<Model, String> {
    if let Some(model) = parse_streamed(path) {
        return Ok(model);
    }
    let bytes =
        super::read_file::read_whole(path).map_err(|e| format!("cannot read {label}: {e}"))?;
    parse_metadata(&bytes).map_err(|e| format!("{label}: {e}"))
}

#[cfg(unix)]
fn parse_streamed(path: &Path) -> Option<Model> {
    use crate::odata::metadata::{StreamOptions, parse_metadata_streamed};
    let file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len < STREAM_FROM {
        return None;
    }
    parse_metadata_streamed(&file, len, &StreamOptions::default())
}

#[cfg(not(unix))]
fn parse_streamed(_path: &Path) -> Option<Model> {
    let _ = STREAM_FROM;
    None
}
