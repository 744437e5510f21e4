//! Keeps the automatic triggers of some flows on: each firing goes through `splitOn` and
//! the trigger's conditions into a persistent queue, and runs start from the queue with at
//! most the trigger's concurrency limit at once (`runtimeConfiguration.concurrency.runs`,
//! 25 when not set). Stopping unregisters business event endpoints and cancels runs in
//! flight after their current action.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value, json};
use tokio::sync::{Notify, mpsc};
use tokio::task::{JoinHandle, JoinSet};

use super::clock::Clock;
use super::gate::{Gated, gate, started};
use super::kind::{BusinessEventSpec, PollSpec, SlidingWindow, TriggerKind, classify};
use super::polling::{Change, diff, fetch, key_fields};
use super::state::{ReceivedEvent, StateError, TriggerState};
use super::webhook::{Delivery, Listener, Registration, SubscribeError, hook_for};
use crate::flow::history::RunHistory;
use crate::flow::run::{Env, RunInputs, Status, run_flow, trigger};
use crate::flow::schedule::{Frequency, Recurrence};
use crate::odata::client::CancelToken;

/// Runs of one flow at once when its trigger sets no limit.
pub const DEFAULT_CONCURRENT_RUNS: usize = 25;

/// A flow to watch.
#[derive(Debug, Clone)]
pub struct WatchedFlow {
    /// Its name (runs, the history and the webhook URL use it).
    pub name: String,
    /// Its definition.
    pub definition: Map<String, Value>,
    /// Values of its parameters.
    pub parameters: Map<String, Value>,
    /// App settings besides the environment's (a Standard project's `local.settings.json`).
    pub app_settings: Map<String, Value>,
}

/// What happens while flows are watched, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchEvent {
    /// A flow's trigger is on (what it listens to or polls).
    On {
        /// The flow.
        flow: String,
        /// What is on, e.g. "business event CustomerCreatedBusinessEvent at http://…".
        detail: String,
    },
    /// Registrations left by an earlier session were removed.
    Cleaned {
        /// The flow.
        flow: String,
        /// How many.
        removed: usize,
    },
    /// A poll ended (with how many changes it found).
    Polled {
        /// The flow.
        flow: String,
        /// Changes found (0 for the baseline).
        changes: usize,
        /// When the next poll is (none: the schedule has no further time).
        next: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The trigger fired: an event was received and queued as runs.
    Received {
        /// The flow.
        flow: String,
        /// The event's id in the trigger state.
        event_id: String,
        /// Runs it queued (after `splitOn` and conditions).
        runs: usize,
        /// Why it queued none, or fewer than its items.
        note: Option<String>,
    },
    /// A run started.
    RunStarted {
        /// The flow.
        flow: String,
        /// The run.
        run_id: String,
        /// The event that started it.
        event_id: String,
    },
    /// A run ended.
    RunFinished {
        /// The flow.
        flow: String,
        /// The run.
        run_id: String,
        /// How it ended.
        status: Status,
        /// How long it took.
        duration_ms: u64,
        /// The run's error, when it failed.
        error: Option<String>,
    },
    /// Something went wrong without stopping the watch (a poll failed…).
    Problem {
        /// The flow.
        flow: String,
        /// What.
        message: String,
    },
    /// A flow's trigger is off.
    Off {
        /// The flow.
        flow: String,
        /// What was undone.
        detail: String,
    },
}

/// Why flows cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The flow's trigger cannot be watched.
    #[error("{flow}: {message}")]
    Trigger {
        /// The flow.
        flow: String,
        /// Why.
        message: String,
    },
    /// The business event subscription failed.
    #[error("{flow}: {source}")]
    Subscribe {
        /// The flow.
        flow: String,
        /// Why.
        #[source]
        source: SubscribeError,
    },
    /// The trigger state cannot be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// The webhook listener cannot start.
    #[error("the webhook listener cannot start: {0}")]
    Listener(#[from] std::io::Error),
}

/// How a watch runs.
#[derive(Clone)]
pub struct WatchOptions {
    /// The clock schedules and polls wait on.
    pub clock: Clock,
    /// Where the trigger state lives.
    pub state: Arc<Mutex<TriggerState>>,
    /// Where runs are stored (none: not stored).
    pub history: Option<Arc<Mutex<RunHistory>>>,
}

