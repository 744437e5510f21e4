//! The central area: the explorer, or the flows view.

use super::explorer::{Explorer, ExplorerContext, explorer_ui};
use super::state::View;
use super::theme;

/// Draws the central area for the current view.
pub fn central_panel_ui(ui: &mut egui::Ui, explorer: &mut Explorer, cx: ExplorerContext<'_>) {
    match cx.state.view {
        View::Explorer => explorer_ui(ui, explorer, cx),
        View::Flows => flows_ui(ui),
    }
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
