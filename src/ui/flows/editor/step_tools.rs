//! The selected step's tools: rename, move up and down, duplicate, delete, and its
//! run-after statuses.

use serde_json::{Value, json};

use crate::flow::edit::{duplicate, move_step, remove, rename, scope_mut};
use crate::ui::flows::{CardKey, FlowsView};
use crate::ui::theme;

/// The selected step's tools: name, move, duplicate, delete.
pub fn step_tools_ui(ui: &mut egui::Ui, view: &mut FlowsView, key: &CardKey) {
    if key.0.first().is_some_and(|p| p == "trigger") || view.is_running() {
        return;
    }
    let scope = view.selected_scope.clone();
    let name = key.1.clone();
    ui.horizontal(|ui| {
        let label = ui.label("Name");
        ui.add(egui::TextEdit::singleline(&mut view.name_field).desired_width(180.0))
            .labelled_by(label.id);
        if ui
            .add_enabled(view.name_field != name, egui::Button::new("Rename"))
            .on_hover_text("Renames the step and every expression that names it")
            .clicked()
        {
            let new = view.name_field.trim().to_owned();
            if view.edit(|d| rename(d, &name, &new)) {
                view.selected = Some((key.0.clone(), new));
            }
        }
    });
    ui.horizontal(|ui| {
        if ui.button("Move up").clicked() {
            view.edit(|d| move_step(d, &scope, &name, true));
        }
        if ui.button("Move down").clicked() {
            view.edit(|d| move_step(d, &scope, &name, false));
        }
        if ui.button("Duplicate").clicked() {
            view.edit(|d| duplicate(d, &scope, &name).map(|_| ()));
        }
        if ui.button("Delete step").clicked() && view.edit(|d| remove(d, &scope, &name).map(|_| ()))
        {
            view.selected = None;
        }
    });
    if let Some(error) = &view.edit_error {
        ui.label(egui::RichText::new(error).color(theme::ERROR));
    }
    run_after_ui(ui, view, &scope, &name);
}

/// "Run after": for each step this one runs after, the statuses that let it run.
fn run_after_ui(
    ui: &mut egui::Ui,
    view: &mut FlowsView,
    scope: &crate::flow::edit::ScopePath,
    name: &str,
) {
    let Some(open) = &view.open else {
        return;
    };
    let mut definition = open.file.definition().clone();
    let Ok(actions) = scope_mut(&mut definition, scope) else {
        return;
    };
    let Some(Value::Object(after)) = actions.get(name).and_then(|a| a.get("runAfter")).cloned()
    else {
        return;
    };
    if after.is_empty() {
        return;
    }
    ui.label(egui::RichText::new("Run after").strong());
    let mut changed: Option<(String, Vec<Value>)> = None;
    for (dep, statuses) in &after {
        let current: Vec<String> = statuses
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        ui.horizontal_wrapped(|ui| {
            ui.label(dep);
            for status in ["Succeeded", "Failed", "Skipped", "TimedOut"] {
                let mut on = current.iter().any(|s| s.eq_ignore_ascii_case(status));
                let shown = if status == "TimedOut" {
                    "Timed out"
                } else {
                    status
                };
                if ui.checkbox(&mut on, shown).changed() {
                    let mut next: Vec<Value> = ["Succeeded", "Failed", "Skipped", "TimedOut"]
                        .iter()
                        .filter(|s| {
                            if **s == status {
                                on
                            } else {
                                current.iter().any(|c| c.eq_ignore_ascii_case(s))
                            }
                        })
                        .map(|s| json!(s))
                        .collect();
                    if next.is_empty() {
                        next.push(json!("Succeeded"));
                    }
                    changed = Some((dep.clone(), next));
                }
            }
        });
    }
    if let Some((dep, statuses)) = changed {
        let scope = scope.clone();
        let name = name.to_owned();
        view.edit(|d| {
            let actions = scope_mut(d, &scope)?;
            if let Some(Value::Object(after)) =
                actions.get_mut(&name).and_then(|a| a.get_mut("runAfter"))
            {
                after.insert(dep, Value::Array(statuses));
            }
            Ok(())
        });
    }
}
