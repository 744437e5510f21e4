//! "Compare instances" in the window: the connected demo instance's `$metadata` against a
//! copy of it with one field renamed lists exactly that field removed and added, filters
//! as typed, and names a missing file in context.

mod ui_support;

use egui_kittest::kittest::Queryable;
use flowbench::demo::DemoConfig;
use flowbench::odata::metadata::diff::ChangeKind;
use ui_support::{click, connected_app, get_text, service_root, step_until, type_into};

#[test]
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn the_connected_instance_is_compared_with_a_metadata_file() {
    let data = tempfile::tempdir().expect("temp dir");
    unsafe { std::env::set_var("FLOWBENCH_DATA_DIR", data.path()) };
    unsafe { std::env::set_var("FLOWBENCH_CONFIG_DIR", data.path().join("config")) };
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    step_until(&mut harness, "metadata", |app| app.metadata().is_some());
    let document = get_text(&format!("{root}$metadata"));
    assert!(document.contains("Name=\"CreditLimit\""));
    let renamed = document.replace("Name=\"CreditLimit\"", "Name=\"CreditCeiling\"");
    let file = data.path().join("uat-metadata.xml");
    std::fs::write(&file, renamed).expect("write");

    click(&mut harness, "Compare…");
    harness.run_steps(2);
    type_into(
        &mut harness,
        "File",
        &data.path().join("missing.xml").display().to_string(),
    );
    click(&mut harness, "Compare");
    step_until(&mut harness, "the comparison fails", |app| {
        app.compare.result.as_ref().is_some_and(Result::is_err)
    });
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Cannot read").is_some());

    harness.state_mut().compare.file = file.display().to_string();
    click(&mut harness, "Compare");
    step_until(&mut harness, "the comparison ends", |app| {
        app.compare.result.as_ref().is_some_and(Result::is_ok)
    });
    harness.run_steps(2);
    let changes = match &harness.state().compare.result {
        Some(Ok(comparison)) => comparison.changes.clone(),
        _ => unreachable!("checked above"),
    };
    assert!(!changes.is_empty());
    assert!(
        changes
            .iter()
            .all(|c| c.element == "property" && c.path.contains("Credit")),
        "{changes:?}"
    );
    let added = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Added)
        .count();
    let removed = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Removed)
        .count();
    assert_eq!(added, removed);
    assert!(
        changes
            .iter()
            .any(|c| c.kind == ChangeKind::Added && c.path.ends_with(".CreditCeiling"))
    );
    assert!(
        harness
            .query_by_label_contains(&format!("{added} added, {removed} removed, 0 changed"))
            .is_some()
    );
    type_into(&mut harness, "Filter", "CreditCeiling");
    harness.run_steps(2);
    assert_eq!(harness.query_all_by_label("+ added").count(), added);
    assert_eq!(harness.query_all_by_label("- removed").count(), 0);
}
