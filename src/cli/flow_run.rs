//! `flowbench run FLOW`: runs a workflow definition headless — against `--instance`, the
//! embedded demo (`--demo`), or the saved instance the flow names — once, or once per row
//! of `--data ROWS.csv`; prints failures like a compiler, stores each run in the history,
//! writes a JUnit or JSON report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use serde_json::{Map, Value};

use super::connect::{connect, runtime};
use super::exit;
use super::export_file::StopSignals;
use super::flow_input::{parameter_values, trigger_bodies};
use super::terminal::printable;
use crate::connector::Session;
use crate::demo::DemoConfig;
use crate::flow::file::{FileShape, FlowFile};
use crate::flow::history::RunHistory;
use crate::flow::locate::Locator;
use crate::flow::report::{NamedRun, json as json_report, junit};
use crate::flow::run::{Env, RunInputs, RunRecord, Status, rerun_inputs, run_flow};
use crate::flow::validate::validate_file;
use crate::odata::client::CancelToken;

/// Arguments of `flowbench run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The flow file (a workflow definition, Logic Apps `workflow.json` or a Power
    /// Automate flow).
    pub flow: PathBuf,
    /// Run connector steps against this instance (saved name, URL or host).
    #[arg(long, value_name = "I", conflicts_with = "demo")]
    pub instance: Option<String>,
    /// Start the embedded demo instance for the run.
    #[arg(long)]
    pub demo: bool,
    /// A manual trigger input as `NAME=VALUE` (typed by the trigger's schema; repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// A definition parameter as `NAME=VALUE` (repeatable). Secure parameters may come from
    /// the environment instead: `FLOWBENCH_PARAM_<NAME>`.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// For a "For a selected record" trigger: the record's key values (`usmf,US-001`).
    #[arg(long, value_name = "KEYS")]
    pub record: Option<String>,
    /// What the trigger delivers, as a JSON file (for any other trigger).
    #[arg(long, value_name = "FILE")]
    pub trigger_body: Option<PathBuf>,
    /// Run once per row of this CSV file, the row as the trigger's inputs.
    #[arg(long, value_name = "ROWS.csv")]
    pub data: Option<PathBuf>,
    /// Write a report of the runs.
    #[arg(long, value_enum)]
    pub report: Option<ReportFormat>,
    /// Where the report goes (default: stdout).
    #[arg(long, value_name = "FILE", requires = "report")]
    pub report_file: Option<PathBuf>,
    /// Do not store the runs in the run history.
    #[arg(long)]
    pub no_history: bool,
    /// Re-run this earlier run (its id, or a unique start of it) from its failed action,
    /// reusing the outputs of the actions before it and its trigger body.
    #[arg(long, value_name = "RUN_ID", conflicts_with_all = ["data", "record", "trigger_body", "inputs"])]
    pub rerun: Option<String>,
    /// With `--rerun`: the top-level action to re-run from (default: the first failed one).
    #[arg(long, value_name = "ACTION", requires = "rerun")]
    pub from: Option<String>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// JUnit XML, a test case per run.
    Junit,
    /// The run records as a JSON array.
    Json,
}

/// Runs the flow; returns the exit code (0, 1 usage, 2 invalid flow, 3 an action failed,
/// 4 an assertion failed).
pub fn run(args: &RunArgs, token_env: Option<&str>) -> i32 {
    finish(run_all(args, token_env))
}

/// The exit code of a flow command, its failure printed like a compiler's.
pub fn finish(result: Result<i32, Failure>) -> i32 {
    match result {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {}", printable(&message));
            exit::USAGE
        }
        Err(Failure::Invalid(lines)) => {
            for line in lines {
                eprintln!("error: {}", printable(&line));
            }
            exit::INVALID_INPUT
        }
        Err(Failure::Other(error)) => {
            eprintln!("error: {}", printable(&super::failure::describe(&error)));
            super::failure::exit_code(&error)
        }
    }
}

/// Said when the run history cannot be opened: how to run anyway, and that the file was
/// left as it is.
pub const HISTORY_HINT: &str = "the run history could not be opened (the file was left as it is); run with --no-history, or move the file away to start a new history";

/// Why a run did not start.
pub enum Failure {
    /// Bad arguments.
    Usage(String),
    /// The flow file is not a runnable definition: one message per problem.
    Invalid(Vec<String>),
    /// Anything else (connection, history…).
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Self::Other(error.into())
    }
}

