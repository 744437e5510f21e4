//! Shared set-up for GUI tests that talk to the embedded demo instance in-process.

#![allow(dead_code)] // Each test file uses a different subset of these helpers.

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::odata::values::ValueKind;
use flowbench::ui::connection::Connection;
use flowbench::ui::forms::{RecordForm, WidgetKind};
use flowbench::ui::{FlowbenchApp, UiState};

/// Steps the harness until the connection attempt settles (bounded: 60 s).
pub fn wait_until_connected(harness: &mut Harness<'_, FlowbenchApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().connection().is_connecting() {
        assert!(
            Instant::now() < deadline,
            "demo instance did not connect in time"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.step();
}

/// Steps until the explorer's job is done (bounded: 60 s).
pub fn wait_until_idle(harness: &mut Harness<'_, FlowbenchApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    harness.step();
    while harness.state().explorer.is_busy() {
        assert!(
            Instant::now() < deadline,
            "explorer job did not finish in time"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
}

/// Fills every empty, required and editable field of `form` with a valid value of its type:
/// a fixed GUID, `10`, a date or date-time, the first enum member, `X1` for text.
pub fn fill_empty_required(form: &mut RecordForm) {
    for field in form.fields().to_vec() {
        if !field.spec.required || field.spec.read_only || !field.text().is_empty() {
            continue;
        }
        let text = match (&field.spec.kind, field.spec.widget()) {
            (_, WidgetKind::Guid) => "0449301e-5360-4391-9c7b-e2b7c9c53495".to_owned(),
            (_, WidgetKind::Integer | WidgetKind::Decimal | WidgetKind::Float) => "10".to_owned(),
            (_, WidgetKind::Date) => "2026-12-04".to_owned(),
            (_, WidgetKind::DateTime) => "2026-12-04T10:00:00Z".to_owned(),
            (ValueKind::Enum(info), _) => info
                .members
                .first()
                .map(|(member, _)| member.clone())
                .unwrap_or_default(),
            _ => "X1".to_owned(),
        };
        form.set_text(field.name(), &text);
    }
}

/// Steps the harness until `done` holds (bounded: 30 s); `what` names it in the failure.
pub fn step_until(
    harness: &mut Harness<'_, FlowbenchApp>,
    what: &str,
    done: impl Fn(&FlowbenchApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "{what} did not happen in time");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
}

/// A window connected to a fresh in-process demo instance with `config`.
pub fn connected_app(config: DemoConfig) -> Harness<'static, FlowbenchApp> {
    connected_app_stepping(config, 0.25)
}

/// [`connected_app`] with `step_dt` seconds per frame (short enough for a double-click to
/// fit in egui's double-click delay, for instance).
pub fn connected_app_stepping(config: DemoConfig, step_dt: f32) -> Harness<'static, FlowbenchApp> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_step_dt(step_dt)
        .build_ui_state(
            |ui, app: &mut FlowbenchApp| app.window_ui(ui),
            FlowbenchApp::with_state(UiState::default()),
        );
    let ctx = harness.ctx.clone();
    harness.state_mut().connect_demo(&ctx, config);
    wait_until_connected(&mut harness);
    assert!(
        matches!(harness.state().connection(), Connection::Connected(_)),
        "not connected: {}",
        harness.state().connection().status_text(0)
    );
    harness
}

/// The service root of the connected demo instance.
pub fn service_root(harness: &Harness<'_, FlowbenchApp>) -> String {
    match harness.state().connection() {
        Connection::Connected(connected) => connected.service_root.clone(),
        _ => panic!("not connected"),
    }
}

/// Picks `entity` by typing `query` in the entity search and pressing Enter.
pub fn pick_entity(harness: &mut Harness<'_, FlowbenchApp>, query: &str, entity: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, "Entity")
        .focus();
    harness.step();
    harness
        .get_by_role_and_label(Role::TextInput, "Entity")
        .type_text(query);
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.step();
    harness.step();
    assert_eq!(
        harness.state().state.selected_entity.as_deref(),
        Some(entity)
    );
}

/// Runs `work` to completion on a fresh single-threaded runtime (the test's own HTTP client,
/// independent of the app's).
fn block_on<T>(work: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(work)
}

/// `GET url` over plain HTTP, as JSON (the test's independent view of the server).
pub fn get_json(url: &str) -> serde_json::Value {
    block_on(async {
        reqwest::get(url)
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON body")
    })
}

/// `GET url` over plain HTTP, as text.
pub fn get_text(url: &str) -> String {
    block_on(async {
        reqwest::get(url)
            .await
            .expect("request")
            .text()
            .await
            .expect("body")
    })
}

/// Focuses the text input labelled `label` and types `text` into it.
pub fn type_into(harness: &mut Harness<'_, FlowbenchApp>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .scroll_to_me();
    harness.step();
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .focus();
    harness.step();
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.step();
}

/// Clicks the action tab `action`, e.g. "Get a record".
pub fn choose_action(harness: &mut Harness<'_, FlowbenchApp>, action: &str) {
    harness.get_by_label(action).click();
    harness.step();
    harness.step();
}

/// Sends `method url` with a JSON body (and `If-Match: *`) over plain HTTP; returns the status.
pub fn send_json(method: &str, url: &str, body: serde_json::Value) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    block_on(async {
        let request = reqwest::Client::new()
            .request(method, url)
            .header("If-Match", "*");
        request
            .json(&body)
            .send()
            .await
            .expect("request")
            .status()
            .as_u16()
    })
}

/// `GET url` over plain HTTP: the status only.
pub fn get_status(url: &str) -> u16 {
    block_on(async { reqwest::get(url).await.expect("request").status().as_u16() })
}

/// Scrolls the widget labelled `label` into view (long forms scroll), then clicks it.
pub fn click(harness: &mut Harness<'_, FlowbenchApp>, label: &str) {
    harness.get_by_label(label).scroll_to_me();
    // Scrolling is animated: give it a few frames.
    harness.run_steps(20);
    harness.get_by_label(label).click();
    harness.step();
}
