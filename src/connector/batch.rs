//! `$batch` as a connector action: a batch file (the JSON batch format of OData 4.01, or a
//! plain list of its requests) read into requests and all-or-nothing changesets, sent in
//! one `$batch`, and a result per request that says which request made a changeset fail
//! and which ones were rolled back with it.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::odata::client::{
    BatchFormat, BatchItem, BatchPart, BatchResponse, ODataClient, ODataError, ServerError,
};

/// A batch file that cannot be read; the message says where (`requests[2].method`) and
/// what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BatchFileError(pub String);

/// One request of a batch, as the file gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRequest {
    /// Its id (given, or its 1-based position).
    pub id: String,
    /// The atomicity group (changeset) it belongs to, if any.
    pub group: Option<String>,
    /// The request.
    pub item: BatchItem,
}

/// A parsed batch: its requests in order, grouped into the parts sent on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Every request, in file order.
    pub requests: Vec<BatchRequest>,
}

/// Methods a batch request may use.
const METHODS: [&str; 5] = ["GET", "POST", "PATCH", "PUT", "DELETE"];

impl Batch {
    /// Reads a batch file: `{"requests": [...]}` (OData 4.01 JSON batch) or `[...]`. Each
    /// request has `method`, `url` (relative to the service root, or `$id` of an earlier
    /// request of the same changeset), and optionally `id`, `atomicityGroup`, `headers`,
    /// `body`, `dependsOn`. Requests of one atomicity group must be next to each other and
    /// may not be GETs (a changeset only changes data).
    pub fn parse(text: &str) -> Result<Self, BatchFileError> {
        let value: Value =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
                BatchFileError(format!(
                    "line {}, column {}: not valid JSON: {e}",
                    e.line(),
                    e.column()
                ))
            })?;
        let list = match &value {
            Value::Array(list) => list,
            Value::Object(map) => match map.get("requests") {
                Some(Value::Array(list)) => list,
                Some(other) => {
                    return Err(BatchFileError(format!(
                        "requests: expected an array, found {}",
                        kind_of(other)
                    )));
                }
                None => {
                    return Err(BatchFileError(
                        "expected {\"requests\": [...]} or an array of requests".to_owned(),
                    ));
                }
            },
            other => {
                return Err(BatchFileError(format!(
                    "expected {{\"requests\": [...]}} or an array, found {}",
                    kind_of(other)
                )));
            }
        };
        if list.is_empty() {
            return Err(BatchFileError("requests: the batch is empty".to_owned()));
        }
        let mut requests = Vec::with_capacity(list.len());
        let mut ids = HashSet::new();
        let mut closed_groups: HashSet<String> = HashSet::new();
        for (index, entry) in list.iter().enumerate() {
            let request = read_request(index, entry)?;
            let at = format!("requests[{index}]");
            if !ids.insert(request.id.clone()) {
                return Err(BatchFileError(format!(
                    "{at}.id: '{}' is used twice",
                    request.id
                )));
            }
            if let Some(depends) = entry.get("dependsOn") {
                check_depends_on(&at, depends, &requests)?;
            }
            let previous = requests.last().and_then(|r: &BatchRequest| r.group.clone());
            if previous.is_some() && previous != request.group {
                closed_groups.extend(previous);
            }
            if let Some(group) = &request.group {
                if closed_groups.contains(group) {
                    return Err(BatchFileError(format!(
                        "{at}.atomicityGroup: the requests of '{group}' must be next to each other"
                    )));
                }
                if request.item.method == Method::GET {
                    return Err(BatchFileError(format!(
                        "{at}: a GET cannot be inside atomicity group '{group}' (a changeset only changes data)"
                    )));
                }
            }
            requests.push(request);
        }
        Ok(Self { requests })
    }

    /// The parts sent on the wire: lone requests, and one changeset per atomicity group.
    pub fn parts(&self) -> Vec<BatchPart> {
        let mut parts: Vec<BatchPart> = Vec::new();
        let mut open: Option<&str> = None;
        for request in &self.requests {
            match (&request.group, open) {
                (Some(group), Some(current)) if group == current => {
                    if let Some(BatchPart::ChangeSet(items)) = parts.last_mut() {
                        items.push(request.item.clone());
                    }
                }
                (Some(group), _) => {
                    parts.push(BatchPart::ChangeSet(vec![request.item.clone()]));
                    open = Some(group);
                }
                (None, _) => {
                    parts.push(BatchPart::Request(request.item.clone()));
                    open = None;
                }
            }
        }
        parts
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn read_request(index: usize, entry: &Value) -> Result<BatchRequest, BatchFileError> {
    let at = format!("requests[{index}]");
    let Value::Object(map) = entry else {
        return Err(BatchFileError(format!(
            "{at}: expected an object, found {}",
            kind_of(entry)
        )));
    };
    let text = |name: &str| -> Result<Option<String>, BatchFileError> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) if name == "id" => Ok(Some(n.to_string())),
            Some(other) => Err(BatchFileError(format!(
                "{at}.{name}: expected a string, found {}",
                kind_of(other)
            ))),
        }
    };
    let method_text = text("method")?.ok_or_else(|| {
        BatchFileError(format!(
            "{at}.method: missing (one of {})",
            METHODS.join(", ")
        ))
    })?;
    let method_upper = method_text.to_ascii_uppercase();
    if !METHODS.contains(&method_upper.as_str()) {
        return Err(BatchFileError(format!(
            "{at}.method: expected one of {}, found '{method_text}'",
            METHODS.join(", ")
        )));
    }
    let method = Method::from_bytes(method_upper.as_bytes())
        .map_err(|e| BatchFileError(format!("{at}.method: {e}")))?;
    let url = text("url")?.ok_or_else(|| BatchFileError(format!("{at}.url: missing")))?;
    if url.contains("://") || url.starts_with("//") {
        return Err(BatchFileError(format!(
            "{at}.url: expected a URL relative to the service root (e.g. CustomersV3), found '{url}'"
        )));
    }
    let headers = match map.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(headers)) => headers
            .iter()
            .map(|(name, value)| match value {
                Value::String(v) => Ok((name.clone(), v.clone())),
                other => Err(BatchFileError(format!(
                    "{at}.headers.{name}: expected a string, found {}",
                    kind_of(other)
                ))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(BatchFileError(format!(
                "{at}.headers: expected an object, found {}",
                kind_of(other)
            )));
        }
    };
    let body = map.get("body").filter(|b| !b.is_null()).cloned();
    if body.is_some() && method == Method::GET {
        return Err(BatchFileError(format!("{at}.body: a GET has no body")));
    }
    let id = text("id")?.unwrap_or_else(|| (index + 1).to_string());
    if id.is_empty() || id.contains(char::is_whitespace) {
        return Err(BatchFileError(format!(
            "{at}.id: expected a word without spaces, found '{id}'"
        )));
    }
    Ok(BatchRequest {
        group: text("atomicityGroup")?,
        item: BatchItem {
            id: id.clone(),
            method,
            url: url.trim_start_matches('/').to_owned(),
            headers,
            body,
        },
        id,
    })
}

