//! Environment discovery against the real OpenID provider (oidc-provider) and an in-test
//! server playing Microsoft's two discovery APIs (Dataverse's Global Discovery Service,
//! Business Central's admin center API) that only answers bearer JWTs from that provider;
//! and `flowbench instance discover` end to end.

mod oidc_peer;

use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use flowbench::auth::{
    AuthError, AuthMethod, DiscoveredEnvironment, EnvironmentsError, InstanceAuth, InstanceProfile,
    Instances, InteractiveOptions, KeyringSecretStore, Secret, SecretKind, SecretStore,
    SignInPrompt, StoredTokens, add_discovered, discover_environments, profile_for,
};
use flowbench::odata::service_root::ServiceKind;
use oidc_peer::{NATIVE_CLIENT, OidcPeer, SERVICE_CLIENT, TestBrowser, try_jwt_claims};
use serde_json::{Value, json};
use url::Url;

const GDS_PATH: &str = "/api/discovery/v2.0/Instances";
const BC_PATH: &str = "/admin/v2.24/applications/environments";
const DATAVERSE_INSTANCES: &str = include_str!("fixtures/discovery/dataverse_instances.json");
const BC_ENVIRONMENTS: &str = include_str!("fixtures/discovery/bc_environments.json");
const TENANT: &str = "7e0c5c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b";

/// One request the discovery server saw.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    /// The token's `iss`, `sub` and `client_id` claims when it was a JWT.
    claims: Option<Value>,
}

struct ApiState {
    /// The only issuer whose tokens are accepted.
    issuer: String,
    /// Appended to Business Central environment names (unique names per test run).
    suffix: String,
    /// An error to answer instead of the environments (after the token check).
    failure: Mutex<Option<(StatusCode, Value)>>,
    seen: Mutex<Vec<Seen>>,
}

/// The discovery server: `http://127.0.0.1:PORT/` plays both APIs.
struct DiscoveryApi {
    base: String,
    state: Arc<ApiState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DiscoveryApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DiscoveryApi {
    async fn start(issuer: &str, suffix: &str) -> Self {
        let state = Arc::new(ApiState {
            issuer: issuer.to_owned(),
            suffix: suffix.to_owned(),
            failure: Mutex::new(None),
            seen: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route(GDS_PATH, get(environments))
            .route(BC_PATH, get(environments))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base = format!("http://{}/", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("serve");
        });
        Self { base, state, task }
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().expect("log").clone()
    }

    fn fail_with(&self, status: StatusCode, body: Value) {
        *self.state.failure.lock().expect("failure") = Some((status, body));
    }
}

fn odata_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

async fn environments(
    State(state): State<Arc<ApiState>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let claims = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(try_jwt_claims);
    state.seen.lock().expect("log").push(Seen {
        path: uri.path().to_owned(),
        claims: claims.clone(),
    });
    let Some(claims) = claims else {
        return odata_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Bearer JWT required",
        );
    };
    if claims["iss"] != state.issuer.as_str() {
        return odata_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            &format!("tokens from {} are not accepted", claims["iss"]),
        );
    }
    if let Some((status, body)) = state.failure.lock().expect("failure").clone() {
        return (status, axum::Json(body)).into_response();
    }
    if uri.path() == GDS_PATH {
        let body: Value = serde_json::from_str(DATAVERSE_INSTANCES).expect("fixture");
        return axum::Json(body).into_response();
    }
    let mut body: Value = serde_json::from_str(BC_ENVIRONMENTS).expect("fixture");
    for env in body["value"].as_array_mut().expect("value array") {
        let name = format!(
            "{}{}",
            env["name"].as_str().unwrap_or_default(),
            state.suffix
        );
        env["name"] = Value::String(name);
    }
    axum::Json(body).into_response()
}

fn mock_store() -> Arc<dyn SecretStore> {
    Arc::new(KeyringSecretStore::new(
        keyring_core::mock::Store::new().expect("mock store"),
        "mock",
    ))
}

fn profile(
    name: &str,
    kind: ServiceKind,
    url: &str,
    authority: &str,
    client_id: &str,
    auth: AuthMethod,
    discovery: &str,
) -> InstanceProfile {
    InstanceProfile::new(
        name,
        kind,
        url,
        Some(authority.to_owned()),
        None,
        Some(client_id.to_owned()),
        auth,
        vec!["api".to_owned()],
    )
    .and_then(|p| p.with_discovery_url(Some(discovery)))
    .expect("valid profile")
}