/// What the tasks of one watched flow share.
struct Watch {
    flow: WatchedFlow,
    trigger: Value,
    kind: TriggerKind,
    /// The key of the flow's queue and events in the trigger state.
    key: String,
    limit: usize,
    wake: Notify,
    options: WatchOptions,
    events: mpsc::UnboundedSender<WatchEvent>,
}

impl Watch {
    fn tell(&self, event: WatchEvent) {
        let _ = self.events.send(event);
    }

    fn state(&self) -> std::sync::MutexGuard<'_, TriggerState> {
        self.options
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// What a firing becomes: the event stored with its queued runs.
    fn prepare(&self, body: Value) -> (ReceivedEvent, Vec<Value>) {
        let body = match self.kind {
            TriggerKind::BusinessEvent(_) => trigger::business_event_body(body),
            _ => body,
        };
        let (runs, note) = match gate(&self.trigger, body.clone()) {
            Ok(gated) => {
                let runs = started(&gated);
                let skipped: Vec<String> = gated
                    .iter()
                    .filter_map(|g| match g {
                        Gated::Skipped { condition, .. } => Some(condition.clone()),
                        Gated::Start(_) => None,
                    })
                    .collect();
                let note = match skipped.first() {
                    Some(condition) => Some(format!(
                        "{} of {} skipped: the trigger condition {condition} is false",
                        skipped.len(),
                        gated.len()
                    )),
                    None if gated.is_empty() => Some("splitOn gave no items".to_owned()),
                    None => None,
                };
                (runs, note)
            }
            Err(message) => (Vec::new(), Some(message)),
        };
        let event = ReceivedEvent {
            id: uuid::Uuid::new_v4().to_string(),
            watch: self.key.clone(),
            received: crate::flow::run::timestamp(self.options.clock.now()),
            body,
            runs: Vec::new(),
            note,
        };
        (event, runs)
    }

    /// Stores a window's firing and the end of the last window run, in one transaction (a
    /// window is run once, and none is missed across restarts).
    fn fire_window(&self, key: &str, window: &crate::flow::schedule::window::Window) {
        let (event, runs) = self.prepare(window.body());
        let done = super::state::PollState {
            watermark: Some(window.end.to_rfc3339()),
            seen: Map::new(),
        };
        let stored = self
            .state()
            .record_poll(key, &done, &[(event.clone(), runs.clone())]);
        match stored {
            Ok(()) => self.received(&event, runs.len()),
            Err(err) => self.tell(WatchEvent::Problem {
                flow: self.flow.name.clone(),
                message: err.to_string(),
            }),
        }
    }

    /// Stores a firing and wakes the runner.
    fn fire(&self, body: Value) {
        let (event, runs) = self.prepare(body);
        let stored = self.state().receive(&event, &runs);
        match stored {
            Ok(()) => self.received(&event, runs.len()),
            Err(err) => self.tell(WatchEvent::Problem {
                flow: self.flow.name.clone(),
                message: err.to_string(),
            }),
        }
    }

    fn received(&self, event: &ReceivedEvent, runs: usize) {
        self.tell(WatchEvent::Received {
            flow: self.flow.name.clone(),
            event_id: event.id.clone(),
            runs,
            note: event.note.clone(),
        });
        self.wake.notify_one();
    }
}

/// Flows whose triggers are on; [`Watcher::stop`] turns them off.
pub struct Watcher {
    stop: CancelToken,
    runs: CancelToken,
    tasks: Vec<JoinHandle<()>>,
    registrations: Vec<(String, Registration)>,
    env: Env,
    events: mpsc::UnboundedSender<WatchEvent>,
    _listener: Option<Listener>,
}

/// The concurrency limit of a trigger.
fn run_limit(trigger: &Value) -> usize {
    trigger
        .pointer("/runtimeConfiguration/concurrency/runs")
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n >= 1)
        .unwrap_or(DEFAULT_CONCURRENT_RUNS)
}

