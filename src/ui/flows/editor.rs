//! Editing the open flow: the "Add a step" picker, the selected step's tools (rename, move,
//! duplicate, delete, its JSON), the connector step's fields with dynamic content, and the
//! shortcuts (undo, redo, save) with autosave.

use serde_json::{Map, Value, json};

use super::{CardKey, FlowsView, files};
use crate::flow::edit::{
    STEP_KINDS, duplicate, insert_after, move_step, new_step, remove, rename, scope_mut,
};
use crate::ui::LoadedMetadata;
use crate::ui::theme;

/// How often unsaved edits are kept for recovery.
const AUTOSAVE_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// Ctrl+Z, Ctrl+Y / Ctrl+Shift+Z, Ctrl+S; unsaved edits kept every few seconds.
pub fn shortcuts_and_autosave(ctx: &egui::Context, view: &mut FlowsView) {
    if view.open.is_none() {
        return;
    }
    let typing = ctx.memory(|m| m.focused().is_some());
    let (undo, redo, save) = ctx.input_mut(|i| {
        let redo = i.consume_key(
            egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
            egui::Key::Z,
        ) || i.consume_key(egui::Modifiers::COMMAND, egui::Key::Y);
        let undo = !typing && i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z);
        let save = i.consume_key(egui::Modifiers::COMMAND, egui::Key::S);
        (undo, redo && !typing, save)
    });
    step_keys(ctx, view);
    if undo {
        view.undo();
    }
    if redo {
        view.redo();
    }
    if save {
        view.save(None);
    }
    let due = view
        .autosaved_at
        .is_none_or(|at| at.elapsed() >= AUTOSAVE_EVERY);
    if view.dirty && due {
        autosave_now(view);
    }
    if view.dirty {
        ctx.request_repaint_after(AUTOSAVE_EVERY);
    }
}

/// Keeps the unsaved definition for recovery after a crash.
pub fn autosave_now(view: &mut FlowsView) {
    if let Some(open) = &view.open {
        if let Err(e) = files::autosave(&open.path, open.file.definition()) {
            tracing::warn!(error = %e, "could not keep the unsaved flow");
        }
        view.autosaved_at = Some(std::time::Instant::now());
    }
}

/// The banner offering the edits kept from an earlier session.
pub fn recovery_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    if view.recovery.is_none() {
        return;
    }
    let mut choice = None;
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, theme::WARNING))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    egui::RichText::new("This flow has unsaved changes from an earlier session.")
                        .color(theme::WARNING),
                );
                if ui.button("Recover changes").clicked() {
                    choice = Some(true);
                }
                if ui.button("Discard them").clicked() {
                    choice = Some(false);
                }
            });
        });
    match choice {
        Some(true) => {
            if let Some(saved) = view.recovery.take() {
                view.edit(|definition| {
                    *definition = saved;
                    Ok(())
                });
            }
        }
        Some(false) => {
            view.recovery = None;
            if let Some(open) = &view.open {
                files::forget_autosave(&open.path);
            }
        }
        None => {}
    }
}

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
        ui.horizontal(|ui| {
            ui.label(dep);
            for status in ["Succeeded", "Failed", "Skipped", "TimedOut"] {
                let mut on = current.iter().any(|s| s.eq_ignore_ascii_case(status));
                if ui.checkbox(&mut on, status).changed() {
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

/// Keyboard on the selected step (when no field has the focus): Alt+Up / Alt+Down move it,
/// Delete removes it.
pub fn step_keys(ctx: &egui::Context, view: &mut FlowsView) {
    let Some(key) = view.selected.clone() else {
        return;
    };
    if key.0.first().is_some_and(|p| p == "trigger") || ctx.memory(|m| m.focused().is_some()) {
        return;
    }
    let (up, down, delete) = ctx.input_mut(|i| {
        (
            i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowUp),
            i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowDown),
            i.consume_key(egui::Modifiers::NONE, egui::Key::Delete),
        )
    });
    let scope = view.selected_scope.clone();
    if up || down {
        view.edit(|d| move_step(d, &scope, &key.1, up));
    }
    if delete && view.edit(|d| remove(d, &scope, &key.1).map(|_| ())) {
        view.selected = None;
    }
}

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
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut text)
                        .font(egui::TextStyle::Monospace)
                        .desired_width(width),
                )
                .labelled_by(label.id);
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

