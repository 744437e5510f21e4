//! The eframe application: owns the UI state and lays out the window's panels.

use std::sync::Arc;

mod instances;

use poll_promise::Promise;

use super::add_instance::{AddInstanceDialog, add_instance_ui};
use super::connection::{Connection, InstanceChoice};
use super::connection_failed::{FailedChoice, connection_failed_ui};
use super::entity_picker::{ENTITY_SEARCH_ID, EntityPicker};
use super::environments::EnvironmentDiscovery;
use super::explorer::{Explorer, ExplorerContext, RequestToShow};
use super::remove_instance::{RemoveInstanceDialog, remove_instance_ui};
use super::shortcuts::shortcuts_window_ui;
use super::sign_in::{SignInOutcome, sign_in_ui};
use super::state::UiState;
use super::trace_panel::{TracePanel, trace_panel_ui};
use super::{central_panel, side_panel, status_bar, theme, top_bar};
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
    /// Environments discovered in the connected instance's tenant.
    discovery: EnvironmentDiscovery,
    /// The "Add instance…" dialog.
    pub add_instance: AddInstanceDialog,
    /// The "Remove instance…" confirmation.
    pub remove_instance: RemoveInstanceDialog,
    /// How saved instances sign in.
    pub sign_in_settings: SignInSettings,
    runtime: Option<tokio::runtime::Runtime>,
    theme_installed: bool,
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
            trace_panel: None,
            connection: Connection::Idle,
            metadata_refresh: None,
            link_check: None,
            metadata_problem: None,
            demo_config: None,
            saved_instances: Vec::new(),
            saved_roots: Vec::new(),
            discovery: EnvironmentDiscovery::Unavailable,
            add_instance: AddInstanceDialog::default(),
            remove_instance: RemoveInstanceDialog::default(),
            sign_in_settings: SignInSettings::default(),
            runtime: None,
            theme_installed: false,
        }
    }

    /// Uses `model` as the metadata of the current instance (entity search, forms).
    pub fn set_metadata(&mut self, model: Model) {
        self.metadata = Some(LoadedMetadata::new(model));
        self.entity_picker.invalidate();
    }

    /// The metadata of the current instance, once loaded.
    pub fn metadata(&self) -> Option<&LoadedMetadata> {
        self.metadata.as_ref()
    }

    /// Draws the whole window into `ui`: top bar, side panel, status bar, central area.
    pub fn window_ui(&mut self, ui: &mut egui::Ui) {
        if !self.theme_installed {
            theme::install(ui.ctx());
            theme::set_dark_mode(ui.ctx(), self.state.dark_mode);
            self.theme_installed = true;
        }
        self.poll_connection(ui.ctx());
        self.poll_metadata_refresh();
        self.poll_link();
        self.handle_shortcuts(ui.ctx());
        let index = self.metadata.as_ref().map(|m| &m.index);
        let connection = &self.connection;
        let events = egui::Panel::top("top_bar")
            .show(ui, |ui| {
                top_bar::top_bar_ui(
                    ui,
                    &mut self.state,
                    &mut self.entity_picker,
                    connection,
                    top_bar::InstanceList {
                        saved: &self.saved_instances,
                        saved_roots: &self.saved_roots,
                        discovery: &self.discovery,
                    },
                    index,
                )
            })
            .inner;
        if let Some(name) = events.picked {
            self.state.selected_entity = Some(name);
        }
        let entity_count = index.map_or(0, |i| i.len());
        let trace_label = self
            .trace_panel
            .as_ref()
            .map_or_else(|| "HTTP trace (0)".to_owned(), TracePanel::label);
        let metadata_note = match (&self.metadata_refresh, &self.metadata_problem) {
            (Some(_), _) => status_bar::MetadataNote::Refreshing,
            (None, Some(problem)) => status_bar::MetadataNote::Failed(problem),
            (None, None) => status_bar::MetadataNote::None,
        };
        let retry = egui::Panel::bottom("status_bar")
            .show(ui, |ui| {
                status_bar::status_bar_ui(
                    ui,
                    &mut self.state,
                    connection,
                    entity_count,
                    &trace_label,
                    metadata_note,
                )
            })
            .inner;
        if retry {
            self.retry_connection(ui.ctx());
        }
        if self.state.trace_open {
            egui::Panel::bottom("trace_panel")
                .resizable(true)
                .default_size(220.0)
                .show(ui, |ui| match &mut self.trace_panel {
                    Some(panel) => trace_panel_ui(ui, panel),
                    None => {
                        ui.label(egui::RichText::new("No requests yet.").color(theme::MUTED));
                    }
                });
        }
        if self.state.side_panel_open {
            egui::Panel::left("side_panel")
                .resizable(true)
                .default_size(240.0)
                .show(ui, |ui| {
                    side_panel::side_panel_ui(ui, &mut self.state, self.metadata.as_ref())
                });
        }
        if let Connection::SignIn(flow) = &mut self.connection {
            let runtime = self.runtime.as_ref().map(|r| r.handle());
            let open_browser = self.sign_in_settings.open_browser;
            let outcome = egui::CentralPanel::default()
                .show(ui, |ui| sign_in_ui(ui, flow, runtime, open_browser))
                .inner;
            if outcome == SignInOutcome::SignedIn {
                let name = flow.instance().to_owned();
                self.connect(ui.ctx(), InstanceChoice::Saved(name));
            }
        } else if let Connection::Failed(message) = &self.connection {
            let is_demo = self.state.instance == InstanceChoice::Demo;
            let instance = self.state.instance.label().to_owned();
            let choice = egui::CentralPanel::default()
                .show(ui, |ui| {
                    connection_failed_ui(ui, &instance, is_demo, message)
                })
                .inner;
            match choice {
                FailedChoice::Retry => self.retry_connection(ui.ctx()),
                FailedChoice::UseDemo => self.connect(ui.ctx(), InstanceChoice::Demo),
                FailedChoice::None => {}
            }
        } else {
            let waiting = match &self.connection {
                Connection::Connecting(_, status) => Some(status.clone()),
                _ => None,
            };
            let cx = ExplorerContext {
                state: &mut self.state,
                connected: match &self.connection {
                    Connection::Connected(connected) => Some(connected),
                    _ => None,
                },
                metadata: self.metadata.as_ref(),
                runtime: self.runtime.as_ref().map(|r| r.handle()),
                waiting,
            };
            let explorer = &mut self.explorer;
            egui::CentralPanel::default()
                .show(ui, |ui| central_panel::central_panel_ui(ui, explorer, cx));
            if let Some(shown) = self.explorer.request_to_show.take() {
                self.show_request_in_trace(ui.ctx(), &shown);
            }
        }
        if events.sign_out {
            self.sign_out();
        }
        if let Some(env) = events.discovered {
            self.open_discovered(ui.ctx(), &env);
        }
        if events.refresh_metadata {
            self.refresh_metadata(ui.ctx());
        }
        if let Some(choice) = events.switch_to {
            self.connect(ui.ctx(), choice);
        }
        if events.add_instance {
            self.add_instance.open = true;
        }
        if events.remove_instance
            && let InstanceChoice::Saved(name) = &self.state.instance
        {
            self.remove_instance.instance = Some(name.clone());
        }
        shortcuts_window_ui(ui.ctx(), &mut self.state.shortcuts_open);
        let secrets = self.sign_in_settings.secrets.as_ref();
        if let Some(name) = add_instance_ui(ui.ctx(), &mut self.add_instance, secrets) {
            self.reload_saved_instances();
            self.connect(ui.ctx(), InstanceChoice::Saved(name));
        }
        let secrets = self.sign_in_settings.secrets.as_ref();
        if remove_instance_ui(ui.ctx(), &mut self.remove_instance, secrets).is_some() {
            self.reload_saved_instances();
            self.connect(ui.ctx(), InstanceChoice::Demo);
        }
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
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        save_state(storage, &self.state);
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
