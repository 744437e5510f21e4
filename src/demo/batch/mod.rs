//! OData `$batch` (`POST /data/$batch`): `multipart/mixed` and JSON batches; each changeset
//! (atomicity group) runs in one SQLite transaction, all or nothing.

mod json;
mod multipart;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::Connection;

pub use multipart::{
    BatchFormatError, BatchItem, ItemResponse, PartRequest, PartResponse, boundary_of, parse_batch,
    write_batch,
};

use super::error::ErrorAnswer;
use super::events::ChangeEvent;
use super::handler::{ODataRequest, ODataResponse, ServiceContext, handle};
use super::limits::{MAX_BATCH_ANSWER_BYTES, MAX_BATCH_REQUESTS, answer_too_large};
use super::server::{DemoState, to_http};

/// `Content-Type` of a JSON batch answer.
const JSON_BATCH_CONTENT_TYPE: &str = "application/json; odata.metadata=minimal; charset=utf-8";

/// Answers a part as `response`, echoing its `Content-ID`.
fn part_response(request: &PartRequest, response: ODataResponse) -> PartResponse {
    PartResponse {
        content_id: request.content_id.clone(),
        status: response.status,
        headers: response.headers,
        body: response.body,
    }
}

/// Replaces a leading `$N` (a `Content-ID` of an earlier part) with that part's `Location`.
fn resolve_reference(target: &str, locations: &[(String, String)]) -> Result<String, ErrorAnswer> {
    let Some(rest) = target.strip_prefix('$') else {
        return Ok(target.to_owned());
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (id, tail) = rest.split_at(end);
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        // `$metadata`, `$batch` and friends are not references.
        return Ok(target.to_owned());
    }
    locations
        .iter()
        .find(|(content_id, _)| content_id == id)
        .map(|(_, location)| format!("{location}{tail}"))
        .ok_or_else(|| {
            ErrorAnswer::bad_request(format!(
                "The Content-ID reference '${id}' does not name an earlier request of the changeset."
            ))
        })
}

fn to_request(part: &PartRequest, target: String) -> ODataRequest {
    ODataRequest {
        method: part.method.clone(),
        path_and_query: target,
        headers: part.headers.clone(),
        body: part.body.clone(),
    }
}

/// Runs a changeset in one transaction; on the first failing part, rolls back and returns it.
fn run_changeset(
    ctx: &ServiceContext,
    conn: &Connection,
    parts: &[PartRequest],
    events: &mut Vec<ChangeEvent>,
) -> Result<ItemResponse, ErrorAnswer> {
    let tx = conn.unchecked_transaction()?;
    let mut responses = Vec::new();
    let mut pending = Vec::new();
    let mut locations: Vec<(String, String)> = Vec::new();
    for part in parts {
        let response = if part.method == axum::http::Method::GET {
            ODataResponse::error(&ErrorAnswer::bad_request(
                "A GET request is not allowed inside a changeset.",
            ))
        } else {
            match resolve_reference(&part.target, &locations) {
                Ok(target) => handle(ctx, &to_request(part, target), conn),
                Err(err) => ODataResponse::error(&err),
            }
        };
        if response.status.is_client_error() || response.status.is_server_error() {
            // Dropping `tx` rolls every earlier part back.
            drop(tx);
            return Ok(ItemResponse::Single(part_response(part, response)));
        }
        if let (Some(id), Some(location)) = (
            &part.content_id,
            response
                .headers
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
        ) {
            locations.push((id.clone(), location.to_owned()));
        }
        pending.extend(response.events.iter().cloned());
        responses.push(part_response(part, response));
    }
    tx.commit()?;
    events.append(&mut pending);
    Ok(ItemResponse::ChangeSet(responses))
}

/// The bytes an item's answer holds (part bodies).
fn answer_bytes(answer: &ItemResponse) -> usize {
    match answer {
        ItemResponse::Single(part) => part.body.len(),
        ItemResponse::ChangeSet(parts) => parts.iter().map(|part| part.body.len()).sum(),
    }
}

/// The answer of an item not run (or a read dropped) at the answer limit.
fn over_limit(content_id: Option<String>, item: usize) -> ItemResponse {
    let response = ODataResponse::error(&answer_too_large(item));
    ItemResponse::Single(PartResponse {
        content_id,
        status: response.status,
        headers: response.headers,
        body: response.body,
    })
}

/// The number of requests in `items`, counting each request of a changeset.
fn request_count(items: &[BatchItem]) -> usize {
    items
        .iter()
        .map(|item| match item {
            BatchItem::Single(_) => 1,
            BatchItem::ChangeSet(parts) => parts.len(),
        })
        .sum()
}

