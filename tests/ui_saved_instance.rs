//! The instance dropdown lists saved instances (`flowbench instance add`) and connects to one:
//! profile resolved, metadata loaded through the on-disk cache. One test per process: it
//! points the config and cache directories at temporary ones through the environment.

mod ui_support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;
use egui_kittest::kittest::Queryable;
use flowbench::demo::{DemoConfig, DemoThread};
use flowbench::ui::connection::{Connection, InstanceChoice};
use flowbench::ui::results::{ExportStatus, records_text};
use flowbench::ui::{FlowbenchApp, UiState};
use ui_support::{
    click, pick_entity, step_until, type_into, wait_until_connected, wait_until_idle,
};

#[test]
fn a_saved_instance_is_listed_connected_and_its_metadata_cached() {
    let config_dir = tempfile::tempdir().unwrap();
    let cache_home = tempfile::tempdir().unwrap();
    point_dirs_at(&config_dir, &cache_home);

    let demo = DemoThread::start(DemoConfig::default()).unwrap();
    let root = demo.service_root().to_owned();
    assert_cmd::Command::cargo_bin("flowbench")
        .unwrap()
        .env("FLOWBENCH_CONFIG_DIR", config_dir.path())
        .args([
            "instance",
            "add",
            "local-copy",
            "--url",
            &root,
            "--kind",
            "odata",
            "--auth",
            "none",
        ])
        .assert()
        .success();

    let mut app = FlowbenchApp::with_state(UiState::default());
    app.reload_saved_instances();
    assert_eq!(app.saved_instances(), ["local-copy".to_owned()]);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut FlowbenchApp| app.window_ui(ui), app);
    harness.step();
    pick_instance(&mut harness, "local-copy");

    let Connection::Connected(connected) = harness.state().connection() else {
        panic!(
            "not connected: {}",
            harness.state().connection().status_text(0)
        );
    };
    assert_eq!(connected.name, "local-copy");
    assert_eq!(connected.service_root, root);
    assert_eq!(
        harness.state().state.instance,
        InstanceChoice::Saved("local-copy".into())
    );
    pick_entity(&mut harness, "custv3", "CustomersV3");

    let cached: Vec<_> = walk(cache_home.path());
    assert!(
        !cached.is_empty(),
        "the metadata cache holds the instance's model"
    );

    // "Add instance…": a bad name is explained and nothing is saved; a good one is saved
    // to the instances file and connected to.
    harness
        .get_by_role_and_label(Role::ComboBox, "Instance")
        .click();
    harness.run_steps(3);
    harness.get_by_label("Add instance…").click();
    harness.run_steps(3);
    harness.get_by_label("Add instance");
    type_into(&mut harness, "Name", "bad name");
    type_into(&mut harness, "URL", &root);
    harness
        .get_by_role_and_label(Role::ComboBox, "Sign-in")
        .click();
    harness.run_steps(3);
    harness.get_by_label("None").click();
    harness.run_steps(2);
    harness.get_by_label("Save and connect").click();
    harness.run_steps(2);
    harness.get_by_label_contains("invalid instance name");
    assert_eq!(harness.state().saved_instances(), ["local-copy".to_owned()]);

    harness
        .get_by_role_and_label(Role::TextInput, "Name")
        .focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_role_and_label(Role::TextInput, "Name")
        .type_text("second");
    harness.step();
    harness.get_by_label("Save and connect").click();
    harness.run_steps(2);
    wait_until_connected(&mut harness);
    let Connection::Connected(connected) = harness.state().connection() else {
        panic!(
            "not connected: {}",
            harness.state().connection().status_text(0)
        );
    };
    assert_eq!(connected.name, "second");
    assert_eq!(
        harness.state().saved_instances(),
        ["local-copy".to_owned(), "second".to_owned()]
    );
    let file = std::fs::read_to_string(config_dir.path().join("instances.json")).unwrap();
    assert!(file.contains("\"second\""), "{file}");

    // The connection state follows the latest request; Export exports what the table shows.
    pick_entity(&mut harness, "customergr", "CustomerGroups");
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);
    let listed = harness.state().explorer.pane().results.len();
    assert!(listed > 0);
    let export_to = config_dir.path().join("groups.csv");
    click(&mut harness, "Export…");
    type_into(
        &mut harness,
        "Save to path",
        &export_to.display().to_string(),
    );
    click(&mut harness, "Save");
    step_until(&mut harness, "the export", |app| {
        matches!(
            app.explorer.pane().results.export.status(),
            ExportStatus::Saved(_) | ExportStatus::Failed(_)
        )
    });
    harness.get_by_label_contains(&format!(
        "Saved {} (List items · CustomerGroups)",
        records_text(listed)
    ));

    let port = url::Url::parse(&root).unwrap().port().unwrap();
    drop(demo);
    click(&mut harness, "Run");
    wait_until_idle(&mut harness);
    let report = harness
        .state()
        .explorer
        .pane()
        .error
        .clone()
        .expect("no answer");
    assert_eq!(report.title, "Network error");
    assert!(harness.state().connection().is_unreachable());
    harness.get_by_label_contains(&format!("Cannot reach {root}"));
    assert!(harness.query_by_label_contains("Connected to").is_none());
    // The table is empty now: no message of the earlier export is left next to it.
    assert_eq!(harness.state().explorer.pane().results.len(), 0);
    assert!(harness.query_by_label_contains("Saved ").is_none());
    assert!(
        harness.get_by_label("Save").accesskit_node().is_disabled(),
        "nothing to export"
    );

    // The instance is back: Retry asks it again, keeping the forms.
    let demo = DemoThread::start(DemoConfig {
        port,
        ..DemoConfig::default()
    })
    .unwrap();
    harness.get_by_label("Retry").click();
    step_until(&mut harness, "reaching the instance again", |app| {
        !app.connection().is_unreachable()
    });
    harness.get_by_label_contains(&format!("Connected to {root}"));
    assert_eq!(
        harness.state().state.selected_entity.as_deref(),
        Some("CustomerGroups")
    );
    drop(demo);

    // Start-up with an unreachable instance: the failure in the main area, Retry, and a
    // way to the demo instance.
    pick_instance(&mut harness, "local-copy");
    assert!(matches!(
        harness.state().connection(),
        Connection::Failed(_)
    ));
    harness.get_by_label("Could not connect to local-copy");
    // Its entity sets still come from the metadata cache, read before the connection.
    let cached = harness
        .state()
        .cached_index()
        .map_or(0, |index| index.len());
    assert!(
        cached > 10,
        "the cached entity sets are searchable: {cached}"
    );
    // The whole message in the main area (the status bar has a shortened copy).
    assert!(
        harness
            .query_all_by_label_contains("network error on GET")
            .count()
            >= 2
    );
    assert!(
        harness
            .query_by_label_contains("Waiting for the instance")
            .is_none()
    );
    harness.get_by_label("Retry").click();
    harness.step();
    wait_until_connected(&mut harness);
    harness.get_by_label("Could not connect to local-copy");
    harness.get_by_label("Use the demo instance").click();
    harness.step();
    wait_until_connected(&mut harness);
    assert!(
        matches!(harness.state().connection(), Connection::Connected(_)),
        "{}",
        harness.state().connection().status_text(0)
    );
    assert_eq!(harness.state().state.instance, InstanceChoice::Demo);
}

/// Picks `name` in the instance dropdown and waits for the connection attempt to settle.
fn pick_instance(harness: &mut Harness<'_, FlowbenchApp>, name: &str) {
    harness
        .get_by_role_and_label(Role::ComboBox, "Instance")
        .click();
    harness.run_steps(3);
    harness.get_by_label(name).click();
    harness.step();
    wait_until_connected(harness);
}

/// Points the app's config and cache directories at `config` and `cache`.
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn point_dirs_at(config: &tempfile::TempDir, cache: &tempfile::TempDir) {
    unsafe {
        std::env::set_var("FLOWBENCH_CONFIG_DIR", config.path());
        std::env::set_var("XDG_CACHE_HOME", cache.path());
        // The demo instance keeps its database in the data directory.
        std::env::set_var("XDG_DATA_HOME", cache.path().join("data"));
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}
