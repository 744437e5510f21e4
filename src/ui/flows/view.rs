//! The Flows view's layout: flows and runs on the left, the cards in the middle with
//! Validate, Run and Cancel above them, the selected card on the right.

use std::path::PathBuf;

use serde_json::Value;

use super::cards::{cards_ui, status_badge};
use super::details::details_ui;
use super::files::{example_flows, flow_name};
use super::job::JobNews;
use super::launch::{self, Launch};
use super::{CardKey, FlowsView};
use crate::flow::run::{RunEvent, Status};
use crate::ui::LoadedMetadata;
use crate::ui::connection::Connected;
use crate::ui::theme;

/// What the view needs from the window: the instance, its metadata, the runtime.
pub struct FlowsContext<'a> {
    /// The connected instance, if any.
    pub connected: Option<&'a Connected>,
    /// Its metadata.
    pub metadata: Option<&'a LoadedMetadata>,
    /// Where runs run.
    pub runtime: Option<&'a tokio::runtime::Handle>,
}

/// Draws the Flows view.
pub fn flows_ui(ui: &mut egui::Ui, view: &mut FlowsView, cx: &FlowsContext<'_>) {
    super::editor::shortcuts_and_autosave(ui.ctx(), view);
    let dataset = cx
        .connected
        .and_then(|c| url::Url::parse(&c.service_root).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "contoso.operations.dynamics.com".to_owned());
    super::editor::step_picker_ui(ui.ctx(), view, &dataset);
    compare_ui(ui.ctx(), view);
    egui::Panel::left("flows-list")
        .resizable(true)
        .default_size(230.0)
        .show(ui, |ui| list_ui(ui, view));
    egui::Panel::right("flows-details")
        .resizable(true)
        .default_size(360.0)
        .show(ui, |ui| details_ui(ui, view, cx.metadata, &dataset));
    egui::CentralPanel::default().show(ui, |ui| flow_ui(ui, view, cx));
}

/// What runs whatever view is on screen: the run under way reports, a scheduled flow starts
/// when its time comes.
pub fn flows_background(ctx: &egui::Context, view: &mut FlowsView, cx: &FlowsContext<'_>) {
    poll(view);
    launch::next_split_run(ctx, view, cx);
    super::watch::poll_watches(view);
    super::watch::poll_replay(view);
    super::trigger_form::load_catalog_when_wanted(view, cx);
    run_when_due(ctx, view, cx);
}

/// Applies what the run under way reported.
fn poll(view: &mut FlowsView) {
    let Some(job) = &view.job else {
        return;
    };
    for news in job.poll() {
        match news {
            JobNews::Event(RunEvent::Started { name, path }) => {
                view.live.insert((path, name), Status::Running);
            }
            JobNews::Event(RunEvent::Ended(record)) => {
                view.live
                    .insert((record.path.clone(), record.name.clone()), record.status);
                if let Some(run) = &mut view.shown_run {
                    run.actions.push(*record);
                }
            }
            // What a caller would get: the window shows the run's record instead.
            JobNews::Event(RunEvent::Responded(_)) => {}
            JobNews::Finished(record) => {
                view.shown_run = Some(*record);
                view.live.clear();
                view.job = None;
                view.refresh_runs();
                return;
            }
        }
    }
}

