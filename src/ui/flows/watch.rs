//! Automatic triggers in the window: the open flow's on/off switch for business events and
//! record polling (the engine's `Watcher`, the same code as `flowbench watch`), the events
//! received with the runs each started, and replay of event files for testers.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::files::flow_name;
use super::parameters::ParameterForm;
use super::view::FlowsContext;
use super::{FlowsView, OpenFlow};
use crate::flow::history::RunHistory;
use crate::flow::run::{Env, Status, trigger::first_trigger};
use crate::flow::triggers::clock::Clock;
use crate::flow::triggers::replay::{events_of, plan, replay};
use crate::flow::triggers::state::TriggerState;
use crate::flow::triggers::watcher::{WatchEvent, WatchOptions, WatchedFlow, Watcher};
use crate::flow::triggers::webhook::can_deliver_here;
use crate::flow::triggers::{TriggerKind, classify};
use crate::odata::client::CancelToken;
use crate::ui::theme;

/// Shared between the window and a background task.
type Shared<T> = Arc<Mutex<T>>;

fn lock<T>(shared: &Shared<T>) -> std::sync::MutexGuard<'_, T> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

fn lock_history(history: &Mutex<RunHistory>) -> std::sync::MutexGuard<'_, RunHistory> {
    history.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One flow whose trigger is on.
pub struct FlowWatch {
    /// The flow's file.
    pub path: PathBuf,
    /// When it was turned on.
    pub since: DateTime<Utc>,
    /// What happened, in order, with when.
    pub log: Shared<Vec<(DateTime<Utc>, WatchEvent)>>,
    /// Why it could not be turned on.
    pub error: Shared<Option<String>>,
    watcher: Shared<Option<Watcher>>,
    /// Turned off: waiting for the clean-up to end.
    pub stopping: Shared<bool>,
}

impl FlowWatch {
    /// Whether the trigger is on (started and not stopped).
    pub fn is_on(&self) -> bool {
        lock(&self.watcher).is_some()
    }

    /// The runs started and how many ended in each status.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let log = lock(&self.log);
        let events = log
            .iter()
            .filter(|(_, e)| matches!(e, WatchEvent::Received { .. }))
            .count();
        let started = log
            .iter()
            .filter(|(_, e)| matches!(e, WatchEvent::RunStarted { .. }))
            .count();
        let succeeded = log
            .iter()
            .filter(|(_, e)| {
                matches!(e, WatchEvent::RunFinished { status, .. } if *status == Status::Succeeded)
            })
            .count();
        let failed = log
            .iter()
            .filter(|(_, e)| {
                matches!(e, WatchEvent::RunFinished { status, .. } if *status != Status::Succeeded)
            })
            .count();
        (events, started, succeeded, failed)
    }
}

/// One replayed event: its label, the runs it started (id, status), why it started none.
pub type ReplayedLine = (String, Vec<(String, Status)>, Option<String>);

/// A replay under way or done.
pub struct ReplayJob {
    /// One line per replayed event.
    pub results: Shared<Vec<ReplayedLine>>,
    /// Why it stopped early.
    pub error: Shared<Option<String>>,
    /// Whether it ended.
    pub done: Shared<bool>,
}

/// The inputs of the replay form.
#[derive(Debug, Clone)]
pub struct ReplayForm {
    /// Event files, one per line.
    pub files: String,
    /// How many times each.
    pub times: u32,
    /// Shuffled.
    pub shuffle: bool,
    /// Where the latest saved event went (or why it could not be saved).
    pub saved: Option<String>,
}

impl Default for ReplayForm {
    fn default() -> Self {
        Self {
            files: String::new(),
            times: 1,
            shuffle: false,
            saved: None,
        }
    }
}

/// The open flow's automatic trigger, when it has one.
fn automatic_kind(view: &FlowsView) -> Option<TriggerKind> {
    let open = view.open.as_ref()?;
    let (_, trigger) = first_trigger(open.file.definition())?;
    classify(trigger).ok().filter(|kind| {
        matches!(
            kind,
            TriggerKind::BusinessEvent(_)
                | TriggerKind::RecordChanged(_)
                | TriggerKind::SlidingWindow(_)
        )
    })
}

