//! `flowbench eval`, `flowbench validate` and `flowbench runs`: one expression evaluated,
//! a flow checked before it runs, and the run history.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::connect::{connect, print_json, runtime};
use super::exit;
use crate::flow::expr::{JsonScope, evaluate_value};
use crate::flow::file::FlowFile;
use crate::flow::history::RunHistory;
use crate::flow::validate::validate_file;

/// Arguments of `flowbench eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A value as written in a definition: `@add(1, 2)`, `Total: @{add(1, 2)}`, or JSON
    /// (`{"a": "@utcNow()"}`) whose strings are evaluated.
    pub expression: String,
    /// A JSON file with `triggerBody`, `triggerOutputs`, `variables`, `parameters`,
    /// `appSettings` and `actions` (name → `{"status", "inputs", "outputs"}`).
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,
}

/// Evaluates and prints the result as JSON; 2 when the expression is invalid.
pub fn run_eval(args: &EvalArgs) -> i32 {
    let context = match &args.context {
        None => Value::Object(serde_json::Map::new()),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                serde_json::from_str(&t)
                    .map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))
            }) {
            Ok(context) => context,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return exit::USAGE;
            }
        },
    };
    let scope = JsonScope::from_context(&context);
    // JSON objects and arrays are templates; anything else is one string value.
    let value = match serde_json::from_str::<Value>(&args.expression) {
        Ok(json @ (Value::Object(_) | Value::Array(_))) => json,
        _ => Value::String(args.expression.clone()),
    };
    match evaluate_value(&value, &scope) {
        Ok(result) => match print_json(&result) {
            Ok(()) => exit::OK,
            Err(_) => exit::RUNTIME,
        },
        Err(error) => {
            eprintln!("error: {}", super::terminal::printable(&error.to_string()));
            exit::INVALID_INPUT
        }
    }
}

/// Arguments of `flowbench validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The flow file.
    pub flow: PathBuf,
    /// Also check entities, fields, keys and actions against this instance's `$metadata`.
    #[arg(long, value_name = "I")]
    pub instance: Option<String>,
}

/// Prints every problem like a compiler; 0 when there is none, 2 otherwise.
pub fn run_validate(args: &ValidateArgs, token_env: Option<&str>) -> i32 {
    let file = args.flow.display().to_string();
    let text = match std::fs::read_to_string(&args.flow) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {file}: {e}");
            return exit::USAGE;
        }
    };
    let mut flow = match FlowFile::parse(&text) {
        Ok(flow) => flow,
        Err(e) => {
            eprintln!("error: {file}: {e}");
            return exit::INVALID_INPUT;
        }
    };
    let model = match &args.instance {
        None => None,
        Some(instance) => {
            let loaded = connect(instance, token_env)
                .and_then(|session| Ok(runtime()?.block_on(session.metadata())?));
            match loaded {
                Ok(model) => Some(model),
                Err(e) => {
                    eprintln!(
                        "error: {}",
                        super::terminal::printable(&super::failure::describe(&e))
                    );
                    return super::failure::exit_code(&e);
                }
            }
        }
    };
    // A Standard workflow takes its parameters from its project's parameters.json.
    if flow.shape() == crate::flow::file::FileShape::LogicAppsStandard {
        match crate::flow::app_settings::with_project_parameters(flow.definition(), &args.flow) {
            Ok(merged) => *flow.definition_mut() = merged,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::INVALID_INPUT;
            }
        }
    }
    let problems = validate_file(&flow, model.as_ref(), Some(&text));
    // A step that cannot run here (another connector, an action only the cloud runs) is
    // no fault of the file: a run goes on without it, so it is a warning.
    for problem in &problems {
        let label = if problem.fails_only_its_step {
            "warning"
        } else {
            "error"
        };
        eprintln!("{label}: {file}: {problem}");
    }
    let local_only = problems.iter().filter(|p| p.fails_only_its_step).count();
    if local_only < problems.len() {
        return exit::INVALID_INPUT;
    }
    let actions = crate::flow::validate::all_actions(flow.definition()).len();
    let trigger_elsewhere = problems
        .iter()
        .any(|p| p.path.first().is_some_and(|at| at == "triggers"));
    let steps_elsewhere = local_only - usize::from(trigger_elsewhere);
    let mut summary = format!("{actions} action{}", if actions == 1 { "" } else { "s" });
    if steps_elsewhere > 0 {
        summary.push_str(&format!(
            "; {steps_elsewhere} of them run only in the cloud and fail here unless given a static result"
        ));
    }
    if trigger_elsewhere {
        summary.push_str("; the trigger does not fire here");
    }
    eprintln!("{file}: valid ({summary})");
    exit::OK
}

/// Arguments of `flowbench runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RunsCommand,
}

/// `flowbench runs …`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// The latest runs, newest first.
    List {
        /// `table` (default) or `json`.
        #[arg(long, default_value = "table")]
        format: String,
        /// How many runs.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// One run, whole, as JSON (the id or a unique start of it).
    Show {
        /// The run's id.
        id: String,
    },
}

/// Lists or shows runs.
pub fn run_runs(args: &RunsArgs) -> anyhow::Result<()> {
    let history = RunHistory::open_default()?;
    match &args.command {
        RunsCommand::List { format, limit } => {
            let runs = history.list(*limit)?;
            match format.as_str() {
                "json" => print_json(&serde_json::to_value(&runs)?),
                "table" => {
                    let rows: Vec<Value> = runs
                        .iter()
                        .map(|r| {
                            serde_json::json!({"id": r.id, "flow": r.flow, "status": r.status,
                                "started": r.start_time, "ms": r.duration_ms, "actions": r.actions})
                        })
                        .collect();
                    super::stdout::print_line(
                        crate::connector::records::render_table(&rows, 40).trim_end(),
                    )?;
                    Ok(())
                }
                other => Err(super::failure::usage(format!(
                    "--format: expected table or json, found '{other}'"
                ))),
            }
        }
        RunsCommand::Show { id } => match history.get(id)? {
            Some(run) => print_json(&serde_json::to_value(&run)?),
            None => Err(super::failure::usage(format!("no run has the id '{id}'"))),
        },
    }
}
