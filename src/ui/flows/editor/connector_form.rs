//! A Finance & Operations step's form: its entity and its parameters as fields that may
//! hold expressions, each with its dynamic content menu; create and update add fields.

use serde_json::{Value, json};

use super::dynamic_content::dynamic_content_ui;
use super::expression_field::expression_edit;
use crate::flow::edit::scope_mut;
use crate::ui::LoadedMetadata;
use crate::ui::flows::{CardKey, FlowsView};
use crate::ui::theme;

/// For a Finance & Operations step: its entity, and its parameters as fields that may hold
/// expressions, with dynamic content from the steps before it and the trigger.
pub fn connector_form_ui(
    ui: &mut egui::Ui,
    view: &mut FlowsView,
    key: &CardKey,
    action: &Value,
    metadata: Option<&LoadedMetadata>,
) {
    let Some(parameters) = action
        .pointer("/inputs/parameters")
        .and_then(Value::as_object)
    else {
        return;
    };
    let operation = action
        .pointer("/inputs/host/operationId")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut set: Option<(String, Value)> = None;
    ui.label(egui::RichText::new("Fields").strong());
    if parameters.contains_key("table")
        && let Some(metadata) = metadata
    {
        let current = parameters
            .get("table")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        ui.horizontal(|ui| {
            let label = ui.label("Entity");
            egui::ComboBox::from_id_salt(("step-entity", key))
                .selected_text(if current.is_empty() {
                    "Choose an entity"
                } else {
                    &current
                })
                .width(220.0)
                .show_ui(ui, |ui| {
                    for set_info in metadata.model.entity_sets() {
                        if ui
                            .selectable_label(set_info.name == current, &set_info.name)
                            .clicked()
                        {
                            set = Some(("table".to_owned(), json!(set_info.name)));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        });
    }
    let table = parameters
        .get("table")
        .and_then(Value::as_str)
        .unwrap_or("");
    // One field per line: its name, then its value (any field may hold an expression)
    // with the dynamic content menu beside it.
    for (name, value) in parameters {
        if name == "table" || name == "dataset" {
            continue;
        }
        let mut text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let label = ui.label(egui::RichText::new(name).small());
        ui.horizontal(|ui| {
            let width = (ui.available_width() - 130.0).max(120.0);
            let response = expression_edit(ui, &mut text, width, "").labelled_by(label.id);
            if response.changed() {
                set = Some((name.clone(), Value::String(text.clone())));
            }
            dynamic_content_ui(ui, view, key, name, &text, &mut set, metadata);
        });
        // An expression that does not parse says where, under its field.
        if let Err(error) = crate::flow::expr::references(&Value::String(text.clone())) {
            ui.label(
                egui::RichText::new(error.to_string())
                    .color(theme::ERROR)
                    .small(),
            );
        }
    }
    // Create and update: add a field of the entity.
    if matches!(operation, "PostItem" | "PatchItem")
        && let Some(metadata) = metadata
        && let Some(entity) = metadata
            .model
            .entity_set(table)
            .and_then(|s| metadata.model.entity_type(&s.entity_type))
    {
        egui::ComboBox::from_id_salt(("add-field", key))
            .selected_text("Add a field")
            .width(220.0)
            .show_ui(ui, |ui| {
                for property in metadata.model.all_properties(entity) {
                    let param = format!("item/{}", property.name);
                    if parameters.contains_key(&param) {
                        continue;
                    }
                    let mark = if property.nullable { "" } else { " *" };
                    if ui
                        .selectable_label(false, format!("{}{mark}", property.name))
                        .clicked()
                    {
                        set = Some((param, json!("")));
                    }
                }
            });
    }
    if let Some((name, value)) = set {
        let scope = view.selected_scope.clone();
        let step = key.1.clone();
        let unchanged = parameters.get(&name) == Some(&value);
        if !unchanged {
            view.edit(|d| {
                let actions = scope_mut(d, &scope)?;
                let params = actions
                    .get_mut(&step)
                    .and_then(|a| a.pointer_mut("/inputs/parameters"))
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| {
                        crate::flow::edit::EditError(format!("'{step}' has no parameters"))
                    })?;
                params.insert(name, value);
                Ok(())
            });
        }
    }
}