/// The "Dynamic content" menu of one field: the trigger's inputs and the outputs of the
/// steps before this one; a pick appends its expression to the field.
fn dynamic_content_ui(
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

/// The expression functions with their usage, filtered by a search box; a click copies the
/// usage to the clipboard.
pub fn functions_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    egui::CollapsingHeader::new("Expression functions")
        .id_salt("expression-functions")
        .show(ui, |ui| {
            let label = ui.label("Find a function");
            ui.add(
                egui::TextEdit::singleline(&mut view.function_search).hint_text("date, concat…"),
            )
            .labelled_by(label.id);
            let needle = view.function_search.to_lowercase();
            egui::ScrollArea::vertical()
                .id_salt("function-list")
                .max_height(220.0)
                .show(ui, |ui| {
                    for (name, usage) in crate::flow::expr::function_names() {
                        if !needle.is_empty()
                            && !name.to_lowercase().contains(&needle)
                            && !usage.to_lowercase().contains(&needle)
                        {
                            continue;
                        }
                        let row = ui
                            .add(
                                egui::Label::new(egui::RichText::new(usage).monospace().small())
                                    .sense(egui::Sense::click()),
                            )
                            .on_hover_text("Click to copy");
                        if row.clicked() {
                            ui.ctx().copy_text(format!("@{name}()"));
                        }
                    }
                });
        });
}

/// Closing the window with unsaved edits asks first: save, close without saving, or stay.
pub fn unsaved_on_close_ui(ctx: &egui::Context, view: &mut FlowsView) {
    if ctx.input(|i| i.viewport().close_requested()) && view.dirty && !view.close_confirmed {
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        view.asking_before_close = true;
    }
    if !view.asking_before_close {
        return;
    }
    let name = view
        .open
        .as_ref()
        .map(|open| open.file.name_for(&open.path))
        .unwrap_or_default();
    let mut choice = None;
    egui::Window::new("Unsaved flow")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.label(format!("The flow '{name}' has changes that are not saved."));
            ui.horizontal(|ui| {
                if ui.button("Save and close").clicked() {
                    choice = Some(0);
                }
                if ui.button("Close without saving").clicked() {
                    choice = Some(1);
                }
                if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    choice = Some(2);
                }
            });
        });
    match choice {
        Some(0) => {
            view.asking_before_close = false;
            if view.save(None) {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
        Some(1) => {
            view.asking_before_close = false;
            view.close_confirmed = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        Some(_) => view.asking_before_close = false,
        None => {}
    }
}

/// For a `Recurrence` trigger: the next runs, in its time zone, and the switch that runs the
/// flow on its schedule while the window is open.
pub fn recurrence_ui(ui: &mut egui::Ui, view: &mut FlowsView, key: &CardKey) {
    if key.0.first().is_none_or(|p| p != "trigger") {
        return;
    }
    let Some(trigger) = view
        .open
        .as_ref()
        .and_then(|open| open.file.definition().get("triggers")?.get(&key.1).cloned())
    else {
        return;
    };
    let is_recurrence = trigger
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Recurrence"))
        || trigger.get("recurrence").is_some();
    if !is_recurrence {
        return;
    }
    let mut on = view.schedule_next.is_some();
    if ui
        .checkbox(&mut on, "Run on this schedule while the window is open")
        .changed()
    {
        view.set_schedule(on);
    }
    if view.schedule_next.is_some() {
        ui.label(
            egui::RichText::new(format!("On: {} scheduled runs so far", view.scheduled_runs))
                .color(theme::SUCCESS),
        );
    }
    ui.label(egui::RichText::new("Next runs").strong());
    match crate::flow::schedule::Recurrence::from_trigger(&trigger) {
        Ok(recurrence) => {
            let runs = recurrence.next_runs(chrono::Utc::now(), 5);
            if runs.is_empty() {
                ui.label(egui::RichText::new("No run in the next ten years.").color(theme::MUTED));
            }
            for at in runs {
                ui.label(
                    egui::RichText::new(format!(
                        "{} ({})",
                        at.format("%a %Y-%m-%d %H:%M %Z"),
                        at.with_timezone(&chrono::Utc).format("%H:%M UTC")
                    ))
                    .monospace(),
                );
            }
        }
        Err(problem) => {
            ui.label(egui::RichText::new(problem).color(theme::ERROR));
        }
    }
}

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
                    changed |= ui
                        .add(
                            egui::TextEdit::singleline(a)
                                .desired_width(110.0)
                                .hint_text("value"),
                        )
                        .changed();
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
                    changed |= ui
                        .add(
                            egui::TextEdit::singleline(b)
                                .desired_width(110.0)
                                .hint_text("value"),
                        )
                        .changed();
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
            if ui
                .add(egui::TextEdit::singleline(&mut text).desired_width(f32::INFINITY))
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
