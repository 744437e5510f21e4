//! The results widgets driven headless with egui_kittest: sorting, selection, record and
//! JSON views, copy, export through the in-app path field, and 100 000 virtualised rows.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::ui::results::{
    ExportStatus, ResultsView, SortDirection, SortState, ViewMode, results_ui,
};
use serde_json::{Value, json};

fn customers() -> Vec<Value> {
    vec![
        json!({"@odata.etag": "W/\"1\"", "CustomerAccount": "US-003", "Name": "contoso retail", "CreditLimit": 2500.5, "Blocked": false}),
        json!({"@odata.etag": "W/\"2\"", "CustomerAccount": "US-001", "Name": "Fabrikam", "CreditLimit": 100, "Blocked": true}),
        json!({"@odata.etag": "W/\"3\"", "CustomerAccount": "US-002", "Name": "Adventure Works", "CreditLimit": 99999.99, "Blocked": null}),
    ]
}

fn harness_for(view: ResultsView) -> Harness<'static, ResultsView> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1000.0, 600.0))
        .build_ui_state(|ui, view: &mut ResultsView| results_ui(ui, view), view);
    harness.run();
    harness
}

fn column_values(view: &ResultsView, column: &str) -> Vec<String> {
    view.sorted_records()
        .map(|r| match &r[column] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

#[test]
fn columns_hide_annotations_and_follow_the_preferred_order() {
    let mut view = ResultsView::from_records(customers());
    assert_eq!(
        view.columns(),
        ["CustomerAccount", "Name", "CreditLimit", "Blocked"]
    );
    view.set_preferred_columns(vec!["Name".into(), "Missing".into()]);
    assert_eq!(
        view.columns(),
        ["Name", "CustomerAccount", "CreditLimit", "Blocked"]
    );
    view.push_page(vec![json!({"CustomerAccount": "US-004", "Phone": "555"})]);
    assert_eq!(view.len(), 4);
    assert_eq!(view.columns().last().map(String::as_str), Some("Phone"));
    view.clear();
    assert!(view.is_empty());
    assert!(view.columns().is_empty());
}

#[test]
fn header_shows_the_count_and_empty_state() {
    let harness = harness_for(ResultsView::from_records(customers()));
    harness.get_by_label("3 records");
    harness.get_by_label("CustomerAccount");
    assert!(harness.query_by_label("@odata.etag").is_none());

    let empty = harness_for(ResultsView::new());
    empty.get_by_label("0 records");
    empty.get_by_label("No records to show.");
}

#[test]
fn clicking_headers_sorts_numbers_then_text() {
    let mut harness = harness_for(ResultsView::from_records(customers()));
    harness.get_by_label("CreditLimit").click();
    harness.run();
    assert_eq!(
        harness.state().sort(),
        Some(&SortState::ascending("CreditLimit"))
    );
    assert_eq!(
        column_values(harness.state(), "CreditLimit"),
        ["100", "2500.5", "99999.99"]
    );
    harness.get_by_label("CreditLimit").click();
    harness.run();
    assert_eq!(
        harness.state().sort().map(|s| s.direction),
        Some(SortDirection::Descending)
    );
    assert_eq!(
        column_values(harness.state(), "CreditLimit"),
        ["99999.99", "2500.5", "100"]
    );
    harness.get_by_label("Name").click();
    harness.run();
    assert_eq!(
        column_values(harness.state(), "Name"),
        ["Adventure Works", "contoso retail", "Fabrikam"]
    );
    harness.get_by_label("sorted by Name (ascending)");
    // The table draws rows in the sorted order.
    let top = |label: &str| harness.get_by_label(label).rect().top();
    assert!(top("Adventure Works") < top("contoso retail"));
    assert!(top("contoso retail") < top("Fabrikam"));
}

#[test]
fn clicking_a_row_selects_it_and_the_record_and_json_views_show_it() {
    let mut harness = harness_for(ResultsView::from_records(customers()));
    harness.get_by_label("Fabrikam").click();
    harness.run();
    assert_eq!(harness.state().selected_index(), Some(1));
    assert_eq!(harness.state().mode(), ViewMode::Table);

    harness.get_by_label("Record").click();
    harness.run();
    assert_eq!(harness.state().mode(), ViewMode::Record);
    harness.get_by_label("Record 2 of 3");
    harness.get_by_label("Fabrikam");
    harness.get_by_label("US-001");
    harness.get_by_label("@odata.etag");
    // Only the selected record is shown.
    assert!(harness.query_by_label("Adventure Works").is_none());

    harness.get_by_label("Next").click();
    harness.run();
    assert_eq!(harness.state().selected_index(), Some(2));
    harness.get_by_label("Adventure Works");

    harness.get_by_label("JSON").click();
    harness.run();
    assert_eq!(harness.state().mode(), ViewMode::Json);
    let json = harness
        .get_by_role_and_label(Role::MultilineTextInput, "Record JSON")
        .value()
        .expect("the JSON view has a value");
    assert!(json.contains("\"Name\": \"Adventure Works\""), "{json}");
    assert!(json.contains("\"CreditLimit\": 99999.99"), "{json}");

    harness.get_by_label("Back to table").click();
    harness.run();
    assert_eq!(harness.state().mode(), ViewMode::Table);
    harness.get_by_label("contoso retail");
}

#[test]
fn keyboard_moves_the_selection_opens_and_copies_the_row() {
    let mut harness = harness_for(ResultsView::from_records(customers()));
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    assert_eq!(harness.state().selected_index(), Some(0));
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    assert_eq!(harness.state().selected_index(), Some(1));

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::C);
    harness.run();
    let copied: Value =
        serde_json::from_str(harness.state().last_copied().expect("a copy")).expect("JSON");
    assert_eq!(copied, customers()[1]);

    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(harness.state().mode(), ViewMode::Record);
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert_eq!(harness.state().mode(), ViewMode::Table);
}

#[test]
fn context_menu_copies_a_cell_or_the_row() {
    let mut harness = harness_for(ResultsView::from_records(customers()));
    harness.get_by_label("US-002").click_secondary();
    harness.run();
    assert_eq!(harness.state().selected_index(), Some(2));
    harness.get_by_label("Copy cell").click();
    harness.run();
    assert_eq!(harness.state().last_copied(), Some("US-002"));

    harness.get_by_label("contoso retail").click_secondary();
    harness.run();
    harness.get_by_label("Copy row as JSON").click();
    harness.run();
    let copied: Value =
        serde_json::from_str(harness.state().last_copied().expect("a copy")).expect("JSON");
    assert_eq!(copied["CustomerAccount"], "US-003");
}

/// Clicks Export…, types `path` into the in-app field, picks `format` and saves; waits
/// (bounded) until the background write has finished.
fn export_to(harness: &mut Harness<'static, ResultsView>, format: &str, path: &str) {
    if !harness.state().export.open {
        harness.get_by_label("Export…").click();
        harness.run();
    }
    harness
        .get_by_role_and_label(Role::RadioButton, format)
        .click();
    harness.run();
    let field = harness.get_by_role_and_label(Role::TextInput, "Save to path");
    field.focus();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "Save to path")
        .type_text(path);
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    for _ in 0..500 {
        if !harness.state().export.is_busy() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        harness.step();
    }
    harness.run();
}

