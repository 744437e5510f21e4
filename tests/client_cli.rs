//! The request commands of the `flowbench` binary against a real local server: outputs,
//! typed keys from `$metadata`, exit codes and error reports.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

mod common;

use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const METADATA: &str = include_str!("fixtures/metadata/cli_service.xml");
const FO_ERROR: &str = include_str!("fixtures/payloads/fo_error_innererror.json");

/// Requests the server saw: (method, raw path and query, Authorization, body).
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Seen>>>);

/// (method, raw path and query, Authorization, body).
type Seen = (String, String, String, String);

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("Content-Type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn customer(n: u32) -> Value {
    json!({"@odata.etag": format!("W/\"{n}\""), "dataAreaId": "usmf", "CustomerAccount": format!("US-{n:03}"), "Name": format!("Customer, {n}"), "CreditLimit": 1000})
}

async fn service(
    State(log): State<Log>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = uri.to_string();
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = String::from_utf8_lossy(&body).into_owned();
    log.0
        .lock()
        .unwrap()
        .push((method.to_string(), target.clone(), auth, text.clone()));
    let query = uri.query().unwrap_or("");
    match (method.as_str(), path.as_str()) {
        ("GET", "/data/") => json_response(
            StatusCode::OK,
            json!({"value": [
            {"name": "Customers", "kind": "EntitySet", "url": "Customers"},
            {"name": "Orders", "kind": "EntitySet", "url": "Orders"},
            {"name": "Recalculate", "kind": "ActionImport", "url": "Recalculate"}]}),
        ),
        ("GET", "/data/$metadata") => (
            StatusCode::OK,
            [("Content-Type", "application/xml")],
            METADATA,
        )
            .into_response(),
        ("GET", "/data/Customers") if query.contains("skiptoken=2") => {
            json_response(StatusCode::OK, json!({"value": [customer(3)]}))
        }
        ("GET", "/data/Customers") => json_response(
            StatusCode::OK,
            json!({
            "value": [customer(1), customer(2)], "@odata.nextLink": "Customers?$skiptoken=2"}),
        ),
        ("GET", "/data/Customers(dataAreaId='usmf',CustomerAccount='US-001')") => {
            json_response(StatusCode::OK, customer(1))
        }
        ("PATCH", "/data/Customers(dataAreaId='usmf',CustomerAccount='US-001')") => {
            json_response(StatusCode::OK, json!({"Name": "changed"}))
        }
        ("DELETE", "/data/Customers(dataAreaId='usmf',CustomerAccount='US-001')") => {
            StatusCode::NO_CONTENT.into_response()
        }
        ("POST", "/data/Customers") => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [("Content-Type", "application/json")],
            FO_ERROR,
        )
            .into_response(),
        (
            "POST",
            "/data/Customers(dataAreaId='usmf',CustomerAccount='US-001')/Microsoft.Dynamics.DataEntities.Confirm",
        ) => json_response(StatusCode::OK, json!({"value": "confirmed"})),
        ("GET", "/data/Orders/Microsoft.Dynamics.DataEntities.Total(Since=2024-01-31)") => {
            json_response(StatusCode::OK, json!({"value": 5}))
        }
        ("POST", "/data/Recalculate") => StatusCode::NO_CONTENT.into_response(),
        _ => json_response(
            StatusCode::NOT_FOUND,
            json!({"error": {"code": "NotFound", "message": target}}),
        ),
    }
}

async fn start() -> (common::TestServer, Log) {
    let log = Log::default();
    let router = axum::Router::new()
        .fallback(service)
        .with_state(log.clone());
    (common::serve(router).await, log)
}

/// Runs the binary off the async runtime so the server keeps serving.
async fn run(args: Vec<String>, env: Option<(&'static str, &'static str)>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        // FLOWBENCH_BIN lets a shared target directory's binary be pinned to this build.
        let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
            Some(path) => Command::new(path),
            None => Command::cargo_bin("flowbench").unwrap(),
        };
        cmd.args(&args).timeout(std::time::Duration::from_secs(60));
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    })
    .await
    .unwrap()
}

