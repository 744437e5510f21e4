//! The flow editor: a flow built in the Flows view (a trigger input, create and get steps,
//! fields, dynamic content, an assert), renamed, undone and redone, saved, reopened and run
//! against the demo instance; unsaved edits recovered after a restart.

mod ui_support;

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::flow::run::Status;
use flowbench::ui::flows::{FlowsView, card_key};
use flowbench::ui::{FlowbenchApp, View};
use serde_json::json;
use ui_support::{click, connected_app, service_root, type_into};

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

/// Clicks the button `label` inside the "Add a step" window (after opening it).
fn pick_step(harness: &mut Harness<'_, FlowbenchApp>, kind: &str) {
    harness.run_steps(2);
    // The search narrows the list to the kind.
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Search steps")
        .type_text(&kind.to_lowercase());
    harness.run_steps(2);
    harness.get_by_label(kind).click();
    harness.run_steps(2);
}

fn step(harness: &Harness<'_, FlowbenchApp>, name: &str) -> serde_json::Value {
    let open = harness.state().flows.open.as_ref().expect("a flow");
    open.file.definition()["actions"][name].clone()
}

#[test]
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn a_flow_is_built_in_the_editor_saved_reopened_and_run() {
    let data = tempfile::tempdir().expect("temp dir");
    unsafe { std::env::set_var("FLOWBENCH_DATA_DIR", data.path()) };
    let path = data.path().join("built.json");
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    harness.state_mut().state.view = View::Flows;
    harness.run_steps(2);
    type_into(&mut harness, "File", &path.display().to_string());
    click(&mut harness, "New flow");
    harness.run_steps(2);

    // The trigger gets an input.
    harness.state_mut().flows.selected = Some(card_key(&["trigger"], "manual"));
    harness.run_steps(2);
    type_into(&mut harness, "New input", "groupId");
    click(&mut harness, "Add input");
    let schema = |harness: &Harness<'_, FlowbenchApp>| {
        let open = harness.state().flows.open.as_ref().expect("a flow");
        open.file.definition()["triggers"]["manual"]["inputs"]["schema"].clone()
    };
    assert_eq!(schema(&harness)["properties"]["groupId"]["type"], "string");
    assert_eq!(schema(&harness)["required"], json!(["groupId"]));
    click(&mut harness, "Required");
    assert_eq!(schema(&harness)["required"], json!([]));
    click(&mut harness, "Required");
    assert_eq!(schema(&harness)["required"], json!(["groupId"]));

    // A create step, its entity and fields; one field from dynamic content.
    click(&mut harness, "Add a step");
    pick_step(&mut harness, "Create a record");
    assert_eq!(
        harness.state().flows.selected,
        Some(card_key(&[], "Create_a_record"))
    );
    {
        let flows = &mut harness.state_mut().flows;
        assert!(flows.edit(|d| {
            let params = d["actions"]["Create_a_record"]["inputs"]["parameters"]
                .as_object_mut()
                .expect("parameters");
            params.insert("table".into(), json!("CustomerGroups"));
            params.insert("item/dataAreaId".into(), json!("usmf"));
            params.insert("item/CustomerGroupId".into(), json!(""));
            params.insert("item/Description".into(), json!(""));
            Ok(())
        }));
    }
    harness.run_steps(2);
    type_into(&mut harness, "item/Description", "Built in the editor");
    let choices = flowbench::ui::flows::dynamic_choices(
        &harness.state().flows,
        &card_key(&[], "Create_a_record"),
        None,
    );
    assert!(
        choices.contains(&(
            "Trigger: groupId".to_owned(),
            "@triggerBody()?['groupId']".to_owned()
        )),
        "{choices:?}"
    );
    let menus: Vec<_> = harness.query_all_by_label("Dynamic content").collect();
    assert_eq!(menus.len(), 3, "one per field");
    harness
        .query_all_by_label("Dynamic content")
        .nth(1)
        .expect("the id's menu")
        .click();
    harness.run_steps(2);
    harness.get_by_label("Trigger: groupId").click();
    harness.run_steps(2);
    assert_eq!(
        step(&harness, "Create_a_record")["inputs"]["parameters"]["item/CustomerGroupId"],
        "@triggerBody()?['groupId']"
    );

    // A get, then an assert written in the step's JSON.
    click(&mut harness, "Add a step");
    pick_step(&mut harness, "Get a record");
    {
        let flows = &mut harness.state_mut().flows;
        assert!(flows.edit(|d| {
            let params = d["actions"]["Get_a_record"]["inputs"]["parameters"]
                .as_object_mut()
                .expect("parameters");
            params.insert("table".into(), json!("CustomerGroups"));
            params.insert("id".into(), json!("usmf,@{triggerBody()?['groupId']}"));
            Ok(())
        }));
    }
    // Later steps can pick the fields the get gives, known from metadata.
    let choices = flowbench::ui::flows::dynamic_choices(
        &harness.state().flows,
        &card_key(&[], "Assert"),
        harness.state().metadata(),
    );
    assert!(
        choices.contains(&(
            "Get_a_record: Description".to_owned(),
            "@body('Get_a_record')?['Description']".to_owned()
        )),
        "{choices:?}"
    );
    click(&mut harness, "Add a step");
    pick_step(&mut harness, "Assert");
    {
        let flows = &mut harness.state_mut().flows;
        let (key, text) = flows.step_json.clone().expect("the step's JSON");
        assert_eq!(key, card_key(&[], "Assert"));
        let edited = text
            .replace(
                "\"actual\": \"\"",
                "\"actual\": \"@body('Get_a_record')?['Description']\"",
            )
            .replace("\"equals\": \"\"", "\"equals\": \"Built in the editor\"");
        flows.step_json = Some((key, edited));
    }
    harness.run_steps(1);
    click(&mut harness, "Apply");
    assert_eq!(
        step(&harness, "Assert")["runAfter"],
        json!({"Get_a_record": ["Succeeded"]})
    );

    // Rename: the assert's expression follows.
    harness.state_mut().flows.selected = Some(card_key(&[], "Get_a_record"));
    harness.state_mut().flows.name_field = "Read_group".into();
    harness.run_steps(2);
    click(&mut harness, "Rename");
    assert_eq!(
        step(&harness, "Assert")["inputs"]["actual"],
        "@body('Read_group')?['Description']"
    );

    // Undo and redo.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run_steps(2);
    assert!(
        step(&harness, "Get_a_record").is_object(),
        "the rename is undone"
    );
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Y);
    harness.run_steps(2);
    assert!(step(&harness, "Read_group").is_object(), "and redone");

    // The keyboard moves the selected step (Alt+Up), the run-after settings change what
    // lets it run; undo puts both back.
    harness.state_mut().flows.selected = Some(card_key(&[], "Assert"));
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowUp);
    harness.run_steps(2);
    assert_eq!(
        step(&harness, "Read_group")["runAfter"],
        json!({"Assert": ["Succeeded"]})
    );
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run_steps(2);
    assert_eq!(
        step(&harness, "Assert")["runAfter"],
        json!({"Read_group": ["Succeeded"]})
    );
    click(&mut harness, "Failed");
    harness.run_steps(2);
    assert_eq!(
        step(&harness, "Assert")["runAfter"],
        json!({"Read_group": ["Succeeded", "Failed"]})
    );
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run_steps(2);
    assert_eq!(
        step(&harness, "Assert")["runAfter"],
        json!({"Read_group": ["Succeeded"]})
    );

    // A condition: its rows are edited in a form.
    click(&mut harness, "Add a step");
    pick_step(&mut harness, "Condition");
    click(&mut harness, "Add a row");
    click(&mut harness, "Any row (Or)");
    let condition = step(&harness, "Condition")["expression"].clone();
    assert_eq!(
        condition["or"].as_array().map(Vec::len),
        Some(2),
        "{condition}"
    );
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run_steps(2);
    assert!(
        step(&harness, "Condition").is_null(),
        "three undos take the condition away"
    );

    // Save, reopen: the same flow comes back from the file.
    click(&mut harness, "Save");
    assert!(!harness.state().flows.dirty);
    let saved = harness
        .state()
        .flows
        .open
        .as_ref()
        .expect("flow")
        .file
        .definition()
        .clone();
    harness.state_mut().flows.open_path(path.clone());
    harness.run_steps(2);
    assert_eq!(
        harness
            .state()
            .flows
            .open
            .as_ref()
            .expect("reopened")
            .file
            .definition(),
        &saved
    );

    // Run it: every card succeeds and the group exists on the server.
    type_into(&mut harness, "groupId *", "ED-1");
    click(&mut harness, "Run flow");
    wait_for_run(&mut harness);
    let run = harness.state().flows.shown_run.clone().expect("a run");
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.error);
    for name in ["Create_a_record", "Read_group", "Assert"] {
        assert_eq!(
            harness.state().flows.status_of(&card_key(&[], name)),
            Some(Status::Succeeded),
            "{name}"
        );
    }
    let group = ui_support::get_json(&format!(
        "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='ED-1')"
    ));
    assert_eq!(group["Description"], "Built in the editor");

    // Unsaved edits survive a crash: kept, then offered when the flow opens again.
    {
        let flows = &mut harness.state_mut().flows;
        assert!(flows.edit(|d| {
            d["actions"]["Assert"]["inputs"]["equals"] = json!("Changed, not saved");
            Ok(())
        }));
        flows.autosave_now();
    }
    let mut restarted = FlowsView::default();
    restarted.open_path(path.clone());
    let recovered = restarted
        .recovery
        .clone()
        .expect("the unsaved edit is offered");
    assert_eq!(
        recovered["actions"]["Assert"]["inputs"]["equals"],
        "Changed, not saved"
    );
    harness.state_mut().flows = restarted;
    harness.run_steps(2);
    click(&mut harness, "Recover changes");
    assert_eq!(
        step(&harness, "Assert")["inputs"]["equals"],
        "Changed, not saved"
    );
    assert!(harness.state().flows.dirty, "recovered, not saved yet");

    // Closing the window with unsaved edits asks first; saving writes the file.
    harness.state_mut().flows.asking_before_close = true;
    harness.run_steps(2);
    harness.get_by_label_contains("has changes that are not saved");
    click(&mut harness, "Save and close");
    assert!(!harness.state().flows.dirty);
    let text = std::fs::read_to_string(&path).expect("saved");
    assert!(text.contains("Changed, not saved"), "{text}");
    assert!(
        harness
            .state()
            .flows
            .recent
            .iter()
            .any(|p| p.ends_with("built.json")),
        "a recent flow"
    );

    // A file with comments opens with a word that Save does not keep them; saved, it is
    // plain JSON and the word goes.
    let commented = data.path().join("commented.json");
    std::fs::write(
        &commented,
        "{\n  // a note for reviewers\n  \"definition\": {\"triggers\": {\"manual\": {\"type\": \"Request\", \"kind\": \"Http\",}},\n    \"actions\": {}}\n}",
    )
    .expect("written");
    harness.state_mut().flows.path_field = commented.display().to_string();
    click(&mut harness, "Open");
    harness.run_steps(2);
    const NOTICE: &str = "This file has comments or trailing commas";
    harness.get_by_label_contains(NOTICE);
    assert!(harness.state_mut().flows.save(None));
    harness.run_steps(2);
    assert!(harness.query_by_label_contains(NOTICE).is_none());
    let saved = std::fs::read_to_string(&commented).expect("saved");
    assert!(!saved.contains("//"), "{saved}");
    serde_json::from_str::<serde_json::Value>(&saved).expect("plain JSON");
}
