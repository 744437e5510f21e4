//! Everything egui: the app state, panels, widgets and theme of the desktop window; it starts
//! the embedded demo instance in-process and runs connector actions in the background.

pub mod add_instance;
mod app;
mod central_panel;
pub mod compare_instances;
pub mod connection;
mod connection_failed;
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

pub use app::{FlowbenchApp, LoadedMetadata, SignInSettings, load_state, save_state};
pub use state::{ConnectorAction, RecentAction, UiState, View};

/// Title of the main window.
pub const WINDOW_TITLE: &str = "Flowbench";

/// Opens the Flowbench window and blocks until it is closed.
pub fn run() -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(WINDOW_TITLE)
            .with_app_id("flowbench")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native(
        WINDOW_TITLE,
        options,
        Box::new(|cc| Ok(Box::new(FlowbenchApp::new(cc)))),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))
}