#[test]
fn export_writes_csv_and_json_in_display_order_through_the_path_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut view = ResultsView::from_records(customers());
    view.set_sort(Some(SortState::ascending("CustomerAccount")));
    let mut harness = harness_for(view);

    let csv_path = dir.path().join("customers.csv");
    export_to(&mut harness, "CSV", &csv_path.display().to_string());
    assert!(
        matches!(harness.state().export.status(), ExportStatus::Saved(done) if done.count == 3),
        "{:?}",
        harness.state().export.status()
    );
    harness.get_by_label(&format!("Saved 3 records to {}", csv_path.display()));
    let csv = std::fs::read_to_string(&csv_path).expect("CSV written");
    assert_eq!(
        csv,
        "CustomerAccount,Name,CreditLimit,Blocked\r\n\
         US-001,Fabrikam,100,true\r\n\
         US-002,Adventure Works,99999.99,\r\n\
         US-003,contoso retail,2500.5,false\r\n"
    );

    harness.state_mut().export.path.clear();
    let json_path = dir.path().join("customers.json");
    export_to(&mut harness, "JSON", &json_path.display().to_string());
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("JSON written"))
            .expect("valid JSON");
    let accounts: Vec<&str> = json
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r["CustomerAccount"].as_str().expect("account"))
        .collect();
    assert_eq!(accounts, ["US-001", "US-002", "US-003"]);
    assert_eq!(json[0]["@odata.etag"], "W/\"2\"");
}

#[test]
fn export_failure_is_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut harness = harness_for(ResultsView::from_records(customers()));
    let bad = dir.path().join("no such folder").join("out.csv");
    export_to(&mut harness, "CSV", &bad.display().to_string());
    let ExportStatus::Failed(message) = harness.state().export.status().clone() else {
        panic!(
            "expected a failure, got {:?}",
            harness.state().export.status()
        );
    };
    assert!(message.contains("cannot write"), "{message}");
    harness.get_by_label(&message);
    assert!(!bad.exists());
}

