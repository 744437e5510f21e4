//! Environment discovery in the instance dropdown: after signing in to a Dataverse instance
//! (real OpenID provider, demo instance accepting its JWTs), the tenant's other environments
//! come from a Global Discovery Service stand-in on 127.0.0.1 that only answers bearer JWTs of
//! that provider; picking one saves it as an instance signing in like the first. One test per
//! process: it points the config and cache directories at temporary ones.

mod oidc_peer;
mod ui_sign_in_support;
mod ui_support;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::auth::{AuthMethod, InstanceProfile, Instances, SecretKind};
use flowbench::odata::service_root::ServiceKind;
use flowbench::ui::FlowbenchApp;
use flowbench::ui::connection::{Connection, InstanceChoice};
use flowbench::ui::environments::EnvironmentDiscovery;
use oidc_peer::{NATIVE_CLIENT, OidcPeer, try_jwt_claims};
use ui_sign_in_support::{
    choose_instance, open_instance_dropdown, play_browser, point_dirs_at, protected_demo,
    shown_link, step_until, wait_connected, window_with_mock_keyring,
};

const INSTANCES: &str = include_str!("fixtures/discovery/dataverse_instances.json");

/// Serves the Global Discovery Service's `Instances` to bearer JWTs from `issuer`; records
/// the `iss` of each token it saw.
fn start_discovery(
    runtime: &tokio::runtime::Runtime,
    issuer: String,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let router = Router::new().route(
        "/api/discovery/v2.0/Instances",
        get(move |headers: HeaderMap| {
            let claims = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .and_then(try_jwt_claims);
            let iss = claims.as_ref().and_then(|c| c["iss"].as_str()).map(str::to_owned);
            log.lock().expect("log").push(iss.clone().unwrap_or_default());
            let accepted = iss.as_deref() == Some(issuer.as_str());
            async move {
                if accepted {
                    (StatusCode::OK, INSTANCES.to_owned())
                } else {
                    (
                        StatusCode::UNAUTHORIZED,
                        r#"{"error":{"code":"InvalidAuthenticationToken","message":"bearer JWT required"}}"#
                            .to_owned(),
                    )
                }
            }
        }),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind loopback");
    let base = format!("http://{}/", listener.local_addr().expect("address"));
    runtime.spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    (base, seen)
}

#[test]
fn discovered_environments_are_listed_and_saved_from_the_dropdown() {
    let dirs = tempfile::tempdir().unwrap();
    point_dirs_at(&dirs);
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();

    let peer = OidcPeer::start();
    let (discovery_url, seen) = start_discovery(&server_runtime, peer.issuer.clone());
    let demo = protected_demo(&peer);
    let mut instances = Instances::load_default().unwrap();
    let base = InstanceProfile::new(
        "crm",
        ServiceKind::Dataverse,
        demo.service_root(),
        Some(peer.issuer.clone()),
        None,
        Some(NATIVE_CLIENT.to_owned()),
        AuthMethod::Browser,
        vec!["api".to_owned()],
    )
    .unwrap()
    .with_discovery_url(Some(&discovery_url))
    .unwrap();
    instances.upsert(base);
    instances.save().unwrap();

    let (mut harness, store) = window_with_mock_keyring();

    choose_instance(&mut harness, "crm");
    step_until(&mut harness, "the sign-in screen", |app| {
        matches!(app.connection(), Connection::SignIn(_))
    });
    harness.get_by_label("Sign in with browser").click();
    let link = shown_link(&mut harness);
    play_browser(&link, "carol");
    wait_connected(&mut harness);

    // Once signed in, the tenant's environments are found in the background.
    step_until(&mut harness, "environment discovery", |app| {
        !matches!(app.discovery(), EnvironmentDiscovery::Running(_))
    });
    let names: Vec<String> = harness
        .state()
        .discovery()
        .found()
        .iter()
        .map(|e| e.name.clone())
        .collect();
    assert_eq!(
        names,
        ["Contoso (dev)", "Contoso Sales"],
        "{:?}",
        status(&harness)
    );
    assert_eq!(
        *seen.lock().unwrap(),
        vec![peer.issuer.clone()],
        "one call, with the provider's token"
    );

    open_instance_dropdown(&mut harness);
    harness.get_by_label("In this tenant");
    harness.get_by_label("Contoso (dev)");
    harness.get_by_label("Contoso Sales").click();
    harness.step();

    // Saved like the base instance, and opened: a new environment asks to sign in.
    let saved = Instances::load_default().unwrap();
    let sales = saved.get("contoso-sales").expect("saved as contoso-sales");
    assert_eq!(
        sales.url.as_str(),
        "https://contoso-sales.crm.dynamics.com/api/data/v9.2/"
    );
    assert_eq!(sales.kind, ServiceKind::Dataverse);
    assert_eq!(sales.authority.as_deref(), Some(peer.issuer.as_str()));
    assert_eq!(sales.client_id.as_deref(), Some(NATIVE_CLIENT));
    assert_eq!(sales.auth, AuthMethod::Browser);
    assert_eq!(
        harness.state().state.instance,
        InstanceChoice::Saved("contoso-sales".into())
    );
    assert!(
        harness
            .state()
            .saved_instances()
            .contains(&"contoso-sales".to_owned())
    );
    step_until(&mut harness, "the new instance's sign-in screen", |app| {
        matches!(app.connection(), Connection::SignIn(_))
    });
    harness.get_by_label("Sign in to contoso-sales");
    assert!(
        store
            .get("contoso-sales", SecretKind::Tokens)
            .unwrap()
            .is_none(),
        "the base's tokens are not copied"
    );
    drop(demo);
}

fn status(harness: &Harness<'_, FlowbenchApp>) -> String {
    match harness.state().discovery() {
        EnvironmentDiscovery::Failed(message) => message.clone(),
        _ => harness.state().connection().status_text(0),
    }
}
