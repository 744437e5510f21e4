//! Get, create, update, delete and execute in the explorer, end to end against the embedded
//! demo instance: typed into the generated forms as a user would, checked on the server.

mod ui_support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use flowbench::demo::DemoConfig;
use flowbench::ui::FlowbenchApp;
use flowbench::ui::explorer::jobs::Outcome;
use serde_json::json;
use ui_support::{
    choose_action, click, connected_app, connected_app_stepping, get_json, get_status, pick_entity,
    send_json, service_root, type_into, wait_until_idle,
};

#[test]
fn get_a_record_by_its_comma_separated_key() {
    let mut harness = connected_app(DemoConfig::default());
    pick_entity(&mut harness, "custv3", "CustomersV3");
    choose_action(&mut harness, "Get a record");
    type_into(&mut harness, "Key values", "usmf,US-001");
    harness.get_by_label_contains("GET http://127.0.0.1");
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);

    let Some(Outcome::Record(record)) = &harness.state().explorer.pane().outcome else {
        panic!("no record: {:?}", harness.state().explorer.pane().error);
    };
    let expected = get_json(&format!(
        "{}CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')",
        service_root(&harness)
    ));
    assert_eq!(record["CustomerAccount"], "US-001");
    assert_eq!(record["OrganizationName"], expected["OrganizationName"]);
    assert_eq!(harness.state().explorer.pane().results.len(), 1);
}

#[test]
fn create_a_record_from_the_form_and_the_server_holds_it() {
    let mut harness = connected_app(DemoConfig::default());
    pick_entity(&mut harness, "customergr", "CustomerGroups");
    choose_action(&mut harness, "Create a record");
    type_into(&mut harness, "dataAreaId", "usmf");
    type_into(&mut harness, "CustomerGroupId", "GUI1");
    type_into(&mut harness, "Description", "Created from the GUI");
    click(&mut harness, "Create");
    wait_until_idle(&mut harness);

    assert!(
        matches!(
            harness.state().explorer.pane().outcome,
            Some(Outcome::Created(_))
        ),
        "not created: {:?} {:?}",
        harness.state().explorer.pane().error,
        harness.state().explorer.pane().form_problem
    );
    let on_server = get_json(&format!(
        "{}CustomerGroups(dataAreaId='usmf',CustomerGroupId='GUI1')",
        service_root(&harness)
    ));
    assert_eq!(on_server["Description"], "Created from the GUI");
    harness.get_by_label("Record created");
}

#[test]
fn a_server_validation_error_shows_the_infolog_and_highlights_the_field() {
    let mut harness = connected_app(DemoConfig::default());
    pick_entity(&mut harness, "salesorderh", "SalesOrderHeadersV2");
    choose_action(&mut harness, "Create a record");
    type_into(&mut harness, "dataAreaId", "usmf");
    type_into(&mut harness, "SalesOrderNumber", "SO-GUI-1");
    type_into(&mut harness, "OrderingCustomerAccountNumber", "NOPE-1");
    type_into(&mut harness, "CurrencyCode", "USD");
    {
        // Date pickers are covered by the form tests; here the dates are set directly.
        let forms = harness.state_mut().explorer.forms.as_mut().expect("forms");
        assert!(forms.create.set_text("RequestedShippingDate", "2026-01-01"));
        assert!(forms.create.set_text("ConfirmedShippingDate", "2026-01-02"));
    }
    click(&mut harness, "Create");
    wait_until_idle(&mut harness);

    let report = harness
        .state()
        .explorer
        .pane()
        .error
        .clone()
        .unwrap_or_else(|| {
            panic!(
                "no error report; form problem: {:?}; outcome {:?}",
                harness.state().explorer.pane().form_problem,
                harness.state().explorer.pane().outcome
            )
        });
    assert_eq!(report.status, Some(400));
    assert!(
        report
            .infolog
            .iter()
            .any(|line| line.contains("'Customer account' is not found"))
    );
    assert_eq!(
        report.field.as_deref(),
        Some("OrderingCustomerAccountNumber")
    );
    harness.get_by_label("Infolog");
    harness.get_by_label("Field: OrderingCustomerAccountNumber");
    let forms = harness.state().explorer.forms.as_ref().expect("forms");
    assert!(
        forms
            .create
            .field("OrderingCustomerAccountNumber")
            .expect("field")
            .highlight
    );
    let url = format!(
        "{}SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='SO-GUI-1')",
        service_root(&harness)
    );
    assert_eq!(get_status(&url), 404, "nothing was created");

    // "Show request" opens the HTTP trace on the failed POST (not the newest exchange).
    harness.state_mut().state.trace_open = false;
    let client = match harness.state().connection() {
        flowbench::ui::connection::Connection::Connected(connected) => connected.client.clone(),
        _ => panic!("not connected"),
    };
    // A later exchange through the same client: the newest in the trace is not the failure.
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(client.entity_sets())
        .unwrap();
    click(&mut harness, "Show request");
    harness.run_steps(2);
    assert!(harness.state().state.trace_open);
    let panel = harness.state().trace_panel().expect("trace panel");
    let selected = panel.selected().expect("an exchange is selected");
    assert_eq!(selected.method, "POST");
    assert_eq!(selected.status, Some(400));
    assert!(
        selected.url.ends_with("/data/SalesOrderHeadersV2"),
        "{}",
        selected.url
    );
    assert_eq!(
        report.request.as_deref(),
        Some(format!("POST {}", selected.url).as_str())
    );
}

