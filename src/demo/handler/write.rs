//! Writes: create (POST), update (PATCH/PUT) and delete, with F&O-style validation, ETag
//! concurrency checks and change events.

use axum::http::{HeaderMap, StatusCode, header};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value};

use super::read::{entity_json, find_scoped, nav_condition};
use super::validate::{
    auto_number, company_exists, duplicate_error, parse_body, payload_values, read_only_error,
    validate_record,
};
use super::{ODataResponse, ServiceContext};
use crate::demo::error::ErrorAnswer;
use crate::demo::events::{ChangeEvent, ChangeKind};
use crate::demo::path::key_predicate;
use crate::demo::schema::{COMPANY_FIELD, EntityDef, FieldType, entity_by_name};
use crate::demo::store::{self, Record};
use crate::demo::values::default_value;

const URL_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?');

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
) -> Result<ODataResponse, ErrorAnswer> {
    if entity.read_only {
        return Err(read_only_error(entity));
    }
    let body = parse_body(body)?;
    let given = payload_values(entity, &body)?;
    let mut values: Vec<Option<SqlValue>> = vec![None; entity.fields.len()];
    for (index, value) in given {
        let field = &entity.fields[index];
        if !field.allow_edit_on_create {
            return Err(ErrorAnswer::write_failed(
                entity.aot_name,
                &format!(
                    "Warning: Field '{}' ({}) cannot be set on create.",
                    field.label, field.name
                ),
            ));
        }
        values[index] = Some(value);
    }
    let record = store::with_savepoint(conn, |conn| -> Result<Record, ErrorAnswer> {
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
                return Err(ErrorAnswer::write_failed(
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
        // The table's primary key refuses a taken key: one statement instead of a look-up
        // before every insert.
        let kept = complete.clone();
        match store::insert(conn, entity, complete) {
            Err(error) if store::is_duplicate_key(&error) => Err(duplicate_error(entity, &kept)),
            other => Ok(other?),
        }
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
        .with_header(header::HeaderName::from_static("odata-entityid"), &location)
        .with_header(header::ETAG, &record.etag())
        .with_events(vec![event]))
}

/// Checks `If-Match` against the current row version (`*` matches any).
pub fn check_if_match(
    headers: &HeaderMap,
    record: &Record,
    entity: &EntityDef,
) -> Result<(), ErrorAnswer> {
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
        Err(ErrorAnswer::new(
            StatusCode::PRECONDITION_FAILED,
            format!(
                "The record in '{}' has been changed by another user since it was read (ETag mismatch: expected {etag}).",
                entity.set
            ),
            "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataConcurrencyException",
        ))
    }
}

/// `PATCH /data/Set(keys)` (PUT is treated the same way: given fields are replaced). Another
/// company's record is only reachable with `cross-company=true`.
pub fn update(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    key: &[SqlValue],
    (headers, body): (&HeaderMap, &[u8]),
    cross_company: bool,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    if entity.read_only {
        return Err(read_only_error(entity));
    }
    let body = parse_body(body)?;
    let given = payload_values(entity, &body)?;
    let record = store::with_savepoint(conn, |conn| -> Result<Record, ErrorAnswer> {
        let existing = find_scoped(ctx, entity, key, cross_company, conn)?;
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
                return Err(ErrorAnswer::write_failed(
                    entity.aot_name,
                    &format!(
                        "Warning: Field '{}' ({}) is not allowed to be edited.",
                        field.label, field.name
                    ),
                ));
            }
            changes.push((index, value));
        }
        if !changes.is_empty() {
            stamp_modified(entity, &mut changes);
        }
        let mut merged = existing.values.clone();
        for (index, value) in &changes {
            merged[*index] = value.clone();
        }
        validate_record(entity, &merged, conn)?;
        store::update(conn, entity, key, &changes)?.ok_or_else(|| {
            ErrorAnswer::not_found(format!(
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

/// Sets the entity's `ModifiedDateTime` (when it has one) to now, as F&O does on every
/// change.
fn stamp_modified(entity: &EntityDef, changes: &mut Vec<(usize, SqlValue)>) {
    if let Some(index) = entity
        .fields
        .iter()
        .position(|f| f.name == MODIFIED_FIELD && f.ty == FieldType::DateTimeOffset)
    {
        let now = SqlValue::Text(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
        changes.retain(|(i, _)| *i != index);
        changes.push((index, now));
    }
}

/// The field F&O stamps on every change.
const MODIFIED_FIELD: &str = "ModifiedDateTime";

/// `DELETE /data/Set(keys)`; an order header takes its lines with it, as in F&O.
pub fn delete(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    key: &[SqlValue],
    headers: &HeaderMap,
    cross_company: bool,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    if entity.read_only {
        return Err(read_only_error(entity));
    }
    let events = store::with_savepoint(conn, |conn| -> Result<Vec<ChangeEvent>, ErrorAnswer> {
        let existing = find_scoped(ctx, entity, key, cross_company, conn)?;
        check_if_match(headers, &existing, entity)?;
        let mut events = Vec::new();
        for nav in entity.navs.iter().filter(|n| n.cascade_delete) {
            let Some(target) = entity_by_name(nav.target) else {
                continue;
            };
            let condition = nav_condition(entity, &existing, nav);
            for child in store::select(conn, target, &condition, &[], None, 0)? {
                store::delete(conn, target, &child.key_values(target))?;
                events.push(child.change_event(target, ChangeKind::Deleted));
            }
        }
        store::delete(conn, entity, key)?;
        events.insert(0, existing.change_event(entity, ChangeKind::Deleted));
        Ok(events)
    })?;
    Ok(ODataResponse::no_content().with_events(events))
}
