//! A `Switch` step's form: the value it switches on, its cases (name and value; add, change,
//! remove) and the default branch that runs when no case matches.

use serde_json::{Map, Value, json};

use super::expression_field::expression_edit;
use crate::flow::edit::{EditError, scope_mut};
use crate::ui::flows::{CardKey, FlowsView};
use crate::ui::theme;

/// A case value as the runner compares it: a number when the text is one, else the text.
fn case_value(text: &str) -> Value {
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::Number(n)) => Value::Number(n),
        _ => Value::String(text.to_owned()),
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// What the form asks for, applied after it is drawn.
enum SwitchEdit {
    On(String),
    Value(String, String),
    Add(String, String),
    Remove(String),
}

/// The form of the selected `Switch` step.
pub fn switch_ui(ui: &mut egui::Ui, view: &mut FlowsView, key: &CardKey, action: &Value) {
    let is_switch = action
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("switch"));
    if !is_switch || view.is_running() {
        return;
    }
    let mut edits = Vec::new();
    ui.label(egui::RichText::new("Switch").strong());
    ui.horizontal(|ui| {
        let label = ui.label("On");
        let mut on = value_text(action.get("expression").unwrap_or(&Value::Null));
        if expression_edit(ui, &mut on, ui.available_width(), "@triggerBody()?['kind']")
            .labelled_by(label.id)
            .changed()
        {
            edits.push(SwitchEdit::On(on));
        }
    });
    let cases = action
        .get("cases")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let label_width = 120.0;
    for (name, case) in &cases {
        ui.horizontal(|ui| {
            let label = ui
                .allocate_ui(
                    egui::vec2(label_width, ui.spacing().interact_size.y),
                    |ui| {
                        ui.set_min_width(label_width);
                        ui.add(egui::Label::new(format!("Case {name}")).truncate())
                    },
                )
                .inner;
            let mut text = value_text(case.get("case").unwrap_or(&Value::Null));
            if expression_edit(ui, &mut text, 150.0, "value")
                .labelled_by(label.id)
                .changed()
            {
                edits.push(SwitchEdit::Value(name.clone(), text));
            }
            if ui
                .small_button("Remove case")
                .on_hover_text(format!("Removes the case {name} and its steps"))
                .clicked()
            {
                edits.push(SwitchEdit::Remove(name.clone()));
            }
        });
    }
    ui.horizontal(|ui| {
        let label = ui.label("New case");
        ui.add(
            egui::TextEdit::singleline(&mut view.new_case_name)
                .desired_width(100.0)
                .hint_text("name"),
        )
        .labelled_by(label.id);
        let value_label = ui.label("Value");
        ui.add(
            egui::TextEdit::singleline(&mut view.new_case_value)
                .font(egui::TextStyle::Monospace)
                .desired_width(100.0)
                .hint_text("value"),
        )
        .labelled_by(value_label.id);
        if ui
            .button("Add case")
            .on_hover_text("A value that is a number is kept as a number")
            .clicked()
        {
            edits.push(SwitchEdit::Add(
                view.new_case_name.trim().to_owned(),
                view.new_case_value.clone(),
            ));
        }
    });
    let default_steps = action
        .pointer("/default/actions")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    ui.label(
        egui::RichText::new(format!(
            "Default: runs when no case matches ({default_steps} {})",
            if default_steps == 1 { "step" } else { "steps" }
        ))
        .color(theme::MUTED),
    );
    for edit in edits {
        apply(view, key, edit);
    }
}

/// Applies one edit of the form to the switch `key` through the view (undo, checks).
fn apply(view: &mut FlowsView, key: &CardKey, edit: SwitchEdit) {
    let scope = view.selected_scope.clone();
    let name = key.1.clone();
    let added = matches!(edit, SwitchEdit::Add(..));
    let done = view.edit(|d| {
        let action = scope_mut(d, &scope)?
            .get_mut(&name)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| EditError(format!("there is no step '{name}'")))?;
        match edit {
            SwitchEdit::On(text) => {
                action.insert("expression".to_owned(), Value::String(text));
            }
            SwitchEdit::Value(case, text) => {
                if let Some(Value::Object(case)) =
                    action.get_mut("cases").and_then(|c| c.get_mut(&case))
                {
                    case.insert("case".to_owned(), case_value(&text));
                }
            }
            SwitchEdit::Add(case, text) => {
                let cases = action
                    .entry("cases")
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .ok_or_else(|| EditError("'cases' is not an object".to_owned()))?;
                let case = if case.is_empty() {
                    (1..)
                        .map(|n| format!("Case_{n}"))
                        .find(|c| !cases.contains_key(c))
                        .unwrap_or_default()
                } else {
                    case
                };
                if !case
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(EditError(format!(
                        "'{case}' is not a case name: use letters, digits, '_' and '-'"
                    )));
                }
                if cases.contains_key(&case) {
                    return Err(EditError(format!("there is already a case '{case}'")));
                }
                cases.insert(case, json!({"case": case_value(&text), "actions": {}}));
            }
            SwitchEdit::Remove(case) => {
                if let Some(Value::Object(cases)) = action.get_mut("cases") {
                    cases.shift_remove(&case);
                }
            }
        }
        Ok(())
    });
    if done && added {
        view.new_case_name.clear();
        view.new_case_value.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_values_keep_numbers_as_numbers() {
        assert_eq!(case_value("3"), json!(3));
        assert_eq!(case_value(" 2.5 "), json!(2.5));
        assert_eq!(case_value("007"), json!("007"));
        assert_eq!(case_value("US"), json!("US"));
        assert_eq!(case_value("true"), json!("true"));
        assert_eq!(value_text(&json!(3)), "3");
        assert_eq!(value_text(&json!("x")), "x");
    }
}