fn bc_service_profile(peer: &OidcPeer, api: &DiscoveryApi) -> InstanceProfile {
    profile(
        "bc",
        ServiceKind::BusinessCentral,
        &format!("https://api.businesscentral.dynamics.com/v2.0/{TENANT}/Production/api/v2.0/"),
        &peer.issuer,
        SERVICE_CLIENT,
        AuthMethod::ClientSecret,
        &api.base,
    )
}

fn with_secret(peer: &OidcPeer, name: &str) -> Arc<dyn SecretStore> {
    let store = mock_store();
    store
        .set(
            name,
            SecretKind::ClientSecret,
            &Secret::new(&peer.service_secret),
        )
        .expect("store secret");
    store
}

#[tokio::test]
async fn business_central_environments_via_client_credentials() {
    let peer = OidcPeer::start();
    let api = DiscoveryApi::start(&peer.issuer, "").await;
    let store = with_secret(&peer, "bc");
    let auth = InstanceAuth::new(bc_service_profile(&peer, &api), store.clone()).expect("auth");

    let found = discover_environments(&auth).await.expect("environments");
    let summary: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|e| (e.name.as_str(), e.id.as_str(), e.url.as_str()))
        .collect();
    let root = |env: &str| {
        format!("https://api.businesscentral.dynamics.com/v2.0/{TENANT}/{env}/api/v2.0/")
    };
    assert_eq!(
        summary,
        [
            ("Production", "Production", root("Production").as_str()),
            ("UAT Sandbox", "UAT-Sandbox", root("UAT-Sandbox").as_str()),
        ]
    );
    assert!(found.iter().all(|e| e.kind == ServiceKind::BusinessCentral));
    assert_eq!(
        found[0].detail,
        "Production · US · 25.4.29661.30214 · Active"
    );
    assert_eq!(found[1].detail, "Sandbox · US · 26.0.30643.0 · Active");

    let seen = api.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, BC_PATH);
    let claims = seen[0].claims.clone().expect("a JWT was sent");
    assert_eq!(claims["iss"], peer.issuer.as_str());
    assert_eq!(claims["client_id"], SERVICE_CLIENT);
    // A token for another API is not kept as the instance's token.
    assert!(
        StoredTokens::load(store.as_ref(), "bc")
            .expect("keyring")
            .is_none()
    );
}

/// Signs `auth` in with the browser flow, playing the browser.
async fn browser_sign_in(auth: Arc<InstanceAuth>) {
    let (tx, mut prompts) = tokio::sync::mpsc::unbounded_channel();
    let mut options = InteractiveOptions::new(Arc::new(move |prompt| {
        let _ = tx.send(prompt);
    }));
    options.open_browser = false;
    options.timeout = Duration::from_secs(60);
    let signing_in = tokio::spawn(async move { auth.sign_in(&options).await });
    let Some(SignInPrompt::OpenBrowser { url, .. }) = prompts.recv().await else {
        panic!("expected a browser prompt");
    };
    let (page, _) = TestBrowser::new().sign_in_through(&url, "erin").await;
    assert!(
        page.body.contains("Flowbench is signed in"),
        "{}",
        page.body
    );
    tokio::time::timeout(Duration::from_secs(30), signing_in)
        .await
        .expect("sign-in finishes")
        .expect("task")
        .expect("signed in");
}

