//! What one connector action shows under its form: its own results, outcome, error, form
//! problem and summary, so that a message never appears on a tab that did not cause it.

use serde_json::Value;

use super::error_report::ErrorReport;
use super::jobs::Outcome;
use crate::ui::results::ResultsView;
use crate::ui::state::ConnectorAction;

/// Which form a problem found before sending is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemForm {
    /// The key values of Get, Update (load) and Delete.
    Key,
    /// The create form.
    Create,
    /// The loaded record of the update form.
    Update,
    /// The execute action form (parameters and key).
    Action,
}

/// The state under one action's form.
pub struct ActionPane {
    /// Records of this action's last listing or request, in the results table.
    pub results: ResultsView,
    /// What this action's last one-shot request produced.
    pub outcome: Option<Outcome>,
    /// This action's last failure, prepared for display.
    pub error: Option<ErrorReport>,
    /// What is wrong with the form, when a run was refused before sending.
    pub form_problem: Option<String>,
    /// The form a problem found before sending is about: the message follows the form as
    /// it is corrected, and goes away once nothing is wrong.
    pub(super) problem_fields: Option<ProblemForm>,
    /// A one-line summary of this action's last finished job.
    pub summary: Option<String>,
    /// The entity set whose records the results show (none for other results); set with
    /// [`Self::set_results_entity`], which also names the results.
    pub(super) results_entity: Option<String>,
    /// The body of the last create or update, to tell which field an error names.
    pub(super) sent: serde_json::Map<String, Value>,
}

impl ActionPane {
    /// An empty pane.
    pub fn new() -> Self {
        let mut results = ResultsView::new();
        results.set_empty_text("Run an action to see its records here.");
        Self {
            results,
            outcome: None,
            error: None,
            form_problem: None,
            problem_fields: None,
            summary: None,
            results_entity: None,
            sent: serde_json::Map::new(),
        }
    }

    /// Records whose records the results of `action` are, and names them for the results
    /// header and export messages (`List items · CustomersV3`).
    pub(super) fn set_results_entity(&mut self, action: ConnectorAction, entity: Option<String>) {
        let label = match &entity {
            Some(entity) => format!("{} · {entity}", action.label()),
            None => action.label().to_owned(),
        };
        self.results.set_source_label(label);
        self.results_entity = entity;
    }

    /// Forgets the messages of the previous run (a new one starts).
    pub(super) fn clear_messages(&mut self) {
        self.outcome = None;
        self.error = None;
        self.form_problem = None;
        self.problem_fields = None;
        self.summary = None;
    }

    /// A problem found before sending: shown instead of the previous run's messages.
    pub(super) fn refuse(&mut self, problem: String, fields: Option<ProblemForm>) {
        self.clear_messages();
        self.form_problem = Some(problem);
        self.problem_fields = fields;
    }
}

impl Default for ActionPane {
    fn default() -> Self {
        Self::new()
    }
}
