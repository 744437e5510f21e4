//! Automatic triggers in the Flows view: a business event flow turned on registers its
//! webhook on the demo instance, runs when a customer is created (the run appears in the
//! flow's runs), and turned off removes its registration; event files replayed from the
//! view start a run each.

mod ui_support;

use std::path::Path;

use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::flow::run::Status;
use flowbench::flow::triggers::kind::ChangeDetection;
use flowbench::flow::triggers::{TriggerKind, classify};
use flowbench::ui::View;
use flowbench::ui::flows::card_key;
use serde_json::json;
use ui_support::{click, connected_app, get_json, send_json, service_root, step_until, type_into};

/// Opens the dropdown labelled `label`.
fn open_combo(harness: &mut egui_kittest::Harness<'_, flowbench::ui::FlowbenchApp>, label: &str) {
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, label)
        .click();
    harness.run_steps(3);
}

/// Writes `flow` to `path` and opens it by its path.
fn open_written(
    harness: &mut egui_kittest::Harness<'_, flowbench::ui::FlowbenchApp>,
    path: &Path,
    flow: &serde_json::Value,
) {
    std::fs::write(path, flow.to_string()).expect("flow written");
    harness.state_mut().flows.path_field = path.display().to_string();
    click(harness, "Open");
    harness.run_steps(2);
}

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
    step_until(&mut harness, "metadata", |app| app.metadata().is_some());

    // A new flow's trigger becomes a business event picked from the instance's catalog,
    // then a record trigger on an entity with its modified date as the watermark.
    harness
        .state_mut()
        .flows
        .new_flow(data.path().join("picked.json"));
    harness.state_mut().flows.selected = Some(card_key(&["trigger"], "manual"));
    harness.run_steps(3);
    open_combo(&mut harness, "Starts the flow");
    click(&mut harness, "When a business event occurs");
    step_until(&mut harness, "the catalog loads", |app| {
        app.flows.catalog.as_ref().is_some_and(|c| {
            c.lock()
                .expect("lock")
                .as_ref()
                .is_some_and(|loaded| loaded.as_ref().is_ok_and(|events| !events.is_empty()))
        })
    });
    open_combo(&mut harness, "Business event");
    click(
        &mut harness,
        "Customer created (CustomerCreatedBusinessEvent)",
    );
    click(&mut harness, "Use this trigger");
    let trigger_kind = |harness: &egui_kittest::Harness<'_, flowbench::ui::FlowbenchApp>| {
        let open = harness.state().flows.open.as_ref().expect("a flow");
        let (_, trigger) =
            flowbench::flow::run::trigger::first_trigger(open.file.definition()).expect("trigger");
        classify(trigger).expect("reads")
    };
    assert!(
        matches!(trigger_kind(&harness), TriggerKind::BusinessEvent(spec) if spec.event == "CustomerCreatedBusinessEvent" && spec.category.as_deref() == Some("Accounts receivable")),
        "{:?}",
        trigger_kind(&harness)
    );
    harness.run_steps(2);
    open_combo(&mut harness, "Starts the flow");
    click(&mut harness, "When a record is created or changed");
    open_combo(&mut harness, "Entity");
    click(&mut harness, "CustomersV3");
    open_combo(&mut harness, "Changes seen by");
    click(&mut harness, "ModifiedDateTime");
    click(&mut harness, "Use this trigger");
    let TriggerKind::RecordChanged(spec) = trigger_kind(&harness) else {
        panic!("a record trigger: {:?}", trigger_kind(&harness));
    };
    assert_eq!(spec.table, "CustomersV3");
    assert_eq!(
        spec.detection,
        ChangeDetection::Watermark("ModifiedDateTime".into())
    );

    harness
        .state_mut()
        .flows
        .open_path(assets.join("flows/new-customer-business-event.json"));
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

    // Run flow goes through the trigger as it fires: one run per item of its `splitOn`,
    // none for an item its `conditions` refuse, and no run at all when nothing is left.
    let split = data.path().join("split.json");
    open_written(
        &mut harness,
        &split,
        &json!({"triggers": {"manual": {"type": "Request", "kind": "Http",
                "inputs": {"schema": {"type": "object", "properties": {"rows": {"type": "array"}}}},
                "splitOn": "@triggerBody()?['rows']",
                "conditions": [{"expression": "@not(equals(triggerBody()?['skip'], true))"}]}},
            "actions": {"Number": {"type": "Compose", "inputs": "@triggerBody()?['n']", "runAfter": {}}}}),
    );
    harness.state_mut().flows.trigger_inputs.insert(
        "rows".into(),
        json!([{"n": 1}, {"n": 2, "skip": true}, {"n": 3}]).to_string(),
    );
    click(&mut harness, "Run flow");
    step_until(&mut harness, "both runs end", |app| {
        app.flows.job.is_none()
            && app
                .flows
                .split
                .as_ref()
                .is_some_and(|s| s.pending.is_empty())
            && app.flows.runs.len() == 2
    });
    let numbers: Vec<serde_json::Value> = harness
        .state()
        .flows
        .runs
        .iter()
        .rev()
        .map(|summary| {
            let run = flowbench::flow::history::RunHistory::open_default()
                .expect("history")
                .get(&summary.id)
                .expect("history read")
                .expect("run");
            run.actions[0].outputs.clone()
        })
        .collect();
    assert_eq!(numbers, [json!(1), json!(3)]);
    harness.get_by_label_contains(
        "run 2 of 2 (the trigger's splitOn; 1 item skipped by its conditions)",
    );

    harness
        .state_mut()
        .flows
        .trigger_inputs
        .insert("rows".into(), json!([{"n": 4, "skip": true}]).to_string());
    click(&mut harness, "Run flow");
    harness.run_steps(2);
    assert!(harness.state().flows.job.is_none());
    harness.get_by_label_contains("No run: the trigger condition");
    assert_eq!(harness.state().flows.runs.len(), 2);

    // Manual inputs: a yes/no input is a choice, and what is picked is sent typed.
    let typed = data.path().join("typed.json");
    open_written(
        &mut harness,
        &typed,
        &json!({"triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {"schema": {
                "type": "object",
                "properties": {
                    "flag": {"type": "boolean", "title": "Send email", "description": "Mail the owner"},
                    "count": {"type": "integer", "title": "Copies"}
                },
                "required": ["flag"]}}}},
            "actions": {"Echo": {"type": "Compose", "inputs": "@triggerBody()", "runAfter": {}}}}),
    );
    click(&mut harness, "Run flow");
    harness.run_steps(2);
    harness.get_by_label("Fill in Send email: the trigger requires it.");
    open_combo(&mut harness, "Send email *");
    click(&mut harness, "true");
    type_into(&mut harness, "Copies", "7");
    click(&mut harness, "Run flow");
    step_until(&mut harness, "the typed run ends", |app| {
        app.flows.job.is_none() && app.flows.runs.len() == 1
    });
    let run = harness.state().flows.shown_run.clone().expect("a run");
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.error);
    assert_eq!(run.actions[0].outputs, json!({"flag": true, "count": 7}));
}