fn args(server: &common::TestServer, rest: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
    all.insert(1, "--instance".into());
    all.insert(2, server.root());
    all
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entities_plain_and_json() {
    let (server, _) = start().await;
    let out = run(args(&server, &["entities"]), None).await;
    assert!(out.status.success());
    assert_eq!(stdout(&out), "Customers\nOrders\n");
    let out = run(args(&server, &["entities", "--json"]), None).await;
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json[1],
        json!({"name": "Orders", "kind": "EntitySet", "url": "Orders"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_all_pages_as_json_with_token_and_query() {
    let (server, log) = start().await;
    let out = run(
        args(
            &server,
            &[
                "list",
                "Customers",
                "--all",
                "--filter",
                "Name eq 'A&B'",
                "--top",
                "5",
                "--cross-company",
                "--token-env",
                "FB_TEST_TOKEN",
            ],
        ),
        Some(("FB_TEST_TOKEN", "tok-123")),
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Value = serde_json::from_slice(&out.stdout).unwrap();
    let accounts: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["CustomerAccount"].as_str().unwrap())
        .collect();
    assert_eq!(accounts, ["US-001", "US-002", "US-003"]);
    let log = log.0.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log[0].1.starts_with("/data/Customers?$filter=Name%20eq%20"),
        "{}",
        log[0].1
    );
    assert!(
        log[0].1.ends_with("A%26B%27&$top=5&cross-company=true"),
        "{}",
        log[0].1
    );
    assert_eq!(log[1].1, "/data/Customers?$skiptoken=2");
    assert_eq!(log[0].2, "Bearer tok-123");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("tok-123"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_one_page_as_csv_into_a_file() {
    let (server, _) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.csv");
    let out = run(
        args(
            &server,
            &[
                "list",
                "Customers",
                "--select",
                "CustomerAccount,Name",
                "--format",
                "csv",
                "--output",
                file.to_str().unwrap(),
            ],
        ),
        None,
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout(&out), "");
    let csv = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        csv,
        "CustomerAccount,Name\r\nUS-001,\"Customer, 1\"\r\nUS-002,\"Customer, 2\"\r\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_update_delete_with_typed_composite_keys() {
    let (server, log) = start().await;
    let out = run(args(&server, &["get", "Customers", "usmf,US-001"]), None).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["Name"], json!("Customer, 1"));

    let out = run(
        args(
            &server,
            &[
                "update",
                "Customers",
                "usmf,US-001",
                "--data",
                r#"{"Name":"New","CreditLimit":1000}"#,
            ],
        ),
        None,
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let patch = log
        .0
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.0 == "PATCH")
        .cloned()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&patch.3).unwrap(),
        json!({"Name": "New"})
    );

    let out = run(args(&server, &["delete", "Customers", "usmf,US-001"]), None).await;
    assert!(out.status.success());
    assert!(log.0.lock().unwrap().iter().any(|r| r.0 == "DELETE"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_bound_action_bound_function_and_import() {
    let (server, log) = start().await;
    let out = run(
        args(
            &server,
            &[
                "execute",
                "Customers",
                "usmf,US-001",
                "Confirm",
                "--param",
                "Note=ok",
            ],
        ),
        None,
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"value": "confirmed"})
    );
    assert_eq!(log.0.lock().unwrap().last().unwrap().3, r#"{"Note":"ok"}"#);

    let out = run(
        args(
            &server,
            &["execute", "Orders", "Total", "--param", "Since=2024-01-31"],
        ),
        None,
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"value": 5})
    );

    let out = run(
        args(&server, &["execute", "Recalculate", "--param", "Count=3"]),
        None,
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(log.0.lock().unwrap().last().unwrap().3, r#"{"Count":3}"#);

    let out = run(
        args(
            &server,
            &["execute", "Recalculate", "--param", "Count=three"],
        ),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_have_exit_codes_and_report_the_infolog() {
    let (server, _) = start().await;
    let out = run(
        args(
            &server,
            &["create", "Customers", "--data", r#"{"Name":"x"}"#],
        ),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("HTTP 500"), "{stderr}");
    assert!(
        stderr.contains("Infolog:") && stderr.contains("US-999 already exists"),
        "{stderr}"
    );

    let out = run(args(&server, &["get", "Customers", "only-one-value"]), None).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(
        args(&server, &["create", "Customers", "--data", "{not json"]),
        None,
    )
    .await;
    // Invalid input (README: exit code 2), named with its line and column.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--data is not valid JSON: key must be a string at line 1 column 2"),
        "{stderr}"
    );

    let out = run(
        args(
            &server,
            &["list", "Customers", "--token-env", "FB_SURELY_UNSET_VAR"],
        ),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(1));

    let out = run(args(&server, &["list", "Nope"]), None).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NotFound"));

    let out = run(vec!["list".into(), "--bogus".into()], None).await;
    assert_eq!(out.status.code(), Some(1));
}
