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
            let retry = connection_status_ui(ui, connection, entity_count);
            metadata_note_ui(ui, metadata_note);
            retry
        })
        .inner
    })
    .inner
}

/// The connection's one-line status; returns true when its *Retry* is clicked.
fn connection_status_ui(ui: &mut egui::Ui, connection: &Connection, entity_count: usize) -> bool {
    let text = connection.status_text(entity_count);
    match connection {
        Connection::Connecting(..) => {
            ui.spinner();
            ui.label(text);
        }
        Connection::SignIn(_) => {
            ui.label(egui::RichText::new(text).color(theme::WARNING));
        }
        // The main area shows the whole failure, with Retry.
        Connection::Failed(_) => error_label_ui(ui, &text),
        Connection::Connected(_) if connection.is_unreachable() => {
            let retry = ui
                .button("Retry")
                .on_hover_text("Asks the instance again; forms and results are kept")
                .clicked();
            error_label_ui(ui, &text);
            return retry;
        }
        Connection::Connected(_) | Connection::Idle => {
            ui.label(egui::RichText::new(text).color(theme::MUTED));
        }
    }
    false
}

fn metadata_note_ui(ui: &mut egui::Ui, note: MetadataNote<'_>) {
    match note {
        MetadataNote::None => {}
        MetadataNote::Refreshing => {
            ui.separator();
            ui.spinner();
            ui.label("Refreshing metadata…");
        }
        MetadataNote::Failed(problem) => {
            ui.separator();
            error_label_ui(ui, &format!("Metadata refresh failed: {problem}"));
        }
    }
}

/// A failure in red, cut to the room left (the whole text on hover).
fn error_label_ui(ui: &mut egui::Ui, text: &str) {
    ui.add(egui::Label::new(egui::RichText::new(text).color(theme::ERROR)).truncate())
        .on_hover_text(text);
}
