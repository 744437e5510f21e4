//! A flow file: a workflow definition as Power Automate and Logic Apps write it — a bare
//! definition, Logic Apps Standard's `workflow.json` (`{"definition", "kind"}`) or Power
//! Automate's `{"properties": {"definition", "connectionReferences"}}`, or a Dataverse
//! `workflows` row whose `clientdata` string holds the latter — read and written without
//! losing anything: unknown properties and the order of keys survive a round trip.

use std::path::Path;

use serde_json::{Map, Value};

/// The WDL schema a new definition declares.
pub const DEFINITION_SCHEMA: &str = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#";

/// Where Flowbench keeps its own data inside a definition's `metadata`.
pub const FLOWBENCH_METADATA_KEY: &str = "flowbench";

/// How the definition is wrapped in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileShape {
    /// The definition itself (`$schema`, `triggers`, `actions`, …).
    Definition,
    /// Logic Apps Standard `workflow.json`: `{"definition": …, "kind": …}`.
    LogicAppsStandard,
    /// Power Automate: `{"properties": {"definition": …, "connectionReferences": …}}`.
    PowerAutomate,
    /// A Dataverse `workflows` row (the Web API's JSON of a solution-aware cloud flow):
    /// `clientdata` is the Power Automate document as a JSON string.
    DataverseRow,
}

/// Why a flow file cannot be read, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowFileError {
    /// Not JSON.
    #[error("line {line}, column {column}: not valid JSON: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// JSON, but not a workflow definition.
    #[error("{path}: {message}")]
    Shape {
        /// Where in the document (`actions.Create.runAfter`), `$` for the root.
        path: String,
        /// What was expected and found.
        message: String,
    },
    /// Reading or writing the file failed.
    #[error("{0}")]
    Io(String),
}

/// A flow file: its definition, and the wrapper around it as read (the definition's place
/// in the wrapper holds `null` until the file is written).
#[derive(Debug, Clone, PartialEq)]
pub struct FlowFile {
    wrapper: Value,
    definition: Map<String, Value>,
    shape: FileShape,
}

/// Flowbench's own data about a flow, kept in the definition's `metadata.flowbench`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FlowbenchMetadata {
    /// What the flow does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The saved instance the flow runs against, by name (never a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Saved trigger inputs for test runs, by name.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub test_inputs: Map<String, Value>,
}

