//! Recurring integrations: `POST /api/connector/enqueue/{activityId}?entity=…&company=…`
//! (a file or package for an import job), `GET /api/connector/dequeue/{activityId}` (the next
//! package of an export job), `POST /api/connector/ack/{activityId}` (the dequeue answer back)
//! and `GET /api/connector/jobstatus/{activityId}?jobId=…`. The queues live in the demo
//! database, so they survive a restart.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::run::{export, start_import};
use super::tables::{self, Execution};
use super::{blob_url, package};
use crate::demo::db::company_exists;
use crate::demo::error::ErrorAnswer;
use crate::demo::handler::ODataResponse;
use crate::demo::server::{DemoState, to_http};

/// How long a dequeued message stays hidden before it can be dequeued again without an ack.
const VISIBILITY_MINUTES: i64 = 30;

fn internal(e: rusqlite::Error) -> ErrorAnswer {
    ErrorAnswer::internal(e.to_string())
}

fn trim_id(id: &str) -> String {
    id.trim().trim_matches(|c| c == '{' || c == '}').to_owned()
}

/// The direction and project of the recurring job `activity`.
fn job(conn: &Connection, activity: &str) -> Result<(String, String), ErrorAnswer> {
    conn.query_row(
        "SELECT direction, project FROM _ri_jobs WHERE activity_id = ?1",
        [trim_id(activity)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .map_err(internal)?
    .ok_or_else(|| {
        ErrorAnswer::not_found(format!(
            "No recurring data job has the activity ID '{activity}'."
        ))
    })
}

fn expect_direction(actual: &str, wanted: &str, activity: &str) -> Result<(), ErrorAnswer> {
    if actual == wanted {
        Ok(())
    } else {
        Err(ErrorAnswer::bad_request(format!(
            "The recurring data job '{activity}' is an {} job; this call needs an {} job.",
            actual.to_lowercase(),
            wanted.to_lowercase()
        )))
    }
}

fn next_seq(conn: &Connection, activity: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM _ri_messages WHERE activity_id = ?1",
        [activity],
        |r| r.get(0),
    )
}

fn answer(result: Result<ODataResponse, ErrorAnswer>) -> Response {
    to_http(result.unwrap_or_else(|e| ODataResponse::error(&e)))
}

/// `POST /api/connector/enqueue/{activityId}`: the body is a data package (zip) or a data
/// file of `entity`; answers the message id as a JSON string.
pub async fn enqueue(
    State(state): State<DemoState>,
    Path(activity): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let default_company = state.ctx.default_company.clone();
    let result = state
        .with_connection(move |_, conn| -> Result<(String, Execution), ErrorAnswer> {
            let (direction, project) = job(conn, &activity)?;
            expect_direction(&direction, "Import", &activity)?;
            let company = query
                .get("company")
                .map_or(default_company, |c| c.to_lowercase());
            if !company_exists(conn, &company).map_err(|e| ErrorAnswer::internal(e.to_string()))? {
                return Err(ErrorAnswer::bad_request(format!(
                    "The company '{company}' does not exist."
                )));
            }
            let bytes = if body.starts_with(b"PK\x03\x04") {
                body.to_vec()
            } else {
                let entity = query.get("entity").filter(|e| !e.trim().is_empty()).ok_or_else(|| {
                    ErrorAnswer::bad_request(
                        "A data file (not a package) needs the entity it holds: add ?entity=NAME.",
                    )
                })?;
                let (header, rows) = package::read_csv(&body).map_err(ErrorAnswer::bad_request)?;
                let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, r)| r).collect();
                package::write(entity, &[(entity.clone(), header, rows)]).map_err(ErrorAnswer::internal)?
            };
            let activity = trim_id(&activity);
            let id = tables::new_id();
            let blob = tables::new_blob(conn, &format!("{id}.zip"), Some(&bytes)).map_err(internal)?;
            let execution = Execution {
                id: id.clone(),
                project,
                operation: "Import".into(),
                company,
                status: "Executing".into(),
                package_blob: Some(blob.id.clone()),
                summary: "[]".into(),
            };
            tables::insert_execution(conn, &execution).map_err(internal)?;
            conn.execute(
                "INSERT INTO _ri_messages (id, activity_id, seq, status, blob_id, execution_id, created) VALUES (?1, ?2, ?3, 'Processing', ?4, ?1, ?5)",
                params![id, activity, next_seq(conn, &activity).map_err(internal)?, blob.id, tables::now()],
            )
            .map_err(internal)?;
            Ok((id, execution))
        })
        .await;
    match result {
        Ok(Ok((id, execution))) => {
            start_import(&state, execution, Some(id.clone()));
            answer(Ok(ODataResponse::json(StatusCode::OK, &Value::String(id))))
        }
        Ok(Err(e)) | Err(e) => answer(Err(e)),
    }
}

