//! The window connects to the embedded demo instance in-process and searches its entities.

mod ui_support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::ui::connection::Connection;
use flowbench::ui::{FlowbenchApp, UiState};
use ui_support::wait_until_connected;

#[test]
fn connects_to_the_demo_instance_and_picks_an_entity_from_its_metadata() {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut FlowbenchApp| app.window_ui(ui),
            FlowbenchApp::with_state(UiState::default()),
        );
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .connect_demo(&ctx, DemoConfig::default());
    harness.step();
    assert!(harness.state().connection().is_connecting());
    // Shown in the status bar (and as the instance picker's tooltip).
    assert!(
        harness
            .query_all_by_label("Starting the demo instance and loading its metadata…")
            .count()
            >= 1
    );

    wait_until_connected(&mut harness);
    let Connection::Connected(connected) = harness.state().connection() else {
        panic!(
            "not connected: {}",
            harness.state().connection().status_text(0)
        );
    };
    assert!(connected.service_root.starts_with("http://127.0.0.1:"));
    let metadata = harness.state().metadata().expect("metadata loaded");
    assert!(metadata.model.entity_set("CustomersV3").is_some());
    let count = metadata.index.len();
    assert!(
        harness
            .query_all_by_label_contains(&format!("· {count} entities"))
            .count()
            >= 1
    );

    let search = harness.get_by_role_and_label(Role::TextInput, "Entity");
    search.focus();
    harness.step();
    harness
        .get_by_role_and_label(Role::TextInput, "Entity")
        .type_text("custv3");
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.step();
    harness.step();
    assert_eq!(
        harness.state().state.selected_entity.as_deref(),
        Some("CustomersV3")
    );
    harness.get_by_label("Keys: dataAreaId, CustomerAccount");
}

#[test]
fn a_demo_that_cannot_start_shows_the_error_and_retry_recovers() {
    // A port already in use makes the start fail, with the fallback database too.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut harness = Harness::builder().build_ui_state(
        |ui, app: &mut FlowbenchApp| app.window_ui(ui),
        FlowbenchApp::with_state(UiState::default()),
    );
    let ctx = harness.ctx.clone();
    let config = DemoConfig {
        port,
        ..DemoConfig::default()
    };
    harness.state_mut().connect_demo(&ctx, config);
    wait_until_connected(&mut harness);
    assert!(matches!(
        harness.state().connection(),
        Connection::Failed(_)
    ));
    assert!(
        harness
            .query_all_by_label_contains("Connection failed: the demo instance did not start")
            .count()
            >= 1
    );
    // The failure is shown where the user looks, with Retry (already on the demo instance:
    // no offer to switch to it).
    harness.get_by_label("Could not connect to Demo instance (local)");
    assert!(harness.query_by_label("Use the demo instance").is_none());
    // Free the port: retrying now succeeds.
    drop(listener);
    harness.get_by_label("Retry").click();
    for _ in 0..10 {
        harness.step();
        if harness.state().connection().is_connecting() {
            break;
        }
    }
    assert!(
        harness.state().connection().is_connecting(),
        "Retry did not reconnect"
    );
    wait_until_connected(&mut harness);
    assert!(
        matches!(harness.state().connection(), Connection::Connected(_)),
        "retry did not connect: {}",
        harness.state().connection().status_text(0)
    );
}
