//! Everything egui: the app state, panels, widgets and theme of the desktop window; it starts
//! the embedded demo instance in-process and runs connector actions in the background.

pub mod add_instance;
mod app;
mod central_panel;
pub mod compare_instances;
pub mod connection;
mod connection_failed;
pub mod data_packages;
mod entity_picker;
pub mod environments;
pub mod explorer;
pub mod flows;
pub mod forms;
pub mod remove_instance;
pub mod results;
pub mod setup_check;
pub mod shortcuts;
mod side_panel;
pub mod sign_in;
pub mod startup;
mod state;
mod status_bar;
pub mod theme;
mod top_bar;
pub mod trace_panel;
pub mod window_settings;

pub use app::{FlowbenchApp, LoadedMetadata, SignInSettings, load_state, save_state};
pub use state::{ConnectorAction, RecentAction, UiState, View};

/// Title of the main window.
pub const WINDOW_TITLE: &str = "Flowbench";

/// Opens the Flowbench window and blocks until it is closed.
/// A settings file that does not read is named in the window and left as it is (this
/// session's settings go to a temporary file instead, see [`window_settings`]).
pub fn run() -> anyhow::Result<()> {
    let problem =
        window_settings::default_path().and_then(|path| window_settings::problem_with(&path));
    let session_settings = problem.as_ref().map(|_| window_settings::session_path());
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(WINDOW_TITLE)
            .with_app_id("flowbench")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 480.0]),
        persistence_path: session_settings.clone(),
        ..Default::default()
    };
    if let Some(problem) = &problem {
        tracing::warn!("{problem}; the file was left as it is");
    }
    let opened = eframe::run_native(
        WINDOW_TITLE,
        options,
        Box::new(move |cc| {
            let mut app = FlowbenchApp::new(cc);
            if let Some(problem) = problem {
                app.note_window_settings_problem(problem);
            }
            Ok(Box::new(app))
        }),
    );
    if let Some(path) = session_settings {
        let _ = std::fs::remove_file(path);
    }
    opened.map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}
