//! The explorer's actions end to end against the embedded demo instance, driven as a user
//! would: pick the entity by typing, run, see the result; checked against the server's data.

mod ui_support;

use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::ui::explorer::jobs::Outcome;
use ui_support::{connected_app, get_json, get_text, pick_entity, service_root, wait_until_idle};

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
    let Some(Outcome::Entities(sets)) = &harness.state().explorer.outcome else {
        panic!("no entity list: {:?}", harness.state().explorer.error);
    };
    let names: Vec<String> = sets.iter().map(|s| s.name.clone()).collect();
    assert_eq!(names, expected);
    assert!(names.contains(&"CustomersV3".to_owned()));
    harness.get_by_label(&format!("{} entity sets", expected.len()));
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
    assert_eq!(harness.state().explorer.results.len(), 5, "first page only");
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
    let records = harness.state().explorer.results.records();
    assert_eq!(records.len(), on_server);
    let mut accounts: Vec<&str> = records
        .iter()
        .map(|r| r["CustomerAccount"].as_str().unwrap())
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    assert_eq!(accounts.len(), on_server, "every record exactly once");
    assert!(harness.state().explorer.error.is_none());
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
