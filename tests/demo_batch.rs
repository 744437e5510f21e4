//! `$batch` against a real demo server on 127.0.0.1: changesets are atomic, GETs work, and
//! malformed bodies get a 400 OData error.

use flowbench::demo::{DemoConfig, DemoServer, RunningDemo};
use serde_json::Value;

async fn start() -> RunningDemo {
    DemoServer::start(DemoConfig {
        rows: 5,
        ..DemoConfig::default()
    })
    .await
    .expect("demo server starts")
}

fn customer_part(id: u32, account: &str, group: &str) -> String {
    format!(
        "--changeset_c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: {id}\r\n\r\n\
POST CustomersV3 HTTP/1.1\r\nContent-Type: application/json\r\nAccept: application/json\r\n\r\n\
{{\"CustomerAccount\":\"{account}\",\"OrganizationName\":\"Batch {account}\",\"CustomerGroupId\":\"{group}\",\"SalesCurrencyCode\":\"USD\"}}\r\n"
    )
}

fn changeset_batch(parts: &[String]) -> String {
    format!(
        "--batch_b\r\nContent-Type: multipart/mixed; boundary=changeset_c\r\n\r\n{}--changeset_c--\r\n--batch_b--\r\n",
        parts.concat()
    )
}

async fn post_batch(demo: &RunningDemo, content_type: &str, body: String) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}$batch", demo.service_root()))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("batch request sent")
}

async fn customer_status(demo: &RunningDemo, account: &str) -> u16 {
    let url = format!(
        "{}CustomersV3(dataAreaId='usmf',CustomerAccount='{account}')",
        demo.service_root()
    );
    reqwest::get(url).await.expect("GET sent").status().as_u16()
}

#[tokio::test]
async fn changeset_of_two_creates_commits_both() {
    let demo = start().await;
    let body = changeset_batch(&[
        customer_part(1, "BATCH-A1", "10"),
        customer_part(2, "BATCH-A2", "10"),
    ]);
    let response = post_batch(&demo, "multipart/mixed; boundary=batch_b", body).await;
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("multipart/mixed; boundary="));
    let text = response.text().await.expect("body");
    assert_eq!(text.matches("HTTP/1.1 201 Created").count(), 2, "{text}");
    assert!(text.contains("Content-ID: 2"));
    assert_eq!(customer_status(&demo, "BATCH-A1").await, 200);
    assert_eq!(customer_status(&demo, "BATCH-A2").await, 200);
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn failing_part_rolls_the_whole_changeset_back() {
    let demo = start().await;
    let body = changeset_batch(&[
        customer_part(1, "BATCH-B1", "10"),
        customer_part(2, "BATCH-B2", "NOGROUP"),
    ]);
    let response = post_batch(&demo, "multipart/mixed; boundary=batch_b", body).await;
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.expect("body");
    assert!(text.contains("HTTP/1.1 400 Bad Request"), "{text}");
    assert!(!text.contains("201 Created"), "{text}");
    assert!(text.contains("NOGROUP"), "the failing part's error: {text}");
    assert_eq!(customer_status(&demo, "BATCH-B1").await, 404);
    assert_eq!(customer_status(&demo, "BATCH-B2").await, 404);
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn content_id_reference_targets_the_created_record() {
    let demo = start().await;
    let patch = "--changeset_c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 2\r\n\r\n\
PATCH $1 HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"OrganizationName\":\"Renamed\"}\r\n"
        .to_owned();
    let body = changeset_batch(&[customer_part(1, "BATCH-C1", "10"), patch]);
    let response = post_batch(&demo, "multipart/mixed; boundary=batch_b", body).await;
    let text = response.text().await.expect("body");
    assert!(text.contains("HTTP/1.1 204 No Content"), "{text}");
    let url = format!(
        "{}CustomersV3(dataAreaId='usmf',CustomerAccount='BATCH-C1')",
        demo.service_root()
    );
    let record: Value = reqwest::get(url)
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(record["OrganizationName"], "Renamed");
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn gets_in_a_batch_are_answered_individually() {
    let demo = start().await;
    let body =
        "--batch_b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n\
GET CustomersV3?$top=2&$select=CustomerAccount HTTP/1.1\r\nAccept: application/json\r\n\r\n\r\n\
--batch_b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n\
GET NoSuchSet HTTP/1.1\r\n\r\n\r\n--batch_b--\r\n"
            .to_owned();
    let response = post_batch(&demo, "multipart/mixed; boundary=batch_b", body).await;
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.expect("body");
    assert!(text.contains("HTTP/1.1 200 OK"), "{text}");
    assert!(text.contains("HTTP/1.1 404 Not Found"), "{text}");
    assert_eq!(text.matches("\"CustomerAccount\"").count(), 2, "{text}");
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn malformed_batch_body_is_a_400_odata_error() {
    let demo = start().await;
    let response = post_batch(
        &demo,
        "multipart/mixed; boundary=batch_b",
        "this is not a multipart body".to_owned(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("OData error body");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("batch")),
        "{body}"
    );
    let no_boundary = post_batch(&demo, "multipart/mixed", String::new()).await;
    assert_eq!(no_boundary.status().as_u16(), 400);
    // Not a batch type at all: refused before the body is read (docs/RELIABILITY.md).
    let plain = post_batch(&demo, "text/plain", String::new()).await;
    assert_eq!(plain.status().as_u16(), 415);
    demo.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn json_batch_with_an_atomicity_group() {
    let demo = start().await;
    let body = serde_json::json!({ "requests": [
        { "id": "1", "method": "POST", "url": "CustomersV3", "atomicityGroup": "g",
          "headers": { "content-type": "application/json" },
          "body": { "CustomerAccount": "BATCH-J1", "OrganizationName": "J1",
                    "CustomerGroupId": "10", "SalesCurrencyCode": "USD" } },
        { "id": "2", "method": "POST", "url": "CustomersV3", "atomicityGroup": "g",
          "headers": { "content-type": "application/json" },
          "body": { "CustomerAccount": "BATCH-J2", "OrganizationName": "J2",
                    "CustomerGroupId": "NOPE", "SalesCurrencyCode": "USD" } },
        { "id": "3", "method": "GET", "url": "CustomersV3?$top=1" }
    ]});
    let response = post_batch(&demo, "application/json", body.to_string()).await;
    assert_eq!(response.status().as_u16(), 200);
    let answer: Value = response.json().await.expect("JSON batch answer");
    let statuses: Vec<(String, u64)> = answer["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default().to_owned(),
                r["status"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![("1".into(), 424), ("2".into(), 400), ("3".into(), 200)]
    );
    assert_eq!(customer_status(&demo, "BATCH-J1").await, 404);
    demo.shutdown().await.expect("shutdown");
}
