//! CSV fields and rows appended to a byte buffer, byte for byte as the `csv` crate's writer
//! that [`super::csv_writer`] builds writes them (RFC 4180, `QuoteStyle::Necessary`, CRLF):
//! a field is quoted when it holds a comma, a quote, `\r` or `\n`, with its quotes doubled,
//! and a row that would have no bytes at all (one empty field) is written as `""`.

/// Appends one field.
pub(super) fn push_field(buf: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        buf.extend_from_slice(field);
        return;
    }
    buf.push(b'"');
    let mut rest = field;
    while let Some(at) = memchr::memchr(b'"', rest) {
        buf.extend_from_slice(&rest[..=at]);
        buf.push(b'"');
        rest = &rest[at + 1..];
    }
    buf.extend_from_slice(rest);
    buf.push(b'"');
}

/// Appends the delimiter before every field but a row's first.
pub(super) fn push_separator(buf: &mut Vec<u8>, field: usize) {
    if field > 0 {
        buf.push(b',');
    }
}

/// Ends the row that started at `row_start` in `buf`.
pub(super) fn end_row(buf: &mut Vec<u8>, row_start: usize) {
    if buf.len() == row_start {
        buf.extend_from_slice(b"\"\"");
    }
    buf.extend_from_slice(b"\r\n");
}

/// Appends a whole row of fields.
pub(super) fn push_row<'f>(buf: &mut Vec<u8>, fields: impl IntoIterator<Item = &'f [u8]>) {
    let row_start = buf.len();
    for (i, field) in fields.into_iter().enumerate() {
        push_separator(buf, i);
        push_field(buf, field);
    }
    end_row(buf, row_start);
}

/// Whether `field` must be quoted. No early exit, so the compiler can compare many bytes
/// at once: cells are short.
fn needs_quotes(field: &[u8]) -> bool {
    field.iter().fold(false, |found, &b| {
        found | matches!(b, b',' | b'"' | b'\r' | b'\n')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the `csv` crate writes for the same rows (configured as `csv_writer`, but
    /// rows of any length).
    fn by_csv_crate(rows: &[Vec<&str>]) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(Vec::new());
        for row in rows {
            writer.write_record(row).unwrap();
        }
        writer.into_inner().unwrap()
    }

    #[test]
    fn fields_and_rows_are_the_bytes_the_csv_crate_writes() {
        let rows: Vec<Vec<&str>> = vec![
            vec![
                "plain",
                "with, comma",
                "a \"quote\"",
                "line\nbreak",
                "cr\rhere",
            ],
            vec!["", "", ""],
            vec![""],
            vec!["\"", ",", "\"\"", "日本語 ✓", "#not a comment", " spaced "],
            vec!["only"],
            vec![],
            vec![
                "tab\there",
                "a long field that is longer than eight bytes, with a comma",
            ],
        ];
        let mut ours = Vec::new();
        for row in &rows {
            push_row(&mut ours, row.iter().map(|f| f.as_bytes()));
        }
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(by_csv_crate(&rows)).unwrap()
        );
    }
}
