//! The explorer's actions end to end against the embedded demo instance, driven as a user
//! would: pick the entity by typing, run, see the result; checked against the server's data.

mod ui_support;

use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::ui::explorer::jobs::Outcome;
use ui_support::{
    connected_app, fill_empty_required, get_json, get_text, pick_entity, service_root,
    wait_until_idle,
};

fn small_pages() -> DemoConfig {
    DemoConfig {
        page_size: 5,
        rows: 60,
        ..DemoConfig::default()
    }
}

#[test]
fn get_list_of_entities_lists_every_entity_set_of_the_service_document() {
    let mut harness = connected_app(small_pages());
    harness.get_by_label("Get list of entities").click();
    harness.step();
    harness.get_by_label("Run").click();
    wait_until_idle(&mut harness);

    let document = get_json(&service_root(&harness));
    let expected: Vec<String> = document["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e.get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or("EntitySet")
                == "EntitySet"
        })
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    let Some(Outcome::Entities(sets)) = &harness.state().explorer.pane().outcome else {
        panic!(
            "no entity list: {:?}",
            harness.state().explorer.pane().error
        );
    };
    let names: Vec<String> = sets.iter().map(|s| s.name.clone()).collect();
    assert_eq!(names, expected);
    assert!(names.contains(&"CustomersV3".to_owned()));
    harness.get_by_label(&format!("{} entity sets", expected.len()));

    // A row's menu lists that entity's items.
    assert!(harness.state().explorer.pane().results.entity_rows());
    assert!(!harness.state().explorer.pane().results.record_actions());
    // Its name and url cells read the same: either opens the menu.
    harness
        .query_all_by_label("SalesOrderLines")
        .next()
        .expect("a row")
        .click_secondary();
    harness.run_steps(3);
    harness.get_by_label("List items of this entity").click();
    harness.run_steps(3);
    assert_eq!(
        harness.state().state.selected_entity.as_deref(),
        Some("SalesOrderLines")
    );
    assert_eq!(
        harness.state().state.action,
        flowbench::ui::ConnectorAction::ListItems
    );
    harness.get_by_label_contains("GET http://127.0.0.1");
}

#[test]
fn list_items_reads_the_first_page_or_every_page() {
    let mut harness = connected_app(small_pages());
    pick_entity(&mut harness, "custv3", "CustomersV3");
    let root = service_root(&harness);
    let on_server: usize = get_text(&format!("{root}CustomersV3/$count"))
        .trim()
        .parse()
        .unwrap();
    assert!(
        on_server > 5,
        "the demo should hold more than one page of customers, has {on_server}"
    );

    harness.get_by_label("Run").click();
    wait_until_idle(&mut harness);
    assert_eq!(
        harness.state().explorer.pane().results.len(),
        5,
        "first page only"
    );
    harness.get_by_label_contains("· more pages on the server");
    // The trace holds the $metadata request and the one page read.
    harness.get_by_label("HTTP trace (2)").click();
    harness.step();
    assert!(harness.state().state.trace_open);
    assert!(harness.query_all_by_label_contains("CustomersV3").count() >= 1);

    harness.get_by_label("All pages").click();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    wait_until_idle(&mut harness);
    let records = harness.state().explorer.pane().results.records();
    assert_eq!(records.len(), on_server);
    let mut accounts: Vec<&str> = records
        .iter()
        .map(|r| r["CustomerAccount"].as_str().unwrap())
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    assert_eq!(accounts.len(), on_server, "every record exactly once");
    assert!(harness.state().explorer.pane().error.is_none());
}

#[test]
fn a_run_action_is_remembered_and_picking_it_restores_action_and_entity() {
    let mut harness = connected_app(small_pages());
    pick_entity(&mut harness, "salesorderl", "SalesOrderLines");
    harness.get_by_label("Run").click();
    wait_until_idle(&mut harness);
    assert_eq!(harness.state().state.recent.len(), 1);

    harness.get_by_label("Get list of entities").click();
    harness.step();
    harness.get_by_label("Run").click();
    wait_until_idle(&mut harness);
    let labels: Vec<String> = harness
        .state()
        .state
        .recent
        .iter()
        .map(|r| r.label())
        .collect();
    assert_eq!(
        labels,
        vec!["Get list of entities", "List items · SalesOrderLines"]
    );

    harness.get_by_label("List items · SalesOrderLines").click();
    harness.step();
    assert_eq!(
        harness.state().state.action,
        flowbench::ui::ConnectorAction::ListItems
    );
    assert_eq!(
        harness.state().state.selected_entity.as_deref(),
        Some("SalesOrderLines")
    );
}

