//! The left side panel: the selected entity's summary and the recent actions.

use super::app::LoadedMetadata;
use super::state::UiState;
use super::theme;

/// Draws the side panel.
pub fn side_panel_ui(ui: &mut egui::Ui, state: &mut UiState, metadata: Option<&LoadedMetadata>) {
    ui.add_space(6.0);
    ui.strong("Selected entity");
    match (state.selected_entity.as_deref(), metadata) {
        (Some(name), Some(metadata)) => entity_summary_ui(ui, name, metadata),
        (Some(name), None) => {
            ui.monospace(name);
            ui.label(egui::RichText::new("Metadata not loaded").color(theme::MUTED));
        }
        (None, _) => {
            ui.label(egui::RichText::new("No entity selected").color(theme::MUTED));
            ui.label(
                egui::RichText::new("Its label, key fields, field count and actions appear here.")
                    .color(theme::MUTED),
            );
        }
    }
    ui.add_space(12.0);
    ui.separator();
    ui.horizontal(|ui| {
        ui.strong("Recent");
        if !state.recent.is_empty()
            && ui
                .small_button("Clear")
                .on_hover_text("Forget the recent actions and what their forms held")
                .clicked()
        {
            state.recent.clear();
        }
    });
    if state.recent.is_empty() {
        ui.label(egui::RichText::new("No recent actions yet").color(theme::MUTED));
    }
    let mut picked = None;
    for recent in &state.recent {
        let hover = match recent.detail() {
            Some(detail) => format!(
                "On {}: {detail}\nClick to fill the form again",
                recent.instance
            ),
            None => format!("On {}", recent.instance),
        };
        if ui
            .selectable_label(false, recent.label())
            .on_hover_text(hover)
            .clicked()
        {
            picked = Some(recent.clone());
        }
    }
    if let Some(recent) = picked {
        state.action = recent.action;
        if let Some(entity) = recent.entity {
            state.entity_query = entity.clone();
            state.selected_entity = Some(entity);
        }
        state.pending_inputs = recent.inputs;
    }
}

fn entity_summary_ui(ui: &mut egui::Ui, name: &str, metadata: &LoadedMetadata) {
    ui.monospace(name);
    let model = &metadata.model;
    let Some(set) = model.entity_set(name) else {
        ui.colored_label(theme::ERROR, "Not in this instance's metadata");
        return;
    };
    let Some(entity) = model.entity_type(&set.entity_type) else {
        ui.colored_label(theme::ERROR, format!("Unknown type {}", set.entity_type));
        return;
    };
    if let Some(entry) = metadata.index.entries().iter().find(|e| e.name == name) {
        ui.label(&entry.label);
    }
    let keys = model.key_of(entity);
    ui.label(egui::RichText::new(format!("Keys: {}", keys.join(", "))).color(theme::MUTED));
    let fields = model.all_properties(entity).len();
    let actions = model.bound_actions(&set.entity_type).len();
    ui.label(
        egui::RichText::new(format!("{fields} fields · {actions} actions")).color(theme::MUTED),
    );
}