#[test]
fn update_sends_changes_with_the_etag_and_a_stale_etag_is_explained_with_a_reload() {
    let mut harness = connected_app(DemoConfig::default());
    let url = format!(
        "{}CustomerGroups(dataAreaId='usmf',CustomerGroupId='20')",
        service_root(&harness)
    );
    pick_entity(&mut harness, "customergr", "CustomerGroups");
    choose_action(&mut harness, "Update a record");
    type_into(&mut harness, "Key values", "usmf,20");
    assert!(
        harness
            .get_by_label("Save changes")
            .accesskit_node()
            .is_disabled(),
        "nothing to save before the record is loaded"
    );
    click(&mut harness, "Load record");
    wait_until_idle(&mut harness);
    assert!(matches!(
        harness.state().explorer.pane().outcome,
        Some(Outcome::Loaded(_))
    ));
    assert!(
        !harness
            .get_by_label("Save changes")
            .accesskit_node()
            .is_disabled()
    );

    // Someone else changes the record: the loaded ETag is now stale.
    assert_eq!(
        send_json("PATCH", &url, json!({"Description": "Changed elsewhere"})),
        204
    );
    type_into(&mut harness, "Description", " (GUI)");
    click(&mut harness, "Save changes");
    wait_until_idle(&mut harness);
    let report = harness
        .state()
        .explorer
        .pane()
        .error
        .clone()
        .unwrap_or_else(|| {
            panic!(
                "no 412; form problem: {:?}; outcome {:?}",
                harness.state().explorer.pane().form_problem,
                harness.state().explorer.pane().outcome
            )
        });
    assert_eq!(report.status, Some(412));
    harness.get_by_label_contains("The record changed on the server since you loaded it");
    assert_eq!(
        get_json(&url)["Description"],
        "Changed elsewhere",
        "stale update refused"
    );

    click(&mut harness, "Reload record");
    wait_until_idle(&mut harness);
    let forms = harness.state().explorer.forms.as_ref().expect("forms");
    assert_eq!(
        forms.update.field("Description").expect("field").text(),
        "Changed elsewhere"
    );

    type_into(&mut harness, "Description", " again");
    let edited = {
        let forms = harness.state().explorer.forms.as_ref().expect("forms");
        forms.update.field("Description").expect("field").text()
    };
    assert_ne!(edited, "Changed elsewhere");
    click(&mut harness, "Save changes");
    wait_until_idle(&mut harness);
    assert!(
        matches!(
            harness.state().explorer.pane().outcome,
            Some(Outcome::Updated(..))
        ),
        "not updated: {:?}",
        harness.state().explorer.pane().error
    );
    assert_eq!(get_json(&url)["Description"], edited.as_str());
}