/// Open a flow (path, dialog, examples) and the runs of the open one.
fn list_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    if let Some(dialog) = &view.dialog
        && let Ok(picked) = dialog.try_recv()
    {
        view.dialog = None;
        if let Some(path) = picked {
            view.open_path(path);
        }
    }
    if let Some(dialog) = &view.save_dialog
        && let Ok(picked) = dialog.try_recv()
    {
        view.save_dialog = None;
        if let Some(path) = picked {
            view.save(Some(path));
        }
    }
    ui.label(egui::RichText::new("Open a flow").strong());
    ui.horizontal(|ui| {
        let label = ui.label("File");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut view.path_field)
                    .hint_text("flow.json, package.zip or a folder")
                    .desired_width(130.0),
            )
            .labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Open").clicked() || entered) && !view.path_field.trim().is_empty() {
            let path = PathBuf::from(view.path_field.trim());
            view.open_path(path);
        }
    });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(view.dialog.is_none(), egui::Button::new("Browse…"))
            .clicked()
        {
            view.dialog = Some(open_dialog(ui.ctx().clone()));
        }
        if ui
            .button("New flow")
            .on_hover_text("A new flow with a manual trigger, saved to the path in File")
            .clicked()
        {
            let path = if view.path_field.trim().is_empty() {
                PathBuf::from("new-flow.json")
            } else {
                PathBuf::from(view.path_field.trim())
            };
            view.new_flow(path);
        }
    });
    if let Some(error) = &view.open_error {
        ui.label(egui::RichText::new(error).color(theme::ERROR).small());
    }
    if view.open.is_some() {
        ui.horizontal(|ui| {
            if ui
                .button("Save to path")
                .on_hover_text("Saves the open flow to the path in File")
                .clicked()
                && !view.path_field.trim().is_empty()
            {
                let path = PathBuf::from(view.path_field.trim());
                view.save(Some(path));
            }
            if ui
                .add_enabled(view.save_dialog.is_none(), egui::Button::new("Save as…"))
                .on_hover_text("Chooses where to save it with the system dialog")
                .clicked()
            {
                view.save_dialog = Some(save_dialog(ui.ctx().clone()));
            }
        });
        super::packages::export_ui(ui, view);
    }
    if !view.recent.is_empty() {
        ui.separator();
        ui.label(egui::RichText::new("Recent").strong());
        let mut picked = None;
        for path in &view.recent {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if ui
                .link(name)
                .on_hover_text(path.display().to_string())
                .clicked()
            {
                picked = Some(path.clone());
            }
        }
        if let Some(path) = picked {
            view.open_path(path);
        }
    }
    ui.separator();
    ui.label(egui::RichText::new("Examples").strong());
    for (label, path) in example_flows() {
        if ui.link(label).clicked() {
            view.open_path(path);
        }
    }
    ui.separator();
    ui.label(egui::RichText::new("Runs").strong());
    if view.runs.is_empty() {
        ui.label(egui::RichText::new("No runs of this flow yet.").color(theme::MUTED));
    }
    let mut picked = None;
    egui::ScrollArea::vertical()
        .id_salt("flow-runs")
        .show(ui, |ui| {
            for run in &view.runs {
                let time = run.start_time.get(11..19).unwrap_or(&run.start_time);
                let text = format!("{time} · {} · {} ms", run.status, run.duration_ms);
                let current = view.shown_run.as_ref().is_some_and(|r| r.id == run.id);
                ui.horizontal(|ui| {
                    if ui.selectable_label(current, text).clicked() {
                        picked = Some((run.id.clone(), false));
                    }
                    let other =
                        view.shown_run.as_ref().is_some_and(|r| !r.id.is_empty()) && !current;
                    if other
                        && ui
                            .small_button("Compare")
                            .on_hover_text("Compares this run with the run shown, step by step")
                            .clicked()
                    {
                        picked = Some((run.id.clone(), true));
                    }
                });
            }
        });
    if let Some((id, compare)) = picked
        && let Ok(history) = crate::flow::history::RunHistory::open_default()
        && let Ok(Some(run)) = history.get(&id)
    {
        if compare {
            view.compare = Some(run);
        } else {
            view.shown_run = Some(run);
        }
    }
}

