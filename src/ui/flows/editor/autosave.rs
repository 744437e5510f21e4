//! Unsaved edits kept safe: autosave for recovery after a crash, the banner that offers
//! them back, and the question asked when the window closes with unsaved edits.

use crate::ui::flows::{FlowsView, files};
use crate::ui::theme;

/// Keeps the unsaved definition for recovery after a crash.
pub fn autosave_now(view: &mut FlowsView) {
    if let Some(open) = &view.open {
        if let Err(e) = files::autosave(&open.path, open.file.definition()) {
            tracing::warn!(error = %e, "could not keep the unsaved flow");
        }
        view.autosaved_at = Some(std::time::Instant::now());
    }
}

/// The banner offering the edits kept from an earlier session.
pub fn recovery_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    if view.recovery.is_none() {
        return;
    }
    let mut choice = None;
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, theme::WARNING))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    egui::RichText::new("This flow has unsaved changes from an earlier session.")
                        .color(theme::WARNING),
                );
                if ui.button("Recover changes").clicked() {
                    choice = Some(true);
                }
                if ui.button("Discard them").clicked() {
                    choice = Some(false);
                }
            });
        });
    match choice {
        Some(true) => {
            if let Some(saved) = view.recovery.take() {
                view.edit(|definition| {
                    *definition = saved;
                    Ok(())
                });
            }
        }
        Some(false) => {
            view.recovery = None;
            if let Some(open) = &view.open {
                files::forget_autosave(&open.path);
            }
        }
        None => {}
    }
}

/// Closing the window with unsaved edits asks first: save, close without saving, or stay.
pub fn unsaved_on_close_ui(ctx: &egui::Context, view: &mut FlowsView) {
    if ctx.input(|i| i.viewport().close_requested()) && view.dirty && !view.close_confirmed {
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        view.asking_before_close = true;
    }
    if !view.asking_before_close {
        return;
    }
    let name = view
        .open
        .as_ref()
        .map(|open| open.file.name_for(&open.path))
        .unwrap_or_default();
    let mut choice = None;
    egui::Window::new("Unsaved flow")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.label(format!("The flow '{name}' has changes that are not saved."));
            ui.horizontal(|ui| {
                if ui.button("Save and close").clicked() {
                    choice = Some(0);
                }
                if ui.button("Close without saving").clicked() {
                    choice = Some(1);
                }
                if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    choice = Some(2);
                }
            });
        });
    match choice {
        Some(0) => {
            view.asking_before_close = false;
            if view.save(None) {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
        Some(1) => {
            view.asking_before_close = false;
            view.close_confirmed = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        Some(_) => view.asking_before_close = false,
        None => {}
    }
}