impl FlowFile {
    /// Reads a flow from its text.
    pub fn parse(text: &str) -> Result<Self, FlowFileError> {
        let document: Value = super::jsonc::parse(text).map_err(|e| FlowFileError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Self::from_document(document)
    }

    /// Reads the flow file at `path`.
    pub fn load(path: &Path) -> Result<Self, FlowFileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| FlowFileError::Io(format!("cannot read {}: {e}", path.display())))?;
        Self::parse(&text)
    }

    /// Wraps a JSON document after checking it holds a definition.
    pub fn from_document(mut document: Value) -> Result<Self, FlowFileError> {
        let Value::Object(root) = &mut document else {
            return Err(shape_error(
                "$",
                "expected a JSON object (a workflow definition)",
            ));
        };
        // A Dataverse row: its `clientdata` string is read as the document it holds, and
        // written back as a string.
        if let Some(Value::String(text)) = root.get("clientdata") {
            let inner: Value = serde_json::from_str(text).map_err(|e| {
                shape_error(
                    "clientdata",
                    &format!(
                        "line {}, column {} of the string: not valid JSON: {e}",
                        e.line(),
                        e.column()
                    ),
                )
            })?;
            // Only a row's: any other `clientdata` string stays as it is.
            if inner.pointer("/properties/definition").is_some() {
                root.insert("clientdata".to_owned(), inner);
            }
        }
        let dataverse_row = root
            .get("clientdata")
            .and_then(|c| c.get("properties"))
            .is_some_and(|p| p.get("definition").is_some());
        let (shape, slot) = if dataverse_row {
            (
                FileShape::DataverseRow,
                root.get_mut("clientdata")
                    .and_then(|c| c.get_mut("properties"))
                    .and_then(|p| p.get_mut("definition")),
            )
        } else if let Some(Value::Object(properties)) = root.get_mut("properties")
            && properties.contains_key("definition")
        {
            (FileShape::PowerAutomate, properties.get_mut("definition"))
        } else if root.contains_key("definition") {
            (FileShape::LogicAppsStandard, root.get_mut("definition"))
        } else {
            (FileShape::Definition, None)
        };
        let at = shape.definition_path();
        let definition = match (shape, slot) {
            (FileShape::Definition, _) => std::mem::take(root),
            (_, Some(slot)) => match slot.take() {
                Value::Object(definition) => definition,
                other => {
                    return Err(shape_error(
                        at,
                        &format!(
                            "expected the workflow definition (an object), found {}",
                            kind_of(&other)
                        ),
                    ));
                }
            },
            (_, None) => return Err(shape_error(at, "expected the workflow definition")),
        };
        check_definition(&definition, shape)?;
        Ok(Self {
            wrapper: document,
            definition,
            shape,
        })
    }

    /// A new, empty definition with a manual trigger.
    pub fn new_definition() -> Self {
        let document = serde_json::json!({
            "$schema": DEFINITION_SCHEMA,
            "contentVersion": "1.0.0.0",
            "parameters": {},
            "triggers": {
                "manual": {"type": "Request", "kind": "Button", "inputs": {"schema": {"type": "object", "properties": {}, "required": []}}}
            },
            "actions": {},
            "outputs": {}
        });
        Self {
            wrapper: Value::Object(Map::new()),
            definition: match document {
                Value::Object(definition) => definition,
                _ => Map::new(),
            },
            shape: FileShape::Definition,
        }
    }

    /// The flow's name: Power Automate's display name, else the file name without its
    /// extension (a Logic Apps Standard `workflow.json` takes its folder's name).
    pub fn name_for(&self, path: &Path) -> String {
        let display_name = match self.shape {
            FileShape::DataverseRow => "/name",
            _ => "/properties/displayName",
        };
        if let Some(name) = self.wrapper.pointer(display_name).and_then(Value::as_str) {
            return name.to_owned();
        }
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        match (self.shape, stem.as_deref()) {
            (FileShape::LogicAppsStandard, Some("workflow")) => path
                .parent()
                .and_then(Path::file_name)
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "workflow".to_owned()),
            (_, Some(stem)) => stem.to_owned(),
            (_, None) => "flow".to_owned(),
        }
    }

    /// How the file wraps its definition.
    pub fn shape(&self) -> FileShape {
        self.shape
    }

    /// The whole document, the definition in its place.
    pub fn document(&self) -> Value {
        let definition = Value::Object(self.definition.clone());
        let mut document = self.wrapper.clone();
        match self.shape {
            FileShape::Definition => return definition,
            FileShape::LogicAppsStandard => {
                if let Some(root) = document.as_object_mut() {
                    root.insert("definition".to_owned(), definition);
                }
            }
            FileShape::PowerAutomate => {
                if let Some(properties) = document
                    .as_object_mut()
                    .and_then(|root| root.get_mut("properties"))
                    .and_then(Value::as_object_mut)
                {
                    properties.insert("definition".to_owned(), definition);
                }
            }
            FileShape::DataverseRow => {
                if let Some(client_data) = document
                    .as_object_mut()
                    .and_then(|root| root.get_mut("clientdata"))
                {
                    if let Some(properties) = client_data
                        .get_mut("properties")
                        .and_then(Value::as_object_mut)
                    {
                        properties.insert("definition".to_owned(), definition);
                    }
                    let text = serde_json::to_string(client_data).unwrap_or_default();
                    *client_data = Value::String(text);
                }
            }
        }
        document
    }

    /// The workflow definition inside the file.
    pub fn definition(&self) -> &Map<String, Value> {
        &self.definition
    }

    /// The definition, to edit in place.
    pub fn definition_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.definition
    }

    /// Flowbench's data in `metadata.flowbench` (defaults when absent or unreadable).
    pub fn flowbench_metadata(&self) -> FlowbenchMetadata {
        self.definition()
            .get("metadata")
            .and_then(|m| m.get(FLOWBENCH_METADATA_KEY))
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }

    /// Stores Flowbench's data in `metadata.flowbench`, leaving the rest of `metadata`.
    pub fn set_flowbench_metadata(&mut self, data: &FlowbenchMetadata) {
        let value = serde_json::to_value(data).unwrap_or(Value::Null);
        let definition = self.definition_mut();
        let metadata = definition
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !metadata.is_object() {
            *metadata = Value::Object(Map::new());
        }
        if let Value::Object(metadata) = metadata {
            metadata.insert(FLOWBENCH_METADATA_KEY.to_owned(), value);
        }
    }

    /// The document as text: pretty-printed with two spaces, keys in their order, a final
    /// newline.
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.document()).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes the file atomically: a temporary file beside it, then a rename, so a crash
    /// leaves either the old file or the new one (with the old one's permissions).
    pub fn save(&self, path: &Path) -> Result<(), FlowFileError> {
        let io =
            |e: std::io::Error| FlowFileError::Io(format!("cannot write {}: {e}", path.display()));
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        std::io::Write::write_all(&mut file, self.to_text().as_bytes()).map_err(io)?;
        crate::connector::saved_file::match_permissions(file.as_file(), path).map_err(io)?;
        file.as_file().sync_all().map_err(io)?;
        file.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }
}

