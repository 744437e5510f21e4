//! `flowbench replay FLOW EVENT.json...`: feeds saved or downloaded event payloads to a
//! flow as its trigger would — `--times N` each, `--shuffle`d — one run after another, and
//! says which runs each event started.

use std::path::PathBuf;

use clap::Args;

use super::connect::runtime;
use super::flow_input::parameter_values;
use super::flow_run::{
    Failure, LoadedFlow, env_for, exit_code, finish, load_flow, open_session, print_run,
};
use crate::flow::history::RunHistory;
use crate::flow::run::RunRecord;
use crate::flow::triggers::replay::{ReplayEvent, events_of, plan, replay};
use crate::flow::triggers::watcher::WatchedFlow;

/// Arguments of `flowbench replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The flow file.
    pub flow: PathBuf,
    /// Event payload files (a JSON object, or an array of them), replayed in this order.
    #[arg(required = true, value_name = "EVENT.json")]
    pub events: Vec<PathBuf>,
    /// Replay every event this many times (all of them, then all again).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub times: u32,
    /// Shuffle the order; with a number, reproducibly (the seed is printed).
    #[arg(long, value_name = "SEED", num_args = 0..=1, default_missing_value = "random")]
    pub shuffle: Option<String>,
    /// Run connector steps against this instance (saved name, URL or host).
    #[arg(long, value_name = "I", conflicts_with = "demo")]
    pub instance: Option<String>,
    /// Start the embedded demo instance for the replay.
    #[arg(long)]
    pub demo: bool,
    /// A definition parameter as `NAME=VALUE` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Do not store the runs in the run history.
    #[arg(long)]
    pub no_history: bool,
}

/// Runs `flowbench replay`; exit codes as `flowbench run`.
pub fn run(args: &ReplayArgs, token_env: Option<&str>) -> i32 {
    finish(replay_all(args, token_env))
}

fn seed_of(shuffle: Option<&str>) -> Result<Option<u64>, Failure> {
    match shuffle {
        None => Ok(None),
        Some("random") => Ok(Some(rand::random())),
        Some(text) => text.parse().map(Some).map_err(|_| {
            Failure::Usage(format!(
                "--shuffle: expected a whole number as the seed, found '{text}'"
            ))
        }),
    }
}

fn replay_all(args: &ReplayArgs, token_env: Option<&str>) -> Result<i32, Failure> {
    let LoadedFlow {
        file_name,
        text,
        flow,
        name,
    } = load_flow(&args.flow)?;
    let mut events: Vec<ReplayEvent> = Vec::new();
    for path in &args.events {
        let label = path.display().to_string();
        let content = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("cannot read {label}: {e}")))?;
        events.extend(events_of(&label, &content).map_err(|e| Failure::Invalid(vec![e]))?);
    }
    let seed = seed_of(args.shuffle.as_deref())?;
    if let Some(seed) = seed {
        eprintln!("shuffled with seed {seed} (--shuffle {seed} replays this order)");
    }
    let order = plan(&events, args.times as usize, seed);
    let parameters = parameter_values(flow.definition(), &args.params).map_err(Failure::Usage)?;
    // A Logic Apps Standard project's settings, for `appsetting()`, as `run` and `watch` read them.
    let watched = WatchedFlow {
        name: name.clone(),
        definition: flow.definition().clone(),
        parameters,
        app_settings: crate::flow::app_settings::local_settings(&args.flow)
            .map_err(|e| Failure::Invalid(vec![e]))?,
    };
    let runtime = runtime()?;
    let session = open_session(args.demo, args.instance.as_deref(), &flow, token_env)?;
    let env = env_for(&runtime, session.as_ref())?;
    super::flow_run::check_against_instance(&file_name, &text, &flow, &env)?;
    let cancel = env.cancel.clone();
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("cancelling: the replay stops after the action under way");
            cancel.cancel();
        }
    });
    let history = if args.no_history {
        None
    } else {
        Some(anyhow::Context::context(
            RunHistory::open_default(),
            super::flow_run::HISTORY_HINT,
        )?)
    };
    let mut runs: Vec<(String, RunRecord)> = Vec::new();
    let mut store_error = None;
    let replayed = runtime
        .block_on(replay(&watched, &order, &env, |event, record| {
            if let Some(history) = &history
                && let Err(err) = history.save(record)
            {
                store_error.get_or_insert(err);
            }
            print_run(&file_name, &text, flow.definition(), &event.label, record);
            runs.push((format!("{name} ({})", event.label), record.clone()));
        }))
        .map_err(|e| Failure::Invalid(vec![format!("{file_name}: {e}")]))?;
    if let Some(err) = store_error {
        return Err(err.into());
    }
    for (position, event) in replayed.iter().enumerate() {
        let started: Vec<String> = event
            .runs
            .iter()
            .map(|r| format!("{} {}", r.id, r.status.name()))
            .collect();
        let what = if started.is_empty() {
            "no run".to_owned()
        } else {
            started.join(", ")
        };
        let note = event
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        super::stdout::print_line(&format!("{}. {}: {what}{note}", position + 1, event.label))?;
    }
    Ok(exit_code(&runs))
}
