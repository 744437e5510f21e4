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
        stderr
            .contains("$filter, column 101: parentheses nest deeper than the limit of 100 levels"),
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
