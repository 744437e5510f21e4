//! The response of one OData request and its constructors (status, headers, body, events).

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use serde_json::Value;

use crate::demo::error::ErrorAnswer;
use crate::demo::events::ChangeEvent;

/// `Content-Type` of OData JSON answers, as F&O sends it.
pub const JSON_CONTENT_TYPE: &str = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

/// The response to one OData request.
#[derive(Debug, Clone)]
pub struct ODataResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers (including `Content-Type` and `OData-Version`).
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Vec<u8>,
    /// Change events of a successful write, to publish after commit.
    pub events: Vec<ChangeEvent>,
}

impl ODataResponse {
    fn base(status: StatusCode) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("odata-version"),
            HeaderValue::from_static("4.0"),
        );
        Self {
            status,
            headers,
            body: Vec::new(),
            events: Vec::new(),
        }
    }

    /// A JSON answer.
    pub fn json(status: StatusCode, value: &Value) -> Self {
        let mut response = Self::base(status);
        response.body = value.to_string().into_bytes();
        response.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        );
        response
    }

    /// A JSON answer whose body is already written.
    pub fn json_bytes(status: StatusCode, body: Vec<u8>) -> Self {
        let mut response = Self::base(status);
        response.body = body;
        response.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        );
        response
    }

    /// A text answer with the given content type.
    pub fn text(status: StatusCode, content_type: &'static str, text: String) -> Self {
        let mut response = Self::base(status);
        response.body = text.into_bytes();
        response
            .headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }

    /// An answer with only a status and no body (e.g. 304 Not Modified).
    pub fn status_only(status: StatusCode) -> Self {
        Self::base(status)
    }

    /// An empty answer (204).
    pub fn no_content() -> Self {
        Self::base(StatusCode::NO_CONTENT)
    }

    /// An OData error answer.
    pub fn error(err: &ErrorAnswer) -> Self {
        Self::json(err.status, &err.body())
    }

    /// Adds a header; values that are not valid header text are skipped.
    pub fn with_header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.insert(name, value);
        }
        self
    }

    /// Attaches change events.
    pub fn with_events(mut self, events: Vec<ChangeEvent>) -> Self {
        self.events = events;
        self
    }
}