/// The run environment of the connected instance.
fn env_of(cx: &FlowsContext<'_>) -> Option<Env> {
    let connected = cx.connected?;
    Some(Env {
        client: Some(connected.client.clone()),
        model: cx.metadata.map(|m| Arc::new(m.model.clone())),
        instance: Some(connected.name.clone()),
        cancel: CancelToken::new(),
        observer: None,
    })
}

/// Turns the open flow's trigger on against the connected instance.
fn turn_on(ctx: &egui::Context, view: &mut FlowsView, cx: &FlowsContext<'_>) {
    let (Some(open), Some(runtime), Some(env)) = (&view.open, cx.runtime, env_of(cx)) else {
        return;
    };
    let watch = FlowWatch {
        path: open.path.clone(),
        since: Utc::now(),
        log: Arc::default(),
        error: Arc::default(),
        watcher: Arc::default(),
        stopping: Arc::default(),
    };
    let flow = match watched_flow(open, &view.parameter_form) {
        Ok(flow) => flow,
        Err(message) => {
            view.run_error = Some(message);
            return;
        }
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (log, error, slot) = (
        Arc::clone(&watch.log),
        Arc::clone(&watch.error),
        Arc::clone(&watch.watcher),
    );
    let repaint = ctx.clone();
    runtime.spawn(async move {
        let options = match (TriggerState::open_default(), RunHistory::open_default()) {
            (Ok(state), Ok(history)) => WatchOptions {
                clock: Clock::System,
                state: Arc::new(Mutex::new(state)),
                history: Some(Arc::new(Mutex::new(history))),
            },
            (Err(e), _) => {
                *lock(&error) = Some(e.to_string());
                return;
            }
            (_, Err(e)) => {
                *lock(&error) = Some(e.to_string());
                return;
            }
        };
        match Watcher::start(vec![flow], env, options, tx).await {
            Ok(watcher) => *lock(&slot) = Some(watcher),
            Err(e) => *lock(&error) = Some(e.to_string()),
        }
        repaint.request_repaint();
    });
    let repaint = ctx.clone();
    runtime.spawn(async move {
        while let Some(event) = rx.recv().await {
            lock(&log).push((Utc::now(), event));
            repaint.request_repaint();
        }
    });
    view.watches.retain(|w| w.path != watch.path);
    view.watches.push(watch);
}

/// Turns a flow's trigger off (its endpoint registration is removed in the background).
fn turn_off(ctx: &egui::Context, watch: &FlowWatch, runtime: &tokio::runtime::Handle) {
    let Some(watcher) = lock(&watch.watcher).take() else {
        return;
    };
    *lock(&watch.stopping) = true;
    let stopping = Arc::clone(&watch.stopping);
    let repaint = ctx.clone();
    runtime.spawn(async move {
        watcher.stop().await;
        *lock(&stopping) = false;
        repaint.request_repaint();
    });
}

/// The watchers of every flow whose trigger is on, taken to be stopped (the window closes).
pub fn take_all(view: &mut FlowsView) -> Vec<Watcher> {
    view.watches
        .iter()
        .filter_map(|w| lock(&w.watcher).take())
        .collect()
}

/// Refreshes the runs list when a run of the open flow ended since the last frame.
pub fn poll_watches(view: &mut FlowsView) {
    let Some(path) = view.open.as_ref().map(|o| o.path.clone()) else {
        return;
    };
    let finished = view
        .watches
        .iter()
        .filter(|w| w.path == path)
        .map(|w| {
            lock(&w.log)
                .iter()
                .filter(|(_, e)| matches!(e, WatchEvent::RunFinished { .. }))
                .count()
        })
        .sum::<usize>();
    if finished != view.watch_runs_seen {
        view.watch_runs_seen = finished;
        view.refresh_runs();
    }
}

/// The strip above the cards for a flow with an automatic trigger: the switch, what the
/// trigger has done, and replay.
pub fn trigger_strip_ui(ui: &mut egui::Ui, view: &mut FlowsView, cx: &FlowsContext<'_>) {
    let Some(kind) = automatic_kind(view) else {
        return;
    };
    let Some(path) = view.open.as_ref().map(|o| o.path.clone()) else {
        return;
    };
    let deliverable = cx.connected.is_some_and(|c| can_deliver_here(&c.client));
    let blocked = match (&kind, cx.connected) {
        (_, None) => Some("Connect to an instance to turn the trigger on.".to_owned()),
        (TriggerKind::BusinessEvent(_), Some(c)) if !deliverable => Some(format!(
            "{} cannot deliver business events to this machine: its endpoints are configured in F&O and must be reachable from the cloud. Replay an event it sent instead (below).",
            c.name
        )),
        (TriggerKind::RecordChanged(_), Some(_)) if cx.metadata.is_none() => {
            Some("Waiting for the instance's metadata.".to_owned())
        }
        _ => None,
    };
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(format!("Trigger: {}", kind.label())).strong());
            let watch = view.watches.iter().find(|w| w.path == path);
            let on = watch.is_some_and(FlowWatch::is_on);
            let stopping = watch.is_some_and(|w| *lock(&w.stopping));
            let mut wanted = on;
            let switch = ui
                .add_enabled(
                    blocked.is_none() && !stopping,
                    egui::Checkbox::new(&mut wanted, "On while the window is open"),
                )
                .on_hover_text(match kind {
                    TriggerKind::BusinessEvent(_) => {
                        "Registers a webhook on this machine for the event; each event delivered starts a run"
                    }
                    TriggerKind::SlidingWindow(_) => {
                        "Runs each window once it has ended; windows missed while off run when it is turned on again"
                    }
                    _ => "Polls the entity; each record created or changed starts a run",
                });
            if switch.changed() {
                match (wanted, cx.runtime) {
                    (true, _) => turn_on(ui.ctx(), view, cx),
                    (false, Some(runtime)) => {
                        if let Some(watch) = view.watches.iter().find(|w| w.path == path) {
                            turn_off(ui.ctx(), watch, runtime);
                        }
                    }
                    (false, None) => {}
                }
            }
        });
        if let Some(reason) = &blocked {
            ui.label(egui::RichText::new(reason).color(theme::MUTED));
        }
        let flow = view.open.as_ref().map(flow_name).unwrap_or_default();
        if let Some(watch) = view.watches.iter().find(|w| w.path == path) {
            watch_status_ui(ui, watch, &flow, &mut view.replay_form);
        }
        replay_ui(ui, view, cx);
    });
}