/// `GET /api/connector/dequeue/{activityId}`: the oldest package not acknowledged (a new
/// export when none waits), hidden for 30 minutes unless acknowledged.
pub async fn dequeue(State(state): State<DemoState>, Path(activity): Path<String>) -> Response {
    let origin = state.origin();
    let default_company = state.ctx.default_company.clone();
    let result = state
        .with_connection(move |_, conn| -> Result<ODataResponse, ErrorAnswer> {
            let (direction, project) = job(conn, &activity)?;
            expect_direction(&direction, "Export", &activity)?;
            let activity = trim_id(&activity);
            let hidden_since = (chrono::Utc::now() - chrono::Duration::minutes(VISIBILITY_MINUTES))
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            let waiting: Option<(String, String)> = conn
                .query_row(
                    "SELECT id, blob_id FROM _ri_messages WHERE activity_id = ?1 AND (status = 'Enqueued' OR (status = 'Dequeued' AND dequeued_at < ?2)) ORDER BY seq LIMIT 1",
                    params![activity, hidden_since],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(internal)?;
            let (id, blob_id) = match waiting {
                Some(found) => found,
                None => {
                    let id = tables::new_id();
                    let execution = Execution {
                        id: id.clone(),
                        project,
                        operation: "Export".into(),
                        company: default_company,
                        status: "Executing".into(),
                        package_blob: None,
                        summary: "[]".into(),
                    };
                    tables::insert_execution(conn, &execution).map_err(internal)?;
                    let (blob_id, summary) = export(conn, &execution, &format!("{id}.zip")).map_err(ErrorAnswer::internal)?;
                    tables::finish_execution(conn, &id, "Succeeded", Some(&blob_id), &summary).map_err(internal)?;
                    conn.execute(
                        "INSERT INTO _ri_messages (id, activity_id, seq, status, blob_id, execution_id, created) VALUES (?1, ?2, ?3, 'Enqueued', ?4, ?1, ?5)",
                        params![id, activity, next_seq(conn, &activity).map_err(internal)?, blob_id, tables::now()],
                    )
                    .map_err(internal)?;
                    (id, blob_id)
                }
            };
            let receipt = tables::new_id();
            let now = tables::now();
            conn.execute(
                "UPDATE _ri_messages SET status = 'Dequeued', pop_receipt = ?2, dequeued_at = ?3 WHERE id = ?1",
                params![id, receipt, now],
            )
            .map_err(internal)?;
            let location = tables::blob(conn, &blob_id)
                .map_err(internal)?
                .map(|b| blob_url(&origin, &b))
                .unwrap_or_default();
            Ok(ODataResponse::json(
                StatusCode::OK,
                &json!({
                    "CorrelationId": id,
                    "PopReceipt": receipt,
                    "DownloadLocation": location,
                    "IsDownloadFileExist": !location.is_empty(),
                    "FileDownloadErrorMessage": null,
                    "LastDequeueDateTime": now,
                }),
            ))
        })
        .await;
    answer(result.and_then(|r| r))
}

/// `POST /api/connector/ack/{activityId}`: the body is the dequeue answer; its pop receipt
/// must be the latest one of that message.
pub async fn ack(
    State(state): State<DemoState>,
    Path(activity): Path<String>,
    body: Bytes,
) -> Response {
    let result = state
        .with_connection(move |_, conn| -> Result<ODataResponse, ErrorAnswer> {
            let (direction, _) = job(conn, &activity)?;
            expect_direction(&direction, "Export", &activity)?;
            let sent: Value = serde_json::from_slice(&body).map_err(|e| {
                ErrorAnswer::bad_request(format!("The acknowledgement must be the JSON the dequeue answered: {e}"))
            })?;
            let field = |name: &str| sent.get(name).and_then(Value::as_str).map(str::to_owned).unwrap_or_default();
            let (id, receipt) = (field("CorrelationId"), field("PopReceipt"));
            let found: Option<(String, Option<String>)> = conn
                .query_row(
                    "SELECT status, pop_receipt FROM _ri_messages WHERE id = ?1 AND activity_id = ?2",
                    params![id, trim_id(&activity)],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(internal)?;
            match found {
                None => Err(ErrorAnswer::not_found(format!(
                    "The message '{id}' is not in the queue of '{activity}'."
                ))),
                Some((status, _)) if status == "Acked" => Err(ErrorAnswer::bad_request(format!(
                    "The message '{id}' was already acknowledged."
                ))),
                Some((_, Some(current))) if current == receipt => {
                    conn.execute("UPDATE _ri_messages SET status = 'Acked' WHERE id = ?1", [&id])
                        .map_err(internal)?;
                    Ok(ODataResponse::json(StatusCode::OK, &Value::Bool(true)))
                }
                Some(_) => Err(ErrorAnswer::bad_request(format!(
                    "The pop receipt '{receipt}' is not the latest of message '{id}': dequeue it again and acknowledge that answer."
                ))),
            }
        })
        .await;
    answer(result.and_then(|r| r))
}

/// `GET /api/connector/jobstatus/{activityId}?jobId=…`: the message's state, its execution's
/// per-entity summary and errors.
pub async fn job_status(
    State(state): State<DemoState>,
    Path(activity): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let result = state
        .with_connection(move |_, conn| -> Result<ODataResponse, ErrorAnswer> {
            job(conn, &activity)?;
            let job_id = query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("jobId"))
                .map(|(_, v)| trim_id(v))
                .ok_or_else(|| ErrorAnswer::bad_request("The query needs jobId=<the message id the enqueue answered>."))?;
            let found: Option<(String, Option<String>)> = conn
                .query_row(
                    "SELECT status, execution_id FROM _ri_messages WHERE id = ?1 AND activity_id = ?2",
                    params![job_id, trim_id(&activity)],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(internal)?;
            let (status, execution_id) = found.ok_or_else(|| {
                ErrorAnswer::not_found(format!("The job '{job_id}' is not in the queue of '{activity}'."))
            })?;
            let execution = match &execution_id {
                Some(id) => tables::execution(conn, id).map_err(internal)?,
                None => None,
            };
            let errors: Vec<Value> = match &execution_id {
                Some(id) => tables::errors(conn, id)
                    .map_err(internal)?
                    .into_iter()
                    .map(|e| json!({"EntityName": e.entity, "LineNumber": e.line, "ErrorMessage": e.message}))
                    .collect(),
                None => Vec::new(),
            };
            Ok(ODataResponse::json(
                StatusCode::OK,
                &json!({
                    "DataJobStatus": {"DataJobState": status},
                    "ExecutionId": execution_id,
                    "ExecutionStatus": execution.as_ref().map(|e| e.status.clone()),
                    "ExecutionSummary": execution
                        .as_ref()
                        .and_then(|e| serde_json::from_str::<Value>(&e.summary).ok())
                        .unwrap_or(Value::Array(Vec::new())),
                    "ExecutionErrors": errors,
                }),
            ))
        })
        .await;
    answer(result.and_then(|r| r))
}