/// Two runs side by side: each step's status and duration in both, the differences marked.
pub fn compare_ui(ctx: &egui::Context, view: &mut FlowsView) {
    let (Some(left), Some(right)) = (&view.shown_run, &view.compare) else {
        return;
    };
    let mut open = true;
    let mut names: Vec<(Vec<String>, String)> = Vec::new();
    for record in left.actions.iter().chain(&right.actions) {
        let key = (record.path.clone(), record.name.clone());
        if !names.contains(&key) {
            names.push(key);
        }
    }
    let last = |run: &crate::flow::run::RunRecord, key: &(Vec<String>, String)| {
        run.actions
            .iter()
            .rev()
            .find(|a| a.path == key.0 && a.name == key.1)
            .map(|a| (a.status, a.duration_ms, a.outputs.clone()))
    };
    let title = |run: &crate::flow::run::RunRecord| {
        let time = run
            .start_time
            .get(11..19)
            .unwrap_or(&run.start_time)
            .to_owned();
        format!("{time} ({})", status_badge(run.status))
    };
    let (left_title, right_title) = (title(left), title(right));
    egui::Window::new("Compare runs")
        .open(&mut open)
        .default_width(640.0)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical()
                .max_height(480.0)
                .show(ui, |ui| {
                    egui::Grid::new("compare-runs")
                        .striped(true)
                        .num_columns(4)
                        .show(ui, |ui| {
                            ui.label(egui::RichText::new("Step").strong());
                            ui.label(egui::RichText::new(&left_title).strong());
                            ui.label(egui::RichText::new(&right_title).strong());
                            ui.label(egui::RichText::new("Outputs").strong());
                            ui.end_row();
                            for key in &names {
                                let shown = |cell: &Option<(Status, u64, Value)>| match cell {
                                    Some((status, ms, _)) => {
                                        format!("{} · {ms} ms", status_badge(*status))
                                    }
                                    None => "did not run".to_owned(),
                                };
                                let (a, b) = (last(left, key), last(right, key));
                                let differs = a.as_ref().map(|c| c.0) != b.as_ref().map(|c| c.0);
                                let outputs_differ =
                                    a.as_ref().map(|c| &c.2) != b.as_ref().map(|c| &c.2);
                                let name = if key.0.is_empty() {
                                    key.1.clone()
                                } else {
                                    format!("{} / {}", key.0.join(" / "), key.1)
                                };
                                let colour = if differs {
                                    theme::WARNING
                                } else {
                                    ui.visuals().text_color()
                                };
                                ui.label(egui::RichText::new(name).color(colour));
                                ui.label(shown(&a));
                                ui.label(shown(&b));
                                ui.label(if outputs_differ { "differ" } else { "same" });
                                ui.end_row();
                            }
                        });
                });
        });
    if !open {
        view.compare = None;
    }
}

/// The system's save dialog on its own thread.
fn save_dialog(ctx: egui::Context) -> std::sync::mpsc::Receiver<Option<PathBuf>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("flow-save-dialog".to_owned())
        .spawn(move || {
            let picked = rfd::FileDialog::new()
                .add_filter("Flow", &["json"])
                .set_file_name("flow.json")
                .save_file();
            let _ = sender.send(picked);
            ctx.request_repaint();
        });
    if spawned.is_err() {
        let (sender, receiver) = std::sync::mpsc::channel();
        let _ = sender.send(None);
        return receiver;
    }
    receiver
}

/// The system's open dialog on its own thread.
fn open_dialog(ctx: egui::Context) -> std::sync::mpsc::Receiver<Option<PathBuf>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("flow-open-dialog".to_owned())
        .spawn(move || {
            let picked = rfd::FileDialog::new()
                .add_filter("Flow or package", &["json", "zip"])
                .pick_file();
            let _ = sender.send(picked);
            ctx.request_repaint();
        });
    if spawned.is_err() {
        let (sender, receiver) = std::sync::mpsc::channel();
        let _ = sender.send(None);
        return receiver;
    }
    receiver
}

