//! Shared helpers of the demo-instance tests: start a real server on 127.0.0.1:0 with a
//! temporary database, and talk plain HTTP to it (no `flowbench::odata` code).

#![allow(dead_code)] // each test binary uses a different subset of these helpers

use std::time::Duration;

use flowbench::demo::{DemoConfig, DemoServer, RunningDemo};
use serde_json::Value;

/// Rows seeded by default in tests.
pub const TEST_ROWS: u64 = 40;
/// Page size used by default in tests.
pub const TEST_PAGE_SIZE: u64 = 7;

/// A running demo server plus an HTTP client.
pub struct Demo {
    /// The server.
    pub server: RunningDemo,
    /// HTTP client with a timeout.
    pub client: reqwest::Client,
}

/// A config for tests: loopback, port 0, temporary database, small pages.
pub fn test_config() -> DemoConfig {
    DemoConfig {
        rows: TEST_ROWS,
        page_size: TEST_PAGE_SIZE,
        ..DemoConfig::default()
    }
}

/// Starts a demo server with `config`.
pub async fn start_with(config: DemoConfig) -> Demo {
    let server = DemoServer::start(config).await.expect("demo server starts");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    Demo { server, client }
}

/// Starts a demo server with the test config.
pub async fn start() -> Demo {
    start_with(test_config()).await
}

impl Demo {
    /// Absolute URL of a path relative to the service root.
    pub fn url(&self, relative: &str) -> String {
        format!("{}{relative}", self.server.service_root())
    }

    /// GET and return status plus JSON body.
    pub async fn get_json(&self, relative: &str) -> (u16, Value) {
        let response = self
            .client
            .get(self.url(relative))
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// GET and return status plus text body.
    pub async fn get_text(&self, relative: &str) -> (u16, String) {
        let response = self
            .client
            .get(self.url(relative))
            .send()
            .await
            .expect("GET");
        (
            response.status().as_u16(),
            response.text().await.expect("body"),
        )
    }

    /// GET a collection and return its `value` array (asserting 200).
    pub async fn values(&self, relative: &str) -> Vec<Value> {
        let (status, body) = self.get_json(relative).await;
        assert_eq!(status, 200, "GET {relative}: {body}");
        body["value"].as_array().expect("value array").clone()
    }

    /// Sends a request with a JSON body and returns status, headers and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        relative: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = self.client.request(method, self.url(relative));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, headers, json)
    }
}

/// Asserts an OData error body and returns its inner message.
pub fn assert_odata_error(body: &Value) -> String {
    let error = &body["error"];
    assert!(error["code"].is_string(), "error.code missing: {body}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error.message: {body}"
    );
    assert!(
        error["innererror"]["type"].is_string(),
        "innererror.type: {body}"
    );
    assert!(
        error["innererror"]["stacktrace"].is_string(),
        "innererror.stacktrace: {body}"
    );
    error["innererror"]["message"]
        .as_str()
        .expect("inner message")
        .to_owned()
}

/// Percent-encodes a query value (spaces as %20).
pub fn enc(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'~'
            | b'\''
            | b'('
            | b')'
            | b','
            | b'$'
            | b':' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
