//! The CSV row of a checked record (valid JSON text) whose properties come in the header's
//! order, written in one pass over its text: each property name is compared with the column
//! expected next, and each value's cell is appended as the value is found. This is how a
//! service sends every record of a listing; any other record is left to the general path.

use std::collections::HashMap;

use super::checked_fields::{at_end, skip_nested, skip_space, skip_value, string_end};
use super::csv_bytes::push_separator;
use super::is_annotation;
use super::json_cells::{push_nested, push_scalar, push_string};

/// The header a row is written for.
pub(super) struct InOrder<'h> {
    /// The columns, in order.
    pub columns: &'h [String],
    /// Each column's position (the first, for a name given twice).
    pub index: &'h HashMap<String, usize>,
    /// Whether each column's name can be compared with a property name's JSON text as it
    /// is: it holds no quote and no backslash, so that text has no escape either.
    pub comparable: &'h [bool],
    /// Whether some column is an annotation's name (e.g. `$select=@odata.etag`).
    pub annotation_columns: bool,
}

/// Most annotations one record may carry on this path (F&O sends one, `@odata.etag`).
const MAX_ANNOTATIONS: usize = 4;

impl InOrder<'_> {
    /// Appends the row of `record` to `buf` (without its line end) and returns `Some`, when
    /// `record` is an object holding every column once, in order, with annotations (not
    /// columns, none twice) anywhere between them. Otherwise `None`, and `buf` may hold part
    /// of a row, which the caller removes. `record` must be valid JSON.
    pub(super) fn write(&self, record: &str, buf: &mut Vec<u8>) -> Option<()> {
        let bytes = record.as_bytes();
        let mut at = skip_space(bytes, 0);
        if bytes.get(at) != Some(&b'{') {
            return None;
        }
        at = skip_space(bytes, at + 1);
        let mut next = 0;
        let mut annotations: [&str; MAX_ANNOTATIONS] = [""; MAX_ANNOTATIONS];
        let mut annotation_count = 0;
        if bytes.get(at) == Some(&b'}') {
            at_end(bytes, at + 1)?;
            return (self.columns.is_empty()).then_some(());
        }
        loop {
            if bytes.get(at) != Some(&b'"') {
                return None;
            }
            let name_start = at + 1;
            let expected = self.expected_at(bytes, name_start, next);
            let name_end = match expected {
                Some(end) => end,
                None => {
                    let (end, escaped) = string_end(bytes, at)?;
                    let name = record.get(name_start..end - 1)?;
                    if escaped
                        || !self.is_skipped_annotation(name, &annotations[..annotation_count])
                    {
                        return None;
                    }
                    *annotations.get_mut(annotation_count)? = name;
                    annotation_count += 1;
                    end - 1
                }
            };
            at = skip_space(bytes, name_end + 1);
            if bytes.get(at) != Some(&b':') {
                return None;
            }
            let value_start = skip_space(bytes, at + 1);
            let value_end = if expected.is_some() {
                push_separator(buf, next);
                next += 1;
                push_value(record, value_start, buf)?
            } else {
                skip_value(bytes, value_start)?
            };
            at = skip_space(bytes, value_end);
            match bytes.get(at) {
                Some(b',') => at = skip_space(bytes, at + 1),
                Some(b'}') => {
                    at_end(bytes, at + 1)?;
                    return (next == self.columns.len()).then_some(());
                }
                _ => return None,
            }
        }
    }

    /// Where the name starting at `name_start` ends (its closing quote), when it is the
    /// column `next`.
    fn expected_at(&self, bytes: &[u8], name_start: usize, next: usize) -> Option<usize> {
        if !self.comparable.get(next).copied().unwrap_or(false) {
            return None;
        }
        let column = self.columns.get(next)?.as_bytes();
        let end = name_start + column.len();
        (bytes.get(name_start..end) == Some(column) && bytes.get(end) == Some(&b'"')).then_some(end)
    }

    /// Whether `name` is an annotation that is no column and was not seen before in this
    /// record (a duplicate is the general path's to refuse).
    fn is_skipped_annotation(&self, name: &str, seen: &[&str]) -> bool {
        is_annotation(name)
            && !seen.contains(&name)
            && !(self.annotation_columns && self.index.contains_key(name))
    }
}

