//! Importing a package's rows into the demo tables: each row is checked against its entity
//! (field names, types, lengths, required fields, enum values, related records) by the same
//! write path as an OData create or update, the valid rows are applied (created, or updated
//! when the key exists), and the others are kept with their error.

use axum::http::{HeaderMap, Method};
use bytes::Bytes;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use rusqlite::Connection;
use serde_json::{Map, Number, Value, json};

use super::package::DataFile;
use super::tables::RowError;
use crate::demo::events::ChangeEvent;
use crate::demo::handler::{ODataRequest, ServiceContext, handle};
use crate::demo::schema::{COMPANY_FIELD, ENTITIES, EntityDef, FieldDef, FieldType};
use crate::demo::store;
use crate::demo::values::json_to_sql;

/// The demo entity a package names: by entity set, entity type, AOT name (any case).
pub fn entity_named(name: &str) -> Option<&'static EntityDef> {
    ENTITIES.iter().find(|e| {
        [e.set, e.name, e.aot_name]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name.trim()))
    })
}

/// What importing one entity's file did.
#[derive(Debug, Default)]
pub struct EntityResult {
    /// The entity as the package names it.
    pub entity: String,
    /// Rows in the file.
    pub total: u64,
    /// Rows created or updated.
    pub applied: u64,
    /// Rows refused, with their error.
    pub errors: Vec<RowError>,
    /// Change events of the applied rows.
    pub events: Vec<ChangeEvent>,
}

/// The entity of a data file, or the error refusing the whole file.
pub fn entity_of(file: &DataFile) -> Result<&'static EntityDef, String> {
    let entity = entity_named(&file.target)
        .or_else(|| entity_named(&file.entity))
        .ok_or_else(|| {
            format!(
                "The entity '{}' does not exist in the demo instance.",
                file.entity
            )
        })?;
    if entity.read_only {
        return Err(format!(
            "The entity '{}' is read-only and cannot be imported.",
            entity.set
        ));
    }
    if let Some(column) = file
        .header
        .iter()
        .find(|h| entity_field(entity, h).is_none())
    {
        return Err(format!(
            "The column '{column}' of {} is not a field of the entity {}.",
            file.file, entity.set
        ));
    }
    Ok(entity)
}

fn entity_field(entity: &EntityDef, column: &str) -> Option<&'static FieldDef> {
    entity
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(column.trim()))
}

/// The JSON value of a CSV cell for `field`, or why the cell does not fit.
fn cell_json(field: &FieldDef, cell: &str) -> Result<Value, String> {
    match field.ty {
        FieldType::Int32 | FieldType::Int64 => cell
            .trim()
            .parse::<i64>()
            .map(|n| Value::Number(Number::from(n)))
            .map_err(|_| {
                format!(
                    "The value '{cell}' of field '{}' is not a whole number ({}).",
                    field.name,
                    field.ty.edm_name()
                )
            }),
        _ => Ok(Value::String(cell.to_owned())),
    }
}

/// A row's fields as a JSON body (empty cells left out; the company set to `company`).
fn row_body(
    entity: &EntityDef,
    header: &[String],
    cells: &[String],
    company: &str,
) -> Result<Map<String, Value>, String> {
    let mut body = Map::new();
    for (column, cell) in header.iter().zip(cells) {
        let Some(field) = entity_field(entity, column) else {
            continue;
        };
        if cell.is_empty() || field.name == COMPANY_FIELD {
            continue;
        }
        body.insert(field.name.to_owned(), cell_json(field, cell)?);
    }
    if entity.company_scoped {
        body.insert(COMPANY_FIELD.to_owned(), Value::String(company.to_owned()));
    }
    Ok(body)
}

