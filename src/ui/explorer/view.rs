//! Draws the explorer: the action bar, the action's heading with its main button and the
//! target it acts on, the form, and under it that action's own progress, messages and results.

use super::csv_import::csv_import_ui;
use super::error_panel::{self, ErrorPanelAction};
use super::forms::{self, FormRequest, entity_form_ui};
use super::jobs::Job;
use super::requests::{record_request, start_request};
use super::{Explorer, ExplorerContext, RequestToShow, splitter};
use crate::ui::results::results_ui;
use crate::ui::state::{ConnectorAction, RecentAction};
use crate::ui::theme;

/// Draws the explorer: action bar, the action's form, progress, errors and results.
pub fn explorer_ui(ui: &mut egui::Ui, explorer: &mut Explorer, mut cx: ExplorerContext<'_>) {
    let selected_entity = cx.state.selected_entity.clone();
    let entity = selected_entity.as_deref();
    prepare_frame(ui, explorer, &mut cx, entity);
    action_bar_ui(ui, explorer, &mut cx.state.action);
    ui.separator();
    let mut request = heading_ui(ui, explorer, &cx, entity);
    let form_request = form_with_splitter_ui(ui, explorer, &cx, entity);
    if form_request != FormRequest::None {
        request = form_request;
    }
    if let Some(shortcut) = shortcut_request(ui, explorer, cx.state.action) {
        request = shortcut;
    }
    form_problem_ui(ui, explorer);
    start_and_remember(ui.ctx(), explorer, &mut cx, entity, request);

    ui.add_space(4.0);
    progress_ui(ui, explorer, cx.state.action);
    error_ui(ui, explorer, &cx, entity);
    summary_ui(ui, explorer, cx.state.action);
    ui.add_space(4.0);
    results_area_ui(ui, explorer, &mut cx, entity);
}

/// Each frame's upkeep: polls the jobs, prepares the entity's forms, fills them with
/// inputs waiting for them (a replayed recent action) and repaints while a job runs.
fn prepare_frame(
    ui: &egui::Ui,
    explorer: &mut Explorer,
    cx: &mut ExplorerContext<'_>,
    entity: Option<&str>,
) {
    explorer.poll(cx.metadata, entity);
    explorer.ensure_forms(cx.metadata, entity);
    if let Some(forms) = explorer.forms.as_mut()
        && entity == Some(forms.entity.as_str())
        && let Some(inputs) = cx.state.pending_inputs.take()
    {
        forms.apply_inputs(&inputs);
    }
    if explorer.is_busy() {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }
}

/// The action bar: a tab per action (a busy other action in italics); the selected one
/// is the action shown.
fn action_bar_ui(ui: &mut egui::Ui, explorer: &mut Explorer, selected: &mut ConnectorAction) {
    ui.horizontal_wrapped(|ui| {
        for action in ConnectorAction::ALL {
            let mut label = egui::RichText::new(action.label());
            if explorer.busy_with() == Some(action) && action != *selected {
                label = label.italics();
            }
            ui.selectable_value(selected, action, label)
                .on_hover_text(action.description());
        }
    });
    explorer.shown = *selected;
}

/// The action's heading with its main button at the right, then its description;
/// returns what the main button asked for.
fn heading_ui(
    ui: &mut egui::Ui,
    explorer: &mut Explorer,
    cx: &ExplorerContext<'_>,
    entity: Option<&str>,
) -> FormRequest {
    let mut request = FormRequest::None;
    ui.horizontal(|ui| {
        ui.heading(cx.state.action.label());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            request = main_button_ui(ui, explorer, cx, entity);
        });
    });
    ui.label(egui::RichText::new(cx.state.action.description()).color(theme::MUTED));
    ui.add_space(4.0);
    request
}

/// The action's main button (enabled once the form is ready and no job runs), followed
/// by its Ctrl+Enter hint in a right-to-left layout.
fn main_button_ui(
    ui: &mut egui::Ui,
    explorer: &mut Explorer,
    cx: &ExplorerContext<'_>,
    entity: Option<&str>,
) -> FormRequest {
    let ready = form_ready(explorer, cx, entity);
    let busy = explorer.is_busy();
    let root = cx.connected.map(|c| c.service_root.as_str());
    let request = forms::primary_action_ui(
        ui,
        cx.state.action,
        explorer.forms.as_ref(),
        root.filter(|_| ready),
        ready && !busy,
        &mut explorer.confirm_delete,
    );
    ui.label(
        egui::RichText::new("Ctrl+Enter")
            .color(theme::MUTED)
            .small(),
    );
    request
}

/// The form, scrollable up to the splitter's height, then the splitter; returns what
/// the form asked for.
fn form_with_splitter_ui(
    ui: &mut egui::Ui,
    explorer: &mut Explorer,
    cx: &ExplorerContext<'_>,
    entity: Option<&str>,
) -> FormRequest {
    let room = ui.available_height();
    let form = egui::ScrollArea::vertical()
        .id_salt(("form", cx.state.action))
        .max_height(splitter::form_max_height(explorer.form_height, room))
        .auto_shrink([false, true])
        .show(ui, |ui| form_area_ui(ui, explorer, cx, entity));
    splitter::form_splitter_ui(ui, &mut explorer.form_height, form.inner_rect.top(), room);
    form.inner
}

