//! Fault injection and bearer authentication wired into a real demo server on 127.0.0.1, and
//! the `flowbench demo --faults/--issuer/--audience` argument checks.

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use flowbench::demo::auth::{AuthMode, BearerConfig};
use flowbench::demo::{DemoConfig, DemoServer, RunningDemo};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

const TEST_KEY: &str = include_str!("fixtures/auth/test_rsa_key.pem");
const TEST_JWK: &str = include_str!("fixtures/auth/test_rsa_key.jwk.json");

async fn start(config: DemoConfig) -> RunningDemo {
    DemoServer::start(DemoConfig { rows: 3, ..config })
        .await
        .expect("demo server starts")
}

#[tokio::test]
async fn faults_spec_makes_every_third_request_a_503() {
    let demo = start(DemoConfig {
        faults: "503:3".parse().expect("valid spec"),
        ..DemoConfig::default()
    })
    .await;
    let url = format!("{}CustomersV3?$top=1", demo.service_root());
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            client
                .get(&url)
                .send()
                .await
                .expect("send")
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, vec![200, 200, 503, 200, 200, 503]);
    demo.shutdown().await.expect("shutdown");
}

/// A minimal OpenID provider (discovery document + JWKS) on 127.0.0.1.
async fn start_provider() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let doc = Arc::new(json!({ "issuer": issuer, "jwks_uri": format!("{issuer}/jwks") }));
    let jwk: serde_json::Value = serde_json::from_str(TEST_JWK).expect("jwk");
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { axum::Json((*doc).clone()) }),
        )
        .route(
            "/jwks",
            get(move || async move { axum::Json(json!({ "keys": [jwk] })) }),
        );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (issuer, task)
}

#[tokio::test]
async fn bearer_auth_protects_the_data_and_batch_endpoints() {
    let (issuer, provider) = start_provider().await;
    let demo = start(DemoConfig {
        auth: AuthMode::Bearer(BearerConfig {
            issuer: issuer.clone(),
            audience: "api://demo".into(),
        }),
        ..DemoConfig::default()
    })
    .await;
    let client = reqwest::Client::new();
    let url = format!("{}CustomersV3?$top=1", demo.service_root());

    let anonymous = client.get(&url).send().await.expect("send");
    assert_eq!(anonymous.status().as_u16(), 401);
    let batch = client
        .post(format!("{}$batch", demo.service_root()))
        .header("content-type", "multipart/mixed; boundary=b")
        .body("--b--")
        .send()
        .await
        .expect("send");
    assert_eq!(batch.status().as_u16(), 401);

    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "iss": issuer, "aud": "api://demo", "sub": "u", "exp": now + 300 });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("test_rsa_key".into());
    let key = EncodingKey::from_rsa_pem(TEST_KEY.as_bytes()).expect("test key");
    let token = jsonwebtoken::encode(&header, &claims, &key).expect("sign");
    let signed_in = client
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(signed_in.status().as_u16(), 200);

    demo.shutdown().await.expect("shutdown");
    provider.abort();
}

#[test]
fn cli_rejects_bad_fault_specs_and_lone_issuer() {
    let bin = assert_cmd::cargo::cargo_bin("flowbench");
    let bad = std::process::Command::new(&bin)
        .args(["demo", "--faults", "429:0"])
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("--faults"), "{stderr}");
    assert!(stderr.contains("at least 1"), "{stderr}");

    let lone = std::process::Command::new(&bin)
        .args(["demo", "--issuer", "http://127.0.0.1:1"])
        .output()
        .expect("runs");
    assert!(!lone.status.success());
    assert!(String::from_utf8_lossy(&lone.stderr).contains("--audience"));
}