impl FileShape {
    /// Where the definition sits in the file, for messages.
    pub fn definition_path(self) -> &'static str {
        match self {
            Self::Definition => "$",
            Self::LogicAppsStandard => "definition",
            Self::PowerAutomate => "properties.definition",
            Self::DataverseRow => "clientdata.properties.definition",
        }
    }
}

/// The structure every definition needs: objects where WDL has objects.
fn check_definition(
    definition: &Map<String, Value>,
    shape: FileShape,
) -> Result<(), FlowFileError> {
    let at = match shape {
        FileShape::Definition => String::new(),
        other => format!("{}.", other.definition_path()),
    };
    for key in ["parameters", "triggers", "actions", "outputs", "metadata"] {
        match definition.get(key) {
            None | Some(Value::Object(_)) => {}
            Some(other) => {
                return Err(shape_error(
                    &format!("{at}{key}"),
                    &format!("expected an object, found {}", kind_of(other)),
                ));
            }
        }
    }
    if !definition.contains_key("actions") && !definition.contains_key("triggers") {
        let found = match arm_workflows(definition) {
            0 => String::new(),
            n => format!(
                ", found an ARM template holding {n} workflow{}: make a flow file of it with `flowbench import FILE` (it reads the template's parameters)",
                if n == 1 { "" } else { "s" }
            ),
        };
        return Err(shape_error(
            shape.definition_path(),
            &format!("expected a workflow definition with \"triggers\" and \"actions\"{found}"),
        ));
    }
    Ok(())
}

/// How many `Microsoft.Logic/workflows` resources a document holds when it is an ARM
/// template (`resources`, nested deployments included).
fn arm_workflows(document: &Map<String, Value>) -> usize {
    let Some(Value::Array(resources)) = document.get("resources") else {
        return 0;
    };
    resources
        .iter()
        .map(|resource| {
            let own = resource
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Logic/workflows"));
            let nested = resource
                .pointer("/properties/template")
                .and_then(Value::as_object)
                .map_or(0, arm_workflows);
            usize::from(own) + nested
        })
        .sum()
}

fn shape_error(path: &str, message: &str) -> FlowFileError {
    FlowFileError::Shape {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

/// How a JSON value is named in messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