/// Appends the cell of the value starting at `at` and returns where the value ends.
fn push_value(record: &str, at: usize, buf: &mut Vec<u8>) -> Option<usize> {
    let bytes = record.as_bytes();
    match bytes.get(at)? {
        b'"' => {
            let (end, escaped) = string_end(bytes, at)?;
            push_string(buf, record.get(at..end)?, escaped).ok()?;
            Some(end)
        }
        b'{' | b'[' => {
            let end = skip_nested(bytes, at)?;
            push_nested(buf, record.get(at..end)?).ok()?;
            Some(end)
        }
        _ => {
            let end = skip_value(bytes, at)?;
            push_scalar(buf, record.get(at..end)?);
            Some(end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(columns: &[&str]) -> (Vec<String>, HashMap<String, usize>, Vec<bool>) {
        let columns: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        let index = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        let comparable = columns.iter().map(|c| !c.contains(['"', '\\'])).collect();
        (columns, index, comparable)
    }

    fn row(columns: &[&str], record: &str) -> Option<String> {
        let (columns, index, comparable) = header(columns);
        let in_order = InOrder {
            columns: &columns,
            index: &index,
            comparable: &comparable,
            annotation_columns: columns.iter().any(|c| is_annotation(c)),
        };
        let mut buf = Vec::new();
        in_order
            .write(record, &mut buf)
            .map(|()| String::from_utf8(buf).unwrap())
    }

    #[test]
    fn records_in_the_header_order_are_written_in_one_pass() {
        let columns = ["Id", "Name", "Amount", "Nested"];
        assert_eq!(
            row(
                &columns,
                r#"{"@odata.etag": "W/\"1\"", "Id": 1, "Name": "a, \"b\"", "Amount": 1E5, "Nested": {"x": [1]}}"#
            )
            .as_deref(),
            Some(r#"1,"a, ""b""",1e+5,"{""x"":[1]}""#)
        );
        assert_eq!(
            row(&columns, r#"{ "Id" : null , "Name@odata.type": "x", "Name": "caf\u00e9", "Amount": -0.50, "Nested": [] }"#)
                .as_deref(),
            Some(",café,-0.50,[]")
        );
        assert_eq!(row(&[], "{}").as_deref(), Some(""));
    }

    #[test]
    fn other_records_are_left_to_the_general_path() {
        let columns = ["Id", "Name"];
        for record in [
            r#"{"Name": "b", "Id": 1}"#,             // another order
            r#"{"Id": 1}"#,                          // a column missing
            r#"{"Id": 1, "Name": "a", "Extra": 2}"#, // a key not in the header
            r#"{"Id": 1, "Id": 2, "Name": "a"}"#,    // a duplicate
            r#"{"@odata.etag": "1", "Id": 1, "@odata.etag": "2", "Name": "a"}"#, // a duplicate annotation
            r#"{"\u0049d": 1, "Name": "a"}"#,                                    // an escaped name
            r#"[1, 2]"#,                                                         // not an object
            r#"{}"#,                                                             // no column
        ] {
            assert_eq!(row(&columns, record), None, "{record}");
        }
        // A column named like an annotation is a column, wherever it comes.
        let columns = ["Id", "@odata.etag"];
        assert_eq!(
            row(&columns, r#"{"Id": 1, "@odata.etag": "e"}"#).as_deref(),
            Some("1,e")
        );
        assert_eq!(row(&columns, r#"{"@odata.etag": "e", "Id": 1}"#), None);
        // A column with a backslash is never compared with a name's escaped text.
        assert_eq!(row(&["B\\b"], r#"{"B\b": 1}"#), None);
    }
}
