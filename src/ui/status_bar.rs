//! The bottom status bar: the HTTP trace toggle, the current status and the version.

use super::state::UiState;
use super::theme;

/// Draws the status bar.
pub fn status_bar_ui(ui: &mut egui::Ui, state: &mut UiState) {
    ui.horizontal(|ui| {
        if ui
            .selectable_label(state.trace_open, "HTTP trace (0)")
            .on_hover_text("Every request with its status, timing and size")
            .clicked()
        {
            state.trace_open = !state.trace_open;
        }
        ui.separator();
        ui.label(egui::RichText::new("Ready").color(theme::MUTED));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.label(
                egui::RichText::new(concat!("v", env!("CARGO_PKG_VERSION"))).color(theme::MUTED),
            );
        });
    });
    if state.trace_open {
        ui.label(egui::RichText::new("No requests yet.").color(theme::MUTED));
    }
}
