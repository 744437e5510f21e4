//! Errors of the OData client: server errors with the parsed OData error body, network
//! failures, interrupted writes and undecodable responses.

use serde_json::Value;

use super::tokens::TokenError;

/// Everything that can go wrong calling an OData service.
#[derive(Debug, thiserror::Error)]
pub enum ODataError {
    /// The server answered with an error status (4xx/5xx).
    #[error("{0}")]
    Server(Box<ServerError>),
    /// The request could not be completed at the network level and the server did not
    /// process it (connect failure, timeout before any response, …).
    #[error("network error on {method} {url}: {message}")]
    Network {
        /// HTTP method.
        method: String,
        /// Request URL.
        url: String,
        /// What failed.
        kind: NetworkErrorKind,
        /// The transport's description.
        message: String,
    },
    /// A non-idempotent request (POST/PATCH) lost its connection after it was sent: it was
    /// not retried because the server may have processed it.
    #[error(
        "{method} {url}: the connection dropped before the response was complete; \
         the server may have processed the request, so it was not retried ({message})"
    )]
    Interrupted {
        /// HTTP method.
        method: String,
        /// Request URL.
        url: String,
        /// The transport's description.
        message: String,
    },
    /// A response body longer than the limit: refused after reading at most the limit (or
    /// before reading, when `Content-Length` announced it), never retried.
    #[error("{}", too_large_text(method, url, *limit, *size, *announced))]
    TooLarge {
        /// HTTP method.
        method: String,
        /// Request URL.
        url: String,
        /// The limit in bytes.
        limit: u64,
        /// The announced length, or the bytes read when the limit was passed.
        size: u64,
        /// Whether `size` is the announced `Content-Length` (else a lower bound).
        announced: bool,
    },
    /// A success response whose body is not the JSON expected; the body is kept.
    #[error("invalid JSON in the response from {url}: {message}")]
    InvalidJson {
        /// Request URL.
        url: String,
        /// The parser's message.
        message: String,
        /// The raw response body (lossy UTF-8).
        body: String,
    },
    /// No bearer token could be obtained.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The URL is malformed or not allowed (e.g. `http://` to a non-loopback host).
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The request could not be built (unknown entity set, bad key, bad parameter, …).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A listing stopped at an `@odata.nextLink` it must not follow (another host, a page
    /// already read, past the page limit).
    #[error(transparent)]
    NextLink(#[from] super::next_link::NextLinkError),
    /// A `$batch` response could not be read.
    #[error("invalid batch response: {0}")]
    Batch(String),
    /// The `$metadata` document could not be parsed.
    #[error("invalid $metadata: {0}")]
    Metadata(#[from] crate::odata::metadata::MetadataError),
    /// The operation was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,
}

fn too_large_text(method: &str, url: &str, limit: u64, size: u64, announced: bool) -> String {
    use super::body_limit::bytes_text;
    let found = if announced {
        format!("its Content-Length is {}", bytes_text(size))
    } else {
        format!("at least {} were sent", bytes_text(size))
    };
    format!(
        "{method} {url}: the response body is larger than the limit of {}: {found}; it was not read",
        bytes_text(limit)
    )
}

impl ODataError {
    /// The server error details when the server answered with an error status.
    pub fn server(&self) -> Option<&ServerError> {
        match self {
            Self::Server(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.server().map(|e| e.status)
    }

    /// Whether the failure happened at the network level (no HTTP status received).
    pub fn is_network(&self) -> bool {
        matches!(self, Self::Network { .. } | Self::Interrupted { .. })
    }
}

/// Which part of the exchange failed at the network level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkErrorKind {
    /// Could not connect (DNS, refused, TLS handshake).
    Connect,
    /// Timed out.
    Timeout,
    /// The connection dropped while sending or receiving.
    Connection,
}

/// One entry of an OData error's `details` array.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDetail {
    /// `code`.
    pub code: Option<String>,
    /// `message`.
    pub message: String,
    /// `target`.
    pub target: Option<String>,
}

/// An error response from the server, with the OData error body decoded when possible.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerError {
    /// HTTP method of the failed request.
    pub method: String,
    /// URL of the failed request.
    pub url: String,
    /// HTTP status code.
    pub status: u16,
    /// HTTP reason phrase, e.g. `Bad Request`.
    pub reason: String,
    /// OData `error.code` (empty codes become `None`).
    pub code: Option<String>,
    /// OData `error.message`, or a short text derived from the body when not OData.
    pub message: String,
    /// OData `error.target`.
    pub target: Option<String>,
    /// OData `error.details`.
    pub details: Vec<ErrorDetail>,
    /// F&O `error.innererror.message`: the Infolog text.
    pub infolog: Option<String>,
    /// Messages of the `innererror.internalexception` chain, outermost first.
    pub internal_exceptions: Vec<String>,
    /// The raw response body (lossy UTF-8).
    pub body: String,
    /// The response's headers (name, value), for a flow's failed step to read
    /// (`Retry-After`, `x-ms-request-id`…).
    pub headers: Vec<(String, String)>,
}

impl ServerError {
    /// Decodes an error response body (JSON or XML OData error, or anything else).
    pub fn from_response(method: &str, url: &str, status: u16, reason: &str, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body).into_owned();
        let mut error = Self {
            method: method.to_owned(),
            url: url.to_owned(),
            status,
            reason: reason.to_owned(),
            body: text.clone(),
            ..Self::default()
        };
        let trimmed = text.trim_start_matches('\u{feff}').trim();
        if let Ok(json) = serde_json::from_str::<Value>(trimmed) {
            error.read_json(&json);
        } else if trimmed.starts_with('<') {
            error.read_xml(trimmed);
        }
        if error.message.is_empty() {
            error.message = first_line(trimmed, 200);
        }
        error
    }

    fn read_json(&mut self, json: &Value) {
        let Some(err) = json.get("error").or_else(|| json.get("odata.error")) else {
            return;
        };
        self.code = string_at(err, "code").filter(|c| !c.is_empty());
        self.message = match err.get("message") {
            Some(Value::String(s)) => s.clone(),
            // OData 3 / some servers: {"message": {"lang": "en", "value": "…"}}
            Some(Value::Object(m)) => m.get("value").and_then(Value::as_str).unwrap_or("").into(),
            _ => String::new(),
        };
        self.target = string_at(err, "target").filter(|t| !t.is_empty());
        if let Some(Value::Array(details)) = err.get("details") {
            self.details = details
                .iter()
                .map(|d| ErrorDetail {
                    code: string_at(d, "code").filter(|c| !c.is_empty()),
                    message: string_at(d, "message").unwrap_or_default(),
                    target: string_at(d, "target").filter(|t| !t.is_empty()),
                })
                .collect();
        }
        if let Some(inner) = err.get("innererror") {
            self.infolog = string_at(inner, "message").filter(|m| !m.is_empty());
            let mut next = inner.get("internalexception");
            // Bounded: malformed bodies cannot nest deeper than this in practice.
            while let Some(exception) = next.filter(|_| self.internal_exceptions.len() < 32) {
                if let Some(m) = string_at(exception, "message").filter(|m| !m.is_empty()) {
                    self.internal_exceptions.push(m);
                }
                next = exception.get("internalexception");
            }
        }
    }

    fn read_xml(&mut self, xml: &str) {
        self.code = xml_element_text(xml, "code").filter(|c| !c.is_empty());
        if let Some(message) = xml_element_text(xml, "message") {
            self.message = message;
        }
    }

    /// Whether the server refused a create because the key already exists. Servers say
    /// it with different statuses (400, 409, 412, or 500 for F&O's Infolog and SAP CAP's
    /// database constraint), so the texts decide.
    pub fn is_duplicate_key(&self) -> bool {
        const MARKERS: [&str; 7] = [
            "already exists",
            "duplicate key",
            "unique constraint",
            "entity_already_exists",
            "entitywithsamekeyexists",
            "duplicatekey",
            "duplicate record",
        ];
        let texts = std::iter::once(self.message.as_str())
            .chain(self.code.as_deref())
            .chain(self.details.iter().map(|d| d.message.as_str()))
            .chain(self.infolog.as_deref())
            .chain(self.internal_exceptions.iter().map(String::as_str));
        matches!(self.status, 400 | 409 | 412 | 500)
            && texts
                .map(str::to_ascii_lowercase)
                .any(|t| MARKERS.iter().any(|m| t.contains(m)))
    }

    /// A one-line explanation for statuses that need one (401, 403, 404, 412, 428, 429, and
    /// duplicate keys whatever their status).
    pub fn hint(&self) -> Option<&'static str> {
        if self.is_duplicate_key() {
            return Some(
                "a record with this key already exists; read it, or create with another key",
            );
        }
        Some(match self.status {
            401 => "the service rejected the credentials; sign in again or check the token",
            403 => "the signed-in account lacks permission for this resource",
            404 => "the entity set, record or operation does not exist",
            412 => {
                "the record was changed by someone else since it was read (ETag mismatch); \
                 read it again and reapply the change"
            }
            428 => {
                "the service requires If-Match on this write (optimistic concurrency): read \
                 the record and send its ETag (@odata.etag)"
            }
            429 => "the service is throttling requests; try again later",
            _ => return None,
        })
    }

    /// The full multi-line report: message, details, Infolog and exception chain.
    pub fn report(&self) -> String {
        let mut out = self.to_string();
        if let Some(hint) = self.hint() {
            out.push_str(&format!("\n  hint: {hint}"));
        }
        if let Some(target) = &self.target {
            out.push_str(&format!("\n  target: {target}"));
        }
        for d in &self.details {
            let code = d
                .code
                .as_deref()
                .map(|c| format!("[{c}] "))
                .unwrap_or_default();
            let target = d
                .target
                .as_deref()
                .map(|t| format!(" (target: {t})"))
                .unwrap_or_default();
            out.push_str(&format!("\n  detail: {code}{}{target}", d.message));
        }
        if let Some(infolog) = &self.infolog {
            out.push_str("\n  Infolog:");
            for line in infolog.lines().filter(|l| !l.trim().is_empty()) {
                out.push_str(&format!("\n    {}", line.trim_end()));
            }
        }
        for m in &self.internal_exceptions {
            out.push_str(&format!("\n  caused by: {m}"));
        }
        out
    }
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if !self.reason.is_empty() {
            write!(f, " {}", self.reason)?;
        }
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", first_line(&self.message, 300))?;
        }
        Ok(())
    }
}

