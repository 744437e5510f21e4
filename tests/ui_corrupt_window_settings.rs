//! A corrupt window settings file (eframe's `app.ron`): found where eframe keeps it, named
//! with its line and column in the strip above the status bar, and left as it is; the window
//! still opens. One test per process: it points the data directory at a temporary one.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::ui::{FlowbenchApp, UiState, window_settings};

const CORRUPT: &str = "{\n    \"app\": \"(view: Flows)\",\n    \"window\": (inner_size\n";

#[test]
fn a_corrupt_window_settings_file_is_named_with_its_position_and_left_untouched() {
    let data_home = tempfile::tempdir().unwrap();
    point_data_home_at(&data_home);
    let path = window_settings::default_path().unwrap();
    assert!(path.starts_with(data_home.path()), "{}", path.display());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, CORRUPT).unwrap();

    let problem = window_settings::problem_with(&path).unwrap();
    assert!(
        problem.contains("app.ron: invalid window settings:")
            && problem.contains("at line 3 column 14"),
        "{problem}"
    );
    let session = window_settings::session_path();
    assert_ne!(session, path);
    assert!(!session.starts_with(path.parent().unwrap()));

    let mut app = FlowbenchApp::with_state(UiState::default());
    app.note_window_settings_problem(problem);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut FlowbenchApp| app.window_ui(ui), app);
    harness.run_steps(3);
    harness.get_by_label_contains("Window settings not loaded:");
    harness.get_by_label_contains("at line 3 column 14");
    harness.get_by_label_contains("The file was left as it is");
    drop(harness);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), CORRUPT);

    // A file eframe wrote itself reads without a problem.
    std::fs::write(&path, "{\"app\": \"(view: Flows)\"}").unwrap();
    assert_eq!(window_settings::problem_with(&path), None);
}

#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn point_data_home_at(data: &tempfile::TempDir) {
    unsafe {
        std::env::set_var("XDG_DATA_HOME", data.path());
        std::env::set_var("FLOWBENCH_CONFIG_DIR", data.path().join("config"));
        std::env::set_var("XDG_CACHE_HOME", data.path().join("cache"));
    }
}
