//! Write validation shared by creates and updates: payload conversion, mandatory fields,
//! related records, number sequences and F&O-style error messages.

use axum::http::StatusCode;
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value};

use crate::demo::error::{ErrorAnswer, WRITE_EXCEPTION};
use crate::demo::query::sql::SqlCondition;
use crate::demo::schema::{
    COMPANY_FIELD, EntityDef, FieldDef, FieldType, entity_by_name, entity_by_set,
};
use crate::demo::store;
use crate::demo::values::{ValueProblem, is_filled, json_to_sql};

/// Parses a JSON object body; a property given twice is refused with its name.
pub fn parse_body(body: &[u8]) -> Result<Map<String, Value>, ErrorAnswer> {
    match crate::demo::strict_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ErrorAnswer::bad_request(
            "The request body must be a JSON object.",
        )),
        Err(err) => Err(ErrorAnswer::bad_request(format!(
            "The request body is not valid JSON: {err}"
        ))),
    }
}

pub(super) fn read_only_error(entity: &EntityDef) -> ErrorAnswer {
    ErrorAnswer::method_not_allowed(format!("The entity set '{}' is read-only.", entity.set))
}

/// Converts one payload property, with F&O-style messages.
pub fn convert_field(
    entity: &EntityDef,
    field: &FieldDef,
    value: &Value,
) -> Result<SqlValue, ErrorAnswer> {
    json_to_sql(field, value).map_err(|problem| match problem {
        ValueProblem::WrongType(edm) => ErrorAnswer::bad_request(format!(
            "Cannot convert the literal '{value}' to the expected type '{edm}' for property '{}'.",
            field.name
        )),
        ValueProblem::TooLong(max) => ErrorAnswer::write_failed(
            entity.aot_name,
            &format!(
                "Warning: The value in field '{}' ({}) is too long: the maximum length is {max} characters.; Error: validateWrite failed on data source '{}'.",
                field.label, field.name, entity.aot_name
            ),
        ),
        ValueProblem::UnknownEnumMember(member) => ErrorAnswer::bad_request(format!(
            "The value '{member}' is not a valid member of enum type '{}' for property '{}'.",
            field.ty.edm_name(),
            field.name
        )),
    })
}

pub(super) fn unknown_property(entity: &EntityDef, name: &str) -> ErrorAnswer {
    if entity.nav(name).is_some() {
        return ErrorAnswer::bad_request(format!(
            "Deep insert or update through the navigation property '{name}' is not supported by the demo service."
        ));
    }
    ErrorAnswer::bad_request(format!(
        "The property '{name}' does not exist on type '{}'. Make sure to only use property names that are defined by the type.",
        entity.qualified_name()
    ))
}

/// The payload properties as `(field index, value)`, annotations skipped.
pub(super) fn payload_values(
    entity: &EntityDef,
    body: &Map<String, Value>,
) -> Result<Vec<(usize, SqlValue)>, ErrorAnswer> {
    let mut values = Vec::new();
    for (name, value) in body {
        if name.starts_with('@') || name.contains("@odata.") {
            continue;
        }
        let index = entity
            .fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| unknown_property(entity, name))?;
        values.push((index, convert_field(entity, &entity.fields[index], value)?));
    }
    Ok(values)
}

pub(super) fn missing_fields_error(entity: &EntityDef, fields: &[&FieldDef]) -> ErrorAnswer {
    let warnings: Vec<String> = fields
        .iter()
        .map(|f| format!("Warning: Field '{}' must be filled in.", f.label))
        .collect();
    ErrorAnswer::write_failed(
        entity.aot_name,
        &format!(
            "{}; Error: validateWrite failed on data source '{}'.",
            warnings.join("; "),
            entity.aot_name
        ),
    )
}

/// Checks required fields and single-valued relations (the related row must exist).
pub(super) fn validate_record(
    entity: &EntityDef,
    values: &[SqlValue],
    conn: &Connection,
) -> Result<(), ErrorAnswer> {
    let missing: Vec<&FieldDef> = entity
        .fields
        .iter()
        .zip(values)
        .filter(|(f, v)| f.required && !is_filled(f, v))
        .map(|(f, _)| f)
        .collect();
    if !missing.is_empty() {
        return Err(missing_fields_error(entity, &missing));
    }
    for nav in entity.navs.iter().filter(|n| !n.collection) {
        let Some(target) = entity_by_name(nav.target) else {
            continue;
        };
        let mut parts = Vec::new();
        let mut named = None;
        for (local, remote) in nav.constraints {
            let Some(index) = entity.fields.iter().position(|f| f.name == *local) else {
                continue;
            };
            if *local != COMPANY_FIELD {
                named = Some(&entity.fields[index]);
            }
            parts.push(SqlCondition::equals(remote, values[index].clone()));
        }
        if store::count(conn, target, &SqlCondition::all(parts))? == 0 {
            let field = named.map_or(nav.name, |f| f.label);
            let value = named
                .and_then(|f| entity.fields.iter().position(|g| g.name == f.name))
                .map(|i| match &values[i] {
                    SqlValue::Text(t) => t.clone(),
                    other => format!("{other:?}"),
                })
                .unwrap_or_default();
            return Err(ErrorAnswer::write_failed(
                entity.aot_name,
                &format!(
                    "Warning: The value '{value}' in field '{field}' is not found in the related table '{}'.; Error: validateWrite failed on data source '{}'.",
                    target.table_label, entity.aot_name
                ),
            ));
        }
    }
    Ok(())
}

pub(super) fn company_exists(conn: &Connection, company: &str) -> Result<bool, ErrorAnswer> {
    let Some(legal) = entity_by_set("LegalEntities") else {
        return Ok(false);
    };
    Ok(store::find(conn, legal, &[SqlValue::Text(company.to_owned())])?.is_some())
}

/// Assigns a number-sequence value to an empty auto-numbered key field.
pub(super) fn auto_number(
    conn: &Connection,
    entity: &EntityDef,
    index: usize,
    values: &[SqlValue],
) -> Result<SqlValue, ErrorAnswer> {
    let field = &entity.fields[index];
    if let FieldType::String(_) = field.ty {
        let next = store::next_sequence(conn, entity.set)?;
        return Ok(SqlValue::Text(format!("{next:06}")));
    }
    // Integer line numbers: one more than the highest within the other key fields.
    let parts: Vec<SqlCondition> = entity
        .fields
        .iter()
        .zip(values)
        .filter(|(f, _)| f.key && f.name != field.name)
        .map(|(f, v)| SqlCondition::equals(f.name, v.clone()))
        .collect();
    let max = store::max_integer(conn, entity, field.name, &SqlCondition::all(parts))?;
    Ok(SqlValue::Integer(max + 1))
}

pub(super) fn duplicate_error(entity: &EntityDef, values: &[SqlValue]) -> ErrorAnswer {
    let keys: Vec<String> = entity
        .fields
        .iter()
        .zip(values)
        .filter(|(f, _)| f.key)
        .map(|(_, v)| match v {
            SqlValue::Text(t) => t.clone(),
            SqlValue::Integer(i) => i.to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    let labels: Vec<&str> = entity.key_fields().map(|f| f.label).collect();
    let text = format!(
        "Write failed for table row of type '{}'. Infolog: Error: Cannot create a record in {}. {}: {}. The record already exists.",
        entity.aot_name,
        entity.table_label,
        labels.join(", "),
        keys.join(", ")
    );
    ErrorAnswer::new(StatusCode::BAD_REQUEST, text, WRITE_EXCEPTION)
}
