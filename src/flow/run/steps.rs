//! Steps that talk to a service: Finance & Operations connector actions (through the
//! connector layer) and `Http` actions (with the instance's token only when they point at
//! the instance), with the step's `retryPolicy`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::data::parse_iso_duration;
use super::engine::{Done, Env};
use crate::connector::run as run_request;
use crate::flow::connector_step::{outputs_of, read_step};
use crate::flow::expr::{binary_content, binary_envelope};
use crate::odata::client::{
    ODataClient, ODataError, ODataRequest, RetryPolicy, StaticTokenProvider,
};

/// The client policy for a step's `retryPolicy` (in its inputs): `none`, `fixed`
/// (`count`, `interval`), `exponential` (`count`, `interval`, `minimumInterval`,
/// `maximumInterval`); default (absent or `default`): exponential, 4 retries.
pub fn retry_policy(inputs: &Value) -> Result<RetryPolicy, String> {
    let Some(policy) = inputs.get("retryPolicy") else {
        return Ok(default_policy());
    };
    let kind = policy
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_ascii_lowercase();
    let count = policy.get("count").and_then(|c| {
        c.as_u64()
            .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
    });
    let interval = |key: &str| -> Result<Option<Duration>, String> {
        match policy.get(key).and_then(Value::as_str) {
            None => Ok(None),
            Some(text) => parse_iso_duration(text)
                .map(Some)
                .ok_or_else(|| format!("retryPolicy.{key}: '{text}' is not an ISO 8601 duration")),
        }
    };
    let attempts = |retries: u64| u32::try_from(retries.min(90) + 1).unwrap_or(91);
    match kind.as_str() {
        "default" => Ok(default_policy()),
        "none" => Ok(RetryPolicy {
            max_attempts: 1,
            ..default_policy()
        }),
        "fixed" => {
            let every = interval("interval")?.unwrap_or(Duration::from_secs(7));
            Ok(RetryPolicy {
                max_attempts: attempts(count.unwrap_or(4)),
                base_delay: every,
                max_delay: every,
                ..default_policy()
            })
        }
        "exponential" => Ok(RetryPolicy {
            max_attempts: attempts(count.unwrap_or(4)),
            base_delay: interval("interval")?
                .or(interval("minimumInterval")?)
                .unwrap_or(Duration::from_secs(7)),
            max_delay: interval("maximumInterval")?.unwrap_or(Duration::from_secs(3600)),
            ..default_policy()
        }),
        other => Err(format!(
            "retryPolicy.type: expected none, default, fixed or exponential, found '{other}'"
        )),
    }
}

/// Logic Apps' default: exponential, 4 retries on 408, 429 and 5xx (the server's
/// `Retry-After` wins).
fn default_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        server_errors: true,
        ..RetryPolicy::default()
    }
}

/// A header value as text: UTF-8 when it is, else its bytes as Latin-1 (HTTP's old
/// default), so that no header goes missing from a step's outputs.
pub(crate) fn header_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// A failed request as a failed step: the cloud's error code, and outputs with the
/// status code and the server's error body (so a catch scope can read them).
fn request_failed(inputs: Value, name: &str, error: &ODataError) -> Done {
    let (code, outputs, message) = match error {
        ODataError::Server(server) => {
            let body = serde_json::from_str::<Value>(&server.body)
                .unwrap_or_else(|_| Value::String(server.body.clone()));
            let mut message = format!(
                "HTTP {} {}: {}",
                server.status, server.reason, server.message
            );
            if let Some(infolog) = server.infolog.as_ref().filter(|i| **i != server.message) {
                message.push_str(&format!(" Infolog: {infolog}"));
            }
            let headers: serde_json::Map<String, Value> = server
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            (
                status_code_name(server.status),
                json!({"statusCode": server.status, "headers": headers, "body": body}),
                message,
            )
        }
        ODataError::TooLarge { limit, .. } => (
            "BadRequest".to_owned(),
            Value::Null,
            format!(
                "Http request failed as there is an error: 'Cannot write more bytes to the buffer than the configured maximum buffer size: {limit}.' ({error})"
            ),
        ),
        other => (
            "ServiceUnreachable".to_owned(),
            Value::Null,
            other.to_string(),
        ),
    };
    let mut done = Done::failed(inputs, &code, format!("Action '{name}': {message}"));
    done.outputs = outputs;
    done
}