impl Watcher {
    /// Turns on the triggers of `flows` against `env`'s instance; what happens is sent to
    /// `events`. Queued firings left by an earlier session start first.
    pub async fn start(
        flows: Vec<WatchedFlow>,
        env: Env,
        options: WatchOptions,
        events: mpsc::UnboundedSender<WatchEvent>,
    ) -> Result<Self, WatchError> {
        let mut watcher = Self {
            stop: CancelToken::new(),
            runs: CancelToken::new(),
            tasks: Vec::new(),
            registrations: Vec::new(),
            env: env.clone(),
            events: events.clone(),
            _listener: None,
        };
        let mut hooks: HashMap<String, Arc<Watch>> = HashMap::new();
        let (deliveries_tx, deliveries) = mpsc::unbounded_channel();
        let instance = env
            .instance
            .clone()
            .unwrap_or_else(|| "no instance".to_owned());
        for flow in flows {
            let name = flow.name.clone();
            let fail = |message: String| WatchError::Trigger {
                flow: name.clone(),
                message,
            };
            let (_, trigger) = trigger::first_trigger(&flow.definition)
                .ok_or_else(|| fail("the flow has no trigger".to_owned()))?;
            let trigger = trigger.clone();
            let kind = classify(&trigger).map_err(|e| fail(format!("trigger: {e}")))?;
            if !kind.is_automatic() {
                return Err(fail(format!(
                    "its trigger ({}) starts runs only by hand: nothing to watch; run it with flowbench run",
                    kind.label()
                )));
            }
            let watch = Arc::new(Watch {
                key: format!("{instance}|{name}"),
                limit: run_limit(&trigger),
                flow,
                trigger,
                kind: kind.clone(),
                wake: Notify::new(),
                options: options.clone(),
                events: events.clone(),
            });
            match &kind {
                TriggerKind::Recurrence(recurrence) => {
                    let mut recurrence = recurrence.clone();
                    if recurrence.start.is_none() {
                        // Without a start time the schedule counts from now.
                        recurrence.start =
                            Some(options.clock.now().with_timezone(&recurrence.zone));
                    }
                    watch.tell(WatchEvent::On {
                        flow: name.clone(),
                        detail: format!(
                            "recurrence, next run {}",
                            next_label(&recurrence, &options.clock)
                        ),
                    });
                    let from = options.clock.now();
                    watcher.spawn(recurring(
                        Arc::clone(&watch),
                        recurrence,
                        from,
                        watcher.stop.clone(),
                    ));
                }
                TriggerKind::SlidingWindow(window) => {
                    let mut window = window.clone();
                    if window.recurrence.start.is_none() {
                        window.recurrence.start =
                            Some(options.clock.now().with_timezone(&window.recurrence.zone));
                    }
                    watch.tell(WatchEvent::On {
                        flow: name.clone(),
                        detail: format!(
                            "sliding window, next window ends {}",
                            next_label(&window.recurrence, &options.clock)
                        ),
                    });
                    watcher.spawn(sliding(Arc::clone(&watch), window, watcher.stop.clone()));
                }
                TriggerKind::RecordChanged(spec) => {
                    let (Some(client), Some(model)) = (&env.client, &env.model) else {
                        return Err(fail(
                            "a record trigger needs an instance: give --instance I or --demo"
                                .to_owned(),
                        ));
                    };
                    let keys = key_fields(model, &spec.table).map_err(|e| fail(e.to_string()))?;
                    watch.tell(WatchEvent::On {
                        flow: name.clone(),
                        detail: format!("polling {} {}", spec.table, every_label(spec)),
                    });
                    let poller = Poller {
                        from: options.clock.now(),
                        watch: Arc::clone(&watch),
                        spec: spec.clone(),
                        keys,
                        client: client.clone(),
                    };
                    watcher.spawn(poller.run(watcher.stop.clone()));
                }
                TriggerKind::BusinessEvent(spec) => {
                    let registration = watcher.subscribe(&watch, spec, &deliveries_tx).await?;
                    watch.tell(WatchEvent::On {
                        flow: name.clone(),
                        detail: format!(
                            "business event {} in {} at {}",
                            spec.event, registration.company, registration.url
                        ),
                    });
                    hooks.insert(hook_for(&name), Arc::clone(&watch));
                    watcher.registrations.push((name.clone(), registration));
                }
                _ => {}
            }
            let runner = Runner {
                watch: Arc::clone(&watch),
                env: Env {
                    cancel: watcher.runs.clone(),
                    ..env.clone()
                },
            };
            watcher.spawn(runner.run(watcher.stop.clone()));
        }
        if !hooks.is_empty() {
            watcher.spawn(dispatch(deliveries, hooks, watcher.stop.clone()));
        }
        Ok(watcher)
    }

