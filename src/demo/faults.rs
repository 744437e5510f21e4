//! Fault injection for the demo instance: every Nth request gets a 429, a 503, a dropped
//! connection or a slow answer (`--faults 429:7,503:11,drop:13,slow:5`).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;

/// How long a `slow` fault delays the answer.
pub const SLOW_DELAY: Duration = Duration::from_secs(2);

/// Largest response body a `drop` fault buffers before cutting it in half.
const DROP_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// How long a `drop` fault waits after the partial body before closing the connection.
const DROP_PAUSE: Duration = Duration::from_millis(100);

/// One kind of injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// `429 Too Many Requests` with `Retry-After: 1` and an OData error body.
    TooManyRequests,
    /// `503 Service Unavailable` with an OData error body.
    ServiceUnavailable,
    /// The connection is closed in the middle of the response body.
    Drop,
    /// The answer is delayed by [`SLOW_DELAY`].
    Slow,
}

impl FaultKind {
    /// The spelling used in a fault spec (`429`, `503`, `drop`, `slow`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooManyRequests => "429",
            Self::ServiceUnavailable => "503",
            Self::Drop => "drop",
            Self::Slow => "slow",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `KIND:N` rule: every `every`th request gets `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultRule {
    /// The fault to inject.
    pub kind: FaultKind,
    /// The period, at least 1.
    pub every: u64,
}

/// A parsed `--faults` spec; the first matching rule wins when periods coincide.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultSpec {
    /// The rules in the order given.
    pub rules: Vec<FaultRule>,
}

/// Why a fault spec could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultSpecError {
    /// The spec (or one entry of it) is empty.
    #[error("empty fault entry in {spec:?}: expected KIND:N[,KIND:N...], e.g. 429:7,503:11")]
    Empty {
        /// The whole spec.
        spec: String,
    },
    /// An entry lacks the `:` between kind and period.
    #[error("fault entry {entry:?} has no ':'; expected KIND:N, e.g. 429:7")]
    MissingColon {
        /// The offending entry.
        entry: String,
    },
    /// The kind is not one of `429`, `503`, `drop`, `slow`.
    #[error("unknown fault kind {kind:?} in {entry:?}; expected one of 429, 503, drop, slow")]
    UnknownKind {
        /// The offending kind.
        kind: String,
        /// The offending entry.
        entry: String,
    },
    /// The period is not a positive integer.
    #[error("fault period {period:?} in {entry:?} is not a whole number of at least 1")]
    BadPeriod {
        /// The offending period.
        period: String,
        /// The offending entry.
        entry: String,
    },
}

impl FromStr for FaultKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "429" => Ok(Self::TooManyRequests),
            "503" => Ok(Self::ServiceUnavailable),
            "drop" => Ok(Self::Drop),
            "slow" => Ok(Self::Slow),
            _ => Err(()),
        }
    }
}

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut rules = Vec::new();
        for entry in spec.split(',') {
            let entry = entry.trim();
            if entry.is_empty() {
                return Err(FaultSpecError::Empty {
                    spec: spec.to_owned(),
                });
            }
            let (kind, period) =
                entry
                    .split_once(':')
                    .ok_or_else(|| FaultSpecError::MissingColon {
                        entry: entry.to_owned(),
                    })?;
            let kind = kind
                .parse::<FaultKind>()
                .map_err(|()| FaultSpecError::UnknownKind {
                    kind: kind.trim().to_owned(),
                    entry: entry.to_owned(),
                })?;
            let every = period
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| FaultSpecError::BadPeriod {
                    period: period.trim().to_owned(),
                    entry: entry.to_owned(),
                })?;
            rules.push(FaultRule { kind, every });
        }
        Ok(Self { rules })
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rule) in self.rules.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}:{}", rule.kind, rule.every)?;
        }
        Ok(())
    }
}

/// Decides which requests get a fault, with one request counter shared by all connections.
#[derive(Debug, Default)]
pub struct FaultInjector {
    spec: FaultSpec,
    requests: AtomicU64,
}

impl FaultInjector {
    /// An injector applying `spec`, with the counter at zero.
    pub fn new(spec: FaultSpec) -> Self {
        Self {
            spec,
            requests: AtomicU64::new(0),
        }
    }

    /// The spec this injector applies.
    pub fn spec(&self) -> &FaultSpec {
        &self.spec
    }

    /// Counts one request and returns the fault it gets, if any (request numbers start at 1).
    pub fn next_fault(&self) -> Option<FaultKind> {
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        self.spec
            .rules
            .iter()
            .find(|rule| n.is_multiple_of(rule.every))
            .map(|rule| rule.kind)
    }
}

/// Wraps `router` so that every request passes through `injector` (no-op for an empty spec).
pub fn with_faults<S>(router: Router<S>, injector: Arc<FaultInjector>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    if injector.spec.rules.is_empty() {
        return router;
    }
    router.layer(middleware::from_fn_with_state(injector, inject_faults))
}

/// The middleware: counts the request and injects its fault, if any.
pub async fn inject_faults(
    State(injector): State<Arc<FaultInjector>>,
    request: Request,
    next: Next,
) -> Response {
    match injector.next_fault() {
        None => next.run(request).await,
        Some(FaultKind::TooManyRequests) => {
            let mut response = odata_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Injected fault: too many requests, retry after 1 second.",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Some(FaultKind::ServiceUnavailable) => odata_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "Injected fault: the service is temporarily unavailable.",
        ),
        Some(FaultKind::Slow) => {
            tokio::time::sleep(SLOW_DELAY).await;
            next.run(request).await
        }
        Some(FaultKind::Drop) => truncate_response(next.run(request).await).await,
    }
}

/// Sends the status, headers and the first half of the body, then aborts the connection.
async fn truncate_response(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, DROP_BODY_LIMIT)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    let head =
        futures_util::stream::iter((!half.is_empty()).then_some(Ok::<Bytes, std::io::Error>(half)));
    // The pause lets the server flush the headers and the first half before the abort.
    let abort = futures_util::stream::once(async {
        tokio::time::sleep(DROP_PAUSE).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected fault: connection dropped mid-body",
        ))
    });
    let stream = head.chain(abort);
    Response::from_parts(parts, Body::from_stream(stream))
}

/// A JSON OData error response (`{"error":{"code","message"}}`).
fn odata_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    (
        status,
        [(
            header::CONTENT_TYPE,
            "application/json; odata.metadata=minimal",
        )],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::routing::get;

    fn parse(spec: &str) -> Result<FaultSpec, FaultSpecError> {
        spec.parse()
    }

    #[test]
    fn parses_a_spec_with_all_kinds() {
        let spec = parse("429:7, 503:11,drop:13,SLOW:2").expect("valid spec");
        let kinds: Vec<_> = spec.rules.iter().map(|r| (r.kind, r.every)).collect();
        assert_eq!(
            kinds,
            vec![
                (FaultKind::TooManyRequests, 7),
                (FaultKind::ServiceUnavailable, 11),
                (FaultKind::Drop, 13),
                (FaultKind::Slow, 2),
            ]
        );
        assert_eq!(spec.to_string(), "429:7,503:11,drop:13,slow:2");
    }

    #[test]
    fn rejects_malformed_specs_with_clear_errors() {
        assert!(matches!(parse(""), Err(FaultSpecError::Empty { .. })));
        assert!(matches!(parse("429:7,"), Err(FaultSpecError::Empty { .. })));
        assert!(matches!(
            parse("429"),
            Err(FaultSpecError::MissingColon { .. })
        ));
        let err = parse("500:3").expect_err("unknown kind");
        assert!(matches!(err, FaultSpecError::UnknownKind { ref kind, .. } if kind == "500"));
        assert!(err.to_string().contains("429, 503, drop, slow"));
        assert!(matches!(
            parse("drop:0"),
            Err(FaultSpecError::BadPeriod { .. })
        ));
        assert!(matches!(
            parse("drop:x"),
            Err(FaultSpecError::BadPeriod { .. })
        ));
        assert!(matches!(
            parse("drop:-2"),
            Err(FaultSpecError::BadPeriod { .. })
        ));
    }

    #[test]
    fn counter_picks_every_nth_request_first_rule_wins() {
        let injector = FaultInjector::new(parse("429:2,503:3").expect("valid"));
        let faults: Vec<_> = (0..6).map(|_| injector.next_fault()).collect();
        assert_eq!(
            faults,
            vec![
                None,
                Some(FaultKind::TooManyRequests),
                Some(FaultKind::ServiceUnavailable),
                Some(FaultKind::TooManyRequests),
                None,
                Some(FaultKind::TooManyRequests),
            ]
        );
    }

    /// Starts a tiny server whose `/data/x` answers a 1000-byte body, with `spec` applied.
    async fn start(spec: &str) -> (String, tokio::task::JoinHandle<()>) {
        let router: Router = Router::new().route("/data/x", get(|| async { "a".repeat(1000) }));
        let injector = Arc::new(FaultInjector::new(parse(spec).expect("valid")));
        let app = with_faults(router, injector);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/data/x", listener.local_addr().expect("addr"));
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (url, handle)
    }

    #[tokio::test]
    async fn every_nth_request_gets_429_with_retry_after_and_odata_error() {
        let (url, server) = start("429:3").await;
        let client = reqwest::Client::new();
        let mut statuses = Vec::new();
        for _ in 0..6 {
            let response = client.get(&url).send().await.expect("send");
            let status = response.status().as_u16();
            if status == 429 {
                assert_eq!(
                    response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()),
                    Some("1")
                );
                let body: serde_json::Value = response.json().await.expect("json error body");
                assert_eq!(body["error"]["code"], "TooManyRequests");
            } else {
                assert_eq!(response.text().await.expect("body").len(), 1000);
            }
            statuses.push(status);
        }
        assert_eq!(statuses, vec![200, 200, 429, 200, 200, 429]);
        server.abort();
    }

    #[tokio::test]
    async fn service_unavailable_fault_answers_503() {
        let (url, server) = start("503:1").await;
        let response = reqwest::get(&url).await.expect("send");
        assert_eq!(response.status().as_u16(), 503);
        let body: serde_json::Value = response.json().await.expect("json error body");
        assert_eq!(body["error"]["code"], "ServiceUnavailable");
        server.abort();
    }

    #[tokio::test]
    async fn drop_fault_sends_headers_then_cuts_the_body() {
        let (url, server) = start("drop:2").await;
        let client = reqwest::Client::new();
        let first = client.get(&url).send().await.expect("send");
        assert_eq!(first.text().await.expect("full body").len(), 1000);
        let second = client.get(&url).send().await.expect("headers arrive");
        assert_eq!(second.status().as_u16(), 200);
        let mut second = second;
        let mut received = 0;
        let outcome = loop {
            match second.chunk().await {
                Ok(Some(chunk)) => received += chunk.len(),
                Ok(None) => break Ok(()),
                Err(err) => break Err(err),
            }
            assert!(received <= 1000, "more bytes than the body holds");
        };
        assert!(outcome.is_err(), "body must be cut");
        assert_eq!(received, 500, "the first half arrives before the cut");
        server.abort();
    }

    #[tokio::test]
    async fn slow_fault_waits_before_answering() {
        let router: Router = Router::new().route("/x", get(|| async { "ok" }));
        let injector = Arc::new(FaultInjector::new(parse("slow:1").expect("valid")));
        let app = with_faults(router, injector);
        let request = Request::builder()
            .uri("/x")
            .body(Body::empty())
            .expect("request");
        let started = std::time::Instant::now();
        let response = tower::ServiceExt::oneshot(app, request)
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(started.elapsed() >= SLOW_DELAY);
    }
}
