//! Connector actions against a real local server: error bodies, ETags, create/update/delete,
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures
//! operations, trace redaction and `$batch` round trips.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use flowbench::auth::{BearerToken, StaticTokenProvider};
use flowbench::odata::client::batch::boundary_of;
use flowbench::odata::client::{
    BatchFormat, BatchItem, BatchPart, ODataError, OperationArg, OperationCall, OperationKind,
    OperationTarget,
};
use serde_json::{Map, Value, json};

/// What the server saw, per request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: HeaderMap,
    body: String,
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Seen>>>);

impl Log {
    fn last(&self) -> Seen {
        self.0.lock().unwrap().last().cloned().unwrap()
    }
}

const FO_ERROR: &str = include_str!("fixtures/payloads/fo_error_innererror.json");

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("Content-Type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn service(
    State(log): State<Log>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    let text = String::from_utf8_lossy(&body).into_owned();
    log.0.lock().unwrap().push(Seen {
        method: method.to_string(),
        path: path.clone(),
        headers: headers.clone(),
        body: text.clone(),
    });
    let if_match = headers
        .get("if-match")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match (method.as_str(), path.as_str()) {
        ("GET", "/data/Customers('C1')") => json_response(
            StatusCode::OK,
            json!({"@odata.etag": "W/\"1\"", "Id": "C1", "Name": "Old", "City": "Oslo"}),
        ),
        ("PATCH", "/data/Customers('C1')") if if_match == "W/\"1\"" => {
            StatusCode::NO_CONTENT.into_response()
        }
        ("PATCH", "/data/Customers('C1')") => json_response(
            StatusCode::PRECONDITION_FAILED,
            json!({"error": {"code": "", "message": "The record was changed."}}),
        ),
        ("POST", "/data/Customers") => {
            let mut record: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            record["Id"] = json!("C2");
            record["@odata.etag"] = json!("W/\"9\"");
            json_response(StatusCode::CREATED, record)
        }
        ("DELETE", "/data/Customers('C1')") => StatusCode::NO_CONTENT.into_response(),
        ("POST", "/data/Customers('C1')/NS.Confirm") => {
            json_response(StatusCode::OK, json!({"value": "confirmed"}))
        }
        ("GET", "/data/Orders/NS.Total(Since=2024-01-31,Name='O''Neil')") => {
            json_response(StatusCode::OK, json!({"value": 42}))
        }
        ("POST", "/data/Fail") => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [("Content-Type", "application/json")],
            FO_ERROR,
        )
            .into_response(),
        ("GET", "/data/NotJson") => (StatusCode::OK, "<html>oops</html>").into_response(),
        ("POST", "/data/$batch") => batch_response(&headers, &text),
        ("GET", "/data/$metadata") => (
            StatusCode::OK,
            [("Content-Type", "application/xml")],
            include_str!("fixtures/metadata/cli_service.xml"),
        )
            .into_response(),
        _ => json_response(
            StatusCode::NOT_FOUND,
            json!({"error": {"code": "NotFound", "message": path}}),
        ),
    }
}

fn batch_response(headers: &HeaderMap, body: &str) -> Response {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") {
        let request: Value = serde_json::from_str(body).unwrap();
        let responses: Vec<Value> = request["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let status = if r["method"] == "POST" { 201 } else { 200 };
                let mut response =
                    json!({"id": r["id"], "status": status, "body": {"echo": r["url"]}});
                if let Some(group) = r.get("atomicityGroup") {
                    response["atomicityGroup"] = group.clone();
                }
                response
            })
            .collect();
        return json_response(StatusCode::OK, json!({"responses": responses}));
    }
    // Multipart: check the request has a changeset with a POST, answer in kind.
    let boundary = boundary_of(content_type).unwrap();
    assert!(body.contains(&format!("--{boundary}\r\n")));
    assert!(body.contains("Content-Type: multipart/mixed; boundary=changeset_"));
    assert!(body.contains("/data/Customers HTTP/1.1\r\n"));
    let answer = "--resp\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n\
--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\n\
HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n{\"Id\":\"C9\"}\r\n--cs--\r\n\
--resp\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n\
HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"value\":[]}\r\n--resp--\r\n";
    (
        StatusCode::OK,
        [("Content-Type", "multipart/mixed; boundary=resp")],
        answer,
    )
        .into_response()
}

async fn start() -> (common::TestServer, Log) {
    let log = Log::default();
    let router = axum::Router::new()
        .fallback(service)
        .with_state(log.clone());
    (common::serve(router).await, log)
}