#[tokio::test]
async fn dataverse_environments_via_a_delegated_sign_in_keep_the_instance_token() {
    let peer = OidcPeer::start();
    let api = DiscoveryApi::start(&peer.issuer, "").await;
    let store = mock_store();
    let base = profile(
        "dv",
        ServiceKind::Dataverse,
        "https://contoso-sales.crm.dynamics.com/api/data/v9.2/",
        &peer.issuer,
        NATIVE_CLIENT,
        AuthMethod::Browser,
        &api.base,
    );
    let auth = Arc::new(InstanceAuth::new(base, store.clone()).expect("auth"));
    browser_sign_in(auth.clone()).await;
    let before = StoredTokens::load(store.as_ref(), "dv")
        .expect("keyring")
        .expect("tokens");

    let found = discover_environments(&auth).await.expect("environments");
    let names: Vec<&str> = found.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Contoso (dev)", "Contoso Sales"], "sorted by name");
    assert_eq!(
        found[0].id, "contoso-dev",
        "the URL name names the instance"
    );
    assert_eq!(
        found[0].url.as_str(),
        "https://contoso-dev.crm4.dynamics.com/api/data/v9.2/"
    );
    assert_eq!(found[0].detail, "EMEA · 9.2.25021.00117 · Disabled");
    assert_eq!(
        found[1].url.as_str(),
        "https://contoso-sales.crm.dynamics.com/api/data/v9.2/"
    );
    assert!(found.iter().all(|e| e.kind == ServiceKind::Dataverse));
    let seen = api.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, GDS_PATH);
    let claims = seen[0].claims.clone().expect("a JWT was sent");
    assert_eq!(claims["sub"], "erin");
    assert_eq!(claims["iss"], peer.issuer.as_str());

    // The instance's own access token and expiry are untouched; the provider rotated the
    // refresh token and the new one was kept (it still renews the instance's token).
    let after = StoredTokens::load(store.as_ref(), "dv")
        .expect("keyring")
        .expect("tokens");
    assert_eq!(after.access_token, before.access_token);
    assert_eq!(after.expires_at, before.expires_at);
    assert_ne!(after.refresh_token, before.refresh_token, "rotated");
    let renewed = auth
        .silent_token(true)
        .await
        .expect("the saved refresh token works")
        .expect("token");
    assert_ne!(renewed.secret(), before.access_token.expose());
}