/// The open flow: its name, Run / Cancel, the trigger's inputs, problems, the cards.
fn flow_ui(ui: &mut egui::Ui, view: &mut FlowsView, cx: &FlowsContext<'_>) {
    let Some(open) = &view.open else {
        ui.heading("Flows");
        if view.record_input.is_some() {
            ui.label(
                egui::RichText::new(
                    "Open a flow (or an example) to run it on the record you picked.",
                )
                .color(theme::ACCENT),
            );
        }
        ui.label(
            egui::RichText::new(
                "A flow is a Power Automate / Logic Apps workflow definition: open one, or pick an \
                 example on the left, to see it as cards and run it against this instance.",
            )
            .color(theme::MUTED),
        );
        return;
    };
    let name = flow_name(open);
    let problems = open.problems.clone();
    let warnings = open.warnings.clone();
    let title = if view.dirty {
        format!("{name} (unsaved)")
    } else {
        name
    };
    // The buttons from the right first; the title takes what is left (cut short if needed).
    let row = egui::vec2(ui.available_width(), ui.spacing().interact_size.y + 8.0);
    ui.allocate_ui_with_layout(
        row,
        egui::Layout::right_to_left(egui::Align::Center),
        |ui| {
            match &view.job {
                Some(job) => {
                    if ui
                        .add_enabled(!job.is_cancelling(), egui::Button::new("Cancel"))
                        .on_hover_text("Stops after the action under way (Esc)")
                        .clicked()
                        || ui.input(|i| i.key_pressed(egui::Key::Escape))
                    {
                        job.cancel();
                        // The split's other items are not started either.
                        view.split = None;
                    }
                    ui.spinner();
                }
                None => {
                    let ready = cx.runtime.is_some() && problems.is_empty();
                    let run = ui
                        .add_enabled(ready, egui::Button::new("Run flow"))
                        .on_hover_text("Runs the flow against this instance (Ctrl+Enter)")
                        .on_disabled_hover_text("Fix the problems listed first")
                        .clicked();
                    let shortcut = ready
                        && ui.input_mut(|i| {
                            i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter)
                        });
                    if run || shortcut {
                        launch::start_run(ui.ctx(), view, cx, Launch::Fresh);
                    }
                    let rerun_from = failed_top_level(view);
                    if ui
                        .add_enabled(rerun_from.is_some(), egui::Button::new("Re-run from failed"))
                        .on_hover_text(
                            "Runs again from the first failed step, keeping the outputs of the steps before it",
                        )
                        .on_disabled_hover_text("The run shown has no failed step")
                        .clicked()
                        && let Some(run) = view.shown_run.clone()
                    {
                        match crate::flow::run::rerun_inputs(&run, None) {
                            Ok(inputs) => {
                                launch::start_run(ui.ctx(), view, cx, Launch::Rerun(Box::new(inputs)));
                            }
                            Err(message) => view.run_error = Some(message),
                        }
                    }
                    if ui
                        .add_enabled(view.dirty, egui::Button::new("Save"))
                        .on_hover_text("Saves the flow to its file (Ctrl+S)")
                        .clicked()
                    {
                        view.save(None);
                    }
                    if ui
                        .add_enabled(!view.redo.is_empty(), egui::Button::new("Redo"))
                        .on_hover_text("Ctrl+Y")
                        .clicked()
                    {
                        view.redo();
                    }
                    if ui
                        .add_enabled(!view.undo.is_empty(), egui::Button::new("Undo"))
                        .on_hover_text("Ctrl+Z")
                        .clicked()
                    {
                        view.undo();
                    }
                    if ui
                        .button("Validate")
                        .on_hover_text("Checks the flow, and its entities, fields and actions against this instance")
                        .clicked()
                    {
                        validate_open(view, cx);
                    }
                }
            }
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                ui.add(egui::Label::new(egui::RichText::new(&title).heading()).truncate());
            });
        },
    );
    ui.label(
        egui::RichText::new(
            view.open
                .as_ref()
                .map(|o| o.path.display().to_string())
                .unwrap_or_default(),
        )
        .color(theme::MUTED)
        .small(),
    );
    if view.open.as_ref().is_some_and(|o| o.relaxed_json) {
        ui.label(
            egui::RichText::new(
                "This file has comments or trailing commas: Save writes it as plain JSON, without them",
            )
            .color(theme::WARNING),
        );
    }
    super::watch::trigger_strip_ui(ui, view, cx);
    super::editor::recovery_ui(ui, view);
    super::packages::import_notes_ui(ui, view);
    if let Some(error) = view.edit_error.clone().filter(|_| view.selected.is_none()) {
        ui.label(egui::RichText::new(error).color(theme::ERROR));
    }
    for problem in &problems {
        ui.label(egui::RichText::new(problem).color(theme::ERROR));
    }
    for warning in &warnings {
        ui.label(
            egui::RichText::new(format!("Fails here when run: {warning}")).color(theme::WARNING),
        );
    }
    if view.validated == Some(true) {
        let found = if warnings.is_empty() {
            "Valid: no problem found".to_owned()
        } else {
            format!(
                "Valid: {} step(s) run only in the cloud and fail here, the rest runs",
                warnings.len()
            )
        };
        ui.label(egui::RichText::new(found).color(theme::SUCCESS));
    }
    if !record_input_ui(ui, view) {
        super::trigger_inputs::trigger_inputs_ui(ui, view);
    }
    super::parameters::parameters_ui(ui, view);
    if let Some(error) = &view.run_error {
        ui.label(egui::RichText::new(error).color(theme::ERROR));
    }
    run_summary_ui(ui, view);
    ui.separator();
    ui.checkbox(&mut view.branches_side_by_side, "Branches side by side")
        .on_hover_text("Shows the branches of conditions and switches in columns");
    egui::ScrollArea::vertical()
        .id_salt("flow-cards")
        .auto_shrink([false, false])
        .show(ui, |ui| cards_ui(ui, view));
}

