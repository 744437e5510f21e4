//! Power Automate and Logic Apps packages in and out: a flow file exported as a Power
//! Automate export package (.zip), a Logic Apps Standard project folder or a Logic Apps
//! consumption ARM template, and any of those (or a bare definition) imported back into a
//! flow file. Connector steps move between the products' styles, Flowbench's `Assert`
//! becomes a condition that fails the run, secure parameters are left for the user to fill
//! in, nothing of this machine goes out, and whatever cannot be mapped is reported.

mod arm_expr;
mod arm_parameters;
mod assert_rewrite;
mod compare;
pub mod connector_style;
mod convert;
pub mod expression;
mod import;
mod layout;
mod logic_apps;
mod machine;
mod power_automate;
pub mod schema;
mod walk;

use std::path::{Path, PathBuf};

pub use assert_rewrite::ASSERTION_FAILED_CODE;
pub use compare::differences;
pub use convert::{Conversion, convert, datasets};
pub use import::{ImportOptions, Imported, Source, import};
pub use layout::{Layout, Package, file_name_of as layout_file_name, write_atomically};

use crate::flow::file::FlowFile;

/// The product a flow is exported for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A Power Automate export package (.zip): My flows → Import → Import package.
    PowerAutomate,
    /// A Logic Apps Standard project folder (`host.json`, `connections.json`,
    /// `parameters.json`, `<workflow>/workflow.json`).
    LogicAppsStandard,
    /// A Logic Apps consumption ARM template (the workflow and its `dynamicsax` connection).
    LogicAppsConsumption,
}

impl Target {
    /// Every target with its command-line name.
    pub const ALL: [(Self, &'static str); 3] = [
        (Self::PowerAutomate, "power-automate"),
        (Self::LogicAppsStandard, "logic-apps-standard"),
        (Self::LogicAppsConsumption, "logic-apps-consumption"),
    ];

    /// The target named `name` (`power-automate`, …).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(t, _)| *t)
    }

    /// The command-line name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("", |(_, n)| n)
    }

    /// How the product is named in messages and in the window.
    pub fn label(self) -> &'static str {
        match self {
            Self::PowerAutomate => "Power Automate (.zip package)",
            Self::LogicAppsStandard => "Logic Apps Standard (project folder)",
            Self::LogicAppsConsumption => "Logic Apps consumption (ARM template)",
        }
    }

    /// What the user still does in the product after an export.
    pub fn next_steps(self) -> &'static [&'static str] {
        match self {
            Self::PowerAutomate => &[
                "in Power Automate: My flows > Import > Import package (Legacy), upload the .zip",
                "for \"Fin & Ops Apps (Dynamics 365)\", select an existing connection or create one (sign in to the environment)",
                "fill the secure parameters the notes name, save, and turn the flow on",
            ],
            Self::LogicAppsStandard => &[
                "open the folder in VS Code with the Azure Logic Apps (Standard) extension, or zip-deploy it to a Standard logic app",
                "create the dynamicsax API connection in Azure and set the app settings connections.json refers to (WORKFLOWS_SUBSCRIPTION_ID, WORKFLOWS_RESOURCE_GROUP_NAME, WORKFLOWS_LOCATION_NAME, dynamicsax-connectionRuntimeUrl)",
                "fill the secure parameters in parameters.json (or app settings) as the notes say",
            ],
            Self::LogicAppsConsumption => &[
                "deploy the template: az deployment group create --resource-group RG --template-file FILE",
                "give the secure parameters at deployment; then authorize the dynamicsax API connection in the portal (API connections > Edit API connection > Authorize)",
            ],
        }
    }

    /// Where the package goes when no output is given, beside `flow`.
    pub fn default_output(self, flow: &Path, name: &str) -> PathBuf {
        let dir = flow.parent().unwrap_or(Path::new("."));
        let stem = layout::file_name_of(name);
        match self {
            Self::PowerAutomate => dir.join(format!("{stem}.zip")),
            Self::LogicAppsStandard => dir.join(format!("{stem}-logic-app")),
            Self::LogicAppsConsumption => dir.join(format!("{stem}.arm.json")),
        }
    }
}