/// The key fields and values of a row, as JSON (for error reports and key files).
fn row_keys(entity: &EntityDef, body: &Map<String, Value>) -> Map<String, Value> {
    entity
        .key_fields()
        .map(|f| {
            (
                f.name.to_owned(),
                body.get(f.name).cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

/// The error text of a failed in-process answer (the Infolog when there is one).
fn answer_message(body: &[u8]) -> String {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let inner = json
        .pointer("/error/innererror/message")
        .and_then(Value::as_str);
    let outer = json.pointer("/error/message").and_then(Value::as_str);
    inner.or(outer).unwrap_or("The row was refused.").to_owned()
}

fn request(method: Method, path: String, body: &Map<String, Value>) -> ODataRequest {
    let mut headers = HeaderMap::new();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    ODataRequest {
        method,
        path_and_query: path,
        headers,
        body: Bytes::from(Value::Object(body.clone()).to_string()),
    }
}

/// Imports one row: created, or updated (its non-key fields) when its key exists.
fn import_row(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    body: &Map<String, Value>,
    conn: &Connection,
) -> Result<Vec<ChangeEvent>, String> {
    let mut key_values = Vec::new();
    let mut predicate = Vec::new();
    for field in entity.key_fields() {
        let Some(value) = body.get(field.name) else {
            return Err(format!(
                "Field '{}' ({}) must be filled in: it is part of the key.",
                field.label, field.name
            ));
        };
        // A key value that does not fit its field cannot exist: the create below refuses
        // it with the write path's own message.
        if let Ok(sql) = json_to_sql(field, value) {
            key_values.push(sql);
        }
        let literal = match value {
            Value::String(text) => format!("'{}'", text.replace('\'', "''")),
            other => other.to_string(),
        };
        predicate.push(format!(
            "{}={}",
            field.name,
            utf8_percent_encode(&literal, NON_ALPHANUMERIC)
        ));
    }
    let all_keys = key_values.len() == entity.key_fields().count();
    let exists = all_keys
        && store::find(conn, entity, &key_values)
            .map_err(|e| format!("The row could not be read: {e}"))?
            .is_some();
    let answer = if exists {
        let changes: Map<String, Value> = body
            .iter()
            .filter(|(name, _)| entity.field(name).is_some_and(|f| !f.key))
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let path = format!("{}({})", entity.set, predicate.join(","));
        let mut req = request(Method::PATCH, path, &changes);
        req.headers
            .insert("If-Match", axum::http::HeaderValue::from_static("*"));
        handle(ctx, &req, conn)
    } else {
        handle(
            ctx,
            &request(Method::POST, entity.set.to_owned(), body),
            conn,
        )
    };
    if answer.status.is_success() {
        Ok(answer.events)
    } else {
        Err(answer_message(&answer.body))
    }
}

/// Imports the rows of `file` into `entity` of `company`, one at a time with `lock` giving
/// the connection for each row (so status polls get in between rows).
pub fn import_file<F>(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    file: &DataFile,
    company: &str,
    mut with_conn: F,
) -> EntityResult
where
    F: FnMut(&mut dyn FnMut(&Connection)),
{
    let ctx = ServiceContext {
        default_company: company.to_owned(),
        ..ctx.clone()
    };
    let mut result = EntityResult {
        entity: file.entity.clone(),
        total: file.rows.len() as u64,
        ..EntityResult::default()
    };
    for (line, cells) in &file.rows {
        let body = match row_body(entity, &file.header, cells, company) {
            Ok(body) => body,
            Err(message) => {
                result.errors.push(RowError {
                    entity: file.entity.clone(),
                    line: *line,
                    keys: json!({}).to_string(),
                    message,
                });
                continue;
            }
        };
        let mut outcome = Err(String::new());
        with_conn(&mut |conn: &Connection| {
            outcome = store::with_savepoint(conn, |conn| {
                import_row(&ctx, entity, &body, conn).map_err(RowFailure)
            })
            .map_err(|RowFailure(m)| m);
        });
        match outcome {
            Ok(events) => {
                result.applied += 1;
                result.events.extend(events);
            }
            Err(message) => result.errors.push(RowError {
                entity: file.entity.clone(),
                line: *line,
                keys: Value::Object(row_keys(entity, &body)).to_string(),
                message,
            }),
        }
    }
    result
}

/// A row's failure inside a savepoint (rolled back).
struct RowFailure(String);

impl From<rusqlite::Error> for RowFailure {
    fn from(e: rusqlite::Error) -> Self {
        Self(format!("The row could not be written: {e}"))
    }
}
