//! Logic Apps packages: a Standard project folder (`host.json`, `connections.json` with the
//! `dynamicsax` managed connection, `parameters.json`, `<workflow>/workflow.json`) and a
//! consumption ARM template (the `Microsoft.Logic/workflows` resource and its
//! `Microsoft.Web/connections` connection) — written, and read back.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::arm_expr::ArmContext;
use super::connector_style::MANAGED_API;
use super::convert::Conversion;
use super::layout::{Layout, Package, file_name_of, json_bytes};
use super::{Note, PackageError};
use crate::flow::file::FlowFile;

fn note(at: impl Into<String>, message: impl Into<String>) -> Note {
    Note {
        at: at.into(),
        message: message.into(),
    }
}

/// The Standard project folder for `flow` named `name`.
pub fn standard_project(
    flow: &FlowFile,
    name: &str,
    conversion: &Conversion,
) -> Result<Package, PackageError> {
    let kind = flow
        .document()
        .get("kind")
        .and_then(Value::as_str)
        .filter(|_| flow.shape() == crate::flow::file::FileShape::LogicAppsStandard)
        .unwrap_or("Stateful")
        .to_owned();
    let workflow = json!({"definition": conversion.definition, "kind": kind});
    let host = json!({
        "version": "2.0",
        "extensionBundle": {
            "id": "Microsoft.Azure.Functions.ExtensionBundle.Workflows",
            "version": "[1.*, 2.0.0)"
        }
    });
    let connections = json!({
        "managedApiConnections": {
            MANAGED_API: {
                "api": {"id": "/subscriptions/@{appsetting('WORKFLOWS_SUBSCRIPTION_ID')}/providers/Microsoft.Web/locations/@{appsetting('WORKFLOWS_LOCATION_NAME')}/managedApis/dynamicsax"},
                "connection": {"id": "/subscriptions/@{appsetting('WORKFLOWS_SUBSCRIPTION_ID')}/resourceGroups/@{appsetting('WORKFLOWS_RESOURCE_GROUP_NAME')}/providers/Microsoft.Web/connections/dynamicsax"},
                "connectionRuntimeUrl": "@appsetting('dynamicsax-connectionRuntimeUrl')",
                "authentication": {"type": "ManagedServiceIdentity"}
            }
        }
    });
    Ok(Package {
        layout: Layout::Folder,
        files: vec![
            ("host.json".to_owned(), json_bytes(&host)),
            ("connections.json".to_owned(), json_bytes(&connections)),
            (
                "parameters.json".to_owned(),
                json_bytes(&Value::Object(conversion.project_parameters.clone())),
            ),
            (
                format!("{}/workflow.json", file_name_of(name)),
                json_bytes(&workflow),
            ),
        ],
    })
}

const CONNECTION_ID: &str =
    "[resourceId('Microsoft.Web/connections', parameters('dynamicsaxConnectionName'))]";
const MANAGED_API_ID: &str = "[subscriptionResourceId('Microsoft.Web/locations/managedApis', parameters('location'), 'dynamicsax')]";