/// The cloud's code for an HTTP status (`BadRequest`, `NotFound`, `PreconditionFailed`…).
fn status_code_name(status: u16) -> String {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "ActionFailed",
    }
    .to_owned()
}

/// The retries the client made for requests traced after `since`: each attempt after the
/// first, the answer that caused it and how long the client waited before it.
fn retries_since(client: &ODataClient, since: u64) -> Vec<String> {
    let entries: Vec<_> = client
        .trace()
        .entries()
        .into_iter()
        .filter(|e| e.id > since)
        .collect();
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.attempt > 1)
        .map(|(i, e)| {
            let previous = i.checked_sub(1).and_then(|p| entries.get(p));
            let cause = previous
                .map(|p| match (p.status, &p.error) {
                    (Some(status), _) => format!("after {status}"),
                    (None, Some(error)) => format!("after {error}"),
                    (None, None) => "after no answer".to_owned(),
                })
                .unwrap_or_default();
            let waited = previous
                .and_then(|p| {
                    let ended = p.started_at + chrono::Duration::from_std(p.duration).ok()?;
                    (e.started_at - ended).to_std().ok()
                })
                .map(|wait| format!(", waited {:.1} s", wait.as_secs_f64()))
                .unwrap_or_default();
            format!(
                "attempt {} of {} {} {cause}{waited}",
                e.attempt, e.method, e.url
            )
        })
        .collect()
}

fn last_trace_id(client: &ODataClient) -> u64 {
    client.trace().entries().last().map_or(0, |e| e.id)
}

/// A Finance & Operations connector step.
pub async fn run_connector(env: &Env, name: &str, action: &Value, inputs: Value) -> Done {
    let kind = action.get("type").and_then(Value::as_str).unwrap_or("");
    let step = match read_step(kind, &inputs) {
        Ok(step) => step,
        Err(e) => return Done::failed(inputs, "InvalidTemplate", format!("Action '{name}', {e}")),
    };
    let (Some(client), Some(model)) = (&env.client, &env.model) else {
        return Done::failed(
            inputs,
            "NoInstance",
            format!(
                "Action '{name}': no instance to run connector steps against (use --instance I or --demo)"
            ),
        );
    };
    let operation = match step.operation() {
        Ok(operation) => operation,
        Err(e) => return Done::failed(inputs, "InvalidTemplate", format!("Action '{name}', {e}")),
    };
    let request = match step.to_request(model) {
        Ok(request) => request,
        Err(e) => return Done::failed(inputs, "BadRequest", format!("Action '{name}', {e}")),
    };
    let policy = match retry_policy(&inputs) {
        Ok(policy) => policy,
        Err(e) => return Done::failed(inputs, "InvalidTemplate", format!("Action '{name}', {e}")),
    };
    let client = client.with_retry_policy(policy);
    let since = last_trace_id(&client);
    let result = run_request(&client, Some(model.as_ref()), &request).await;
    let retries = retries_since(&client, since);
    let mut done = match result {
        Ok(completed) => Done::ok(inputs, outputs_of(operation, &completed.outcome)),
        Err(error) => request_failed(inputs, name, &error),
    };
    done.retries = retries;
    done
}

/// What an `Http` action's outputs give as `body`: JSON as JSON, text as a string, anything
/// else (a zip, an image) as Logic Apps' binary content `{"$content-type", "$content"}`.
fn response_body(response: &crate::odata::client::ODataResponse) -> Value {
    if let Ok(value) = serde_json::from_slice::<Value>(&response.body) {
        return value;
    }
    let content_type = response.header("content-type").unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let textual = essence.is_empty()
        || essence.starts_with("text/")
        || essence.ends_with("json")
        || essence.ends_with("xml")
        || essence == "application/x-www-form-urlencoded";
    match std::str::from_utf8(&response.body) {
        Ok(text) if textual => Value::String(text.to_owned()),
        _ => binary_envelope(
            &response.body,
            if essence.is_empty() {
                "application/octet-stream"
            } else {
                content_type
            },
        ),
    }
}

