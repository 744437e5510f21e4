//! A definition converted for a product: connector steps in its style, `Assert` steps as
//! conditions, triggers it knows, its connection parameters, secure parameters emptied,
//! Flowbench's own settings left out — each change noted.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::connector_style::{self, Style};
use super::machine;
use super::{ExportOptions, Note, PackageError, Target, assert_rewrite};
use crate::flow::file::FLOWBENCH_METADATA_KEY;

/// A definition ready for a product's package.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// The definition as the product takes it.
    pub definition: Map<String, Value>,
    /// Logic Apps Standard keeps parameters beside the workflow (`parameters.json`):
    /// name → `{type, value}`. Empty for the other targets.
    pub project_parameters: Map<String, Value>,
    /// What changed, what was left out, what to do in the cloud.
    pub notes: Vec<Note>,
}

fn note(at: impl Into<String>, message: impl Into<String>) -> Note {
    Note {
        at: at.into(),
        message: message.into(),
    }
}

fn style_for(target: Target) -> Style {
    match target {
        Target::PowerAutomate => Style::PowerAutomate,
        Target::LogicAppsStandard => Style::LogicAppsStandard,
        Target::LogicAppsConsumption => Style::LogicAppsConsumption,
    }
}

/// Converts `definition` for `target`.
pub fn convert(
    definition: &Map<String, Value>,
    target: Target,
    options: &ExportOptions,
) -> Result<Conversion, PackageError> {
    let mut definition = definition.clone();
    let mut notes = Vec::new();
    leave_out_flowbench_settings(&mut definition, &mut notes);
    let taken = step_names(&definition);
    let style = style_for(target);
    if let Some(Value::Object(triggers)) = definition.get_mut("triggers") {
        for (name, trigger) in triggers.iter_mut() {
            convert_trigger(
                &format!("triggers.{name}"),
                trigger,
                target,
                options,
                &mut notes,
            );
        }
    }
    if let Some(Value::Object(actions)) = definition.get_mut("actions") {
        convert_actions("actions", actions, style, options, &taken, &mut notes);
    }
    if target != Target::LogicAppsStandard {
        standard_only_functions("", &Value::Object(definition.clone()), &mut notes);
    }
    let project_parameters = convert_parameters(&mut definition, target, &mut notes);
    let found = machine::scan(&definition);
    if !found.is_empty() {
        return Err(PackageError::Machine { found });
    }
    Ok(Conversion {
        definition,
        project_parameters,
        notes,
    })
}

/// `appsetting()` exists only in Logic Apps Standard: each string using it is named.
fn standard_only_functions(at: &str, value: &Value, notes: &mut Vec<Note>) {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    match value {
        Value::String(text) if text.to_ascii_lowercase().contains("appsetting(") => {
            notes.push(note(
                at,
                "uses appsetting(), which only Logic Apps Standard has: replace it with a parameter before importing there",
            ));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                standard_only_functions(&join(&i.to_string()), item, notes);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                standard_only_functions(&join(key), item, notes);
            }
        }
        _ => {}
    }
}

fn leave_out_flowbench_settings(definition: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    let Some(Value::Object(metadata)) = definition.get_mut("metadata") else {
        return;
    };
    if let Some(settings) = metadata.remove(FLOWBENCH_METADATA_KEY) {
        let mut left_out = Vec::new();
        if let Some(instance) = settings.get("instance").and_then(Value::as_str) {
            left_out.push(format!("the instance it runs against ('{instance}')"));
        }
        if settings
            .get("testInputs")
            .and_then(Value::as_object)
            .is_some_and(|inputs| !inputs.is_empty())
        {
            left_out.push("its saved test inputs".to_owned());
        }
        if !left_out.is_empty() {
            notes.push(note(
                "metadata.flowbench",
                format!(
                    "Flowbench's own settings are not exported: {}",
                    left_out.join(", ")
                ),
            ));
        }
    }
    if metadata.is_empty() {
        definition.remove("metadata");
    }
}

