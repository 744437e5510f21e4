//! The error keys file of an import: a CSV of the key fields of the rows one entity refused,
//! generated on request (`GenerateImportTargetErrorKeysFile`) and then found by its URL
//! (`GetImportTargetErrorKeysFileUrl`).

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::blob_url;
use super::import::entity_named;
use super::package::write_csv;
use super::tables::{self, Execution};
use crate::demo::error::ErrorAnswer;

fn internal(e: rusqlite::Error) -> ErrorAnswer {
    ErrorAnswer::internal(e.to_string())
}

fn same_entity(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || matches!((entity_named(a), entity_named(b)), (Some(x), Some(y)) if x.set == y.set)
}

/// Generates the error keys file of `entity` in `execution`; whether there were errors.
pub fn generate(
    conn: &Connection,
    execution: &Execution,
    entity: &str,
) -> Result<bool, ErrorAnswer> {
    let errors: Vec<Map<String, Value>> = tables::errors(conn, &execution.id)
        .map_err(internal)?
        .into_iter()
        .filter(|e| same_entity(&e.entity, entity))
        .filter_map(|e| match serde_json::from_str(&e.keys) {
            Ok(Value::Object(keys)) if !keys.is_empty() => Some(keys),
            _ => None,
        })
        .collect();
    if errors.is_empty() {
        return Ok(false);
    }
    let header: Vec<String> = errors[0].keys().cloned().collect();
    let rows: Vec<Vec<String>> = errors
        .iter()
        .map(|keys| {
            header
                .iter()
                .map(|h| match keys.get(h) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                })
                .collect()
        })
        .collect();
    let name = format!("{}-{entity}-ErrorKeys.csv", execution.id);
    let blob = tables::new_blob(conn, &name, Some(&write_csv(&header, &rows))).map_err(internal)?;
    conn.execute(
        "INSERT OR REPLACE INTO _dmf_error_files (execution_id, entity, blob_id) VALUES (?1, ?2, ?3)",
        params![execution.id, entity, blob.id],
    )
    .map_err(internal)?;
    Ok(true)
}

/// The URL of the generated error keys file, or empty when none was generated.
pub fn url(
    conn: &Connection,
    origin: &str,
    execution: &Execution,
    entity: &str,
) -> Result<String, ErrorAnswer> {
    let blob_id: Option<String> = conn
        .query_row(
            "SELECT blob_id FROM _dmf_error_files WHERE execution_id = ?1 AND entity = ?2",
            params![execution.id, entity],
            |r| r.get(0),
        )
        .optional()
        .map_err(internal)?;
    Ok(match blob_id {
        Some(id) => tables::blob(conn, &id)
            .map_err(internal)?
            .map(|b| blob_url(origin, &b))
            .unwrap_or_default(),
        None => String::new(),
    })
}
