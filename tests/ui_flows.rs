//! The Flows view: a flow file opened as cards, run against the demo instance with its
//! trigger inputs, each card's status and error shown, the data on the server, the run in
//! the runs list.

mod ui_support;

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::flow::run::Status;
use flowbench::ui::flows::card_key;
use flowbench::ui::{FlowbenchApp, View};
use serde_json::json;
use ui_support::{
    click, connected_app, get_status, pick_entity, service_root, type_into, wait_until_idle,
};

fn wait_for_run(harness: &mut Harness<'_, FlowbenchApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    harness.step();
    while harness.state().flows.is_running() {
        assert!(Instant::now() < deadline, "the run did not finish in time");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.run_steps(2);
}

#[test]
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn a_flow_opens_as_cards_runs_against_the_demo_and_shows_each_card_s_outcome() {
    let data = tempfile::tempdir().expect("temp dir");
    unsafe { std::env::set_var("FLOWBENCH_DATA_DIR", data.path()) };
    // The window's demo database is the command line's: in the data directory.
    assert_eq!(
        flowbench::ui::connection::default_demo_db(),
        Some(data.path().join("demo.sqlite"))
    );
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    harness.state_mut().state.view = View::Flows;
    harness.run_steps(2);
    // The examples are one click away.
    click(&mut harness, "customer-group-round-trip.json");
    harness.run_steps(2);
    harness.get_by_label_contains("Create_group · Create a record");
    harness.get_by_label_contains("Check_deleted · Assert");

    // A Power Automate export opens as cards too, its condition holding its branches.
    click(&mut harness, "power-automate-export.json");
    harness.run_steps(2);
    harness.get_by_label_contains("Get_a_record · Get a record");
    harness.get_by_label_contains("Condition · Condition");
    harness.get_by_label("If yes");
    harness.get_by_label("If no");
    harness.get_by_label_contains("Compose_too_low · Compose");
    let round_trip =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/flows/customer-group-round-trip.json");
    harness.state_mut().flows.open_path(round_trip);
    harness.run_steps(2);

    // Run needs the trigger's required input.
    click(&mut harness, "Run flow");
    harness.run_steps(2);
    harness.get_by_label("Fill in Group id: the trigger requires it.");
    type_into(&mut harness, "Group id *", "UI-FLOW-1");
    click(&mut harness, "Run flow");
    wait_for_run(&mut harness);
    let run = harness.state().flows.shown_run.clone().expect("a run");
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.error);
    assert_eq!(
        harness
            .state()
            .flows
            .status_of(&card_key(&[], "Check_created")),
        Some(Status::Succeeded)
    );
    assert!(
        harness.query_all_by_label("Succeeded").count() >= 9,
        "every card shows its status"
    );
    // The group was created, checked and deleted on the server.
    assert_eq!(
        get_status(&format!(
            "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='UI-FLOW-1')"
        )),
        404
    );
    assert_eq!(
        harness.state().flows.runs.len(),
        1,
        "the run is in the runs list"
    );
    // A run refused for its inputs: the line below says the run shown is the previous one.
    harness.state_mut().flows.trigger_inputs.clear();
    click(&mut harness, "Run flow");
    harness.run_steps(2);
    harness.get_by_label("Fill in Group id: the trigger requires it.");
    harness.get_by_label_contains("Previous run: Succeeded in");
    assert_eq!(harness.state().flows.runs.len(), 1, "no run was started");

    // A failing assertion shows on its card, with expected and found.
    run_written(
        &mut harness,
        &data.path().join("failing.json"),
        &json!({"triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}},
        "actions": {
            "Read": {"type": "OpenApiConnection", "inputs": {
                "host": {"connectionName": "shared_dynamicsax", "operationId": "GetItem"},
                "parameters": {"dataset": "d", "table": "CustomerGroups", "id": "usmf,10"}}, "runAfter": {}},
            "Check": {"type": "Assert", "inputs": {"actual": "@body('Read')?['CustomerGroupId']", "equals": "20"},
                "runAfter": {"Read": ["Succeeded"]}}
        }}),
    );
    assert_eq!(
        harness.state().flows.status_of(&card_key(&[], "Check")),
        Some(Status::Failed)
    );
    assert!(
        harness.query_all_by_label("Failed").count() >= 1,
        "the card shows Failed"
    );
    let failure = "expected @body('Read')?['CustomerGroupId'] to equal \"20\", found \"10\"";
    assert_eq!(
        harness.query_all_by_label_contains(failure).count(),
        2,
        "on the card and in the run's summary"
    );
    // Re-run from the failed card: the read before it keeps its earlier outputs.
    let first = harness.state().flows.shown_run.clone().expect("a run");
    click(&mut harness, "Re-run from failed");
    wait_for_run(&mut harness);
    let again = harness.state().flows.shown_run.clone().expect("a re-run");
    assert_eq!(again.rerun_of.as_deref(), Some(first.id.as_str()));
    let read = |run: &flowbench::flow::run::RunRecord| {
        run.actions
            .iter()
            .find(|a| a.name == "Read")
            .cloned()
            .expect("Read")
    };
    assert_eq!(
        read(&again).start_time,
        read(&first).start_time,
        "reused, not sent again"
    );
    assert_eq!(harness.state().flows.runs.len(), 2);

    // Compare the two runs: the reused read is the same, step by step.
    click(&mut harness, "Compare");
    harness.run_steps(2);
    harness.get_by_label("Compare runs");
    let compared = harness
        .state()
        .flows
        .compare
        .clone()
        .expect("a run to compare");
    assert_eq!(compared.id, first.id);
    assert!(harness.query_all_by_label("same").count() >= 1);
    harness.state_mut().flows.compare = None;

    // Validate against the instance: the flow is fine, the button says so.
    click(&mut harness, "Validate");
    harness.run_steps(2);
    harness.get_by_label("Valid: no problem found");

    // Its details: select the card, read its outputs.
    harness.state_mut().flows.selected = Some(card_key(&[], "Read"));
    harness.run_steps(2);
    harness.get_by_label("Outputs");

    // A recurrence trigger shows its next runs in its time zone.
    let scheduled = data.path().join("scheduled.json");
    std::fs::write(
        &scheduled,
        json!({"triggers": {"Recurrence": {"type": "Recurrence", "recurrence": {
                "frequency": "Week", "interval": 1, "timeZone": "W. Europe Standard Time",
                "schedule": {"weekDays": ["Monday"], "hours": [7], "minutes": [30]}}}},
            "actions": {"Hello": {"type": "Compose", "inputs": "hello", "runAfter": {}}}})
        .to_string(),
    )
    .expect("flow written");
    open_by_path(&mut harness, &scheduled);
    harness.state_mut().flows.selected = Some(card_key(&["trigger"], "Recurrence"));
    harness.run_steps(2);
    harness.get_by_label("Next runs");
    assert_eq!(
        harness.query_all_by_label_contains("Mon ").count(),
        5,
        "five Mondays"
    );
    assert!(harness.query_all_by_label_contains(" 07:30 ").count() >= 5);

    // Turned on, a schedule runs the flow at its times (here every second), on any view.
    let every_second = data.path().join("every-second.json");
    std::fs::write(
        &every_second,
        json!({"triggers": {"Recurrence": {"type": "Recurrence", "recurrence": {"frequency": "Second", "interval": 1}}},
            "actions": {"Tick": {"type": "Compose", "inputs": "@utcNow()", "runAfter": {}}}})
        .to_string(),
    )
    .expect("flow written");
    open_by_path(&mut harness, &every_second);
    harness.state_mut().flows.selected = Some(card_key(&["trigger"], "Recurrence"));
    harness.run_steps(2);
    click(
        &mut harness,
        "Run on this schedule while the window is open",
    );
    assert!(harness.state().flows.schedule_next.is_some(), "turned on");
    harness.state_mut().state.view = View::Explorer;
    let deadline = Instant::now() + Duration::from_secs(30);
    while harness.state().flows.scheduled_runs < 2 || harness.state().flows.is_running() {
        assert!(
            Instant::now() < deadline,
            "the schedule did not run the flow: {} runs, running {}, next {:?}, error {:?}",
            harness.state().flows.scheduled_runs,
            harness.state().flows.is_running(),
            harness.state().flows.schedule_next,
            harness.state().flows.run_error
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = harness
        .state()
        .flows
        .shown_run
        .clone()
        .expect("a scheduled run");
    assert_eq!(run.status, Status::Succeeded);
    assert!(
        harness.state().flows.scheduled_runs <= 3,
        "one run per second, not one per frame: {}",
        harness.state().flows.scheduled_runs
    );
    harness.state_mut().flows.set_schedule(false);
    harness.state_mut().state.view = View::Flows;
    harness.run_steps(2);

    // From the explorer: run a flow on a listed record.
    let on_record = data.path().join("on-record.json");
    std::fs::write(
        &on_record,
        json!({"triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}},
            "actions": {"Check": {"type": "Assert",
                "inputs": {"actual": "@triggerBody()", "fields": {"CustomerGroupId": "10"}}, "runAfter": {}}}})
        .to_string(),
    )
    .expect("flow written");
    open_by_path(&mut harness, &on_record);
    harness.state_mut().state.view = View::Explorer;
    pick_entity(&mut harness, "customergr", "CustomerGroups");
    {
        let forms = harness.state_mut().explorer.forms.as_mut().expect("forms");
        forms.list.raw_mode = true;
        forms.list.raw_filter = "CustomerGroupId eq '10'".into();
    }
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);
    harness.get_by_label("10").click();
    harness.step();
    harness.get_by_label("Record").click();
    harness.run_steps(2);
    click(&mut harness, "Run a flow on this record");
    harness.run_steps(2);
    assert_eq!(harness.state().state.view, View::Flows);
    harness.get_by_label("Runs on the record");
    click(&mut harness, "Run flow");
    wait_for_run(&mut harness);
    let run = harness.state().flows.shown_run.clone().expect("a run");
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.error);
    harness.state_mut().flows.record_input = None;

    // Parameters: each one a run can be given has a field; those without a default are
    // asked for; typed values reach the run, read by their type; a secure one is masked and
    // kept out of the record. The platform's `$connections` is not asked for.
    let with_parameters = data.path().join("with-parameters.json");
    std::fs::write(
        &with_parameters,
        json!({"parameters": {
                "$connections": {"type": "Object", "defaultValue": {}},
                "Company": {"type": "String"},
                "Top": {"type": "Int", "defaultValue": 5},
                "Key": {"type": "SecureString"}},
            "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}},
            "actions": {
                "Echo": {"type": "Compose", "inputs": "@{parameters('Company')}-@{add(parameters('Top'), 1)}", "runAfter": {}},
                "Secret_length": {"type": "Compose", "inputs": "@length(parameters('Key'))", "runAfter": {}}}})
        .to_string(),
    )
    .expect("flow written");
    open_by_path(&mut harness, &with_parameters);
    harness.get_by_label("Parameters");
    assert!(harness.query_by_label("$connections").is_none());
    click(&mut harness, "Run flow");
    harness.run_steps(2);
    harness.get_by_label_contains("Fill in the parameter(s) Company, Key");
    type_into(&mut harness, "Company *", "usmf");
    type_into(&mut harness, "Top", "seven");
    harness
        .get_by_role_and_label(egui::accesskit::Role::PasswordInput, "Key *")
        .focus();
    harness.step();
    harness
        .get_by_role_and_label(egui::accesskit::Role::PasswordInput, "Key *")
        .type_text("s3cr3t-parameter");
    harness.step();
    click(&mut harness, "Run flow");
    harness.run_steps(2);
    harness.get_by_label_contains("Parameter Top: expected an integer (int), found 'seven'");
    harness
        .state_mut()
        .flows
        .parameter_form
        .values
        .insert("Top".into(), "7".into());
    click(&mut harness, "Run flow");
    wait_for_run(&mut harness);
    let run = harness.state().flows.shown_run.clone().expect("a run");
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.error);
    let output = |name: &str| {
        run.actions
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.outputs.clone())
            .expect("action ran")
    };
    assert_eq!(output("Echo"), json!("usmf-8"));
    assert_eq!(output("Secret_length"), json!(16));
    let stored = serde_json::to_string(&run).expect("record serialises");
    assert!(!stored.contains("s3cr3t-parameter"), "{stored}");
    assert!(
        harness
            .query_by_label_contains("s3cr3t-parameter")
            .is_none()
    );

    // A step of another connector is a warning, not a problem: Run stays on, that step
    // fails alone and the handler after it runs.
    let mail = data.path().join("mail.json");
    std::fs::write(
        &mail,
        json!({"parameters": {"$connections": {"type": "Object", "defaultValue": {}}},
            "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}},
            "actions": {
                "Send_an_email": {"type": "ApiConnection", "runAfter": {},
                    "inputs": {"host": {"connection": {"name": "@parameters('$connections')['office365']['connectionId']"}},
                        "method": "post", "path": "/v2/Mail"}},
                "Handled": {"type": "Compose", "inputs": "went on", "runAfter": {"Send_an_email": ["Failed"]}}}})
        .to_string(),
    )
    .expect("flow written");
    open_by_path(&mut harness, &mail);
    harness.get_by_label_contains("Fails here when run: ");
    assert!(
        harness
            .state()
            .flows
            .open
            .as_ref()
            .expect("open")
            .problems
            .is_empty(),
        "{:?}",
        harness.state().flows.open.as_ref().map(|o| &o.problems)
    );
    click(&mut harness, "Run flow");
    wait_for_run(&mut harness);
    let run = harness
        .state()
        .flows
        .shown_run
        .clone()
        .unwrap_or_else(|| panic!("a run: {:?}", harness.state().flows.run_error));
    let status = |name: &str| {
        run.actions
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.status)
            .expect("action ran")
    };
    assert_eq!(status("Send_an_email"), Status::Failed);
    assert_eq!(status("Handled"), Status::Succeeded);

    // A loop's card says how many times it ran; an assertion's `count` is no loop.
    run_written(
        &mut harness,
        &data.path().join("loop.json"),
        &json!({"triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}},
        "actions": {
            "Each": {"type": "Foreach", "foreach": "@createArray(1, 2, 3)", "runAfter": {},
                "actions": {"Double": {"type": "Compose", "inputs": "@mul(item(), 2)", "runAfter": {}}}},
            "Three": {"type": "Assert", "inputs": {"actual": "@createArray(1, 2, 3)", "count": 3},
                "runAfter": {"Each": ["Succeeded"]}}
        }}),
    );
    assert_eq!(
        harness.state().flows.status_of(&card_key(&[], "Three")),
        Some(Status::Succeeded)
    );
    assert_eq!(
        harness.query_all_by_label("3 iterations").count(),
        1,
        "the loop's card only"
    );
}

/// Writes `flow` to `path`, opens it, runs it and waits for the run to end.
fn run_written(harness: &mut Harness<'_, FlowbenchApp>, path: &Path, flow: &serde_json::Value) {
    std::fs::write(path, flow.to_string()).expect("flow written");
    open_by_path(harness, path);
    click(harness, "Run flow");
    wait_for_run(harness);
}

fn open_by_path(harness: &mut Harness<'_, FlowbenchApp>, path: &Path) {
    harness.state_mut().flows.path_field.clear();
    harness.run_steps(1);
    type_into(harness, "File", &path.display().to_string());
    click(harness, "Open");
    harness.run_steps(2);
    assert!(
        harness.state().flows.open_error.is_none(),
        "{:?}",
        harness.state().flows.open_error
    );
}
