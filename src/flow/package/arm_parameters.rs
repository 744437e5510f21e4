//! What an ARM template is deployed with: its parameter file beside it
//! (`azuredeploy.json` → `azuredeploy.parameters.json`, as Microsoft's quickstarts and
//! `az deployment group create --parameters @FILE` pair them), read so that the workflow's
//! name and the expressions that read parameters get the values it would be deployed with;
//! and a readable name when the workflow's own is still an expression.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Note, PackageError};

/// `template`'s parameter file: `NAME.parameters.json` beside `NAME.json`.
pub fn parameter_file_of(template: &Path) -> Option<PathBuf> {
    let stem = template.file_stem()?.to_str()?;
    let file = template.with_file_name(format!("{stem}.parameters.json"));
    file.is_file().then_some(file)
}

/// Gives each parameter of `document` that the file at `parameters` sets its value there
/// as its default (names compared without case, as ARM does). Values that point at a key
/// vault (`reference`) are not read, and say so.
pub fn apply_parameter_file(
    document: &mut Value,
    parameters: &Path,
) -> Result<Vec<Note>, PackageError> {
    let read_error = |message: String| PackageError::Read {
        path: parameters.display().to_string(),
        message,
    };
    let text =
        std::fs::read_to_string(parameters).map_err(|e| read_error(format!("cannot read: {e}")))?;
    let file = crate::flow::jsonc::parse(&text).map_err(|e| {
        read_error(format!(
            "line {}, column {}: not valid JSON: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let given = file
        .get("parameters")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            read_error("expected an object \"parameters\" (an ARM parameter file)".to_owned())
        })?;
    let Some(declared) = document
        .get_mut("parameters")
        .and_then(Value::as_object_mut)
    else {
        return Ok(Vec::new());
    };
    let shown = parameters.file_name().map_or_else(
        || parameters.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut notes = Vec::new();
    let mut used = Vec::new();
    for (name, entry) in given {
        let Some((_, slot)) = declared
            .iter_mut()
            .find(|(declared, _)| declared.eq_ignore_ascii_case(name))
        else {
            continue;
        };
        match (entry.get("value"), slot.as_object_mut()) {
            (Some(value), Some(slot)) => {
                slot.insert("defaultValue".to_owned(), value.clone());
                used.push(name.as_str());
            }
            (None, _) if entry.get("reference").is_some() => notes.push(Note {
                at: format!("parameters.{name}"),
                message: format!(
                    "{shown} takes this value from a key vault, which is read only when the template is deployed"
                ),
            }),
            _ => {}
        }
    }
    if !used.is_empty() {
        notes.push(Note {
            at: "parameters".to_owned(),
            message: format!("values of {} read from {shown}", used.join(", ")),
        });
    }
    Ok(notes)
}

/// The flow's name when the workflow's own is an expression left unevaluated: the
/// template's file name, or its folder's when the file has a generic name
/// (`azuredeploy.json`, `template.json`, `main.json`).
pub fn readable_name(name: &str, template: &Path) -> String {
    if !name.starts_with('[') {
        return name.to_owned();
    }
    let stem = template
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let generic = [
        "azuredeploy",
        "template",
        "main",
        "deploy",
        "workflow",
        "logicapp",
    ];
    let folder = template
        .parent()
        .and_then(Path::file_name)
        .map(|f| f.to_string_lossy().into_owned());
    match folder {
        Some(folder) if generic.iter().any(|g| stem.eq_ignore_ascii_case(g)) => folder,
        _ if stem.is_empty() => "workflow".to_owned(),
        _ => stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_parameter_file_beside_the_template_gives_its_values_as_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        let template = dir.path().join("azuredeploy.json");
        std::fs::write(&template, "{}").expect("written");
        assert!(parameter_file_of(&template).is_none());
        let file = dir.path().join("azuredeploy.parameters.json");
        std::fs::write(
            &file,
            r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
               "parameters": {"LOGICAPPNAME": {"value": "orders-sync"}, // comments are read too
                  "apiKey": {"reference": {"keyVault": {"id": "/x"}, "secretName": "k"}},
                  "unknown": {"value": 1}}}"#,
        )
        .expect("written");
        assert_eq!(parameter_file_of(&template), Some(file.clone()));
        let mut document = json!({"parameters": {
            "logicAppName": {"type": "string"},
            "apiKey": {"type": "securestring"},
            "location": {"type": "string", "defaultValue": "westeurope"}}});
        let notes = apply_parameter_file(&mut document, &file).expect("read");
        assert_eq!(
            document["parameters"]["logicAppName"]["defaultValue"],
            json!("orders-sync")
        );
        assert!(
            document["parameters"]["apiKey"]
                .get("defaultValue")
                .is_none()
        );
        assert_eq!(
            document["parameters"]["location"]["defaultValue"],
            json!("westeurope")
        );
        let notes: Vec<String> = notes.iter().map(ToString::to_string).collect();
        assert_eq!(
            notes,
            [
                "parameters.apiKey: azuredeploy.parameters.json takes this value from a key vault, which is read only when the template is deployed",
                "parameters: values of LOGICAPPNAME read from azuredeploy.parameters.json",
            ]
        );
    }

    #[test]
    fn an_unevaluated_name_becomes_the_file_s_or_its_folder_s() {
        let quickstart = Path::new("/q/logic-app-sendgrid/azuredeploy.json");
        assert_eq!(
            readable_name("[parameters('logicAppName')]", quickstart),
            "logic-app-sendgrid"
        );
        assert_eq!(readable_name("orders", quickstart), "orders");
        assert_eq!(
            readable_name(
                "[concat('la-', uniqueString(resourceGroup().id))]",
                Path::new("/t/orders-sync.json")
            ),
            "orders-sync"
        );
    }
}
