//! Sending one OData request: headers, bearer token (refreshed once on 401), retries of
//! requests the server did not process, and the trace record of every attempt.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use url::Url;

use super::ODataClient;
use super::body_limit::{BodyFailure, bytes_text, read_limited};
use super::error::{NetworkErrorKind, ODataError, ServerError};
use super::retry::{is_idempotent, parse_retry_after};
use super::tokens::BearerToken;
use super::trace::TraceEntry;

/// A request to send through [`ODataClient::send`].
#[derive(Debug, Clone)]
pub struct ODataRequest {
    /// HTTP method.
    pub method: Method,
    /// Absolute URL.
    pub url: Url,
    /// Extra headers (the client adds `Accept`, `OData-Version`, `OData-MaxVersion` and
    /// `Authorization` unless given here).
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Option<Bytes>,
    /// Send no bearer token: the URL carries its own authorization (a storage URL with a
    /// shared access signature, which must never see the instance's token).
    pub anonymous: bool,
    /// The longest response body read, in bytes; `None`: the client's
    /// [`ClientConfig::max_response_bytes`](super::ClientConfig::max_response_bytes).
    pub max_response_bytes: Option<u64>,
}

impl ODataRequest {
    /// A request without body.
    pub fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            headers: Vec::new(),
            body: None,
            anonymous: false,
            max_response_bytes: None,
        }
    }

    /// The same request without the bearer token (see [`ODataRequest::anonymous`]).
    pub fn without_token(mut self) -> Self {
        self.anonymous = true;
        self
    }

    /// A request with a JSON body (`Content-Type: application/json`).
    pub fn json(method: Method, url: Url, body: &Value) -> Self {
        Self::new(method, url)
            .header("Content-Type", "application/json")
            .body(Bytes::from(body.to_string()))
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Bytes) -> Self {
        self.body = Some(body);
        self
    }

    /// Reads at most `limit` bytes of the response body (e.g. `$metadata`'s own limit).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

/// A complete (success) response.
#[derive(Debug, Clone)]
pub struct ODataResponse {
    /// The URL that was requested.
    pub url: Url,
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl ODataResponse {
    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON (`InvalidJson` keeps the body when it is not); a property given
    /// twice in one object is an error naming it, not last-wins.
    pub fn json(&self) -> Result<Value, ODataError> {
        let text = self
            .body
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.body);
        crate::odata::json_strict::from_slice(text).map_err(|e| ODataError::InvalidJson {
            url: self.url.to_string(),
            message: e.to_string(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        })
    }

    /// The body as JSON, or `None` when empty (204 No Content).
    pub fn json_opt(&self) -> Result<Option<Value>, ODataError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            Ok(None)
        } else {
            self.json().map(Some)
        }
    }
}

/// What one attempt produced.
enum Attempt {
    Response(Box<ODataResponse>, String),
    SendFailed(reqwest::Error),
    BodyFailed(reqwest::Error),
    TooLarge {
        limit: u64,
        size: u64,
        announced: bool,
    },
}

impl ODataClient {
    /// Sends `request`, retrying what the server did not process; error statuses become
    /// [`ODataError::Server`].
    pub async fn send(&self, request: ODataRequest) -> Result<ODataResponse, ODataError> {
        super::check_url_allowed(&request.url)?;
        let policy = &self.config.retry;
        let method = request.method.to_string();
        let url = request.url.to_string();
        let mut tries = 0u32;
        let mut failures = 0u32;
        let mut refreshed = false;
        loop {
            tries += 1;
            let token = self.tokens.token().await?;
            let attempt = self.attempt(&request, token.as_ref(), tries).await;
            match attempt {
                Attempt::Response(response, reason) => {
                    let status = response.status;
                    if status == 401 && token.is_some() && !refreshed {
                        refreshed = true;
                        self.tokens.invalidate();
                        continue;
                    }
                    if status < 400 {
                        return Ok(*response);
                    }
                    let error = || {
                        let mut server = ServerError::from_response(
                            &method,
                            &url,
                            status,
                            &reason,
                            &response.body,
                        );
                        server.headers = response
                            .headers
                            .iter()
                            .map(|(k, v)| {
                                (
                                    k.to_string(),
                                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                )
                            })
                            .collect();
                        ODataError::Server(Box::new(server))
                    };
                    failures += 1;
                    if !policy.retries_status(status) || failures >= policy.max_attempts {
                        return Err(error());
                    }
                    let delay = match response
                        .header("retry-after")
                        .and_then(|v| parse_retry_after(v, chrono::Utc::now()))
                    {
                        Some(delay) if delay > policy.max_retry_after => {
                            // Say why this one is not retried.
                            let mut refused = error();
                            if let ODataError::Server(server) = &mut refused {
                                server.message = format!(
                                    "{} (not retried: the server asks to wait {} s, more than the {} s waited at most)",
                                    server.message,
                                    delay.as_secs(),
                                    policy.max_retry_after.as_secs()
                                );
                            }
                            return Err(refused);
                        }
                        Some(delay) => delay,
                        None => policy.backoff(failures),
                    };
                    tracing::debug!(status, ?delay, %url, "retrying after a throttling response");
                    tokio::time::sleep(delay).await;
                }
                Attempt::TooLarge {
                    limit,
                    size,
                    announced,
                } => {
                    // Never retried: the same server would send the same body again.
                    return Err(ODataError::TooLarge {
                        method,
                        url,
                        limit,
                        size,
                        announced,
                    });
                }
                Attempt::SendFailed(e) | Attempt::BodyFailed(e)
                    if is_idempotent(&request.method) =>
                {
                    failures += 1;
                    if failures >= policy.max_attempts {
                        return Err(network_error(&method, &url, &e));
                    }
                    let delay = policy.backoff(failures);
                    tracing::debug!(error = %e, ?delay, %url, "retrying after a network error");
                    tokio::time::sleep(delay).await;
                }
                Attempt::SendFailed(e) if e.is_connect() => {
                    return Err(network_error(&method, &url, &e));
                }
                Attempt::SendFailed(e) | Attempt::BodyFailed(e) => {
                    return Err(ODataError::Interrupted {
                        method,
                        url,
                        message: error_chain(&e),
                    });
                }
            }
        }
    }

