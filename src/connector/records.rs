//! Records as `json`, `csv` or `table` and as table cells, shared by the window (results,
//! exports) and the command line: page by page, so that exports of every page never hold
//! more than one page in memory (except `table`, which must measure).

use std::io::Write;

use serde_json::Value;

mod checked_fields;
mod csv_bytes;
mod in_order_row;
mod json_cells;
mod raw_csv;
mod raw_json;
pub use raw_csv::RawCsvWriter;
pub use raw_json::RawJsonWriter;

/// How records are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordFormat {
    /// A JSON array of the records.
    #[default]
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// An aligned text table for reading.
    Table,
}

/// Why output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Writing failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// A record's JSON text could not be read (fast CSV path).
    #[error("invalid record: {0}")]
    Record(String),
    /// A page was written after `finish`.
    #[error("output already finished")]
    Finished,
}

/// Something that accepts records page by page.
pub trait RecordWriter {
    /// Writes one page of records.
    fn write_page(&mut self, records: &[Value]) -> Result<(), OutputError>;
    /// Completes the output (closing bracket, table body, flush); later pages are refused.
    fn finish(&mut self) -> Result<(), OutputError>;
}

/// Whether a key is an OData annotation (`@odata.etag`, `Name@odata.type`, …).
pub fn is_annotation(key: &str) -> bool {
    key.starts_with('@') || key.contains("@odata.")
}

/// The column names of records: the union of keys in first-seen order, annotations skipped;
/// non-object records contribute a `value` column.
pub fn columns_of(records: &[Value]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for record in records {
        add_columns(&mut columns, record);
    }
    columns
}

fn add_columns(columns: &mut Vec<String>, record: &Value) -> Vec<String> {
    let mut added = Vec::new();
    let keys: Vec<&str> = match record {
        Value::Object(map) => map
            .keys()
            .map(String::as_str)
            .filter(|k| !is_annotation(k))
            .collect(),
        _ => vec!["value"],
    };
    for key in keys {
        if !columns.iter().any(|c| c == key) {
            columns.push(key.to_owned());
            added.push(key.to_owned());
        }
    }
    added
}

/// The text of one cell: strings as they are, numbers with their exact text, `null` empty,
/// nested values as compact JSON.
pub fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.as_str().to_owned(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

fn field<'a>(record: &'a Value, column: &str) -> Option<&'a Value> {
    match record {
        Value::Object(map) => map.get(column),
        other if column == "value" => Some(other),
        _ => None,
    }
}

/// Streams a JSON array: `[` before the first page, one compact record per line, `]` at the end.
pub struct JsonArrayWriter<W: Write> {
    out: W,
    written: usize,
    finished: bool,
}

impl<W: Write> JsonArrayWriter<W> {
    /// A writer onto `out`.
    pub fn new(out: W) -> Self {
        Self {
            out,
            written: 0,
            finished: false,
        }
    }

    /// Number of records written so far.
    pub fn count(&self) -> usize {
        self.written
    }

    /// Writes one record already encoded as compact JSON.
    pub(crate) fn write_encoded(&mut self, record: &[u8]) -> Result<(), OutputError> {
        if self.finished {
            return Err(OutputError::Finished);
        }
        self.write_record(|out| out.write_all(record))
    }

    /// Writes the separator before the next record (`[` first, then commas), then the
    /// record itself with `write`.
    fn write_record(
        &mut self,
        write: impl FnOnce(&mut W) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        self.out
            .write_all(if self.written == 0 { b"[\n" } else { b",\n" })?;
        write(&mut self.out)?;
        self.written += 1;
        Ok(())
    }
}

impl<W: Write> RecordWriter for JsonArrayWriter<W> {
    fn write_page(&mut self, records: &[Value]) -> Result<(), OutputError> {
        if self.finished {
            return Err(OutputError::Finished);
        }
        for record in records {
            self.write_record(|out| {
                serde_json::to_writer(out, record).map_err(std::io::Error::from)
            })?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        self.out
            .write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()?;
        Ok(())
    }
}

/// Bytes gathered before each write to the output: one large write instead of a system
/// call every few lines (stdout is line-buffered; 100 000 records made ~4 700 writes).
pub(crate) const CSV_BUFFER_BYTES: usize = 256 * 1024;

/// The RFC 4180 writer both CSV writers use: CRLF line ends, a large buffer.
pub(crate) fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(CSV_BUFFER_BYTES)
        .from_writer(out)
}

/// Streams RFC 4180 CSV (CRLF line ends, fields quoted when needed). The header is the union of the first page's keys; keys first seen on later
/// pages cannot be added to a header already written, so they are left out and listed by
/// [`CsvRecordWriter::dropped_columns`] (callers should warn). Use
/// [`CsvRecordWriter::with_columns`] when the columns are known up front (e.g. `$select`).
pub struct CsvRecordWriter<W: Write> {
    writer: csv::Writer<W>,
    preset: Option<Vec<String>>,
    header: Option<Vec<String>>,
    dropped: Vec<String>,
    finished: bool,
}

impl<W: Write> CsvRecordWriter<W> {
    /// A writer whose header comes from the first page.
    pub fn new(out: W) -> Self {
        Self {
            writer: csv_writer(out),
            preset: None,
            header: None,
            dropped: Vec::new(),
            finished: false,
        }
    }

