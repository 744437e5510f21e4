//! The demo instance against hostile input on 127.0.0.1: `$filter` nesting and term limits
//! (GET, `$batch`, `flowbench list`), duplicate query options and duplicate JSON properties.
//! Each refusal is a 400 OData error naming the limit or the duplicate, and the server keeps
//! serving afterwards.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

mod demo_common;

use demo_common::{Demo, assert_odata_error, enc, start};
use serde_json::{Value, json};

fn nested(levels: usize) -> String {
    format!(
        "{}CreditLimit gt 0{}",
        "(".repeat(levels),
        ")".repeat(levels)
    )
}

fn terms(count: usize) -> String {
    (0..count)
        .map(|i| format!("CustomerAccount eq 'US-{i:03}'"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The server still answers an ordinary request.
async fn still_serving(demo: &Demo) {
    let (status, body) = demo.get_json("CustomerGroups?$top=1").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn deeply_nested_filter_is_a_400_naming_the_limit() {
    let demo = start().await;
    let (status, body) = demo
        .get_json(&format!("CustomersV3?$filter={}", enc(&nested(1200))))
        .await;
    assert_eq!(status, 400, "{body}");
    let message = assert_odata_error(&body);
    assert!(message.contains("limit of 100 levels"), "{message}");
    // At the limit it is an ordinary query.
    let (status, body) = demo
        .get_json(&format!("CustomersV3?$filter={}", enc(&nested(100))))
        .await;
    assert_eq!(status, 200, "{body}");
    still_serving(&demo).await;
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_thousand_terms_are_answered_and_one_more_is_a_400() {
    let demo = start().await;
    let (status, body) = demo
        .get_json(&format!(
            "CustomersV3?cross-company=true&$filter={}",
            enc(&terms(1000))
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    // Seeded accounts US-001 … are among the 1 000 alternatives.
    assert!(!body["value"].as_array().unwrap().is_empty(), "{body}");
    let (status, body) = demo
        .get_json(&format!("CustomersV3?$filter={}", enc(&terms(1001))))
        .await;
    assert_eq!(status, 400, "{body}");
    let message = assert_odata_error(&body);
    assert!(message.contains("limit of 1000 comparisons"), "{message}");
    still_serving(&demo).await;
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn deeply_nested_filter_inside_a_batch_fails_only_its_part() {
    let demo = start().await;
    let body = json!({"requests": [
        {"id": "deep", "method": "GET", "url": format!("CustomersV3?$filter={}", enc(&nested(1200)))},
        {"id": "fine", "method": "GET", "url": "CustomerGroups?$top=1"}
    ]});
    let response = demo
        .client
        .post(demo.url("$batch"))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    let responses = answer["responses"].as_array().unwrap();
    let deep = responses.iter().find(|r| r["id"] == "deep").unwrap();
    assert_eq!(deep["status"], 400, "{deep}");
    assert!(
        deep["body"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("limit of 100 levels"),
        "{deep}"
    );
    let fine = responses.iter().find(|r| r["id"] == "fine").unwrap();
    assert_eq!(fine["status"], 200, "{fine}");
    still_serving(&demo).await;
    demo.server.shutdown().await.unwrap();
}

#[test]
fn flowbench_list_refuses_a_deeply_nested_filter_before_sending() {
    let demo = flowbench::demo::DemoThread::start(demo_common::test_config()).unwrap();
    let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => assert_cmd::Command::new(path),
        None => assert_cmd::Command::cargo_bin("flowbench").unwrap(),
    };
    let output = cmd
        .args(["list", "--instance", demo.service_root(), "CustomersV3"])
        .args(["--filter", &nested(1200)])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "$filter, column 101: parentheses and 'not' nest deeper than the limit of 100 levels"
        ),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_query_option_given_twice_is_a_400_naming_it() {
    let demo = start().await;
    for (query, name) in [
        (
            "CustomersV3?$filter=CreditLimit%20gt%200&$filter=CreditLimit%20lt%200",
            "$filter",
        ),
        ("CustomersV3?$top=1&$top=2", "$top"),
        ("CustomersV3?$TOP=1&$top=2", "$top"),
        (
            "CustomersV3?cross-company=true&cross-company=false",
            "cross-company",
        ),
        (
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')?$select=Description&$select=CustomerGroupId",
            "$select",
        ),
    ] {
        let (status, body) = demo.get_json(query).await;
        assert_eq!(status, 400, "{query}: {body}");
        let message = assert_odata_error(&body);
        assert!(
            message.contains(&format!(
                "Query option '{name}' was specified more than once"
            )),
            "{query}: {message}"
        );
    }
    // Custom parameters may repeat.
    let (status, body) = demo.get_json("CustomerGroups?x=1&x=2").await;
    assert_eq!(status, 200, "{body}");
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_json_property_given_twice_is_a_400_naming_it_and_writes_nothing() {
    let demo = start().await;
    let twice = r#"{"dataAreaId": "usmf", "CustomerGroupId": "DUP", "Description": "first", "Description": "second"}"#;
    let response = demo
        .client
        .post(demo.url("CustomerGroups"))
        .header("Content-Type", "application/json")
        .body(twice)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let message = assert_odata_error(&body);
    assert!(
        message.contains("duplicate property 'Description' at line 1 column"),
        "{message}"
    );
    let (status, _) = demo
        .get_json("CustomerGroups(dataAreaId='usmf',CustomerGroupId='DUP')")
        .await;
    assert_eq!(status, 404);
    // The same through PATCH and inside a JSON $batch.
    let response = demo
        .client
        .patch(demo.url("CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')"))
        .header("Content-Type", "application/json")
        .body(r#"{"Description": "a", "Description": "b"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let batch = r#"{"requests": [{"id": "1", "method": "POST", "url": "CustomerGroups",
        "headers": {"content-type": "application/json"},
        "body": {"dataAreaId": "usmf", "CustomerGroupId": "DUPB", "Description": "a", "Description": "b"}}]}"#;
    let response = demo
        .client
        .post(demo.url("$batch"))
        .header("Content-Type", "application/json")
        .body(batch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let message = assert_odata_error(&body);
    assert!(
        message.contains("duplicate property 'Description'"),
        "{message}"
    );
    let (status, _) = demo
        .get_json("CustomerGroups(dataAreaId='usmf',CustomerGroupId='DUPB')")
        .await;
    assert_eq!(status, 404);
    let (_, group) = demo
        .get_json("CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')")
        .await;
    assert_ne!(group["Description"], "b");
    demo.server.shutdown().await.unwrap();
}

/// A JSON `$batch` of `count` GETs of `url`.
fn batch_of_gets(count: usize, url: &str) -> String {
    let requests: Vec<Value> = (0..count)
        .map(|i| {
            json!({"id": i.to_string(), "method": "GET", "url": url,
                "headers": {"prefer": "odata.maxpagesize=10000"}})
        })
        .collect();
    json!({ "requests": requests }).to_string()
}

async fn post_batch(demo: &Demo, body: String) -> (u16, Value) {
    let response = demo
        .client
        .post(demo.url("$batch"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn a_batch_of_5000_gets_is_a_400_naming_the_limit_and_1000_are_answered() {
    let demo = start().await;
    let (status, body) = post_batch(&demo, batch_of_gets(5000, "CustomerGroups?$top=1")).await;
    assert_eq!(status, 400, "{body}");
    let message = assert_odata_error(&body);
    assert!(
        message.contains("The $batch holds 5000 requests, more than the limit of 1000"),
        "{message}"
    );
    let (status, body) = post_batch(&demo, batch_of_gets(1000, "CustomerGroups?$top=1")).await;
    assert_eq!(status, 200);
    let responses = body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 1000);
    assert!(responses.iter().all(|r| r["status"] == 200));
    // Requests inside a multipart changeset count too.
    let mut multipart = String::new();
    multipart.push_str("--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n");
    for i in 0..1001 {
        multipart.push_str(&format!(
            "--c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: {i}\r\n\r\nDELETE CustomerGroups(dataAreaId='usmf',CustomerGroupId='X{i}') HTTP/1.1\r\n\r\n\r\n"
        ));
    }
    multipart.push_str("--c--\r\n--b--\r\n");
    let response = demo
        .client
        .post(demo.url("$batch"))
        .header("Content-Type", "multipart/mixed; boundary=b")
        .body(multipart)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        assert_odata_error(&body).contains("1001 requests"),
        "{body}"
    );
    still_serving(&demo).await;
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_request_body_over_16_mib_is_a_413_naming_the_limit() {
    let demo = start().await;
    let description = "x".repeat(17 * 1024 * 1024);
    for path in ["CustomerGroups", "$batch"] {
        let body =
            json!({"dataAreaId": "usmf", "CustomerGroupId": "BIG", "Description": description});
        let response = demo
            .client
            .post(demo.url(path))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{path}");
        let body: Value = response.json().await.unwrap();
        let message = assert_odata_error(&body);
        assert!(
            message.contains("larger than the limit of 16777216 bytes (16 MiB)"),
            "{message}"
        );
    }
    // Under the limit a body larger than axum's 2 MB default is read (and refused on its
    // merits, not its size).
    let body = json!({"dataAreaId": "usmf", "CustomerGroupId": "BIG", "Description": "x".repeat(3 * 1024 * 1024)});
    let (status, _, answer) = demo
        .send(reqwest::Method::POST, "CustomerGroups", Some(body), &[])
        .await;
    assert_ne!(status, 413, "{answer}");
    still_serving(&demo).await;
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_batch_answer_stops_at_32_mib_and_names_the_limit() {
    let demo = demo_common::start_with(flowbench::demo::DemoConfig {
        rows: 400,
        ..demo_common::test_config()
    })
    .await;
    let url = "CustomersV3?cross-company=true";
    let (status, _, page) = demo
        .send(
            reqwest::Method::GET,
            &format!("{url}&$top=10000"),
            None,
            &[("Prefer", "odata.maxpagesize=10000")],
        )
        .await;
    assert_eq!(status, 200);
    let one = page.to_string().len();
    // Enough GETs of the whole listing to pass 32 MiB well within 1 000 requests.
    let count = (48 * 1024 * 1024 / one + 1).min(1000);
    assert!(count * one > 40 * 1024 * 1024, "{count} × {one} bytes");
    let response = demo
        .client
        .post(demo.url("$batch"))
        .header("Content-Type", "application/json")
        .body(batch_of_gets(count, &format!("{url}&$top=10000")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(
        text.len() < 40 * 1024 * 1024,
        "answer of {} bytes",
        text.len()
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    let responses = body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), count);
    assert_eq!(responses[0]["status"], 200);
    let last = &responses[count - 1];
    assert_eq!(last["status"], 400, "{last}");
    let message = last["body"]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("Request {count} of the $batch was not answered: the answers reached the limit of 33554432 bytes (32 MiB)")),
        "{message}"
    );
    still_serving(&demo).await;
    demo.server.shutdown().await.unwrap();
}
