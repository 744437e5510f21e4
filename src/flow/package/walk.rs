//! Visiting the inner scopes of a control step (`actions`, `else.actions`,
//! `cases.X.actions`, `default.actions`) to change them in place.

use serde_json::{Map, Value};

use crate::flow::validate::inner_scopes;

/// Calls `visit` with the path (`actions.Check.else.actions`) and the steps of each inner
/// scope of `action`, found at `at`.
pub fn each_inner_scope(
    at: &str,
    action: &mut Value,
    visit: &mut dyn FnMut(&str, &mut Map<String, Value>),
) {
    let scopes: Vec<Vec<String>> = inner_scopes(action).into_iter().map(|(k, _)| k).collect();
    for keys in scopes {
        let mut pointer = String::new();
        for key in &keys {
            pointer.push('/');
            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
        }
        pointer.push_str("/actions");
        if let Some(Value::Object(inner)) = action.pointer_mut(&pointer) {
            let inner_at = if keys.is_empty() {
                format!("{at}.actions")
            } else {
                format!("{at}.{}.actions", keys.join("."))
            };
            visit(&inner_at, inner);
        }
    }
}

/// Every step (nested ones included, depth first) and then every trigger of `definition`,
/// with its name.
pub fn steps_and_triggers(definition: &Map<String, Value>) -> Vec<(String, &Value)> {
    let mut elements: Vec<(String, &Value)> = crate::flow::validate::all_actions(definition)
        .into_iter()
        .map(|(_, name, action)| (name, action))
        .collect();
    if let Some(Value::Object(triggers)) = definition.get("triggers") {
        elements.extend(
            triggers
                .iter()
                .map(|(name, trigger)| (name.clone(), trigger)),
        );
    }
    elements
}
