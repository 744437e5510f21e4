//! `flowbench events FLOW`: the events a flow's triggers received (newest first) with the
//! runs each started; `--save DIR` writes each payload as `DIR/<event id>.json`, ready for
//! `flowbench replay`.

use std::path::PathBuf;

use clap::Args;

use super::export_file::{Interrupted, StopSignals, write_bytes_atomically};
use super::flow_run::{Failure, finish, load_flow};
use crate::flow::triggers::state::TriggerState;

/// Arguments of `flowbench events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The flow file.
    pub flow: PathBuf,
    /// How many events (newest first).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Write each event's payload to this directory as `<event id>.json`.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
}

/// Runs `flowbench events`.
pub fn run(args: &EventsArgs) -> i32 {
    finish(list(args))
}

fn list(args: &EventsArgs) -> Result<i32, Failure> {
    let loaded = load_flow(&args.flow)?;
    let state = TriggerState::open_default()?;
    let events = state.events_of_flow(&loaded.name, args.limit)?;
    if events.is_empty() {
        eprintln!(
            "{}: no event received yet (turn its trigger on with flowbench watch)",
            loaded.name
        );
    }
    // SIGTERM and SIGINT stop the saving between two files, never inside one.
    let mut saving = match &args.save {
        Some(dir) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let signals = StopSignals::install(&runtime)?;
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", dir.display())))?;
            Some((runtime, signals, 0_usize))
        }
        None => None,
    };
    for event in &events {
        let runs = if event.runs.is_empty() {
            "no run".to_owned()
        } else {
            event.runs.join(", ")
        };
        let note = event
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        super::stdout::print_line(&format!("{} {} {runs}{note}", event.received, event.id))?;
        if let (Some(dir), Some((runtime, signals, saved))) = (&args.save, &mut saving) {
            if let Some(signal) = signals.received(runtime) {
                return Err(Failure::Other(
                    Interrupted {
                        signal,
                        what: format!(
                            "{saved} of {} payloads saved in {}, each complete; the others were not written",
                            events.len(),
                            dir.display()
                        ),
                    }
                    .into(),
                ));
            }
            let path = dir.join(format!("{}.json", event.id));
            let text = serde_json::to_string_pretty(&event.body).unwrap_or_default();
            write_bytes_atomically(&path, text.as_bytes()).map_err(Failure::Other)?;
            *saved += 1;
        }
    }
    Ok(super::exit::OK)
}
