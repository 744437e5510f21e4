//! CSV written straight from records' JSON text (e.g. [`RawPage`](crate::odata::client::RawPage)
//! records): cells are borrowed from the text, no values are built. The bytes are those
//! [`CsvRecordWriter`](super::CsvRecordWriter) writes for the same records.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{OutputError, is_annotation};
use crate::odata::json_strict;

/// Streams RFC 4180 CSV from records given as JSON text, with the header, column and cell
/// rules of [`CsvRecordWriter`](super::CsvRecordWriter).
pub struct RawCsvWriter<W: Write> {
    writer: csv::Writer<W>,
    preset: Option<Vec<String>>,
    header: Option<Vec<String>>,
    index: HashMap<String, usize>,
    dropped: Vec<String>,
    finished: bool,
}

/// A record's properties: name and JSON text of the value, in order.
type Fields<'a> = Vec<(Cow<'a, str>, &'a str)>;

impl<W: Write> RawCsvWriter<W> {
    /// A writer whose header comes from the first page with records.
    pub fn new(out: W) -> Self {
        Self {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
            preset: None,
            header: None,
            index: HashMap::new(),
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

    fn set_header(&mut self, columns: Vec<String>) -> Result<(), OutputError> {
        if !columns.is_empty() {
            self.writer.write_record(&columns)?;
        }
        for (i, column) in columns.iter().enumerate() {
            self.index.entry(column.clone()).or_insert(i);
        }
        self.header = Some(columns);
        Ok(())
    }

    fn ensure_header(&mut self, records: &[&str]) -> Result<(), OutputError> {
        if self.header.is_some() {
            return Ok(());
        }
        let columns = match self.preset.clone() {
            Some(columns) => columns,
            None => {
                let mut columns: Vec<String> = Vec::new();
                let mut fields = Fields::new();
                for record in records {
                    read_fields(record, &mut fields)?;
                    for (key, _) in &fields {
                        if !is_annotation(key) && !columns.iter().any(|c| c == key) {
                            columns.push(key.as_ref().to_owned());
                        }
                    }
                }
                columns
            }
        };
        self.set_header(columns)
    }

    /// Writes one page of records, each the JSON text of one record.
    pub fn write_page(&mut self, records: &[&str]) -> Result<(), OutputError> {
        if self.finished {
            return Err(OutputError::Finished);
        }
        if records.is_empty() {
            return Ok(());
        }
        self.ensure_header(records)?;
        let Some(columns) = &self.header else {
            return Ok(());
        };
        let mut fields = Fields::new();
        let mut cells: Vec<Option<&str>> = vec![None; columns.len()];
        let mut others: Vec<Cow<'_, str>> = Vec::new();
        for record in records {
            read_fields(record, &mut fields)?;
            cells.iter_mut().for_each(|c| *c = None);
            others.clear();
            let mut hint = 0;
            for (key, value) in &fields {
                let at = if columns.get(hint).is_some_and(|c| c == key) {
                    Some(hint)
                } else {
                    self.index.get(key.as_ref()).copied()
                };
                match at {
                    Some(at) => {
                        if cells[at].replace(value).is_some() {
                            return Err(duplicate(key));
                        }
                        hint = at + 1;
                    }
                    None => {
                        if others.contains(key) {
                            return Err(duplicate(key));
                        }
                        if !is_annotation(key) && !self.dropped.iter().any(|d| d == key) {
                            self.dropped.push(key.as_ref().to_owned());
                        }
                        others.push(key.clone());
                    }
                }
            }
            for cell in &cells {
                match cell {
                    None => self.writer.write_field("")?,
                    Some(text) => write_cell(&mut self.writer, text)?,
                }
            }
            self.writer.write_record(std::iter::empty::<&[u8]>())?;
        }
        Ok(())
    }

    /// Completes the output (the header when columns were preset and no record came).
    pub fn finish(&mut self) -> Result<(), OutputError> {
        if self.finished {
            return Ok(());
        }
        if self.header.is_none()
            && let Some(columns) = self.preset.clone()
        {
            self.set_header(columns)?;
        }
        self.finished = true;
        self.writer.flush()?;
        Ok(())
    }
}

fn duplicate(key: &str) -> OutputError {
    OutputError::Record(format!("duplicate property '{key}'"))
}

/// Writes the cell of one JSON value: strings unescaped, numbers with their exact text,
/// `null` empty, nested values as compact JSON (as [`super::cell_text`]).
fn write_cell<W: Write>(writer: &mut csv::Writer<W>, text: &str) -> Result<(), OutputError> {
    match text.as_bytes().first() {
        Some(b'n') => writer.write_field("")?,
        Some(b'"') if !text.contains('\\') => writer.write_field(&text[1..text.len() - 1])?,
        Some(b'"') => {
            let unescaped: String =
                serde_json::from_str(text).map_err(|e| OutputError::Record(e.to_string()))?;
            writer.write_field(unescaped)?
        }
        Some(b'{' | b'[') => {
            let nested = json_strict::from_slice(text.as_bytes())
                .map_err(|e| OutputError::Record(e.to_string()))?;
            writer.write_field(nested.to_string())?
        }
        // Numbers, `true` and `false`: their text is the cell.
        _ => writer.write_field(text)?,
    }
    Ok(())
}

/// Reads a record's properties into `fields` (a record that is not an object is one
/// `value` property).
fn read_fields<'a>(record: &'a str, fields: &mut Fields<'a>) -> Result<(), OutputError> {
    fields.clear();
    if !record.starts_with('{') {
        fields.push((Cow::Borrowed("value"), record));
        return Ok(());
    }
    let mut deserializer = serde_json::Deserializer::from_str(record);
    FieldsSeed(fields)
        .deserialize(&mut deserializer)
        .map_err(|e| OutputError::Record(e.to_string()))
}

struct FieldsSeed<'v, 'a>(&'v mut Fields<'a>);

impl<'de> DeserializeSeed<'de> for FieldsSeed<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(json_strict::Key)? {
            let value: &RawValue = map.next_value()?;
            self.0.push((key, value.get()));
        }
        Ok(())
    }
}
