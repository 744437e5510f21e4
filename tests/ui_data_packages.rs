//! "Data packages" in the window against the connected demo instance: a package built from a
//! CSV file, imported into a data project of another company with its execution followed to
//! `Succeeded` (the records checked on the server), a package with a bad row ending
//! `PartiallySucceeded` with its error shown, and a data project exported and saved.

mod ui_support;

use egui_kittest::kittest::Queryable;
use flowbench::connector::bulk::ExecutionStatus;
use flowbench::connector::package::Package;
use flowbench::demo::DemoConfig;
use ui_support::{click, connected_app, get_json, get_status, service_root, step_until};

const GOOD: &str = "dataAreaId,CustomerGroupId,Description,IsSalesTaxIncludedInPrice
usmf,UI-1,From the window,No
usmf,UI-2,Second one,Yes
";

const BAD: &str = "dataAreaId,CustomerGroupId,Description,IsSalesTaxIncludedInPrice
usmf,UI-3,Good row,No
usmf,MUCH-TOO-LONG-ID,Bad row,No
";

#[test]
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn packages_are_built_imported_followed_and_exported_from_the_window() {
    let data = tempfile::tempdir().expect("temp dir");
    unsafe { std::env::set_var("FLOWBENCH_DATA_DIR", data.path()) };
    unsafe { std::env::set_var("FLOWBENCH_CONFIG_DIR", data.path().join("config")) };
    let mut harness = connected_app(DemoConfig::default());
    let root = service_root(&harness);
    step_until(&mut harness, "metadata", |app| app.metadata().is_some());
    click(&mut harness, "Packages…");
    harness.run_steps(2);
    assert!(harness.state().data_packages.open);

    // Build from CSV.
    let csv = data.path().join("groups.csv");
    std::fs::write(&csv, GOOD).expect("write");
    let zip = data.path().join("groups.zip");
    {
        let window = &mut harness.state_mut().data_packages;
        window.entity = "CustomerGroups".to_owned();
        window.csv_path = csv.display().to_string();
        window.package_path = zip.display().to_string();
        window.project = "Groups from the window".to_owned();
        window.company = "demf".to_owned();
    }
    click(&mut harness, "Build");
    harness.run_steps(2);
    let built = harness.state().data_packages.last.clone().expect("built");
    assert!(
        built
            .as_ref()
            .is_ok_and(|b| b.summary.contains("2 rows of CustomerGroups")),
        "{built:?}"
    );
    assert!(
        harness
            .query_by_label_contains("2 rows of CustomerGroups")
            .is_some()
    );

    // Import into demf and follow the execution.
    click(&mut harness, "Import");
    step_until(&mut harness, "the import ends", |app| {
        app.data_packages.last.is_some()
    });
    harness.run_steps(2);
    let imported = harness
        .state()
        .data_packages
        .last
        .clone()
        .expect("done")
        .expect("ok");
    assert_eq!(
        imported.status,
        Some(ExecutionStatus::Succeeded),
        "{imported:?}"
    );
    assert!(harness.query_by_label_contains("ended Succeeded").is_some());
    for (id, description) in [("UI-1", "From the window"), ("UI-2", "Second one")] {
        let record = get_json(&format!(
            "{root}CustomerGroups(dataAreaId='demf',CustomerGroupId='{id}')?cross-company=true"
        ));
        assert_eq!(record["Description"], description, "{record}");
    }
    assert_eq!(
        get_status(&format!(
            "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='UI-1')?cross-company=true"
        )),
        404
    );

    // A bad row: PartiallySucceeded, its error in the window, the good row applied.
    let bad_csv = data.path().join("bad.csv");
    std::fs::write(&bad_csv, BAD).expect("write");
    let bad_zip = data.path().join("bad.zip");
    {
        let window = &mut harness.state_mut().data_packages;
        window.csv_path = bad_csv.display().to_string();
        window.package_path = bad_zip.display().to_string();
        window.company = "usmf".to_owned();
    }
    click(&mut harness, "Build");
    click(&mut harness, "Import");
    step_until(&mut harness, "the second import ends", |app| {
        app.data_packages
            .last
            .as_ref()
            .is_some_and(|r| r.as_ref().is_ok_and(|o| o.status.is_some()))
    });
    harness.run_steps(2);
    let partial = harness
        .state()
        .data_packages
        .last
        .clone()
        .expect("done")
        .expect("ok");
    assert_eq!(
        partial.status,
        Some(ExecutionStatus::PartiallySucceeded),
        "{partial:?}"
    );
    assert!(
        partial
            .errors
            .iter()
            .any(|e| e.contains("MUCH-TOO-LONG-ID")),
        "{partial:?}"
    );
    assert!(
        harness
            .query_by_label_contains("ended PartiallySucceeded")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("MUCH-TOO-LONG-ID")
            .is_some()
    );
    assert_eq!(
        get_status(&format!(
            "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='UI-3')?cross-company=true"
        )),
        200
    );

    // Export the first project from demf and save it.
    let exported = data.path().join("exported.zip");
    {
        let window = &mut harness.state_mut().data_packages;
        window.project = "Groups from the window".to_owned();
        window.company = "demf".to_owned();
        window.export_path = exported.display().to_string();
    }
    click(&mut harness, "Export");
    step_until(&mut harness, "the export ends", |app| {
        app.data_packages.last.is_some()
    });
    harness.run_steps(2);
    let done = harness
        .state()
        .data_packages
        .last
        .clone()
        .expect("done")
        .expect("ok");
    assert_eq!(done.status, Some(ExecutionStatus::Succeeded), "{done:?}");
    let bytes = std::fs::read(&exported).expect("saved");
    let package = Package::from_zip(&bytes, "exported.zip").expect("a package");
    let groups = package.entity("CustomerGroups").expect("the entity");
    let id = groups
        .header
        .iter()
        .position(|h| h == "CUSTOMERGROUPID" || h == "CustomerGroupId")
        .expect("key column");
    assert!(
        groups.rows.iter().any(|row| row[id] == "UI-1"),
        "{:?}",
        groups.rows
    );
}
