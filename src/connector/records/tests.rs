//! Tests of JSON, CSV and table output.

use serde_json::json;

use super::*;

fn records(text: &str) -> Vec<Value> {
    serde_json::from_str(text).unwrap()
}

fn csv_of(pages: &[Vec<Value>]) -> (String, Vec<String>) {
    let mut buffer = Vec::new();
    let dropped;
    {
        let mut writer = CsvRecordWriter::new(&mut buffer);
        for page in pages {
            writer.write_page(page).unwrap();
        }
        writer.finish().unwrap();
        dropped = writer.dropped_columns().to_vec();
    }
    (String::from_utf8(buffer).unwrap(), dropped)
}

#[test]
fn json_array_streams_pages_and_keeps_exact_numbers() {
    let mut buffer = Vec::new();
    {
        let mut writer = JsonArrayWriter::new(&mut buffer);
        writer
            .write_page(&records(r#"[{"A":12345678901234567890.123456789012}]"#))
            .unwrap();
        writer.write_page(&[]).unwrap();
        writer
            .write_page(&records(r#"[{"A":2},{"A":"x"}]"#))
            .unwrap();
        writer.finish().unwrap();
        assert_eq!(writer.count(), 3);
        assert!(matches!(
            writer.write_page(&[json!(1)]),
            Err(OutputError::Finished)
        ));
    }
    let text = String::from_utf8(buffer).unwrap();
    assert_eq!(
        text,
        "[\n{\"A\":12345678901234567890.123456789012},\n{\"A\":2},\n{\"A\":\"x\"}\n]\n"
    );
    let parsed: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed.len(), 3);
}

#[test]
fn empty_json_is_an_empty_array() {
    assert_eq!(render(RecordFormat::Json, &[]).unwrap(), "[]\n");
}

#[test]
fn csv_header_union_skips_annotations_and_quotes() {
    let page = records(
        r#"[{"@odata.etag":"W/\"1\"","Name":"Contoso, Ltd","Note":"say \"hi\"","Amount":1.10},
            {"Name":"Line\nBreak","Extra":{"a":[1,2]},"Amount":null,"Name@odata.type":"x"}]"#,
    );
    let (text, dropped) = csv_of(&[page]);
    assert_eq!(
        text,
        "Name,Note,Amount,Extra\r\n\"Contoso, Ltd\",\"say \"\"hi\"\"\",1.10,\r\n\"Line\nBreak\",,,\"{\"\"a\"\":[1,2]}\"\r\n"
    );
    assert!(dropped.is_empty());
}

#[test]
fn csv_streams_pages_and_reports_late_columns() {
    let (text, dropped) = csv_of(&[
        records(r#"[{"A":1,"B":"x"}]"#),
        records(r#"[{"B":"y","A":2,"C":true}]"#),
    ]);
    assert_eq!(text, "A,B\r\n1,x\r\n2,y\r\n");
    assert_eq!(dropped, ["C"]);
}

#[test]
fn csv_with_fixed_columns_writes_header_even_without_rows() {
    let mut buffer = Vec::new();
    {
        let mut writer =
            CsvRecordWriter::with_columns(&mut buffer, vec!["Id".into(), "Name".into()]);
        writer.finish().unwrap();
    }
    assert_eq!(String::from_utf8(buffer).unwrap(), "Id,Name\r\n");
    assert_eq!(render(RecordFormat::Csv, &[]).unwrap(), "");
}

#[test]
fn table_is_aligned_and_truncated() {
    let page = records(
        r#"[{"Id":1,"Name":"Short","@odata.etag":"x"},
            {"Id":22,"Name":"A very long customer name that will not fit in the column"}]"#,
    );
    let mut buffer = Vec::new();
    {
        let mut writer = TableWriter::new(&mut buffer, 12);
        writer.write_page(&page[..1]).unwrap();
        writer.write_page(&page[1..]).unwrap();
        writer.finish().unwrap();
    }
    assert_eq!(
        String::from_utf8(buffer).unwrap(),
        "Id  Name\n--  ------------\n1   Short\n22  A very long…\n"
    );
    assert_eq!(render(RecordFormat::Table, &[]).unwrap(), "(no records)\n");
}

#[test]
fn non_object_records_use_a_value_column() {
    let text = render(RecordFormat::Csv, &[json!(1), json!("two")]).unwrap();
    assert_eq!(text, "value\r\n1\r\ntwo\r\n");
}

#[test]
fn cell_text_and_truncation() {
    assert_eq!(cell_text(&json!(null)), "");
    assert_eq!(cell_text(&json!({"a": 1})), r#"{"a":1}"#);
    assert_eq!(truncate_cell("a\tb\nc", 10), "a b c");
    assert_eq!(truncate_cell("ééééé", 3), "éé…");
    assert!(is_annotation("@odata.context"));
    assert!(is_annotation("Name@odata.type"));
    assert!(!is_annotation("Email"));
}
