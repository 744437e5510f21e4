//! The sign-in command line end to end: `instance add/list/remove`, `signin` (client secret,
//! browser), `signout`, and engine commands with `--instance NAME` against the demo instance
//! validating the real provider's JWTs. Secrets go to the kernel keyutils store
//! (`FLOWBENCH_KEYRING=keyutils`, the headless Linux backend) under unique instance names.

mod oidc_peer;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use flowbench::demo::auth::{AuthMode, BearerConfig};
use flowbench::demo::{DemoConfig, DemoServer, RunningDemo};
use oidc_peer::{AUDIENCE, NATIVE_CLIENT, OidcPeer, PeerSettings, SERVICE_CLIENT, TestBrowser};
use url::Url;

fn flowbench(config_dir: &Path) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("flowbench"));
    command
        .env("FLOWBENCH_CONFIG_DIR", config_dir)
        .env("FLOWBENCH_KEYRING", "keyutils")
        .stdin(Stdio::null());
    command
}

/// Runs a command off the async runtime (the demo serves on it meanwhile).
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("flowbench runs"))
        .await
        .expect("blocking task")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn protected_demo(peer: &OidcPeer) -> RunningDemo {
    DemoServer::start(DemoConfig {
        rows: 20,
        auth: AuthMode::Bearer(BearerConfig {
            issuer: peer.issuer.clone(),
            audience: AUDIENCE.to_owned(),
        }),
        ..DemoConfig::default()
    })
    .await
    .expect("demo starts")
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

async fn add_service_instance(
    dir: &Path,
    name: &str,
    peer: &OidcPeer,
    root: &str,
    secret: &str,
) -> Output {
    let mut add = flowbench(dir);
    add.args(["instance", "add", name, "--kind", "fno", "--url", root])
        .args(["--authority", &peer.issuer, "--client-id", SERVICE_CLIENT])
        .args([
            "--client-secret-env",
            "TEST_CLIENT_SECRET",
            "--scope",
            "api",
        ])
        .env("TEST_CLIENT_SECRET", secret);
    run(add).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_secret_instance_signs_in_and_lists_protected_records() {
    let peer = OidcPeer::start();
    let demo = protected_demo(&peer).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let name = unique("svc");

    let added = add_service_instance(
        dir.path(),
        &name,
        &peer,
        demo.service_root(),
        &peer.service_secret,
    )
    .await;
    assert!(added.status.success(), "{}", text(&added.stderr));
    let saved = std::fs::read_to_string(dir.path().join("instances.json")).expect("instances file");
    assert!(saved.contains(&name) && saved.contains(SERVICE_CLIENT));
    assert!(
        !saved.contains(&peer.service_secret),
        "no secret in the config file"
    );

    let mut list = flowbench(dir.path());
    list.args(["instance", "list"]);
    let listed = run(list).await;
    assert!(text(&listed.stdout).contains(&name));
    assert!(text(&listed.stdout).contains("client-secret"));

    // Without a token the demo refuses; the saved instance signs in silently.
    let anonymous = reqwest::get(format!("{}CustomersV3", demo.service_root()))
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);
    let mut records = flowbench(dir.path());
    records.args(["list", "CustomersV3", "--instance", &name, "--top", "3"]);
    let out = run(records).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON records");
    assert_eq!(json.as_array().map(Vec::len), Some(3), "{json}");

    let mut signin = flowbench(dir.path());
    signin.args(["signin", &name]);
    let out = run(signin).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Signed in"));

    let mut signout = flowbench(dir.path());
    signout.args(["signout", &name]);
    assert!(run(signout).await.status.success());
    let mut remove = flowbench(dir.path());
    remove.args(["instance", "remove", &name]);
    assert!(run(remove).await.status.success());
    let mut again = flowbench(dir.path());
    again.args(["instance", "remove", &name]);
    assert_eq!(run(again).await.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_exits_3_with_the_provider_error() {
    let peer = OidcPeer::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let name = unique("bad");
    let added = add_service_instance(
        dir.path(),
        &name,
        &peer,
        "http://127.0.0.1:9/data/",
        "wrong",
    )
    .await;
    assert!(added.status.success(), "{}", text(&added.stderr));

    let mut signin = flowbench(dir.path());
    signin.args(["signin", &name]);
    let out = run(signin).await;
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("invalid_client: client authentication failed"),
        "{stderr}"
    );

    // An engine command with the instance fails the same way, before any request.
    let mut records = flowbench(dir.path());
    records.args(["list", "CustomersV3", "--instance", &name]);
    let out = run(records).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("invalid_client"),
        "{}",
        text(&out.stderr)
    );

    let mut remove = flowbench(dir.path());
    remove.args(["instance", "remove", &name]);
    assert!(run(remove).await.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_on_the_command_line_then_list() {
    let peer = OidcPeer::start();
    let demo = protected_demo(&peer).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let name = unique("user");
    let mut add = flowbench(dir.path());
    add.args([
        "instance",
        "add",
        &name,
        "--kind",
        "fno",
        "--url",
        demo.service_root(),
    ])
    .args([
        "--authority",
        &peer.issuer,
        "--client-id",
        NATIVE_CLIENT,
        "--scope",
        "api",
    ]);
    let added = run(add).await;
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("sign-in: browser"));

    // Before signing in, engine commands say so (exit 3).
    let mut early = flowbench(dir.path());
    early.args(["entities", "--instance", &name]);
    let out = run(early).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("not signed in"),
        "{}",
        text(&out.stderr)
    );

    let mut signin = flowbench(dir.path());
    signin
        .args(["signin", &name, "--no-browser"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = signin.spawn().expect("signin starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("browser".into())
        .spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        })
        .expect("thread starts");
    let url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the sign-in URL is printed");
        if let Ok(url) = Url::parse(line.trim())
            && url.as_str().starts_with(&peer.issuer)
        {
            break url;
        }
    };
    let (page, _) = TestBrowser::new().sign_in_through(&url, "carol").await;
    assert!(
        page.body.contains("Flowbench is signed in"),
        "{}",
        page.body
    );
    let status = tokio::task::spawn_blocking(move || child.wait().expect("signin exits"))
        .await
        .expect("task");
    assert!(status.success());

    let mut records = flowbench(dir.path());
    records.args(["list", "CustomersV3", "--instance", &name, "--top", "2"]);
    let out = run(records).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json.as_array().map(Vec::len), Some(2));

    let mut signout = flowbench(dir.path());
    signout.args(["signout", &name]);
    assert!(run(signout).await.status.success());
    let mut after = flowbench(dir.path());
    after.args(["entities", "--instance", &name]);
    let out = run(after).await;
    assert_eq!(out.status.code(), Some(3), "signed out");
    let mut remove = flowbench(dir.path());
    remove.args(["instance", "remove", &name]);
    assert!(run(remove).await.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_refuses_tokens_from_another_provider_and_audience() {
    let peer = OidcPeer::start();
    let other = OidcPeer::start_with(&PeerSettings {
        audience: "api://someone-else".to_owned(),
        ..PeerSettings::default()
    });
    let demo = protected_demo(&peer).await;
    let dir = tempfile::tempdir().expect("temp dir");
    // Valid tokens, but from another issuer (other signing keys) for another audience.
    let name = unique("other");
    let added = add_service_instance(
        dir.path(),
        &name,
        &other,
        demo.service_root(),
        &other.service_secret,
    )
    .await;
    assert!(added.status.success());
    let mut records = flowbench(dir.path());
    records.args(["list", "CustomersV3", "--instance", &name]);
    let out = run(records).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("401"), "{}", text(&out.stderr));
    let mut remove = flowbench(dir.path());
    remove.args(["instance", "remove", &name]);
    assert!(run(remove).await.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_in_the_middle_of_a_run_refreshes_once_and_retries() {
    use std::sync::Arc;

    use flowbench::auth::{
        InstanceAuth, InstanceProfile, InstanceTokenProvider, InteractiveOptions,
        KeyringSecretStore, SecretStore, StoredTokens,
    };
    use flowbench::odata::client::ODataClient;
    use flowbench::odata::service_root::ServiceKind;

    let peer = OidcPeer::start();
    let demo = protected_demo(&peer).await;
    let store: Arc<dyn SecretStore> = Arc::new(KeyringSecretStore::new(
        keyring_core::mock::Store::new().expect("mock store"),
        "mock",
    ));
    let profile = InstanceProfile::new(
        "run",
        ServiceKind::FinanceOperations,
        demo.service_root(),
        Some(peer.issuer.clone()),
        None,
        Some(NATIVE_CLIENT.to_owned()),
        flowbench::auth::AuthMethod::DeviceCode,
        vec!["api".to_owned()],
    )
    .expect("profile");
    let auth = Arc::new(InstanceAuth::new(profile, store.clone()).expect("auth"));

    // Sign in with the device code, approving in the scripted browser.
    let (tx, mut prompts) = tokio::sync::mpsc::unbounded_channel();
    let options = InteractiveOptions::new(Arc::new(move |prompt| {
        let _ = tx.send(prompt);
    }));
    let signing_in = {
        let auth = auth.clone();
        tokio::spawn(async move { auth.sign_in(&options).await })
    };
    let Some(flowbench::auth::SignInPrompt::DeviceCode {
        verification_uri_complete: Some(complete),
        ..
    }) = prompts.recv().await
    else {
        panic!("expected a device code prompt");
    };
    let complete = Url::parse(&complete).expect("URL");
    TestBrowser::new().sign_in_through(&complete, "dave").await;
    tokio::time::timeout(Duration::from_secs(60), signing_in)
        .await
        .expect("finishes")
        .expect("task")
        .expect("signed in");

    // The stored access token looks fresh but the server no longer accepts it (as after a
    // key rollover mid-run): the client gets a 401, renews once and retries.
    let mut tokens = StoredTokens::load(store.as_ref(), "run")
        .expect("keyring")
        .expect("tokens");
    let good_refresh = tokens.refresh_token.clone();
    tokens.access_token = flowbench::auth::Secret::new("not-a-valid-jwt");
    tokens.save(store.as_ref(), "run").expect("save");

    let client = ODataClient::new(
        demo.service_root(),
        Arc::new(InstanceTokenProvider::new(auth)),
    )
    .expect("client");
    let sets = client
        .entity_sets()
        .await
        .expect("retried with a renewed token");
    assert!(sets.iter().any(|s| s.name == "CustomersV3"));
    let renewed = StoredTokens::load(store.as_ref(), "run")
        .expect("keyring")
        .expect("tokens");
    assert_ne!(renewed.access_token.expose(), "not-a-valid-jwt");
    assert_ne!(renewed.refresh_token, good_refresh, "rotated on refresh");
}

#[tokio::test]
async fn instance_add_usage_errors_exit_1_and_save_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [&[&str]; 4] = [
        // The secret's variable is not set.
        &[
            "x",
            "--url",
            "h.example.com",
            "--tenant",
            "t",
            "--client-id",
            "c",
            "--client-secret-env",
            "FLOWBENCH_TEST_UNSET_VAR",
        ],
        // http to a non-loopback host.
        &["x", "--url", "http://contoso.operations.dynamics.com"],
        // A sign-in method without a client ID.
        &[
            "x",
            "--url",
            "h.example.com",
            "--tenant",
            "t",
            "--auth",
            "device-code",
        ],
        // A kind that needs the full service root.
        &["x", "--kind", "dataverse", "--url", "org.crm.dynamics.com"],
    ];
    for args in cases {
        let mut add = flowbench(dir.path());
        add.args(["instance", "add"])
            .args(args)
            .env_remove("FLOWBENCH_TEST_UNSET_VAR");
        let out = run(add).await;
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stderr).starts_with("error: "), "{args:?}");
    }
    assert!(!dir.path().join("instances.json").exists());

    let mut signin = flowbench(dir.path());
    signin.args(["signin", "nobody"]);
    let out = run(signin).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no saved instance named 'nobody'"));

    let mut list = flowbench(dir.path());
    list.args(["instance", "list"]);
    let out = run(list).await;
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("no saved instances"));
}
