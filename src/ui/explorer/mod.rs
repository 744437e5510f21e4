//! The explorer: runs the connector's actions against the connected instance through forms
//! generated from metadata, and shows the results, the progress of long listings and errors
//! in context.

mod error_panel;
pub mod error_report;
pub mod forms;
pub mod jobs;
mod requests;
pub mod splitter;

use serde_json::Value;

use super::app::LoadedMetadata;
use super::connection::Connected;
use super::results::{ResultsView, results_ui};
use super::state::{ConnectorAction, RecentAction, UiState};
use super::theme;
use crate::odata::client::ODataError;
use error_panel::ErrorPanelAction;
use error_report::ErrorReport;
use forms::{EntityForms, FormRequest, entity_form_ui};
use jobs::{Job, JobEvent, Outcome};
use requests::{record_request, start_request};

/// Transient state of the explorer: the forms of the selected entity, the job under way and
/// what the last one produced.
pub struct Explorer {
    job: Option<Job>,
    /// The forms of the selected entity (rebuilt when it changes).
    pub forms: Option<EntityForms>,
    forms_error: Option<String>,
    /// Records of the last listing or request, in the results table.
    pub results: ResultsView,
    /// What the last one-shot request produced.
    pub outcome: Option<Outcome>,
    /// The last failure, prepared for display.
    pub error: Option<ErrorReport>,
    /// What is wrong with the form, when a run was refused before sending.
    pub form_problem: Option<String>,
    /// A one-line summary of the last finished job.
    pub summary: Option<String>,
    /// The delete confirmation dialog is open.
    pub confirm_delete: bool,
    /// The form's height limit the user dragged to (`None`: automatic).
    pub form_height: Option<f32>,
    /// A failed request the user asked to see in the HTTP trace (taken by the app).
    pub request_to_show: Option<RequestToShow>,
    /// The entity set of the job under way.
    job_entity: Option<String>,
    /// The entity set whose records the results show (none for other results).
    results_entity: Option<String>,
    /// The body of the last create or update, to tell which field an error names.
    sent: serde_json::Map<String, Value>,
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
}

impl Default for Explorer {
    fn default() -> Self {
        let mut results = ResultsView::new();
        results.set_empty_text("Run an action to see its records here.");
        Self {
            job: None,
            forms: None,
            forms_error: None,
            results,
            outcome: None,
            error: None,
            form_problem: None,
            summary: None,
            confirm_delete: false,
            form_height: None,
            request_to_show: None,
            job_entity: None,
            results_entity: None,
            sent: serde_json::Map::new(),
        }
    }
}

impl Explorer {
    /// Drops the forms so they are rebuilt from new metadata.
    pub fn forget_forms(&mut self) {
        self.forms = None;
    }

