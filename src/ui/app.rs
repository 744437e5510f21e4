//! The eframe application: owns the UI state and lays out the window's panels.

use std::sync::Arc;

mod instances;
mod window;

use poll_promise::Promise;

use super::add_instance::AddInstanceDialog;
use super::connection::Connection;
use super::entity_picker::{ENTITY_SEARCH_ID, EntityPicker};
use super::environments::EnvironmentDiscovery;
use super::explorer::{Explorer, RequestToShow};
use super::remove_instance::RemoveInstanceDialog;
use super::state::{UiState, View};
use super::trace_panel::TracePanel;
use crate::auth::SecretStore;
use crate::odata::entity_index::EntityIndex;
use crate::odata::metadata::Model;

/// The metadata of the connected instance, with its search index.
pub struct LoadedMetadata {
    /// The parsed `$metadata` document.
    pub model: Model,
    /// Entity sets prepared for search.
    pub index: EntityIndex,
}

impl LoadedMetadata {
    /// Indexes a parsed model.
    pub fn new(model: Model) -> Self {
        let index = EntityIndex::from_model(&model);
        Self { model, index }
    }
}

/// How the window signs in to saved instances.
pub struct SignInSettings {
    /// Replaces the OS keyring (tests use a mock store); `None` is the OS keyring.
    pub secrets: Option<Arc<dyn SecretStore>>,
    /// Start the system browser for browser sign-in (else the link is only shown).
    pub open_browser: bool,
}

impl Default for SignInSettings {
    fn default() -> Self {
        Self {
            secrets: None,
            open_browser: true,
        }
    }
}

/// The Flowbench desktop application.
pub struct FlowbenchApp {
    /// UI state, saved across restarts.
    pub state: UiState,
    metadata: Option<LoadedMetadata>,
    entity_picker: EntityPicker,
    /// The explorer's jobs and results.
    pub explorer: Explorer,
    /// The Flows view: the open flow, its runs.
    pub flows: super::flows::FlowsView,
    /// The HTTP trace of the connected instance's client.
    trace_panel: Option<TracePanel>,
    connection: Connection,
    metadata_refresh: Option<Promise<Result<Model, String>>>,
    /// Asking an unreachable instance again (Retry): what it said about the link.
    link_check: Option<Promise<Option<super::explorer::LinkNews>>>,
    metadata_problem: Option<String>,
    demo_config: Option<crate::demo::DemoConfig>,
    saved_instances: Vec<String>,
    saved_roots: Vec<url::Url>,
    /// Why the saved instances file could not be read (shown above the status bar).
    settings_problem: Option<String>,
    /// Why eframe's settings file was not used (it was left as it is), if it was not.
    window_settings_problem: Option<String>,
    /// Environments discovered in the connected instance's tenant.
    discovery: EnvironmentDiscovery,
    /// The "Add instance…" dialog.
    pub add_instance: AddInstanceDialog,
    /// The "Remove instance…" confirmation.
    pub remove_instance: RemoveInstanceDialog,
    /// The "Compare instances" window.
    pub compare: crate::ui::compare_instances::CompareInstances,
    /// The "Set-up check" window.
    pub setup_check: crate::ui::setup_check::SetupCheckWindow,
    /// The "Data packages" window.
    pub data_packages: crate::ui::data_packages::DataPackagesWindow,
    /// How saved instances sign in.
    pub sign_in_settings: SignInSettings,
    runtime: Option<tokio::runtime::Runtime>,
    theme_installed: bool,
    first_frame_seen: bool,
    /// The saved instance's entity sets from the metadata cache, for the entity search
    /// while its whole metadata is still loading.
    cached_index: Option<crate::odata::entity_index::EntityIndex>,
}

