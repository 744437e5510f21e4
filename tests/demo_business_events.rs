//! Business events against a real demo server on 127.0.0.1: registration, delivery with the
//! F&O envelope, retries, unregistration and the loopback-only rule. Webhook receivers are
//! in-test axum servers on 127.0.0.1.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use flowbench::demo::{DemoConfig, DemoServer, RunningDemo};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// Upper bound for waiting on a delivery (retries take about 1 s each).
const WAIT: Duration = Duration::from_secs(20);

async fn start() -> RunningDemo {
    DemoServer::start(DemoConfig {
        rows: 3,
        ..DemoConfig::default()
    })
    .await
    .expect("demo server starts")
}

#[derive(Clone)]
struct Receiver {
    /// Attempts answered with 500 before answering 200.
    failures: usize,
    attempts: Arc<AtomicUsize>,
    delivered: mpsc::UnboundedSender<(String, Value)>,
}

async fn receive(
    State(receiver): State<Receiver>,
    uri: axum::http::Uri,
    axum::Json(body): axum::Json<Value>,
) -> StatusCode {
    let attempt = receiver.attempts.fetch_add(1, Ordering::SeqCst) + 1;
    if attempt <= receiver.failures {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let _ = receiver.delivered.send((uri.path().to_owned(), body));
    StatusCode::OK
}

/// A webhook receiver on 127.0.0.1 accepting POSTs on any path.
async fn start_receiver(
    failures: usize,
) -> (
    String,
    Arc<AtomicUsize>,
    mpsc::UnboundedReceiver<(String, Value)>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let attempts = Arc::new(AtomicUsize::new(0));
    let state = Receiver {
        failures,
        attempts: Arc::clone(&attempts),
        delivered: tx,
    };
    let app = Router::new()
        .route("/{*path}", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, attempts, rx)
}

async fn register(demo: &RunningDemo, event: &str, url: &str) -> reqwest::Response {
    register_in(demo, "usmf", event, url).await
}

async fn register_in(
    demo: &RunningDemo,
    company: &str,
    event: &str,
    url: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}BusinessEventsEndpoints", demo.service_root()))
        .json(&json!({ "dataAreaId": company, "BusinessEventId": event, "EndpointUrl": url }))
        .send()
        .await
        .expect("registration sent")
}

async fn register_ok(demo: &RunningDemo, event: &str, url: &str) -> String {
    let response = register(demo, event, url).await;
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.expect("created endpoint");
    body["EndpointId"]
        .as_str()
        .expect("EndpointId assigned")
        .to_owned()
}

async fn create_customer(demo: &RunningDemo, account: &str) {
    let response = reqwest::Client::new()
        .post(format!("{}CustomersV3", demo.service_root()))
        .json(&json!({
            "dataAreaId": "usmf", "CustomerAccount": account, "OrganizationName": "Hooked",
            "CustomerGroupId": "10", "SalesCurrencyCode": "USD"
        }))
        .send()
        .await
        .expect("create sent");
    assert_eq!(response.status().as_u16(), 201);
}

async fn next_delivery(rx: &mut mpsc::UnboundedReceiver<(String, Value)>) -> (String, Value) {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("delivered in time")
        .expect("receiver alive")
}

