//! Two definitions compared apart from what a package format changes: connector steps by
//! what they do (not their style), the connection parameters, secure values (never
//! exported) and Flowbench's own settings.

use serde_json::{Map, Value, json};

use super::connector_style;
use super::expression::canonical;
use crate::flow::file::FLOWBENCH_METADATA_KEY;

/// Where `a` and `b` differ, apart from what a format changes (empty when they say the
/// same thing): `actions.Get.inputs.queries.$filter: "a" ≠ "b"`.
pub fn differences(a: &Map<String, Value>, b: &Map<String, Value>) -> Vec<String> {
    let a = normalized(a);
    let b = normalized(b);
    let mut out = Vec::new();
    diff("", &a, &b, &mut out);
    out
}

fn normalized(definition: &Map<String, Value>) -> Value {
    let mut definition = definition.clone();
    if let Some(Value::Object(metadata)) = definition.get_mut("metadata") {
        metadata.remove(FLOWBENCH_METADATA_KEY);
        if metadata.is_empty() {
            definition.remove("metadata");
        }
    }
    if let Some(Value::Object(parameters)) = definition.get_mut("parameters") {
        parameters.retain(|name, _| !name.starts_with('$'));
        for parameter in parameters.values_mut() {
            let secure = parameter
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.to_ascii_lowercase().starts_with("secure"));
            if let (true, Some(object)) = (secure, parameter.as_object_mut()) {
                object.remove("defaultValue");
            }
        }
    }
    if definition
        .get("parameters")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        definition.remove("parameters");
    }
    let mut value = Value::Object(definition);
    normalize_steps(&mut value);
    value
}

/// Connector steps and triggers anywhere in the definition replaced by what they do.
fn normalize_steps(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let is_step = map.contains_key("type") && map.contains_key("inputs");
            if is_step && connector_style::style_of(&Value::Object(map.clone())).is_some() {
                let element = Value::Object(map.clone());
                if connector_style::is_dynamicsax(&element)
                    && let Ok(call) = connector_style::read(&element)
                {
                    map.remove("type");
                    map.insert(
                        "inputs".to_owned(),
                        json!({
                            "operation": call.operation,
                            "path": call.path.iter().map(|(n, v)| json!([n, canonical(v)])).collect::<Vec<_>>(),
                            "queries": canonical(&Value::Object(call.queries)),
                            "body": call.body.as_ref().map(canonical),
                            "other": Value::Object(call.other),
                        }),
                    );
                }
            }
            for item in map.values_mut() {
                normalize_steps(item);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_steps),
        _ => {}
    }
}

fn diff(at: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                let here = join(at, key);
                match y.get(key) {
                    Some(other) => diff(&here, value, other, out),
                    None => out.push(format!("{here}: only in the first")),
                }
            }
            for key in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{}: only in the second", join(at, key)));
            }
        }
        _ if a == b => {}
        _ => out.push(format!(
            "{}: {} ≠ {}",
            if at.is_empty() { "$" } else { at },
            a,
            b
        )),
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}
