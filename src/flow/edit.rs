//! Edits of a definition as the designer makes them: insert a step after another (the
//! `runAfter` chain follows), remove, duplicate, move (one place, or before another step),
//! rename (every expression that names the step follows), and new steps of each kind. Pure
//! functions on the definition's JSON.

use regex::Regex;
use serde_json::{Map, Value, json};

use super::run::engine::run_after;
use super::validate::all_actions;

mod reorder;

pub use reorder::move_before;

/// Which inner scope of a control action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Branch {
    /// `actions` (a scope, a loop, the *yes* branch of a condition).
    Actions,
    /// `else.actions` (the *no* branch).
    Else,
    /// `cases.<name>.actions`.
    Case(String),
    /// `default.actions` of a switch.
    Default,
}

/// Where a list of actions sits: the enclosing control actions with the branch taken in
/// each; empty for the definition's own `actions`.
pub type ScopePath = Vec<(String, Branch)>;

/// Why an edit cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EditError(pub String);

fn refuse(message: impl Into<String>) -> EditError {
    EditError(message.into())
}

/// The actions of `scope` in `definition`, created when the branch has none yet.
pub fn scope_mut<'d>(
    definition: &'d mut Map<String, Value>,
    scope: &ScopePath,
) -> Result<&'d mut Map<String, Value>, EditError> {
    let mut actions = object_entry(definition, "actions")?;
    for (name, branch) in scope {
        let action = actions
            .get_mut(name)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| refuse(format!("there is no step '{name}'")))?;
        let holder = match branch {
            Branch::Actions => action,
            Branch::Else => object_entry(action, "else")?,
            Branch::Default => object_entry(action, "default")?,
            Branch::Case(case) => object_entry(object_entry(action, "cases")?, case)?,
        };
        actions = object_entry(holder, "actions")?;
    }
    Ok(actions)
}

/// The object at `key` in `map`, made an object if it is missing or not one.
fn object_entry<'m>(
    map: &'m mut Map<String, Value>,
    key: &str,
) -> Result<&'m mut Map<String, Value>, EditError> {
    let slot = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
        .ok_or_else(|| refuse(format!("'{key}' is not an object")))
}

/// A name no step of the definition has: `base`, else `base_2`, `base_3`…
pub fn unique_name(definition: &Map<String, Value>, base: &str) -> String {
    let base: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = if base.is_empty() {
        "Step".to_owned()
    } else {
        base
    };
    let taken: Vec<String> = all_actions(definition)
        .into_iter()
        .map(|(_, n, _)| n)
        .collect();
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|name| !taken.contains(name))
        .unwrap_or(base)
}

/// Inserts `action` as `name` (made unique) into `scope`, to run after `after` (first in the
/// scope when `None`); the steps that ran after `after` now run after the new one. Returns
/// the name used.
pub fn insert_after(
    definition: &mut Map<String, Value>,
    scope: &ScopePath,
    after: Option<&str>,
    name: &str,
    mut action: Value,
) -> Result<String, EditError> {
    let name = unique_name(definition, name);
    let actions = scope_mut(definition, scope)?;
    if let Some(after) = after
        && !actions.contains_key(after)
    {
        return Err(refuse(format!("there is no step '{after}' in this scope")));
    }
    // The steps that followed `after` (or started the scope) follow the new step.
    for (other, value) in actions.iter_mut() {
        let follows = match after {
            Some(after) => run_after(value).iter().any(|(dep, _)| dep == after),
            None => run_after(value).is_empty(),
        };
        if !follows || other == &name {
            continue;
        }
        if let Some(map) = value.as_object_mut() {
            let deps = object_entry(map, "runAfter")?;
            if let Some(after) = after {
                deps.shift_remove(after);
            }
            deps.insert(name.clone(), json!(["Succeeded"]));
        }
    }
    if let Some(map) = action.as_object_mut() {
        let deps = match after {
            Some(after) => json!({ after: ["Succeeded"] }),
            None => json!({}),
        };
        map.insert("runAfter".to_owned(), deps);
    }
    let index = match after {
        Some(after) => actions
            .keys()
            .position(|k| k == after)
            .map_or(actions.len(), |i| i + 1),
        None => 0,
    };
    actions.shift_insert(index, name.clone(), action);
    Ok(name)
}

