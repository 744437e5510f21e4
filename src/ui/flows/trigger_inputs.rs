//! The manual trigger's inputs as fields, by title when they have one: a yes/no input is a
//! choice of "not given", "true" or "false", other inputs are text with a hint of what
//! their type expects (`description` from the schema on hover). What is typed is checked
//! and typed by `flow::run::trigger::manual_body` when the flow runs.

use serde_json::Value;

use super::FlowsView;
use crate::flow::run::trigger::{first_trigger, is_manual};

/// One input field.
struct Field {
    key: String,
    label: String,
    required: bool,
    kind: String,
    format: Option<String>,
    description: Option<String>,
}

/// Fields for the open flow's manual trigger (none for other triggers).
pub(super) fn trigger_inputs_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    let fields = fields(view);
    if fields.is_empty() {
        return;
    }
    egui::Grid::new("trigger-inputs")
        .num_columns(2)
        .show(ui, |ui| {
            for field in fields {
                let title = if field.required {
                    format!("{} *", field.label)
                } else {
                    field.label.clone()
                };
                let label = ui.label(title);
                let value = view.trigger_inputs.entry(field.key.clone()).or_default();
                let response = if field.kind == "boolean" {
                    yes_no(ui, &field, value)
                } else {
                    ui.add(
                        egui::TextEdit::singleline(value)
                            .hint_text(hint(&field))
                            .desired_width(240.0),
                    )
                };
                let response = response.labelled_by(label.id);
                if let Some(description) = &field.description {
                    response.on_hover_text(description);
                }
                ui.end_row();
            }
        });
}

/// The choice for a yes/no input; "not given" leaves it out of the body.
fn yes_no(ui: &mut egui::Ui, field: &Field, value: &mut String) -> egui::Response {
    let shown = match value.as_str() {
        "" => "Not given",
        other => other,
    };
    egui::ComboBox::from_id_salt(("trigger-input", &field.key))
        .selected_text(shown)
        .width(120.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, String::new(), "Not given");
            ui.selectable_value(value, "true".to_owned(), "true");
            ui.selectable_value(value, "false".to_owned(), "false");
        })
        .response
}

/// What a text field for `field` expects, shown while it is empty.
fn hint(field: &Field) -> &'static str {
    match (field.kind.as_str(), field.format.as_deref()) {
        ("integer", _) => "a whole number",
        ("number", _) => "a number",
        ("object", _) => "a JSON object",
        ("array", _) => "a JSON array",
        (_, Some("date")) => "YYYY-MM-DD",
        (_, Some("date-time")) => "YYYY-MM-DDThh:mm:ssZ",
        (_, Some("email")) => "name@example.com",
        (_, Some("uri")) => "https://…",
        _ => "",
    }
}

/// The manual trigger's schema properties, in the definition's order.
fn fields(view: &FlowsView) -> Vec<Field> {
    let Some(open) = &view.open else {
        return Vec::new();
    };
    let Some((_, trigger)) = first_trigger(open.file.definition()) else {
        return Vec::new();
    };
    if !is_manual(trigger) {
        return Vec::new();
    }
    let Some(properties) = trigger
        .pointer("/inputs/schema/properties")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let required: Vec<&str> = trigger
        .pointer("/inputs/schema/required")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let text = |prop: &Value, name: &str| prop.get(name).and_then(Value::as_str).map(str::to_owned);
    properties
        .iter()
        .map(|(key, prop)| Field {
            key: key.clone(),
            label: text(prop, "title").unwrap_or_else(|| key.clone()),
            required: required.contains(&key.as_str()),
            kind: text(prop, "type").unwrap_or_else(|| "string".to_owned()),
            format: text(prop, "format"),
            description: text(prop, "description"),
        })
        .collect()
}