    fn spawn(&mut self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        self.tasks.push(tokio::spawn(task));
    }

    /// Starts the listener when needed, removes registrations left behind by an earlier
    /// session and registers the flow's hook.
    async fn subscribe(
        &mut self,
        watch: &Watch,
        spec: &BusinessEventSpec,
        deliveries: &mpsc::UnboundedSender<Delivery>,
    ) -> Result<Registration, WatchError> {
        let flow = watch.flow.name.clone();
        let subscribe_error = |source: SubscribeError| WatchError::Subscribe {
            flow: flow.clone(),
            source,
        };
        let client = self.env.client.clone().ok_or_else(|| WatchError::Trigger {
            flow: flow.clone(),
            message: "a business event trigger needs an instance: give --instance I or --demo"
                .to_owned(),
        })?;
        if !super::webhook::can_deliver_here(&client) {
            return Err(subscribe_error(SubscribeError::Unreachable(
                client.root().to_string(),
            )));
        }
        if self._listener.is_none() {
            self._listener = Some(Listener::start(deliveries.clone()).await?);
        }
        let hook = hook_for(&flow);
        let removed = super::webhook::remove_stale(&client, &hook, None)
            .await
            .map_err(|e| subscribe_error(e.into()))?;
        if removed > 0 {
            watch.tell(WatchEvent::Cleaned {
                flow: flow.clone(),
                removed,
            });
        }
        let url = self
            ._listener
            .as_ref()
            .map(|l| l.url_for(&hook))
            .unwrap_or_default();
        super::webhook::register(&client, spec, &url, &flow)
            .await
            .map_err(subscribe_error)
    }

    /// Turns the triggers off: stops listening and polling, unregisters the endpoints,
    /// cancels runs in flight after their current action and waits for them.
    pub async fn stop(self) {
        self.stop.cancel();
        self.runs.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
        if let Some(client) = &self.env.client {
            for (flow, registration) in &self.registrations {
                let detail = match super::webhook::unregister(client, registration).await {
                    Ok(()) => format!("endpoint {} removed", registration.endpoint_id),
                    Err(err) => format!(
                        "endpoint {} could not be removed ({err}); it is removed at the next start",
                        registration.endpoint_id
                    ),
                };
                let _ = self.events.send(WatchEvent::Off {
                    flow: flow.clone(),
                    detail,
                });
            }
        }
    }
}

fn next_label(recurrence: &Recurrence, clock: &Clock) -> String {
    recurrence
        .next_runs(clock.now(), 1)
        .first()
        .map_or_else(|| "never".to_owned(), |t| t.to_rfc3339())
}

fn every_label(spec: &PollSpec) -> String {
    match &spec.recurrence {
        Some(r) => format!("every {} {:?}", r.interval, r.frequency).to_lowercase(),
        None => "every 1 minute".to_owned(),
    }
}

/// Fires a recurrence at each of its times.
/// `from`: when the watch started (times past it fire even if the task starts late).
async fn recurring(
    watch: Arc<Watch>,
    recurrence: Recurrence,
    from: chrono::DateTime<chrono::Utc>,
    stop: CancelToken,
) {
    let clock = watch.options.clock.clone();
    let mut after = from;
    loop {
        let Some(next) = recurrence.next_runs(after, 1).first().map(|t| t.to_utc()) else {
            watch.tell(WatchEvent::Off {
                flow: watch.flow.name.clone(),
                detail: "the schedule has no further run".to_owned(),
            });
            return;
        };
        tokio::select! {
            () = stop.cancelled() => return,
            () = clock.sleep_until(next) => {}
        }
        watch.fire(json!({"scheduledTime": crate::flow::run::timestamp(next)}));
        after = next + chrono::Duration::seconds(1);
    }
}