/// Removes the step `name` from `scope`; the steps that ran after it run after what it
/// ran after.
pub fn remove(
    definition: &mut Map<String, Value>,
    scope: &ScopePath,
    name: &str,
) -> Result<Value, EditError> {
    let actions = scope_mut(definition, scope)?;
    let removed = actions
        .shift_remove(name)
        .ok_or_else(|| refuse(format!("there is no step '{name}' in this scope")))?;
    let inherited = removed
        .get("runAfter")
        .cloned()
        .unwrap_or_else(|| json!({}));
    for value in actions.values_mut() {
        let Some(map) = value.as_object_mut() else {
            continue;
        };
        let deps = object_entry(map, "runAfter")?;
        if deps.shift_remove(name).is_some()
            && let Value::Object(inherited) = &inherited
        {
            for (dep, statuses) in inherited {
                deps.entry(dep.clone()).or_insert_with(|| statuses.clone());
            }
        }
    }
    Ok(removed)
}

/// A copy of the step `name` right after it, named `name_copy` (made unique).
pub fn duplicate(
    definition: &mut Map<String, Value>,
    scope: &ScopePath,
    name: &str,
) -> Result<String, EditError> {
    let copy = scope_mut(definition, scope)?
        .get(name)
        .cloned()
        .ok_or_else(|| refuse(format!("there is no step '{name}' in this scope")))?;
    // Inner steps keep their names in a copy only if they stay unique: rename them.
    let mut copy = copy;
    rename_inner_copies(definition, &mut copy);
    insert_after(definition, scope, Some(name), &format!("{name}_copy"), copy)
}

fn rename_inner_copies(definition: &Map<String, Value>, action: &mut Value) {
    for key in ["actions"] {
        if let Some(Value::Object(inner)) = action.get_mut(key) {
            let renamed: Map<String, Value> = inner
                .iter()
                .map(|(n, v)| (unique_name(definition, &format!("{n}_copy")), v.clone()))
                .collect();
            *inner = renamed;
        }
    }
}

/// Renames a step everywhere: its key, every `runAfter` naming it, and every expression
/// that names it (`actions`, `body`, `outputs`, `items`, `result`, `iterationIndexes`, …).
pub fn rename(definition: &mut Map<String, Value>, old: &str, new: &str) -> Result<(), EditError> {
    let new = new.trim();
    let valid = !new.is_empty()
        && new
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(refuse(format!(
            "'{new}' is not a step name: use letters, digits, '_' and '-'"
        )));
    }
    if old == new {
        return Ok(());
    }
    let names: Vec<String> = all_actions(definition)
        .into_iter()
        .map(|(_, n, _)| n)
        .collect();
    if !names.iter().any(|n| n == old) {
        return Err(refuse(format!("there is no step '{old}'")));
    }
    if names.iter().any(|n| n == new) {
        return Err(refuse(format!("a step is already named '{new}'")));
    }
    if let Some(actions) = definition.get_mut("actions").and_then(Value::as_object_mut) {
        rename_in_scope(actions, old, new);
    }
    let pattern = format!(
        r"(?i)\b(actions|body|outputs|items|result|iterationIndexes|actionBody|actionOutputs)(\s*\(\s*)'{}'(\s*\))",
        regex::escape(old)
    );
    if let Ok(references) = Regex::new(&pattern) {
        let replacement = format!("${{1}}${{2}}'{new}'${{3}}");
        for value in definition.values_mut() {
            replace_in_strings(value, &references, &replacement);
        }
    }
    Ok(())
}

fn rename_in_scope(actions: &mut Map<String, Value>, old: &str, new: &str) {
    if let Some(index) = actions.keys().position(|k| k == old)
        && let Some(value) = actions.shift_remove(old)
    {
        actions.shift_insert(index, new.to_owned(), value);
    }
    for value in actions.values_mut() {
        if let Some(Value::Object(deps)) = value.get_mut("runAfter")
            && let Some(index) = deps.keys().position(|k| k == old)
            && let Some(statuses) = deps.shift_remove(old)
        {
            deps.shift_insert(index, new.to_owned(), statuses);
        }
        for inner in inner_scopes_mut(value) {
            rename_in_scope(inner, old, new);
        }
    }
}

