//! The explorer: runs the connector's actions against the connected instance through forms
//! generated from metadata, and shows the results, the progress of long listings and errors
//! in context. Each action keeps its own results and messages.

pub mod csv_import;
mod error_panel;
pub mod error_report;
pub mod forms;
pub mod jobs;
mod pane;
mod requests;
pub mod splitter;
mod view;

use super::app::LoadedMetadata;
use super::connection::Connected;
use super::state::{ConnectorAction, UiState};
use crate::odata::client::ODataError;
use crate::ui::forms::FieldErrors;
use error_report::ErrorReport;
use forms::{EntityForms, FormRequest};
use jobs::{Job, JobEvent, Outcome};
pub use pane::{ActionPane, ProblemForm};
pub use view::explorer_ui;

/// Transient state of the explorer: the forms of the selected entity, the job under way and
/// what each action's last run produced.
pub struct Explorer {
    /// The request or listing under way.
    running: Option<Running>,
    /// The forms of the selected entity (rebuilt when it changes).
    pub forms: Option<EntityForms>,
    forms_error: Option<String>,
    /// One pane per action, in [`ConnectorAction::ALL`] order.
    panes: [ActionPane; ConnectorAction::ALL.len()],
    /// The action on screen (its pane is the one [`Self::pane`] returns).
    shown: ConnectorAction,
    /// The delete confirmation dialog is open.
    pub confirm_delete: bool,
    /// *Create records from a CSV file* under the create form.
    pub csv_import: csv_import::CsvImport,
    /// The form's height limit the user dragged to (`None`: automatic).
    pub form_height: Option<f32>,
    /// A failed request the user asked to see in the HTTP trace (taken by the app).
    pub request_to_show: Option<RequestToShow>,
    /// What the last finished request says about the link to the instance (taken by the app).
    link_news: Option<LinkNews>,
}

/// A job under way and what it was started for.
struct Running {
    job: Job,
    /// The action whose pane receives what the job produces.
    action: ConnectorAction,
    /// What the user asked of the form (load, save, run…).
    request: FormRequest,
    /// The entity set it runs on (none for listing the entity sets).
    entity: Option<String>,
}

/// What a finished request says about the link to the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkNews {
    /// The server answered (with a success or an error status).
    Answered,
    /// No answer: the message says why (connection refused, timeout, …).
    Unreachable(String),
}

impl LinkNews {
    /// Why the instance is unreachable, or `None` when it answered.
    pub fn unreachable(self) -> Option<String> {
        match self {
            Self::Answered => None,
            Self::Unreachable(why) => Some(why),
        }
    }
}

/// A request to find in the HTTP trace: its `METHOD URL` and status, as the error had them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestToShow {
    /// `METHOD URL`.
    pub request: Option<String>,
    /// The HTTP status it got.
    pub status: Option<u16>,
}

/// What the explorer needs from the app for one frame.
pub struct ExplorerContext<'a> {
    /// Persisted UI state (selected action and entity).
    pub state: &'a mut UiState,
    /// The connected instance, if any.
    pub connected: Option<&'a Connected>,
    /// Its metadata, once loaded.
    pub metadata: Option<&'a LoadedMetadata>,
    /// Where requests run.
    pub runtime: Option<&'a tokio::runtime::Handle>,
    /// What the connection is doing when there is none yet (e.g. "Connecting to uat…").
    pub waiting: Option<String>,
}

impl Default for Explorer {
    fn default() -> Self {
        Self {
            running: None,
            forms: None,
            forms_error: None,
            panes: std::array::from_fn(|_| ActionPane::new()),
            shown: ConnectorAction::default(),
            confirm_delete: false,
            csv_import: csv_import::CsvImport::default(),
            form_height: None,
            request_to_show: None,
            link_news: None,
        }
    }
}

fn slot(action: ConnectorAction) -> usize {
    ConnectorAction::ALL
        .iter()
        .position(|a| *a == action)
        .unwrap_or_default()
}

impl Explorer {
    /// Drops the forms so they are rebuilt from new metadata.
    pub fn forget_forms(&mut self) {
        self.forms = None;
    }

    /// Whether a request or listing is under way.
    pub fn is_busy(&self) -> bool {
        self.running.is_some()
    }