fn check_depends_on(
    at: &str,
    depends: &Value,
    earlier: &[BatchRequest],
) -> Result<(), BatchFileError> {
    let Value::Array(names) = depends else {
        return Err(BatchFileError(format!(
            "{at}.dependsOn: expected an array of ids, found {}",
            kind_of(depends)
        )));
    };
    for name in names {
        let known = name.as_str().is_some_and(|id| {
            earlier
                .iter()
                .any(|r| r.id == id || r.group.as_deref() == Some(id))
        });
        if !known {
            return Err(BatchFileError(format!(
                "{at}.dependsOn: {name} is not the id or group of an earlier request"
            )));
        }
    }
    Ok(())
}

/// What became of one request of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchStatus {
    /// It ran and succeeded (2xx).
    Succeeded,
    /// It ran and failed; the server's message.
    Failed(String),
    /// Its changeset failed because of another request (its id): nothing of it was kept.
    RolledBack(String),
    /// The server sent no answer for it: a service may stop a batch at its first failure
    /// (OData 4.0 without `odata.continue-on-error`), so it was not run.
    NotRun,
}

/// One request's result.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult {
    /// The request's id.
    pub id: String,
    /// `METHOD url` as sent.
    pub request: String,
    /// Its atomicity group, if any.
    pub group: Option<String>,
    /// The HTTP status of its own answer (none when rolled back or unanswered).
    pub status: Option<u16>,
    /// The answer's JSON body, if any.
    pub body: Option<Value>,
    /// What became of it.
    pub outcome: BatchStatus,
}

impl BatchResult {
    /// Whether it was applied.
    pub fn succeeded(&self) -> bool {
        self.outcome == BatchStatus::Succeeded
    }
}

/// Sends `batch` as one multipart `$batch` (the format F&O accepts) and matches the answers
/// to the requests.
pub async fn run_batch(
    client: &ODataClient,
    batch: &Batch,
) -> Result<Vec<BatchResult>, ODataError> {
    let responses = client.batch(&batch.parts(), BatchFormat::Multipart).await?;
    Ok(match_responses(batch, &responses))
}