/// A flow file read and checked: its text, the parsed file and the flow's name.
pub struct LoadedFlow {
    /// The path as given.
    pub file_name: String,
    /// The file's text (for line numbers).
    pub text: String,
    /// The parsed file.
    pub flow: FlowFile,
    /// The flow's name (its display name or the file's stem).
    pub name: String,
}

/// Reads and validates a flow file; problems are [`Failure::Invalid`] with positions.
pub fn load_flow(path: &Path) -> Result<LoadedFlow, Failure> {
    let file_name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("cannot read {file_name}: {e}")))?;
    let mut flow =
        FlowFile::parse(&text).map_err(|e| Failure::Invalid(vec![format!("{file_name}: {e}")]))?;
    // A Standard workflow takes its parameters from its project's parameters.json.
    if flow.shape() == FileShape::LogicAppsStandard {
        let mut merged =
            crate::flow::app_settings::with_project_parameters(flow.definition(), path)
                .map_err(|e| Failure::Invalid(vec![e]))?;
        crate::flow::app_settings::declare_named_parameters(&mut merged);
        *flow.definition_mut() = merged;
    }
    let problems = validate_file(&flow, None, Some(&text));
    let stopping = crate::flow::validate::stopping_a_run(&problems);
    if !stopping.is_empty() {
        return Err(Failure::Invalid(
            stopping
                .iter()
                .map(|p| format!("{file_name}: {p}"))
                .collect(),
        ));
    }
    // Steps that cannot run here fail on their own; the rest of the flow runs.
    for problem in problems.iter().filter(|p| p.fails_only_its_step) {
        eprintln!("note: {file_name}: {problem}");
    }
    let name = flow.name_for(path);
    Ok(LoadedFlow {
        file_name,
        text,
        flow,
        name,
    })
}

/// Before a run: what the flow uses that the instance lacks (entities, fields, keys,
/// actions), each with its line, as [`Failure::Invalid`].
pub fn check_against_instance(
    file_name: &str,
    text: &str,
    flow: &FlowFile,
    env: &Env,
) -> Result<(), Failure> {
    let Some(model) = &env.model else {
        return Ok(());
    };
    let problems = validate_file(flow, Some(model), Some(text));
    let problems = crate::flow::validate::stopping_a_run(&problems);
    if problems.is_empty() {
        return Ok(());
    }
    let instance = env.instance.as_deref().unwrap_or("the instance");
    Err(Failure::Invalid(
        problems
            .iter()
            .map(|p| format!("{file_name}: {p} (on {instance})"))
            .collect(),
    ))
}

/// The run environment of a session: its client and metadata (none without a session).
pub fn env_for(
    runtime: &tokio::runtime::Runtime,
    session: Option<&Session>,
) -> Result<Env, Failure> {
    let (client, model) = match session {
        Some(session) => {
            let model = runtime
                .block_on(session.metadata())
                .context("reading $metadata of the instance")?;
            (Some(session.client.clone()), Some(Arc::new(model)))
        }
        None => (None, None),
    };
    Ok(Env {
        client,
        model,
        instance: session.map(|s| s.name.clone()),
        cancel: CancelToken::new(),
        observer: None,
    })
}