/// The consumption ARM template deploying the workflow and its `dynamicsax` connection.
pub fn arm_template(name: &str, conversion: &Conversion) -> Result<Package, PackageError> {
    let mut template_parameters = Map::new();
    template_parameters.insert(
        "workflowName".to_owned(),
        json!({"type": "string", "defaultValue": name}),
    );
    template_parameters.insert(
        "location".to_owned(),
        json!({"type": "string", "defaultValue": "[resourceGroup().location]"}),
    );
    template_parameters.insert(
        "dynamicsaxConnectionName".to_owned(),
        json!({"type": "string", "defaultValue": "dynamicsax"}),
    );
    let mut workflow_parameters = Map::new();
    workflow_parameters.insert(
        "$connections".to_owned(),
        json!({"value": {MANAGED_API: {
            "connectionId": CONNECTION_ID,
            "connectionName": "[parameters('dynamicsaxConnectionName')]",
            "id": MANAGED_API_ID
        }}}),
    );
    if let Some(Value::Object(parameters)) = conversion.definition.get("parameters") {
        for (parameter, declared) in parameters {
            let kind = declared.get("type").and_then(Value::as_str).unwrap_or("");
            let arm_kind = match kind.to_ascii_lowercase().as_str() {
                "securestring" => "securestring",
                "secureobject" => "secureObject",
                _ => continue,
            };
            if parameter.starts_with('$') {
                continue;
            }
            template_parameters.insert(parameter.clone(), json!({"type": arm_kind}));
            workflow_parameters.insert(
                parameter.clone(),
                json!({"value": format!("[parameters('{parameter}')]")}),
            );
        }
    }
    let definition = escape_for_arm(&Value::Object(conversion.definition.clone()));
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": template_parameters,
        "resources": [
            {
                "type": "Microsoft.Web/connections",
                "apiVersion": "2016-06-01",
                "name": "[parameters('dynamicsaxConnectionName')]",
                "location": "[parameters('location')]",
                "properties": {
                    "displayName": "Fin & Ops Apps (Dynamics 365)",
                    "api": {"id": MANAGED_API_ID}
                }
            },
            {
                "type": "Microsoft.Logic/workflows",
                "apiVersion": "2019-05-01",
                "name": "[parameters('workflowName')]",
                "location": "[parameters('location')]",
                "dependsOn": [CONNECTION_ID],
                "properties": {
                    "state": "Enabled",
                    "definition": definition,
                    "parameters": workflow_parameters
                }
            }
        ]
    });
    Ok(Package {
        layout: Layout::File,
        files: vec![(
            format!("{}.arm.json", file_name_of(name)),
            json_bytes(&template),
        )],
    })
}

/// ARM reads a string starting with `[` as a template expression: a definition's own
/// such strings are written `[[`.
fn escape_for_arm(value: &Value) -> Value {
    map_strings(value, &|text| {
        if text.starts_with('[') {
            format!("[{text}")
        } else {
            text.to_owned()
        }
    })
}

