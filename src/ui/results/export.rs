//! Exporting the results (all rows, in display order) to a CSV or JSON file, atomically,
//! on a background thread, through the CLI's record writers.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use serde_json::Value;

use crate::connector::records::{CsvRecordWriter, JsonArrayWriter, OutputError, RecordWriter};

/// Records per page handed to the writer (bounds the temporary copy of sorted records).
const PAGE: usize = 1000;

/// The file formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportFormat {
    /// RFC 4180 CSV with a header row of the table's columns.
    #[default]
    Csv,
    /// A JSON array of the records as returned by the service.
    Json,
}

impl ExportFormat {
    /// Both formats, in the order of the format switch.
    pub const ALL: [Self; 2] = [Self::Csv, Self::Json];

    /// The label of the format switch.
    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Json => "JSON",
        }
    }

    /// The file extension, without a dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// No path was given.
    #[error("type a file path first")]
    NoPath,
    /// The temporary file could not be created or written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The target file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The record writer failed.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The target file.
        path: PathBuf,
        /// The cause.
        source: OutputError,
    },
    /// The background thread ended without an answer.
    #[error("the export stopped unexpectedly")]
    Interrupted,
}

/// Writes `records` in `order` to `path` as `format` (CSV with `columns` as its header),
/// through a temporary file in the same folder renamed over `path`; returns the count written.
pub fn write_records(
    path: &Path,
    format: ExportFormat,
    records: &[Value],
    order: &[usize],
    columns: &[String],
) -> Result<usize, ExportError> {
    if path.as_os_str().is_empty() {
        return Err(ExportError::NoPath);
    }
    let io_error = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let output_error = |source| ExportError::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".flowbench-export-")
        .tempfile_in(dir)
        .map_err(io_error)?;
    {
        let out = BufWriter::new(temp.as_file_mut());
        let mut writer: Box<dyn RecordWriter + '_> = match format {
            ExportFormat::Csv => Box::new(CsvRecordWriter::with_columns(out, columns.to_vec())),
            ExportFormat::Json => Box::new(JsonArrayWriter::new(out)),
        };
        for chunk in order.chunks(PAGE) {
            let page: Vec<Value> = chunk
                .iter()
                .filter_map(|&i| records.get(i).cloned())
                .collect();
            writer.write_page(&page).map_err(output_error)?;
        }
        writer.finish().map_err(output_error)?;
    }
    temp.as_file_mut().flush().map_err(io_error)?;
    crate::connector::saved_file::match_permissions(temp.as_file(), path).map_err(io_error)?;
    temp.as_file().sync_all().map_err(io_error)?;
    temp.persist(path).map_err(|e| io_error(e.error))?;
    Ok(order.len())
}

/// A successful export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDone {
    /// The file written.
    pub path: PathBuf,
    /// Records written.
    pub count: usize,
}

/// An export running on a background thread.
#[derive(Debug)]
pub struct ExportJob {
    receiver: Receiver<Result<ExportDone, ExportError>>,
}

impl ExportJob {
    /// Starts writing on a new thread; `on_done` runs on that thread when it ends (e.g. to
    /// request a repaint).
    pub fn start(
        path: PathBuf,
        format: ExportFormat,
        records: Arc<Vec<Value>>,
        order: Vec<usize>,
        columns: Vec<String>,
        on_done: impl FnOnce() + Send + 'static,
    ) -> Self {
        let (sender, receiver) = channel();
        let spawned = std::thread::Builder::new()
            .name("flowbench-export".into())
            .spawn(move || {
                let result = write_records(&path, format, &records, &order, &columns)
                    .map(|count| ExportDone { path, count });
                // The receiver is gone only when the view was dropped; nothing to report then.
                let _ = sender.send(result);
                on_done();
            });
        // Without a thread the sender is dropped: `poll` reports the export as interrupted.
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start the export thread");
        }
        Self { receiver }
    }

    /// The outcome once the thread has finished, `None` while it runs.
    pub fn poll(&self) -> Option<Result<ExportDone, ExportError>> {
        match self.receiver.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(ExportError::Interrupted)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_csv_in_order_and_refuses_a_missing_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let records = vec![json!({"a": 1, "b": "x"}), json!({"a": 2, "c": true})];
        let columns = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let path = dir.path().join("out.csv");
        let count =
            write_records(&path, ExportFormat::Csv, &records, &[1, 0], &columns).expect("written");
        assert_eq!(count, 2);
        let text = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(text, "a,b,c\r\n2,,true\r\n1,x,\r\n");
        let leftovers = std::fs::read_dir(dir.path()).expect("dir").count();
        assert_eq!(leftovers, 1, "no temporary file left behind");

        let bad = dir.path().join("missing").join("out.csv");
        let error = write_records(&bad, ExportFormat::Json, &records, &[0], &columns)
            .expect_err("missing folder");
        assert!(matches!(error, ExportError::Io { .. }), "{error}");
        assert!(matches!(
            write_records(Path::new(""), ExportFormat::Json, &records, &[0], &columns),
            Err(ExportError::NoPath)
        ));
    }
}