#[tokio::test]
async fn server_error_keeps_infolog_exception_chain_and_body() {
    let (server, _) = start().await;
    let client = common::client(&server.root());
    let err = client
        .create_record("Fail", &json!({"A": 1}))
        .await
        .unwrap_err();
    let server_error = err.server().unwrap();
    assert_eq!(server_error.status, 500);
    assert!(
        server_error
            .infolog
            .as_deref()
            .unwrap()
            .contains("US-999 already exists")
    );
    assert_eq!(server_error.internal_exceptions.len(), 2);
    assert_eq!(server_error.body, FO_ERROR);
    assert!(!err.is_network());
    assert_eq!(
        err.to_string(),
        "HTTP 500 Internal Server Error: An error has occurred."
    );
}

#[tokio::test]
async fn invalid_json_keeps_the_body() {
    let (server, _) = start().await;
    let client = common::client(&server.root());
    let err = client.list_page("NotJson", "").await.unwrap_err();
    match err {
        ODataError::InvalidJson { body, .. } => assert_eq!(body, "<html>oops</html>"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn update_sends_if_match_from_the_record_and_only_changed_fields() {
    let (server, log) = start().await;
    let client = common::client(&server.root());
    let original = client.get_record("Customers", "'C1'", "").await.unwrap();
    let edited: Map<String, Value> =
        serde_json::from_value(json!({"Name": "New", "City": "Oslo"})).unwrap();
    client
        .update_changed("Customers", "'C1'", &original, &edited, None)
        .await
        .unwrap();
    let patch = log.last();
    assert_eq!(patch.method, "PATCH");
    assert_eq!(patch.headers["if-match"], "W/\"1\"");
    assert_eq!(
        serde_json::from_str::<Value>(&patch.body).unwrap(),
        json!({"Name": "New"})
    );
    assert_eq!(patch.headers["odata-version"], "4.0");
    assert_eq!(patch.headers["odata-maxversion"], "4.0");
    assert_eq!(patch.headers["accept"], "application/json");
}

#[tokio::test]
async fn stale_etag_gives_412_with_an_explanation() {
    let (server, log) = start().await;
    let client = common::client(&server.root());
    let changes: Map<String, Value> = serde_json::from_value(json!({"Name": "X"})).unwrap();
    let err = client
        .update_record("Customers", "'C1'", &changes, Some("W/\"0\""))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(412));
    assert!(err.server().unwrap().report().contains("ETag mismatch"));
    assert_eq!(log.last().headers["if-match"], "W/\"0\"");
}

#[tokio::test]
async fn create_returns_the_created_record_and_delete_sends_if_match_star() {
    let (server, log) = start().await;
    let client = common::client(&server.root());
    let created = client
        .create_record("Customers", &json!({"Name": "N"}))
        .await
        .unwrap();
    assert_eq!(created["Id"], json!("C2"));
    assert_eq!(created["Name"], json!("N"));
    assert_eq!(log.last().headers["prefer"], "return=representation");
    client
        .delete_record("Customers", "'C1'", None)
        .await
        .unwrap();
    let delete = log.last();
    assert_eq!(
        (delete.method.as_str(), &delete.headers["if-match"]),
        ("DELETE", &"*".parse().unwrap())
    );
}

#[tokio::test]
async fn bound_action_and_bound_function_calls() {
    let (server, log) = start().await;
    let client = common::client(&server.root());
    let action = OperationCall {
        target: OperationTarget::Entity {
            entity_set: "Customers".into(),
            key: "'C1'".into(),
        },
        kind: OperationKind::Action,
        name: "NS.Confirm".into(),
        args: vec![OperationArg::json("Note", json!("ok"))],
    };
    assert_eq!(
        client.execute(&action).await.unwrap(),
        Some(json!({"value": "confirmed"}))
    );
    assert_eq!(log.last().path, "/data/Customers('C1')/NS.Confirm");
    assert_eq!(
        serde_json::from_str::<Value>(&log.last().body).unwrap(),
        json!({"Note": "ok"})
    );
    let function = OperationCall {
        target: OperationTarget::EntitySet("Orders".into()),
        kind: OperationKind::Function,
        name: "NS.Total".into(),
        args: vec![
            OperationArg {
                name: "Since".into(),
                value: json!("2024-01-31"),
                literal: Some("2024-01-31".into()),
            },
            OperationArg::json("Name", json!("O'Neil")),
        ],
    };
    assert_eq!(
        client.execute(&function).await.unwrap(),
        Some(json!({"value": 42}))
    );
    assert_eq!(log.last().method, "GET");
}

#[tokio::test]
async fn trace_records_exchanges_and_redacts_the_token() {
    let (server, log) = start().await;
    let tokens = Arc::new(StaticTokenProvider::new(Some(BearerToken::new(
        "super-secret-token",
    ))));
    let client = common::client_with(&server.root(), tokens);
    client.get_record("Customers", "'C1'", "").await.unwrap();
    assert_eq!(
        log.last().headers["authorization"],
        "Bearer super-secret-token"
    );
    let entries = client.trace().entries();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert!(!format!("{entry:?}").contains("super-secret-token"));
    assert!(
        entry
            .request_headers
            .contains(&("Authorization".into(), "Bearer [redacted]".into()))
    );
    assert_eq!(entry.status, Some(200));
    assert_eq!(entry.method, "GET");
    assert!(entry.url.ends_with("/data/Customers('C1')"));
    assert!(entry.response_size > 0);
    assert!(
        entry
            .response_body
            .as_deref()
            .unwrap()
            .contains("\"Name\":\"Old\"")
    );
}

#[tokio::test]
async fn multipart_batch_round_trip() {
    let (server, log) = start().await;
    let client = common::client(&server.root());
    let parts = [
        BatchPart::ChangeSet(vec![BatchItem {
            id: "1".into(),
            method: Method::POST,
            url: "Customers".into(),
            headers: vec![],
            body: Some(json!({"Name": "B"})),
        }]),
        BatchPart::Request(BatchItem {
            id: "2".into(),
            method: Method::GET,
            url: "Customers?$top=1".into(),
            headers: vec![],
            body: None,
        }),
    ];
    let responses = client.batch(&parts, BatchFormat::Multipart).await.unwrap();
    assert_eq!(responses.len(), 2);
    assert_eq!(
        (responses[0].status, responses[0].id.as_deref()),
        (201, Some("1"))
    );
    assert_eq!(responses[0].body, Some(json!({"Id": "C9"})));
    assert_eq!(responses[1].status, 200);
    assert!(
        log.last().headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("multipart/mixed; boundary=")
    );
}

#[tokio::test]
async fn json_batch_round_trip_with_atomicity_groups() {
    let (server, _) = start().await;
    let client = common::client(&server.root());
    let item = |id: &str, method: Method| BatchItem {
        id: id.into(),
        method,
        url: "Customers".into(),
        headers: vec![],
        body: None,
    };
    let parts = [
        BatchPart::ChangeSet(vec![item("a", Method::POST), item("b", Method::POST)]),
        BatchPart::Request(item("c", Method::GET)),
    ];
    let responses = client.batch(&parts, BatchFormat::Json).await.unwrap();
    let summary: Vec<_> = responses
        .iter()
        .map(|r| (r.id.clone().unwrap(), r.status, r.group.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            ("a".to_owned(), 201, Some("g0".to_owned())),
            ("b".to_owned(), 201, Some("g0".to_owned())),
            ("c".to_owned(), 200, None)
        ]
    );
}

#[tokio::test]
async fn entity_sets_fall_back_to_metadata_without_a_service_document() {
    let (server, log) = start().await;
    let client = common::client(&server.root());
    let sets = client.entity_sets().await.unwrap();
    let names: Vec<&str> = sets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Customers", "Orders"]);
    let paths: Vec<String> = log
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.path.clone())
        .collect();
    assert_eq!(paths, ["/data/", "/data/$metadata"]);
    assert_eq!(log.last().headers["accept"], "application/xml");
}

/// Serves `$metadata` with an ETag and answers 304 when it is sent back.
async fn conditional_metadata(State(log): State<Log>, headers: HeaderMap) -> Response {
    log.0.lock().unwrap().push(Seen {
        method: "GET".into(),
        path: "/data/$metadata".into(),
        headers: headers.clone(),
        body: String::new(),
    });
    if headers.get("if-none-match").is_some_and(|v| v == "\"v1\"") {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        StatusCode::OK,
        [("Content-Type", "application/xml"), ("ETag", "\"v1\"")],
        include_str!("fixtures/metadata/cli_service.xml"),
    )
        .into_response()
}

#[tokio::test]
async fn metadata_cache_uses_a_conditional_get() {
    let log = Log::default();
    let router = axum::Router::new()
        .route("/data/$metadata", axum::routing::get(conditional_metadata))
        .with_state(log.clone());
    let server = common::serve(router).await;
    let client = common::client(&server.root());
    let dir = tempfile::tempdir().unwrap();
    let cache = flowbench::odata::metadata::cache::MetadataCache::new(dir.path());
    let first = client.metadata_cached(&cache).await.unwrap();
    assert_eq!(first.entity_sets().len(), 2);
    assert!(log.last().headers.get("if-none-match").is_none());
    let second = client.metadata_cached(&cache).await.unwrap();
    assert_eq!(second, first);
    assert_eq!(log.last().headers["if-none-match"], "\"v1\"");
    let statuses: Vec<_> = client.trace().entries().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(200), Some(304)]);
}
