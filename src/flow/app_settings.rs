//! What a Logic Apps Standard project keeps beside a `workflow.json`, read as the Standard
//! runtime reads it on a developer's machine: app settings for `appsetting()` (the
//! environment first, then `Values` in the project's `local.settings.json`) and the
//! workflow parameters of `parameters.json`, which Standard never declares in the
//! definition. App settings can be secrets (connection strings, keys), so a run keeps
//! their values out of its record.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::flow::expr::References;
use crate::flow::file::kind_of;

/// The `local.settings.json` of the project a flow file belongs to: in the file's folder
/// or the one above it (`project/workflow/workflow.json`).
pub fn local_settings_file(flow: &Path) -> Option<PathBuf> {
    let folder = flow.parent()?;
    [Some(folder), folder.parent()]
        .into_iter()
        .flatten()
        .map(|dir| dir.join("local.settings.json"))
        .find(|candidate| candidate.is_file())
}

/// A project file's JSON; an error names the file and the position.
fn read_json(file: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: line {}, column {}: {e}",
            file.display(),
            e.line(),
            e.column()
        )
    })
}

/// The `Values` of the project's `local.settings.json`, when there is one; an error (with
/// the file and position) when it cannot be read.
pub fn local_settings(flow: &Path) -> Result<Map<String, Value>, String> {
    let Some(file) = local_settings_file(flow) else {
        return Ok(Map::new());
    };
    let document = read_json(&file)?;
    match document.get("Values") {
        None => Ok(Map::new()),
        Some(Value::Object(values)) => Ok(values.clone()),
        Some(other) => Err(format!(
            "{}: \"Values\": expected an object of settings, found {}",
            file.display(),
            kind_of(other)
        )),
    }
}

/// The parameters of the project's `parameters.json` (next to the workflow's folder) as
/// declarations with their values as defaults (`@appsetting('…')` values included: the
/// run resolves them); a secure parameter is declared without its value, which comes from
/// `--param` or `FLOWBENCH_PARAM_<NAME>`. None when there is no such file.
pub fn project_parameters(flow: &Path) -> Result<Map<String, Value>, String> {
    let Some(file) = flow
        .parent()
        .and_then(Path::parent)
        .map(|project| project.join("parameters.json"))
        .filter(|candidate| candidate.is_file())
    else {
        return Ok(Map::new());
    };
    let document = read_json(&file)?;
    let Value::Object(parameters) = document else {
        return Err(format!(
            "{}: expected an object of parameters, found {}",
            file.display(),
            kind_of(&document)
        ));
    };
    let mut declared = Map::new();
    for (name, parameter) in parameters {
        let kind = parameter
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("String")
            .to_owned();
        let mut entry = Map::new();
        if !kind.to_ascii_lowercase().starts_with("secure")
            && let Some(value) = parameter.get("value")
        {
            entry.insert("defaultValue".to_owned(), value.clone());
        }
        entry.insert("type".to_owned(), Value::String(kind));
        declared.insert(name, Value::Object(entry));
    }
    Ok(declared)
}

/// `definition` with the project's parameters declared where it declares none of that
/// name (see [`project_parameters`]).
pub fn with_project_parameters(
    definition: &Map<String, Value>,
    flow: &Path,
) -> Result<Map<String, Value>, String> {
    let project = project_parameters(flow)?;
    let mut definition = definition.clone();
    if project.is_empty() {
        return Ok(definition);
    }
    let declared = definition
        .entry("parameters")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(declared) = declared {
        for (name, declaration) in project {
            declared.entry(name).or_insert(declaration);
        }
    }
    Ok(definition)
}

/// Declares, as strings without a default, the parameters `definition` names but declares
/// nowhere: a Standard workflow whose project's `parameters.json` is not beside it then asks
/// for them by name (`--param NAME=VALUE`) instead of failing in the middle of a run.
pub fn declare_named_parameters(definition: &mut Map<String, Value>) {
    let names = named_parameters(definition);
    let declared = definition
        .entry("parameters")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(declared) = declared {
        for name in names {
            if crate::flow::expr::lookup_name(declared, &name).is_none() {
                declared.insert(name, serde_json::json!({"type": "String"}));
            }
        }
    }
}

/// The parameters the definition's expressions name (`parameters('name')`).
pub fn named_parameters(definition: &Map<String, Value>) -> BTreeSet<String> {
    named(
        definition
            .iter()
            .filter(|(key, _)| *key != "parameters")
            .map(|(_, v)| v),
        "parameters(",
        |refs| refs.parameters,
    )
}

/// The app settings the definition's expressions name (`appsetting('name')`).
pub fn named_app_settings(definition: &Map<String, Value>) -> BTreeSet<String> {
    named(definition.values(), "appsetting(", |refs| refs.app_settings)
}

/// The names `pick` takes from the references of every string inside `values` that holds
/// `call` (ignoring case), each string read on its own so that one expression that does
/// not parse hides no other.
fn named<'a>(
    values: impl Iterator<Item = &'a Value>,
    call: &str,
    pick: fn(References) -> BTreeSet<String>,
) -> BTreeSet<String> {
    fn walk(
        value: &Value,
        call: &str,
        pick: fn(References) -> BTreeSet<String>,
        names: &mut BTreeSet<String>,
    ) {
        match value {
            Value::String(text) if text.to_ascii_lowercase().contains(call) => {
                if let Ok(refs) = crate::flow::expr::references(value) {
                    names.extend(pick(refs));
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, call, pick, names)),
            Value::Object(map) => map.values().for_each(|v| walk(v, call, pick, names)),
            _ => {}
        }
    }
    let mut names = BTreeSet::new();
    values.for_each(|v| walk(v, call, pick, &mut names));
    names
}

