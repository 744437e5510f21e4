//! Helpers for GUI tests that sign in: step until a state, read the sign-in link from the
//! screen, play the browser through the OpenID provider's pages.
#![allow(dead_code)] // each test binary uses a different subset of these helpers

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use flowbench::auth::{KeyringSecretStore, SecretStore};
use flowbench::demo::auth::{AuthMode, BearerConfig};
use flowbench::demo::{DemoConfig, DemoThread};
use flowbench::ui::connection::Connection;
use flowbench::ui::{FlowbenchApp, SignInSettings, UiState};
use url::Url;

use crate::oidc_peer::{AUDIENCE, OidcPeer, TestBrowser};

/// Points the app's config, cache and data directories at `dir` (set_var: call it first, in
/// a test binary holding one test).
#[allow(unsafe_code)] // set_var: one test per binary, before any other thread starts
pub fn point_dirs_at(dir: &tempfile::TempDir) {
    unsafe {
        std::env::set_var("FLOWBENCH_CONFIG_DIR", dir.path().join("config"));
        std::env::set_var("XDG_CACHE_HOME", dir.path().join("cache"));
        std::env::set_var("XDG_DATA_HOME", dir.path().join("data"));
    }
}

/// A demo instance that only accepts the provider's JWTs for the demo audience.
pub fn protected_demo(peer: &OidcPeer) -> DemoThread {
    DemoThread::start(DemoConfig {
        rows: 20,
        auth: AuthMode::Bearer(BearerConfig {
            issuer: peer.issuer.clone(),
            audience: AUDIENCE.to_owned(),
        }),
        ..DemoConfig::default()
    })
    .expect("the demo instance starts")
}

/// A window listing the saved instances, keeping secrets in a mock keyring (returned) and
/// never opening a browser.
pub fn window_with_mock_keyring() -> (Harness<'static, FlowbenchApp>, Arc<dyn SecretStore>) {
    let store: Arc<dyn SecretStore> = Arc::new(KeyringSecretStore::new(
        keyring_core::mock::Store::new().expect("mock store"),
        "mock",
    ));
    let mut app = FlowbenchApp::with_state(UiState::default());
    app.sign_in_settings = SignInSettings {
        secrets: Some(store.clone()),
        open_browser: false,
    };
    app.reload_saved_instances();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut FlowbenchApp| app.window_ui(ui), app);
    harness.step();
    (harness, store)
}

pub fn choose_instance(harness: &mut Harness<'_, FlowbenchApp>, name: &str) {
    open_instance_dropdown(harness);
    harness.get_by_label(name).click();
    harness.step();
}

pub fn open_instance_dropdown(harness: &mut Harness<'_, FlowbenchApp>) {
    harness
        .get_by_role_and_label(Role::ComboBox, "Instance")
        .click();
    harness.run_steps(3);
}

/// Steps the window until `done` holds (bounded: 60 s).
pub fn step_until(
    harness: &mut Harness<'_, FlowbenchApp>,
    what: &str,
    done: impl Fn(&FlowbenchApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness.state()) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {}",
            harness.state().connection().status_text(0)
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.step();
}

pub fn wait_connected(harness: &mut Harness<'_, FlowbenchApp>) {
    step_until(harness, "the connection", |app| {
        matches!(app.connection(), Connection::Connected(_))
    });
}

/// The sign-in link as the window shows it (read from the screen, not from the state).
pub fn shown_link(harness: &mut Harness<'_, FlowbenchApp>) -> Url {
    step_until(
        harness,
        "the sign-in link",
        |app| matches!(app.connection(), Connection::SignIn(flow) if flow.prompt().is_some()),
    );
    harness.step();
    let text = harness
        .query_all_by(|node| {
            node.label().is_some_and(|l| l.contains("/auth?"))
                || node.value().is_some_and(|v| v.contains("/auth?"))
        })
        .next()
        .and_then(|node| {
            let node = node.accesskit_node();
            node.label().or_else(|| node.value()).map(|l| l.to_string())
        })
        .expect("the link is shown");
    harness.get_by_label("Copy link");
    Url::parse(&text).expect("the shown link is a URL")
}

/// Signs in through the provider's pages as `login`, following redirects; returns the last page.
pub fn play_browser(start: &Url, login: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (page, _) = TestBrowser::new().sign_in_through(start, login).await;
        page.body
    })
}
