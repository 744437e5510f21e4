//! `flowbench events FLOW`: the events a flow's triggers received (newest first) with the
//! runs each started; `--save DIR` writes each payload as `DIR/<event id>.json`, ready for
//! `flowbench replay`.

use std::path::PathBuf;

use clap::Args;

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
    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", dir.display())))?;
    }
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
        if let Some(dir) = &args.save {
            let path = dir.join(format!("{}.json", event.id));
            let text = serde_json::to_string_pretty(&event.body).unwrap_or_default();
            let mut file = tempfile::NamedTempFile::new_in(dir)?;
            std::io::Write::write_all(&mut file, text.as_bytes())?;
            file.persist(&path)
                .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
        }
    }
    Ok(super::exit::OK)
}
