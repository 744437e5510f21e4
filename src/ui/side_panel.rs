//! The left side panel: the selected entity's summary and the recent actions.

use super::state::UiState;
use super::theme;

/// Draws the side panel.
pub fn side_panel_ui(ui: &mut egui::Ui, state: &UiState) {
    ui.add_space(6.0);
    ui.strong("Selected entity");
    if state.entity_query.is_empty() {
        ui.label(egui::RichText::new("No entity selected").color(theme::MUTED));
    } else {
        ui.label(
            egui::RichText::new(format!("Searching for “{}”", state.entity_query))
                .color(theme::MUTED),
        );
    }
    ui.label(
        egui::RichText::new("Its label, key fields, field count and actions appear here.")
            .color(theme::MUTED),
    );
    ui.add_space(12.0);
    ui.separator();
    ui.strong("Recent");
    ui.label(egui::RichText::new("No recent actions yet").color(theme::MUTED));
}
