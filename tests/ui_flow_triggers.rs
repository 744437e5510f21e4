//! Automatic triggers in the Flows view: a business event flow turned on registers its
//! webhook on the demo instance, runs when a customer is created (the run appears in the
//! flow's runs), and turned off removes its registration; event files replayed from the
//! view start a run each.

mod ui_support;

use std::path::Path;

use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::flow::run::Status;
use flowbench::ui::View;
use serde_json::json;
use ui_support::{click, connected_app, get_json, send_json, service_root, step_until};

const SWITCH: &str = "On while the window is open";

#[test]
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn a_business_event_flow_is_turned_on_runs_per_event_is_turned_off_and_replays() {
    let data = tempfile::tempdir().expect("temp dir");
    unsafe { std::env::set_var("FLOWBENCH_DATA_DIR", data.path()) };
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    harness.state_mut().state.view = View::Flows;
    harness
        .state_mut()
        .flows
        .open_path(assets.join("flows/new-customer-business-event.json"));
    step_until(&mut harness, "metadata", |app| app.metadata().is_some());
    harness.run_steps(2);
    let registrations = || {
        get_json(&format!("{root}BusinessEventsEndpoints?cross-company=true"))["value"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    assert!(registrations().is_empty());

    click(&mut harness, SWITCH);
    step_until(&mut harness, "the trigger turns on", |app| {
        app.flows.watches.first().is_some_and(|w| w.is_on())
    });
    let listed = registrations();
    assert_eq!(listed.len(), 1, "{listed:#?}");
    assert!(
        listed[0]["EndpointUrl"]
            .as_str()
            .is_some_and(|url| url.contains("/flowbench/hooks/new-customer-business-event"))
    );

    let status = send_json(
        "POST",
        &format!("{root}CustomersV3"),
        json!({"dataAreaId": "usmf", "CustomerAccount": "UI-TRG-1", "OrganizationName": "From the window", "CustomerGroupId": "10", "SalesCurrencyCode": "USD"}),
    );
    assert_eq!(status, 201);
    step_until(&mut harness, "the event's run ends", |app| {
        app.flows.watches[0].counts().2 == 1
    });
    step_until(&mut harness, "the run is listed", |app| {
        app.flows.runs.len() == 1
    });
    assert_eq!(
        harness.state().flows.runs[0].status,
        Status::Succeeded.name()
    );
    assert!(
        harness
            .query_by_label_contains("1 event · 1 run (1 succeeded, 0 failed)")
            .is_some(),
        "the strip counts the run"
    );

    // The event is kept for replay.
    click(&mut harness, "Trigger activity (4)");
    click(&mut harness, "Save for replay");
    let saved = harness.state().flows.replay_form.files.clone();
    assert!(saved.ends_with(".json"), "{saved}");
    let payload: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).expect("saved file")).expect("json");
    assert_eq!(payload["CustomerAccount"], "UI-TRG-1");
    harness.state_mut().flows.replay_form.files.clear();

    click(&mut harness, SWITCH);
    step_until(&mut harness, "the trigger turns off", |app| {
        let watch = &app.flows.watches[0];
        !watch.is_on() && !*watch.stopping.lock().expect("lock")
    });
    assert!(registrations().is_empty(), "turning off unregisters");

    // Replay the sample event twice.
    click(&mut harness, "Replay events");
    harness
        .get_by_role_and_label(
            egui::accesskit::Role::MultilineTextInput,
            "Event files (one per line)",
        )
        .focus();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(
            egui::accesskit::Role::MultilineTextInput,
            "Event files (one per line)",
        )
        .type_text(
            &assets
                .join("events/customer-created.json")
                .display()
                .to_string(),
        );
    harness.run_steps(2);
    assert!(
        harness
            .state()
            .flows
            .replay_form
            .files
            .ends_with("customer-created.json")
    );
    harness.state_mut().flows.replay_form.times = 2;
    harness.run_steps(2);
    click(&mut harness, "Replay");
    step_until(&mut harness, "the replay ends", |app| {
        app.flows
            .replay
            .as_ref()
            .is_some_and(|job| *job.done.lock().expect("lock"))
    });
    let results = harness
        .state()
        .flows
        .replay
        .as_ref()
        .map(|job| job.results.lock().expect("lock").clone())
        .expect("replayed");
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .all(|(_, runs, _)| runs.len() == 1 && runs[0].1 == Status::Succeeded),
        "{results:?}"
    );
    step_until(&mut harness, "the replayed runs are listed", |app| {
        app.flows.runs.len() == 3
    });
}