fn map_strings(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(text) => Value::String(f(text)),
        Value::Array(items) => Value::Array(items.iter().map(|i| map_strings(i, f)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), map_strings(v, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether `document` is an ARM template holding a Logic Apps workflow.
pub fn is_arm_template(document: &Value) -> bool {
    let mut found = Vec::new();
    workflow_resources(document, &ArmContext::default(), 0, &mut found);
    !found.is_empty()
}

fn is_workflow_resource(resource: &Value) -> bool {
    resource
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Logic/workflows"))
}

/// A flow read from a Logic Apps package.
pub struct FromLogicApps {
    /// The flow.
    pub flow: FlowFile,
    /// Its name.
    pub name: String,
    /// What the reader noticed or left out.
    pub notes: Vec<Note>,
}

/// Reads the workflow of an ARM template; `choice` picks one by name when it holds several.
pub fn read_arm(
    document: &Value,
    path: &str,
    choice: Option<&str>,
) -> Result<FromLogicApps, PackageError> {
    let read_error = |message: String| PackageError::Read {
        path: path.to_owned(),
        message,
    };
    let mut found = Vec::new();
    workflow_resources(document, &ArmContext::of_template(document), 0, &mut found);
    // A name given twice (a placeholder, then the full workflow in a nested deployment):
    // the one with more actions.
    let mut named: Vec<(String, &Value, ArmContext)> = Vec::new();
    for (resource, context) in found {
        let raw = resource
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("workflow");
        let name = match context.evaluate(raw) {
            Some(Value::String(name)) => name,
            _ => raw.to_owned(),
        };
        match named
            .iter_mut()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(&name))
        {
            Some(slot) if action_count(resource) > action_count(slot.1) => {
                *slot = (name, resource, context)
            }
            Some(_) => {}
            None => named.push((name, resource, context)),
        }
    }
    let (name, resource, context) = match choice {
        Some(wanted) => named
            .into_iter()
            .find(|(name, _, _)| name.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| read_error(format!("holds no workflow named '{wanted}'")))?,
        None if named.len() == 1 => named
            .into_iter()
            .next()
            .ok_or_else(|| read_error("holds no workflow".to_owned()))?,
        None => {
            return Err(PackageError::Ambiguous {
                path: path.to_owned(),
                names: named.into_iter().map(|(n, _, _)| n).collect(),
            });
        }
    };
    let definition = resource.pointer("/properties/definition").ok_or_else(|| {
        read_error(format!(
            "resources: the workflow '{name}' has no properties.definition"
        ))
    })?;
    // Parameters' defaults, variables and `concat` of them are plain values.
    let definition = &context.resolve(definition);
    let mut notes = Vec::new();
    let mut arm_expressions = Vec::new();
    find_arm_expressions("definition", definition, &mut arm_expressions);
    let definition = unescape_arm(definition);
    notes.extend(arm_expressions.into_iter().map(|at| {
        note(at, "an ARM template expression ([…]), evaluated only when the template is deployed: kept as written; replace it with a value or a parameter")
    }));
    if resource
        .pointer("/properties/parameters/$connections")
        .is_some()
    {
        notes.push(note(
            "properties.parameters.$connections",
            "the Azure connection is not imported: Flowbench runs connector steps against the instance you choose",
        ));
    }
    let flow = FlowFile::from_document(definition)
        .map_err(|e| read_error(format!("the workflow '{name}': {e}")))?;
    Ok(FromLogicApps { flow, name, notes })
}

/// How deep nested deployments are searched for workflows.
const MAX_NESTING: usize = 8;

/// The workflow resources of a template and of the templates its deployments nest, each
/// with what its own template's expressions read.
fn workflow_resources<'a>(
    template: &'a Value,
    context: &ArmContext,
    depth: usize,
    out: &mut Vec<(&'a Value, ArmContext)>,
) {
    let Some(resources) = template.get("resources").and_then(Value::as_array) else {
        return;
    };
    for resource in resources {
        if is_workflow_resource(resource) {
            out.push((resource, context.clone()));
        }
        if depth < MAX_NESTING
            && let Some(nested) = resource.pointer("/properties/template")
        {
            let nested_context = context.nested(resource, nested);
            workflow_resources(nested, &nested_context, depth + 1, out);
        }
    }
}

fn action_count(resource: &Value) -> usize {
    resource
        .pointer("/properties/definition/actions")
        .and_then(Value::as_object)
        .map_or(0, Map::len)
}

fn unescape_arm(value: &Value) -> Value {
    map_strings(value, &|text| {
        text.strip_prefix("[[")
            .map_or_else(|| text.to_owned(), |rest| format!("[{rest}"))
    })
}

fn find_arm_expressions(at: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        // `[[…` is an escaped `[`; any other string starting with `[` is an ARM expression.
        Value::String(text) if text.starts_with('[') && !text.starts_with("[[") => {
            out.push(at.to_owned());
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_arm_expressions(&format!("{at}[{i}]"), item, out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                find_arm_expressions(&format!("{at}.{key}"), item, out);
            }
        }
        _ => {}
    }
}

/// Reads a workflow of a Standard project folder: `choice` names the workflow folder when
/// the project holds several. `parameters.json` values become the definition's
/// parameters' defaults.
pub fn read_standard(dir: &Path, choice: Option<&str>) -> Result<FromLogicApps, PackageError> {
    let read_error = |path: &Path, message: String| PackageError::Read {
        path: path.display().to_string(),
        message,
    };
    let mut workflows: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| read_error(dir, e.to_string()))?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("workflow.json").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    workflows.sort();
    let name = match choice {
        Some(wanted) => workflows
            .iter()
            .find(|w| w.eq_ignore_ascii_case(wanted))
            .cloned()
            .ok_or_else(|| {
                read_error(
                    dir,
                    format!(
                        "holds no workflow folder '{wanted}' (found: {})",
                        workflows.join(", ")
                    ),
                )
            })?,
        None if workflows.len() == 1 => workflows[0].clone(),
        None if workflows.is_empty() => {
            return Err(read_error(
                dir,
                "expected a Logic Apps Standard project: a folder holding <workflow>/workflow.json, found none".to_owned(),
            ));
        }
        None => {
            return Err(PackageError::Ambiguous {
                path: dir.display().to_string(),
                names: workflows,
            });
        }
    };
    let workflow_path = dir.join(&name).join("workflow.json");
    let mut flow =
        FlowFile::load(&workflow_path).map_err(|e| read_error(&workflow_path, e.to_string()))?;
    let mut notes = Vec::new();
    let parameters_path = dir.join("parameters.json");
    if parameters_path.is_file() {
        let text = std::fs::read_to_string(&parameters_path)
            .map_err(|e| read_error(&parameters_path, e.to_string()))?;
        let parameters: Value = crate::flow::jsonc::parse(&text).map_err(|e| {
            read_error(
                &parameters_path,
                format!("line {}, column {}: {e}", e.line(), e.column()),
            )
        })?;
        merge_project_parameters(&mut flow, &parameters, &mut notes);
    }
    let connections_path = dir.join("connections.json");
    if connections_path.is_file() {
        let text = std::fs::read_to_string(&connections_path)
            .map_err(|e| read_error(&connections_path, e.to_string()))?;
        let connections: Value = crate::flow::jsonc::parse(&text).map_err(|e| {
            read_error(
                &connections_path,
                format!("line {}, column {}: {e}", e.line(), e.column()),
            )
        })?;
        if let Some(managed) = connections
            .get("managedApiConnections")
            .and_then(Value::as_object)
        {
            for (key, connection) in managed {
                let api = connection
                    .pointer("/api/id")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if api
                    .to_ascii_lowercase()
                    .ends_with("/managedapis/dynamicsax")
                    && key != MANAGED_API
                {
                    notes.push(note(
                        format!("connections.json: managedApiConnections.{key}"),
                        "the Finance & Operations connection under another name: Flowbench knows its steps by their path",
                    ));
                }
            }
            notes.push(note(
                "connections.json",
                "the Azure connections are not imported: Flowbench runs connector steps against the instance you choose",
            ));
        }
    }
    Ok(FromLogicApps { flow, name, notes })
}

fn merge_project_parameters(flow: &mut FlowFile, parameters: &Value, notes: &mut Vec<Note>) {
    let Some(parameters) = parameters.as_object() else {
        return;
    };
    let definition = flow.definition_mut();
    let declared = definition.entry("parameters").or_insert_with(|| json!({}));
    let Some(declared) = declared.as_object_mut() else {
        return;
    };
    for (name, parameter) in parameters {
        let kind = parameter
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("String");
        let value = parameter.get("value").cloned().unwrap_or(Value::Null);
        let secure = kind.to_ascii_lowercase().starts_with("secure");
        let from_settings = value.as_str().is_some_and(|v| v.contains("appsetting("));
        let mut entry = Map::new();
        entry.insert("type".to_owned(), Value::String(kind.to_owned()));
        if secure || from_settings {
            notes.push(note(
                format!("parameters.json: {name}"),
                if secure {
                    "a secure parameter: its value is not imported; give it with --param or FLOWBENCH_PARAM_<NAME> when running"
                } else {
                    "its value comes from an app setting: give it with --param when running"
                },
            ));
        } else {
            entry.insert("defaultValue".to_owned(), value);
        }
        declared.insert(name.clone(), Value::Object(entry));
    }
}
