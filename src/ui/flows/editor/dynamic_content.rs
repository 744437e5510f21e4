//! Dynamic content: what a field can refer to (the trigger's inputs, the outputs and
//! record fields of earlier steps) and the menu that appends it to a field.

use serde_json::Value;

use crate::ui::LoadedMetadata;
use crate::ui::flows::{CardKey, FlowsView};

/// The "Dynamic content" menu of one field: the trigger's inputs and the outputs of the
/// steps before this one; a pick appends its expression to the field.
pub(super) fn dynamic_content_ui(
    ui: &mut egui::Ui,
    view: &FlowsView,
    key: &CardKey,
    field: &str,
    text: &str,
    set: &mut Option<(String, Value)>,
    metadata: Option<&LoadedMetadata>,
) {
    let choices = dynamic_choices(view, key, metadata);
    ui.menu_button("Dynamic content", |ui| {
        egui::ScrollArea::vertical()
            .max_height(320.0)
            .show(ui, |ui| {
                for (label, expression) in choices {
                    if ui.button(&label).on_hover_text(&expression).clicked() {
                        let joined = if text.is_empty() {
                            format!("@{}", expression.trim_start_matches('@'))
                        } else {
                            format!("{text}@{{{}}}", expression.trim_start_matches('@'))
                        };
                        *set = Some((field.to_owned(), Value::String(joined)));
                        ui.close();
                    }
                }
            });
    });
}

/// What a field can refer to: the trigger's inputs and the steps before `key` (their body,
/// and the fields known from metadata for Finance & Operations steps).
pub fn dynamic_choices(
    view: &FlowsView,
    key: &CardKey,
    metadata: Option<&LoadedMetadata>,
) -> Vec<(String, String)> {
    let Some(open) = &view.open else {
        return Vec::new();
    };
    let definition = open.file.definition();
    let mut choices = Vec::new();
    if let Some((_, trigger)) = crate::flow::run::trigger::first_trigger(definition)
        && let Some(properties) = trigger
            .pointer("/inputs/schema/properties")
            .and_then(Value::as_object)
    {
        for (name, prop) in properties {
            let title = prop.get("title").and_then(Value::as_str).unwrap_or(name);
            choices.push((
                format!("Trigger: {title}"),
                format!("@triggerBody()?['{name}']"),
            ));
        }
    }
    for (_, name, action) in crate::flow::validate::all_actions(definition) {
        if name == key.1 {
            break;
        }
        choices.push((format!("{name}: body"), format!("@body('{name}')")));
        choices.extend(record_fields(&name, action, metadata));
    }
    choices
}

/// For an earlier Finance & Operations step whose entity is known: the fields of the
/// record it gives (get, create, update), or its list of records (list items).
fn record_fields(
    name: &str,
    action: &Value,
    metadata: Option<&LoadedMetadata>,
) -> Vec<(String, String)> {
    let (Some(metadata), Some(table), Some(operation)) = (
        metadata,
        action
            .pointer("/inputs/parameters/table")
            .and_then(Value::as_str),
        action
            .pointer("/inputs/host/operationId")
            .and_then(Value::as_str),
    ) else {
        return Vec::new();
    };
    if operation == "GetItems" {
        return vec![(
            format!("{name}: records"),
            format!("@body('{name}')?['value']"),
        )];
    }
    if !matches!(operation, "GetItem" | "PostItem" | "PatchItem") {
        return Vec::new();
    }
    let Some(entity) = metadata
        .model
        .entity_set(table)
        .and_then(|s| metadata.model.entity_type(&s.entity_type))
    else {
        return Vec::new();
    };
    metadata
        .model
        .all_properties(entity)
        .into_iter()
        .map(|p| {
            (
                format!("{name}: {}", p.name),
                format!("@body('{name}')?['{}']", p.name),
            )
        })
        .collect()
}