impl FlowbenchApp {
    /// Creates the app from eframe's creation context, restoring the saved UI state.
    /// On launch the embedded demo instance starts in the background, with its database in
    /// the user's data directory.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        let mut app = Self::with_state(load_state(cc.storage));
        app.reload_saved_instances();
        let choice = app.state.instance.clone();
        app.connect(&cc.egui_ctx, choice);
        app
    }

    /// Creates the app with a given UI state (used by tests and by [`Self::new`]).
    pub fn with_state(state: UiState) -> Self {
        Self {
            state,
            metadata: None,
            entity_picker: EntityPicker::default(),
            explorer: Explorer::default(),
            flows: super::flows::FlowsView::default(),
            trace_panel: None,
            connection: Connection::Idle,
            metadata_refresh: None,
            link_check: None,
            metadata_problem: None,
            demo_config: None,
            saved_instances: Vec::new(),
            saved_roots: Vec::new(),
            settings_problem: None,
            window_settings_problem: None,
            discovery: EnvironmentDiscovery::Unavailable,
            add_instance: AddInstanceDialog::default(),
            remove_instance: RemoveInstanceDialog::default(),
            compare: Default::default(),
            setup_check: Default::default(),
            data_packages: Default::default(),
            sign_in_settings: SignInSettings::default(),
            runtime: None,
            theme_installed: false,
            first_frame_seen: false,
            cached_index: None,
        }
    }

    /// Uses `model` as the metadata of the current instance (entity search, forms).
    pub fn set_metadata(&mut self, model: Model) {
        self.metadata = Some(LoadedMetadata::new(model));
        self.cached_index = None;
        self.entity_picker.invalidate();
    }

    /// The entity search while the metadata loads: the cached entity sets, if any.
    pub fn cached_index(&self) -> Option<&crate::odata::entity_index::EntityIndex> {
        self.cached_index.as_ref()
    }

    /// The metadata of the current instance, once loaded.
    pub fn metadata(&self) -> Option<&LoadedMetadata> {
        self.metadata.as_ref()
    }

    /// Draws the whole window into `ui`: top bar, side panel, status bar, central area.
    pub fn window_ui(&mut self, ui: &mut egui::Ui) {
        self.ensure_theme(ui.ctx());
        self.poll_connection(ui.ctx());
        self.poll_metadata_refresh();
        self.poll_link();
        self.handle_shortcuts(ui.ctx());
        let events = self.top_bar_panel(ui);
        self.status_bar_panel(ui);
        if self.state.trace_open {
            self.trace_panel_area(ui);
        }
        // The entity summary and recent actions belong to the explorer; the Flows view has
        // its own list of flows and runs.
        if self.state.side_panel_open && self.state.view == View::Explorer {
            self.side_panel_area(ui);
        }
        self.central_area(ui);
        self.apply_top_bar_events(ui.ctx(), events);
        self.dialogs_ui(ui.ctx());
    }

    /// Opens the HTTP trace on the exchange behind an error (the newest one when no
    /// exchange matches, e.g. the trace was cleared).
    fn show_request_in_trace(&mut self, ctx: &egui::Context, shown: &RequestToShow) {
        self.state.trace_open = true;
        if let Some(panel) = &mut self.trace_panel {
            panel.refresh(ctx);
            if !panel.select_request(shown.request.as_deref(), shown.status) {
                let newest = panel.latest().map(|entry| entry.id);
                panel.select(newest);
            }
        }
    }

    /// The HTTP trace panel of the connected instance.
    pub fn trace_panel(&self) -> Option<&TracePanel> {
        self.trace_panel.as_ref()
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        let focus_search = ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::K));
        if focus_search {
            ctx.memory_mut(|m| m.request_focus(egui::Id::unique(ENTITY_SEARCH_ID)));
        }
        let toggle_panel = ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::B));
        if toggle_panel {
            self.state.side_panel_open = !self.state.side_panel_open;
        }
        let toggle_trace = ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::J));
        if toggle_trace {
            self.state.trace_open = !self.state.trace_open;
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F1)) {
            self.state.shortcuts_open = !self.state.shortcuts_open;
        }
    }
}

impl eframe::App for FlowbenchApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.window_ui(ui);
        super::startup::first_frame(ui.ctx(), &mut self.first_frame_seen);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        save_state(storage, &self.state);
    }

    /// Turns the flows' automatic triggers off before the window goes (their endpoint
    /// registrations removed; a crash leaves them to the next start's clean-up).
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(runtime) = &self.runtime {
            let watchers = super::flows::watch::take_all(&mut self.flows);
            runtime.block_on(async move {
                for watcher in watchers {
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), watcher.stop())
                        .await;
                }
            });
        }
    }
}

/// Reads the saved UI state, or the default on first launch or unreadable state.
pub fn load_state(storage: Option<&dyn eframe::Storage>) -> UiState {
    storage
        .and_then(|storage| eframe::get_value::<UiState>(storage, eframe::APP_KEY))
        .unwrap_or_default()
}

/// Saves the UI state into eframe's storage.
pub fn save_state(storage: &mut dyn eframe::Storage, state: &UiState) {
    eframe::set_value(storage, eframe::APP_KEY, state);
}
