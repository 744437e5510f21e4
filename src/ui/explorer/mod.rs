//! The explorer: runs the connector's actions against the connected instance and shows the
//! results, the progress of long listings and errors in context.

mod error_panel;
pub mod error_report;
pub mod jobs;

use serde_json::Value;

use super::app::LoadedMetadata;
use super::connection::Connected;
use super::results::{ResultsView, results_ui};
use super::state::{ConnectorAction, RecentAction, UiState};
use super::theme;
use error_report::ErrorReport;
use jobs::{Job, JobEvent, Outcome};

/// Transient state of the explorer: the job under way and what the last one produced.
pub struct Explorer {
    job: Option<Job>,
    /// Records of the last listing or request, in the results table.
    pub results: ResultsView,
    /// What the last one-shot request produced.
    pub outcome: Option<Outcome>,
    /// The last failure, prepared for display.
    pub error: Option<ErrorReport>,
    /// A one-line summary of the last finished job.
    pub summary: Option<String>,
    /// List every page (else only the first).
    pub all_pages: bool,
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
            results,
            outcome: None,
            error: None,
            summary: None,
            all_pages: false,
        }
    }
}

impl Explorer {
    /// Whether a request or listing is under way.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
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
                    self.summary = Some(describe(&outcome));
                    self.results.set_records(outcome_records(&outcome));
                    self.outcome = Some(outcome);
                    self.job = None;
                }
                JobEvent::ListingDone(result) => {
                    match result {
                        Ok(progress) => {
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
                        }
                        Err(error) => self.fail(&error, metadata, entity),
                    }
                    self.job = None;
                }
                JobEvent::Done(Err(error)) => {
                    self.fail(&error, metadata, entity);
                    self.job = None;
                }
            }
        }
    }

    fn fail(
        &mut self,
        error: &crate::odata::client::ODataError,
        metadata: Option<&LoadedMetadata>,
        entity: Option<&str>,
    ) {
        let fields = entity
            .zip(metadata)
            .map(|(entity, metadata)| field_names(metadata, entity))
            .unwrap_or_default();
        self.error = Some(ErrorReport::new(error, &fields));
    }

    fn start(&mut self, job: Job) {
        self.results.clear();
        self.outcome = None;
        self.error = None;
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
        Outcome::Record(record) | Outcome::Created(record) => vec![record.clone()],
        Outcome::ActionResult(Some(Value::Array(items))) => items.clone(),
        Outcome::ActionResult(Some(record @ Value::Object(_))) => vec![record.clone()],
        Outcome::ActionResult(Some(value)) => vec![serde_json::json!({ "value": value })],
        Outcome::Entities(sets) => sets
            .iter()
            .map(|s| serde_json::json!({ "name": s.name, "kind": s.kind, "url": s.url }))
            .collect(),
        Outcome::ActionResult(None) | Outcome::Updated(_) | Outcome::Deleted(_) => Vec::new(),
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Record(_) => "Record found".to_owned(),
        Outcome::Created(_) => "Record created".to_owned(),
        Outcome::Updated(path) => format!("Updated {path}"),
        Outcome::Deleted(path) => format!("Deleted {path}"),
        Outcome::ActionResult(Some(_)) => "Action executed; it returned a result".to_owned(),
        Outcome::ActionResult(None) => "Action executed".to_owned(),
        Outcome::Entities(sets) => format!("{} entity sets", sets.len()),
    }
}

/// Draws the explorer: action bar, the action's form, progress, errors and results.
pub fn explorer_ui(ui: &mut egui::Ui, explorer: &mut Explorer, cx: ExplorerContext<'_>) {
    let entity = cx.state.selected_entity.clone();
    explorer.poll(cx.metadata, entity.as_deref());
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
    ui.heading(cx.state.action.label());
    ui.label(egui::RichText::new(cx.state.action.description()).color(theme::MUTED));
    ui.add_space(6.0);

    let run_shortcut = ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
    let run_requested = action_form_ui(ui, explorer, &cx, entity.as_deref()) || run_shortcut;
    if run_requested && !explorer.is_busy() && run(ui.ctx(), explorer, &cx, entity.as_deref()) {
        let recent = RecentAction {
            instance: super::connection::DEMO_INSTANCE_NAME.to_owned(),
            entity: entity
                .clone()
                .filter(|_| cx.state.action != ConnectorAction::ListEntities),
            action: cx.state.action,
        };
        cx.state.remember(recent);
    }

    ui.add_space(6.0);
    progress_ui(ui, explorer);
    if let Some(report) = &explorer.error {
        error_panel::error_panel_ui(ui, report);
    }
    if let Some(summary) = &explorer.summary {
        ui.label(egui::RichText::new(summary).color(theme::SUCCESS));
    }
    ui.add_space(4.0);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.set_min_height(ui.available_height().max(0.0));
        results_ui(ui, &mut explorer.results);
    });
}

/// The form of the selected action; returns true when the user asks to run it.
fn action_form_ui(
    ui: &mut egui::Ui,
    explorer: &mut Explorer,
    cx: &ExplorerContext<'_>,
    entity: Option<&str>,
) -> bool {
    let connected = cx.connected.is_some();
    egui::Frame::group(ui.style())
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            match cx.state.action {
                ConnectorAction::ListEntities => {}
                ConnectorAction::ListItems => {
                    match entity {
                        Some(entity) => ui.monospace(format!("GET …/{entity}")),
                        None => ui.label(
                            egui::RichText::new("Pick an entity first (Ctrl+K)")
                                .color(theme::MUTED),
                        ),
                    };
                    ui.checkbox(&mut explorer.all_pages, "All pages")
                        .on_hover_text("Follow @odata.nextLink until the last page");
                }
                _ => {
                    ui.label(
                        egui::RichText::new(
                            "The form for this action is generated from the entity's metadata.",
                        )
                        .color(theme::MUTED),
                    );
                }
            }
            let runnable = connected
                && !explorer.is_busy()
                && match cx.state.action {
                    ConnectorAction::ListEntities => true,
                    ConnectorAction::ListItems => entity.is_some(),
                    _ => false,
                };
            ui.add_enabled(runnable, egui::Button::new("Run"))
                .on_hover_text("Run the action (Ctrl+Enter)")
                .clicked()
        })
        .inner
}

/// Starts the selected action; returns whether a request was started.
fn run(
    ctx: &egui::Context,
    explorer: &mut Explorer,
    cx: &ExplorerContext<'_>,
    entity: Option<&str>,
) -> bool {
    let (Some(connected), Some(runtime)) = (cx.connected, cx.runtime) else {
        return false;
    };
    let client = connected.client.clone();
    match cx.state.action {
        ConnectorAction::ListEntities => {
            let job = Job::one_shot(runtime, ctx.clone(), async move {
                client.entity_sets().await.map(Outcome::Entities)
            });
            explorer.start(job);
            true
        }
        ConnectorAction::ListItems => {
            let Some(entity) = entity else { return false };
            match client.collection_url(entity, "") {
                Ok(url) => {
                    let job = Job::listing(runtime, ctx.clone(), client, url, explorer.all_pages);
                    explorer.start(job);
                    true
                }
                Err(error) => {
                    explorer.fail(&error, cx.metadata, Some(entity));
                    false
                }
            }
        }
        _ => false,
    }
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