/// Ctrl+Enter, if pressed: what the main button would do (loads the record to update
/// until it is loaded; for a delete, asks for the confirmation instead).
fn shortcut_request(
    ui: &mut egui::Ui,
    explorer: &mut Explorer,
    action: ConnectorAction,
) -> Option<FormRequest> {
    if !ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter)) {
        return None;
    }
    Some(match action {
        ConnectorAction::UpdateRecord
            if explorer
                .forms
                .as_ref()
                .is_some_and(|f| f.update_target().is_ok()) =>
        {
            FormRequest::Save
        }
        ConnectorAction::UpdateRecord => FormRequest::Load,
        ConnectorAction::DeleteRecord => {
            explorer.confirm_delete = true;
            FormRequest::None
        }
        _ => FormRequest::Run,
    })
}

/// What a check before sending found wrong with the form, refreshed as the fields are
/// corrected.
fn form_problem_ui(ui: &mut egui::Ui, explorer: &mut Explorer) {
    explorer.refresh_form_problems();
    if let Some(problem) = &explorer.pane().form_problem {
        ui.colored_label(theme::ERROR, problem);
    }
}

/// Starts `request` unless none is asked for or a job runs; a started request is
/// remembered among the recent actions.
fn start_and_remember(
    ctx: &egui::Context,
    explorer: &mut Explorer,
    cx: &mut ExplorerContext<'_>,
    entity: Option<&str>,
    request: FormRequest,
) {
    if request != FormRequest::None
        && !explorer.is_busy()
        && start_request(ctx, explorer, cx, entity, request)
    {
        let recent = RecentAction {
            instance: cx.connected.map(|c| c.name.clone()).unwrap_or_default(),
            entity: entity
                .map(str::to_owned)
                .filter(|_| cx.state.action != ConnectorAction::ListEntities),
            action: cx.state.action,
            inputs: explorer
                .forms
                .as_ref()
                .and_then(|forms| forms.inputs(cx.state.action)),
        };
        cx.state.remember(recent);
    }
}

/// The shown action's last error, with its buttons: Reload (a stale record to update)
/// and Show request (in the HTTP trace).
fn error_ui(
    ui: &mut egui::Ui,
    explorer: &mut Explorer,
    cx: &ExplorerContext<'_>,
    entity: Option<&str>,
) {
    let Some(report) = &explorer.pane().error else {
        return;
    };
    let stale = report.status == Some(412) && cx.state.action == ConnectorAction::UpdateRecord;
    match error_panel::error_panel_ui(ui, report, stale) {
        ErrorPanelAction::Reload if !explorer.is_busy() => {
            start_request(ui.ctx(), explorer, cx, entity, FormRequest::Load);
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

/// The shown action's summary, except "Record loaded" while the key values name another
/// record than the loaded one.
fn summary_ui(ui: &mut egui::Ui, explorer: &Explorer, action: ConnectorAction) {
    let unbound = action == ConnectorAction::UpdateRecord
        && explorer
            .forms
            .as_ref()
            .is_some_and(|f| f.update.is_loaded() && f.update_target().is_err());
    if let Some(summary) = explorer.pane().summary.as_ref().filter(|_| !unbound) {
        ui.label(egui::RichText::new(summary).color(theme::SUCCESS));
    }
}

/// The shown action's results, framed, in the rest of the height (record actions only on
/// the selected entity's records while no job runs); runs what their menus ask for.
fn results_area_ui(
    ui: &mut egui::Ui,
    explorer: &mut Explorer,
    cx: &mut ExplorerContext<'_>,
    entity: Option<&str>,
) {
    let busy = explorer.is_busy();
    let has_forms = explorer.forms.is_some();
    let pane = explorer.pane_mut(cx.state.action);
    let writable =
        has_forms && entity.is_some() && pane.results_entity.as_deref() == entity && !busy;
    pane.results.set_record_actions(writable);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.set_min_height(ui.available_height().max(0.0));
        results_ui(ui, &mut pane.results);
    });
    if let Some(request) = pane.results.take_record_request() {
        record_request(ui.ctx(), explorer, cx, entity, request);
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
        ui.horizontal(|ui| match cx.waiting.as_deref() {
            Some(status) => {
                ui.spinner();
                ui.label(egui::RichText::new(status).color(theme::MUTED));
            }
            None => {
                ui.label(
                    egui::RichText::new("No instance connected: pick one in the Instance list.")
                        .color(theme::MUTED),
                );
            }
        });
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
    let request = entity_form_ui(
        ui,
        cx.state.action,
        forms,
        &connected.service_root,
        busy,
        &mut explorer.confirm_delete,
    );
    if cx.state.action == ConnectorAction::CreateRecord
        && csv_import_ui(ui, &mut explorer.csv_import, !busy)
    {
        return FormRequest::ImportCsv;
    }
    request
}

/// Whether the selected action has what it needs to run: a connection and, except for
/// listing the entities, the selected entity's forms.
fn form_ready(explorer: &Explorer, cx: &ExplorerContext<'_>, entity: Option<&str>) -> bool {
    cx.connected.is_some()
        && (cx.state.action == ConnectorAction::ListEntities
            || (entity.is_some() && explorer.forms.is_some() && explorer.forms_error.is_none()))
}

/// The progress of the job under way, on its own action's tab; other tabs say which
/// action is busy.
fn progress_ui(ui: &mut egui::Ui, explorer: &Explorer, shown: ConnectorAction) {
    let Some(running) = &explorer.running else {
        return;
    };
    let job = &running.job;
    ui.horizontal(|ui| {
        if running.action != shown {
            ui.spinner();
            ui.label(
                egui::RichText::new(format!(
                    "{} is running; its results stay on its tab.",
                    running.action.label()
                ))
                .color(theme::MUTED),
            );
        } else {
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
        }
        if ui.button("Cancel").clicked() {
            job.cancel();
        }
    });
}
