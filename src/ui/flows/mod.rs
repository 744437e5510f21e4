//! The Flows view: open a flow file (a workflow definition), see it as cards, run it
//! against the connected instance with live status on each card, read each card's inputs,
//! outputs and error, and go back to earlier runs.

mod card_drag;
mod cards;
mod details;
mod editor;
mod files;
mod icons;
mod job;
mod launch;
mod packages;
pub mod parameters;
mod trigger_form;
mod trigger_inputs;
mod view;
pub mod watch;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::flow::file::FlowFile;
use crate::flow::run::{ActionRecord, RunRecord, Status};

pub use editor::{dynamic_choices, unsaved_on_close_ui};
pub use files::example_flows;
pub use job::FlowJob;
pub use view::{FlowsContext, card_key, flows_background, flows_ui};

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
    /// What validation found that stops a run (shown above the cards).
    pub problems: Vec<String>,
    /// Steps that cannot run here (another connector, cloud-only actions): a run goes on
    /// and each fails alone (shown as warnings).
    pub warnings: Vec<String>,
    /// The file as read has comments or trailing commas, which a save does not keep.
    pub relaxed_json: bool,
}

impl OpenFlow {
    /// Checks the flow again (against `model` when given), sorting what is found into
    /// problems and warnings.
    pub fn check(&mut self, model: Option<&crate::odata::metadata::Model>) {
        let found = crate::flow::validate::validate_file(&self.file, model, Some(&self.text));
        let (warnings, problems): (Vec<_>, Vec<_>) =
            found.iter().partition(|p| p.fails_only_its_step);
        self.problems = problems.iter().map(ToString::to_string).collect();
        self.warnings = warnings.iter().map(ToString::to_string).collect();
    }
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
    /// Values typed for the open flow's parameters.
    pub parameter_form: parameters::ParameterForm,
    /// A record from the explorer to run the flow on (the trigger's body).
    pub record_input: Option<serde_json::Value>,
    /// The run under way.
    pub job: Option<FlowJob>,
    /// The run shown on the cards (the latest, or one picked in the runs list).
    pub shown_run: Option<RunRecord>,
    /// A run compared with the run shown, step by step.
    pub compare: Option<RunRecord>,
    /// Live state of the run under way, by card.
    pub live: HashMap<CardKey, Status>,
    /// Why the last run could not start.
    pub run_error: Option<String>,
    /// The runs of a trigger's `splitOn` still to start (the window starts them in turn).
    pub split: Option<launch::SplitRuns>,
    /// Runs of the open flow from the history (newest first).
    pub runs: Vec<crate::flow::history::RunSummary>,
    /// The outcome of the last Validate (`Some(true)`: no problem).
    pub validated: Option<bool>,
    /// Where the selected card sits (for edits).
    pub selected_scope: crate::flow::edit::ScopePath,
    /// The "Add a step" picker: the scope and the step to insert after.
    pub adding: Option<(crate::flow::edit::ScopePath, Option<String>)>,
    /// Text of the step picker's search box.
    pub step_search: String,
    /// The name typed for a new trigger input.
    pub new_input: String,
    /// The name typed for a new case of the selected switch.
    pub new_case_name: String,
    /// The value typed for a new case of the selected switch.
    pub new_case_value: String,
    /// Text of the expression functions' search box.
    pub function_search: String,
    /// Flow files opened lately, newest first (kept with the window's state).
    pub recent: Vec<PathBuf>,
    /// The window was asked to close with unsaved edits: the question is on screen.
    pub asking_before_close: bool,
    /// The user chose to close without saving.
    pub close_confirmed: bool,
    /// The open flow's recurrence is turned on: its next run.
    pub schedule_next: Option<chrono::DateTime<chrono::Utc>>,
    /// Runs started by the schedule since it was turned on.
    pub scheduled_runs: usize,
    /// When the schedule was turned on: the start of a recurrence that names none.
    pub schedule_anchor: Option<chrono::DateTime<chrono::Utc>>,
    /// Definitions before each edit (undo) and after each undo (redo).
    pub undo: Vec<serde_json::Map<String, serde_json::Value>>,
    /// See [`FlowsView::undo`].
    pub redo: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Edits not saved yet.
    pub dirty: bool,
    /// The last edit's or save's problem (shown in red).
    pub edit_error: Option<String>,
    /// The text of the selected step's JSON editor, and the step it belongs to.
    pub step_json: Option<(CardKey, String)>,
    /// The text of the selected step's name field.
    pub name_field: String,
    /// When the open flow was last autosaved.
    pub autosaved_at: Option<std::time::Instant>,
    /// Unsaved edits of the open flow found from an earlier session.
    pub recovery: Option<serde_json::Map<String, serde_json::Value>>,
    /// Branches of conditions and switches drawn side by side (else one under the other).
    pub branches_side_by_side: bool,
    /// Cards whose inner cards are collapsed.
    pub collapsed: std::collections::HashSet<CardKey>,
    /// Flows whose automatic trigger is on (see [`watch`]).
    pub watches: Vec<watch::FlowWatch>,
    /// Finished trigger runs of the open flow already in the runs list.
    pub watch_runs_seen: usize,
    /// The replay form.
    pub replay_form: watch::ReplayForm,
    /// The latest replay.
    pub replay: Option<watch::ReplayJob>,
    /// Whether the latest replay's end was seen.
    pub replay_seen: bool,
    /// The trigger card's type form (for the card it was filled for).
    pub trigger_form: Option<(CardKey, trigger_form::TriggerForm)>,
    /// Whether the business events catalog is wanted (the form shows a business event).
    pub catalog_wanted: bool,
    /// The connected instance's business events catalog, once asked for.
    pub catalog: Option<trigger_form::Catalog>,
    /// The "Export for the cloud" form.
    pub export_form: packages::ExportForm,
    /// What the last import noted (shown above the cards).
    pub import_notes: Option<packages::ImportNotes>,
    dialog: Option<std::sync::mpsc::Receiver<Option<PathBuf>>>,
    save_dialog: Option<std::sync::mpsc::Receiver<Option<PathBuf>>>,
}

