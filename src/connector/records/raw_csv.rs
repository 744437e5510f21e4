//! CSV written straight from records' JSON text (e.g. [`RawPage`](crate::odata::client::RawPage)
//! records): cells are borrowed from the text, no values are built. The bytes are those
//! [`CsvRecordWriter`](super::CsvRecordWriter) writes for the same records.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::checked_fields::{Fields, read_checked_fields};
use super::csv_bytes::{end_row, push_row, push_separator};
use super::in_order_row::InOrder;
use super::json_cells::push_cell;
use super::{CSV_BUFFER_BYTES, OutputError, is_annotation};
use crate::odata::client::RawPage;
use crate::odata::json_strict;

/// Streams RFC 4180 CSV from records given as JSON text, with the header, column and cell
/// rules of [`CsvRecordWriter`](super::CsvRecordWriter).
pub struct RawCsvWriter<W: Write> {
    out: W,
    /// Rows not yet written to `out` (written once they pass [`CSV_BUFFER_BYTES`]).
    buf: Vec<u8>,
    preset: Option<Vec<String>>,
    header: Option<Header>,
    dropped: Vec<String>,
    finished: bool,
}

/// The columns of a written header, and what the paths that fill them need.
struct Header {
    columns: Vec<String>,
    index: HashMap<String, usize>,
    comparable: Vec<bool>,
    annotation_columns: bool,
}

impl Header {
    fn new(columns: Vec<String>) -> Self {
        let mut index = HashMap::new();
        for (i, column) in columns.iter().enumerate() {
            index.entry(column.clone()).or_insert(i);
        }
        Self {
            comparable: columns.iter().map(|c| !c.contains(['"', '\\'])).collect(),
            annotation_columns: columns.iter().any(|c| is_annotation(c)),
            index,
            columns,
        }
    }

    fn layout(&self) -> Layout<'_> {
        Layout {
            in_order: InOrder {
                columns: &self.columns,
                index: &self.index,
                comparable: &self.comparable,
                annotation_columns: self.annotation_columns,
            },
        }
    }
}

impl<W: Write> RawCsvWriter<W> {
    /// A writer whose header comes from the first page with records.
    pub fn new(out: W) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(CSV_BUFFER_BYTES + CSV_BUFFER_BYTES / 4),
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