fn run_all(args: &RunArgs, token_env: Option<&str>) -> Result<i32, Failure> {
    let LoadedFlow {
        file_name,
        text,
        flow,
        name,
    } = load_flow(&args.flow)?;
    // A Logic Apps Standard project's settings, for `appsetting()`.
    let app_settings = crate::flow::app_settings::local_settings(&args.flow)
        .map_err(|e| Failure::Invalid(vec![e]))?;
    let runtime = runtime()?;
    let session = open_session(args.demo, args.instance.as_deref(), &flow, token_env)?;
    let env = env_for(&runtime, session.as_ref())?;
    check_against_instance(&file_name, &text, &flow, &env)?;
    // Ctrl+C and SIGTERM (a CI job's timeout) stop the run between actions; what ran is
    // kept in the history and in the report, which is then written whole.
    let cancel = env.cancel.clone();
    let mut signals = StopSignals::install(&runtime)?;
    runtime.spawn(async move {
        let signal = tokio::select! {
            _ = signals.terminate.recv() => "SIGTERM",
            _ = signals.interrupt.recv() => "SIGINT",
        };
        eprintln!("cancelling ({signal}): the run stops after the action under way");
        cancel.cancel();
    });
    let parameters = parameter_values(flow.definition(), &args.params).map_err(Failure::Usage)?;
    let history = if args.no_history && args.rerun.is_none() {
        None
    } else {
        Some(RunHistory::open_default().context(super::flow_run::HISTORY_HINT)?)
    };
    let rerun = match (&args.rerun, &history) {
        (Some(id), Some(history)) => {
            let earlier = history
                .get(id)?
                .ok_or_else(|| Failure::Usage(format!("--rerun: no run has the id '{id}'")))?;
            Some(rerun_inputs(&earlier, args.from.as_deref()).map_err(Failure::Usage)?)
        }
        _ => None,
    };
    let bodies = match &rerun {
        Some(inputs) => vec![(String::new(), inputs.trigger_body.clone())],
        None => gated_bodies(
            flow.definition(),
            runtime
                .block_on(trigger_bodies(args, flow.definition(), &env))
                .map_err(Failure::Usage)?,
        )?,
    };
    let history = history.filter(|_| !args.no_history);
    let mut runs: Vec<(String, RunRecord)> = Vec::new();
    for (label, body) in bodies {
        // Written as Running first: a run whose process is killed shows as Interrupted.
        let id = uuid::Uuid::new_v4().to_string();
        if let Some(history) = &history {
            let started = crate::flow::run::timestamp(chrono::Utc::now());
            history.start(&id, &name, &started)?;
        }
        let inputs = RunInputs {
            flow: name.clone(),
            trigger_body: body,
            parameters: parameters.clone(),
            secrets: Vec::new(),
            app_settings: app_settings.clone(),
            now: None,
            rerun: rerun.as_ref().and_then(|r| r.rerun.clone()),
            id: Some(id),
            trigger_request: None,
        };
        let record = runtime.block_on(run_flow(flow.definition(), inputs, &env));
        if let Some(history) = &history {
            history.save(&record)?;
        }
        print_run(&file_name, &text, flow.definition(), &label, &record);
        let test_name = if label.is_empty() {
            name.clone()
        } else {
            format!("{name} ({label})")
        };
        runs.push((test_name, record));
    }
    write_report(args, &name, &runs)?;
    Ok(exit_code(&runs))
}

/// What the trigger makes of each body, as when it fires: its `splitOn` gives one run per
/// item (labelled `item N`), and a body for which its `conditions` do not hold starts no
/// run (said on stderr).
fn gated_bodies(
    definition: &Map<String, Value>,
    bodies: Vec<(String, Value)>,
) -> Result<Vec<(String, Value)>, Failure> {
    use crate::flow::triggers::gate::{Delivered, Gated, gate_delivered};
    let mut out = Vec::new();
    for (label, body) in bodies {
        let (split, items) =
            match gate_delivered(definition, body).map_err(|e| Failure::Invalid(vec![e]))? {
                Delivered::AsIs(body) => {
                    out.push((label, body));
                    continue;
                }
                Delivered::Gated { split, items } => (split, items),
            };
        for (n, candidate) in items.into_iter().enumerate() {
            let label = match (split, label.is_empty()) {
                (false, _) => label.clone(),
                (true, true) => format!("item {}", n + 1),
                (true, false) => format!("{label}, item {}", n + 1),
            };
            match candidate {
                Gated::Start(body) => out.push((label, body)),
                Gated::Skipped { condition, .. } => {
                    let which = if label.is_empty() {
                        String::new()
                    } else {
                        format!(" ({label})")
                    };
                    eprintln!(
                        "no run{which}: the trigger condition {condition} is false, so the trigger would not fire"
                    );
                }
            }
        }
    }
    Ok(out)
}

