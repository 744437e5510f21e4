//! Data safety in the explorer: a form changes only the record it shows. Every test takes a
//! snapshot of the demo instance's records (all companies) before and after, and checks
//! that exactly the records the form named changed.

mod ui_support;

use std::collections::BTreeMap;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use flowbench::demo::DemoConfig;
use flowbench::ui::FlowbenchApp;
use flowbench::ui::explorer::jobs::Outcome;
use serde_json::{Value, json};
use ui_support::{
    choose_action, click, connected_app, fill_empty_required, get_json, pick_entity, send_json,
    service_root, type_into, wait_until_idle,
};

/// Every record of `entity` in every company, by key, following the server's pages.
fn snapshot(root: &str, entity: &str, keys: &[&str]) -> BTreeMap<String, Value> {
    let mut records = BTreeMap::new();
    let mut next = Some(format!("{root}{entity}?cross-company=true"));
    let mut pages = 0;
    while let Some(url) = next {
        pages += 1;
        assert!(pages < 1_000, "too many pages");
        let page = get_json(&url);
        for record in page["value"].as_array().expect("value") {
            let key: Vec<String> = keys.iter().map(|k| record[k].to_string()).collect();
            records.insert(key.join(","), record.clone());
        }
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    records
}

/// The keys of the records that differ between two snapshots (changed, added or removed).
fn changed(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>) -> Vec<String> {
    let mut keys: Vec<String> = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .chain(after.keys().filter(|k| !before.contains_key(*k)).cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

const CUSTOMER_KEYS: &[&str] = &["dataAreaId", "CustomerAccount"];

fn customers(harness: &Harness<'_, FlowbenchApp>) -> BTreeMap<String, Value> {
    snapshot(&service_root(harness), "CustomersV3", CUSTOMER_KEYS)
}

/// Replaces the key values of the form on screen by `keys`.
fn set_key_values(harness: &mut Harness<'_, FlowbenchApp>, keys: &str) {
    let field = harness.get_by_role_and_label(Role::TextInput, "Key values");
    field.focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness
        .get_by_role_and_label(Role::TextInput, "Key values")
        .type_text(keys);
    harness.run_steps(2);
}

fn save_is_disabled(harness: &Harness<'_, FlowbenchApp>) -> bool {
    harness
        .get_by_label("Save changes")
        .accesskit_node()
        .is_disabled()
}

#[test]
fn update_never_saves_to_a_record_other_than_the_one_the_key_names() {
    let mut harness = connected_app(DemoConfig::default());
    let before = customers(&harness);
    pick_entity(&mut harness, "custv3", "CustomersV3");
    choose_action(&mut harness, "Update a record");
    type_into(&mut harness, "Key values", "usmf,US-002");
    click(&mut harness, "Load record");
    wait_until_idle(&mut harness);
    assert!(matches!(
        harness.state().explorer.pane().outcome,
        Some(Outcome::Loaded(_))
    ));
    // The target of Save is shown next to it.
    harness.get_by_label("PATCH CustomersV3(dataAreaId='usmf',CustomerAccount='US-002')");

    // Edits meant for another record: the key changes after the edit.
    type_into(&mut harness, "OrganizationName", " (meant for DE-004)");
    set_key_values(&mut harness, "demf,DE-004");
    harness.get_by_label("Not loaded: the key values name another record");
    assert!(
        save_is_disabled(&harness),
        "the form holds US-002, not DE-004"
    );
    assert!(
        harness
            .query_by_label_contains("PATCH CustomersV3")
            .is_none(),
        "no target while the key and the loaded record differ"
    );
    // Ctrl+Enter loads the record the key names instead of saving.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    wait_until_idle(&mut harness);
    let report = harness.state().explorer.pane().error.clone().expect("404");
    assert_eq!(report.status, Some(404), "DE-004 is in another company");
    assert_eq!(
        harness.state().explorer.pane().results.len(),
        0,
        "US-002 is no longer shown as the result"
    );

    // The failed load leaves no record in the form: nothing can be saved.
    let forms = harness.state().explorer.forms.as_ref().expect("forms");
    assert!(!forms.update.is_loaded());
    assert_eq!(
        forms
            .update
            .field("OrganizationName")
            .expect("field")
            .text(),
        ""
    );
    assert!(save_is_disabled(&harness));
    harness.get_by_label("Load the record to edit its current values.");
    assert_eq!(changed(&before, &customers(&harness)), Vec::<String>::new());

    // Back on US-002: loaded again, the edit goes to US-002 and nowhere else.
    set_key_values(&mut harness, "usmf,US-002");
    click(&mut harness, "Load record");
    wait_until_idle(&mut harness);
    type_into(&mut harness, "OrganizationName", " (edited)");
    click(&mut harness, "Save changes");
    wait_until_idle(&mut harness);
    let Some(Outcome::Updated(path, _)) = &harness.state().explorer.pane().outcome else {
        panic!("not updated: {:?}", harness.state().explorer.pane().error);
    };
    assert_eq!(
        path,
        "CustomersV3(dataAreaId='usmf',CustomerAccount='US-002')"
    );
    let after = customers(&harness);
    assert_eq!(
        changed(&before, &after),
        vec!["\"usmf\",\"US-002\"".to_owned()]
    );
    let name = after["\"usmf\",\"US-002\""]["OrganizationName"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(name.ends_with(" (edited)"), "{name}");
    assert!(!name.contains("meant for DE-004"), "{name}");
}

#[test]
fn saving_the_same_form_twice_uses_the_etag_the_first_save_returned() {
    let mut harness = connected_app(DemoConfig::default());
    pick_entity(&mut harness, "custv3", "CustomersV3");
    choose_action(&mut harness, "Create a record");
    for (field, value) in [
        ("dataAreaId", "usmf"),
        ("CustomerAccount", "QA-900"),
        ("OrganizationName", "QA Tester"),
        ("CustomerGroupId", "10"),
        ("SalesCurrencyCode", "USD"),
    ] {
        type_into(&mut harness, field, value);
    }
    // Required fields whose widgets are not text boxes.
    fill_empty_required(
        &mut harness
            .state_mut()
            .explorer
            .forms
            .as_mut()
            .expect("forms")
            .create,
    );
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

    choose_action(&mut harness, "Update a record");
    type_into(&mut harness, "Key values", "usmf,QA-900");
    click(&mut harness, "Load record");
    wait_until_idle(&mut harness);
    for round in 1..=3 {
        type_into(&mut harness, "OrganizationName", &format!(" {round}"));
        click(&mut harness, "Save changes");
        wait_until_idle(&mut harness);
        assert!(
            matches!(
                harness.state().explorer.pane().outcome,
                Some(Outcome::Updated(..))
            ),
            "save {round} failed: {:?}",
            harness.state().explorer.pane().error
        );
    }
    let url = format!(
        "{}CustomersV3(dataAreaId='usmf',CustomerAccount='QA-900')",
        service_root(&harness)
    );
    assert_eq!(get_json(&url)["OrganizationName"], "QA Tester 1 2 3");
    let forms = harness.state().explorer.forms.as_ref().expect("forms");
    assert_eq!(
        forms.update.etag(),
        get_json(&url)["@odata.etag"].as_str(),
        "the form holds the ETag of the record as saved"
    );
}

#[test]
fn delete_removes_only_the_record_the_confirmation_names() {
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    for id in ["SAFE1", "SAFE2"] {
        let body = json!({"dataAreaId": "usmf", "CustomerGroupId": id, "Description": id});
        assert_eq!(
            send_json("POST", &format!("{root}CustomerGroups"), body),
            201
        );
    }
    let keys = ["dataAreaId", "CustomerGroupId"];
    let before = snapshot(&root, "CustomerGroups", &keys);
    pick_entity(&mut harness, "customergr", "CustomerGroups");

    // SAFE1 loaded for update; then Delete with the key changed to SAFE2.
    choose_action(&mut harness, "Update a record");
    type_into(&mut harness, "Key values", "usmf,SAFE1");
    click(&mut harness, "Load record");
    wait_until_idle(&mut harness);
    choose_action(&mut harness, "Delete a record");
    set_key_values(&mut harness, "usmf,SAFE2");
    harness.get_by_label("DELETE CustomerGroups(dataAreaId='usmf',CustomerGroupId='SAFE2')");
    harness.get_by_label("Delete…").click();
    harness.run_steps(3);
    harness.get_by_label("Delete this record?");
    harness.get_by_label("CustomerGroups(dataAreaId='usmf',CustomerGroupId='SAFE2')");
    harness.get_by_label("Delete").click();
    wait_until_idle(&mut harness);
    assert!(matches!(
        harness.state().explorer.pane().outcome,
        Some(Outcome::Deleted(_))
    ));
    let after = snapshot(&root, "CustomerGroups", &keys);
    assert_eq!(
        changed(&before, &after),
        vec!["\"usmf\",\"SAFE2\"".to_owned()]
    );
    assert!(!after.contains_key("\"usmf\",\"SAFE2\""));

    // The update form still holds SAFE1, and the key now names SAFE2 (deleted): no save.
    choose_action(&mut harness, "Update a record");
    assert!(save_is_disabled(&harness));
}

#[test]
fn execute_on_a_record_changes_only_the_record_its_key_names() {
    let mut harness = connected_app(DemoConfig::default());
    let before = customers(&harness);
    pick_entity(&mut harness, "custv3", "CustomersV3");
    choose_action(&mut harness, "Execute action");
    {
        let forms = harness.state_mut().explorer.forms.as_mut().expect("forms");
        assert!(forms.action.select("AdjustCreditLimit"));
    }
    harness.run_steps(2);
    type_into(&mut harness, "Key values", "usmf,US-001");
    type_into(&mut harness, "Amount", "1000");
    type_into(&mut harness, "Reason", "QA demo");
    // The date comes from the picker: what it shows is what is sent.
    click(&mut harness, "Pick a date");
    harness.run_steps(3);
    harness.get_by_label("Save").click();
    harness.run_steps(3);
    harness.get_by_label_contains(
        "POST CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')/Microsoft.Dynamics",
    );
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);
    assert!(
        matches!(
            harness.state().explorer.pane().outcome,
            Some(Outcome::ActionResult(_))
        ),
        "{:?}",
        harness.state().explorer.pane().error
    );
    let middle = customers(&harness);
    assert_eq!(
        changed(&before, &middle),
        vec!["\"usmf\",\"US-001\"".to_owned()]
    );

    // The key changes: the next run acts on US-003, and US-001 is left alone.
    set_key_values(&mut harness, "usmf,US-003");
    harness.get_by_label_contains(
        "POST CustomersV3(dataAreaId='usmf',CustomerAccount='US-003')/Microsoft.Dynamics",
    );
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);
    let after = customers(&harness);
    assert_eq!(
        changed(&middle, &after),
        vec!["\"usmf\",\"US-003\"".to_owned()]
    );
}

#[test]
fn cross_company_reaches_a_record_of_another_company_and_changes_only_it() {
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    let page = get_json(&format!(
        "{root}CustomersV3?cross-company=true&$filter=dataAreaId%20eq%20'demf'&$top=1"
    ));
    let account = page["value"][0]["CustomerAccount"]
        .as_str()
        .expect("a demf customer")
        .to_owned();
    let keys = format!("demf,{account}");
    let target = format!("CustomersV3(dataAreaId='demf',CustomerAccount='{account}')");
    let before = customers(&harness);
    pick_entity(&mut harness, "custv3", "CustomersV3");

    // Get: the default company does not see it, the switch does.
    choose_action(&mut harness, "Get a record");
    type_into(&mut harness, "Key values", &keys);
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);
    let report = harness.state().explorer.pane().error.clone().expect("404");
    assert_eq!(report.status, Some(404));
    click(&mut harness, "Cross-company");
    // The switch asks for the repaint that shows the new target above the form.
    harness.run_steps(2);
    harness.get_by_label(&format!("GET {target}?cross-company=true"));
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);
    let Some(Outcome::Record(record)) = harness.state().explorer.pane().outcome.clone() else {
        panic!("no record: {:?}", harness.state().explorer.pane().error);
    };
    assert_eq!(record["dataAreaId"], "demf");

    // Update: the key form (and its switch) is shared with Get.
    choose_action(&mut harness, "Update a record");
    click(&mut harness, "Load record");
    wait_until_idle(&mut harness);
    assert!(
        matches!(
            harness.state().explorer.pane().outcome,
            Some(Outcome::Loaded(_))
        ),
        "{:?}",
        harness.state().explorer.pane().error
    );
    harness.get_by_label(&format!("PATCH {target}?cross-company=true"));
    type_into(&mut harness, "AddressCity", " (xco)");
    click(&mut harness, "Save changes");
    wait_until_idle(&mut harness);
    assert!(
        matches!(
            harness.state().explorer.pane().outcome,
            Some(Outcome::Updated(..))
        ),
        "{:?}",
        harness.state().explorer.pane().error
    );
    let after = customers(&harness);
    assert_eq!(
        changed(&before, &after),
        vec![format!("\"demf\",\"{account}\"")]
    );
    let stored = &after[&format!("\"demf\",\"{account}\"")];
    assert!(
        stored["AddressCity"]
            .as_str()
            .expect("city")
            .ends_with(" (xco)")
    );

    // Delete.
    choose_action(&mut harness, "Delete a record");
    harness.get_by_label(&format!("DELETE {target}?cross-company=true"));
    harness.get_by_label("Delete…").click();
    harness.run_steps(3);
    harness.get_by_label("Delete").click();
    wait_until_idle(&mut harness);
    assert!(
        matches!(
            harness.state().explorer.pane().outcome,
            Some(Outcome::Deleted(_))
        ),
        "{:?}",
        harness.state().explorer.pane().error
    );
    let gone = customers(&harness);
    assert_eq!(
        changed(&after, &gone),
        vec![format!("\"demf\",\"{account}\"")]
    );
}