/// Runs each window of a sliding window once it has ended (and its delay passed), from
/// the window after the last one run (kept in the trigger state), or from the trigger's
/// start time: windows missed while nothing watched are run first, oldest first.
async fn sliding(watch: Arc<Watch>, window: SlidingWindow, stop: CancelToken) {
    let clock = watch.options.clock.clone();
    let key = format!("window|{}", watch.key);
    let last_end = match watch.state().poll_state(&key) {
        Ok(state) => state
            .and_then(|s| s.watermark)
            .and_then(|w| chrono::DateTime::parse_from_rfc3339(&w).ok())
            .map(|w| w.to_utc()),
        Err(err) => {
            watch.tell(WatchEvent::Problem {
                flow: watch.flow.name.clone(),
                message: err.to_string(),
            });
            None
        }
    };
    let Some(first) = last_end.or_else(|| window.recurrence.start.map(|s| s.to_utc())) else {
        return;
    };
    let (mut start, left_out) = crate::flow::schedule::window::catch_up_from(
        &window.recurrence,
        window.delay,
        first,
        clock.now(),
    );
    if left_out > 0 {
        watch.tell(WatchEvent::Problem {
            flow: watch.flow.name.clone(),
            message: format!(
                "{left_out} missed windows before {} are not run: at most {} are caught up",
                start.to_rfc3339(),
                crate::flow::schedule::window::MAX_CAUGHT_UP
            ),
        });
    }
    loop {
        let Some(next) = crate::flow::schedule::window::starting_at(&window.recurrence, start)
        else {
            watch.tell(WatchEvent::Off {
                flow: watch.flow.name.clone(),
                detail: "the schedule has no further window".to_owned(),
            });
            return;
        };
        let due = next.end + window.delay;
        if due > clock.now() {
            tokio::select! {
                () = stop.cancelled() => return,
                () = clock.sleep_until(due) => {}
            }
        } else if stop.is_cancelled() {
            return;
        } else {
            // Catching up: let other tasks run between missed windows.
            tokio::task::yield_now().await;
        }
        watch.fire_window(&key, &next);
        start = next.end;
    }
}

/// Polls an entity at each time of its recurrence (every minute by default).
struct Poller {
    /// When the watch started.
    from: chrono::DateTime<chrono::Utc>,
    watch: Arc<Watch>,
    spec: PollSpec,
    keys: Vec<String>,
    client: crate::odata::client::ODataClient,
}

impl Poller {
    /// The key of the entity's polling state: a changed filter or detection starts over.
    fn state_key(&self) -> String {
        format!(
            "{}|{}|{}|{:?}",
            self.watch.key,
            self.spec.table,
            self.spec.filter.as_deref().unwrap_or(""),
            self.spec.detection
        )
    }

    async fn run(self, stop: CancelToken) {
        let clock = self.watch.options.clock.clone();
        let recurrence = self.spec.recurrence.clone().unwrap_or(Recurrence {
            frequency: Frequency::Minute,
            interval: 1,
            start: None,
            zone: chrono_tz::Tz::UTC,
            hours: Vec::new(),
            minutes: Vec::new(),
            week_days: Vec::new(),
            month_days: Vec::new(),
        });
        let mut recurrence = recurrence;
        if recurrence.start.is_none() {
            recurrence.start = Some(self.from.with_timezone(&recurrence.zone));
        }
        let mut after = self.from;
        loop {
            let next = recurrence
                .next_runs(after + chrono::Duration::seconds(1), 1)
                .first()
                .map(|t| t.to_utc());
            tokio::select! {
                () = stop.cancelled() => return,
                outcome = self.poll(&stop) => match outcome {
                    Ok(changes) => self.watch.tell(WatchEvent::Polled {
                        flow: self.watch.flow.name.clone(),
                        changes,
                        next,
                    }),
                    Err(message) => self.watch.tell(WatchEvent::Problem {
                        flow: self.watch.flow.name.clone(),
                        message,
                    }),
                },
            }
            let Some(next) = next else { return };
            tokio::select! {
                () = stop.cancelled() => return,
                () = clock.sleep_until(next) => {}
            }
            after = next;
        }
    }

    /// One poll: the changes since the last one stored with the new state in one
    /// transaction (so a change starts one run even across restarts).
    async fn poll(&self, stop: &CancelToken) -> Result<usize, String> {
        let key = self.state_key();
        let previous = self
            .watch
            .state()
            .poll_state(&key)
            .map_err(|e| e.to_string())?;
        let records = fetch(&self.client, &self.spec, previous.as_ref(), stop)
            .await
            .map_err(|e| format!("polling {}: {e}", self.spec.table))?;
        let (state, changes) = diff(&self.spec, &self.keys, previous.as_ref(), &records);
        if changes.is_empty() {
            self.watch
                .state()
                .record_poll(&key, &state, &[])
                .map_err(|e| e.to_string())?;
            return Ok(0);
        }
        let count = changes.len();
        let body = json!({"value": changes.iter().map(change_record).collect::<Vec<_>>()});
        let (event, runs) = self.watch.prepare(body);
        let queued = runs.len();
        self.watch
            .state()
            .record_poll(&key, &state, &[(event.clone(), runs)])
            .map_err(|e| e.to_string())?;
        self.watch.received(&event, queued);
        Ok(count)
    }
}