#[test]
fn a_hundred_thousand_rows_render_only_the_visible_ones() {
    let records: Vec<Value> = (0..100_000)
        .map(|i| json!({"Id": format!("id-{i}"), "Amount": i % 977, "Text": format!("row {i}")}))
        .collect();
    let mut view = ResultsView::new();
    for page in records.chunks(10_000) {
        view.push_page(page.to_vec());
    }
    let mut harness = harness_for(view);
    harness.get_by_label("100 000 records");
    harness.get_by_label("id-0");
    assert!(harness.query_by_label("id-99999").is_none());
    let laid_out = harness.query_all_by_label_contains("id-").count();
    assert!((5..100).contains(&laid_out), "{laid_out} id cells laid out");

    // Wheel scrolling far down lays out later rows instead of the first ones.
    harness.get_by_label("id-3").hover();
    for _ in 0..10 {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -3000.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
    }
    harness.run_steps(40); // one frame per event, then the smooth-scroll animation
    assert!(harness.query_by_label("id-0").is_none());
    let later = harness
        .query_all_by(|node| {
            node.value()
                .and_then(|l| l.strip_prefix("id-").map(str::to_owned))
                .and_then(|n| n.parse::<usize>().ok())
                .is_some_and(|n| n > 500)
        })
        .count();
    assert!((5..100).contains(&later), "{later} later rows laid out");

    harness.get_by_label("Amount").click();
    harness.run();
    harness.get_by_label("Amount").click();
    harness.run();
    let first = harness.state().sorted_records().next().expect("a record");
    assert_eq!(first["Amount"], 976);
    assert!(harness.query_all_by_label_contains("id-").count() < 100);
}

#[test]
fn pages_streaming_in_keep_the_sort_and_the_selection() {
    let mut harness = harness_for(ResultsView::new());
    harness.get_by_label("No records to show.");
    harness
        .state_mut()
        .set_sort(Some(SortState::ascending("CreditLimit")));
    harness.state_mut().push_page(customers()[..2].to_vec());
    harness.run();
    harness.get_by_label("2 records");
    harness.get_by_label("Fabrikam").click();
    harness.run();
    assert_eq!(harness.state().selected_index(), Some(1));

    harness.state_mut().push_page(vec![
        json!({"CustomerAccount": "US-000", "Name": "Northwind", "CreditLimit": "5.25"}),
        customers()[2].clone(),
    ]);
    harness.run();
    harness.get_by_label("4 records");
    assert_eq!(
        column_values(harness.state(), "CreditLimit"),
        ["5.25", "100", "2500.5", "99999.99"]
    );
    assert_eq!(
        harness.state().selected_record().map(|r| r["Name"].clone()),
        Some(json!("Fabrikam"))
    );
    assert_eq!(harness.state().selected_position(), Some(1));
}

#[test]
fn double_clicking_a_row_opens_the_record() {
    // Frames 1/60 s apart, so that two clicks fall within the double-click delay.
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1000.0, 600.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(
            |ui, view: &mut ResultsView| results_ui(ui, view),
            ResultsView::from_records(customers()),
        );
    harness.run();
    let label = harness.get_by_label("Adventure Works");
    label.click();
    label.click();
    harness.run();
    assert_eq!(harness.state().mode(), ViewMode::Record);
    assert_eq!(harness.state().selected_index(), Some(2));
    harness.get_by_label("99999.99");
}

#[test]
fn find_filters_the_rows_as_you_type_and_export_takes_what_is_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut view = ResultsView::from_records(customers());
    view.set_sort(Some(SortState::descending("CustomerAccount")));
    let mut harness = harness_for(view);

    // Ctrl+F focuses the box; typing filters (any case, any cell).
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run();
    let find = harness.get_by_role_and_label(Role::TextInput, "Find");
    assert!(find.is_focused());
    find.type_text("US-00");
    harness.run();
    assert_eq!(harness.state().shown_len(), 3);
    harness
        .get_by_role_and_label(Role::TextInput, "Find")
        .type_text("1");
    harness.run();
    assert_eq!(harness.state().find(), "US-001");
    assert_eq!(column_values(harness.state(), "Name"), ["Fabrikam"]);
    harness.get_by_label("1 of 3 records");
    assert!(harness.query_by_label("contoso retail").is_none());

    // Pages arriving later are searched too; the sort still applies.
    harness.state_mut().set_find("RETAIL");
    harness.state_mut().push_page(vec![
        json!({"CustomerAccount": "US-000", "Name": "Northwind Retail", "CreditLimit": 5}),
    ]);
    harness.run();
    assert_eq!(
        column_values(harness.state(), "CustomerAccount"),
        ["US-003", "US-000"]
    );
    harness.get_by_label("2 of 4 records");

    let csv_path = dir.path().join("retail.csv");
    export_to(&mut harness, "CSV", &csv_path.display().to_string());
    let csv = std::fs::read_to_string(&csv_path).expect("CSV written");
    assert_eq!(csv.lines().count(), 3, "header and the 2 rows shown: {csv}");
    assert!(csv.contains("US-003,contoso retail") && csv.contains("US-000,Northwind Retail"));

    // Nothing matches: said in place of the table; Esc in the box shows every row again.
    harness.state_mut().set_find("zzz");
    harness.run();
    harness.get_by_label("No record contains “zzz”.");
    harness
        .get_by_role_and_label(Role::TextInput, "Find")
        .focus();
    harness.run();
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert_eq!(harness.state().find(), "");
    assert_eq!(harness.state().shown_len(), 4);
    harness.get_by_label("4 records");
}