fn string_at(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The first line of `text`, cut to `max` characters.
fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > max {
        let cut: String = line.chars().take(max).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

/// The unescaped text of the first element with this local name in a small XML error body.
fn xml_element_text(xml: &str, local: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    let mut text = String::new();
    for _ in 0..10_000 {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == local => inside = true,
            Ok(Event::Text(t)) if inside => {
                text.push_str(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) if inside => {
                let name: &str = r.as_ref();
                text.push_str(match name {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Ok(Event::End(e)) if inside && e.local_name().as_ref() == local => {
                return Some(text.trim().to_owned());
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/payloads/");

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}{name}")).unwrap()
    }

    #[test]
    fn business_central_error_body() {
        let body = fixture("bc_error_badrequest_amplabs.json");
        let e = ServerError::from_response("GET", "https://x/y", 400, "Bad Request", &body);
        assert_eq!(e.code.as_deref(), Some("BadRequest"));
        assert!(
            e.message
                .starts_with("Could not find a property named 'lastModifiedDateTime'")
        );
        assert!(
            e.to_string()
                .starts_with("HTTP 400 Bad Request [BadRequest]: Could not find")
        );
        assert_eq!(e.body, String::from_utf8(body).unwrap());
    }

    #[test]
    fn business_central_resource_not_found() {
        let body = fixture("bc_error_resourcenotfound_amplabs.json");
        let e = ServerError::from_response("GET", "u", 404, "Not Found", &body);
        assert_eq!(e.code.as_deref(), Some("BadRequest_ResourceNotFound"));
        assert!(e.report().contains("does not exist"));
    }

    #[test]
    fn xml_error_body() {
        let body = fixture("bc_error_noenvironment_amplabs.xml");
        let e = ServerError::from_response("GET", "https://x/y", 404, "Not Found", &body);
        assert_eq!(e.code.as_deref(), Some("NoEnvironment"));
        assert_eq!(e.message, "Environment does not exist.");
    }

    #[test]
    fn finance_and_operations_innererror_and_details() {
        let body = fixture("fo_error_innererror.json");
        let e = ServerError::from_response("POST", "https://x/data/CustomersV3", 500, "", &body);
        assert_eq!(e.code, None);
        assert_eq!(e.message, "An error has occurred.");
        assert!(
            e.infolog
                .as_deref()
                .unwrap()
                .contains("US-999 already exists")
        );
        assert_eq!(e.internal_exceptions.len(), 2);
        assert_eq!(
            e.internal_exceptions[1],
            "Customer account US-999 already exists."
        );
        assert_eq!(e.target.as_deref(), Some("CustomersV3"));
        assert_eq!(e.details[0].target.as_deref(), Some("CustomerAccount"));
        assert_eq!(e.to_string(), "HTTP 500: An error has occurred.");
        let report = e.report();
        assert!(report.contains("Infolog:") && report.contains("caused by: Customer account"));
        assert!(report.contains("detail: [Conflict] Duplicate key (target: CustomerAccount)"));
    }

    #[test]
    fn sap_cap_error_bodies() {
        let body = fixture("cap_error_multiple.json");
        let e = ServerError::from_response("POST", "u", 400, "Bad Request", &body);
        assert_eq!(e.code.as_deref(), Some("MULTIPLE_ERRORS"));
        let targets: Vec<_> = e.details.iter().map(|d| d.target.as_deref()).collect();
        assert_eq!(targets, [Some("name"), Some("rating")]);
        assert_eq!(e.details[1].code.as_deref(), Some("ASSERT_ENUM"));
        assert!(
            e.report()
                .contains("detail: [ASSERT_MANDATORY] Provide the missing value. (target: name)")
        );
        assert!(!e.is_duplicate_key());
        let body = fixture("cap_error_duplicate_key.json");
        let e = ServerError::from_response("POST", "u", 500, "Internal Server Error", &body);
        assert_eq!(e.code, None, "CAP sends an empty code");
        assert!(e.is_duplicate_key());
        assert!(e.report().contains("already exists"));
        let body = fixture("cap_error_precondition_required.json");
        let e = ServerError::from_response("PATCH", "u", 428, "Precondition Required", &body);
        assert!(e.hint().is_some_and(|h| h.contains("If-Match")));
        assert!(!e.is_duplicate_key());
    }

    #[test]
    fn fno_duplicate_key_is_recognised_in_the_infolog() {
        let body = fixture("fo_error_innererror.json");
        let e = ServerError::from_response("POST", "u", 500, "", &body);
        assert!(e.is_duplicate_key());
    }

    #[test]
    fn non_odata_body_and_412_hint() {
        let e = ServerError::from_response("PATCH", "u", 412, "Precondition Failed", b"<html>\nx");
        assert_eq!(e.message, "<html>");
        assert!(e.report().contains("ETag mismatch"));
    }
}
