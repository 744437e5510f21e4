//! The app-registration checklist against the demo instance validating a real OpenID
//! provider's tokens (oidc-provider): all items pass for a registered service client, and each
//! failure (wrong audience, unknown client, unregistered in F&O, no roles, redirect URI) is
//! found by the item it belongs to, with what to fix where. Then `flowbench instance check`
//! end to end (exit 0 and exit 4).

mod oidc_peer;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use flowbench::auth::{
    AuthMethod, InstanceProfile, KeyringSecretStore, Secret, SecretKind, SecretStore,
};
use flowbench::connector::setup_check::{CheckItem, CheckStatus, Checklist, check_instance};
use flowbench::demo::aad_apps::{AadApplication, AadApplications};
use flowbench::demo::auth::{AuthMode, BearerConfig};
use flowbench::demo::{DemoConfig, DemoServer, RunningDemo};
use flowbench::odata::service_root::ServiceKind;
use oidc_peer::{AUDIENCE, NATIVE_CLIENT, OidcPeer, PeerSettings, SERVICE_CLIENT};

async fn demo(peer: &OidcPeer, apps: &[&str]) -> RunningDemo {
    let applications = apps
        .iter()
        .map(|a| a.parse::<AadApplication>().expect("application"))
        .collect();
    DemoServer::start(DemoConfig {
        rows: 5,
        auth: AuthMode::Bearer(BearerConfig {
            issuer: peer.issuer.clone(),
            audience: AUDIENCE.to_owned(),
        }),
        applications: AadApplications(applications),
        ..DemoConfig::default()
    })
    .await
    .expect("demo starts")
}

fn profile(peer: &OidcPeer, root: &str, client_id: &str, auth: AuthMethod) -> InstanceProfile {
    InstanceProfile::new(
        "check",
        ServiceKind::FinanceOperations,
        root,
        Some(peer.issuer.clone()),
        None,
        Some(client_id.to_owned()),
        auth,
        vec!["api".to_owned()],
    )
    .expect("valid profile")
}

fn store_with_secret(secret: &str) -> Arc<dyn SecretStore> {
    let store: Arc<dyn SecretStore> = Arc::new(KeyringSecretStore::new(
        keyring_core::mock::Store::new().expect("mock store"),
        "mock",
    ));
    store
        .set("check", SecretKind::ClientSecret, &Secret::new(secret))
        .expect("store secret");
    store
}

fn status(checklist: &Checklist, item: CheckItem) -> CheckStatus {
    checklist.result(item).expect("item present").status
}

/// The item's text: what was checked and what to fix.
fn said(checklist: &Checklist, item: CheckItem) -> String {
    let result = checklist.result(item).expect("item present");
    format!(
        "{} | {}",
        result.checked,
        result.fix.clone().unwrap_or_default()
    )
}