/// Writes a received event's payload to `<data dir>/events/<flow>/<id>.json` (atomically)
/// and returns the path.
fn save_event(flow: &str, event_id: &str) -> Result<PathBuf, String> {
    let state = TriggerState::open_default().map_err(|e| e.to_string())?;
    let event = state
        .event(event_id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("event {event_id} is not in the trigger state"))?;
    let dir = crate::flow::history::data_dir()
        .ok_or("no data directory")?
        .join("events")
        .join(crate::flow::triggers::webhook::hook_for(flow));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.json", event.id));
    let text = serde_json::to_string_pretty(&event.body).unwrap_or_default();
    let write = || -> std::io::Result<()> {
        let mut file = tempfile::NamedTempFile::new_in(&dir)?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.persist(&path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

fn watch_status_ui(ui: &mut egui::Ui, watch: &FlowWatch, flow: &str, form: &mut ReplayForm) {
    if let Some(error) = lock(&watch.error).clone() {
        ui.label(egui::RichText::new(error).color(theme::ERROR));
        return;
    }
    let (events, started, succeeded, failed) = watch.counts();
    let state = if *lock(&watch.stopping) {
        "Turning off…".to_owned()
    } else if watch.is_on() {
        format!(
            "On since {}",
            watch.since.with_timezone(&chrono::Local).format("%H:%M:%S")
        )
    } else {
        "Off".to_owned()
    };
    let log = lock(&watch.log).clone();
    let local = |at: &DateTime<Utc>| {
        at.with_timezone(&chrono::Local)
            .format("%H:%M:%S")
            .to_string()
    };
    let last_event = log
        .iter()
        .rev()
        .find(|(_, e)| matches!(e, WatchEvent::Received { .. }))
        .map(|(at, _)| format!(" · last event {}", local(at)))
        .unwrap_or_default();
    let next_poll = log
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            WatchEvent::Polled { next, .. } => Some(*next),
            _ => None,
        })
        .flatten()
        .filter(|_| watch.is_on())
        .map(|next| format!(" · next poll {}", local(&next)))
        .unwrap_or_default();
    ui.label(
        egui::RichText::new(format!(
            "{state} · {} · {} ({succeeded} succeeded, {failed} failed){last_event}{next_poll}",
            plural(events, "event"),
            plural(started, "run")
        ))
        .color(if watch.is_on() {
            theme::SUCCESS
        } else {
            theme::MUTED
        }),
    );
    egui::CollapsingHeader::new(format!("Trigger activity ({})", log.len()))
        .id_salt(("trigger-activity", &watch.path))
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("trigger-activity-list")
                .max_height(160.0)
                .show(ui, |ui| {
                    for (at, event) in log.iter().rev() {
                        let time = at.with_timezone(&chrono::Local).format("%H:%M:%S");
                        ui.horizontal(|ui| {
                            ui.label(
                                egui::RichText::new(format!("{time}  {}", describe(event)))
                                    .monospace()
                                    .small(),
                            );
                            if let WatchEvent::Received { event_id, .. } = event
                                && ui
                                    .small_button("Save for replay")
                                    .on_hover_text("Keeps the event's payload as a file and adds it to the replay list")
                                    .clicked()
                            {
                                match save_event(flow, event_id) {
                                    Ok(path) => {
                                        if !form.files.is_empty() && !form.files.ends_with('\n') {
                                            form.files.push('\n');
                                        }
                                        form.files.push_str(&path.display().to_string());
                                        form.saved = Some(format!("Saved to {}", path.display()));
                                    }
                                    Err(message) => form.saved = Some(message),
                                }
                            }
                        });
                    }
                });
        });
}

