//! Executions in the background: an import or export is recorded as `Executing`, answered
//! with its id at once, and carried out on a blocking task that takes the database for one
//! row at a time, so status polls see it running; it ends `Succeeded`, `PartiallySucceeded`
//! or `Failed` with its errors.

use rusqlite::Connection;
use serde_json::{Value, json};

use super::export::{entity_rows, project_entities};
use super::import::{entity_of, import_file};
use super::package;
use super::tables::{self, Execution, RowError};
use crate::demo::events;
use crate::demo::server::DemoState;

/// Runs `work` with the locked connection.
fn with_db<T>(state: &DemoState, work: impl FnOnce(&Connection) -> T) -> T {
    let conn = state
        .db
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    work(&conn)
}

/// Starts importing `package_blob` (already stored) as execution `execution`; when the
/// execution belongs to a recurring message, the message's status follows it.
pub fn start_import(state: &DemoState, execution: Execution, message: Option<String>) {
    let state = state.clone();
    drop(tokio::task::spawn_blocking(move || {
        let (status, summary) = import(&state, &execution);
        with_db(&state, |conn| {
            if let Err(e) = tables::finish_execution(conn, &execution.id, status, None, &summary) {
                tracing::warn!(
                    "demo: execution {} could not be finished: {e}",
                    execution.id
                );
            }
            if let Some(message) = &message {
                let state = if status == "Succeeded" {
                    "Processed"
                } else {
                    "ProcessedWithErrors"
                };
                let _ = conn.execute(
                    "UPDATE _ri_messages SET status = ?2 WHERE id = ?1",
                    [message.as_str(), state],
                );
            }
        });
    }));
}

fn import(state: &DemoState, execution: &Execution) -> (&'static str, String) {
    let bytes = with_db(state, |conn| {
        execution
            .package_blob
            .as_deref()
            .and_then(|id| tables::blob(conn, id).ok().flatten())
            .and_then(|b| b.content)
    });
    let fail = |message: String| {
        let error = RowError {
            entity: String::new(),
            line: 0,
            keys: "{}".into(),
            message,
        };
        with_db(state, |conn| {
            tables::insert_errors(conn, &execution.id, &[error]).ok()
        });
        ("Failed", "[]".to_owned())
    };
    let Some(bytes) = bytes else {
        return fail("The package was not uploaded to the blob before the import.".into());
    };
    let files = match package::read(&bytes) {
        Ok(files) => files,
        Err(message) => return fail(message),
    };
    let (mut applied, mut failed) = (0u64, 0u64);
    let mut summary = Vec::new();
    let mut entities = Vec::new();
    for file in &files {
        let entity = match entity_of(file) {
            Ok(entity) => entity,
            Err(message) => {
                failed += file.rows.len().max(1) as u64;
                let error = RowError {
                    entity: file.entity.clone(),
                    line: 1,
                    keys: "{}".into(),
                    message,
                };
                with_db(state, |conn| {
                    tables::insert_errors(conn, &execution.id, &[error]).ok()
                });
                continue;
            }
        };
        entities.push(entity.set);
        let result = import_file(&state.ctx, entity, file, &execution.company, |work| {
            with_db(state, |conn| work(conn));
        });
        applied += result.applied;
        failed += result.errors.len() as u64;
        with_db(state, |conn| {
            tables::insert_errors(conn, &execution.id, &result.errors).ok()
        });
        events::publish(&state.events, result.events);
        summary.push(json!({
            "EntityName": result.entity,
            "TotalRecords": result.total,
            "SucceededRecords": result.applied,
            "ErrorRecords": result.errors.len(),
        }));
    }
    if !entities.is_empty() {
        with_db(state, |conn| {
            tables::save_project(conn, &execution.project, &entities.join(",")).ok()
        });
    }
    let status = match (applied, failed) {
        (_, 0) => "Succeeded",
        (0, _) => "Failed",
        _ => "PartiallySucceeded",
    };
    (status, Value::Array(summary).to_string())
}

/// Starts exporting data project `execution.project` of `execution.company`.
pub fn start_export(state: &DemoState, execution: Execution, package_name: String) {
    let state = state.clone();
    drop(tokio::task::spawn_blocking(move || {
        let outcome = with_db(&state, |conn| export(conn, &execution, &package_name));
        with_db(&state, |conn| {
            let result = match outcome {
                Ok((blob, summary)) => tables::finish_execution(
                    conn,
                    &execution.id,
                    "Succeeded",
                    Some(&blob),
                    &summary,
                ),
                Err(message) => {
                    let error = RowError {
                        entity: String::new(),
                        line: 0,
                        keys: "{}".into(),
                        message,
                    };
                    tables::insert_errors(conn, &execution.id, &[error]).and_then(|()| {
                        tables::finish_execution(conn, &execution.id, "Failed", None, "[]")
                    })
                }
            };
            if let Err(e) = result {
                tracing::warn!(
                    "demo: execution {} could not be finished: {e}",
                    execution.id
                );
            }
        });
    }));
}

/// Exports synchronously: the package blob's id and the summary.
pub fn export(
    conn: &Connection,
    execution: &Execution,
    package_name: &str,
) -> Result<(String, String), String> {
    let entities = project_entities(conn, &execution.project)?;
    let mut files = Vec::new();
    let mut summary = Vec::new();
    for entity in entities {
        let (header, rows) = entity_rows(conn, entity, &execution.company)
            .map_err(|e| format!("{}: {e}", entity.set))?;
        summary.push(json!({
            "EntityName": entity.set,
            "TotalRecords": rows.len(),
            "SucceededRecords": rows.len(),
            "ErrorRecords": 0,
        }));
        files.push((entity.set.to_owned(), header, rows));
    }
    let bytes = package::write(&execution.project, &files)?;
    let name = if package_name.trim().is_empty() {
        format!("{}.zip", execution.project)
    } else {
        package_name.to_owned()
    };
    let blob = tables::new_blob(conn, &name, Some(&bytes)).map_err(|e| e.to_string())?;
    Ok((blob.id, Value::Array(summary).to_string()))
}