#[test]
fn delete_asks_for_confirmation_first() {
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    let body = json!({"dataAreaId": "usmf", "CustomerGroupId": "DEL1", "Description": "To delete"});
    assert_eq!(
        send_json("POST", &format!("{root}CustomerGroups"), body),
        201
    );
    let url = format!("{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='DEL1')");

    pick_entity(&mut harness, "customergr", "CustomerGroups");
    choose_action(&mut harness, "Delete a record");
    type_into(&mut harness, "Key values", "usmf,DEL1");
    harness.get_by_label("Delete…").click();
    harness.run_steps(3);
    harness.get_by_label("Delete this record?");
    harness.get_by_label("Cancel").click();
    harness.step();
    harness.step();
    assert!(harness.query_by_label("Delete this record?").is_none());
    assert_eq!(get_status(&url), 200, "cancel keeps the record");

    harness.get_by_label("Delete…").click();
    harness.run_steps(3);
    harness.get_by_label("Delete").click();
    wait_until_idle(&mut harness);
    assert!(matches!(
        harness.state().explorer.pane().outcome,
        Some(Outcome::Deleted(_))
    ));
    assert_eq!(get_status(&url), 404);
}

#[test]
fn execute_an_action_bound_to_a_record_shows_its_result() {
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    pick_entity(&mut harness, "custv3", "CustomersV3");
    choose_action(&mut harness, "Execute action");
    let entry = "GetCreditLimitAvailable (on a record)";
    harness
        .get_by_role_and_label(Role::ComboBox, "Action")
        .click();
    harness.run_steps(3);
    harness.get_by_label(entry).scroll_to_me();
    harness.run_steps(10);
    harness.get_by_label(entry).click();
    harness.run_steps(3);
    let forms = harness.state().explorer.forms.as_ref().expect("forms");
    assert_eq!(
        forms.action.selected().map(|c| c.label()).as_deref(),
        Some(entry)
    );
    type_into(&mut harness, "Key values", "usmf,US-001");
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);

    let Some(Outcome::ActionResult(Some(value))) = harness.state().explorer.pane().outcome.clone()
    else {
        panic!("no result: {:?}", harness.state().explorer.pane().error);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let expected: serde_json::Value = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!(
                "{root}CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')/Microsoft.Dynamics.DataEntities.GetCreditLimitAvailable"
            ))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let got = value.get("value").unwrap_or(&value).to_string();
    assert_eq!(got, expected["value"].to_string());
}

#[test]
fn the_main_button_stays_in_the_heading_row_above_a_long_form() {
    let mut harness = connected_app(DemoConfig::default());
    pick_entity(&mut harness, "custv3", "CustomersV3");
    choose_action(&mut harness, "Create a record");
    let button = harness.get_by_label("Create").rect();
    let first_field = harness
        .get_by_role_and_label(Role::TextInput, "dataAreaId")
        .rect();
    assert!(
        button.bottom() <= first_field.top(),
        "button {button:?} is not above the form {first_field:?}"
    );
    assert!(button.top() >= 0.0 && button.bottom() < 200.0, "{button:?}");

    // Pressing it with an empty form runs the client-side checks and sends nothing.
    click(&mut harness, "Create");
    harness.run_steps(2);
    let problem = harness
        .state()
        .explorer
        .pane()
        .form_problem
        .clone()
        .unwrap_or_default();
    assert!(
        problem.starts_with("Check the highlighted fields: dataAreaId, CustomerAccount"),
        "{problem:?}"
    );
    assert!(!harness.state().explorer.is_busy(), "nothing is sent");
}

