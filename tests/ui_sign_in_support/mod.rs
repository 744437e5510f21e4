//! Helpers for GUI tests that sign in: step until a state, read the sign-in link from the
//! screen, play the browser through the OpenID provider's pages.
#![allow(dead_code)] // each test binary uses a different subset of these helpers

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use flowbench::ui::FlowbenchApp;
use flowbench::ui::connection::Connection;
use url::Url;

use crate::oidc_peer::TestBrowser;

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
