//! The error panel above the results: status, OData message, Infolog lines, details.

use super::error_report::ErrorReport;
use crate::ui::theme;

/// What the user asked of the error panel this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPanelAction {
    /// Nothing.
    None,
    /// Load the record again (after a stale ETag).
    Reload,
    /// Open the HTTP trace on the failed request.
    ShowRequest,
}

/// Draws `report` in a red-bordered frame; `stale` adds the explanation of a 412 on update
/// and a Reload button; a failed request gets *Show request* (into the HTTP trace).
pub fn error_panel_ui(ui: &mut egui::Ui, report: &ErrorReport, stale: bool) -> ErrorPanelAction {
    let mut action = ErrorPanelAction::None;
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, theme::ERROR))
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            ui.colored_label(theme::ERROR, egui::RichText::new(&report.title).strong());
            ui.label(&report.message);
            if !report.infolog.is_empty() {
                ui.label(egui::RichText::new("Infolog").strong());
                for line in &report.infolog {
                    ui.label(egui::RichText::new(line).monospace());
                }
            }
            for detail in &report.details {
                ui.label(format!("· {detail}"));
            }
            if let Some(field) = &report.field {
                ui.label(egui::RichText::new(format!("Field: {field}")).color(theme::WARNING));
            }
            if let Some(request) = &report.request {
                ui.horizontal(|ui| {
                    if ui
                        .button("Show request")
                        .on_hover_text("Opens the HTTP trace on this request")
                        .clicked()
                    {
                        action = ErrorPanelAction::ShowRequest;
                    }
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(request).monospace().color(theme::MUTED),
                        )
                        .truncate(),
                    );
                });
            }
            if stale {
                ui.label(
                    "The record changed on the server since you loaded it, so its ETag no \
                     longer matches. Reload it to see the current values, then apply your \
                     change again.",
                );
                if ui.button("Reload record").clicked() {
                    action = ErrorPanelAction::Reload;
                }
            }
        });
    action
}
