//! Any package or definition the products give, read into a flow file: a Power Automate
//! export or solution zip, a Logic Apps Standard project folder (or a `workflow.json`
//! inside one), a consumption ARM template, or a definition as is. What Flowbench's own
//! export rewrote (assertions, trigger kinds) comes back as it was.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use super::{
    Note, PackageError, arm_parameters, assert_rewrite, datasets, logic_apps, power_automate,
};
use crate::flow::file::{FLOWBENCH_METADATA_KEY, FlowFile};

/// The largest package file read.
const MAX_PACKAGE_BYTES: u64 = 256 * 1024 * 1024;

/// What import needs besides the path.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Which flow, when the package holds several (display name, id or folder name).
    pub workflow: Option<String>,
}

/// What kind of package the flow came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A Power Automate export or solution zip.
    PowerAutomatePackage,
    /// A Logic Apps Standard project folder.
    LogicAppsStandard,
    /// A Logic Apps consumption ARM template.
    ArmTemplate,
    /// A definition file as Flowbench opens it.
    Definition,
}

impl Source {
    /// How the source is named in messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::PowerAutomatePackage => "Power Automate package",
            Self::LogicAppsStandard => "Logic Apps Standard project",
            Self::ArmTemplate => "ARM template",
            Self::Definition => "workflow definition",
        }
    }

    /// The label with its article: "an ARM template", "a workflow definition".
    pub fn with_article(self) -> String {
        let label = self.label();
        let article = if label.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {label}")
    }
}

/// A flow read from a package.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The flow file.
    pub flow: FlowFile,
    /// Its name in the product.
    pub name: String,
    /// What it came from.
    pub source: Source,
    /// What was restored, left out or needs doing.
    pub notes: Vec<Note>,
    /// The Finance & Operations hosts its connector steps name, to map to an instance.
    pub hosts: Vec<String>,
}

fn read_error(path: &Path, message: impl Into<String>) -> PackageError {
    PackageError::Read {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Reads the flow at `path`.
pub fn import(path: &Path, options: &ImportOptions) -> Result<Imported, PackageError> {
    let choice = options.workflow.as_deref();
    let (flow, name, source, mut notes) = if path.is_dir() {
        let read = logic_apps::read_standard(path, choice)?;
        (read.flow, read.name, Source::LogicAppsStandard, read.notes)
    } else {
        let bytes = read_limited(path)?;
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            let read = power_automate::read(&bytes, &path.display().to_string(), choice)?;
            (
                read.flow,
                read.name,
                Source::PowerAutomatePackage,
                read.notes,
            )
        } else if let Some(project) = standard_project_of(path) {
            let folder = path
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned());
            let read = logic_apps::read_standard(&project, choice.or(folder.as_deref()))?;
            (read.flow, read.name, Source::LogicAppsStandard, read.notes)
        } else {
            let text = String::from_utf8(bytes).map_err(|_| read_error(path, "not UTF-8 text"))?;
            let mut document: Value = crate::flow::jsonc::parse(&text).map_err(|e| {
                read_error(
                    path,
                    format!(
                        "line {}, column {}: not valid JSON: {e}",
                        e.line(),
                        e.column()
                    ),
                )
            })?;
            if logic_apps::is_arm_template(&document) {
                let mut notes = Vec::new();
                if let Some(file) = arm_parameters::parameter_file_of(path) {
                    notes = arm_parameters::apply_parameter_file(&mut document, &file)?;
                }
                let read = logic_apps::read_arm(&document, &path.display().to_string(), choice)?;
                notes.extend(read.notes);
                let name = arm_parameters::readable_name(&read.name, path);
                (read.flow, name, Source::ArmTemplate, notes)
            } else {
                let flow = FlowFile::from_document(document)
                    .map_err(|e| read_error(path, e.to_string()))?;
                let name = flow.name_for(path);
                (flow, name, Source::Definition, Vec::new())
            }
        }
    };
    let mut flow = flow;
    restore(&mut flow, &mut notes);
    let hosts = datasets(flow.definition());
    Ok(Imported {
        flow,
        name,
        source,
        notes,
        hosts,
    })
}

fn read_limited(path: &Path) -> Result<Vec<u8>, PackageError> {
    let file =
        std::fs::File::open(path).map_err(|e| read_error(path, format!("cannot read: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_PACKAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(path, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_PACKAGE_BYTES {
        return Err(read_error(
            path,
            format!(
                "larger than {} MB, which no flow package is",
                MAX_PACKAGE_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok(bytes)
}

/// The project folder of a `workflow.json` that sits in a Logic Apps Standard project.
fn standard_project_of(path: &Path) -> Option<std::path::PathBuf> {
    if path.file_name()? != "workflow.json" {
        return None;
    }
    let project = path.parent()?.parent()?;
    (project.join("host.json").is_file() || project.join("connections.json").is_file())
        .then(|| project.to_path_buf())
}

/// Brings back what Flowbench's export rewrote: conditions that stand for an `Assert`,
/// and the kind of a manual trigger Logic Apps has no equivalent for.
fn restore(flow: &mut FlowFile, notes: &mut Vec<Note>) {
    let definition = flow.definition_mut();
    if let Some(Value::Object(triggers)) = definition.get_mut("triggers") {
        for (name, trigger) in triggers.iter_mut() {
            restore_trigger_kind(name, trigger, notes);
        }
    }
    if let Some(Value::Object(actions)) = definition.get_mut("actions") {
        restore_actions("actions", actions, notes);
    }
}

fn restore_trigger_kind(name: &str, trigger: &mut Value, notes: &mut Vec<Note>) {
    let Some(original) = trigger
        .pointer(&format!("/metadata/{FLOWBENCH_METADATA_KEY}/kind"))
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    let Some(object) = trigger.as_object_mut() else {
        return;
    };
    let still_http = object
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.eq_ignore_ascii_case("http"));
    if still_http {
        object.insert("kind".to_owned(), Value::String(original.clone()));
        notes.push(Note {
            at: format!("triggers.{name}"),
            message: format!("the manual trigger is '{original}' again"),
        });
    }
    if let Some(Value::Object(metadata)) = object.get_mut("metadata") {
        metadata.remove(FLOWBENCH_METADATA_KEY);
        if metadata.is_empty() {
            object.remove("metadata");
        }
    }
}

fn restore_actions(prefix: &str, actions: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    for (name, action) in actions.iter_mut() {
        let at = format!("{prefix}.{name}");
        match assert_rewrite::from_condition(name, action) {
            Some(Ok(assert)) => {
                *action = assert;
                notes.push(Note {
                    at,
                    message: "the condition exported from an Assert is an Assert again".to_owned(),
                });
                continue;
            }
            Some(Err(why)) => notes.push(Note {
                at: at.clone(),
                message: why,
            }),
            None => {}
        }
        super::walk::each_inner_scope(&at, action, &mut |inner_at, inner| {
            restore_actions(inner_at, inner, notes)
        });
    }
}