#[test]
fn dragging_the_handle_under_the_form_resizes_it_and_a_double_click_resets_it() {
    // Frames of 50 ms, so that two clicks fit in egui's double-click delay.
    let mut harness = connected_app_stepping(DemoConfig::default(), 0.05);
    pick_entity(&mut harness, "custv3", "CustomersV3");
    choose_action(&mut harness, "Create a record");
    let before = splitter(&harness).rect();
    assert_eq!(harness.state().explorer.form_height, None);

    drag_splitter(&mut harness, 100.0);
    let after = splitter(&harness).rect();
    assert!(
        (after.center().y - before.center().y - 100.0).abs() < 1.0,
        "the handle follows the pointer: {before:?} → {after:?}"
    );
    assert!(harness.state().explorer.form_height.is_some());

    // Double-click: back to the automatic height, where it started.
    let centre = after.center();
    harness.hover_at(centre);
    harness.run();
    for pressed in [true, false, true, false] {
        harness.event(egui::Event::PointerButton {
            pos: centre,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        harness.step();
    }
    harness.run_steps(2);
    assert_eq!(harness.state().explorer.form_height, None);
    assert!((splitter(&harness).rect().center().y - before.center().y).abs() < 1.0);

    // Its menu does the same.
    drag_splitter(&mut harness, -60.0);
    assert!(splitter(&harness).rect().center().y < before.center().y - 59.0);
    splitter(&harness).click_secondary();
    harness.run_steps(3);
    harness.get_by_label("Automatic height").click();
    harness.run_steps(3);
    assert_eq!(harness.state().explorer.form_height, None);
    assert!((splitter(&harness).rect().center().y - before.center().y).abs() < 1.0);

    // Keyboard: focused, Down moves it down a step, Up back, Home resets.
    splitter(&harness).focus();
    harness.run();
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    let lower = splitter(&harness).rect().center().y;
    assert!((lower - before.center().y - 24.0).abs() < 1.0, "{lower}");
    harness.key_press(egui::Key::ArrowUp);
    harness.key_press(egui::Key::ArrowUp);
    harness.run();
    let higher = splitter(&harness).rect().center().y;
    assert!((before.center().y - higher - 24.0).abs() < 1.0, "{higher}");
    harness.key_press(egui::Key::Home);
    harness.run();
    assert_eq!(harness.state().explorer.form_height, None);
}

/// Picks CustomerGroups and lists the groups matching the raw `$filter`.
fn list_customer_groups(harness: &mut Harness<'_, FlowbenchApp>, filter: &str) {
    pick_entity(harness, "customergr", "CustomerGroups");
    {
        let forms = harness.state_mut().explorer.forms.as_mut().expect("forms");
        forms.list.raw_mode = true;
        forms.list.raw_filter = filter.into();
    }
    click(harness, "Run");
    wait_until_idle(harness);
}

fn splitter<'h>(harness: &'h Harness<'_, FlowbenchApp>) -> egui_kittest::Node<'h> {
    harness.get_by_role_and_label(Role::Splitter, "Resize the form")
}

/// Drags the form's handle by `dy` points in small steps, as a mouse would.
fn drag_splitter(harness: &mut Harness<'_, FlowbenchApp>, dy: f32) {
    let start = splitter(harness).rect().center();
    harness.hover_at(start);
    harness.run();
    harness.drag_at(start);
    harness.run();
    for step in 1..=10 {
        harness.hover_at(start + egui::vec2(0.0, dy * step as f32 / 10.0));
        harness.run();
    }
    harness.drop_at(start + egui::vec2(0.0, dy));
    harness.run_steps(2);
}

#[test]
fn picking_a_recent_action_fills_its_form_as_it_was() {
    let mut harness = connected_app(DemoConfig::default());
    pick_entity(&mut harness, "custv3", "CustomersV3");
    choose_action(&mut harness, "Get a record");
    type_into(&mut harness, "Key values", "usmf,US-002");
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);

    choose_action(&mut harness, "List items");
    type_into(&mut harness, "Top", "5");
    click(&mut harness, "Cross-company");
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);
    assert_eq!(harness.state().explorer.pane().results.len(), 5);

    // Both forms change afterwards.
    {
        let forms = harness.state_mut().explorer.forms.as_mut().expect("forms");
        forms.list.top.clear();
        forms.list.cross_company = false;
        forms.key.set_comma_text("");
    }
    let recent = harness.state().state.recent[1].clone();
    assert_eq!(recent.detail().as_deref(), Some("usmf,US-002"));

    click(&mut harness, "Get a record · CustomersV3");
    harness.run_steps(2);
    assert_eq!(
        harness.state().state.action,
        flowbench::ui::ConnectorAction::GetRecord
    );
    let forms = harness.state().explorer.forms.as_ref().expect("forms");
    assert_eq!(forms.key.comma_text(), "usmf,US-002");
    harness.get_by_label("GET CustomersV3(dataAreaId='usmf',CustomerAccount='US-002')");

    click(&mut harness, "List items · CustomersV3");
    harness.run_steps(2);
    let forms = harness.state().explorer.forms.as_ref().expect("forms");
    assert_eq!(forms.list.top, "5");
    assert!(forms.list.cross_company);
    harness.get_by_label_contains("cross-company=true");

    // Clear forgets them (and what their forms held).
    click(&mut harness, "Clear");
    harness.run_steps(2);
    assert!(harness.state().state.recent.is_empty());
    harness.get_by_label("No recent actions yet");
}

