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
    /// `None` only after its output failed while a page's second half was added to it.
    writer: Option<csv::Writer<W>>,
    preset: Option<Vec<String>>,
    header: Option<Vec<String>>,
    index: HashMap<String, usize>,
    dropped: Vec<String>,
    finished: bool,
}

use super::checked_fields::{Fields, read_checked_fields};
use crate::odata::client::RawPage;

impl<W: Write> RawCsvWriter<W> {
    /// A writer whose header comes from the first page with records.
    pub fn new(out: W) -> Self {
        Self {
            writer: Some(super::csv_writer(out)),
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
            self.csv()?.write_record(&columns)?;
        }
        for (i, column) in columns.iter().enumerate() {
            self.index.entry(column.clone()).or_insert(i);
        }
        self.header = Some(columns);
        Ok(())
    }

    fn ensure_header(&mut self, records: &[&str], checked: bool) -> Result<(), OutputError> {
        if self.header.is_some() {
            return Ok(());
        }
        let columns = match self.preset.clone() {
            Some(columns) => columns,
            None => {
                let mut columns: Vec<String> = Vec::new();
                let mut fields = Fields::new();
                for record in records {
                    read_fields(record, &mut fields, checked)?;
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
        self.write_records(records, Threads::One)
    }

    /// Writes the records of `page`. Its decoder checked that every record is valid JSON,
    /// so their properties are found by looking for quotes and brackets only. The last page
    /// of a listing (no nextLink: the server has nothing more to produce) is written on two
    /// cores, each half of its records into its own buffer, in order.
    pub fn write_raw_page(&mut self, page: &RawPage) -> Result<(), OutputError> {
        let records = page.records();
        let threads = if page.next_link.is_none() && records.len() >= TWO_CORES_FROM {
            Threads::TwoChecked
        } else {
            Threads::OneChecked
        };
        self.write_records(&records, threads)
    }

    fn write_records(&mut self, records: &[&str], threads: Threads) -> Result<(), OutputError> {
        let checked = threads != Threads::One;
        if !self.ready_for(records, checked)? {
            return Ok(());
        }
        let Some(columns) = &self.header else {
            return Ok(());
        };
        let layout = Layout {
            columns,
            index: &self.index,
        };
        if threads == Threads::TwoChecked {
            return layout.write_on_two_cores(records, &mut self.writer, &mut self.dropped);
        }
        let writer = self.writer.as_mut().ok_or(OutputError::Finished)?;
        layout.write(records, checked, writer, &mut self.dropped)
    }

    /// The CSV writer, unless a failed output lost it.
    fn csv(&mut self) -> Result<&mut csv::Writer<W>, OutputError> {
        self.writer.as_mut().ok_or(OutputError::Finished)
    }

    /// Whether `records` are to be written: refuses a finished writer, writes the header
    /// first when this is the first page with records.
    fn ready_for(&mut self, records: &[&str], checked: bool) -> Result<bool, OutputError> {
        if self.finished {
            return Err(OutputError::Finished);
        }
        if records.is_empty() {
            return Ok(false);
        }
        self.ensure_header(records, checked)?;
        Ok(true)
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
        self.csv()?.flush()?;
        Ok(())
    }
}

/// Smallest last page written on two cores: below it a thread costs more than it saves.
const TWO_CORES_FROM: usize = 2_000;

/// How a page is written: whether its records are known to be valid JSON text, and
/// whether its second half is rendered on another thread.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Threads {
    One,
    OneChecked,
    TwoChecked,
}

/// The columns of a writer whose header is written, shared by the threads of a page.
struct Layout<'h> {
    columns: &'h [String],
    index: &'h HashMap<String, usize>,
}

impl Layout<'_> {
    /// Writes `records` as CSV rows onto `writer`, adding keys not in the header to
    /// `dropped`; stops at the first record with a duplicate property or unreadable text.
    fn write<W: Write>(
        &self,
        records: &[&str],
        checked: bool,
        writer: &mut csv::Writer<W>,
        dropped: &mut Vec<String>,
    ) -> Result<(), OutputError> {
        let columns = self.columns;
        let mut fields = Fields::new();
        let mut cells: Vec<Option<&str>> = vec![None; columns.len()];
        let mut others: Vec<Cow<'_, str>> = Vec::new();
        for record in records {
            read_fields(record, &mut fields, checked)?;
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
                        if !is_annotation(key) && !dropped.iter().any(|d| d == key) {
                            dropped.push(key.as_ref().to_owned());
                        }
                        others.push(key.clone());
                    }
                }
            }
            for cell in &cells {
                match cell {
                    None => writer.write_field("")?,
                    Some(text) => write_cell(writer, text)?,
                }
            }
            writer.write_record(std::iter::empty::<&[u8]>())?;
        }
        Ok(())
    }

    /// Checked records, the second half rendered on another thread while the first is
    /// written onto `slot`'s writer; the same bytes, dropped columns and first error as
    /// [`Self::write`] on one thread.
    fn write_on_two_cores<W: Write>(
        &self,
        records: &[&str],
        slot: &mut Option<csv::Writer<W>>,
        dropped: &mut Vec<String>,
    ) -> Result<(), OutputError> {
        let (first, second) = records.split_at(records.len() / 2);
        let writer = slot.as_mut().ok_or(OutputError::Finished)?;
        let (first_done, second_done) = std::thread::scope(|scope| {
            let helper = std::thread::Builder::new()
                .name("csv-half".to_owned())
                .spawn_scoped(scope, || {
                    let mut half = super::csv_writer(Vec::new());
                    let mut half_dropped = Vec::new();
                    let done = self.write(second, true, &mut half, &mut half_dropped);
                    (
                        half.into_inner().map_err(|e| e.into_error()),
                        half_dropped,
                        done,
                    )
                });
            let first_done = self.write(first, true, writer, dropped);
            let second_done = match helper {
                Ok(helper) => helper.join().ok(),
                Err(_) => None,
            };
            (first_done, second_done)
        });
        first_done?;
        let Some((bytes, half_dropped, done)) = second_done else {
            // No second thread (or it panicked): the second half on this one.
            let writer = slot.as_mut().ok_or(OutputError::Finished)?;
            return self.write(second, true, writer, dropped);
        };
        // The bytes of the records before a failing one are written, as one thread would.
        let bytes = bytes?;
        let csv = slot.take().ok_or(OutputError::Finished)?;
        let mut out = csv.into_inner().map_err(|e| e.into_error())?;
        out.write_all(&bytes)?;
        *slot = Some(super::csv_writer(out));
        for key in half_dropped {
            if !dropped.contains(&key) {
                dropped.push(key);
            }
        }
        done
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
        // An exponent is written as serde_json keeps it: `e`, with its sign (`1E5` → `1e+5`).
        Some(b'-' | b'0'..=b'9') if text.contains(['e', 'E']) => {
            writer.write_field(exponent_as_values_keep_it(text))?
        }
        // Numbers, `true` and `false`: their text is the cell.
        _ => writer.write_field(text)?,
    }
    Ok(())
}

