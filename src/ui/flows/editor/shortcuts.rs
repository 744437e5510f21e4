//! The editor's keyboard: undo, redo and save anywhere in the view, autosave every few
//! seconds, and Alt+Up / Alt+Down / Delete on the selected step.

use super::autosave::autosave_now;
use crate::flow::edit::{move_step, remove};
use crate::ui::flows::FlowsView;

/// How often unsaved edits are kept for recovery.
const AUTOSAVE_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// Ctrl+Z, Ctrl+Y / Ctrl+Shift+Z, Ctrl+S; unsaved edits kept every few seconds.
pub fn shortcuts_and_autosave(ctx: &egui::Context, view: &mut FlowsView) {
    if view.open.is_none() {
        return;
    }
    let typing = ctx.memory(|m| m.focused().is_some());
    let (undo, redo, save) = ctx.input_mut(|i| {
        let redo = i.consume_key(
            egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
            egui::Key::Z,
        ) || i.consume_key(egui::Modifiers::COMMAND, egui::Key::Y);
        let undo = !typing && i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z);
        let save = i.consume_key(egui::Modifiers::COMMAND, egui::Key::S);
        (undo, redo && !typing, save)
    });
    step_keys(ctx, view);
    if undo {
        view.undo();
    }
    if redo {
        view.redo();
    }
    if save {
        view.save(None);
    }
    let due = view
        .autosaved_at
        .is_none_or(|at| at.elapsed() >= AUTOSAVE_EVERY);
    if view.dirty && due {
        autosave_now(view);
    }
    if view.dirty {
        ctx.request_repaint_after(AUTOSAVE_EVERY);
    }
}

/// Keyboard on the selected step (when no field has the focus): Alt+Up / Alt+Down move it,
/// Delete removes it.
pub fn step_keys(ctx: &egui::Context, view: &mut FlowsView) {
    let Some(key) = view.selected.clone() else {
        return;
    };
    if key.0.first().is_some_and(|p| p == "trigger") || ctx.memory(|m| m.focused().is_some()) {
        return;
    }
    let (up, down, delete) = ctx.input_mut(|i| {
        (
            i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowUp),
            i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowDown),
            i.consume_key(egui::Modifiers::NONE, egui::Key::Delete),
        )
    });
    let scope = view.selected_scope.clone();
    if up || down {
        view.edit(|d| move_step(d, &scope, &key.1, up));
    }
    if delete && view.edit(|d| remove(d, &scope, &key.1).map(|_| ())) {
        view.selected = None;
    }
}