/// Executes parsed batch items against `conn`; returns the answers and the committed events.
///
/// The answers are held to [`MAX_BATCH_ANSWER_BYTES`]: once they reach it, the remaining
/// items are not run, and a read whose answer passes it is answered with the limit instead
/// (a write's answer is always kept: it was committed).
pub fn execute(
    ctx: &ServiceContext,
    conn: &Connection,
    items: &[BatchItem],
) -> (Vec<ItemResponse>, Vec<ChangeEvent>) {
    let mut events = Vec::new();
    let mut answers = Vec::with_capacity(items.len());
    let mut total = 0usize;
    for (index, item) in items.iter().enumerate() {
        let number = index + 1;
        if total >= MAX_BATCH_ANSWER_BYTES {
            let content_id = match item {
                BatchItem::Single(part) => part.content_id.clone(),
                BatchItem::ChangeSet(parts) => parts.first().and_then(|p| p.content_id.clone()),
            };
            answers.push(over_limit(content_id, number));
            continue;
        }
        let answer = match item {
            BatchItem::Single(part) => {
                let response = match resolve_reference(&part.target, &[]) {
                    Ok(target) => handle(ctx, &to_request(part, target), conn),
                    Err(err) => ODataResponse::error(&err),
                };
                events.extend(response.events.iter().cloned());
                let read = part.method == axum::http::Method::GET;
                if read && total.saturating_add(response.body.len()) > MAX_BATCH_ANSWER_BYTES {
                    total = MAX_BATCH_ANSWER_BYTES;
                    answers.push(over_limit(part.content_id.clone(), number));
                    continue;
                }
                ItemResponse::Single(part_response(part, response))
            }
            BatchItem::ChangeSet(parts) => run_changeset(ctx, conn, parts, &mut events)
                .unwrap_or_else(|err| {
                    // The transaction itself failed (begin or commit).
                    let response = ODataResponse::error(&err);
                    ItemResponse::Single(PartResponse {
                        content_id: None,
                        status: response.status,
                        headers: response.headers,
                        body: response.body,
                    })
                }),
        };
        total = total.saturating_add(answer_bytes(&answer));
        answers.push(answer);
    }
    (answers, events)
}

/// Parses a batch body according to its `Content-Type`, refusing more than
/// [`MAX_BATCH_REQUESTS`] requests.
fn parse(headers: &HeaderMap, body: &[u8]) -> Result<BatchFormat, ErrorAnswer> {
    let format = parse_format(headers, body)?;
    let count = match &format {
        BatchFormat::Multipart(items) | BatchFormat::Json(items, _) => request_count(items),
    };
    if count > MAX_BATCH_REQUESTS {
        return Err(super::limits::too_many_requests(count));
    }
    Ok(format)
}

/// Parses a batch body according to its `Content-Type`.
fn parse_format(headers: &HeaderMap, body: &[u8]) -> Result<BatchFormat, ErrorAnswer> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(boundary) = boundary_of(content_type) {
        let items = parse_batch(body, &boundary)
            .map_err(|err| ErrorAnswer::bad_request(err.to_string()))?;
        return Ok(BatchFormat::Multipart(items));
    }
    if content_type
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        let (items, ids) = json::parse_json_batch(body)
            .and_then(json::JsonBatch::into_items)
            .map_err(|err| ErrorAnswer::bad_request(err.to_string()))?;
        return Ok(BatchFormat::Json(items, ids));
    }
    Err(ErrorAnswer::bad_request(format!(
        "A $batch request needs Content-Type multipart/mixed with a boundary or application/json, not '{content_type}'."
    )))
}

enum BatchFormat {
    Multipart(Vec<BatchItem>),
    Json(Vec<BatchItem>, Vec<json::ItemIds>),
}

/// The `POST /data/$batch` handler.
pub async fn batch_entry(
    State(state): State<DemoState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match super::limits::read_body(body).await {
        Ok(body) => body,
        Err(err) => return to_http(ODataResponse::error(&err)),
    };
    let format = match parse(&headers, &body) {
        Ok(format) => format,
        Err(err) => return to_http(ODataResponse::error(&err)),
    };
    let result = state
        .with_connection(move |ctx, conn| match format {
            BatchFormat::Multipart(items) => {
                let (answers, events) = execute(ctx, conn, &items);
                let boundary = format!("batchresponse_{}", uuid::Uuid::new_v4());
                let body = write_batch(&answers, &boundary);
                let content_type = format!("multipart/mixed; boundary={boundary}");
                (content_type, body, events)
            }
            BatchFormat::Json(items, ids) => {
                let (answers, events) = execute(ctx, conn, &items);
                let body = json::write_json_batch(&answers, &ids);
                (JSON_BATCH_CONTENT_TYPE.to_owned(), body, events)
            }
        })
        .await;
    match result {
        Ok((content_type, body, events)) => {
            super::events::publish(&state.events, events);
            let mut response = (StatusCode::OK, body).into_response();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
                .headers_mut()
                .insert("odata-version", HeaderValue::from_static("4.0"));
            response
        }
        Err(err) => to_http(ODataResponse::error(&err)),
    }
}