pub(super) fn exponent_as_values_keep_it(number: &str) -> String {
    let mut out = String::with_capacity(number.len() + 1);
    let mut chars = number.chars().peekable();
    while let Some(c) = chars.next() {
        if c == 'e' || c == 'E' {
            out.push('e');
            if chars.peek().is_some_and(char::is_ascii_digit) {
                out.push('+');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads a record's properties into `fields` (a record that is not an object is one
/// `value` property). `checked`: `record` is known to be valid JSON.
fn read_fields<'a>(
    record: &'a str,
    fields: &mut Fields<'a>,
    checked: bool,
) -> Result<(), OutputError> {
    fields.clear();
    if !record.starts_with('{') {
        fields.push((Cow::Borrowed("value"), record));
        return Ok(());
    }
    if checked && read_checked_fields(record, fields) {
        return Ok(());
    }
    fields.clear();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::records::{CsvRecordWriter, RecordWriter};
    use crate::odata::client::{Page, RawPage};

    /// The value path and the text path over the same page bodies: (values, text). The
    /// text path is taken twice, records given as text and as a checked [`RawPage`], and
    /// must write the same bytes both times.
    fn both(pages: &[&str], select: Option<Vec<String>>) -> (String, String) {
        let url = url::Url::parse("http://127.0.0.1:1/data/Customers").unwrap();
        let mut slow = Vec::new();
        let mut fast = Vec::new();
        let mut checked = Vec::new();
        {
            let mut values = match &select {
                Some(columns) => CsvRecordWriter::with_columns(&mut slow, columns.clone()),
                None => CsvRecordWriter::new(&mut slow),
            };
            let text_writer = |out| match &select {
                Some(columns) => RawCsvWriter::with_columns(out, columns.clone()),
                None => RawCsvWriter::new(out),
            };
            let mut raw = text_writer(&mut fast);
            let mut raw_checked = text_writer(&mut checked);
            for body in pages {
                let json = json_strict::from_slice(body.as_bytes()).unwrap();
                let page = Page::from_json(url.clone(), json).unwrap();
                values.write_page(&page.items).unwrap();
                let page =
                    RawPage::from_body(url.clone(), &url, bytes::Bytes::from(body.to_string()))
                        .unwrap();
                raw.write_page(&page.records()).unwrap();
                raw_checked.write_raw_page(&page).unwrap();
            }
            values.finish().unwrap();
            raw.finish().unwrap();
            raw_checked.finish().unwrap();
            assert_eq!(values.dropped_columns(), raw.dropped_columns());
            assert_eq!(values.dropped_columns(), raw_checked.dropped_columns());
        }
        assert_eq!(
            String::from_utf8_lossy(&fast),
            String::from_utf8_lossy(&checked),
            "records as text and as a checked page"
        );
        (
            String::from_utf8(slow).unwrap(),
            String::from_utf8(fast).unwrap(),
        )
    }

    const TRICKY: &str = r#"{"@odata.context": "x", "value": [
        {"@odata.etag": "W/\"1\"", "Id": 1, "Name": "plain", "Amount": 1.50, "Big": 123456789012345678901234567890.000100, "Exp": 1E+5, "Neg": -0.0, "Ok": true, "E2": 2e5, "E3": -3.5E-02, "E4": 0e0},
        {"Id": 2, "Name": "quote \" comma , line\r\nbreak", "Amount": null, "Ok": false, "Name@odata.type": "String"},
        {"Id": 3, "Name": "caf\u00e9 \ud83d\ude00 \/ \t tab", "Nested": {"b": [1, 2.50, "x\u0041"], "a": null}, "List": [], "Empty": {}},
        {"Name": "", "Id": 4, "Unicode": "日本語 ✓", "Esc\u0061ped": "key escaped"},
        {"Id": 5}
    ], "@odata.nextLink": "Customers?$skiptoken=5", "@odata.count": "7"}"#;

    #[test]
    fn fast_path_writes_the_same_bytes_as_values_for_tricky_records() {
        let later = r#"{"value": [{"Id": 6, "New": "dropped", "Name": "later"}, {"Id": 7, "Nested": [{"x": {"y": "\u00e9"}}]}]}"#;
        let (slow, fast) = both(&[TRICKY, r#"{"value": []}"#, later], None);
        assert_eq!(slow, fast);
        assert!(fast.starts_with(
            "Id,Name,Amount,Big,Exp,Neg,Ok,E2,E3,E4,Nested,List,Empty,Unicode,Escaped\r\n"
        ));
        assert!(fast.contains("123456789012345678901234567890.000100"));
        assert!(
            fast.contains(r#""{""b"":[1,2.50,""xA""],""a"":null}""#),
            "{fast}"
        );
    }

    #[test]
    fn a_large_last_page_is_written_on_two_cores_with_the_same_bytes() {
        // More records than TWO_CORES_FROM, tricky cells, and a key only in the second half.
        let mut records: Vec<String> = (0..TWO_CORES_FROM + 501)
            .map(|n| {
                format!(
                    r#"{{"Id": {n}, "Name": "a, \"quoted\"\n{n}", "Amount": 1E{}}}"#,
                    n % 7
                )
            })
            .collect();
        records[TWO_CORES_FROM] = r#"{"Id": 1, "Late": true}"#.to_owned();
        let page = format!(r#"{{"value": [{}]}}"#, records.join(","));
        let (slow, fast) = both(&[&page], None);
        assert_eq!(slow, fast);
        // The header and one row per record (cells hold a bare \n, rows end in \r\n).
        assert_eq!(fast.matches("\r\n").count(), 1 + TWO_CORES_FROM + 501);
    }

    #[test]
    fn a_duplicate_in_the_second_half_of_a_last_page_stops_where_one_thread_would() {
        let mut records: Vec<String> = (0..TWO_CORES_FROM + 10)
            .map(|n| format!(r#"{{"Id": {n}}}"#))
            .collect();
        let bad = TWO_CORES_FROM - 3;
        records[bad] = r#"{"Id": 1, "Id": 2}"#.to_owned();
        let page = format!(r#"{{"value": [{}]}}"#, records.join(","));
        let url = url::Url::parse("http://127.0.0.1:1/data/Customers").unwrap();
        let raw = RawPage::from_body(url.clone(), &url, page.clone().into_bytes().into()).unwrap();
        let mut two = Vec::new();
        let error = RawCsvWriter::new(&mut two)
            .write_raw_page(&raw)
            .unwrap_err();
        assert!(
            error.to_string().contains("duplicate property 'Id'"),
            "{error}"
        );
        let texts: Vec<&str> = raw.records();
        let mut one = Vec::new();
        let mut sequential = RawCsvWriter::new(&mut one);
        assert!(sequential.write_page(&texts).is_err());
        sequential.csv().unwrap().flush().unwrap();
        drop(sequential);
        assert_eq!(
            String::from_utf8(two).unwrap(),
            String::from_utf8(one.clone()).unwrap()
        );
        assert_eq!(String::from_utf8(one).unwrap().lines().count(), 1 + bad);
    }

    #[test]
    fn fast_path_follows_select_columns_and_non_object_records() {
        let columns = vec![
            "Name".to_owned(),
            "@odata.etag".to_owned(),
            "Missing".to_owned(),
        ];
        let (slow, fast) = both(&[TRICKY], Some(columns.clone()));
        assert_eq!(slow, fast);
        let (slow, fast) = both(&[r#"{"value": []}"#], Some(columns));
        assert_eq!(slow, fast);
        assert_eq!(fast, "Name,@odata.etag,Missing\r\n");
        let primitives = r#"{"value": [1, "two", null, {"value": 3, "x": 1}, [4]]}"#;
        let (slow, fast) = both(&[primitives], None);
        assert_eq!(slow, fast);
        let (slow, fast) = both(&[r#"{"value": [{"@odata.etag": "1"}, {}]}"#], None);
        assert_eq!(slow, fast);
    }

    #[test]
    fn duplicate_properties_of_a_checked_page_are_refused() {
        let url = url::Url::parse("http://127.0.0.1:1/data/Customers").unwrap();
        for (body, name) in [
            (r#"{"value": [{"A": 1, "B": 2, "A": 3}]}"#, "A"),
            (r#"{"value": [{"A": 1}, {"B": 1, "\u0042": 2}]}"#, "B"),
            (r#"{"value": [{"A": {"x": 1, "x": 2}}]}"#, "x"),
        ] {
            let page = RawPage::from_body(url.clone(), &url, bytes::Bytes::from(body)).unwrap();
            let mut out = Vec::new();
            let error = RawCsvWriter::new(&mut out)
                .write_raw_page(&page)
                .unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains(&format!("duplicate property '{name}'")),
                "{body}: {error}"
            );
        }
    }

    #[test]
    fn duplicate_properties_are_refused_as_by_the_value_path() {
        let mut out = Vec::new();
        let mut writer = RawCsvWriter::new(&mut out);
        let error = writer.write_page(&[r#"{"A": 1, "A": 2}"#]).unwrap_err();
        assert_eq!(error.to_string(), "invalid record: duplicate property 'A'");
        let error = writer
            .write_page(&[r#"{"A": 1, "B": 1, "\u0042": 2}"#])
            .unwrap_err();
        assert!(
            error.to_string().contains("duplicate property 'B'"),
            "{error}"
        );
        let error = writer
            .write_page(&[r#"{"A": {"x": 1, "x": 2}}"#])
            .unwrap_err();
        assert!(
            error.to_string().contains("duplicate property 'x'"),
            "{error}"
        );
    }
}
