//! The manual trigger's inputs: each with its type, required or not; add and remove.

use serde_json::{Map, Value, json};

use crate::ui::flows::{CardKey, FlowsView};

/// The manual trigger's inputs: each with its type, required or not; add and remove.
pub fn trigger_editor_ui(ui: &mut egui::Ui, view: &mut FlowsView, key: &CardKey) {
    if key.0.first().is_none_or(|p| p != "trigger") || view.is_running() {
        return;
    }
    let trigger_name = key.1.clone();
    let Some(open) = &view.open else {
        return;
    };
    let Some(trigger) = open
        .file
        .definition()
        .get("triggers")
        .and_then(|t| t.get(&trigger_name))
        .cloned()
    else {
        return;
    };
    if !crate::flow::run::trigger::is_manual(&trigger) {
        return;
    }
    let properties = trigger
        .pointer("/inputs/schema/properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let required: Vec<String> = trigger
        .pointer("/inputs/schema/required")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    ui.label(egui::RichText::new("Trigger inputs").strong());
    let mut drop = None;
    let mut retype: Option<(String, &str)> = None;
    let mut toggle: Option<String> = None;
    for (name, prop) in &properties {
        ui.horizontal(|ui| {
            let kind = prop.get("type").and_then(Value::as_str).unwrap_or("string");
            ui.label(name);
            egui::ComboBox::from_id_salt(("input-type", name))
                .selected_text(kind)
                .width(90.0)
                .show_ui(ui, |ui| {
                    for choice in ["string", "integer", "number", "boolean", "object", "array"] {
                        if ui.selectable_label(kind == choice, choice).clicked() && kind != choice {
                            retype = Some((name.clone(), choice));
                        }
                    }
                });
            let mut needed = required.contains(name);
            if ui.checkbox(&mut needed, "Required").changed() {
                toggle = Some(name.clone());
            }
            if ui.small_button("Remove").clicked() {
                drop = Some(name.clone());
            }
        });
    }
    if let Some((name, kind)) = retype {
        view.edit(|d| {
            let schema = trigger_schema(d, &trigger_name)?;
            if let Some(prop) = schema
                .get_mut("properties")
                .and_then(|p| p.get_mut(&name))
                .and_then(Value::as_object_mut)
            {
                prop.insert("type".to_owned(), json!(kind));
            }
            Ok(())
        });
    }
    if let Some(name) = toggle {
        view.edit(|d| {
            let schema = trigger_schema(d, &trigger_name)?;
            let list = schema.entry("required").or_insert_with(|| json!([]));
            if let Some(list) = list.as_array_mut() {
                if list.iter().any(|v| v == &json!(name)) {
                    list.retain(|v| v != &json!(name));
                } else {
                    list.push(json!(name));
                }
            }
            Ok(())
        });
    }
    let mut add = false;
    ui.horizontal(|ui| {
        let label = ui.label("New input");
        ui.add(
            egui::TextEdit::singleline(&mut view.new_input)
                .desired_width(120.0)
                .hint_text("name"),
        )
        .labelled_by(label.id);
        add = ui.button("Add input").clicked();
    });
    let name = view.new_input.trim().to_owned();
    if add && !name.is_empty() {
        view.new_input.clear();
        view.edit(|d| {
            let schema = trigger_schema(d, &trigger_name)?;
            schema
                .entry("properties")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|p| p.insert(name.clone(), json!({"type": "string", "title": name})));
            let list = schema.entry("required").or_insert_with(|| json!([]));
            if let Some(list) = list.as_array_mut()
                && !list.iter().any(|v| v == &json!(name))
            {
                list.push(json!(name));
            }
            Ok(())
        });
    }
    if let Some(name) = drop {
        view.edit(|d| {
            let schema = trigger_schema(d, &trigger_name)?;
            if let Some(p) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                p.shift_remove(&name);
            }
            if let Some(list) = schema.get_mut("required").and_then(Value::as_array_mut) {
                list.retain(|v| v != &json!(name));
            }
            Ok(())
        });
    }
}

/// The schema object of a manual trigger, created when missing.
fn trigger_schema<'d>(
    definition: &'d mut Map<String, Value>,
    trigger: &str,
) -> Result<&'d mut Map<String, Value>, crate::flow::edit::EditError> {
    let missing = || crate::flow::edit::EditError(format!("there is no trigger '{trigger}'"));
    let trigger = definition
        .get_mut("triggers")
        .and_then(|t| t.get_mut(trigger))
        .and_then(Value::as_object_mut)
        .ok_or_else(missing)?;
    let inputs = trigger
        .entry("inputs")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(missing)?;
    let schema = inputs
        .entry("schema")
        .or_insert_with(|| json!({"type": "object"}));
    if !schema.is_object() {
        *schema = json!({"type": "object"});
    }
    schema.as_object_mut().ok_or_else(missing)
}