impl FlowsView {
    /// Opens the flow file at `path` (its problems are listed, it opens anyway).
    pub fn open_path(&mut self, path: PathBuf) {
        if crate::flow::package::is_package(&path) {
            packages::open_package(self, &path);
            return;
        }
        match files::read_flow(&path) {
            Ok(open) => {
                self.path_field = path.display().to_string();
                let recovery =
                    files::autosaved(&path).filter(|saved| saved != open.file.definition());
                self.remember(&path);
                self.open = Some(open);
                self.reset_for_open();
                self.recovery = recovery;
            }
            Err(message) => self.open_error = Some(message),
        }
    }

    /// Puts `path` first in the recent flows (ten at most).
    fn remember(&mut self, path: &std::path::Path) {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(10);
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

    /// Applies `edit` to the open flow's definition: the definition before it can be
    /// restored with undo, the flow is checked again and marked unsaved. An edit that fails
    /// changes nothing and says why.
    pub fn edit(
        &mut self,
        edit: impl FnOnce(
            &mut serde_json::Map<String, serde_json::Value>,
        ) -> Result<(), crate::flow::edit::EditError>,
    ) -> bool {
        let Some(open) = &mut self.open else {
            return false;
        };
        let before = open.file.definition().clone();
        let mut after = before.clone();
        match edit(&mut after) {
            Ok(()) => {
                *open.file.definition_mut() = after;
                self.undo.push(before);
                self.redo.clear();
                self.after_change();
                true
            }
            Err(error) => {
                self.edit_error = Some(error.0);
                false
            }
        }
    }

    /// Undoes the last edit.
    pub fn undo(&mut self) {
        if let (Some(open), Some(before)) = (&mut self.open, self.undo.pop()) {
            let now = std::mem::replace(open.file.definition_mut(), before);
            self.redo.push(now);
            self.after_change();
        }
    }

    /// Redoes the last undone edit.
    pub fn redo(&mut self) {
        if let (Some(open), Some(after)) = (&mut self.open, self.redo.pop()) {
            let now = std::mem::replace(open.file.definition_mut(), after);
            self.undo.push(now);
            self.after_change();
        }
    }

    fn after_change(&mut self) {
        self.dirty = true;
        self.edit_error = None;
        self.step_json = None;
        if let Some(open) = &mut self.open {
            open.text = open.file.to_text();
            open.check(None);
        }
    }

    /// Saves the open flow to its file (atomically); `path` saves it elsewhere first.
    pub fn save(&mut self, path: Option<PathBuf>) -> bool {
        let Some(open) = &mut self.open else {
            return false;
        };
        if let Some(path) = path {
            open.path = path;
        }
        match open.file.save(&open.path) {
            Ok(()) => {
                let saved = open.path.clone();
                files::forget_autosave(&saved);
                self.path_field = saved.display().to_string();
                self.remember(&saved);
                if let Some(open) = &mut self.open {
                    open.relaxed_json = false;
                }
                self.dirty = false;
                self.edit_error = None;
                true
            }
            Err(error) => {
                self.edit_error = Some(error.to_string());
                false
            }
        }
    }

    /// Starts a new flow (a manual trigger, no steps) to be saved at `path`.
    pub fn new_flow(&mut self, path: PathBuf) {
        let file = FlowFile::new_definition();
        let text = file.to_text();
        self.open = Some(OpenFlow {
            path: path.clone(),
            file,
            text,
            problems: Vec::new(),
            warnings: Vec::new(),
            relaxed_json: false,
        });
        self.path_field = path.display().to_string();
        self.reset_for_open();
        self.dirty = true;
    }

    /// After an imported flow opened: a fresh view of it, unsaved.
    fn reset_after_import(&mut self) {
        self.reset_for_open();
        self.dirty = true;
    }

    fn reset_for_open(&mut self) {
        self.open_error = None;
        self.import_notes = None;
        self.export_form = packages::ExportForm::default();
        self.selected = None;
        self.selected_scope = Vec::new();
        self.shown_run = None;
        self.live.clear();
        self.trigger_inputs.clear();
        self.run_error = None;
        self.split = None;
        self.validated = None;
        self.undo.clear();
        self.redo.clear();
        self.dirty = false;
        self.edit_error = None;
        self.step_json = None;
        self.adding = None;
        self.recovery = None;
        self.schedule_next = None;
        self.trigger_form = None;
        self.refresh_runs();
    }

    /// Keeps the unsaved definition now, for recovery after a crash.
    pub fn autosave_now(&mut self) {
        editor::autosave_now(self);
    }

    /// The open flow's first run of its `Recurrence` trigger at or after `after`.
    pub fn next_scheduled_run(
        &self,
        after: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let open = self.open.as_ref()?;
        let (_, trigger) = crate::flow::run::trigger::first_trigger(open.file.definition())?;
        let mut recurrence = crate::flow::schedule::Recurrence::from_trigger(trigger).ok()?;
        if recurrence.start.is_none() {
            // Without a start time, the schedule counts from when it was turned on.
            let anchor = self.schedule_anchor.unwrap_or(after);
            recurrence.start = Some(anchor.with_timezone(&recurrence.zone));
        }
        recurrence
            .next_runs(after, 1)
            .first()
            .map(|at| at.with_timezone(&chrono::Utc))
    }

    /// Turns the open flow's schedule on (runs at each of its times while the window is
    /// open) or off.
    pub fn set_schedule(&mut self, on: bool) {
        self.scheduled_runs = 0;
        self.schedule_anchor = on.then(chrono::Utc::now);
        self.schedule_next = if on {
            self.next_scheduled_run(chrono::Utc::now())
        } else {
            None
        };
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