    /// One attempt: sends, reads the whole body, records the trace entry.
    async fn attempt(
        &self,
        request: &ODataRequest,
        token: Option<&BearerToken>,
        attempt: u32,
    ) -> Attempt {
        let mut headers: Vec<(String, String)> = Vec::new();
        for (name, value) in [
            ("Accept", "application/json"),
            ("OData-Version", "4.0"),
            ("OData-MaxVersion", "4.0"),
        ] {
            if !request.has_header(name) {
                headers.push((name.to_owned(), value.to_owned()));
            }
        }
        headers.extend(request.headers.iter().cloned());
        let mut builder = self
            .http
            .request(request.method.clone(), request.url.clone());
        for (name, value) in &headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(token) =
            token.filter(|_| !request.anonymous && !request.has_header("authorization"))
        {
            builder = builder.bearer_auth(token.secret());
            headers.push(("Authorization".to_owned(), "Bearer [redacted]".to_owned()));
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let mut entry = TraceEntry {
            id: 0,
            started_at: chrono::Utc::now(),
            attempt,
            method: request.method.to_string(),
            url: request.url.to_string(),
            request_headers: headers,
            request_body: request.body.as_ref().map(|b| self.trace.body_text(b)),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            response_size: 0,
            duration: Duration::ZERO,
            error: None,
        };
        let started = Instant::now();
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => {
                entry.duration = started.elapsed();
                entry.error = Some(error_chain(&e));
                self.trace.record(entry);
                return Attempt::SendFailed(e);
            }
        };
        let status = response.status();
        let response_headers = response.headers().clone();
        entry.status = Some(status.as_u16());
        entry.response_headers = header_pairs(&response_headers);
        let limit = request
            .max_response_bytes
            .unwrap_or(self.config.max_response_bytes);
        let body = read_limited(response, limit).await;
        entry.duration = started.elapsed();
        match body {
            Ok(body) => {
                entry.response_size = body.len() as u64;
                entry.response_body = Some(self.trace.body_text(&body));
                self.trace.record(entry);
                Attempt::Response(
                    Box::new(ODataResponse {
                        url: request.url.clone(),
                        status: status.as_u16(),
                        headers: response_headers,
                        body,
                    }),
                    status.canonical_reason().unwrap_or("").to_owned(),
                )
            }
            Err(BodyFailure::TooLarge {
                limit,
                size,
                announced,
            }) => {
                entry.response_size = size;
                entry.error = Some(format!(
                    "the body is larger than the limit of {}; it was not read",
                    bytes_text(limit)
                ));
                self.trace.record(entry);
                Attempt::TooLarge {
                    limit,
                    size,
                    announced,
                }
            }
            Err(BodyFailure::Transport(e)) => {
                entry.error = Some(error_chain(&e));
                self.trace.record(entry);
                Attempt::BodyFailed(e)
            }
        }
    }
}

fn network_error(method: &str, url: &str, e: &reqwest::Error) -> ODataError {
    let kind = if e.is_timeout() {
        NetworkErrorKind::Timeout
    } else if e.is_connect() {
        NetworkErrorKind::Connect
    } else {
        NetworkErrorKind::Connection
    };
    let mut message = error_chain(e);
    // After a redirect the failure is at the address redirected to: name it.
    if let Some(reached) = e.url().filter(|reached| reached.as_str() != url) {
        message = format!("{message} (redirected to {reached})");
    }
    ODataError::Network {
        method: method.to_owned(),
        url: url.to_owned(),
        kind,
        message,
    }
}

/// The error and its sources joined, e.g. `error sending request: connection refused`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    let mut depth = 0;
    while let Some(s) = source.filter(|_| depth < 8) {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
        depth += 1;
    }
    text
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}