/// Something the conversion changed, left out or needs the user to do, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where in the definition (`actions.Check`, `parameters.ApiKey`), or the package.
    pub at: String,
    /// What happened and what to do.
    pub message: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Why a flow cannot be exported or a package imported.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The flow or the package could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The file or folder.
        path: String,
        /// What was expected and found.
        message: String,
    },
    /// The package holds more than one flow and none was chosen.
    #[error("{path} holds {} flows: choose one with --workflow ({})", names.len(), names.join(", "))]
    Ambiguous {
        /// The package.
        path: String,
        /// The flows in it.
        names: Vec<String>,
    },
    /// The flow holds something of this machine that must not leave it.
    #[error("the flow holds what must not leave this machine:\n{}", found.iter().map(|n| format!("  {n}")).collect::<Vec<_>>().join("\n"))]
    Machine {
        /// Each place with what was found.
        found: Vec<Note>,
    },
    /// The exported definition does not satisfy the workflow definition schema.
    #[error("the exported definition does not match the workflow definition schema:\n{}", problems.iter().map(|n| format!("  {n}")).collect::<Vec<_>>().join("\n"))]
    Schema {
        /// Each problem with where.
        problems: Vec<Note>,
    },
    /// Writing the package failed.
    #[error("cannot write {path}: {message}")]
    Write {
        /// The file or folder.
        path: String,
        /// The I/O error.
        message: String,
    },
}

/// What export needs besides the flow.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// The flow's name in the product (default: the file's).
    pub name: Option<String>,
    /// The Finance & Operations host connector steps use there (`contoso.operations.dynamics.com`);
    /// default: as written in the flow.
    pub dataset: Option<String>,
}

/// A flow exported for `target`: the package's files and what the conversion noted.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The files to write.
    pub package: Package,
    /// Changes, omissions and what the user still has to do in the cloud.
    pub notes: Vec<Note>,
}

/// Exports `flow` (named `name`, usually its file's) for `target`.
pub fn export(
    flow: &FlowFile,
    file_name: &str,
    target: Target,
    options: &ExportOptions,
) -> Result<Exported, PackageError> {
    let name = options.name.clone().unwrap_or_else(|| file_name.to_owned());
    let conversion = convert(flow.definition(), target, options)?;
    let problems = schema::check(&conversion.definition);
    if !problems.is_empty() {
        return Err(PackageError::Schema { problems });
    }
    let package = match target {
        Target::PowerAutomate => power_automate::package(flow, &name, &conversion)?,
        Target::LogicAppsStandard => logic_apps::standard_project(flow, &name, &conversion)?,
        Target::LogicAppsConsumption => logic_apps::arm_template(&name, &conversion)?,
    };
    Ok(Exported {
        package,
        notes: conversion.notes,
    })
}

/// The instance an imported flow runs against, from the saved instances whose host its
/// connector steps name (`matching`): the one when exactly one, with a note either way.
pub fn map_instance(
    hosts: &[String],
    matching: &[&crate::auth::InstanceProfile],
) -> (Option<String>, Option<Note>) {
    if hosts.is_empty() {
        return (None, None);
    }
    let at = "connections".to_owned();
    let hosts_text = hosts.join(", ");
    match matching {
        [one] => (
            Some(one.name.clone()),
            Some(Note {
                at,
                message: format!(
                    "mapped to the saved instance '{}' (host {hosts_text})",
                    one.name
                ),
            }),
        ),
        [] => (
            None,
            Some(Note {
                at,
                message: format!(
                    "no saved instance has the host {hosts_text}: add one (flowbench instance add) or import with --instance; until then run it with --instance or --demo"
                ),
            }),
        ),
        several => (
            None,
            Some(Note {
                at,
                message: format!(
                    "several saved instances have the host {hosts_text} ({}): import with --instance to choose",
                    several
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        ),
    }
}

/// Whether `path` is something [`import`] reads rather than a flow file opened as is: a
/// folder (Logic Apps Standard project), a zip, or an ARM template.
pub fn is_package(path: &Path) -> bool {
    if path.is_dir() {
        return true;
    }
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = [0u8; 4];
    if std::io::Read::read_exact(&mut file, &mut head).is_ok() && head.starts_with(b"PK") {
        return true;
    }
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        && std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|document| logic_apps::is_arm_template(&document))
}
