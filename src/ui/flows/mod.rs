//! The Flows view: open a flow file (a workflow definition), see it as cards, run it
//! against the connected instance with live status on each card, read each card's inputs,
//! outputs and error, and go back to earlier runs.

mod cards;
mod details;
mod files;
mod job;
mod view;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::flow::file::FlowFile;
use crate::flow::run::{ActionRecord, RunRecord, Status};

pub use files::example_flows;
pub use job::FlowJob;
pub use view::{FlowsContext, card_key, flows_ui};

/// Where a card sits: its enclosing actions and its name (`["Loop"], "Echo"`).
pub type CardKey = (Vec<String>, String);

/// The flow open in the view.
pub struct OpenFlow {
    /// Where it was read from.
    pub path: PathBuf,
    /// The file.
    pub file: FlowFile,
    /// Its text, for line numbers in problems.
    pub text: String,
    /// What validation found (shown above the cards).
    pub problems: Vec<String>,
}

/// State of the Flows view.
#[derive(Default)]
pub struct FlowsView {
    /// The open flow.
    pub open: Option<OpenFlow>,
    /// The text of the "Open" path field.
    pub path_field: String,
    /// Why the last open failed.
    pub open_error: Option<String>,
    /// The selected card.
    pub selected: Option<CardKey>,
    /// Values typed for the manual trigger's inputs, by property.
    pub trigger_inputs: HashMap<String, String>,
    /// A record from the explorer to run the flow on (the trigger's body).
    pub record_input: Option<serde_json::Value>,
    /// The run under way.
    pub job: Option<FlowJob>,
    /// The run shown on the cards (the latest, or one picked in the runs list).
    pub shown_run: Option<RunRecord>,
    /// Live state of the run under way, by card.
    pub live: HashMap<CardKey, Status>,
    /// Why the last run could not start.
    pub run_error: Option<String>,
    /// Runs of the open flow from the history (newest first).
    pub runs: Vec<crate::flow::history::RunSummary>,
    /// The outcome of the last Validate (`Some(true)`: no problem).
    pub validated: Option<bool>,
    /// Cards whose inner cards are collapsed.
    pub collapsed: std::collections::HashSet<CardKey>,
    dialog: Option<std::sync::mpsc::Receiver<Option<PathBuf>>>,
}

impl FlowsView {
    /// Opens the flow file at `path` (its problems are listed, it opens anyway).
    pub fn open_path(&mut self, path: PathBuf) {
        match files::read_flow(&path) {
            Ok(open) => {
                self.path_field = path.display().to_string();
                self.open = Some(open);
                self.open_error = None;
                self.selected = None;
                self.shown_run = None;
                self.live.clear();
                self.trigger_inputs.clear();
                self.run_error = None;
                self.validated = None;
                self.refresh_runs();
            }
            Err(message) => self.open_error = Some(message),
        }
    }

    /// Reloads the runs of the open flow from the history.
    pub fn refresh_runs(&mut self) {
        let Some(open) = &self.open else {
            self.runs.clear();
            return;
        };
        let name = files::flow_name(open);
        self.runs = crate::flow::history::RunHistory::open_default()
            .and_then(|history| history.list(200))
            .map(|runs| runs.into_iter().filter(|r| r.flow == name).collect())
            .unwrap_or_default();
    }

    /// Whether a run is under way.
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// The latest record of a card in the run shown, if it ran.
    pub fn record_of(&self, key: &CardKey) -> Option<&ActionRecord> {
        self.shown_run.as_ref().and_then(|run| {
            run.actions
                .iter()
                .rev()
                .find(|a| a.path == key.0 && a.name == key.1)
        })
    }

    /// The status a card shows: live while running, else from the run shown.
    pub fn status_of(&self, key: &CardKey) -> Option<Status> {
        self.live
            .get(key)
            .copied()
            .or_else(|| self.record_of(key).map(|r| r.status))
    }
}