    /// The action whose request or listing is under way.
    pub fn busy_with(&self) -> Option<ConnectorAction> {
        self.running.as_ref().map(|running| running.action)
    }

    /// The pane of the action on screen.
    pub fn pane(&self) -> &ActionPane {
        self.pane_of(self.shown)
    }

    /// The pane of `action`.
    pub fn pane_of(&self, action: ConnectorAction) -> &ActionPane {
        &self.panes[slot(action)]
    }

    /// The pane of `action`, to change it.
    pub fn pane_mut(&mut self, action: ConnectorAction) -> &mut ActionPane {
        &mut self.panes[slot(action)]
    }

    /// What the last finished request said about the link to the instance, once.
    pub fn take_link_news(&mut self) -> Option<LinkNews> {
        self.link_news.take()
    }

    /// Builds the forms of `entity` when it is not the one they were built for.
    fn ensure_forms(&mut self, metadata: Option<&LoadedMetadata>, entity: Option<&str>) {
        let (Some(metadata), Some(entity)) = (metadata, entity) else {
            self.forms = None;
            self.forms_error = None;
            return;
        };
        if self.forms.as_ref().is_some_and(|f| f.entity == entity) {
            return;
        }
        match EntityForms::new(&metadata.model, entity) {
            Ok(forms) => {
                let keys = metadata
                    .model
                    .entity_set(entity)
                    .and_then(|s| metadata.model.entity_type(&s.entity_type))
                    .map(|t| metadata.model.key_of(t).to_vec())
                    .unwrap_or_default();
                for pane in &mut self.panes {
                    pane.results.set_key_columns(keys.clone());
                    // Problems named fields of the previous entity's forms.
                    if pane.problem_fields.is_some() {
                        pane.form_problem = None;
                        pane.problem_fields = None;
                    }
                }
                self.forms = Some(forms);
                self.forms_error = None;
            }
            Err(error) => {
                self.forms = None;
                self.forms_error = Some(error.to_string());
            }
        }
    }

    /// Applies what background work reported since the last frame.
    pub fn poll(&mut self, metadata: Option<&LoadedMetadata>, entity: Option<&str>) {
        let Some(running) = &mut self.running else {
            return;
        };
        let (action, request) = (running.action, running.request);
        let job_entity = running.entity.clone();
        for event in running.job.poll() {
            let pane = &mut self.panes[slot(action)];
            match event {
                JobEvent::Page(items) => pane.results.push_page(items),
                JobEvent::Done(Ok(outcome)) => {
                    self.link_news = Some(LinkNews::Answered);
                    self.finish(action, job_entity.clone(), outcome);
                    self.running = None;
                }
                JobEvent::ListingDone(Ok(progress)) => {
                    self.link_news = Some(LinkNews::Answered);
                    pane.summary = Some(format!(
                        "{} records in {} page{} ({:.1} s){}",
                        progress.records,
                        progress.pages,
                        if progress.pages == 1 { "" } else { "s" },
                        progress.elapsed.as_secs_f64(),
                        if progress.stopped_early {
                            " · more pages on the server"
                        } else {
                            ""
                        }
                    ));
                    self.running = None;
                }
                JobEvent::Done(Err(error)) | JobEvent::ListingDone(Err(error)) => {
                    self.link_news = link_news_of(&error);
                    self.fail(action, request, &error, metadata, entity);
                    self.running = None;
                }
            }
        }
    }

    /// Shrinks "check the highlighted fields" messages to the fields still wrong, and drops
    /// them once every field is corrected.
    pub fn refresh_form_problems(&mut self) {
        let Some(forms) = &self.forms else {
            return;
        };
        for pane in &mut self.panes {
            let Some(form) = pane.problem_fields else {
                continue;
            };
            pane.form_problem = forms.problem(form);
            if pane.form_problem.is_none() {
                pane.problem_fields = None;
            }
        }
    }

