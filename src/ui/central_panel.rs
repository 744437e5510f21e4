//! The central area: the explorer's action bar, form and results, or the flows view.

use super::state::{ConnectorAction, UiState, View};
use super::theme;

/// Draws the central area for the current view.
pub fn central_panel_ui(ui: &mut egui::Ui, state: &mut UiState) {
    match state.view {
        View::Explorer => explorer_ui(ui, state),
        View::Flows => flows_ui(ui),
    }
}

fn explorer_ui(ui: &mut egui::Ui, state: &mut UiState) {
    ui.horizontal_wrapped(|ui| {
        for action in ConnectorAction::ALL {
            ui.selectable_value(&mut state.action, action, action.label())
                .on_hover_text(action.description());
        }
    });
    ui.separator();
    ui.heading(state.action.label());
    ui.label(egui::RichText::new(state.action.description()).color(theme::MUTED));
    ui.add_space(8.0);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.strong("Form");
        ui.label(
            egui::RichText::new(
                "The form for this action is generated from the entity's metadata once an instance is connected.",
            )
            .color(theme::MUTED),
        );
    });
    ui.add_space(8.0);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.set_min_height(ui.available_height().max(0.0));
        ui.strong("Results");
        ui.label(egui::RichText::new("Run an action to see its records here.").color(theme::MUTED));
    });
}

fn flows_ui(ui: &mut egui::Ui) {
    ui.heading("Flows");
    ui.label(
        egui::RichText::new(
            "Mini-flows chain connector actions with conditions, loops, variables and assertions. \
             They are saved as plain files you can keep in git.",
        )
        .color(theme::MUTED),
    );
    ui.label(egui::RichText::new("The flow designer is not built yet.").color(theme::MUTED));
}