#[tokio::test]
async fn not_signed_in_is_a_clear_error_and_calls_nothing() {
    let api = DiscoveryApi::start("http://127.0.0.1:9", "").await;
    let base = profile(
        "nobody",
        ServiceKind::Dataverse,
        "https://contoso-sales.crm.dynamics.com/api/data/v9.2/",
        "http://127.0.0.1:9",
        NATIVE_CLIENT,
        AuthMethod::DeviceCode,
        &api.base,
    );
    let auth = InstanceAuth::new(base, mock_store()).expect("auth");
    let error = discover_environments(&auth)
        .await
        .expect_err("not signed in");
    assert!(
        matches!(&error, EnvironmentsError::Auth(AuthError::NotSignedIn(name)) if name == "nobody"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("flowbench signin nobody"),
        "{error}"
    );

    // An instance without sign-in has nothing to get a token with.
    let open = InstanceProfile::new(
        "open",
        ServiceKind::BusinessCentral,
        &format!("https://api.businesscentral.dynamics.com/v2.0/{TENANT}/Production/api/v2.0/"),
        None,
        None,
        None,
        AuthMethod::None,
        Vec::new(),
    )
    .and_then(|p| p.with_discovery_url(Some(&api.base)))
    .expect("profile");
    let auth = InstanceAuth::new(open, mock_store()).expect("auth");
    let error = discover_environments(&auth).await.expect_err("no sign-in");
    assert!(
        matches!(&error, EnvironmentsError::Auth(AuthError::Config { .. })),
        "{error:?}"
    );
    assert!(error.to_string().contains("no sign-in"), "{error}");
    assert!(api.seen().is_empty());
}

#[tokio::test]
async fn errors_of_the_discovery_api_surface_with_their_message() {
    let peer = OidcPeer::start();
    // A server that trusts another issuer answers 401 with an OData error.
    let strict = DiscoveryApi::start("https://login.example.com/other", "").await;
    let auth = InstanceAuth::new(bc_service_profile(&peer, &strict), with_secret(&peer, "bc"))
        .expect("auth");
    let error = discover_environments(&auth).await.expect_err("refused");
    let EnvironmentsError::Service {
        status, message, ..
    } = &error
    else {
        panic!("expected the service's error, got {error:?}");
    };
    assert_eq!(*status, 401);
    assert!(
        message.starts_with("InvalidAuthenticationToken: tokens from"),
        "{message}"
    );
    assert!(
        error
            .to_string()
            .contains("Business Central admin center API answered 401"),
        "{error}"
    );

    // A failing server: Business Central's admin API puts code and message at the top level.
    let api = DiscoveryApi::start(&peer.issuer, "").await;
    api.fail_with(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({"code": "InternalServerError", "message": "The environment service is unavailable."}),
    );
    let auth =
        InstanceAuth::new(bc_service_profile(&peer, &api), with_secret(&peer, "bc")).expect("auth");
    let error = discover_environments(&auth).await.expect_err("500");
    assert!(
        matches!(&error, EnvironmentsError::Service { status: 500, message, .. }
            if message == "InternalServerError: The environment service is unavailable."),
        "{error:?}"
    );
    assert_eq!(api.seen().len(), 1);
}

#[tokio::test]
async fn finance_and_operations_has_no_documented_api() {
    let api = DiscoveryApi::start("http://127.0.0.1:9", "").await;
    for (kind, url) in [
        (
            ServiceKind::FinanceOperations,
            "contoso.operations.dynamics.com",
        ),
        (ServiceKind::GenericOData, "https://odata.example.com/svc/"),
    ] {
        let base = profile(
            "fo",
            kind,
            url,
            "http://127.0.0.1:9",
            NATIVE_CLIENT,
            AuthMethod::Browser,
            &api.base,
        );
        let auth = InstanceAuth::new(base, mock_store()).expect("auth");
        let error = discover_environments(&auth).await.expect_err("no API");
        assert!(
            matches!(error, EnvironmentsError::NotSupported(label) if label == kind.label()),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("Microsoft documents no API"),
            "{error}"
        );
    }
    assert!(api.seen().is_empty());
}

#[tokio::test]
async fn discovered_environments_become_profiles_that_sign_in_like_the_base() {
    let base = InstanceProfile::new(
        "contoso",
        ServiceKind::BusinessCentral,
        &format!("https://api.businesscentral.dynamics.com/v2.0/{TENANT}/Production/api/v2.0/"),
        None,
        Some("contoso.onmicrosoft.com".to_owned()),
        Some("app-id".to_owned()),
        AuthMethod::ClientSecret,
        vec!["custom-scope".to_owned()],
    )
    .and_then(|p| p.with_discovery_url(Some("https://bc.sovereign.example/")))
    .expect("base");
    let environment = |id: &str| DiscoveredEnvironment {
        name: id.to_owned(),
        id: id.to_owned(),
        kind: ServiceKind::BusinessCentral,
        url: Url::parse(&format!(
            "https://api.businesscentral.dynamics.com/v2.0/{TENANT}/{}/api/v2.0/",
            id.replace(' ', "%20")
        ))
        .expect("URL"),
        detail: String::new(),
    };
    let sandbox = profile_for(&base, &environment("My Sandbox (EU)")).expect("profile");
    assert_eq!(sandbox.name, "My-Sandbox-EU");
    assert_eq!(
        sandbox.url.as_str(),
        format!(
            "https://api.businesscentral.dynamics.com/v2.0/{TENANT}/My%20Sandbox%20(EU)/api/v2.0/"
        )
    );
    assert_eq!(sandbox.tenant, base.tenant);
    assert_eq!(sandbox.client_id, base.client_id);
    assert_eq!(sandbox.auth, AuthMethod::ClientSecret);
    assert_eq!(sandbox.discovery_url, base.discovery_url);
    assert!(sandbox.scopes.is_empty(), "the kind's default scope");
    assert_eq!(
        sandbox.effective_scopes(),
        ["https://api.businesscentral.dynamics.com/.default"]
    );

    // Adding: the base's own environment is saved already; the others are added with a copy
    // of the client secret.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut instances = Instances::load(dir.path()).expect("instances");
    instances.upsert(base.clone());
    let store = mock_store();
    store
        .set("contoso", SecretKind::ClientSecret, &Secret::new("s3cret"))
        .expect("secret");
    let found = [
        environment("Production"),
        environment("My Sandbox (EU)"),
        environment("UAT"),
    ];
    let added = add_discovered(&mut instances, &base, &found, store.as_ref()).expect("added");
    let names: Vec<&str> = added.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["My-Sandbox-EU", "UAT"]);
    assert_eq!(instances.list().len(), 3);
    for name in names {
        let secret = store
            .get(name, SecretKind::ClientSecret)
            .expect("keyring")
            .expect("copied secret");
        assert_eq!(secret.expose(), "s3cret");
    }
    let again = add_discovered(&mut instances, &base, &found, store.as_ref()).expect("again");
    assert!(again.is_empty(), "nothing new");
}

fn flowbench(config_dir: &std::path::Path, args: &[&str]) -> Command {
    // FLOWBENCH_BIN lets a shared target directory's binary be pinned to this build.
    let mut command = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => Command::new(path),
        None => Command::new(assert_cmd::cargo::cargo_bin("flowbench")),
    };
    command
        .args(args)
        .env("FLOWBENCH_CONFIG_DIR", config_dir)
        .env("FLOWBENCH_KEYRING", "keyutils")
        .stdin(Stdio::null());
    command
}