#[test]
fn cancel_stops_an_all_pages_listing_and_keeps_what_arrived() {
    // Every request answers after 2 s, so the listing is still running when Cancel is clicked.
    let config = DemoConfig {
        page_size: 5,
        faults: "slow:1".parse().expect("fault spec"),
        ..DemoConfig::default()
    };
    let mut harness = connected_app(config);
    pick_entity(&mut harness, "custv3", "CustomersV3");
    harness.get_by_label("All pages").click();
    harness.step();
    harness.get_by_label("Run").click();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while harness.state().explorer.pane().results.len() < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "no first page in time"
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    harness.get_by_label_contains("1 page");
    harness.get_by_label("Cancel").click();
    wait_until_idle(&mut harness);

    let explorer = &harness.state().explorer;
    assert_eq!(
        explorer.pane().error.as_ref().map(|e| e.title.as_str()),
        Some("Cancelled")
    );
    assert!(
        explorer.pane().results.len() < 15,
        "stopped before the last page"
    );
    assert_eq!(explorer.pane().results.len() % 5, 0, "whole pages only");
}

#[test]
fn refresh_reloads_the_metadata_in_the_background() {
    let mut harness = connected_app(small_pages());
    let metadata_requests = |harness: &egui_kittest::Harness<'_, flowbench::ui::FlowbenchApp>| {
        let flowbench::ui::connection::Connection::Connected(connected) =
            harness.state().connection()
        else {
            panic!("not connected")
        };
        let entries = connected.client.trace().entries();
        entries
            .iter()
            .filter(|e| e.url.ends_with("/$metadata"))
            .count()
    };
    assert_eq!(metadata_requests(&harness), 1);
    pick_entity(&mut harness, "custv3", "CustomersV3");
    harness.get_by_label("Refresh").click();
    harness.step();
    harness.step();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while harness.state().is_refreshing_metadata() {
        assert!(
            std::time::Instant::now() < deadline,
            "refresh did not finish"
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    harness.step();
    assert_eq!(metadata_requests(&harness), 2);
    assert!(harness.state().metadata_problem().is_none());
    assert!(
        harness
            .state()
            .metadata()
            .expect("metadata")
            .model
            .entity_set("CustomersV3")
            .is_some()
    );
    // The forms are rebuilt from the new model and the selection is kept.
    assert!(harness.state().explorer.forms.is_some());
    assert_eq!(
        harness.state().state.selected_entity.as_deref(),
        Some("CustomersV3")
    );
}

#[test]
fn each_action_keeps_its_own_messages_and_results() {
    let mut harness = connected_app(small_pages());
    pick_entity(&mut harness, "custv3", "CustomersV3");

    // A listing that the server refuses: its 400 stays on List items.
    {
        let forms = harness.state_mut().explorer.forms.as_mut().expect("forms");
        forms.list.raw_mode = true;
        forms.list.raw_filter = "NoSuchField eq 1".into();
    }
    harness.get_by_label("Run").click();
    wait_until_idle(&mut harness);
    let report = harness.state().explorer.pane().error.clone().expect("400");
    assert_eq!(report.status, Some(400));
    harness.get_by_label(&report.title);

    harness.get_by_label("Get a record").click();
    harness.run_steps(2);
    assert!(harness.state().explorer.pane().error.is_none());
    assert!(
        harness.query_by_label(&report.title).is_none(),
        "the Get tab shows no error of the List tab"
    );
    // A record found on Get: its summary and record stay on Get.
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Key values")
        .focus();
    harness.step();
    harness
        .get_by_role_and_label(egui::accesskit::Role::TextInput, "Key values")
        .type_text("usmf,US-001");
    harness.step();
    harness.get_by_label("Run").click();
    wait_until_idle(&mut harness);
    harness.get_by_label("Record found");
    assert_eq!(harness.state().explorer.pane().results.len(), 1);

    // Create: pressing Create on an empty form names the fields to fix; the message
    // shrinks as they are filled and goes away with the last one, without pressing again.
    harness.get_by_label("Create a record").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Record found").is_none());
    assert_eq!(harness.state().explorer.pane().results.len(), 0);
    harness.get_by_label("Create").click();
    harness.run_steps(2);
    let problem = |harness: &egui_kittest::Harness<'_, flowbench::ui::FlowbenchApp>| {
        harness.state().explorer.pane().form_problem.clone()
    };
    let first = problem(&harness).expect("fields to fix");
    assert!(first.contains("dataAreaId"), "{first}");
    {
        let forms = harness.state_mut().explorer.forms.as_mut().expect("forms");
        assert!(forms.create.set_text("dataAreaId", "usmf"));
    }
    harness.run_steps(2);
    let shorter = problem(&harness).expect("other fields still empty");
    assert!(!shorter.contains("dataAreaId"), "{shorter}");
    fill_empty_required(
        &mut harness
            .state_mut()
            .explorer
            .forms
            .as_mut()
            .expect("forms")
            .create,
    );
    harness.run_steps(2);
    assert_eq!(problem(&harness), None, "every field was corrected");
    assert!(
        harness
            .query_by_label_contains("Check the highlighted fields")
            .is_none()
    );

    // Back on List items: its own error is still there, and only there.
    harness.get_by_label("List items").click();
    harness.run_steps(2);
    harness.get_by_label(&report.title);
    assert!(harness.query_by_label("Record found").is_none());
}
