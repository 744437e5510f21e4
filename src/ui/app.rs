//! The eframe application: owns the UI state and lays out the window's panels.

use super::entity_picker::{ENTITY_SEARCH_ID, EntityPicker};
use super::state::UiState;
use super::{central_panel, side_panel, status_bar, theme, top_bar};
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

/// The Flowbench desktop application.
pub struct FlowbenchApp {
    /// UI state, saved across restarts.
    pub state: UiState,
    metadata: Option<LoadedMetadata>,
    entity_picker: EntityPicker,
    theme_installed: bool,
}

impl FlowbenchApp {
    /// Creates the app from eframe's creation context, restoring the saved UI state.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        Self::with_state(load_state(cc.storage))
    }

    /// Creates the app with a given UI state (used by tests and by [`Self::new`]).
    pub fn with_state(state: UiState) -> Self {
        Self {
            state,
            metadata: None,
            entity_picker: EntityPicker::default(),
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
        self.handle_shortcuts(ui.ctx());
        let index = self.metadata.as_ref().map(|m| &m.index);
        let picked = egui::Panel::top("top_bar")
            .show(ui, |ui| {
                top_bar::top_bar_ui(ui, &mut self.state, &mut self.entity_picker, index)
            })
            .inner;
        if let Some(name) = picked {
            self.state.selected_entity = Some(name);
        }
        egui::Panel::bottom("status_bar")
            .show(ui, |ui| status_bar::status_bar_ui(ui, &mut self.state));
        if self.state.side_panel_open {
            egui::Panel::left("side_panel")
                .resizable(true)
                .default_size(240.0)
                .show(ui, |ui| {
                    side_panel::side_panel_ui(ui, &self.state, self.metadata.as_ref())
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            central_panel::central_panel_ui(ui, &mut self.state)
        });
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
