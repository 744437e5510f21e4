//! The in-process request entry point `$batch` builds on: one OData request against a
//! `Transaction`, change events returned (not published) until the caller commits.

use axum::http::{HeaderMap, Method};
use bytes::Bytes;
use flowbench::demo::db::open_database;
use flowbench::demo::{ChangeKind, ODataRequest, ServiceContext, handle};
use serde_json::{Value, json};

fn ctx() -> ServiceContext {
    ServiceContext {
        service_root: "http://127.0.0.1:1/data/".into(),
        default_company: "usmf".into(),
        page_size: 50,
    }
}

fn request(method: Method, target: &str, body: Option<Value>) -> ODataRequest {
    ODataRequest {
        method,
        path_and_query: target.into(),
        headers: HeaderMap::new(),
        body: body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string())),
    }
}

fn group(id: &str) -> Option<Value> {
    Some(json!({"CustomerGroupId": id, "Description": "Batch"}))
}

fn count_groups(conn: &rusqlite::Connection) -> String {
    let response = handle(
        &ctx(),
        &request(Method::GET, "CustomerGroups/$count", None),
        conn,
    );
    String::from_utf8(response.body).expect("UTF-8 count")
}

#[test]
fn requests_run_inside_a_caller_transaction_and_roll_back_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = open_database(&dir.path().join("demo.sqlite"), false, 8).unwrap();
    let before = count_groups(&conn);

    let tx = conn.transaction().unwrap();
    let first = handle(
        &ctx(),
        &request(Method::POST, "CustomerGroups", group("B1")),
        &tx,
    );
    assert_eq!(first.status.as_u16(), 201);
    assert_eq!(first.events.len(), 1);
    assert_eq!(first.events[0].kind, ChangeKind::Created);
    let duplicate = handle(
        &ctx(),
        &request(Method::POST, "/data/CustomerGroups", group("B1")),
        &tx,
    );
    assert_eq!(
        duplicate.status.as_u16(),
        400,
        "a failed part leaves the transaction usable"
    );
    assert!(duplicate.events.is_empty());
    let second = handle(
        &ctx(),
        &request(
            Method::POST,
            "http://127.0.0.1:1/data/CustomerGroups",
            group("B2"),
        ),
        &tx,
    );
    assert_eq!(second.status.as_u16(), 201);
    tx.rollback().unwrap();
    assert_eq!(
        count_groups(&conn),
        before,
        "rolled back with the caller's transaction"
    );

    let tx = conn.transaction().unwrap();
    let created = handle(
        &ctx(),
        &request(Method::POST, "CustomerGroups", group("B3")),
        &tx,
    );
    assert_eq!(created.status.as_u16(), 201);
    tx.commit().unwrap();
    let after: u64 = count_groups(&conn).parse().unwrap();
    assert_eq!(after, before.parse::<u64>().unwrap() + 1);
    let read = handle(
        &ctx(),
        &request(
            Method::GET,
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='B3')",
            None,
        ),
        &conn,
    );
    assert_eq!(read.status.as_u16(), 200);
    let body: Value = serde_json::from_slice(&read.body).unwrap();
    assert_eq!(body["Description"], "Batch");
}

#[tokio::test]
async fn a_changeset_through_the_server_state_commits_then_publishes() {
    let server = flowbench::demo::DemoServer::start(flowbench::demo::DemoConfig {
        rows: 8,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut events = server.subscribe();
    let state = server.state().clone();
    let collected = state
        .with_connection_mut(|ctx, conn| {
            let tx = conn.transaction().unwrap();
            let mut collected = Vec::new();
            for id in ["C1", "C2"] {
                let response = handle(
                    ctx,
                    &request(Method::POST, "CustomerGroups", group(id)),
                    &tx,
                );
                assert_eq!(response.status.as_u16(), 201);
                collected.extend(response.events);
            }
            tx.commit().unwrap();
            collected
        })
        .await
        .unwrap();
    assert!(
        events.try_recv().is_err(),
        "nothing is published before the caller does"
    );
    flowbench::demo::events::publish(&state.events, collected);
    let first = events.try_recv().unwrap();
    let second = events.try_recv().unwrap();
    assert_eq!(first.keys["CustomerGroupId"], "C1");
    assert_eq!(second.keys["CustomerGroupId"], "C2");

    let url = format!(
        "{}CustomerGroups(dataAreaId='usmf',CustomerGroupId='C2')",
        server.service_root()
    );
    let status = reqwest::Client::new()
        .get(url)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 200, "committed rows are visible over HTTP");
    server.shutdown().await.unwrap();
}
