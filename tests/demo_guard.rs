//! The demo instance's loopback guard on 127.0.0.1: a `Host` that does not name the server
//! (DNS rebinding) gets 421, a foreign `Origin` 403, a write that is not JSON (or multipart
//! for `$batch`) 415 — each an OData error, with nothing read or written — and links are
//! built from the bound address whatever `Host` says.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

mod demo_common;

use demo_common::{Demo, assert_odata_error, start};
use reqwest::Method;
use serde_json::{Value, json};

fn group(id: &str) -> String {
    json!({"dataAreaId": "usmf", "CustomerGroupId": id, "Description": "guard"}).to_string()
}

/// Sends `method relative` with extra headers and a raw body; status and JSON body.
async fn raw(
    demo: &Demo,
    method: Method,
    relative: &str,
    headers: &[(&str, String)],
    body: Option<String>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = demo.client.request(method, demo.url(relative));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn group_exists(demo: &Demo, id: &str) -> bool {
    let (status, _) = demo
        .get_json(&format!(
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='{id}')"
        ))
        .await;
    status == 200
}

#[tokio::test]
async fn a_host_that_does_not_name_the_server_is_misdirected() {
    let demo = start().await;
    let port = demo.server.local_addr().port();
    for host in [
        format!("rebound.attacker.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "localhost".to_owned(),
    ] {
        for relative in ["CustomersV3", "$metadata", "../Metadata/DataEntities"] {
            let (status, _, body) = raw(
                &demo,
                Method::GET,
                relative,
                &[("Host", host.clone())],
                None,
            )
            .await;
            assert_eq!(status, 421, "{host} {relative}: {body}");
            let message = assert_odata_error(&body);
            assert_eq!(
                message,
                format!(
                    "The Host header does not name this server: expected 127.0.0.1:{port}, localhost:{port} or [::1]:{port}, found '{host}'."
                )
            );
        }
    }
    let (status, _, body) = raw(
        &demo,
        Method::POST,
        "CustomerGroups",
        &[
            ("Host", format!("rebound.attacker.example:{port}")),
            ("Content-Type", "application/json".to_owned()),
        ],
        Some(group("REBOUND")),
    )
    .await;
    assert_eq!(status, 421, "{body}");
    assert!(!group_exists(&demo, "REBOUND").await);
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let (status, _, body) = raw(
            &demo,
            Method::GET,
            "CustomerGroups",
            &[("Host", host)],
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn location_and_links_use_the_bound_address_whatever_the_host_says() {
    let demo = start().await;
    let port = demo.server.local_addr().port();
    let (status, headers, body) = raw(
        &demo,
        Method::POST,
        "CustomerGroups",
        &[
            ("Host", format!("localhost:{port}")),
            ("Content-Type", "application/json".to_owned()),
        ],
        Some(group("LOC")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let location = headers["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("http://127.0.0.1:{port}/data/CustomerGroups(")),
        "{location}"
    );
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_foreign_origin_is_forbidden_and_writes_nothing() {
    let demo = start().await;
    let port = demo.server.local_addr().port();
    for origin in [
        "http://attacker.example",
        "null",
        &format!("https://127.0.0.1:{port}"),
    ] {
        let (status, _, body) = raw(
            &demo,
            Method::POST,
            "CustomerGroups",
            &[
                ("Origin", origin.to_owned()),
                ("Content-Type", "application/json".to_owned()),
            ],
            Some(group("CROSS")),
        )
        .await;
        assert_eq!(status, 403, "{origin}: {body}");
        let message = assert_odata_error(&body);
        assert!(message.contains(&format!("found '{origin}'")), "{message}");
        let (status, _, _) = raw(
            &demo,
            Method::GET,
            "CustomerGroups",
            &[("Origin", origin.to_owned())],
            None,
        )
        .await;
        assert_eq!(status, 403, "{origin}: reads are refused too");
    }
    assert!(!group_exists(&demo, "CROSS").await);
    // The server's own origin is fine.
    let (status, _, body) = raw(
        &demo,
        Method::POST,
        "CustomerGroups",
        &[
            ("Origin", format!("http://127.0.0.1:{port}")),
            ("Content-Type", "application/json".to_owned()),
        ],
        Some(group("SAME")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn writes_that_are_not_json_are_unsupported_media() {
    let demo = start().await;
    // A cross-site form can send text/plain, urlencoded or form-data without a preflight.
    for (method, relative, content_type) in [
        (Method::POST, "CustomerGroups", "text/plain"),
        (
            Method::POST,
            "CustomerGroups",
            "application/x-www-form-urlencoded",
        ),
        (
            Method::POST,
            "CustomerGroups",
            "multipart/form-data; boundary=x",
        ),
        (
            Method::POST,
            "CustomerGroups",
            "multipart/mixed; boundary=x",
        ),
        (
            Method::PATCH,
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')",
            "text/plain;charset=UTF-8",
        ),
        (
            Method::PUT,
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')",
            "text/plain",
        ),
        (
            Method::from_bytes(b"MERGE").unwrap(),
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')",
            "text/plain",
        ),
        (Method::POST, "$batch", "text/plain"),
    ] {
        let (status, _, body) = raw(
            &demo,
            method.clone(),
            relative,
            &[("Content-Type", content_type.to_owned())],
            Some(group("PLAIN")),
        )
        .await;
        assert_eq!(status, 415, "{method} {relative} {content_type}: {body}");
        let message = assert_odata_error(&body);
        assert!(message.contains("needs Content-Type"), "{message}");
    }
    let (status, _, body) = raw(
        &demo,
        Method::POST,
        "CustomerGroups",
        &[],
        Some(group("PLAIN")),
    )
    .await;
    assert_eq!(status, 415, "a body without a type: {body}");
    assert!(!group_exists(&demo, "PLAIN").await);
    let (_, group_10) = demo
        .get_json("CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')")
        .await;
    assert_ne!(group_10["Description"], "guard");
    // JSON with parameters is fine, and so is an action without a body.
    let (status, _, body) = raw(
        &demo,
        Method::POST,
        "CustomerGroups",
        &[(
            "Content-Type",
            "application/json; odata.metadata=minimal".to_owned(),
        )],
        Some(group("JSON")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = raw(&demo, Method::POST, "GetApplicationVersion", &[], None).await;
    assert_eq!(status, 200, "{body}");
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn file_uploads_take_binary_types_only_on_their_own_paths() {
    let demo = start().await;
    let root = demo
        .server
        .service_root()
        .trim_end_matches("data/")
        .to_owned();
    let (import_job, _, _, _) = flowbench::demo::bulk::RECURRING_JOBS
        .iter()
        .find(|(_, direction, _, _)| *direction == "Import")
        .copied()
        .unwrap();
    let enqueue =
        format!("{root}api/connector/enqueue/{import_job}?entity=CustomerGroups&company=usmf");
    let send = |content_type: &'static str| {
        let client = demo.client.clone();
        let url = enqueue.clone();
        async move {
            client
                .post(url)
                .header("Content-Type", content_type)
                .body("CUSTOMERGROUPID,DESCRIPTION\r\nQ1,Queued\r\n")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // A cross-site page can send text/plain without asking first: refused.
    assert_eq!(send("text/plain").await, 415);
    assert_eq!(send("application/x-www-form-urlencoded").await, 415);
    // Binary types need a preflight the demo never answers: accepted on the upload paths.
    let accepted = send("application/octet-stream").await;
    assert!((200..300).contains(&accepted), "{accepted}");
    // ... and only there: an OData write still needs JSON.
    let (status, _, _) = raw(
        &demo,
        Method::POST,
        "CustomerGroups",
        &[("Content-Type", "application/octet-stream".to_owned())],
        Some(group("ZZ-BIN")),
    )
    .await;
    assert_eq!(status, 415);
    assert!(!group_exists(&demo, "ZZ-BIN").await);
}