#[test]
fn a_listed_record_opens_in_update_or_delete_from_the_record_view_and_the_row_menu() {
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    for (id, description) in [
        ("ROW1", "Update me from the list"),
        ("ROW2", "Delete me from the list"),
    ] {
        let body = json!({"dataAreaId": "usmf", "CustomerGroupId": id, "Description": description});
        assert_eq!(
            send_json("POST", &format!("{root}CustomerGroups"), body),
            201
        );
    }
    list_customer_groups(&mut harness, "startswith(CustomerGroupId,'ROW')");
    assert_eq!(harness.state().explorer.pane().results.len(), 2);

    // Record view: Update this record loads it into the update form.
    harness.get_by_label("Update me from the list").click();
    harness.step();
    harness.get_by_label("Record").click();
    harness.run_steps(2);
    click(&mut harness, "Update this record");
    wait_until_idle(&mut harness);
    assert_eq!(
        harness.state().state.action,
        flowbench::ui::ConnectorAction::UpdateRecord
    );
    assert!(
        matches!(
            harness.state().explorer.pane().outcome,
            Some(Outcome::Loaded(_))
        ),
        "{:?}",
        harness.state().explorer.pane().error
    );
    let forms = harness.state().explorer.forms.as_ref().expect("forms");
    assert_eq!(forms.key.comma_text(), "usmf,ROW1");
    assert_eq!(
        forms.update.field("Description").expect("field").text(),
        "Update me from the list"
    );
    // The results are now the loaded record: still a record of the entity.
    assert!(harness.state().explorer.pane().results.record_actions());

    // Row menu on a fresh listing: Delete this record… asks, then deletes that one.
    choose_action(&mut harness, "List items");
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);
    harness
        .get_by_label("Delete me from the list")
        .click_secondary();
    harness.run_steps(3);
    harness.get_by_label("Delete this record…").click();
    harness.run_steps(3);
    harness.get_by_label("Delete this record?");
    harness.get_by_label("Delete").click();
    wait_until_idle(&mut harness);
    assert_eq!(
        get_status(&format!(
            "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='ROW2')"
        )),
        404
    );
    assert_eq!(
        get_status(&format!(
            "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='ROW1')"
        )),
        200
    );

    // Results of another entity offer neither.
    harness.state_mut().state.selected_entity = Some("CustomersV3".into());
    harness.run_steps(2);
    assert!(!harness.state().explorer.pane().results.record_actions());
}