fn no_secret_in(checklist: &Checklist, secret: &str) {
    let json = serde_json::to_string(checklist).expect("json");
    assert!(!json.contains(secret), "the secret leaked: {json}");
    assert!(!json.contains("eyJ"), "a token leaked: {json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_service_client_passes_every_item() {
    let peer = OidcPeer::start();
    let demo = demo(
        &peer,
        &[&format!(
            "{SERVICE_CLIENT}=IntegrationUser:SystemUser,CustCustomerMaintain"
        )],
    )
    .await;
    let p = profile(
        &peer,
        demo.service_root(),
        SERVICE_CLIENT,
        AuthMethod::ClientSecret,
    );
    let checklist = check_instance(&p, store_with_secret(&peer.service_secret)).await;
    assert!(checklist.passed(), "{checklist:#?}");
    for item in [
        CheckItem::ClientId,
        CheckItem::Authority,
        CheckItem::ClientSecret,
        CheckItem::Token,
        CheckItem::Audience,
        CheckItem::Metadata,
        CheckItem::TestRead,
        CheckItem::LeastPrivilege,
    ] {
        assert_eq!(
            status(&checklist, item),
            CheckStatus::Passed,
            "{item:?}: {checklist:#?}"
        );
    }
    assert_eq!(
        status(&checklist, CheckItem::RedirectUri),
        CheckStatus::Skipped
    );
    assert!(said(&checklist, CheckItem::Audience).contains(AUDIENCE));
    assert!(said(&checklist, CheckItem::TestRead).contains("as the service user"));
    assert!(said(&checklist, CheckItem::LeastPrivilege).contains("CustCustomerMaintain"));
    no_secret_in(&checklist, &peer.service_secret);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_registrations_every_client_is_an_administrator_and_warned() {
    let peer = OidcPeer::start();
    let demo = demo(&peer, &[]).await;
    let p = profile(
        &peer,
        demo.service_root(),
        SERVICE_CLIENT,
        AuthMethod::ClientSecret,
    );
    let checklist = check_instance(&p, store_with_secret(&peer.service_secret)).await;
    assert!(checklist.passed(), "{checklist:#?}");
    assert_eq!(
        status(&checklist, CheckItem::LeastPrivilege),
        CheckStatus::Warning
    );
    let text = said(&checklist, CheckItem::LeastPrivilege);
    assert!(
        text.contains("-SYSADMIN-") && text.contains("Assign roles"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_for_another_audience_fails_the_audience_item() {
    let peer = OidcPeer::start_with(&PeerSettings {
        audience: "api://another-service".to_owned(),
        ..PeerSettings::default()
    });
    let demo = demo(&peer, &[]).await;
    let p = profile(
        &peer,
        demo.service_root(),
        SERVICE_CLIENT,
        AuthMethod::ClientSecret,
    );
    let checklist = check_instance(&p, store_with_secret(&peer.service_secret)).await;
    assert!(!checklist.passed());
    assert_eq!(status(&checklist, CheckItem::Token), CheckStatus::Passed);
    assert_eq!(status(&checklist, CheckItem::Audience), CheckStatus::Failed);
    let text = said(&checklist, CheckItem::Audience);
    assert!(text.contains("'api://another-service'"), "{text}");
    assert!(text.contains("audience (aud) is not accepted"), "{text}");
    assert!(text.contains("https://HOST/.default"), "{text}");
    assert_eq!(
        status(&checklist, CheckItem::Metadata),
        CheckStatus::Skipped
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_client_fails_the_token_item() {
    let peer = OidcPeer::start();
    let demo = demo(&peer, &[]).await;
    let p = profile(
        &peer,
        demo.service_root(),
        "no-such-client",
        AuthMethod::ClientSecret,
    );
    let checklist = check_instance(&p, store_with_secret("whatever")).await;
    assert_eq!(status(&checklist, CheckItem::ClientId), CheckStatus::Passed);
    assert_eq!(status(&checklist, CheckItem::Token), CheckStatus::Failed);
    let text = said(&checklist, CheckItem::Token);
    assert!(text.contains("invalid_client"), "{text}");
    assert!(
        text.contains("does not know the client ID 'no-such-client'"),
        "{text}"
    );
    assert!(text.contains("App registrations"), "{text}");
    for item in [
        CheckItem::Audience,
        CheckItem::Metadata,
        CheckItem::TestRead,
    ] {
        assert_eq!(status(&checklist, item), CheckStatus::Skipped, "{item:?}");
    }
    no_secret_in(&checklist, "whatever");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_not_registered_in_fno_is_refused_with_where_to_register_it() {
    let peer = OidcPeer::start();
    let demo = demo(&peer, &["some-other-app=Someone:SystemUser"]).await;
    let p = profile(
        &peer,
        demo.service_root(),
        SERVICE_CLIENT,
        AuthMethod::ClientSecret,
    );
    let checklist = check_instance(&p, store_with_secret(&peer.service_secret)).await;
    assert_eq!(status(&checklist, CheckItem::Audience), CheckStatus::Passed);
    assert_eq!(status(&checklist, CheckItem::Metadata), CheckStatus::Failed);
    let text = said(&checklist, CheckItem::Metadata);
    assert!(text.contains("HTTP 401"), "{text}");
    assert!(
        text.contains("not registered in Microsoft Entra ID applications"),
        "{text}"
    );
    assert!(
        text.contains("System administration > Setup > Microsoft Entra ID applications"),
        "{text}"
    );
    assert!(text.contains(SERVICE_CLIENT), "{text}");
    assert_eq!(
        status(&checklist, CheckItem::TestRead),
        CheckStatus::Skipped
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_user_without_roles_fails_the_test_read() {
    let peer = OidcPeer::start();
    let demo = demo(&peer, &[&format!("{SERVICE_CLIENT}=IntegrationUser")]).await;
    let p = profile(
        &peer,
        demo.service_root(),
        SERVICE_CLIENT,
        AuthMethod::ClientSecret,
    );
    let checklist = check_instance(&p, store_with_secret(&peer.service_secret)).await;
    assert_eq!(status(&checklist, CheckItem::Metadata), CheckStatus::Passed);
    assert_eq!(status(&checklist, CheckItem::TestRead), CheckStatus::Failed);
    let text = said(&checklist, CheckItem::TestRead);
    assert!(text.contains("HTTP 403"), "{text}");
    assert!(text.contains("IntegrationUser"), "{text}");
    assert!(text.contains("has no security roles"), "{text}");
    assert!(text.contains("Assign roles"), "{text}");
    assert_eq!(
        status(&checklist, CheckItem::LeastPrivilege),
        CheckStatus::Skipped
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_redirect_uri_is_checked_at_the_provider() {
    let peer = OidcPeer::start();
    let demo = demo(&peer, &[]).await;
    let store = store_with_secret("unused");
    // The native client has the loopback redirect registered.
    let native = profile(
        &peer,
        demo.service_root(),
        NATIVE_CLIENT,
        AuthMethod::Browser,
    );
    let checklist = check_instance(&native, store.clone()).await;
    assert_eq!(
        status(&checklist, CheckItem::RedirectUri),
        CheckStatus::Passed,
        "{checklist:#?}"
    );
    // Never signed in: the token item says how to sign in.
    assert_eq!(status(&checklist, CheckItem::Token), CheckStatus::Failed);
    assert!(said(&checklist, CheckItem::Token).contains("flowbench signin check"));
    // The service client has no redirect URI at all.
    let service = profile(
        &peer,
        demo.service_root(),
        SERVICE_CLIENT,
        AuthMethod::Browser,
    );
    let checklist = check_instance(&service, store).await;
    assert_eq!(
        status(&checklist, CheckItem::RedirectUri),
        CheckStatus::Failed,
        "{checklist:#?}"
    );
    let text = said(&checklist, CheckItem::RedirectUri);
    assert!(
        text.contains("refused the redirect URI http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("Mobile and desktop applications"), "{text}");
}

fn flowbench(config_dir: &Path) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("flowbench"));
    command
        .env("FLOWBENCH_CONFIG_DIR", config_dir)
        .env("FLOWBENCH_KEYRING", "keyutils")
        .stdin(Stdio::null());
    command
}

async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("flowbench runs"))
        .await
        .expect("blocking task")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_check_on_the_command_line_exits_0_then_4() {
    let peer = OidcPeer::start();
    let demo = demo(
        &peer,
        &[&format!("{SERVICE_CLIENT}=IntegrationUser:SystemUser")],
    )
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let name = format!("chk-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let add = |name: &str, client: &str| {
        let mut add = flowbench(dir.path());
        add.args([
            "instance",
            "add",
            name,
            "--kind",
            "fno",
            "--url",
            demo.service_root(),
        ])
        .args(["--authority", &peer.issuer, "--client-id", client])
        .args(["--client-secret-env", "TEST_SECRET", "--scope", "api"])
        .env("TEST_SECRET", &peer.service_secret);
        add
    };
    let added = run(add(&name, SERVICE_CLIENT)).await;
    assert!(added.status.success(), "{}", text(&added.stderr));

    let mut check = flowbench(dir.path());
    check.args(["instance", "check", &name]);
    let out = run(check).await;
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("[ok]   Token obtained"), "{stdout}");
    assert!(
        stdout.contains("[ok]   Test read as the service user"),
        "{stdout}"
    );
    assert!(!stdout.contains(&peer.service_secret));

    let mut json = flowbench(dir.path());
    json.args(["instance", "check", &name, "--json"]);
    let out = run(json).await;
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON checklist");
    assert_eq!(value["results"][4]["item"], "token");
    assert_eq!(value["results"][4]["status"], "passed");

    // A client the provider does not know: exit 4, the token item explains.
    let unknown = format!("{name}-x");
    let added = run(add(&unknown, "no-such-client")).await;
    assert!(added.status.success(), "{}", text(&added.stderr));
    let mut check = flowbench(dir.path());
    check.args(["instance", "check", &unknown]);
    let out = run(check).await;
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("[FAIL] Token obtained"), "{stdout}");
    assert!(
        stdout.contains("fix: the identity provider does not know the client ID"),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("set-up checks failed"),
        "{}",
        text(&out.stderr)
    );

    let mut missing = flowbench(dir.path());
    missing.args(["instance", "check", "nobody-here"]);
    assert_eq!(run(missing).await.status.code(), Some(1));

    for instance in [&name, &unknown] {
        let mut remove = flowbench(dir.path());
        remove.args(["instance", "remove", instance]);
        assert!(run(remove).await.status.success());
    }
}

/// Kills the demo process when the test ends (by its PID), even on failure.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `flowbench demo --issuer … --audience … --app …` as a process; returns it and its root.
fn spawn_demo(peer: &OidcPeer, apps: &[&str]) -> (KillOnDrop, String) {
    use std::io::{BufRead, BufReader};
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("flowbench"));
    command
        .args([
            "demo",
            "--rows",
            "5",
            "--issuer",
            &peer.issuer,
            "--audience",
            AUDIENCE,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for app in apps {
        command.args(["--app", app]);
    }
    let mut child = command.spawn().expect("flowbench demo starts");
    let stdout = child.stdout.take().expect("stdout");
    let guard = KillOnDrop(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("demo-output".into())
        .spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        })
        .expect("thread starts");
    let line = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the demo prints its root");
    let root = line
        .trim_end()
        .strip_prefix("Demo instance listening on ")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .to_owned();
    (guard, root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flowbench_demo_registers_applications_given_with_app() {
    let peer = OidcPeer::start();
    let (_demo, root) = spawn_demo(
        &peer,
        &[
            &format!("{SERVICE_CLIENT}=IntegrationUser"),
            "other-app=Someone:SystemUser",
        ],
    );
    let p = profile(&peer, &root, SERVICE_CLIENT, AuthMethod::ClientSecret);
    let checklist = check_instance(&p, store_with_secret(&peer.service_secret)).await;
    assert_eq!(status(&checklist, CheckItem::Metadata), CheckStatus::Passed);
    assert_eq!(status(&checklist, CheckItem::TestRead), CheckStatus::Failed);
    assert!(said(&checklist, CheckItem::TestRead).contains("IntegrationUser"));

    // A malformed --app is a usage error naming what is expected.
    let out = run({
        let mut bad = Command::new(assert_cmd::cargo::cargo_bin("flowbench"));
        bad.args(["demo", "--issuer", &peer.issuer, "--audience", AUDIENCE])
            .args(["--app", "no-equals-sign"])
            .stdin(Stdio::null());
        bad
    })
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("expected CLIENT_ID=USER[:ROLE,ROLE"),
        "{stderr}"
    );
    assert!(stderr.contains("found no '='"), "{stderr}");
}
