//! The "Add a step" picker: a search box and the kinds of step, grouped; the pick is
//! inserted where the "+" was clicked.

use crate::flow::edit::{STEP_KINDS, insert_after, new_step};
use crate::ui::flows::FlowsView;
use crate::ui::theme;

/// The "Add a step" window: a search box and the kinds of step, grouped.
pub fn step_picker_ui(ctx: &egui::Context, view: &mut FlowsView, dataset: &str) {
    let Some((scope, after)) = view.adding.clone() else {
        return;
    };
    let mut open = true;
    let mut picked: Option<(&str, &str)> = None;
    egui::Window::new("Add a step")
        .collapsible(false)
        .resizable(false)
        .open(&mut open)
        .show(ctx, |ui| {
            let label = ui.label("Search steps");
            let search = ui
                .add(
                    egui::TextEdit::singleline(&mut view.step_search)
                        .hint_text("create, condition, assert…"),
                )
                .labelled_by(label.id);
            search.request_focus();
            let needle = view.step_search.to_lowercase();
            egui::ScrollArea::vertical()
                .max_height(380.0)
                .show(ui, |ui| {
                    let mut group = "";
                    for (kind_group, kind_label, name) in STEP_KINDS {
                        let hit = needle.is_empty()
                            || kind_label.to_lowercase().contains(&needle)
                            || kind_group.to_lowercase().contains(&needle);
                        if !hit {
                            continue;
                        }
                        if *kind_group != group {
                            group = kind_group;
                            ui.label(egui::RichText::new(*kind_group).color(theme::MUTED).small());
                        }
                        if ui.button(*kind_label).clicked() {
                            picked = Some((kind_label, name));
                        }
                    }
                });
            if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                view.adding = None;
            }
        });
    if !open {
        view.adding = None;
    }
    let Some((label, name)) = picked else {
        return;
    };
    let Some(step) = new_step(label, dataset) else {
        return;
    };
    let mut inserted = String::new();
    let done = view.edit(|definition| {
        inserted = insert_after(definition, &scope, after.as_deref(), name, step)?;
        Ok(())
    });
    if done {
        let path: Vec<String> = scope.iter().map(|(n, _)| n.clone()).collect();
        view.selected = Some((path, inserted.clone()));
        view.selected_scope = scope;
        view.name_field = inserted;
    }
    view.adding = None;
}