/// The inner scopes of a control action, to edit.
fn inner_scopes_mut(action: &mut Value) -> Vec<&mut Map<String, Value>> {
    let mut scopes = Vec::new();
    let Some(map) = action.as_object_mut() else {
        return scopes;
    };
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("actions", Value::Object(inner)) => scopes.push(inner),
            ("else" | "default", Value::Object(holder)) => {
                if let Some(Value::Object(inner)) = holder.get_mut("actions") {
                    scopes.push(inner);
                }
            }
            ("cases", Value::Object(cases)) => {
                for case in cases.values_mut() {
                    if let Some(Value::Object(inner)) = case.get_mut("actions") {
                        scopes.push(inner);
                    }
                }
            }
            _ => {}
        }
    }
    scopes
}

fn replace_in_strings(value: &mut Value, pattern: &Regex, replacement: &str) {
    match value {
        Value::String(text) if text.contains('@') => {
            let replaced = pattern.replace_all(text, replacement);
            if replaced != *text {
                *text = replaced.into_owned();
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| replace_in_strings(v, pattern, replacement)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| replace_in_strings(v, pattern, replacement)),
        _ => {}
    }
}

/// Moves the step `name` one place earlier (`up`) or later in a chain of steps that each
/// run after the one before: it swaps places with its neighbour.
pub fn move_step(
    definition: &mut Map<String, Value>,
    scope: &ScopePath,
    name: &str,
    up: bool,
) -> Result<(), EditError> {
    let actions = scope_mut(definition, scope)?;
    let (first, second) = if up {
        let deps = actions.get(name).map(run_after).unwrap_or_default();
        match deps.as_slice() {
            [(before, _)] => (before.clone(), name.to_owned()),
            [] => return Err(refuse(format!("'{name}' is already first"))),
            _ => {
                return Err(refuse(format!(
                    "'{name}' runs after several steps: set its run-after instead"
                )));
            }
        }
    } else {
        let next: Vec<String> = actions
            .iter()
            .filter(|(_, v)| run_after(v).iter().any(|(dep, _)| dep == name))
            .map(|(n, _)| n.clone())
            .collect();
        match next.as_slice() {
            [after] => (name.to_owned(), after.clone()),
            [] => return Err(refuse(format!("'{name}' is already last"))),
            _ => {
                return Err(refuse(format!(
                    "several steps run after '{name}': set their run-after instead"
                )));
            }
        }
    };
    // `second` runs after `first` only: swap them in the chain.
    let second_deps = run_after(actions.get(&second).unwrap_or(&Value::Null));
    if second_deps.len() != 1 {
        return Err(refuse(format!(
            "'{second}' runs after several steps: set its run-after instead"
        )));
    }
    let first_after = actions
        .get(&first)
        .and_then(|v| v.get("runAfter"))
        .cloned()
        .unwrap_or_else(|| json!({}));
    let followers: Vec<String> = actions
        .iter()
        .filter(|(n, v)| *n != &first && run_after(v).iter().any(|(dep, _)| dep == &second))
        .map(|(n, _)| n.clone())
        .collect();
    if let Some(Value::Object(map)) = actions.get_mut(&second) {
        map.insert("runAfter".to_owned(), first_after);
    }
    if let Some(Value::Object(map)) = actions.get_mut(&first) {
        map.insert(
            "runAfter".to_owned(),
            json!({ second.clone(): ["Succeeded"] }),
        );
    }
    for follower in followers {
        if let Some(Value::Object(map)) = actions.get_mut(&follower) {
            let deps = object_entry(map, "runAfter")?;
            if let Some(statuses) = deps.shift_remove(&second) {
                deps.insert(first.clone(), statuses);
            }
        }
    }
    // Keep the file's order readable: swap the keys too.
    let mut entries: Vec<(String, Value)> = std::mem::take(actions).into_iter().collect();
    if let (Some(a), Some(b)) = (
        entries.iter().position(|(k, _)| *k == first),
        entries.iter().position(|(k, _)| *k == second),
    ) {
        entries.swap(a, b);
    }
    actions.extend(entries);
    Ok(())
}

/// The kinds of step the designer offers: (group, label, default name).
pub const STEP_KINDS: &[(&str, &str, &str)] = &[
    ("Finance & Operations", "List items", "List_items"),
    ("Finance & Operations", "Get a record", "Get_a_record"),
    ("Finance & Operations", "Create a record", "Create_a_record"),
    ("Finance & Operations", "Update a record", "Update_a_record"),
    ("Finance & Operations", "Delete a record", "Delete_a_record"),
    ("Finance & Operations", "Execute action", "Execute_action"),
    (
        "Finance & Operations",
        "Get list of entities",
        "Get_list_of_entities",
    ),
    ("Control", "Condition", "Condition"),
    ("Control", "Switch", "Switch"),
    ("Control", "Apply to each", "Apply_to_each"),
    ("Control", "Do until", "Do_until"),
    ("Control", "Scope", "Scope"),
    ("Control", "Terminate", "Terminate"),
    ("Variables", "Initialize variable", "Initialize_variable"),
    ("Variables", "Set variable", "Set_variable"),
    ("Variables", "Increment variable", "Increment_variable"),
    (
        "Variables",
        "Append to array variable",
        "Append_to_array_variable",
    ),
    ("Data", "Compose", "Compose"),
    ("Data", "Parse JSON", "Parse_JSON"),
    ("Data", "Filter array", "Filter_array"),
    ("Data", "Select", "Select"),
    ("Data", "Join", "Join"),
    ("Data", "Wait", "Delay"),
    ("Data", "HTTP", "HTTP"),
    ("Data", "Response", "Response"),
    ("Test", "Assert", "Assert"),
];

/// A new step of the kind labelled `label` (see [`STEP_KINDS`]), shaped as Power Automate
/// writes it; `dataset` is the instance host for connector steps.
pub fn new_step(label: &str, dataset: &str) -> Option<Value> {
    let connector = |operation: &str, parameters: Value| {
        let mut params = json!({ "dataset": dataset });
        if let (Some(map), Value::Object(extra)) = (params.as_object_mut(), parameters) {
            map.extend(extra);
        }
        json!({
            "type": "OpenApiConnection",
            "inputs": {
                "host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_dynamicsax",
                         "connectionName": "shared_dynamicsax", "operationId": operation},
                "parameters": params
            }
        })
    };
    Some(match label {
        "List items" => connector("GetItems", json!({"table": ""})),
        "Get a record" => connector("GetItem", json!({"table": "", "id": ""})),
        "Create a record" => connector("PostItem", json!({"table": ""})),
        "Update a record" => connector("PatchItem", json!({"table": "", "id": ""})),
        "Delete a record" => connector("DeleteItem", json!({"table": "", "id": ""})),
        "Execute action" => connector("ExecuteProcedure", json!({"procedure": ""})),
        "Get list of entities" => connector("GetTables", json!({})),
        "Condition" => {
            json!({"type": "If", "expression": {"and": [{"equals": ["", ""]}]}, "actions": {}, "else": {"actions": {}}})
        }
        "Switch" => {
            json!({"type": "Switch", "expression": "", "cases": {"Case": {"case": "", "actions": {}}}, "default": {"actions": {}}})
        }
        "Apply to each" => json!({"type": "Foreach", "foreach": "", "actions": {}}),
        "Do until" => {
            json!({"type": "Until", "expression": "@equals(1, 1)", "limit": {"count": 60, "timeout": "PT1H"}, "actions": {}})
        }
        "Scope" => json!({"type": "Scope", "actions": {}}),
        "Terminate" => {
            json!({"type": "Terminate", "inputs": {"runStatus": "Failed", "runError": {"code": "", "message": ""}}})
        }
        "Initialize variable" => {
            json!({"type": "InitializeVariable", "inputs": {"variables": [{"name": "", "type": "string", "value": ""}]}})
        }
        "Set variable" => json!({"type": "SetVariable", "inputs": {"name": "", "value": ""}}),
        "Increment variable" => {
            json!({"type": "IncrementVariable", "inputs": {"name": "", "value": 1}})
        }
        "Append to array variable" => {
            json!({"type": "AppendToArrayVariable", "inputs": {"name": "", "value": ""}})
        }
        "Compose" => json!({"type": "Compose", "inputs": ""}),
        "Parse JSON" => json!({"type": "ParseJson", "inputs": {"content": "", "schema": {}}}),
        "Filter array" => json!({"type": "Query", "inputs": {"from": "", "where": ""}}),
        "Select" => json!({"type": "Select", "inputs": {"from": "", "select": ""}}),
        "Join" => json!({"type": "Join", "inputs": {"from": "", "joinWith": ","}}),
        "Wait" => json!({"type": "Wait", "inputs": {"interval": {"count": 1, "unit": "Second"}}}),
        "HTTP" => json!({"type": "Http", "inputs": {"method": "GET", "uri": ""}}),
        "Response" => {
            json!({"type": "Response", "kind": "Http", "inputs": {"statusCode": 200, "body": ""}})
        }
        "Assert" => json!({"type": "Assert", "inputs": {"actual": "", "equals": ""}}),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