/// `1 event`, `2 events`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// One line for an event of the trigger.
pub fn describe(event: &WatchEvent) -> String {
    let short = |id: &str| id.chars().take(8).collect::<String>();
    match event {
        WatchEvent::On { detail, .. } => format!("on: {detail}"),
        WatchEvent::Cleaned { removed, .. } => {
            format!("removed {removed} registration(s) left by an earlier session")
        }
        WatchEvent::Polled { changes, .. } => format!("polled: {changes} change(s)"),
        WatchEvent::Received {
            event_id,
            runs,
            note,
            ..
        } => format!(
            "event {} received: {runs} run(s){}",
            short(event_id),
            note.as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        ),
        WatchEvent::RunStarted {
            run_id, event_id, ..
        } => format!("run {} started by event {}", short(run_id), short(event_id)),
        WatchEvent::RunFinished {
            run_id,
            status,
            duration_ms,
            error,
            ..
        } => format!(
            "run {} {} in {duration_ms} ms{}",
            short(run_id),
            status.name(),
            error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ),
        WatchEvent::Problem { message, .. } => format!("problem: {message}"),
        WatchEvent::Off { detail, .. } => format!("off: {detail}"),
    }
}

/// Replays event files into the open flow: each file's payload(s), `times` times,
/// shuffled or not; the runs go to the history.
fn replay_ui(ui: &mut egui::Ui, view: &mut FlowsView, cx: &FlowsContext<'_>) {
    egui::CollapsingHeader::new("Replay events")
        .id_salt("replay-events")
        .show(ui, |ui| {
            let label = ui.label("Event files (one per line)");
            ui.add(
                egui::TextEdit::multiline(&mut view.replay_form.files)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY)
                    .hint_text("assets/events/customer-created.json"),
            )
            .labelled_by(label.id);
            ui.horizontal(|ui| {
                if ui.button("Add files…").clicked()
                    && let Some(files) = rfd::FileDialog::new()
                        .add_filter("Event payloads", &["json"])
                        .pick_files()
                {
                    for file in files {
                        if !view.replay_form.files.is_empty()
                            && !view.replay_form.files.ends_with('\n')
                        {
                            view.replay_form.files.push('\n');
                        }
                        view.replay_form.files.push_str(&file.display().to_string());
                    }
                }
                let times = ui.label("Times");
                ui.add(egui::DragValue::new(&mut view.replay_form.times).range(1..=100))
                    .labelled_by(times.id);
                ui.checkbox(&mut view.replay_form.shuffle, "Shuffle");
                let busy = view.replay.as_ref().is_some_and(|r| !*lock(&r.done));
                if ui
                    .add_enabled(
                        !busy && cx.runtime.is_some() && !view.replay_form.files.trim().is_empty(),
                        egui::Button::new("Replay"),
                    )
                    .on_hover_text("Feeds the events to the flow's trigger, one run after another")
                    .clicked()
                {
                    start_replay(ui.ctx(), view, cx);
                }
                if busy {
                    ui.spinner();
                }
            });
            if let Some(saved) = &view.replay_form.saved {
                ui.label(egui::RichText::new(saved).small().color(theme::MUTED));
            }
            if let Some(job) = &view.replay {
                if let Some(error) = lock(&job.error).clone() {
                    ui.label(egui::RichText::new(error).color(theme::ERROR));
                }
                for (position, (label, runs, note)) in lock(&job.results).iter().enumerate() {
                    let runs_text = if runs.is_empty() {
                        "no run".to_owned()
                    } else {
                        runs.iter()
                            .map(|(id, status)| {
                                format!(
                                    "{} {}",
                                    id.chars().take(8).collect::<String>(),
                                    status.name()
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let failed = runs.iter().any(|(_, s)| *s != Status::Succeeded);
                    let note = note
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default();
                    ui.label(
                        egui::RichText::new(format!(
                            "{}. {label}: {runs_text}{note}",
                            position + 1
                        ))
                        .small()
                        .color(if failed {
                            theme::ERROR
                        } else {
                            theme::MUTED
                        }),
                    );
                }
            }
        });
}

/// The open flow as its trigger runs it: the parameters typed above its cards, and a
/// Standard workflow's project parameters and app settings.
fn watched_flow(open: &OpenFlow, form: &ParameterForm) -> Result<WatchedFlow, String> {
    let definition = super::parameters::run_definition(open)?;
    let parameters = super::parameters::run_values(form, &definition)?;
    Ok(WatchedFlow {
        name: flow_name(open),
        definition,
        parameters,
        app_settings: crate::flow::app_settings::local_settings(&open.path)?,
    })
}

fn start_replay(ctx: &egui::Context, view: &mut FlowsView, cx: &FlowsContext<'_>) {
    let (Some(open), Some(runtime)) = (&view.open, cx.runtime) else {
        return;
    };
    let job = ReplayJob {
        results: Arc::default(),
        error: Arc::default(),
        done: Arc::default(),
    };
    let mut events = Vec::new();
    for line in view
        .replay_form
        .files
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let read = std::fs::read_to_string(line)
            .map_err(|e| format!("cannot read {line}: {e}"))
            .and_then(|text| events_of(line, &text));
        match read {
            Ok(found) => events.extend(found),
            Err(message) => {
                *lock(&job.error) = Some(message);
                *lock(&job.done) = true;
                view.replay = Some(job);
                return;
            }
        }
    }
    let seed = view.replay_form.shuffle.then(rand::random::<u64>);
    let order = plan(&events, view.replay_form.times as usize, seed);
    let flow = match watched_flow(open, &view.parameter_form) {
        Ok(flow) => flow,
        Err(message) => {
            *lock(&job.error) = Some(message);
            *lock(&job.done) = true;
            view.replay = Some(job);
            return;
        }
    };
    let env = env_of(cx).unwrap_or(Env {
        client: None,
        model: None,
        instance: None,
        cancel: CancelToken::new(),
        observer: None,
    });
    let (results, error, done) = (
        Arc::clone(&job.results),
        Arc::clone(&job.error),
        Arc::clone(&job.done),
    );
    let repaint = ctx.clone();
    runtime.spawn(async move {
        let history = RunHistory::open_default().ok().map(Mutex::new);
        let outcome = replay(&flow, &order, &env, |_, record| {
            if let Some(history) = &history {
                let _ = lock_history(history).save(record);
            }
            repaint.request_repaint();
        })
        .await;
        match outcome {
            Ok(replayed) => {
                *lock(&results) = replayed
                    .into_iter()
                    .map(|r| {
                        let runs = r
                            .runs
                            .iter()
                            .map(|run| (run.id.clone(), run.status))
                            .collect();
                        (r.label, runs, r.note)
                    })
                    .collect();
            }
            Err(message) => *lock(&error) = Some(message),
        }
        *lock(&done) = true;
        repaint.request_repaint();
    });
    view.replay = Some(job);
}

/// Whether the replay shown ended since the last frame (the runs list is then refreshed).
pub fn poll_replay(view: &mut FlowsView) {
    let ended = view.replay.as_ref().is_some_and(|job| *lock(&job.done)) && !view.replay_seen;
    if ended {
        view.replay_seen = true;
        view.refresh_runs();
    }
    if view.replay.as_ref().is_some_and(|job| !*lock(&job.done)) {
        view.replay_seen = false;
    }
}