/// A changed record as the trigger gives it.
fn change_record(change: &Change) -> Value {
    change.record.clone()
}

/// Routes webhook deliveries to their flows.
async fn dispatch(
    mut deliveries: mpsc::UnboundedReceiver<Delivery>,
    hooks: HashMap<String, Arc<Watch>>,
    stop: CancelToken,
) {
    loop {
        let delivery = tokio::select! {
            () = stop.cancelled() => return,
            delivery = deliveries.recv() => delivery,
        };
        let Some(delivery) = delivery else { return };
        match hooks.get(&delivery.hook) {
            Some(watch) => watch.fire(delivery.body),
            None => tracing::info!("webhook: delivery for unknown hook '{}'", delivery.hook),
        }
    }
}

/// Starts queued runs of one flow, at most its limit at once.
struct Runner {
    watch: Arc<Watch>,
    env: Env,
}

impl Runner {
    async fn run(self, stop: CancelToken) {
        let mut running: JoinSet<()> = JoinSet::new();
        loop {
            while running.len() < self.watch.limit && !stop.is_cancelled() {
                let next = self.watch.state().next_pending(&self.watch.key);
                let pending = match next {
                    Ok(Some(pending)) => pending,
                    Ok(None) => break,
                    Err(err) => {
                        self.watch.tell(WatchEvent::Problem {
                            flow: self.watch.flow.name.clone(),
                            message: err.to_string(),
                        });
                        break;
                    }
                };
                let run_id = uuid::Uuid::new_v4().to_string();
                if let Err(err) = self.watch.state().start(&pending, &run_id) {
                    self.watch.tell(WatchEvent::Problem {
                        flow: self.watch.flow.name.clone(),
                        message: err.to_string(),
                    });
                    break;
                }
                self.watch.tell(WatchEvent::RunStarted {
                    flow: self.watch.flow.name.clone(),
                    run_id: run_id.clone(),
                    event_id: pending.event_id.clone(),
                });
                running.spawn(run_one(
                    Arc::clone(&self.watch),
                    self.env.clone(),
                    pending.body,
                    run_id,
                ));
            }
            tokio::select! {
                () = stop.cancelled() => break,
                () = self.watch.wake.notified() => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        while running.join_next().await.is_some() {}
    }
}

/// Runs the flow once with `body` and stores the run.
async fn run_one(watch: Arc<Watch>, env: Env, body: Value, run_id: String) {
    let inputs = RunInputs {
        flow: watch.flow.name.clone(),
        trigger_body: body,
        parameters: watch.flow.parameters.clone(),
        app_settings: watch.flow.app_settings.clone(),
        id: Some(run_id.clone()),
        ..RunInputs::default()
    };
    // Written as Running first: a run whose process is killed shows as Interrupted.
    if let Some(history) = &watch.options.history {
        let started = crate::flow::run::timestamp(chrono::Utc::now());
        let written = history
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .start(&run_id, &watch.flow.name, &started);
        if let Err(err) = written {
            watch.tell(WatchEvent::Problem {
                flow: watch.flow.name.clone(),
                message: err.to_string(),
            });
        }
    }
    let record = run_flow(&watch.flow.definition, inputs, &env).await;
    if let Some(history) = &watch.options.history {
        let saved = history
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .save(&record);
        if let Err(err) = saved {
            watch.tell(WatchEvent::Problem {
                flow: watch.flow.name.clone(),
                message: err.to_string(),
            });
        }
    }
    watch.tell(WatchEvent::RunFinished {
        flow: watch.flow.name.clone(),
        run_id,
        status: record.status,
        duration_ms: record.duration_ms,
        error: record.error.map(|e| format!("{}: {}", e.code, e.message)),
    });
}