    /// A writer with fixed columns (written as the header on the first page).
    pub fn with_columns(out: W, columns: Vec<String>) -> Self {
        let mut writer = Self::new(out);
        writer.preset = Some(columns);
        writer
    }

    /// Keys seen after the header was written, which are not in the output.
    pub fn dropped_columns(&self) -> &[String] {
        &self.dropped
    }

    fn ensure_header(&mut self, records: &[Value]) -> Result<Vec<String>, OutputError> {
        if let Some(header) = &self.header {
            return Ok(header.clone());
        }
        let columns = self.preset.clone().unwrap_or_else(|| columns_of(records));
        if !columns.is_empty() {
            self.writer.write_record(&columns)?;
        }
        self.header = Some(columns.clone());
        Ok(columns)
    }
}

impl<W: Write> RecordWriter for CsvRecordWriter<W> {
    fn write_page(&mut self, records: &[Value]) -> Result<(), OutputError> {
        if self.finished {
            return Err(OutputError::Finished);
        }
        if records.is_empty() {
            return Ok(());
        }
        let columns = self.ensure_header(records)?;
        let known: std::collections::HashSet<&str> = columns.iter().map(String::as_str).collect();
        for record in records {
            match record {
                Value::Object(map) => {
                    for key in map.keys() {
                        if !is_annotation(key)
                            && !known.contains(key.as_str())
                            && !self.dropped.contains(key)
                        {
                            self.dropped.push(key.clone());
                        }
                    }
                }
                _ if !known.contains("value") && !self.dropped.iter().any(|d| d == "value") => {
                    self.dropped.push("value".to_owned());
                }
                _ => {}
            }
            // Cells straight from the record: no row of owned strings.
            for column in &columns {
                match field(record, column) {
                    None | Some(Value::Null) => self.writer.write_field("")?,
                    Some(Value::String(text)) => self.writer.write_field(text)?,
                    Some(Value::Number(number)) => self.writer.write_field(number.as_str())?,
                    Some(Value::Bool(true)) => self.writer.write_field("true")?,
                    Some(Value::Bool(false)) => self.writer.write_field("false")?,
                    Some(nested) => self.writer.write_field(nested.to_string())?,
                }
            }
            self.writer.write_record(std::iter::empty::<&[u8]>())?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        if self.finished {
            return Ok(());
        }
        if self.header.is_none() && self.preset.is_some() {
            self.ensure_header(&[])?;
        }
        self.finished = true;
        self.writer.flush()?;
        Ok(())
    }
}

/// Collects records and prints an aligned table on `finish` (a table must see every row to
/// size its columns; use CSV or JSON for large exports).
pub struct TableWriter<W: Write> {
    out: W,
    records: Vec<Value>,
    max_cell_width: usize,
    finished: bool,
}

/// Default maximum characters per table cell before truncation with `…`.
pub const DEFAULT_MAX_CELL_WIDTH: usize = 40;

impl<W: Write> TableWriter<W> {
    /// A writer truncating cells to `max_cell_width` characters (at least 1).
    pub fn new(out: W, max_cell_width: usize) -> Self {
        Self {
            out,
            records: Vec::new(),
            max_cell_width: max_cell_width.max(1),
            finished: false,
        }
    }
}

impl<W: Write> RecordWriter for TableWriter<W> {
    fn write_page(&mut self, records: &[Value]) -> Result<(), OutputError> {
        if self.finished {
            return Err(OutputError::Finished);
        }
        self.records.extend_from_slice(records);
        Ok(())
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        let text = render_table(&self.records, self.max_cell_width);
        self.out.write_all(text.as_bytes())?;
        self.out.flush()?;
        Ok(())
    }
}

/// Shortens a cell to `max` characters (ending in `…`), with line breaks and tabs as spaces.
pub fn truncate_cell(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        flat
    } else {
        let mut short: String = flat.chars().take(max.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

/// Renders records as an aligned table: header, dashed rule, one line per record, columns
/// separated by two spaces; `(no records)` when empty.
pub fn render_table(records: &[Value], max_cell_width: usize) -> String {
    let columns = columns_of(records);
    if columns.is_empty() {
        return "(no records)\n".to_owned();
    }
    let header: Vec<String> = columns
        .iter()
        .map(|c| truncate_cell(c, max_cell_width))
        .collect();
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| {
                    truncate_cell(
                        &field(r, c).map(cell_text).unwrap_or_default(),
                        max_cell_width,
                    )
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain(std::iter::once(header[i].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(&rule));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

/// A writer for `format` onto `out`.
pub fn writer_for<'a, W: Write + 'a>(format: RecordFormat, out: W) -> Box<dyn RecordWriter + 'a> {
    match format {
        RecordFormat::Json => Box::new(JsonArrayWriter::new(out)),
        RecordFormat::Csv => Box::new(CsvRecordWriter::new(out)),
        RecordFormat::Table => Box::new(TableWriter::new(out, DEFAULT_MAX_CELL_WIDTH)),
    }
}

/// Renders all records at once in `format`.
pub fn render(format: RecordFormat, records: &[Value]) -> Result<String, OutputError> {
    let mut buffer = Vec::new();
    {
        let mut writer = writer_for(format, &mut buffer);
        writer.write_page(records)?;
        writer.finish()?;
    }
    Ok(String::from_utf8_lossy(&buffer).into_owned())
}

#[cfg(test)]
mod tests;