/// The instance connector steps run against: `--demo`, `--instance`, the flow's own
/// instance (Flowbench metadata), or a saved instance whose host is a step's `dataset`.
pub fn open_session(
    demo: bool,
    instance: Option<&str>,
    flow: &FlowFile,
    token_env: Option<&str>,
) -> Result<Option<Session>, Failure> {
    if demo {
        return Ok(Some(Session::start_demo(DemoConfig::default())?));
    }
    if let Some(instance) = instance {
        return Ok(Some(connect(instance, token_env)?));
    }
    if let Some(instance) = flow.flowbench_metadata().instance {
        return Ok(Some(connect(&instance, token_env)?));
    }
    let datasets = datasets(flow.definition());
    if datasets.is_empty() {
        return Ok(None);
    }
    let instances = crate::auth::Instances::load_default().ok();
    let saved = instances.iter().flat_map(|i| i.list()).find(|profile| {
        profile
            .url
            .host_str()
            .is_some_and(|host| datasets.iter().any(|d| d.eq_ignore_ascii_case(host)))
    });
    match saved {
        Some(profile) => Ok(Some(connect(&profile.name, token_env)?)),
        None => Err(Failure::Usage(format!(
            "the flow's connector steps use {}; no saved instance has that host: give --instance I or --demo",
            datasets.join(", ")
        ))),
    }
}

/// The `dataset` (instance host) of every connector step with a literal one.
fn datasets(definition: &Map<String, Value>) -> Vec<String> {
    let mut found: Vec<String> = crate::flow::validate::all_actions(definition)
        .into_iter()
        .filter(|(_, _, action)| crate::flow::connector_step::is_connector_action(action))
        .filter_map(|(_, _, action)| {
            let kind = action.get("type").and_then(Value::as_str).unwrap_or("");
            let inputs = action.get("inputs").cloned().unwrap_or(Value::Null);
            crate::flow::connector_step::read_step(kind, &inputs)
                .ok()?
                .dataset
        })
        .filter(|d| !d.contains('@') && !d.is_empty())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// One line per failed action, like a compiler: file, line, action, what went wrong.
pub fn print_run(
    file: &str,
    text: &str,
    definition: &Map<String, Value>,
    label: &str,
    run: &RunRecord,
) {
    let of = if label.is_empty() {
        String::new()
    } else {
        format!(" ({label})")
    };
    let locator = Locator::new(text);
    for action in run
        .actions
        .iter()
        .filter(|a| matches!(a.status, Status::Failed | Status::TimedOut))
    {
        let mut path = vec!["actions".to_owned()];
        for outer in &action.path {
            path.push(outer.clone());
            path.push("actions".to_owned());
        }
        path.push(action.name.clone());
        let at = locator
            .line_of(&path)
            .map(|line| format!("{file}:{line}"))
            .unwrap_or_else(|| file.to_owned());
        let message = action
            .error
            .as_ref()
            .map_or("failed", |e| e.message.as_str());
        eprintln!(
            "{at}: action '{}'{of}: {}",
            printable(&action.name),
            printable(message)
        );
    }
    let _ = definition;
    // A run stopped by a Terminate (no failed action) says why.
    let failed_actions = run
        .actions
        .iter()
        .any(|a| matches!(a.status, Status::Failed | Status::TimedOut));
    if let (Some(error), false) = (&run.error, failed_actions) {
        eprintln!(
            "{file}: run {}{of}: {}: {}",
            run.status.name(),
            printable(&error.code),
            printable(&error.message)
        );
    }
    eprintln!(
        "run {}{of}: {} in {} ms ({} actions)",
        run.id,
        run.status.name(),
        run.duration_ms,
        run.actions.len()
    );
}

fn write_report(args: &RunArgs, suite: &str, runs: &[(String, RunRecord)]) -> anyhow::Result<()> {
    let Some(format) = args.report else {
        return Ok(());
    };
    let named: Vec<NamedRun<'_>> = runs
        .iter()
        .map(|(name, run)| NamedRun {
            name: name.clone(),
            run,
        })
        .collect();
    let text = match format {
        ReportFormat::Junit => junit(suite, &named),
        ReportFormat::Json => json_report(&named),
    };
    match &args.report_file {
        Some(path) => {
            super::export_file::write_bytes_atomically(path, text.as_bytes())?;
        }
        None => super::stdout::print_line(text.trim_end())?,
    }
    Ok(())
}

/// 0 when every run succeeded; 4 when an assertion failed; 3 when an action failed.
pub fn exit_code(runs: &[(String, RunRecord)]) -> i32 {
    if runs
        .iter()
        .any(|(_, run)| !run.failed_assertions().is_empty())
    {
        exit::ASSERTION
    } else if runs.iter().any(|(_, run)| run.status != Status::Succeeded) {
        exit::RUNTIME
    } else {
        exit::OK
    }
}