#[test]
fn create_a_copy_of_a_listed_record_then_change_its_key() {
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    let body = json!({"dataAreaId": "usmf", "CustomerGroupId": "CPY1", "Description": "Copy me", "PaymentTermId": "Net30"});
    assert_eq!(
        send_json("POST", &format!("{root}CustomerGroups"), body),
        201
    );
    list_customer_groups(&mut harness, "CustomerGroupId eq 'CPY1'");

    harness.get_by_label("Copy me").click_secondary();
    harness.run_steps(3);
    harness.get_by_label("Create a copy").click();
    harness.run_steps(3);
    assert_eq!(
        harness.state().state.action,
        flowbench::ui::ConnectorAction::CreateRecord
    );
    let forms = harness.state().explorer.forms.as_ref().expect("forms");
    assert_eq!(
        forms.create.field("Description").expect("field").text(),
        "Copy me"
    );
    assert_eq!(
        forms.create.field("PaymentTermId").expect("field").text(),
        "Net30"
    );

    {
        let forms = harness.state_mut().explorer.forms.as_mut().expect("forms");
        assert!(forms.create.set_text("CustomerGroupId", "CPY2"));
    }
    click(&mut harness, "Create");
    wait_until_idle(&mut harness);
    let copy = get_json(&format!(
        "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='CPY2')"
    ));
    assert_eq!(copy["Description"], "Copy me");
    assert_eq!(copy["PaymentTermId"], "Net30");
}

#[test]
fn rows_of_a_csv_file_are_created_in_one_batch_all_or_nothing_or_each_on_its_own() {
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("groups.csv");
    // Row 3 names a group that already exists: the server refuses that create.
    std::fs::write(
        &file,
        "dataAreaId,CustomerGroupId,Description\nusmf,CSV1,First\nusmf,10,Duplicate\nusmf,CSV3,Third\n",
    )
    .expect("csv written");
    let exists = |id: &str| {
        get_status(&format!(
            "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='{id}')"
        )) == 200
    };
    pick_entity(&mut harness, "customergr", "CustomerGroups");
    choose_action(&mut harness, "Create a record");
    click(&mut harness, "Create records from a CSV file");
    harness.run_steps(3);
    type_into(&mut harness, "CSV file", &file.display().to_string());
    click(&mut harness, "All or nothing (one bad row creates none)");
    click(&mut harness, "Create from file");
    wait_until_idle(&mut harness);
    let Some(Outcome::Batch(results)) = harness.state().explorer.pane().outcome.clone() else {
        panic!("no batch: {:?}", harness.state().explorer.pane().error);
    };
    let outcomes: Vec<(String, bool)> = results
        .iter()
        .map(|r| (r.id.clone(), r.succeeded()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("row-2".to_owned(), false),
            ("row-3".to_owned(), false),
            ("row-4".to_owned(), false)
        ]
    );
    assert!(
        !exists("CSV1") && !exists("CSV3"),
        "the changeset was rolled back"
    );
    // The results table shows one row per request, with what became of it.
    assert_eq!(harness.state().explorer.pane().results.len(), 3);
    harness.get_by_label_contains("0 of 3 requests succeeded");

    // Each row on its own: the good rows are created, the duplicate is reported.
    click(&mut harness, "All or nothing (one bad row creates none)");
    click(&mut harness, "Create from file");
    wait_until_idle(&mut harness);
    let Some(Outcome::Batch(results)) = harness.state().explorer.pane().outcome.clone() else {
        panic!("no batch: {:?}", harness.state().explorer.pane().error);
    };
    let succeeded: Vec<bool> = results.iter().map(|r| r.succeeded()).collect();
    assert_eq!(succeeded, [true, false, true]);
    assert!(exists("CSV1") && exists("CSV3"));

    // A row that does not fit the metadata is refused before anything is sent.
    std::fs::write(&file, "dataAreaId,CustomerGroupId,Colour\nusmf,CSV9,red\n").expect("csv");
    click(&mut harness, "Create from file");
    harness.run_steps(3);
    let problem = harness.state().explorer.pane().form_problem.clone();
    assert!(
        problem
            .as_deref()
            .is_some_and(|p| p.contains("row 2, Colour: no such property")),
        "{problem:?}"
    );
    assert!(!exists("CSV9"));
}
