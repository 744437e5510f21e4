//! A JSON array written straight from the records of [`RawPage`]s: the bytes
//! [`JsonArrayWriter`](super::JsonArrayWriter) writes for the same records (compact records,
//! exact numbers, strings escaped as `serde_json` escapes them), without building values for
//! the plain properties that make up almost every record.

use std::collections::HashSet;
use std::io::{BufWriter, Write};

use super::checked_fields::{Fields, read_checked_fields};
use super::json_cells::exponent_as_values_keep_it;
use super::{CSV_BUFFER_BYTES, JsonArrayWriter, OutputError, RecordWriter};
use crate::odata::client::RawPage;
use crate::odata::json_strict;

/// Streams a JSON array of the records of raw pages.
pub struct RawJsonWriter<W: Write> {
    array: JsonArrayWriter<BufWriter<W>>,
    /// The property names of the last record read as plain properties: a record with the
    /// same names in the same order has no duplicates either.
    last_names: Vec<String>,
}

impl<W: Write> RawJsonWriter<W> {
    /// A writer onto `out`.
    pub fn new(out: W) -> Self {
        Self {
            array: JsonArrayWriter::new(BufWriter::with_capacity(CSV_BUFFER_BYTES, out)),
            last_names: Vec::new(),
        }
    }

    /// Writes the records of `page` (valid JSON: its decoder checked them).
    pub fn write_raw_page(&mut self, page: &RawPage) -> Result<(), OutputError> {
        let mut fields = Fields::new();
        let mut record_bytes = Vec::new();
        for record in page.records() {
            record_bytes.clear();
            self.encode(record, &mut fields, &mut record_bytes)?;
            self.array.write_encoded(&record_bytes)?;
        }
        Ok(())
    }

    /// Ends the array and flushes the output.
    pub fn finish(&mut self) -> Result<(), OutputError> {
        self.array.finish()
    }

    /// One record as compact JSON into `out`.
    fn encode<'a>(
        &mut self,
        record: &'a str,
        fields: &mut Fields<'a>,
        out: &mut Vec<u8>,
    ) -> Result<(), OutputError> {
        if !(read_checked_fields(record, fields) && self.names_are_unique(fields)) {
            // Escaped names, duplicates (refused here) and records that are not objects.
            let value = json_strict::from_slice(record.as_bytes()).map_err(record_error)?;
            return serde_json::to_writer(out, &value).map_err(record_error);
        }
        out.push(b'{');
        for (index, (name, value)) in fields.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            // A checked name has no escape, and valid JSON has no control character in a
            // string: its text is what serde_json writes.
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            encode_value(value, out)?;
        }
        out.push(b'}');
        Ok(())
    }

    fn names_are_unique(&mut self, fields: &Fields<'_>) -> bool {
        let same_as_last = fields.len() == self.last_names.len()
            && fields
                .iter()
                .zip(&self.last_names)
                .all(|((name, _), last)| name == last);
        if same_as_last {
            return true;
        }
        let mut seen = HashSet::with_capacity(fields.len());
        if !fields.iter().all(|(name, _)| seen.insert(name.as_ref())) {
            return false;
        }
        self.last_names = fields.iter().map(|(name, _)| name.to_string()).collect();
        true
    }
}

/// One property value (valid JSON text) as serde_json writes it.
fn encode_value(text: &str, out: &mut Vec<u8>) -> Result<(), OutputError> {
    match text.as_bytes().first() {
        Some(b'"') if !text.contains('\\') => out.extend_from_slice(text.as_bytes()),
        Some(b'"') => {
            let unescaped: String = serde_json::from_str(text).map_err(record_error)?;
            serde_json::to_writer(out, &unescaped).map_err(record_error)?;
        }
        Some(b'{' | b'[') => {
            let nested = json_strict::from_slice(text.as_bytes()).map_err(record_error)?;
            serde_json::to_writer(out, &nested).map_err(record_error)?;
        }
        Some(b'-' | b'0'..=b'9') if text.contains(['e', 'E']) => {
            out.extend_from_slice(exponent_as_values_keep_it(text).as_bytes());
        }
        // Other numbers, `true`, `false` and `null`: their text.
        _ => out.extend_from_slice(text.as_bytes()),
    }
    Ok(())
}

