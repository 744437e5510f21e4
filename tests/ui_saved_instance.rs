//! The instance dropdown lists saved instances (`flowbench instance add`) and connects to one:
//! profile resolved, metadata loaded through the on-disk cache. One test per process: it
//! points the config and cache directories at temporary ones through the environment.

mod ui_support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::demo::{DemoConfig, DemoThread};
use flowbench::ui::connection::{Connection, InstanceChoice};
use flowbench::ui::{FlowbenchApp, UiState};
use ui_support::{pick_entity, type_into, wait_until_connected};

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
    harness
        .get_by_role_and_label(Role::ComboBox, "Instance")
        .click();
    harness.run_steps(3);
    harness.get_by_label("local-copy").click();
    harness.step();
    wait_until_connected(&mut harness);

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
    drop(demo);
}

/// Points the app's config and cache directories at `config` and `cache`.
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn point_dirs_at(config: &tempfile::TempDir, cache: &tempfile::TempDir) {
    unsafe {
        std::env::set_var("FLOWBENCH_CONFIG_DIR", config.path());
        std::env::set_var("XDG_CACHE_HOME", cache.path());
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
