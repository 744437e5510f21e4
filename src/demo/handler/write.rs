//! Writes: create (POST), update (PATCH/PUT) and delete, with F&O-style validation, ETag
//! concurrency checks and change events.

use axum::http::{HeaderMap, StatusCode, header};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value};

use super::read::{entity_json, find_scoped};
use super::{ODataResponse, ServiceContext};
use crate::demo::error::{ODataError, WRITE_EXCEPTION};
use crate::demo::events::ChangeKind;
use crate::demo::path::key_predicate;
use crate::demo::query::sql::SqlCondition;
use crate::demo::schema::{
    COMPANY_FIELD, EntityDef, FieldDef, FieldType, entity_by_name, entity_by_set,
};
use crate::demo::store::{self, Record};
use crate::demo::values::{ValueProblem, default_value, is_filled, json_to_sql};

const URL_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?');

/// Parses a JSON object body.
pub fn parse_body(body: &[u8]) -> Result<Map<String, Value>, ODataError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ODataError::bad_request(
            "The request body must be a JSON object.",
        )),
        Err(err) => Err(ODataError::bad_request(format!(
            "The request body is not valid JSON: {err}"
        ))),
    }
}

fn read_only_error(entity: &EntityDef) -> ODataError {
    ODataError::method_not_allowed(format!("The entity set '{}' is read-only.", entity.set))
}

/// Converts one payload property, with F&O-style messages.
pub fn convert_field(
    entity: &EntityDef,
    field: &FieldDef,
    value: &Value,
) -> Result<SqlValue, ODataError> {
    json_to_sql(field, value).map_err(|problem| match problem {
        ValueProblem::WrongType(edm) => ODataError::bad_request(format!(
            "Cannot convert the literal '{value}' to the expected type '{edm}' for property '{}'.",
            field.name
        )),
        ValueProblem::TooLong(max) => ODataError::write_failed(
            entity.aot_name,
            &format!(
                "Warning: The value in field '{}' ({}) is too long: the maximum length is {max} characters.; Error: validateWrite failed on data source '{}'.",
                field.label, field.name, entity.aot_name
            ),
        ),
        ValueProblem::UnknownEnumMember(member) => ODataError::bad_request(format!(
            "The value '{member}' is not a valid member of enum type '{}' for property '{}'.",
            field.ty.edm_name(),
            field.name
        )),
    })
}

fn unknown_property(entity: &EntityDef, name: &str) -> ODataError {
    if entity.nav(name).is_some() {
        return ODataError::bad_request(format!(
            "Deep insert or update through the navigation property '{name}' is not supported by the demo service."
        ));
    }
    ODataError::bad_request(format!(
        "The property '{name}' does not exist on type '{}'. Make sure to only use property names that are defined by the type.",
        entity.qualified_name()
    ))
}