fn record_error(error: serde_json::Error) -> OutputError {
    OutputError::Record(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::client::Page;

    /// The value path and this writer over the same page bodies.
    fn both(pages: &[&str]) -> (String, String) {
        let url = url::Url::parse("http://127.0.0.1:1/data/Customers").unwrap();
        let mut slow = Vec::new();
        let mut fast = Vec::new();
        {
            let mut values = JsonArrayWriter::new(&mut slow);
            let mut raw = RawJsonWriter::new(&mut fast);
            for body in pages {
                let json = json_strict::from_slice(body.as_bytes()).unwrap();
                values
                    .write_page(&Page::from_json(url.clone(), json).unwrap().items)
                    .unwrap();
                let page =
                    RawPage::from_body(url.clone(), &url, bytes::Bytes::from(body.to_string()))
                        .unwrap();
                raw.write_raw_page(&page).unwrap();
            }
            values.finish().unwrap();
            raw.finish().unwrap();
        }
        (
            String::from_utf8(slow).unwrap(),
            String::from_utf8(fast).unwrap(),
        )
    }

    #[test]
    fn the_same_bytes_as_values_for_tricky_records() {
        let first = r#"{"@odata.context": "x", "value": [
            {"@odata.etag": "W/\"1\"", "Id": 1, "Name": "plain", "Amount": 1.50, "Big": 123456789012345678901234567890.000100, "Exp": 1E+5, "Neg": -0.0, "Ok": true, "E2": 2e5, "E3": -3.5E-02, "E4": 0e0},
            {"Id": 2, "Name": "quote \" comma , line\r\nbreak", "Amount": null, "Ok": false, "Name@odata.type": "String"},
            {"Id": 3, "Name": "caf\u00e9 \ud83d\ude00 \/ \t tab \u007f", "Nested": {"b": [1, 2.50, "x\u0041"], "a": null}, "List": [], "Empty": {}},
            {"Name": "", "Id": 4, "Unicode": "日本語 ✓", "Esc\u0061ped": "key escaped"},
            {"Id": 5}, 7, "text", null, [1, {"a": "b"}]
        ], "@odata.nextLink": "Customers?$skiptoken=5"}"#;
        let second = r#"{"value": [ { "Id" : 6 , "Name" : "spaced" } , {"Id": 7, "Name": "same order"}, {"Name": "other order", "Id": 8}]}"#;
        let (slow, fast) = both(&[first, r#"{"value": []}"#, second]);
        assert_eq!(slow, fast);
        assert!(
            fast.starts_with("[\n{\"@odata.etag\":\"W/\\\"1\\\"\",\"Id\":1,"),
            "{fast}"
        );
        assert!(fast.contains("\"Exp\":1e+5"), "{fast}");
        assert!(fast.ends_with("\n]\n"));
        assert_eq!(both(&[r#"{"value": []}"#]), ("[]\n".into(), "[]\n".into()));
    }

    #[test]
    fn duplicate_properties_are_refused_at_any_depth() {
        let url = url::Url::parse("http://127.0.0.1:1/data/Customers").unwrap();
        for body in [
            r#"{"value": [{"A": 1, "B": 2, "A": 3}]}"#,
            r#"{"value": [{"A": 1, "B": 2}, {"B": 1, "\u0042": 2}]}"#,
            r#"{"value": [{"A": {"x": 1, "x": 2}}]}"#,
            r#"{"value": [{"A": 1, "B": 2}, {"A": 1, "A": 2}]}"#,
        ] {
            let page = RawPage::from_body(url.clone(), &url, bytes::Bytes::from(body)).unwrap();
            let mut out = Vec::new();
            let error = RawJsonWriter::new(&mut out)
                .write_raw_page(&page)
                .unwrap_err();
            assert!(error.to_string().contains("duplicate"), "{body}: {error}");
        }
    }
}
