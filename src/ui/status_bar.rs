//! The bottom status bar: the HTTP trace toggle, the connection status and the version.

use super::connection::Connection;
use super::state::UiState;
use super::theme;

/// The state of a metadata refresh, for the status bar.
#[derive(Debug, Clone, Copy)]
pub enum MetadataNote<'a> {
    /// No refresh under way or failed.
    None,
    /// Reloading `$metadata`.
    Refreshing,
    /// The last refresh failed with this message.
    Failed(&'a str),
}

/// Draws the status bar; returns true when the user asks to retry a failed connection.
pub fn status_bar_ui(
    ui: &mut egui::Ui,
    state: &mut UiState,
    connection: &Connection,
    entity_count: usize,
    trace_label: &str,
    metadata_note: MetadataNote<'_>,
) -> bool {
    let mut retry = false;
    // The version first, at the right edge, so that long messages truncate before it.
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        ui.label(egui::RichText::new(concat!("v", env!("CARGO_PKG_VERSION"))).color(theme::MUTED));
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
            if ui
                .selectable_label(state.trace_open, trace_label)
                .on_hover_text("Every request with its status, timing and size (Ctrl+J)")
                .clicked()
            {
                state.trace_open = !state.trace_open;
            }
            ui.separator();
            let text = connection.status_text(entity_count);
            match connection {
                Connection::Connecting(..) => {
                    ui.spinner();
                    ui.label(text);
                }
                Connection::SignIn(_) => {
                    ui.label(egui::RichText::new(text).color(theme::WARNING));
                }
                Connection::Failed(_) => {
                    // The main area shows the whole failure with Retry.
                    ui.add(
                        egui::Label::new(egui::RichText::new(&text).color(theme::ERROR)).truncate(),
                    )
                    .on_hover_text(&text);
                }
                Connection::Connected(_) if connection.is_unreachable() => {
                    retry = ui
                        .button("Retry")
                        .on_hover_text("Asks the instance again; forms and results are kept")
                        .clicked();
                    ui.add(
                        egui::Label::new(egui::RichText::new(&text).color(theme::ERROR)).truncate(),
                    )
                    .on_hover_text(&text);
                }
                Connection::Connected(_) | Connection::Idle => {
                    ui.label(egui::RichText::new(text).color(theme::MUTED));
                }
            }
            match metadata_note {
                MetadataNote::None => {}
                MetadataNote::Refreshing => {
                    ui.separator();
                    ui.spinner();
                    ui.label("Refreshing metadata…");
                }
                MetadataNote::Failed(problem) => {
                    ui.separator();
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(format!("Metadata refresh failed: {problem}"))
                                .color(theme::ERROR),
                        )
                        .truncate(),
                    );
                }
            }
        });
    });
    retry
}