/// An `Http` action: `method`, `uri`, `headers`, `queries`, `body`. The instance's token
/// goes only to the instance's own host.
/// The largest answer an `Http` step reads, as the cloud's buffer without chunking
/// (104 857 600 bytes); a longer one fails the step as it fails there.
pub const HTTP_ACTION_MAX_BYTES: u64 = 104_857_600;

pub async fn run_http(env: &Env, name: &str, inputs: Value) -> Done {
    let method_text = inputs
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let Ok(method) = Method::from_bytes(method_text.as_bytes()) else {
        return Done::failed(
            inputs,
            "InvalidTemplate",
            format!("Action '{name}', method: '{method_text}' is not an HTTP method"),
        );
    };
    let Some(uri) = inputs.get("uri").and_then(Value::as_str) else {
        return Done::failed(
            inputs,
            "InvalidTemplate",
            format!("Action '{name}', uri: missing"),
        );
    };
    let mut url = match url::Url::parse(uri) {
        Ok(url) => url,
        Err(e) => {
            return Done::failed(
                inputs,
                "InvalidTemplate",
                format!("Action '{name}', uri: {e}"),
            );
        }
    };
    if let Some(Value::Object(queries)) = inputs.get("queries") {
        let mut pairs = url.query_pairs_mut();
        for (key, value) in queries {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            pairs.append_pair(key, &text);
        }
    }
    let same_host = env.client.as_ref().is_some_and(|c| {
        c.root().host_str() == url.host_str()
            && c.root().port_or_known_default() == url.port_or_known_default()
    });
    let client = match (&env.client, same_host) {
        (Some(client), true) => client.clone(),
        _ => {
            let origin = format!("{}/", url.origin().ascii_serialization());
            match ODataClient::new(&origin, Arc::new(StaticTokenProvider::default())) {
                Ok(client) => client,
                Err(e) => {
                    return Done::failed(
                        inputs,
                        "InvalidTemplate",
                        format!("Action '{name}', uri: {e}"),
                    );
                }
            }
        }
    };
    let policy = match retry_policy(&inputs) {
        Ok(policy) => policy,
        Err(e) => return Done::failed(inputs, "InvalidTemplate", format!("Action '{name}', {e}")),
    };
    let client = client.with_retry_policy(policy);
    let mut request = match inputs.get("body") {
        None | Some(Value::Null) => ODataRequest::new(method, url),
        Some(Value::String(text)) => {
            ODataRequest::new(method, url).body(Bytes::from(text.clone().into_bytes()))
        }
        // Binary content (`base64ToBinary(…)`, a file): its bytes, with its content type
        // unless a header names another.
        Some(body) => match binary_content(body) {
            Some(bytes) => {
                let content_type = body
                    .get("$content-type")
                    .and_then(Value::as_str)
                    .unwrap_or("application/octet-stream");
                ODataRequest::new(method, url)
                    .header("Content-Type", content_type)
                    .body(Bytes::from(bytes))
            }
            None => ODataRequest::json(method, url, body),
        },
    };
    if let Some(Value::Object(headers)) = inputs.get("headers") {
        for (key, value) in headers {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            request = request.header(key.clone(), text);
        }
    }
    let request = request.max_response_bytes(HTTP_ACTION_MAX_BYTES);
    let since = last_trace_id(&client);
    let result = client.send(request).await;
    let retries = retries_since(&client, since);
    let mut done = match result {
        Ok(response) => {
            let body = response_body(&response);
            let headers: Map<String, Value> = response
                .headers
                .iter()
                // A value that is not UTF-8 is kept, its bytes read as Latin-1 as HTTP allows.
                .map(|(k, v)| (k.to_string(), json!(header_text(v.as_bytes()))))
                .collect();
            Done::ok(
                inputs,
                json!({"statusCode": response.status, "headers": headers, "body": body}),
            )
        }
        Err(error) => request_failed(inputs, name, &error),
    };
    done.retries = retries;
    done
}
