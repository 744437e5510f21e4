//! A corrupt saved-instances file: the window still opens (with the demo instance), names the
//! file with its line and column above the status bar, and leaves the file as it was; the
//! command line reports the same position and writes nothing either. One test per process:
//! it points the config directory at a temporary one through the environment.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::ui::{FlowbenchApp, UiState};

const CORRUPT: &str = "{\n  \"instances\": [\n    {\"name\": \"prod\", \"url\": \n  ]\n}\n";

#[test]
fn a_corrupt_instances_file_is_named_with_its_position_left_untouched_and_the_app_starts() {
    let config_dir = tempfile::tempdir().unwrap();
    let cache_home = tempfile::tempdir().unwrap();
    let file = config_dir.path().join("instances.json");
    std::fs::write(&file, CORRUPT).unwrap();
    point_dirs_at(&config_dir, &cache_home);

    let mut app = FlowbenchApp::with_state(UiState::default());
    app.reload_saved_instances();
    assert_eq!(app.saved_instances(), [] as [String; 0]);
    let problem = app.settings_problem().unwrap().to_owned();
    assert!(
        problem.contains("instances.json: invalid instances file:")
            && problem.contains("at line 4 column 3"),
        "{problem}"
    );
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut FlowbenchApp| app.window_ui(ui), app);
    harness.run_steps(3);
    harness.get_by_label_contains("Saved instances not loaded:");
    harness.get_by_label_contains("at line 4 column 3");
    harness.get_by_label_contains("The file was left as it is");
    drop(harness);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), CORRUPT);

    // Adding an instance from the command line refuses to overwrite it.
    let output = assert_cmd::Command::cargo_bin("flowbench")
        .unwrap()
        .env("FLOWBENCH_CONFIG_DIR", config_dir.path())
        .args([
            "instance",
            "add",
            "other",
            "--url",
            "http://127.0.0.1:9/data/",
        ])
        .args(["--kind", "odata", "--auth", "none"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("at line 4 column 3"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), CORRUPT);
}

#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn point_dirs_at(config: &tempfile::TempDir, cache: &tempfile::TempDir) {
    unsafe {
        std::env::set_var("FLOWBENCH_CONFIG_DIR", config.path());
        std::env::set_var("XDG_CACHE_HOME", cache.path());
        std::env::set_var("XDG_DATA_HOME", cache.path().join("data"));
    }
}