/// Every step and trigger name of the definition.
fn step_names(definition: &Map<String, Value>) -> HashSet<String> {
    super::walk::steps_and_triggers(definition)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

fn convert_trigger(
    at: &str,
    trigger: &mut Value,
    target: Target,
    options: &ExportOptions,
    notes: &mut Vec<Note>,
) {
    let kind = trigger
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if kind == "request" {
        let request_kind = trigger.get("kind").and_then(Value::as_str).unwrap_or("");
        let logic_apps = target != Target::PowerAutomate;
        if logic_apps && !request_kind.eq_ignore_ascii_case("http") && !request_kind.is_empty() {
            let original = request_kind.to_owned();
            if let Some(object) = trigger.as_object_mut() {
                object.insert("kind".to_owned(), json!("Http"));
                let metadata = object.entry("metadata").or_insert_with(|| json!({}));
                if let Some(metadata) = metadata.as_object_mut() {
                    metadata.insert(FLOWBENCH_METADATA_KEY.to_owned(), json!({"kind": original}));
                }
            }
            notes.push(note(
                at,
                format!("Logic Apps has no '{original}' trigger: it becomes \"When an HTTP request is received\" (the same inputs, posted as JSON); it comes back as '{original}' when imported into Flowbench"),
            ));
        }
        return;
    }
    if connector_style::style_of(trigger).is_some() && connector_style::is_dynamicsax(trigger) {
        convert_connector(at, trigger, style_for(target), options, notes);
        let operation = connector_style::read(trigger)
            .map(|c| c.operation)
            .unwrap_or_default();
        match operation.as_str() {
            "GetOnNewItems" | "GetOnUpdatedItems" => notes.push(note(
                at,
                "the cloud's Finance & Operations connector has no \"when a record is created or changed\" trigger (Flowbench polls for it): replace it there with a business event trigger, or a Recurrence with \"List items present in table\" filtered on the watermark field",
            )),
            "OnDataEntitySelected" if target != Target::PowerAutomate => notes.push(note(
                at,
                "\"For a selected record\" is started from Finance & Operations through Power Automate only: Logic Apps cannot start it",
            )),
            _ => {}
        }
    }
}

fn convert_actions(
    prefix: &str,
    actions: &mut Map<String, Value>,
    style: Style,
    options: &ExportOptions,
    taken: &HashSet<String>,
    notes: &mut Vec<Note>,
) {
    for (name, action) in actions.iter_mut() {
        let at = format!("{prefix}.{name}");
        let kind = action
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        if kind == "assert" {
            match assert_rewrite::to_condition(name, action, taken) {
                Ok((condition, left_out)) => {
                    *action = condition;
                    notes.push(note(
                        &at,
                        "Assert becomes a condition whose \"no\" branch terminates the run as Failed with the assertion's message",
                    ));
                    notes.extend(left_out.into_iter().map(|m| note(&at, m)));
                }
                Err(why) => notes.push(note(
                    &at,
                    format!("Assert cannot be written as a condition ({why}): kept as written, which the cloud refuses; change it before importing there"),
                )),
            }
        } else if connector_style::style_of(action).is_some() {
            if connector_style::is_dynamicsax(action) {
                convert_connector(&at, action, style, options, notes);
            } else if connector_style::style_of(action).map(is_power_automate)
                != Some(is_power_automate(style))
            {
                notes.push(note(
                    &at,
                    "a step of another connector: kept as written; recreate it with that product's connector",
                ));
            }
        }
        super::walk::each_inner_scope(&at, action, &mut |inner_at, inner| {
            convert_actions(inner_at, inner, style, options, taken, notes)
        });
    }
}

fn is_power_automate(style: Style) -> bool {
    style == Style::PowerAutomate
}

fn convert_connector(
    at: &str,
    element: &mut Value,
    style: Style,
    options: &ExportOptions,
    notes: &mut Vec<Note>,
) {
    let same_style = connector_style::style_of(element) == Some(style);
    if same_style && options.dataset.is_none() {
        return;
    }
    match connector_style::read(element) {
        Ok(mut call) => {
            if let Some(dataset) = &options.dataset {
                for (name, value) in call.path.iter_mut() {
                    if name == "dataset" {
                        *value = Value::String(super::expression::escape_text(dataset));
                    }
                }
            }
            match connector_style::write(element, &call, style) {
                Ok(written) => *element = written,
                Err(why) => notes.push(note(at, format!("kept as written: {why}"))),
            }
        }
        Err(why) => notes.push(note(
            at,
            format!("kept as written (it cannot be moved to the other style: {why}); rewrite it in the product's designer"),
        )),
    }
}

const SECURE_TYPES: [&str; 2] = ["securestring", "secureobject"];

fn convert_parameters(
    definition: &mut Map<String, Value>,
    target: Target,
    notes: &mut Vec<Note>,
) -> Map<String, Value> {
    let mut parameters = match definition.remove("parameters") {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut project = Map::new();
    for (name, parameter) in parameters.iter_mut() {
        if name.starts_with('$') {
            continue;
        }
        let kind = parameter
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("String")
            .to_owned();
        let secure = SECURE_TYPES.contains(&kind.to_ascii_lowercase().as_str());
        let at = format!("parameters.{name}");
        let has_default = parameter.get("defaultValue").is_some();
        if secure {
            if let Some(object) = parameter.as_object_mut() {
                object.remove("defaultValue");
            }
            notes.push(note(
                &at,
                format!(
                    "secure parameter ({kind}): its value is not exported; fill it in the cloud{}",
                    if target == Target::LogicAppsStandard {
                        " (parameters.json, or an app setting it refers to)"
                    } else {
                        ""
                    }
                ),
            ));
        } else if let Some(default) = parameter.get("defaultValue")
            && !machine::scan_value(&at, default).is_empty()
        {
            if let Some(object) = parameter.as_object_mut() {
                object.remove("defaultValue");
            }
            notes.push(note(
                &at,
                "its default value is a path or address of this machine: left empty; give it a value in the cloud",
            ));
        } else if !has_default && target == Target::LogicAppsStandard {
            notes.push(note(&at, "has no value: give it one in parameters.json"));
        }
        if target == Target::LogicAppsStandard {
            let value = parameter.get("defaultValue").cloned().unwrap_or(
                match kind.to_ascii_lowercase().as_str() {
                    "object" | "secureobject" => json!({}),
                    "array" => json!([]),
                    "int" | "float" => json!(0),
                    "bool" => json!(false),
                    _ => json!(""),
                },
            );
            project.insert(name.clone(), json!({"type": kind, "value": value}));
        }
    }
    match target {
        Target::LogicAppsStandard => {
            // Standard workflows take their parameters from parameters.json and their
            // connections from connections.json: the definition declares none.
        }
        Target::PowerAutomate | Target::LogicAppsConsumption => {
            let mut out = Map::new();
            out.insert(
                "$connections".to_owned(),
                parameters
                    .get("$connections")
                    .cloned()
                    .unwrap_or_else(|| json!({"defaultValue": {}, "type": "Object"})),
            );
            if target == Target::PowerAutomate {
                out.insert(
                    "$authentication".to_owned(),
                    json!({"defaultValue": {}, "type": "SecureObject"}),
                );
            }
            for (name, parameter) in parameters {
                if !name.starts_with('$') {
                    out.insert(name, parameter);
                }
            }
            definition.insert("parameters".to_owned(), Value::Object(out));
        }
    }
    project
}

/// The Finance & Operations hosts the definition's connector steps name as plain text
/// (`contoso.operations.dynamics.com`), sorted, each once.
pub fn datasets(definition: &Map<String, Value>) -> Vec<String> {
    let mut hosts: Vec<String> = super::walk::steps_and_triggers(definition)
        .into_iter()
        .map(|(_, element)| element)
        .filter(|e| connector_style::is_dynamicsax(e))
        .filter_map(|e| connector_style::read(e).ok())
        .filter_map(|call| {
            call.path
                .into_iter()
                .find(|(name, _)| name == "dataset")
                .and_then(|(_, value)| value.as_str().map(str::to_owned))
        })
        .filter(|host| !host.starts_with('@') && !host.is_empty())
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn app_settings_are_named_when_leaving_for_a_product_without_them() {
        let Value::Object(definition) = json!({
            "triggers": {"manual": {"type": "Request", "kind": "Http"}},
            "actions": {"Call": {"type": "Http", "runAfter": {},
                "inputs": {"method": "GET", "uri": "@{appsetting('Service-Url')}/orders"}}}
        }) else {
            unreachable!()
        };
        let noted = |target| {
            convert(&definition, target, &ExportOptions::default())
                .unwrap()
                .notes
                .into_iter()
                .filter(|n| n.message.contains("appsetting()"))
                .map(|n| n.at)
                .collect::<Vec<_>>()
        };
        assert_eq!(noted(Target::PowerAutomate), ["actions.Call.inputs.uri"]);
        assert_eq!(
            noted(Target::LogicAppsConsumption),
            ["actions.Call.inputs.uri"]
        );
        assert!(noted(Target::LogicAppsStandard).is_empty());
    }
}
