//! Conditions as rows (an `If` or `Until`): operands that may hold expressions, an operator
//! each, *And* / *Or*, read from and written to the designer's object form.

use serde_json::{Value, json};

use super::expression_field::expression_edit;
use crate::flow::edit::scope_mut;
use crate::ui::flows::{CardKey, FlowsView};

/// The operators of a condition row, as the designers offer them.
const OPERATORS: [(&str, &str); 10] = [
    ("equals", "is equal to"),
    ("notEquals", "is not equal to"),
    ("greater", "is greater than"),
    ("greaterOrEquals", "is greater than or equal to"),
    ("less", "is less than"),
    ("lessOrEquals", "is less than or equal to"),
    ("contains", "contains"),
    ("notContains", "does not contain"),
    ("startsWith", "starts with"),
    ("endsWith", "ends with"),
];

/// One row of a condition: left operand, operator (as in [`OPERATORS`]), right operand.
type ConditionRow = (String, String, String);

fn operand_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads the designer's object form (`{"and": [{"equals": [a, b]}, {"not": {…}}]}`).
fn condition_rows(expression: &Value) -> Option<(String, Vec<ConditionRow>)> {
    let map = expression.as_object()?;
    let (combinator, list) = map.iter().next()?;
    if !matches!(combinator.as_str(), "and" | "or") {
        return None;
    }
    let rows = list
        .as_array()?
        .iter()
        .map(|row| {
            let (op, operands, negated) = match row.as_object()?.iter().next()? {
                (not, inner) if not == "not" => {
                    let (op, operands) = inner.as_object()?.iter().next()?;
                    (op.clone(), operands.clone(), true)
                }
                (op, operands) => (op.clone(), operands.clone(), false),
            };
            let pair = operands.as_array()?;
            let name = match (op.as_str(), negated) {
                ("equals", true) => "notEquals".to_owned(),
                ("contains", true) => "notContains".to_owned(),
                (_, true) => return None,
                (op, false) => op.to_owned(),
            };
            Some((
                operand_text(pair.first()?),
                name,
                operand_text(pair.get(1)?),
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((combinator.clone(), rows))
}

/// Writes rows back in the object form.
fn condition_value(combinator: &str, rows: &[ConditionRow]) -> Value {
    let list: Vec<Value> = rows
        .iter()
        .map(|(a, op, b)| match op.as_str() {
            "notEquals" => json!({"not": {"equals": [a, b]}}),
            "notContains" => json!({"not": {"contains": [a, b]}}),
            other => json!({ other: [a, b] }),
        })
        .collect();
    json!({ combinator: list })
}

/// A condition's rows (an `If` or `Until`): operands that may hold expressions, an operator
/// each, *And* / *Or*; a condition written as one expression is edited as that text.
pub fn condition_ui(ui: &mut egui::Ui, view: &mut FlowsView, key: &CardKey, action: &Value) {
    let kind = action
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(kind.as_str(), "if" | "until") {
        return;
    }
    let expression = action.get("expression").cloned().unwrap_or(Value::Null);
    ui.label(egui::RichText::new("Condition").strong());
    let mut next: Option<Value> = None;
    match condition_rows(&expression) {
        Some((combinator, mut rows)) => {
            let mut changed = false;
            let mut combinator = combinator;
            ui.horizontal(|ui| {
                changed |= ui
                    .radio_value(&mut combinator, "and".to_owned(), "All rows (And)")
                    .changed();
                changed |= ui
                    .radio_value(&mut combinator, "or".to_owned(), "Any row (Or)")
                    .changed();
            });
            let mut remove = None;
            for (index, (a, op, b)) in rows.iter_mut().enumerate() {
                ui.horizontal(|ui| {
                    changed |= expression_edit(ui, a, 110.0, "value").changed();
                    let shown = OPERATORS
                        .iter()
                        .find(|(k, _)| k == op)
                        .map_or(op.as_str(), |(_, l)| l);
                    egui::ComboBox::from_id_salt(("condition-op", key, index))
                        .selected_text(shown)
                        .width(120.0)
                        .show_ui(ui, |ui| {
                            for (name, label) in OPERATORS {
                                if ui.selectable_label(op == name, label).clicked() && op != name {
                                    *op = name.to_owned();
                                    changed = true;
                                }
                            }
                        });
                    changed |= expression_edit(ui, b, 110.0, "value").changed();
                    if ui.small_button("Remove").clicked() {
                        remove = Some(index);
                    }
                });
            }
            if let Some(index) = remove {
                rows.remove(index);
                changed = true;
            }
            if ui.button("Add a row").clicked() {
                rows.push((String::new(), "equals".to_owned(), String::new()));
                changed = true;
            }
            if changed {
                next = Some(condition_value(&combinator, &rows));
            }
        }
        None => {
            let mut text = operand_text(&expression);
            let label = ui.label("Expression");
            if expression_edit(ui, &mut text, f32::INFINITY, "")
                .labelled_by(label.id)
                .changed()
            {
                next = Some(Value::String(text));
            }
        }
    }
    if let Some(value) = next {
        let scope = view.selected_scope.clone();
        let name = key.1.clone();
        view.edit(|d| {
            let actions = scope_mut(d, &scope)?;
            if let Some(Value::Object(action)) = actions.get_mut(&name) {
                action.insert("expression".to_owned(), value);
            }
            Ok(())
        });
    }
}

#[cfg(test)]
mod condition_tests {
    use super::*;

    #[test]
    fn condition_rows_round_trip_the_designer_s_object_form() {
        let expression = json!({"or": [
            {"equals": ["@variables('n')", 3]},
            {"not": {"equals": ["@item()?['a']", "x"]}},
            {"not": {"contains": ["@body('B')", "y"]}},
            {"greaterOrEquals": ["@triggerBody()?['n']", "2"]}
        ]});
        let (combinator, rows) = condition_rows(&expression).expect("rows");
        assert_eq!(combinator, "or");
        let ops: Vec<&str> = rows.iter().map(|(_, op, _)| op.as_str()).collect();
        assert_eq!(
            ops,
            ["equals", "notEquals", "notContains", "greaterOrEquals"]
        );
        assert_eq!(rows[0].2, "3", "a number shows as its text");
        let back = condition_value(&combinator, &rows);
        assert_eq!(
            back["or"][1],
            json!({"not": {"equals": ["@item()?['a']", "x"]}})
        );
        assert_eq!(
            back["or"][3],
            json!({"greaterOrEquals": ["@triggerBody()?['n']", "2"]})
        );
        // An expression string or another shape is not rows.
        assert!(condition_rows(&json!("@equals(1, 1)")).is_none());
        assert!(condition_rows(&json!({"xor": []})).is_none());
    }
}
