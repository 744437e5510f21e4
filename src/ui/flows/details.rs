//! The selected card on the side: what the definition says, and in the run shown its
//! status, error, retries, inputs and outputs (secure data is already masked in runs).

use serde_json::Value;

use super::FlowsView;
use super::cards::status_badge;
use crate::ui::theme;

fn definition_of<'v>(
    definition: &'v serde_json::Map<String, Value>,
    key: &super::CardKey,
) -> Option<&'v Value> {
    if key.0.first().is_some_and(|p| p == "trigger") {
        return definition.get("triggers")?.get(&key.1);
    }
    crate::flow::validate::all_actions(definition)
        .into_iter()
        .find(|(path, name, _)| name == &key.1 && enclosing(path) == key.0)
        .map(|(_, _, action)| action)
}

/// The names of the actions enclosing the action at `path` (a definition path such as
/// `actions.If.else.actions.X`): each segment right after `actions`, but the last.
fn enclosing(path: &[String]) -> Vec<String> {
    let mut names: Vec<String> = path
        .windows(2)
        .filter(|pair| pair[0] == "actions")
        .map(|pair| pair[1].clone())
        .collect();
    names.pop();
    names
}

fn json_block(ui: &mut egui::Ui, id: &str, label: &str, value: &Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(label).strong());
        if ui
            .small_button("Copy")
            .on_hover_text("Copies the JSON")
            .clicked()
        {
            ui.ctx().copy_text(text.clone());
        }
    });
    egui::ScrollArea::both()
        .id_salt(id)
        .max_height(220.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            let mut shown = text.as_str();
            ui.add(
                egui::TextEdit::multiline(&mut shown)
                    .code_editor()
                    .desired_width(f32::INFINITY),
            );
        });
}

/// Draws the selected card's details: its tools and fields when it can be edited, its run.
pub fn details_ui(
    ui: &mut egui::Ui,
    view: &mut FlowsView,
    metadata: Option<&crate::ui::LoadedMetadata>,
    dataset: &str,
) {
    let Some(key) = view.selected.clone() else {
        ui.label(egui::RichText::new("Select a card to see its details.").color(theme::MUTED));
        return;
    };
    let action = view
        .open
        .as_ref()
        .and_then(|open| definition_of(open.file.definition(), &key).cloned());
    egui::ScrollArea::vertical()
        .id_salt("card-editor")
        .show(ui, |ui| {
            run_details_ui(ui, view);
            super::editor::trigger_editor_ui(ui, view, &key);
            super::editor::recurrence_ui(ui, view, &key);
            super::trigger_form::trigger_kind_ui(ui, view, &key, metadata, dataset);
            let is_trigger = key.0.first().is_some_and(|p| p == "trigger");
            if let Some(action) = action.as_ref().filter(|_| !is_trigger) {
                ui.separator();
                super::editor::step_tools_ui(ui, view, &key);
                if crate::flow::connector_step::is_connector_action(action) {
                    super::editor::connector_form_ui(ui, view, &key, action, metadata);
                }
                super::editor::condition_ui(ui, view, &key, action);
                super::editor::switch_ui(ui, view, &key, action);
                super::editor::step_json_ui(ui, view, &key, action);
                super::editor::functions_ui(ui, view);
            }
        });
}

/// The card's name, where it sits, and what it did in the run shown.
fn run_details_ui(ui: &mut egui::Ui, view: &FlowsView) {
    let (Some(open), Some(key)) = (&view.open, &view.selected) else {
        ui.label(egui::RichText::new("Select a card to see its details.").color(theme::MUTED));
        return;
    };
    ui.heading(&key.1);
    if !key.0.is_empty() && key.0[0] != "trigger" {
        ui.label(egui::RichText::new(format!("in {}", key.0.join(" / "))).color(theme::MUTED));
    }
    {
        if let Some(record) = view.record_of(key) {
            ui.horizontal(|ui| {
                ui.label(status_badge(record.status));
                ui.label(
                    egui::RichText::new(format!(
                        "{} ms · {}",
                        record.duration_ms, record.start_time
                    ))
                    .color(theme::MUTED),
                );
            });
            if let Some(error) = &record.error {
                ui.label(
                    egui::RichText::new(format!("{}: {}", error.code, error.message))
                        .color(theme::ERROR),
                );
            }
            for retry in &record.retries {
                ui.label(
                    egui::RichText::new(format!("Retry: {retry}"))
                        .color(theme::WARNING)
                        .small(),
                );
            }
            json_block(ui, "card-inputs", "Inputs", &record.inputs);
            json_block(ui, "card-outputs", "Outputs", &record.outputs);
            if let Some(tracked) = &record.tracked_properties {
                json_block(ui, "card-tracked", "Tracked properties", tracked);
            }
        } else if let Some(run) = view
            .shown_run
            .as_ref()
            .filter(|_| key.0.first().is_some_and(|p| p == "trigger"))
            .filter(|run| run.trigger.is_object())
        {
            // What the trigger delivered to the run shown (`triggerOutputs()`).
            if let Some(scheduled) = run.trigger.get("scheduledTime").and_then(|t| t.as_str()) {
                ui.label(
                    egui::RichText::new(format!("Scheduled for {scheduled}")).color(theme::MUTED),
                );
            }
            let outputs = run
                .trigger
                .get("outputs")
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            json_block(ui, "card-outputs", "Outputs", &outputs);
        } else if view.shown_run.is_some() {
            ui.label(
                egui::RichText::new("This card did not run in the run shown.").color(theme::MUTED),
            );
        }
        if key.0.first().is_some_and(|p| p == "trigger")
            && let Some(definition) = definition_of(open.file.definition(), key)
        {
            json_block(ui, "card-definition", "Definition", definition);
        }
    }
}