    /// Whether a request or listing is under way.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
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
                self.results.set_key_columns(
                    metadata
                        .model
                        .entity_set(entity)
                        .and_then(|s| metadata.model.entity_type(&s.entity_type))
                        .map(|t| metadata.model.key_of(t).to_vec())
                        .unwrap_or_default(),
                );
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
        let Some(job) = &mut self.job else {
            return;
        };
        for event in job.poll() {
            match event {
                JobEvent::Page(items) => self.results.push_page(items),
                JobEvent::Done(Ok(outcome)) => {
                    self.finish(outcome);
                    self.job = None;
                }
                JobEvent::ListingDone(Ok(progress)) => {
                    self.summary = Some(format!(
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
                    self.job = None;
                }
                JobEvent::Done(Err(error)) | JobEvent::ListingDone(Err(error)) => {
                    self.fail(&error, metadata, entity);
                    self.job = None;
                }
            }
        }
    }

    fn finish(&mut self, outcome: Outcome) {
        self.summary = Some(describe(&outcome));
        self.results.set_records(outcome_records(&outcome));
        self.results
            .set_entity_rows(matches!(outcome, Outcome::Entities(_)));
        self.results_entity = match outcome {
            Outcome::Record(_)
            | Outcome::Created(_)
            | Outcome::Loaded(_)
            | Outcome::Updated(..) => self.job_entity.clone(),
            _ => None,
        };
        if let (Outcome::Loaded(record) | Outcome::Updated(_, record), Some(forms)) =
            (&outcome, &mut self.forms)
            && let Err(problem) = forms.update.load(record)
        {
            self.form_problem = Some(problem);
        }
        self.outcome = Some(outcome);
    }

    fn fail(
        &mut self,
        error: &ODataError,
        metadata: Option<&LoadedMetadata>,
        entity: Option<&str>,
    ) {
        let fields = entity
            .zip(metadata)
            .map(|(entity, metadata)| field_names(metadata, entity))
            .unwrap_or_default();
        let report = ErrorReport::with_sent_values(error, &fields, &self.sent);
        if let (Some(field), Some(forms)) = (&report.field, &mut self.forms) {
            forms.create.highlight_field(field);
            forms.update.highlight_field(field);
        }
        self.error = Some(report);
    }

    /// Starts `job`, run for `entity` (none for listing the entity sets).
    fn start(&mut self, job: Job, entity: Option<&str>) {
        self.job_entity = entity.map(str::to_owned);
        if let Some(forms) = &mut self.forms {
            forms.create.clear_highlights();
            forms.update.clear_highlights();
        }
        if matches!(job, Job::Listing(_)) {
            self.results.clear();
            self.results_entity = self.job_entity.clone();
        }
        self.outcome = None;
        self.error = None;
        self.form_problem = None;
        self.summary = None;
        self.job = Some(job);
    }
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

/// The records an outcome shows in the results table.
fn outcome_records(outcome: &Outcome) -> Vec<Value> {
    match outcome {
        Outcome::Record(record)
        | Outcome::Created(record)
        | Outcome::Loaded(record)
        | Outcome::Updated(_, record) => vec![record.clone()],
        Outcome::ActionResult(Some(Value::Array(items))) => items.clone(),
        Outcome::ActionResult(Some(record @ Value::Object(_))) => vec![record.clone()],
        Outcome::ActionResult(Some(value)) => vec![serde_json::json!({ "value": value })],
        Outcome::Entities(sets) => sets
            .iter()
            .map(|s| serde_json::json!({ "name": s.name, "kind": s.kind, "url": s.url }))
            .collect(),
        Outcome::ActionResult(None) | Outcome::Deleted(_) => Vec::new(),
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Record(_) => "Record found".to_owned(),
        Outcome::Created(_) => "Record created".to_owned(),
        Outcome::Loaded(_) => "Record loaded: edit the fields, then save the changes".to_owned(),
        Outcome::Updated(path, _) => format!("Updated {path}"),
        Outcome::Deleted(path) => format!("Deleted {path}"),
        Outcome::ActionResult(Some(_)) => "Action executed; it returned a result".to_owned(),
        Outcome::ActionResult(None) => "Action executed".to_owned(),
        Outcome::Entities(sets) => format!("{} entity sets", sets.len()),
    }
}

/// Draws the explorer: action bar, the action's form, progress, errors and results.
pub fn explorer_ui(ui: &mut egui::Ui, explorer: &mut Explorer, mut cx: ExplorerContext<'_>) {
    let entity = cx.state.selected_entity.clone();
    explorer.poll(cx.metadata, entity.as_deref());
    explorer.ensure_forms(cx.metadata, entity.as_deref());
    if let Some(forms) = explorer.forms.as_mut()
        && entity.as_deref() == Some(forms.entity.as_str())
        && let Some(inputs) = cx.state.pending_inputs.take()
    {
        forms.apply_inputs(&inputs);
    }
    if explorer.is_busy() {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }

    ui.horizontal_wrapped(|ui| {
        for action in ConnectorAction::ALL {
            ui.selectable_value(&mut cx.state.action, action, action.label())
                .on_hover_text(action.description());
        }
    });
    ui.separator();
    let mut request = FormRequest::None;
    ui.horizontal(|ui| {
        ui.heading(cx.state.action.label());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let ready = form_ready(explorer, &cx, entity.as_deref());
            request = forms::primary_action_ui(
                ui,
                cx.state.action,
                explorer.forms.as_ref(),
                ready && !explorer.is_busy(),
                &mut explorer.confirm_delete,
            );
            ui.label(
                egui::RichText::new("Ctrl+Enter")
                    .color(theme::MUTED)
                    .small(),
            );
        });
    });
    ui.label(egui::RichText::new(cx.state.action.description()).color(theme::MUTED));
    ui.add_space(4.0);

