//! `flowbench export FLOW --to …` and `flowbench import FILE`: a flow file as a package
//! Power Automate or Logic Apps takes, and any such package (or definition) back as a flow
//! file, its connections mapped to a saved instance (`--instance`, or by host).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::flow_run::{Failure, finish};
use crate::auth::Instances;
use crate::flow::file::{FlowFile, FlowbenchMetadata};
use crate::flow::package::{
    self, ExportOptions, ImportOptions, Note, PackageError, Target, layout_file_name,
};
use crate::flow::validate::validate;

/// The products `--to` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportTarget {
    /// A Power Automate export package (.zip): My flows → Import → Import package.
    PowerAutomate,
    /// A Logic Apps Standard project folder (VS Code, zip deploy).
    LogicAppsStandard,
    /// A Logic Apps consumption ARM template (the workflow and its connection).
    LogicAppsConsumption,
}

impl From<ExportTarget> for Target {
    fn from(target: ExportTarget) -> Self {
        match target {
            ExportTarget::PowerAutomate => Target::PowerAutomate,
            ExportTarget::LogicAppsStandard => Target::LogicAppsStandard,
            ExportTarget::LogicAppsConsumption => Target::LogicAppsConsumption,
        }
    }
}

/// Arguments of `flowbench export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The flow file.
    pub flow: PathBuf,
    /// The product to export for.
    #[arg(long, value_enum)]
    pub to: ExportTarget,
    /// Where the package goes (default: beside the flow: NAME.zip, NAME-logic-app/,
    /// NAME.arm.json).
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// The flow's name in the product (default: its display name or file name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The Finance & Operations host the connector steps use there
    /// (`contoso.operations.dynamics.com`; default: as written in the flow).
    #[arg(long, value_name = "HOST")]
    pub dataset: Option<String>,
}

/// Arguments of `flowbench import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A Power Automate package (.zip), a Logic Apps Standard project folder (or a
    /// workflow.json in one), an ARM template or a workflow definition.
    pub file: PathBuf,
    /// Where the flow file goes (default: NAME.json in the current folder).
    #[arg(long, value_name = "FLOW.json")]
    pub output: Option<PathBuf>,
    /// Which flow, when the package holds several (name or id).
    #[arg(long, value_name = "NAME")]
    pub workflow: Option<String>,
    /// The saved instance the flow runs against (default: the one whose host the flow's
    /// connector steps name).
    #[arg(long, value_name = "I")]
    pub instance: Option<String>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

fn print_notes(notes: &[Note]) {
    for note in notes {
        eprintln!("note: {note}");
    }
}

fn package_failure(error: PackageError) -> Failure {
    match error {
        PackageError::Ambiguous { .. } => Failure::Usage(error.to_string()),
        PackageError::Write { .. } => Failure::Other(anyhow::anyhow!(error.to_string())),
        PackageError::Machine { found } => Failure::Invalid(
            std::iter::once("the flow holds what must not leave this machine (nothing was written):".to_owned())
                .chain(found.iter().map(ToString::to_string))
                .collect(),
        ),
        PackageError::Schema { problems } => Failure::Invalid(
            std::iter::once("the exported definition breaks the workflow definition schema (nothing was written):".to_owned())
                .chain(problems.iter().map(ToString::to_string))
                .collect(),
        ),
        PackageError::Read { .. } => Failure::Invalid(vec![error.to_string()]),
    }
}

/// Runs `flowbench export`.
pub fn run_export(args: &ExportArgs) -> i32 {
    finish(export(args))
}

fn export(args: &ExportArgs) -> Result<i32, Failure> {
    let file_name = args.flow.display().to_string();
    let flow = FlowFile::load(&args.flow)
        .map_err(|e| Failure::Invalid(vec![format!("{file_name}: {e}")]))?;
    let target = Target::from(args.to);
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| flow.name_for(&args.flow));
    let options = ExportOptions {
        name: Some(name.clone()),
        dataset: args.dataset.clone(),
    };
    let exported = package::export(&flow, &name, target, &options).map_err(package_failure)?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| target.default_output(&args.flow, &name));
    exported
        .package
        .write_to(&output)
        .map_err(package_failure)?;
    print_notes(&exported.notes);
    super::stdout::print_line(&format!(
        "exported '{name}' for {} to {}",
        target.label(),
        output.display()
    ))?;
    for step in target.next_steps() {
        eprintln!("next: {step}");
    }
    Ok(super::exit::OK)
}

/// Runs `flowbench import`.
pub fn run_import(args: &ImportArgs) -> i32 {
    finish(import(args))
}

fn import(args: &ImportArgs) -> Result<i32, Failure> {
    let options = ImportOptions {
        workflow: args.workflow.clone(),
    };
    let mut imported = package::import(&args.file, &options).map_err(package_failure)?;
    let instance = match &args.instance {
        Some(name) => Some(saved_instance(name)?),
        None => instance_by_host(&imported.hosts, &mut imported.notes),
    };
    if let Some(instance) = &instance {
        let mut settings: FlowbenchMetadata = imported.flow.flowbench_metadata();
        settings.instance = Some(instance.clone());
        imported.flow.set_flowbench_metadata(&settings);
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.json", layout_file_name(&imported.name))));
    if output.exists() && !args.force {
        return Err(Failure::Usage(format!(
            "{} exists: choose another --output, or --force to replace it",
            output.display()
        )));
    }
    imported
        .flow
        .save(&output)
        .map_err(|e| Failure::Other(anyhow::anyhow!(e.to_string())))?;
    print_notes(&imported.notes);
    let problems = validate(
        imported.flow.definition(),
        None,
        Some(&imported.flow.to_text()),
    );
    for problem in &problems {
        eprintln!("warning: {}: {problem}", output.display());
    }
    let mapped = instance
        .map(|i| format!(", runs against instance '{i}'"))
        .unwrap_or_default();
    super::stdout::print_line(&format!(
        "imported '{}' from {} to {}{mapped}",
        imported.name,
        imported.source.with_article(),
        output.display()
    ))?;
    Ok(super::exit::OK)
}

fn saved_instance(name: &str) -> Result<String, Failure> {
    let instances = Instances::load_default()?;
    if instances.get(name).is_some() {
        return Ok(name.to_owned());
    }
    let known: Vec<&str> = instances.list().iter().map(|p| p.name.as_str()).collect();
    Err(Failure::Usage(format!(
        "no saved instance '{name}' (saved: {})",
        if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        }
    )))
}

/// The saved instance whose host every connector step names, if exactly one.
fn instance_by_host(hosts: &[String], notes: &mut Vec<Note>) -> Option<String> {
    let instances = Instances::load_default().ok()?;
    let (instance, note) = package::map_instance(hosts, &instances.with_hosts(hosts));
    notes.extend(note);
    instance
}
