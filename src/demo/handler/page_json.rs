//! A page of records written straight from SQLite rows to JSON bytes — no records, maps or
//! JSON values in between — with exactly the text the value-based path writes
//! (`@odata.etag` first, then the fields in entity order).

use std::io::Write;
use std::str::FromStr;

use rusqlite::types::ValueRef;
use serde_json::Number;

use crate::demo::schema::{EntityDef, FieldDef, FieldType, enum_by_name};

/// Appends one record, `row` holding the entity's columns then the row version.
pub fn write_record(
    out: &mut Vec<u8>,
    entity: &EntityDef,
    row: &rusqlite::Row<'_>,
    select: Option<&[String]>,
) -> rusqlite::Result<()> {
    let width = entity.fields.len();
    let version: i64 = row.get(width)?;
    let _ = write!(out, "{{\"@odata.etag\":\"W/\\\"{version}\\\"\"");
    for (index, field) in entity.fields.iter().enumerate() {
        if select.is_some_and(|s| !s.iter().any(|n| n == field.name)) {
            continue;
        }
        out.push(b',');
        write_string(out, field.name);
        out.push(b':');
        write_value(out, field, row.get_ref(index)?);
    }
    out.push(b'}');
    Ok(())
}

/// A JSON string, escaped as serde_json escapes it.
pub fn write_string(out: &mut Vec<u8>, text: &str) {
    let _ = serde_json::to_writer(&mut *out, text);
}

/// A stored value as its OData JSON (the text of `values::sql_to_json`).
fn write_value(out: &mut Vec<u8>, field: &FieldDef, value: ValueRef<'_>) {
    match (field.ty, value) {
        (_, ValueRef::Null | ValueRef::Blob(_)) => out.extend_from_slice(b"null"),
        (FieldType::Decimal, ValueRef::Text(bytes)) => {
            match std::str::from_utf8(bytes).ok().map(Number::from_str) {
                Some(Ok(number)) => {
                    let _ = serde_json::to_writer(&mut *out, &number);
                }
                _ => out.extend_from_slice(b"null"),
            }
        }
        (FieldType::Enum(name), ValueRef::Integer(v)) => {
            match enum_by_name(name).and_then(|e| e.name_of(v)) {
                Some(member) => write_string(out, member),
                None => write_string(out, &v.to_string()),
            }
        }
        (_, ValueRef::Integer(v)) => {
            let _ = write!(out, "{v}");
        }
        (_, ValueRef::Real(v)) => match Number::from_f64(v) {
            Some(number) => {
                let _ = serde_json::to_writer(&mut *out, &number);
            }
            None => out.extend_from_slice(b"null"),
        },
        (_, ValueRef::Text(bytes)) => write_string(out, &String::from_utf8_lossy(bytes)),
    }
}