    fn set_header(&mut self, columns: Vec<String>) -> Result<(), OutputError> {
        if !columns.is_empty() {
            push_row(&mut self.buf, columns.iter().map(String::as_bytes));
        }
        self.header = Some(Header::new(columns));
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
                    // Records mostly repeat the first one's order: look where the last key
                    // was found first.
                    let mut hint = 0;
                    for (key, _) in &fields {
                        if is_annotation(key) {
                            continue;
                        }
                        if columns.get(hint).is_some_and(|c| c == key) {
                            hint += 1;
                            continue;
                        }
                        match columns.iter().position(|c| c == key) {
                            Some(at) => hint = at + 1,
                            None => {
                                columns.push(key.as_ref().to_owned());
                                hint = columns.len();
                            }
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
        let Some(header) = &self.header else {
            return Ok(());
        };
        let layout = header.layout();
        let mut sink = Spill {
            out: &mut self.out,
            buf: &mut self.buf,
        };
        if threads == Threads::TwoChecked {
            return layout.write_on_two_cores(records, &mut sink, &mut self.dropped);
        }
        layout.write(records, checked, &mut sink, &mut self.dropped)
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
        self.flush()
    }

    /// Writes the rows gathered so far and flushes the output.
    fn flush(&mut self) -> Result<(), OutputError> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> Drop for RawCsvWriter<W> {
    /// Rows gathered before an error still reach the output, as with the `csv` crate's
    /// writer (best effort: a failure has nowhere to go).
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let _ = self.flush();
        }
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

/// Where rows go: a buffer, written out as it fills.
trait Rows {
    fn buf(&mut self) -> &mut Vec<u8>;
    /// Called after each complete row.
    fn row_done(&mut self) -> Result<(), OutputError>;
}

/// A thread's own buffer, kept whole.
impl Rows for Vec<u8> {
    fn buf(&mut self) -> &mut Vec<u8> {
        self
    }

    fn row_done(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// The writer's buffer, written to its output once it passes [`CSV_BUFFER_BYTES`].
struct Spill<'a, W: Write> {
    out: &'a mut W,
    buf: &'a mut Vec<u8>,
}

impl<W: Write> Rows for Spill<'_, W> {
    fn buf(&mut self) -> &mut Vec<u8> {
        self.buf
    }

    fn row_done(&mut self) -> Result<(), OutputError> {
        if self.buf.len() >= CSV_BUFFER_BYTES {
            self.out.write_all(self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

/// What the general path reuses from one record to the next.
struct Scratch<'r> {
    fields: Fields<'r>,
    cells: Vec<Option<&'r str>>,
    others: Vec<Cow<'r, str>>,
}

/// The columns of a writer whose header is written, shared by the threads of a page.
struct Layout<'h> {
    /// The columns, their positions, and the one-pass path over them.
    in_order: InOrder<'h>,
}

impl Layout<'_> {
    /// Writes `records` as CSV rows onto `rows`, adding keys not in the header to
    /// `dropped`; stops at the first record with a duplicate property or unreadable text.
    /// `checked`: the records are valid JSON text, and those in the header's order are
    /// written in one pass ([`InOrder`]).
    fn write(
        &self,
        records: &[&str],
        checked: bool,
        rows: &mut impl Rows,
        dropped: &mut Vec<String>,
    ) -> Result<(), OutputError> {
        let mut scratch = Scratch {
            fields: Fields::new(),
            cells: vec![None; self.in_order.columns.len()],
            others: Vec::new(),
        };
        for record in records {
            let buf = rows.buf();
            let row_start = buf.len();
            if !(checked && self.in_order.write(record, buf).is_some()) {
                buf.truncate(row_start);
                if let Err(error) = self.general_row(record, checked, buf, &mut scratch, dropped) {
                    buf.truncate(row_start);
                    return Err(error);
                }
            }
            end_row(buf, row_start);
            rows.row_done()?;
        }
        Ok(())
    }

    /// The row of any record: its properties gathered, placed in their columns, then
    /// written; keys not in the header are added to `dropped`.
    fn general_row<'r>(
        &self,
        record: &'r str,
        checked: bool,
        buf: &mut Vec<u8>,
        scratch: &mut Scratch<'r>,
        dropped: &mut Vec<String>,
    ) -> Result<(), OutputError> {
        let columns = self.in_order.columns;
        let Scratch {
            fields,
            cells,
            others,
        } = scratch;
        read_fields(record, fields, checked)?;
        cells.iter_mut().for_each(|c| *c = None);
        others.clear();
        let mut hint = 0;
        for (key, value) in fields.iter() {
            let at = if columns.get(hint).is_some_and(|c| c == key) {
                Some(hint)
            } else {
                self.in_order.index.get(key.as_ref()).copied()
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
        for (i, cell) in cells.iter().enumerate() {
            push_separator(buf, i);
            if let Some(text) = cell {
                push_cell(buf, text)?;
            }
        }
        Ok(())
    }

    /// Checked records, the second half rendered on another thread while the first is
    /// written onto `rows`; the same bytes, dropped columns and first error as
    /// [`Self::write`] on one thread.
    fn write_on_two_cores<W: Write>(
        &self,
        records: &[&str],
        rows: &mut Spill<'_, W>,
        dropped: &mut Vec<String>,
    ) -> Result<(), OutputError> {
        let (first, second) = records.split_at(records.len() / 2);
        let (first_done, second_done) = std::thread::scope(|scope| {
            let helper = std::thread::Builder::new()
                .name("csv-half".to_owned())
                .spawn_scoped(scope, || {
                    let expected: usize = second.iter().map(|r| r.len() / 2).sum();
                    let mut half = Vec::with_capacity(expected);
                    let mut half_dropped = Vec::new();
                    let done = self.write(second, true, &mut half, &mut half_dropped);
                    (half, half_dropped, done)
                });
            let first_done = self.write(first, true, rows, dropped);
            let second_done = match helper {
                Ok(helper) => helper.join().ok(),
                Err(_) => None,
            };
            (first_done, second_done)
        });
        first_done?;
        let Some((bytes, half_dropped, done)) = second_done else {
            // No second thread (or it panicked): the second half on this one.
            return self.write(second, true, rows, dropped);
        };
        // The rows before a failing record are written, as one thread would.
        rows.out.write_all(rows.buf)?;
        rows.buf.clear();
        rows.out.write_all(&bytes)?;
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
        sequential.flush().unwrap();
        drop(sequential);
        assert_eq!(
            String::from_utf8(two).unwrap(),
            String::from_utf8(one.clone()).unwrap()
        );
        assert_eq!(String::from_utf8(one).unwrap().lines().count(), 1 + bad);
    }

    #[test]
    fn records_in_the_header_order_and_out_of_it_write_what_values_write() {
        // The first record sets the header; the later ones take the one-pass path (same
        // order, annotations anywhere) or leave it (order, gaps, extras, escapes, duplicates
        // of annotations are for the general path), and must all write the same bytes.
        let first = r#"{"value": [
            {"@odata.etag": "1", "A": 1, "B\\b": "back", "C\"q": "quote", "D": "d"}
        ]}"#;
        let page = r#"{"value": [
            {"A": 2, "@odata.etag": "2", "B\\b": "b, c", "C\"q": "\"", "D": null, "E@odata.type": "x"},
            {"A": 3, "B\b": "escape b", "C\"q": 1, "D": [1, {"x": "y"}]},
            {"A": 4, "B\\b": 1E2, "C\"q": true, "D": "last", "@odata.etag": "4"},
            {"B\\b": 5, "A": 5, "C\"q": 5, "D": 5},
            {"A": 6, "B\\b": 6},
            {"A": 7, "B\\b": 7, "C\"q": 7, "D": 7, "Extra": 7},
            {"A": 8, "B\\b": 8, "C\"q": 8, "D": 8, "@odata.etag": "8", "@odata.id": "8"},
            {},
            {"A": "\u0041 escaped", "B\\b": {}, "C\"q": [], "D": -0.5e-3}
        ]}"#;
        let (slow, fast) = both(&[first, page], None);
        assert_eq!(slow, fast);
        assert!(
            fast.starts_with("A,B\\b,\"C\"\"q\",D\r\n1,back,quote,d\r\n"),
            "{fast}"
        );
        assert!(fast.contains("\r\n3,,1,"), "{fast}");
        // An annotation given twice is refused on both paths.
        let twice = r#"{"value": [{"A": 1}, {"@odata.etag": "1", "A": 2, "@odata.etag": "2"}]}"#;
        let url = url::Url::parse("http://127.0.0.1:1/data/Customers").unwrap();
        let raw = RawPage::from_body(url.clone(), &url, bytes::Bytes::from(twice)).unwrap();
        let error = RawCsvWriter::new(Vec::new())
            .write_raw_page(&raw)
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("duplicate property '@odata.etag'"),
            "{error}"
        );
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