/// The explorer's record the flow runs on, with a way to drop it; `false` when there is none.
fn record_input_ui(ui: &mut egui::Ui, view: &mut FlowsView) -> bool {
    let Some(record) = &view.record_input else {
        return false;
    };
    let summary: Vec<String> = record
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with('@'))
        .take(3)
        .map(|(k, v)| format!("{k}: {}", crate::connector::records::cell_text(v)))
        .collect();
    let mut clear = false;
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new("Runs on the record").strong());
        ui.label(egui::RichText::new(summary.join(" · ")).monospace());
        clear = ui
            .small_button("Clear")
            .on_hover_text("Use the trigger's inputs instead")
            .clicked();
    });
    if clear {
        view.record_input = None;
    }
    true
}

/// One line on the run shown: status, duration, first failure.
fn run_summary_ui(ui: &mut egui::Ui, view: &FlowsView) {
    if view.job.is_some() {
        let done = view.live.values().filter(|s| s.is_final()).count();
        let of_split = view.split.as_ref().map_or_else(String::new, |split| {
            format!(" (run {} of {})", split.current(), split.total)
        });
        ui.label(
            egui::RichText::new(format!("Running… {done} actions done{of_split}"))
                .color(theme::ACCENT),
        );
        return;
    }
    let Some(run) = &view.shown_run else {
        return;
    };
    // A run refused before it started (its inputs, its parameters) leaves the line and the
    // cards on the run shown before: say so, so it is not read as the click's outcome.
    let previous = view.run_error.is_some();
    let mut text = format!(
        "{}{} in {} ms",
        if previous { "Previous run: " } else { "" },
        status_badge(run.status),
        run.duration_ms
    );
    if let Some(split) = &view.split {
        text.push_str(&format!(" · {}", split.describe()));
    }
    if let Some(error) = &run.error {
        text.push_str(&format!(" · {}", error.message));
    }
    let colour = if previous {
        theme::MUTED
    } else if run.status == Status::Succeeded {
        theme::SUCCESS
    } else {
        theme::ERROR
    };
    ui.label(egui::RichText::new(text).color(colour));
}

/// The first failed top-level step of the run shown (a finished run with an id).
fn failed_top_level(view: &FlowsView) -> Option<String> {
    let run = view.shown_run.as_ref().filter(|r| !r.id.is_empty())?;
    run.actions
        .iter()
        .filter(|a| a.path.is_empty())
        .find(|a| {
            matches!(
                a.status,
                Status::Failed | Status::TimedOut | Status::Cancelled
            )
        })
        .map(|a| a.name.clone())
}

/// Checks the open flow, with the instance's metadata when there is one; the problems are
/// listed above the cards (and block Run until fixed).
fn validate_open(view: &mut FlowsView, cx: &FlowsContext<'_>) {
    let Some(open) = &mut view.open else {
        return;
    };
    open.check(cx.metadata.map(|m| &m.model));
    view.run_error = None;
    view.validated = Some(open.problems.is_empty());
}

/// A flow whose recurrence is turned on runs at each of its times while the window is open
/// (a run still under way when the next time comes makes that time wait for it).
fn run_when_due(ctx: &egui::Context, view: &mut FlowsView, cx: &FlowsContext<'_>) {
    let Some(next) = view.schedule_next else {
        return;
    };
    let now = chrono::Utc::now();
    if now < next {
        let wait = (next - now).to_std().unwrap_or_default();
        ctx.request_repaint_after(wait);
        return;
    }
    if view.job.is_some() {
        ctx.request_repaint_after(std::time::Duration::from_millis(200));
        return;
    }
    launch::start_run(ctx, view, cx, Launch::Fresh);
    view.scheduled_runs += 1;
    view.schedule_next = view.next_scheduled_run(now + chrono::Duration::milliseconds(1));
}

/// A key for a card, for tests and the window: enclosing actions and name.
pub fn card_key(path: &[&str], name: &str) -> CardKey {
    (
        path.iter().map(|s| (*s).to_owned()).collect(),
        name.to_owned(),
    )
}
