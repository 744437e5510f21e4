//! Writes records page by page as a JSON array, CSV or a readable table, so that listings
//! of any size never hold more than one page.

use std::io::{self, Write};

use serde_json::Value;

/// Output format of `flowbench list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// A JSON array of records.
    Json,
    /// A header line, then one line per record.
    Csv,
    /// Aligned columns for reading.
    Table,
}

/// Widest a table column gets before values are cut.
const MAX_TABLE_WIDTH: usize = 40;

/// Streams records to `out` in one format.
pub struct RecordWriter<W: Write> {
    out: W,
    format: ListFormat,
    columns: Vec<String>,
    widths: Vec<usize>,
    written: u64,
}

impl<W: Write> RecordWriter<W> {
    /// A writer; `columns` fixes the CSV/table columns (e.g. from `$select`), otherwise they
    /// come from the first page.
    pub fn new(out: W, format: ListFormat, columns: Vec<String>) -> Self {
        Self {
            out,
            format,
            columns,
            widths: Vec::new(),
            written: 0,
        }
    }

    /// Records written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Writes one page of records.
    pub fn write_page(&mut self, records: &[Value]) -> io::Result<()> {
        if self.columns.is_empty() && self.format != ListFormat::Json {
            self.columns = columns_of(records);
        }
        match self.format {
            ListFormat::Json => self.write_json(records)?,
            ListFormat::Csv => self.write_csv(records)?,
            ListFormat::Table => self.write_table(records)?,
        }
        self.written += records.len() as u64;
        Ok(())
    }

    fn write_json(&mut self, records: &[Value]) -> io::Result<()> {
        for (index, record) in records.iter().enumerate() {
            let separator = if self.written == 0 && index == 0 {
                "[\n  "
            } else {
                ",\n  "
            };
            self.out.write_all(separator.as_bytes())?;
            serde_json::to_writer(&mut self.out, record)?;
        }
        Ok(())
    }

    fn write_csv(&mut self, records: &[Value]) -> io::Result<()> {
        let mut csv = csv::Writer::from_writer(&mut self.out);
        if self.written == 0 {
            csv.write_record(&self.columns)?;
        }
        for record in records {
            csv.write_record(self.columns.iter().map(|c| cell(record.get(c))))?;
        }
        csv.flush()
    }

    fn write_table(&mut self, records: &[Value]) -> io::Result<()> {
        if self.widths.is_empty() {
            self.widths = self
                .columns
                .iter()
                .map(|c| {
                    records
                        .iter()
                        .map(|r| cell(r.get(c)).chars().count())
                        .chain([c.chars().count()])
                        .max()
                        .unwrap_or(0)
                        .min(MAX_TABLE_WIDTH)
                })
                .collect();
            let header: Vec<String> = self.columns.clone();
            self.table_row(&header)?;
            let rule: Vec<String> = self.widths.iter().map(|w| "-".repeat(*w)).collect();
            self.table_row(&rule)?;
        }
        for record in records {
            let row: Vec<String> = self.columns.iter().map(|c| cell(record.get(c))).collect();
            self.table_row(&row)?;
        }
        Ok(())
    }

    fn table_row(&mut self, cells: &[String]) -> io::Result<()> {
        let mut line = String::new();
        for (i, (text, width)) in cells.iter().zip(&self.widths).enumerate() {
            let text = text.replace(['\n', '\r', '\t'], " ");
            let shown: String = if text.chars().count() > *width {
                text.chars()
                    .take(width.saturating_sub(1))
                    .chain(['…'])
                    .collect()
            } else {
                text
            };
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(&format!("{shown:<width$}"));
        }
        writeln!(self.out, "{}", line.trim_end())
    }

    /// Ends the output (closes the JSON array) and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == ListFormat::Json {
            let end: &[u8] = if self.written == 0 { b"[]\n" } else { b"\n]\n" };
            self.out.write_all(end)?;
        } else if self.format == ListFormat::Table && self.written == 0 {
            writeln!(self.out, "(no records)")?;
        } else if self.format == ListFormat::Csv && self.written == 0 && !self.columns.is_empty() {
            let mut csv = csv::Writer::from_writer(&mut self.out);
            csv.write_record(&self.columns)?;
            csv.flush()?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Property names of the records in first-seen order, annotations left out.
fn columns_of(records: &[Value]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for record in records {
        if let Value::Object(map) = record {
            for key in map.keys() {
                if !key.contains('@') && !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
    }
    columns
}

/// A value as cell text: strings bare, numbers exact, null empty, structures as JSON.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(format: ListFormat, pages: &[Vec<Value>], columns: Vec<String>) -> String {
        let mut writer = RecordWriter::new(Vec::new(), format, columns);
        for page in pages {
            writer.write_page(page).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    #[test]
    fn json_array_over_pages_is_valid_json() {
        let exact: Value = serde_json::from_str(r#"{"a": 2.50}"#).unwrap();
        let pages = vec![
            vec![json!({"a": 1})],
            vec![],
            vec![exact.clone(), json!({"a": 3})],
        ];
        let text = render(ListFormat::Json, &pages, vec![]);
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, json!([{"a": 1}, exact, {"a": 3}]));
        assert!(text.contains("2.50"));
        assert_eq!(render(ListFormat::Json, &[], vec![]), "[]\n");
    }

    #[test]
    fn csv_has_header_once_and_skips_annotations() {
        let pages = vec![
            vec![json!({"@odata.etag": "x", "Id": "A,1", "N": 1, "Obj": {"k": null}})],
            vec![json!({"Id": "B", "N": null})],
        ];
        let text = render(ListFormat::Csv, &pages, vec![]);
        assert_eq!(text, "Id,N,Obj\n\"A,1\",1,\"{\"\"k\"\":null}\"\nB,,\n");
    }

    #[test]
    fn table_aligns_columns() {
        let pages = vec![vec![
            json!({"Id": "A", "Name": "Long name"}),
            json!({"Id": "BBB", "Name": "x"}),
        ]];
        let text = render(ListFormat::Table, &pages, vec!["Id".into(), "Name".into()]);
        assert_eq!(text, "Id   Name\n---  ---------\nA    Long name\nBBB  x\n");
    }
}
