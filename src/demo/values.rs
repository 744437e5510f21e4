//! Conversions between OData JSON values, SQLite values and F&O default values, per field type.

use std::str::FromStr;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rust_decimal::Decimal;
use serde_json::{Number, Value};

use super::schema::{FieldDef, FieldType, enum_by_name};

/// Why a JSON value cannot be stored in a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueProblem {
    /// Wrong JSON type or unparsable text for the EDM type.
    WrongType(String),
    /// A string longer than the field's maximum length.
    TooLong(u32),
    /// An enum member name that does not exist.
    UnknownEnumMember(String),
}

/// Converts a JSON payload value to the SQLite value stored for `field`.
pub fn json_to_sql(field: &FieldDef, value: &Value) -> Result<SqlValue, ValueProblem> {
    let wrong = || ValueProblem::WrongType(field.ty.edm_name());
    match (field.ty, value) {
        (FieldType::String(max), Value::String(text)) => {
            if max > 0 && text.chars().count() > max as usize {
                return Err(ValueProblem::TooLong(max));
            }
            Ok(SqlValue::Text(text.clone()))
        }
        (FieldType::Decimal, Value::Number(n)) => decimal_text(n.as_str())
            .map(SqlValue::Text)
            .ok_or_else(wrong),
        (FieldType::Decimal, Value::String(text)) => {
            decimal_text(text).map(SqlValue::Text).ok_or_else(wrong)
        }
        (FieldType::Int32, Value::Number(n)) => n
            .as_i64()
            .filter(|v| i32::try_from(*v).is_ok())
            .map(SqlValue::Integer)
            .ok_or_else(wrong),
        (FieldType::Int64, Value::Number(n)) => n.as_i64().map(SqlValue::Integer).ok_or_else(wrong),
        (FieldType::Date, Value::String(text)) => {
            date_text(text).map(SqlValue::Text).ok_or_else(wrong)
        }
        (FieldType::DateTimeOffset, Value::String(text)) => {
            datetime_text(text).map(SqlValue::Text).ok_or_else(wrong)
        }
        (FieldType::Guid, Value::String(text)) => {
            guid_text(text).map(SqlValue::Text).ok_or_else(wrong)
        }
        (FieldType::Enum(name), Value::String(member)) => {
            let member = member.rsplit('\'').nth(1).unwrap_or(member);
            enum_by_name(name)
                .and_then(|e| e.value_of(member))
                .map(SqlValue::Integer)
                .ok_or_else(|| ValueProblem::UnknownEnumMember(member.to_owned()))
        }
        _ => Err(wrong()),
    }
}

/// Converts a stored SQLite value to its OData JSON value.
pub fn sql_to_json(field: &FieldDef, value: ValueRef<'_>) -> Value {
    match (field.ty, value) {
        (_, ValueRef::Null) => Value::Null,
        (FieldType::Decimal, ValueRef::Text(bytes)) => std::str::from_utf8(bytes)
            .ok()
            .and_then(|t| Number::from_str(t).ok())
            .map_or(Value::Null, Value::Number),
        (FieldType::Enum(name), ValueRef::Integer(v)) => {
            enum_by_name(name).and_then(|e| e.name_of(v)).map_or_else(
                || Value::String(v.to_string()),
                |m| Value::String(m.to_owned()),
            )
        }
        (_, ValueRef::Integer(v)) => Value::Number(v.into()),
        (_, ValueRef::Real(v)) => Number::from_f64(v).map_or(Value::Null, Value::Number),
        (_, ValueRef::Text(bytes)) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
        (_, ValueRef::Blob(_)) => Value::Null,
    }
}

/// The value F&O stores when a field is not given on create (F&O has no nulls).
pub fn default_value(field: &FieldDef) -> SqlValue {
    match field.ty {
        FieldType::String(_) => SqlValue::Text(String::new()),
        FieldType::Decimal => SqlValue::Text("0".into()),
        FieldType::Int32 | FieldType::Int64 => SqlValue::Integer(0),
        FieldType::Date => SqlValue::Text("1900-01-01".into()),
        FieldType::DateTimeOffset => SqlValue::Text("1900-01-01T00:00:00Z".into()),
        FieldType::Guid => SqlValue::Text("00000000-0000-0000-0000-000000000000".into()),
        FieldType::Enum(name) => SqlValue::Integer(
            enum_by_name(name)
                .and_then(|e| e.members.first())
                .map_or(0, |m| m.1),
        ),
    }
}

/// Whether a stored value counts as "filled in" for a mandatory field.
pub fn is_filled(field: &FieldDef, value: &SqlValue) -> bool {
    match value {
        SqlValue::Null => false,
        SqlValue::Text(text) => !text.trim().is_empty() && *value != default_value(field),
        _ => true,
    }
}

/// Normalises decimal text (`"12.50"` → `"12.5"`); `None` when it is not a decimal.
pub fn decimal_text(text: &str) -> Option<String> {
    let text = text.trim();
    let parsed = Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()?;
    Some(parsed.normalize().to_string())
}

/// Validates an `Edm.Date` text (`YYYY-MM-DD`).
pub fn date_text(text: &str) -> Option<String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// Normalises an `Edm.DateTimeOffset` text to UTC `YYYY-MM-DDTHH:MM:SSZ`.
pub fn datetime_text(text: &str) -> Option<String> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|d| {
        d.with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    })
}

/// Normalises an `Edm.Guid` text to lower-case hyphenated form.
pub fn guid_text(text: &str) -> Option<String> {
    if text.len() != 36 {
        return None;
    }
    uuid::Uuid::parse_str(text)
        .ok()
        .map(|u| u.hyphenated().to_string())
}