    fn finish(&mut self, action: ConnectorAction, job_entity: Option<String>, outcome: Outcome) {
        let pane = &mut self.panes[slot(action)];
        pane.summary = Some(outcome.describe());
        pane.results.set_records(outcome.records());
        pane.results
            .set_entity_rows(matches!(outcome, Outcome::Entities(_)));
        let records_of = match outcome {
            Outcome::Record(_)
            | Outcome::Created(_)
            | Outcome::Loaded(_)
            | Outcome::Updated(..) => job_entity.clone(),
            _ => None,
        };
        pane.set_results_entity(action, records_of);
        let same_entity = self
            .forms
            .as_ref()
            .is_some_and(|f| Some(&f.entity) == job_entity.as_ref());
        if let (Outcome::Loaded(record) | Outcome::Updated(_, record), Some(forms)) =
            (&outcome, self.forms.as_mut().filter(|_| same_entity))
            && let Err(problem) = forms.update.load(record)
        {
            pane.form_problem = Some(problem);
        }
        pane.outcome = Some(outcome);
    }

    fn fail(
        &mut self,
        action: ConnectorAction,
        request: FormRequest,
        error: &ODataError,
        metadata: Option<&LoadedMetadata>,
        entity: Option<&str>,
    ) {
        let fields = entity
            .zip(metadata)
            .map(|(entity, metadata)| field_names(metadata, entity))
            .unwrap_or_default();
        let pane = &mut self.panes[slot(action)];
        let report = ErrorReport::with_sent_values(error, &fields, &pane.sent);
        if let Some(forms) = &mut self.forms {
            if action == ConnectorAction::UpdateRecord && request == FormRequest::Load {
                // The fields shown must never be another record's: a failed load leaves
                // the form empty, not holding the record loaded before.
                forms.update.unload();
            }
            if let Some(field) = &report.field {
                match action {
                    ConnectorAction::CreateRecord => {
                        forms.create.highlight_field(field);
                    }
                    ConnectorAction::UpdateRecord => {
                        forms.update.highlight_field(field);
                    }
                    _ => {}
                }
            }
        }
        pane.error = Some(report);
    }

    /// Starts `job` for `action` (its `request`), run for `entity` (none for listing the
    /// entity sets).
    fn start(
        &mut self,
        job: Job,
        (action, request): (ConnectorAction, FormRequest),
        entity: Option<&str>,
    ) {
        if let Some(forms) = &mut self.forms {
            match action {
                ConnectorAction::CreateRecord => forms.create.clear_highlights(),
                ConnectorAction::UpdateRecord => forms.update.clear_highlights(),
                _ => {}
            }
            if action == ConnectorAction::UpdateRecord && request == FormRequest::Load {
                forms.update.unload();
            }
        }
        let pane = &mut self.panes[slot(action)];
        // The results follow the latest request: a failure leaves none of an earlier one.
        pane.results.clear();
        let records_of = match job {
            Job::Listing(_) => entity.map(str::to_owned),
            Job::OneShot(_) => None,
        };
        pane.set_results_entity(action, records_of);
        pane.clear_messages();
        self.running = Some(Running {
            job,
            action,
            request,
            entity: entity.map(str::to_owned),
        });
    }
}

/// What an error says about the link: no answer at all, or an answer (`None`: it says
/// nothing, e.g. a refused form or a cancelled request).
pub fn link_news_of(error: &ODataError) -> Option<LinkNews> {
    match error {
        ODataError::Network { .. } | ODataError::Interrupted { .. } => {
            Some(LinkNews::Unreachable(error.to_string()))
        }
        ODataError::Server(_) | ODataError::InvalidJson { .. } => Some(LinkNews::Answered),
        _ => None,
    }
}

/// "Check the highlighted fields: a, b", naming the fields of `errors` in form order.
pub(crate) fn fields_problem(errors: FieldErrors) -> String {
    let names: Vec<String> = errors.into_iter().map(|(field, _)| field).collect();
    format!("Check the highlighted fields: {}", names.join(", "))
}

/// `(name, label)` of every field of `entity_set`, for finding the field an error names.
fn field_names(metadata: &LoadedMetadata, entity_set: &str) -> Vec<(String, String)> {
    let model = &metadata.model;
    let Some(entity) = model
        .entity_set(entity_set)
        .and_then(|s| model.entity_type(&s.entity_type))
    else {
        return Vec::new();
    };
    model
        .all_properties(entity)
        .into_iter()
        .map(|p| {
            let label = p
                .annotations
                .get("Description")
                .or_else(|| p.annotations.get("LabelId").filter(|l| !l.starts_with('@')))
                .unwrap_or_default();
            (p.name.clone(), label.to_owned())
        })
        .collect()
}
