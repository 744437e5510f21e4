//! The request trace: every HTTP exchange recorded (secrets redacted, bodies truncated) in a
//! shared ring buffer that the GUI and CLI can read or subscribe to.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Header names whose values are never recorded.
const SECRET_HEADERS: [&str; 7] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    // API keys of gateways in front of OData services (Azure API Management and others).
    "ocp-apim-subscription-key",
    "x-api-key",
    "api-key",
];

/// One recorded HTTP exchange (one attempt).
#[derive(Debug, Clone, PartialEq)]
pub struct TraceEntry {
    /// Sequence number, increasing per [`Trace`].
    pub id: u64,
    /// When the request was sent.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// 1-based attempt number of this request (retries and 401 refreshes count).
    pub attempt: u32,
    /// HTTP method.
    pub method: String,
    /// Full request URL.
    pub url: String,
    /// Request headers as sent, secrets replaced by `[redacted]`.
    pub request_headers: Vec<(String, String)>,
    /// Request body (lossy UTF-8, truncated).
    pub request_body: Option<String>,
    /// Response status, when a response arrived.
    pub status: Option<u16>,
    /// Response headers, secrets redacted.
    pub response_headers: Vec<(String, String)>,
    /// Response body (lossy UTF-8, truncated).
    pub response_body: Option<String>,
    /// Response body size in bytes (before truncation).
    pub response_size: u64,
    /// Time from sending to the end of the response body.
    pub duration: Duration,
    /// Network error text when no complete response arrived.
    pub error: Option<String>,
}

type Subscriber = Arc<dyn Fn(&TraceEntry) + Send + Sync>;

struct TraceInner {
    entries: VecDeque<TraceEntry>,
    capacity: usize,
    body_limit: usize,
    next_id: u64,
    subscribers: Vec<Subscriber>,
}

/// A shared, cloneable handle to the request trace (a bounded ring buffer).
#[derive(Clone)]
pub struct Trace {
    inner: Arc<Mutex<TraceInner>>,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace").field("len", &self.len()).finish()
    }
}

impl Default for Trace {
    fn default() -> Self {
        Self::new(500, 64 * 1024)
    }
}

impl Trace {
    /// A trace keeping the last `capacity` exchanges with bodies cut at `body_limit` bytes.
    pub fn new(capacity: usize, body_limit: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(TraceInner {
                entries: VecDeque::new(),
                capacity: capacity.max(1),
                body_limit,
                next_id: 1,
                subscribers: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, TraceInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A copy of the recorded exchanges, oldest first.
    pub fn entries(&self) -> Vec<TraceEntry> {
        self.lock().entries.iter().cloned().collect()
    }

    /// The number of recorded exchanges.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets all recorded exchanges.
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// Calls `callback` for every exchange recorded from now on (on the requesting task).
    pub fn subscribe(&self, callback: impl Fn(&TraceEntry) + Send + Sync + 'static) {
        self.lock().subscribers.push(Arc::new(callback));
    }

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.lock().body_limit
    }

    /// A body as recorded: lossy UTF-8 cut at the body limit, with a note of the full size.
    pub fn body_text(&self, body: &[u8]) -> String {
        let limit = self.body_limit();
        if body.len() <= limit {
            return String::from_utf8_lossy(body).into_owned();
        }
        let mut text = String::from_utf8_lossy(&body[..limit]).into_owned();
        if text.ends_with('\u{fffd}') {
            text.pop(); // a multi-byte character cut in half
        }
        text.push_str(&format!("… [truncated, {} bytes]", body.len()));
        text
    }

    /// Records an exchange: assigns its id and redacts secret headers (bodies are expected
    /// to come from [`Trace::body_text`]).
    pub fn record(&self, mut entry: TraceEntry) {
        let subscribers = {
            let mut inner = self.lock();
            entry.id = inner.next_id;
            inner.next_id += 1;
            redact(&mut entry.request_headers);
            redact(&mut entry.response_headers);
            if inner.entries.len() >= inner.capacity {
                inner.entries.pop_front();
            }
            inner.entries.push_back(entry.clone());
            inner.subscribers.clone()
        };
        for subscriber in subscribers {
            subscriber(&entry);
        }
    }
}

/// Replaces secret header values by `[redacted]` (keeping the auth scheme).
fn redact(headers: &mut [(String, String)]) {
    for (name, value) in headers.iter_mut() {
        if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            *value = match value.split_once(' ') {
                Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => {
                    format!("{scheme} [redacted]")
                }
                _ => "[redacted]".to_owned(),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(url: &str) -> TraceEntry {
        TraceEntry {
            id: 0,
            started_at: chrono::Utc::now(),
            attempt: 1,
            method: "GET".into(),
            url: url.into(),
            request_headers: vec![
                ("Authorization".into(), "Bearer abc.def".into()),
                ("Accept".into(), "application/json".into()),
            ],
            request_body: None,
            status: Some(200),
            response_headers: vec![],
            response_body: None,
            response_size: 0,
            duration: Duration::ZERO,
            error: None,
        }
    }

    #[test]
    fn ring_buffer_redacts_truncates_and_notifies() {
        let trace = Trace::new(2, 5);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        trace.subscribe(move |e| sink.lock().unwrap().push(e.id));
        for url in ["a", "b", "c"] {
            trace.record(entry(url));
        }
        let entries = trace.entries();
        assert_eq!(
            entries.iter().map(|e| e.url.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
        assert_eq!(entries[0].request_headers[0].1, "Bearer [redacted]");
        assert_eq!(entries[0].request_headers[1].1, "application/json");
        let body = trace.body_text("é".repeat(10).as_bytes());
        assert_eq!(body, "éé… [truncated, 20 bytes]");
        assert_eq!(trace.body_text(b"short"), "short");
        assert_eq!(*seen.lock().unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn gateway_keys_and_cookies_are_redacted_other_headers_kept() {
        let trace = Trace::new(4, 100);
        let mut exchange = entry("a");
        exchange.request_headers = vec![
            (
                "Ocp-Apim-Subscription-Key".into(),
                "0123456789abcdef".into(),
            ),
            ("X-API-Key".into(), "k-123".into()),
            ("Cookie".into(), "session=abc".into()),
            ("Prefer".into(), "odata.maxpagesize=500".into()),
        ];
        exchange.response_headers = vec![("Set-Cookie".into(), "ARRAffinity=xyz; Path=/".into())];
        trace.record(exchange);
        let recorded = &trace.entries()[0];
        let values: Vec<&str> = recorded
            .request_headers
            .iter()
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            values,
            [
                "[redacted]",
                "[redacted]",
                "[redacted]",
                "odata.maxpagesize=500"
            ]
        );
        assert_eq!(recorded.response_headers[0].1, "[redacted]");
    }
}