/// Matches the answers of a batch to its requests, walking the parts in order: a lone
/// request takes the next answer; a changeset takes its answers (one per request, or the
/// single error answer of a failed changeset).
pub fn match_responses(batch: &Batch, responses: &[BatchResponse]) -> Vec<BatchResult> {
    let mut results = Vec::with_capacity(batch.requests.len());
    let mut next = 0;
    let mut index = 0;
    while index < batch.requests.len() {
        let first = &batch.requests[index];
        let members: Vec<&BatchRequest> = match &first.group {
            None => vec![first],
            Some(group) => batch.requests[index..]
                .iter()
                .take_while(|r| r.group.as_ref() == Some(group))
                .collect(),
        };
        index += members.len();
        if first.group.is_none() {
            results.push(result_of(first, responses.get(next)));
            next += 1;
            continue;
        }
        // The answers of this changeset: one per request, or — OData's way of reporting a
        // failed changeset — a single error answer in its place.
        let rest = &responses[next.min(responses.len())..];
        let answers: Vec<&BatchResponse> = match rest.first() {
            Some(first) if !first.is_success() => vec![first],
            _ => rest.iter().take(members.len()).collect(),
        };
        next += answers.len();
        match answers.iter().find(|r| !r.is_success()) {
            None => {
                for (position, member) in members.iter().enumerate() {
                    let answer = answers
                        .iter()
                        .find(|r| r.id.as_deref() == Some(member.id.as_str()))
                        .or_else(|| answers.get(position));
                    results.push(result_of(member, answer.copied()));
                }
            }
            Some(failure) => {
                // The request the failure names (by id); with no id, the changeset's
                // single answer stands for its first request that has none of its own.
                let culprit = failure
                    .id
                    .as_deref()
                    .and_then(|id| members.iter().find(|m| m.id == id))
                    .or_else(|| {
                        members
                            .iter()
                            .find(|m| !answers.iter().any(|a| a.id.as_deref() == Some(&m.id)))
                    })
                    .map_or_else(|| members[0].id.clone(), |m| m.id.clone());
                for member in &members {
                    if member.id == culprit {
                        results.push(result_of(member, Some(failure)));
                    } else {
                        results.push(BatchResult {
                            outcome: BatchStatus::RolledBack(culprit.clone()),
                            status: None,
                            body: None,
                            ..result_of(member, None)
                        });
                    }
                }
            }
        }
    }
    results
}

fn result_of(request: &BatchRequest, answer: Option<&BatchResponse>) -> BatchResult {
    let line = format!("{} {}", request.item.method, request.item.url);
    let outcome = match answer {
        None => BatchStatus::NotRun,
        Some(answer) if answer.is_success() => BatchStatus::Succeeded,
        Some(answer) => {
            let error = ServerError::from_response(
                request.item.method.as_str(),
                &request.item.url,
                answer.status,
                "",
                answer.text.as_bytes(),
            );
            let mut message = error.message.clone();
            if let Some(infolog) = error.infolog.filter(|i| *i != message) {
                message.push_str(&format!(" Infolog: {infolog}"));
            }
            BatchStatus::Failed(message)
        }
    };
    BatchResult {
        id: request.id.clone(),
        request: line,
        group: request.group.clone(),
        status: answer.map(|a| a.status),
        body: answer.and_then(|a| a.body.clone()),
        outcome,
    }
}

/// The results in the JSON batch response format of OData 4.01 (`responses` with `id`,
/// `status`, `body`), plus Flowbench's `outcome` and `rolledBackBecauseOf`.
pub fn results_json(results: &[BatchResult]) -> Value {
    let responses: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut entry = Map::new();
            entry.insert("id".into(), json!(r.id));
            entry.insert("request".into(), json!(r.request));
            if let Some(group) = &r.group {
                entry.insert("atomicityGroup".into(), json!(group));
            }
            if let Some(status) = r.status {
                entry.insert("status".into(), json!(status));
            }
            let outcome = match &r.outcome {
                BatchStatus::Succeeded => "succeeded",
                BatchStatus::Failed(message) => {
                    entry.insert("error".into(), json!(message));
                    "failed"
                }
                BatchStatus::RolledBack(because) => {
                    entry.insert("rolledBackBecauseOf".into(), json!(because));
                    "rolled back"
                }
                BatchStatus::NotRun => "not run",
            };
            entry.insert("outcome".into(), json!(outcome));
            if let Some(body) = &r.body {
                entry.insert("body".into(), body.clone());
            }
            Value::Object(entry)
        })
        .collect();
    json!({ "responses": responses })
}

#[cfg(test)]
mod tests;
