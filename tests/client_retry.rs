//! Retries, token refresh and interrupted writes against a real local server.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use flowbench::odata::client::{NetworkErrorKind, ODataError};
use serde_json::json;

#[derive(Clone, Default)]
struct Hits(Arc<AtomicUsize>);

impl Hits {
    fn next(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

async fn throttled_once(State(hits): State<Hits>) -> Response {
    if hits.next() == 1 {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [("Retry-After", "1")],
            "slow down",
        )
            .into_response()
    } else {
        axum::Json(json!({"value": [{"Id": 1}]})).into_response()
    }
}

async fn unavailable_once(State(hits): State<Hits>) -> Response {
    if hits.next() == 1 {
        (StatusCode::SERVICE_UNAVAILABLE, "maintenance").into_response()
    } else {
        axum::Json(json!({"value": []})).into_response()
    }
}

async fn always_unavailable(State(hits): State<Hits>) -> Response {
    hits.next();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(json!({"error": {"code": "Busy", "message": "try later"}})),
    )
        .into_response()
}

/// A response whose body breaks off after the first chunk (the connection is dropped).
fn truncated_body() -> Response {
    let chunks: Vec<Result<&'static str, std::io::Error>> = vec![
        Ok("{\"value\": [{\"Id\""),
        Err(std::io::Error::other("connection dropped")),
    ];
    Response::builder()
        .status(200)
        .header("Content-Type", "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .expect("a valid response")
}

async fn dropping_post(State(hits): State<Hits>) -> Response {
    hits.next();
    truncated_body()
}

async fn dropping_get_once(State(hits): State<Hits>) -> Response {
    if hits.next() == 1 {
        truncated_body()
    } else {
        axum::Json(json!({"value": [{"Id": 7}]})).into_response()
    }
}

async fn wants_fresh_token(State(hits): State<Hits>, headers: HeaderMap) -> Response {
    hits.next();
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some("Bearer token-2") => axum::Json(json!({"value": []})).into_response(),
        _ => (StatusCode::UNAUTHORIZED, "expired").into_response(),
    }
}

async fn throttled_for_an_hour(State(hits): State<Hits>) -> Response {
    hits.next();
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("Retry-After", "3600")],
        "come back later",
    )
        .into_response()
}

fn router(hits: &Hits) -> axum::Router {
    axum::Router::new()
        .route("/data/Throttled", get(throttled_once))
        .route("/data/Unavailable", get(unavailable_once))
        .route(
            "/data/Busy",
            get(always_unavailable).post(always_unavailable),
        )
        .route("/data/Dropping", post(dropping_post).get(dropping_get_once))
        .route("/data/Secure", get(wants_fresh_token))
        .route("/data/Closed", get(throttled_for_an_hour))
        .with_state(hits.clone())
}

#[tokio::test]
async fn retry_after_is_honoured_on_429() {
    let hits = Hits::default();
    let server = common::serve(router(&hits)).await;
    let client = common::client(&server.root());
    let started = Instant::now();
    let page = client.list_page("Throttled", "").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After: 1 was not honoured"
    );
    assert_eq!(page.items.len(), 1);
    assert_eq!(hits.count(), 2);
    let statuses: Vec<_> = client.trace().entries().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(429), Some(200)]);
}

#[tokio::test]
async fn service_unavailable_is_retried_then_succeeds() {
    let hits = Hits::default();
    let server = common::serve(router(&hits)).await;
    let client = common::client(&server.root());
    client.list_page("Unavailable", "").await.unwrap();
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn retries_are_bounded_and_report_the_server_error() {
    let hits = Hits::default();
    let server = common::serve(router(&hits)).await;
    let client = common::client(&server.root());
    let err = client
        .create_record("Busy", &json!({"A": 1}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.server().unwrap().code.as_deref(), Some("Busy"));
    // max_attempts = 3 in the test client; 503 is retried even for POST (not processed).
    assert_eq!(hits.count(), 3);
}

#[tokio::test]
async fn post_whose_connection_drops_mid_body_is_not_retried() {
    let hits = Hits::default();
    let server = common::serve(router(&hits)).await;
    let client = common::client(&server.root());
    let err = client
        .create_record("Dropping", &json!({"Name": "x"}))
        .await
        .unwrap_err();
    assert!(matches!(err, ODataError::Interrupted { .. }), "{err:?}");
    assert!(err.to_string().contains("may have processed"), "{err}");
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn get_whose_connection_drops_mid_body_is_retried() {
    let hits = Hits::default();
    let server = common::serve(router(&hits)).await;
    let client = common::client(&server.root());
    let page = client.list_page("Dropping", "").await.unwrap();
    assert_eq!(page.items[0]["Id"], json!(7));
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn unauthorized_invalidates_the_token_once_and_retries() {
    let hits = Hits::default();
    let server = common::serve(router(&hits)).await;
    let tokens = Arc::new(common::CountingTokens::default());
    let client = common::client_with(&server.root(), tokens.clone());
    client.list_page("Secure", "").await.unwrap();
    assert_eq!(tokens.invalidations.load(Ordering::SeqCst), 1);
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn a_second_unauthorized_is_reported() {
    let hits = Hits::default();
    let server = common::serve(router(&hits)).await;
    // The static provider always returns the same (rejected) token.
    let tokens = Arc::new(flowbench::auth::StaticTokenProvider::new(Some(
        flowbench::auth::BearerToken::new("token-1"),
    )));
    let client = common::client_with(&server.root(), tokens);
    let err = client.list_page("Secure", "").await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn refused_connection_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let root = format!("http://{}/data/", listener.local_addr().unwrap());
    drop(listener);
    let client = common::client(&root);
    let err = client.list_page("Anything", "").await.unwrap_err();
    assert!(err.is_network(), "{err:?}");
    assert!(
        matches!(
            err,
            ODataError::Network {
                kind: NetworkErrorKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    // GET is idempotent: every attempt was made (and traced).
    assert_eq!(client.trace().len(), 3);
}

#[tokio::test]
async fn retry_after_beyond_the_limit_fails_at_once() {
    let hits = Hits::default();
    let server = common::serve(router(&hits)).await;
    let client = common::client(&server.root());
    let err = client.list_page("Closed", "").await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(err.server().unwrap().report().contains("throttling"));
    assert!(
        err.server()
            .unwrap()
            .message
            .contains("not retried: the server asks to wait"),
        "{}",
        err.server().unwrap().message
    );
    assert_eq!(hits.count(), 1);
}