/// The payload properties as `(field index, value)`, annotations skipped.
fn payload_values(
    entity: &EntityDef,
    body: &Map<String, Value>,
) -> Result<Vec<(usize, SqlValue)>, ODataError> {
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

fn missing_fields_error(entity: &EntityDef, fields: &[&FieldDef]) -> ODataError {
    let warnings: Vec<String> = fields
        .iter()
        .map(|f| format!("Warning: Field '{}' must be filled in.", f.label))
        .collect();
    ODataError::write_failed(
        entity.aot_name,
        &format!(
            "{}; Error: validateWrite failed on data source '{}'.",
            warnings.join("; "),
            entity.aot_name
        ),
    )
}

/// Checks required fields and single-valued relations (the related row must exist).
fn validate_record(
    entity: &EntityDef,
    values: &[SqlValue],
    conn: &Connection,
) -> Result<(), ODataError> {
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
            return Err(ODataError::write_failed(
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

fn company_exists(conn: &Connection, company: &str) -> Result<bool, ODataError> {
    let Some(legal) = entity_by_set("LegalEntities") else {
        return Ok(false);
    };
    Ok(store::find(conn, legal, &[SqlValue::Text(company.to_owned())])?.is_some())
}

/// Assigns a number-sequence value to an empty auto-numbered key field.
fn auto_number(
    conn: &Connection,
    entity: &EntityDef,
    index: usize,
    values: &[SqlValue],
) -> Result<SqlValue, ODataError> {
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

fn duplicate_error(entity: &EntityDef, values: &[SqlValue]) -> ODataError {
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
    ODataError::new(StatusCode::BAD_REQUEST, text, WRITE_EXCEPTION)
}

fn location(ctx: &ServiceContext, entity: &EntityDef, record: &Record) -> String {
    let predicate = key_predicate(entity, &record.key_values(entity));
    format!(
        "{}{}{}",
        ctx.service_root,
        entity.set,
        utf8_percent_encode(&predicate, URL_UNSAFE)
    )
}

fn prefers_minimal(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|p| p.trim() == "return=minimal"))
}

/// `POST /data/Set`.
pub fn create(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    headers: &HeaderMap,
    body: &[u8],
    conn: &Connection,
) -> Result<ODataResponse, ODataError> {
    if entity.read_only {
        return Err(read_only_error(entity));
    }
    let body = parse_body(body)?;
    let given = payload_values(entity, &body)?;
    let mut values: Vec<Option<SqlValue>> = vec![None; entity.fields.len()];
    for (index, value) in given {
        let field = &entity.fields[index];
        if !field.allow_edit_on_create {
            return Err(ODataError::write_failed(
                entity.aot_name,
                &format!(
                    "Warning: Field '{}' ({}) cannot be set on create.",
                    field.label, field.name
                ),
            ));
        }
        values[index] = Some(value);
    }
    let record = store::with_savepoint(conn, |conn| -> Result<Record, ODataError> {
        if entity.company_scoped {
            let index = entity
                .fields
                .iter()
                .position(|f| f.name == COMPANY_FIELD)
                .unwrap_or(0);
            let company = match &values[index] {
                Some(SqlValue::Text(c)) if !c.is_empty() => c.to_lowercase(),
                _ => ctx.default_company.clone(),
            };
            if !company_exists(conn, &company)? {
                return Err(ODataError::write_failed(
                    entity.aot_name,
                    &format!("Error: Company '{company}' does not exist."),
                ));
            }
            values[index] = Some(SqlValue::Text(company));
        }
        let mut complete: Vec<SqlValue> = values
            .iter()
            .zip(entity.fields)
            .map(|(v, f)| v.clone().unwrap_or_else(|| default_value(f)))
            .collect();
        for (index, field) in entity.fields.iter().enumerate() {
            if field.auto_number && values[index].is_none() {
                complete[index] = auto_number(conn, entity, index, &complete)?;
            }
            if field.ty == FieldType::DateTimeOffset && !field.allow_edit_on_create {
                complete[index] =
                    SqlValue::Text(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
            }
        }
        validate_record(entity, &complete, conn)?;
        let key: Vec<SqlValue> = entity
            .fields
            .iter()
            .zip(&complete)
            .filter(|(f, _)| f.key)
            .map(|(_, v)| v.clone())
            .collect();
        if store::find(conn, entity, &key)?.is_some() {
            return Err(duplicate_error(entity, &complete));
        }
        Ok(store::insert(conn, entity, complete)?)
    })?;
    let event = record.change_event(entity, ChangeKind::Created);
    let location = location(ctx, entity, &record);
    let response = if prefers_minimal(headers) {
        ODataResponse::no_content().with_header(
            header::HeaderName::from_static("preference-applied"),
            "return=minimal",
        )
    } else {
        let mut value = entity_json(entity, &record, None, &[], conn)?;
        if let Value::Object(map) = &mut value {
            let mut with_context = Map::new();
            with_context.insert(
                "@odata.context".into(),
                Value::String(format!(
                    "{}$metadata#{}/$entity",
                    ctx.service_root, entity.set
                )),
            );
            with_context.extend(std::mem::take(map));
            *map = with_context;
        }
        ODataResponse::json(StatusCode::CREATED, &value)
    };
    Ok(response
        .with_header(header::LOCATION, &location)
        .with_header(header::ETAG, &record.etag())
        .with_events(vec![event]))
}

/// Checks `If-Match` against the current row version (`*` matches any).
pub fn check_if_match(
    headers: &HeaderMap,
    record: &Record,
    entity: &EntityDef,
) -> Result<(), ODataError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or_default();
    let etag = record.etag();
    let matches = text.split(',').map(str::trim).any(|t| {
        t == "*" || t == etag || t.trim_start_matches("W/") == etag.trim_start_matches("W/")
    });
    if matches {
        Ok(())
    } else {
        Err(ODataError::new(
            StatusCode::PRECONDITION_FAILED,
            format!(
                "The record in '{}' has been changed by another user since it was read (ETag mismatch: expected {etag}).",
                entity.set
            ),
            "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataConcurrencyException",
        ))
    }
}

/// `PATCH /data/Set(keys)` (PUT is treated the same way: given fields are replaced).
pub fn update(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    key: &[SqlValue],
    headers: &HeaderMap,
    body: &[u8],
    conn: &Connection,
) -> Result<ODataResponse, ODataError> {
    if entity.read_only {
        return Err(read_only_error(entity));
    }
    let body = parse_body(body)?;
    let given = payload_values(entity, &body)?;
    let record = store::with_savepoint(conn, |conn| -> Result<Record, ODataError> {
        let existing = find_scoped(ctx, entity, key, false, conn)?;
        check_if_match(headers, &existing, entity)?;
        let mut changes = Vec::new();
        for (index, value) in given {
            let field = &entity.fields[index];
            let unchanged = existing.values.get(index) == Some(&value)
                || (field.key
                    && matches!((&existing.values[index], &value), (SqlValue::Text(a), SqlValue::Text(b)) if a.eq_ignore_ascii_case(b)));
            if unchanged {
                continue;
            }
            if !field.allow_edit {
                return Err(ODataError::write_failed(
                    entity.aot_name,
                    &format!(
                        "Warning: Field '{}' ({}) is not allowed to be edited.",
                        field.label, field.name
                    ),
                ));
            }
            changes.push((index, value));
        }
        let mut merged = existing.values.clone();
        for (index, value) in &changes {
            merged[*index] = value.clone();
        }
        validate_record(entity, &merged, conn)?;
        store::update(conn, entity, key, &changes)?.ok_or_else(|| {
            ODataError::not_found(format!(
                "Resource not found for the segment '{}'.",
                entity.set
            ))
        })
    })?;
    let event = record.change_event(entity, ChangeKind::Updated);
    Ok(ODataResponse::no_content()
        .with_header(header::ETAG, &record.etag())
        .with_events(vec![event]))
}

/// `DELETE /data/Set(keys)`.
pub fn delete(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    key: &[SqlValue],
    headers: &HeaderMap,
    conn: &Connection,
) -> Result<ODataResponse, ODataError> {
    if entity.read_only {
        return Err(read_only_error(entity));
    }
    let record = store::with_savepoint(conn, |conn| -> Result<Record, ODataError> {
        let existing = find_scoped(ctx, entity, key, false, conn)?;
        check_if_match(headers, &existing, entity)?;
        store::delete(conn, entity, key)?;
        Ok(existing)
    })?;
    let event = record.change_event(entity, ChangeKind::Deleted);
    Ok(ODataResponse::no_content().with_events(vec![event]))
}
