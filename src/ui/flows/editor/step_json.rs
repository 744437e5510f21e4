//! The selected step's JSON (without its inner steps), edited as text and applied.

use serde_json::{Map, Value};

use crate::flow::edit::scope_mut;
use crate::ui::flows::{CardKey, FlowsView};
use crate::ui::theme;

/// The step's JSON (without its inner steps), editable; Apply replaces it.
pub fn step_json_ui(ui: &mut egui::Ui, view: &mut FlowsView, key: &CardKey, action: &Value) {
    if key.0.first().is_some_and(|p| p == "trigger") {
        return;
    }
    let mut own = action.clone();
    let mut inner = Map::new();
    if let Some(map) = own.as_object_mut() {
        for field in ["actions", "else", "cases", "default", "runAfter"] {
            if let Some(value) = map.shift_remove(field) {
                inner.insert(field.to_owned(), value);
            }
        }
    }
    let fresh = serde_json::to_string_pretty(&own).unwrap_or_default();
    if view.step_json.as_ref().is_none_or(|(k, _)| k != key) {
        view.step_json = Some((key.clone(), fresh.clone()));
    }
    let Some((_, text)) = &mut view.step_json else {
        return;
    };
    ui.label(egui::RichText::new("Step JSON").strong());
    ui.add(
        egui::TextEdit::multiline(text)
            .code_editor()
            .desired_rows(8)
            .desired_width(f32::INFINITY),
    );
    let parsed = serde_json::from_str::<Value>(text);
    let changed = *text != fresh;
    match &parsed {
        Err(e) => {
            ui.label(
                egui::RichText::new(format!("line {}, column {}: {e}", e.line(), e.column()))
                    .color(theme::ERROR)
                    .small(),
            );
        }
        Ok(Value::Object(_)) => {}
        Ok(_) => {
            ui.label(
                egui::RichText::new("expected an object")
                    .color(theme::ERROR)
                    .small(),
            );
        }
    }
    let apply = ui
        .add_enabled(
            changed && matches!(parsed, Ok(Value::Object(_))),
            egui::Button::new("Apply"),
        )
        .clicked();
    if apply && let Ok(Value::Object(mut edited)) = parsed {
        edited.extend(inner);
        let scope = view.selected_scope.clone();
        let name = key.1.clone();
        view.edit(|d| {
            let actions = scope_mut(d, &scope)?;
            let slot = actions.get_mut(&name).ok_or_else(|| {
                crate::flow::edit::EditError(format!("there is no step '{name}'"))
            })?;
            *slot = Value::Object(edited);
            Ok(())
        });
    }
}
