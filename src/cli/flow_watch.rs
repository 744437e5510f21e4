//! `flowbench watch FLOW...`: keeps the flows' automatic triggers on (business events,
//! recurrence, records created or changed) until Ctrl+C or SIGTERM, then turns them off
//! cleanly; one line per run started and finished.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Args;
use tokio::sync::mpsc;

use super::connect::runtime;
use super::flow_input::parameter_values;
use super::flow_run::{Failure, check_against_instance, env_for, finish, load_flow, open_session};
use super::terminal::printable;
use crate::flow::history::RunHistory;
use crate::flow::triggers::clock::Clock;
use crate::flow::triggers::state::TriggerState;
use crate::flow::triggers::watcher::{WatchEvent, WatchOptions, WatchedFlow, Watcher};

/// Arguments of `flowbench watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The flow files whose triggers to turn on.
    #[arg(required = true)]
    pub flows: Vec<PathBuf>,
    /// The instance (saved name, URL or host).
    #[arg(long, value_name = "I", conflicts_with = "demo")]
    pub instance: Option<String>,
    /// Start the embedded demo instance and watch it.
    #[arg(long)]
    pub demo: bool,
    /// A definition parameter as `NAME=VALUE` (repeatable; for every flow).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Do not store the runs in the run history.
    #[arg(long)]
    pub no_history: bool,
}

/// Runs `flowbench watch`; the exit code is 0 after a clean stop.
pub fn run(args: &WatchArgs, token_env: Option<&str>) -> i32 {
    finish(watch(args, token_env))
}

fn watch(args: &WatchArgs, token_env: Option<&str>) -> Result<i32, Failure> {
    let mut flows = Vec::new();
    let mut loaded_flows = Vec::new();
    for path in &args.flows {
        let loaded = load_flow(path)?;
        let parameters =
            parameter_values(loaded.flow.definition(), &args.params).map_err(Failure::Usage)?;
        let app_settings = crate::flow::app_settings::local_settings(path)
            .map_err(|e| Failure::Invalid(vec![e]))?;
        flows.push(WatchedFlow {
            name: loaded.name.clone(),
            definition: loaded.flow.definition().clone(),
            parameters,
            app_settings,
        });
        loaded_flows.push(loaded);
    }
    let Some(first) = loaded_flows.first() else {
        return Err(Failure::Usage("give at least one flow file".to_owned()));
    };
    let runtime = runtime()?;
    let session = open_session(args.demo, args.instance.as_deref(), &first.flow, token_env)?;
    let env = env_for(&runtime, session.as_ref())?;
    for loaded in &loaded_flows {
        check_against_instance(&loaded.file_name, &loaded.text, &loaded.flow, &env)?;
    }
    if let Some(session) = session.as_ref().filter(|_| args.demo) {
        eprintln!("demo instance at {}", session.service_root);
    }
    let history = if args.no_history {
        None
    } else {
        Some(Arc::new(Mutex::new(anyhow::Context::context(
            RunHistory::open_default(),
            super::flow_run::HISTORY_HINT,
        )?)))
    };
    let options = WatchOptions {
        clock: Clock::System,
        state: Arc::new(Mutex::new(TriggerState::open_default()?)),
        history,
    };
    runtime.block_on(async move {
        let (tx, mut events) = mpsc::unbounded_channel();
        let watcher = Watcher::start(flows, env, options, tx)
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        eprintln!("watching; Ctrl+C turns the triggers off");
        let stop = stop_signal();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                event = events.recv() => match event {
                    Some(event) => print_event(&event),
                    None => break,
                },
            }
        }
        eprintln!("turning the triggers off…");
        watcher.stop().await;
        while let Ok(event) = events.try_recv() {
            print_event(&event);
        }
        Ok(super::exit::OK)
    })
}

/// Ctrl+C, or SIGTERM where there is one.
pub(super) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// One line per event: on stdout for runs, on stderr for the rest.
fn print_event(event: &WatchEvent) {
    let short = |id: &str| id.chars().take(8).collect::<String>();
    match event {
        WatchEvent::On { flow, detail } => eprintln!("{flow}: on: {}", printable(detail)),
        WatchEvent::Cleaned { flow, removed } => {
            eprintln!(
                "{flow}: removed {removed} endpoint registration(s) left by an earlier session"
            );
        }
        WatchEvent::Polled { flow, changes, .. } if *changes > 0 => {
            eprintln!("{flow}: poll found {changes} change(s)");
        }
        WatchEvent::Polled { .. } => {}
        WatchEvent::Received {
            flow,
            event_id,
            runs,
            note,
        } => {
            let note = note
                .as_deref()
                .map(|n| format!(" ({})", printable(n)))
                .unwrap_or_default();
            eprintln!(
                "{flow}: event {} queued {runs} run(s){note}",
                short(event_id)
            );
        }
        WatchEvent::RunStarted {
            flow,
            run_id,
            event_id,
        } => out(&format!(
            "{flow}: run {} started (event {})",
            short(run_id),
            short(event_id)
        )),
        WatchEvent::RunFinished {
            flow,
            run_id,
            status,
            duration_ms,
            error,
        } => {
            let error = error
                .as_deref()
                .map(|e| format!(": {}", printable(e)))
                .unwrap_or_default();
            out(&format!(
                "{flow}: run {} {} in {duration_ms} ms{error}",
                short(run_id),
                status.name()
            ));
        }
        WatchEvent::Problem { flow, message } => {
            eprintln!("{flow}: problem: {}", printable(message));
        }
        WatchEvent::Off { flow, detail } => eprintln!("{flow}: off: {}", printable(detail)),
    }
}

/// A line on stdout (a closed pipe is not an error worth stopping the watch for).
fn out(line: &str) {
    let _ = super::stdout::print_line(line);
}