/// Whether a setting's name says it holds a secret (`ApiKey`, `Sql-Password`,
/// `AzureWebJobsStorage`, `ConnectionString`, `SasToken`, …).
pub fn names_a_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "key",
        "secret",
        "password",
        "pwd",
        "token",
        "connection",
        "credential",
        "sas",
        "storage",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// The settings `names` resolve to: the environment, then `given` (a project's
/// `local.settings.json`). Names set in neither are left out.
pub fn resolve<'a>(
    names: impl IntoIterator<Item = &'a String>,
    given: &Map<String, Value>,
) -> Map<String, Value> {
    names
        .into_iter()
        .filter_map(|name| {
            let value = std::env::var(name)
                .ok()
                .map(Value::String)
                .or_else(|| crate::flow::expr::lookup_name(given, name).cloned())?;
            Some((name.clone(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_say_secret_are_known() {
        for name in [
            "ApiKey",
            "Sql-Password",
            "AzureWebJobsStorage",
            "ServiceBus_ConnectionString",
            "SasToken",
            "client_secret",
        ] {
            assert!(names_a_secret(name), "{name}");
        }
        for name in [
            "Region",
            "Service-Url",
            "Retries",
            "FUNCTIONS_WORKER_RUNTIME",
        ] {
            assert!(!names_a_secret(name), "{name}");
        }
    }

    #[test]
    fn a_project_s_parameters_are_declared_beside_the_definition_s_own() {
        let dir = tempfile::tempdir().unwrap();
        let workflow = dir.path().join("Orders").join("workflow.json");
        std::fs::create_dir_all(workflow.parent().unwrap()).unwrap();
        let definition: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "parameters": {"Own": {"type": "Int", "defaultValue": 1}},
            "actions": {}
        }))
        .unwrap();
        assert_eq!(
            with_project_parameters(&definition, &workflow).unwrap(),
            definition
        );
        std::fs::write(
            dir.path().join("parameters.json"),
            r#"{"Url": {"type": "String", "value": "@appsetting('Url')"},
                "Key": {"type": "SecureString", "value": "never-taken"},
                "Own": {"type": "Int", "value": 2}}"#,
        )
        .unwrap();
        let merged = with_project_parameters(&definition, &workflow).unwrap();
        assert_eq!(
            merged["parameters"],
            serde_json::json!({
                "Own": {"type": "Int", "defaultValue": 1},
                "Url": {"defaultValue": "@appsetting('Url')", "type": "String"},
                "Key": {"type": "SecureString"}
            })
        );
        let mut named: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "actions": {"A": {"type": "Compose", "inputs": "@{parameters('Url')}/@{parameters('own')}"}},
            "parameters": {"Own": {"type": "Int", "defaultValue": 1}}
        }))
        .unwrap();
        declare_named_parameters(&mut named);
        assert_eq!(
            named["parameters"],
            serde_json::json!({"Own": {"type": "Int", "defaultValue": 1}, "Url": {"type": "String"}})
        );
        std::fs::write(dir.path().join("parameters.json"), "[1]").unwrap();
        let error = with_project_parameters(&definition, &workflow).unwrap_err();
        assert!(
            error.contains("expected an object of parameters, found an array"),
            "{error}"
        );
    }

    #[test]
    fn a_project_s_local_settings_are_found_above_the_workflow_and_read() {
        let dir = tempfile::tempdir().unwrap();
        let workflow = dir.path().join("Orders").join("workflow.json");
        std::fs::create_dir_all(workflow.parent().unwrap()).unwrap();
        std::fs::write(&workflow, "{}").unwrap();
        assert_eq!(local_settings(&workflow).unwrap(), Map::new());

        std::fs::write(
            dir.path().join("local.settings.json"),
            r#"{"IsEncrypted": false, "Values": {"Service-Url": "http://127.0.0.1:9/orders", "Retries": 3}}"#,
        )
        .unwrap();
        let values = local_settings(&workflow).unwrap();
        assert_eq!(values["Service-Url"], "http://127.0.0.1:9/orders");

        let names = [
            "service-url".to_owned(),
            "Retries".to_owned(),
            "Missing".to_owned(),
        ];
        let resolved = resolve(&names, &values);
        assert_eq!(resolved["service-url"], "http://127.0.0.1:9/orders");
        assert_eq!(resolved["Retries"], 3);
        assert!(!resolved.contains_key("Missing"));

        std::fs::write(
            dir.path().join("local.settings.json"),
            "{\n  \"Values\": [1,\n}",
        )
        .unwrap();
        let error = local_settings(&workflow).unwrap_err();
        assert!(
            error.contains("local.settings.json: line 3, column 1"),
            "{error}"
        );
        std::fs::write(dir.path().join("local.settings.json"), r#"{"Values": "x"}"#).unwrap();
        let error = local_settings(&workflow).unwrap_err();
        assert!(
            error.contains("expected an object of settings, found a string"),
            "{error}"
        );
    }
}