    let room = ui.available_height();
    let form = egui::ScrollArea::vertical()
        .id_salt(("form", cx.state.action))
        .max_height(splitter::form_max_height(explorer.form_height, room))
        .auto_shrink([false, true])
        .show(ui, |ui| form_area_ui(ui, explorer, &cx, entity.as_deref()));
    let form_request = form.inner;
    splitter::form_splitter_ui(ui, &mut explorer.form_height, form.inner_rect.top(), room);
    if form_request != FormRequest::None {
        request = form_request;
    }
    if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter)) {
        request = match cx.state.action {
            ConnectorAction::UpdateRecord
                if explorer
                    .forms
                    .as_ref()
                    .is_some_and(|f| f.update.is_loaded()) =>
            {
                FormRequest::Save
            }
            ConnectorAction::UpdateRecord => FormRequest::Load,
            ConnectorAction::DeleteRecord => {
                explorer.confirm_delete = true;
                FormRequest::None
            }
            _ => FormRequest::Run,
        };
    }
    if let Some(problem) = &explorer.form_problem {
        ui.colored_label(theme::ERROR, problem);
    }
    if request != FormRequest::None
        && !explorer.is_busy()
        && start_request(ui.ctx(), explorer, &cx, entity.as_deref(), request)
    {
        let recent = RecentAction {
            instance: cx.connected.map(|c| c.name.clone()).unwrap_or_default(),
            entity: entity
                .clone()
                .filter(|_| cx.state.action != ConnectorAction::ListEntities),
            action: cx.state.action,
            inputs: explorer
                .forms
                .as_ref()
                .and_then(|forms| forms.inputs(cx.state.action)),
        };
        cx.state.remember(recent);
    }

    ui.add_space(4.0);
    progress_ui(ui, explorer);
    if let Some(report) = &explorer.error {
        let stale = report.status == Some(412) && cx.state.action == ConnectorAction::UpdateRecord;
        match error_panel::error_panel_ui(ui, report, stale) {
            ErrorPanelAction::Reload if !explorer.is_busy() => {
                start_request(
                    ui.ctx(),
                    explorer,
                    &cx,
                    entity.as_deref(),
                    FormRequest::Load,
                );
            }
            ErrorPanelAction::ShowRequest => {
                explorer.request_to_show = Some(RequestToShow {
                    request: report.request.clone(),
                    status: report.status,
                });
            }
            _ => {}
        }
    }
    if let Some(summary) = &explorer.summary {
        ui.label(egui::RichText::new(summary).color(theme::SUCCESS));
    }
    ui.add_space(4.0);
    let writable = explorer.forms.is_some()
        && entity.is_some()
        && explorer.results_entity == entity
        && !explorer.is_busy();
    explorer.results.set_record_actions(writable);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.set_min_height(ui.available_height().max(0.0));
        results_ui(ui, &mut explorer.results);
    });
    if let Some(request) = explorer.results.take_record_request() {
        record_request(ui.ctx(), explorer, &mut cx, entity.as_deref(), request);
    }
}

/// The form area of the selected action; returns what the user asked for.
fn form_area_ui(
    ui: &mut egui::Ui,
    explorer: &mut Explorer,
    cx: &ExplorerContext<'_>,
    entity: Option<&str>,
) -> FormRequest {
    let Some(connected) = cx.connected else {
        ui.label(egui::RichText::new("Waiting for the instance to connect…").color(theme::MUTED));
        return FormRequest::None;
    };
    let busy = explorer.is_busy();
    if cx.state.action == ConnectorAction::ListEntities {
        crate::ui::forms::url_preview_ui(ui, "GET", Ok(connected.service_root.clone()));
        return FormRequest::None;
    }
    if entity.is_none() {
        ui.label(egui::RichText::new("Pick an entity first (Ctrl+K)").color(theme::MUTED));
        return FormRequest::None;
    }
    if let Some(problem) = &explorer.forms_error {
        ui.colored_label(theme::ERROR, format!("No form for this entity: {problem}"));
        return FormRequest::None;
    }
    let Some(forms) = &mut explorer.forms else {
        return FormRequest::None;
    };
    entity_form_ui(
        ui,
        cx.state.action,
        forms,
        &connected.service_root,
        busy,
        &mut explorer.confirm_delete,
    )
}

/// Whether the selected action has what it needs to run: a connection and, except for
/// listing the entities, the selected entity's forms.
fn form_ready(explorer: &Explorer, cx: &ExplorerContext<'_>, entity: Option<&str>) -> bool {
    cx.connected.is_some()
        && (cx.state.action == ConnectorAction::ListEntities
            || (entity.is_some() && explorer.forms.is_some() && explorer.forms_error.is_none()))
}

fn progress_ui(ui: &mut egui::Ui, explorer: &mut Explorer) {
    let Some(job) = &explorer.job else {
        return;
    };
    ui.horizontal(|ui| {
        match job {
            Job::Listing(listing) => {
                let p = listing.progress;
                let text = format!(
                    "{} records · {} page{} · {:.0} records/s",
                    p.records,
                    p.pages,
                    if p.pages == 1 { "" } else { "s" },
                    p.rate()
                );
                let bar = match p.total.filter(|t| *t > 0) {
                    Some(total) => egui::ProgressBar::new(p.records as f32 / total as f32),
                    None => egui::ProgressBar::new(0.0).animate(true),
                };
                ui.add(bar.text(text).desired_width(ui.available_width() - 90.0));
            }
            Job::OneShot(_) => {
                ui.spinner();
                ui.label("Waiting for the server…");
            }
        }
        if ui.button("Cancel").clicked() {
            job.cancel();
        }
    });
}