#[tokio::test]
async fn customer_created_event_is_posted_with_the_fo_envelope() {
    let demo = start().await;
    let (base, _attempts, mut rx) = start_receiver(0).await;
    register_ok(
        &demo,
        "CustomerCreatedBusinessEvent",
        &format!("{base}/hook"),
    )
    .await;
    create_customer(&demo, "EVT-001").await;
    let (path, payload) = next_delivery(&mut rx).await;
    assert_eq!(path, "/hook");
    assert_eq!(payload["BusinessEventId"], "CustomerCreatedBusinessEvent");
    assert_eq!(payload["BusinessEventLegalEntity"], "USMF");
    assert_eq!(payload["CustomerAccount"], "EVT-001");
    assert_eq!(payload["CustomerName"], "Hooked");
    assert!(payload["ControlNumber"].as_u64().is_some_and(|n| n >= 1));
    let event_id = payload["EventId"].as_str().expect("EventId");
    assert!(uuid::Uuid::parse_str(event_id).is_ok(), "{event_id}");
    let event_time = payload["EventTime"].as_str().expect("EventTime");
    assert!(
        event_time.starts_with("/Date(") && event_time.ends_with(")/"),
        "{event_time}"
    );
    let iso = payload["EventTimeIso8601"].as_str().expect("ISO time");
    let millis = chrono::DateTime::parse_from_rfc3339(iso)
        .expect("RFC 3339")
        .timestamp_millis();
    assert_eq!(event_time, format!("/Date({millis})/"));
    assert!(payload["InitiatingUserAADObjectId"].is_string());
    assert_eq!(payload["MajorVersion"].as_i64(), Some(0));
    assert_eq!(payload["MinorVersion"].as_i64(), Some(0));
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn failing_receiver_gets_the_event_on_the_third_attempt() {
    let demo = start().await;
    let (base, attempts, mut rx) = start_receiver(2).await;
    register_ok(
        &demo,
        "CustomerCreatedBusinessEvent",
        &format!("{base}/flaky"),
    )
    .await;
    create_customer(&demo, "EVT-RETRY").await;
    let (_, payload) = next_delivery(&mut rx).await;
    assert_eq!(payload["CustomerAccount"], "EVT-RETRY");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn unregistered_endpoint_gets_no_more_events() {
    let demo = start().await;
    let (base, _attempts, mut rx) = start_receiver(0).await;
    let gone = register_ok(
        &demo,
        "CustomerCreatedBusinessEvent",
        &format!("{base}/gone"),
    )
    .await;
    create_customer(&demo, "EVT-U1").await;
    assert_eq!(next_delivery(&mut rx).await.0, "/gone");

    let delete = reqwest::Client::new()
        .delete(format!(
            "{}BusinessEventsEndpoints(dataAreaId='usmf',EndpointId='{gone}')",
            demo.service_root()
        ))
        .send()
        .await
        .expect("delete sent");
    assert_eq!(delete.status().as_u16(), 204);
    register_ok(
        &demo,
        "CustomerCreatedBusinessEvent",
        &format!("{base}/kept"),
    )
    .await;

    // Changes are delivered in order, each one completely before the next, so once the
    // second change reached /kept, any delivery of the first one to /gone would have arrived.
    create_customer(&demo, "EVT-U2").await;
    create_customer(&demo, "EVT-U3").await;
    let mut seen = Vec::new();
    while !seen.iter().any(|(_, account)| account == "EVT-U3") {
        let (path, payload) = next_delivery(&mut rx).await;
        let account = payload["CustomerAccount"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        seen.push((path, account));
    }
    assert_eq!(
        seen,
        vec![
            ("/kept".to_owned(), "EVT-U2".to_owned()),
            ("/kept".to_owned(), "EVT-U3".to_owned())
        ]
    );
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn confirming_a_sales_order_fires_sales_order_confirmed() {
    let demo = start().await;
    let (base, _attempts, mut rx) = start_receiver(0).await;
    register_ok(
        &demo,
        "SalesOrderConfirmedBusinessEvent",
        &format!("{base}/orders"),
    )
    .await;
    let client = reqwest::Client::new();
    let orders: Value = client
        .get(format!("{}SalesOrderHeadersV2?$top=1", demo.service_root()))
        .send()
        .await
        .expect("list orders")
        .json()
        .await
        .expect("json");
    let order = &orders["value"][0];
    let number = order["SalesOrderNumber"].as_str().expect("order number");
    let patch = client
        .patch(format!(
            "{}SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='{number}')",
            demo.service_root()
        ))
        .json(&json!({ "ConfirmedShippingDate": "2026-03-04" }))
        .send()
        .await
        .expect("patch sent");
    assert_eq!(patch.status().as_u16(), 204);
    let (path, payload) = next_delivery(&mut rx).await;
    assert_eq!(path, "/orders");
    assert_eq!(
        payload["BusinessEventId"],
        "SalesOrderConfirmedBusinessEvent"
    );
    assert_eq!(payload["SalesOrderNumber"], number);
    assert_eq!(
        payload["CustomerAccount"],
        order["OrderingCustomerAccountNumber"]
    );
    assert_eq!(payload["ConfirmedShippingDate"], "2026-03-04");
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn endpoints_only_get_events_of_their_company() {
    let demo = start().await;
    let (base, _attempts, mut rx) = start_receiver(0).await;
    let event = "CustomerCreatedBusinessEvent";
    let other = register_in(&demo, "usrt", event, &format!("{base}/usrt")).await;
    assert_eq!(other.status().as_u16(), 201);
    register_ok(&demo, event, &format!("{base}/usmf")).await;
    // Two changes: once the second reached /usmf, every delivery of the first is done.
    create_customer(&demo, "EVT-C1").await;
    create_customer(&demo, "EVT-C2").await;
    let mut paths = Vec::new();
    loop {
        let (path, payload) = next_delivery(&mut rx).await;
        paths.push(path);
        if payload["CustomerAccount"] == "EVT-C2" {
            break;
        }
    }
    assert_eq!(paths, vec!["/usmf".to_owned(), "/usmf".to_owned()]);
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn non_loopback_and_unknown_registrations_are_rejected() {
    let demo = start().await;
    for url in ["http://example.com/hook", "https://10.1.2.3/hook"] {
        let response = register(&demo, "CustomerCreatedBusinessEvent", url).await;
        assert_eq!(response.status().as_u16(), 400, "{url}");
        let body: Value = response.json().await.expect("OData error");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("loopback")),
            "{body}"
        );
    }
    let unknown = register(&demo, "NoSuchBusinessEvent", "http://127.0.0.1:9/x").await;
    assert_eq!(unknown.status().as_u16(), 400);

    let listed: Value = reqwest::get(format!("{}BusinessEventsEndpoints", demo.service_root()))
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["value"].as_array().map(Vec::len), Some(0));
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn catalog_is_listed_and_declared_in_metadata() {
    let demo = start().await;
    let catalog: Value = reqwest::get(format!("{}BusinessEventsCatalog", demo.service_root()))
        .await
        .expect("catalog")
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = catalog["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|e| e["BusinessEventId"].as_str())
        .collect();
    for id in [
        "CustomerCreatedBusinessEvent",
        "CustomerChangedBusinessEvent",
        "SalesOrderConfirmedBusinessEvent",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let metadata = reqwest::get(format!("{}$metadata", demo.service_root()))
        .await
        .expect("metadata")
        .text()
        .await
        .expect("text");
    assert!(metadata.contains("EntitySet Name=\"BusinessEventsCatalog\""));
    assert!(metadata.contains("EntitySet Name=\"BusinessEventsEndpoints\""));
    demo.shutdown().await.expect("shutdown");
}