/// Runs a command off the async runtime (the servers keep serving meanwhile).
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("flowbench runs"))
        .await
        .expect("blocking task")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_discover_lists_and_adds_environments() {
    let peer = OidcPeer::start();
    // Unique environment (= instance) names: the keyutils keyring is shared by parallel runs.
    let suffix = format!("-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let api = DiscoveryApi::start(&peer.issuer, &suffix).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let base = format!("bc{suffix}");
    let root = format!(
        "https://api.businesscentral.dynamics.com/v2.0/{TENANT}/Production{suffix}/api/v2.0/"
    );
    let mut add = flowbench(
        dir.path(),
        &[
            "instance",
            "add",
            &base,
            "--kind",
            "business-central",
            "--url",
            &root,
            "--authority",
            &peer.issuer,
            "--client-id",
            SERVICE_CLIENT,
            "--client-secret-env",
            "TEST_CLIENT_SECRET",
            "--scope",
            "api",
            "--discovery-url",
            &api.base,
        ],
    );
    add.env("TEST_CLIENT_SECRET", &peer.service_secret);
    let out = run(add).await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = run(flowbench(dir.path(), &["instance", "discover", &base])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("NAME") && lines[0].contains("DETAIL"),
        "{table}"
    );
    assert!(
        lines[1].starts_with("Production") && lines[1].contains(&root),
        "{table}"
    );
    assert!(
        lines[2].starts_with("UAT Sandbox") && lines[2].contains("Sandbox · US"),
        "{table}"
    );

    let out = run(flowbench(
        dir.path(),
        &["instance", "discover", &base, "--json"],
    ))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON array");
    let sandbox = format!("UAT-Sandbox{suffix}");
    assert_eq!(json[1]["id"], sandbox.as_str());
    assert_eq!(json[1]["instance"], sandbox.as_str());
    assert_eq!(json[1]["kind"], "business-central");
    assert_eq!(
        json[1]["url"],
        format!("https://api.businesscentral.dynamics.com/v2.0/{TENANT}/{sandbox}/api/v2.0/")
    );

    let out = run(flowbench(
        dir.path(),
        &["instance", "discover", &base, "--add"],
    ))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The base's own environment (same service root) is saved already.
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("added instance {sandbox} (")),
        "{stderr}"
    );
    assert!(!stderr.contains("added instance Production"), "{stderr}");
    assert!(stderr.contains("1 added, 1 already saved"), "{stderr}");
    let saved = Instances::load(dir.path()).expect("instances");
    assert_eq!(saved.list().len(), 2);
    let added = saved.get(&sandbox).expect("saved sandbox");
    assert_eq!(added.auth, AuthMethod::ClientSecret);
    assert_eq!(
        added.discovery_url.as_ref().map(Url::as_str),
        Some(api.base.as_str())
    );

    // An added instance signs in with the copied client secret.
    let out = run(flowbench(
        dir.path(),
        &["instance", "discover", &sandbox, "--json"],
    ))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(flowbench(
        dir.path(),
        &["instance", "discover", &base, "--add"],
    ))
    .await;
    assert!(
        text(&out.stderr).contains("0 added, 2 already saved"),
        "{}",
        text(&out.stderr)
    );

    // A failing API exits 3 with its message.
    api.fail_with(
        StatusCode::FORBIDDEN,
        json!({"code": "Forbidden", "message": "The app is not authorized in the admin center."}),
    );
    let out = run(flowbench(dir.path(), &["instance", "discover", &base])).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("403: Forbidden: The app is not authorized"),
        "{}",
        text(&out.stderr)
    );

    for name in [&base, &sandbox] {
        let out = run(flowbench(dir.path(), &["instance", "remove", name])).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_discover_usage_errors_exit_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(flowbench(dir.path(), &["instance", "discover", "nobody"])).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no saved instance named 'nobody'"));

    let name = format!("fo-{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let out = run(flowbench(
        dir.path(),
        &[
            "instance",
            "add",
            &name,
            "--url",
            "contoso.operations.dynamics.com",
        ],
    ))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(flowbench(dir.path(), &["instance", "discover", &name])).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "Microsoft documents no API that lists a tenant's Finance & Operations environments"
        ),
        "{stderr}"
    );
    let out = run(flowbench(
        dir.path(),
        &[
            "instance",
            "add",
            "x",
            "--url",
            "h.example.com",
            "--discovery-url",
            "http://disco.example.com/",
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("invalid discovery URL"),
        "{}",
        text(&out.stderr)
    );
}
