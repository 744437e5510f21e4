//! Running the actions of a scope in `runAfter` order: each action starts once the actions
//! it runs after have ended, runs when their statuses are among those it accepts and is
//! skipped otherwise; a scope's status comes from its last actions, a skipped one standing
//! for the failure that made it skip (so try/catch scopes behave as in the cloud).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::record::{ActionError, ActionRecord, Status, timestamp};
use super::state::{RunState, wdl_record};
use crate::odata::client::{CancelToken, ODataClient};
use crate::odata::metadata::Model;

/// What every action of a run can use: the instance's client and metadata, cancellation.
#[derive(Clone)]
pub struct Env {
    /// The client connector steps use (none: connector steps fail with a clear message).
    pub client: Option<ODataClient>,
    /// The instance's `$metadata`, for keys, fields and actions.
    pub model: Option<Arc<Model>>,
    /// The instance's name, for messages.
    pub instance: Option<String>,
    /// Stops the run between actions (and loops between iterations).
    pub cancel: CancelToken,
    /// Told when each action starts and ends (the window's live status).
    pub observer: Option<Observer>,
}

/// Something told about the progress of a run.
pub type Observer = Arc<dyn Fn(&RunEvent) + Send + Sync>;

/// Progress of a run, action by action.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// The action starts (its path: enclosing actions).
    Started {
        /// The action.
        name: String,
        /// Enclosing actions.
        path: Vec<String>,
    },
    /// The action ended (or was skipped).
    Ended(Box<ActionRecord>),
    /// A `Response` action answered the caller with this (`statusCode`, `headers`, `body`),
    /// whole even when the record hides it.
    Responded(Value),
}

impl Env {
    /// Tells the observer, if there is one, the event `event` builds (built only then: an
    /// event copies the action's record).
    pub(super) fn tell(&self, event: impl FnOnce() -> RunEvent) {
        if let Some(observer) = &self.observer {
            observer(&event());
        }
    }
}

/// A run under way: what expressions see and what has run.
#[derive(Default)]
pub struct Ctx {
    /// The expression state.
    pub state: RunState,
    /// Every action record, in the order they ended.
    pub records: Vec<ActionRecord>,
    /// Set by `Terminate`: the run's status and error.
    pub terminated: Option<(Status, Option<ActionError>)>,
    /// Set by `Response`.
    pub response: Option<Value>,
    /// The definition's `staticResults`, for actions that enable one.
    pub static_results: Map<String, Value>,
    /// Records of an earlier run to reuse instead of running (top-level actions by name,
    /// with the records of the actions inside them).
    pub reuse: HashMap<String, Vec<ActionRecord>>,
    /// Actions whose outputs the run history hides: an action whose inputs read them has
    /// its inputs hidden too.
    pub secured: std::collections::HashSet<String>,
    /// Whether the trigger's outputs are hidden (its `secureData`).
    pub trigger_secured: bool,
    /// Whether the `Response` that answered has its inputs hidden (the run's `response`
    /// is then hidden in the record; the caller gets it whole).
    pub response_secured: bool,
}

impl Ctx {
    /// Whether nothing more may start (cancelled or terminated).
    pub fn stopped(&self, env: &Env) -> bool {
        self.terminated.is_some() || env.cancel.is_cancelled()
    }
}

/// How a scope ended, with the records of its own (top-level) actions.
pub struct ScopeOutcome {
    /// The scope's status.
    pub status: Status,
    /// The first failure inside it.
    pub error: Option<ActionError>,
    /// The latest record of each of its actions, for `result()`.
    pub results: Vec<Value>,
}

/// What an action produced before its record is written.
pub struct Done {
    /// How it ended.
    pub status: Status,
    /// Its inputs after evaluation.
    pub inputs: Value,
    /// What it produced.
    pub outputs: Value,
    /// Why it failed.
    pub error: Option<ActionError>,
    /// Retries made.
    pub retries: Vec<String>,
}

impl Done {
    /// Succeeded with `inputs` and `outputs`.
    pub fn ok(inputs: Value, outputs: Value) -> Self {
        Self {
            status: Status::Succeeded,
            inputs,
            outputs,
            error: None,
            retries: Vec::new(),
        }
    }

    /// Failed with `code` and `message`.
    pub fn failed(inputs: Value, code: &str, message: impl Into<String>) -> Self {
        Self {
            status: Status::Failed,
            inputs,
            outputs: Value::Null,
            error: Some(ActionError {
                code: code.to_owned(),
                message: message.into(),
            }),
            retries: Vec::new(),
        }
    }
}

/// The `runAfter` of an action: each predecessor with the statuses it accepts.
pub fn run_after(action: &Value) -> Vec<(String, Vec<Status>)> {
    run_after_borrowed(action)
        .into_iter()
        .map(|(name, accepted)| (name.to_owned(), accepted))
        .collect()
}

/// Each predecessor of an action (by name) with the statuses it accepts.
type Predecessors<'a> = Vec<(&'a str, Vec<Status>)>;

/// [`run_after`] with the names borrowed from the definition.
fn run_after_borrowed(action: &Value) -> Predecessors<'_> {
    let Some(Value::Object(after)) = action.get("runAfter") else {
        return Vec::new();
    };
    after
        .iter()
        .map(|(name, statuses)| {
            let accepted: Vec<Status> = statuses
                .as_array()
                .map(|list| {
                    list.iter()
                        .filter_map(Value::as_str)
                        .filter_map(Status::parse)
                        .collect()
                })
                .unwrap_or_default();
            let accepted = if accepted.is_empty() {
                vec![Status::Succeeded]
            } else {
                accepted
            };
            (name.as_str(), accepted)
        })
        .collect()
}

/// Runs the actions of one scope (the definition's `actions`, a branch, a loop body).
pub fn run_actions<'a>(
    env: &'a Env,
    ctx: &'a mut Ctx,
    actions: &'a Map<String, Value>,
    path: &'a [String],
    iteration: Option<usize>,
) -> BoxFuture<'a, ScopeOutcome> {
    Box::pin(async move {
        let mut ended: HashMap<&str, Status> = HashMap::new();
        // For a skipped action: the status that made it skip (followed back to a failure).
        let mut effective: HashMap<&str, Status> = HashMap::new();
        let mut first_error: Option<ActionError> = None;
        // The errors of the actions that failed, by name (the scope's error is the one of
        // the action that decides its status).
        let mut errors: HashMap<&str, ActionError> = HashMap::new();
        let mut results = Vec::new();
        // Each action with its predecessors, read once per run of the scope.
        let scope: Vec<(&String, &Value, Predecessors<'_>)> = actions
            .iter()
            .map(|(name, action)| (name, action, run_after_borrowed(action)))
            .collect();
        loop {
            let ready = scope.iter().find(|(name, _, after)| {
                !ended.contains_key(name.as_str())
                    && after
                        .iter()
                        .all(|(dep, _)| ended.contains_key(dep) || !actions.contains_key(*dep))
            });
            let Some((name, action, after)) = ready else {
                break;
            };
            let (name, action) = (*name, *action);
            let unmet = after.iter().find(|(dep, accepted)| {
                ended
                    .get(dep)
                    .is_none_or(|status| !accepted.contains(status))
            });
            if path.is_empty()
                && let Some(reused) = ctx.reuse.remove(name.as_str())
                && let Some(record) = reused.last().cloned()
            {
                // Re-run from a failed action: this one keeps its earlier outputs.
                for inner in &reused {
                    ctx.state.remember(inner);
                }
                ended.insert(name, record.status);
                effective.insert(name, record.status);
                results.push(wdl_record(&record));
                ctx.records.extend(reused);
                continue;
            }
            // An action that ran is remembered with its real values as soon as it ends.
            let mut ran = false;
            let record = if ctx.stopped(env) {
                let status = if env.cancel.is_cancelled() {
                    Status::Cancelled
                } else {
                    Status::Skipped
                };
                // A Terminate that ends the run as Succeeded leaves the scopes around it
                // succeeded; a cancel or a failing Terminate cuts them short.
                let ended_well = !env.cancel.is_cancelled()
                    && matches!(ctx.terminated, Some((Status::Succeeded, _)));
                effective.insert(
                    name,
                    if ended_well {
                        Status::Succeeded
                    } else {
                        Status::Cancelled
                    },
                );
                skipped_record(
                    name,
                    action,
                    path,
                    iteration,
                    status,
                    "The run was stopped before this action started.",
                )
            } else if let Some((dep, accepted)) = unmet {
                let actual = ended.get(dep).copied();
                let expected: Vec<&str> = accepted.iter().map(|s| s.name()).collect();
                // The cloud's words, which flows read from `actions()` and `result()`.
                let message = match actual {
                    Some(actual) => format!(
                        "The execution of template action '{name}' is skipped: the 'runAfter' condition for action '{dep}' is not satisfied. Expected status values '{}' and actual value '{}'.",
                        expected.join(", "),
                        actual.name()
                    ),
                    None => {
                        format!("'runAfter' names '{dep}', which is not an action of this scope.")
                    }
                };
                let mut record =
                    skipped_record(name, action, path, iteration, Status::Skipped, &message);
                if let Some(error) = &mut record.error {
                    "ActionConditionFailed".clone_into(&mut error.code);
                }
                record
            } else {
                env.tell(|| RunEvent::Started {
                    name: name.clone(),
                    path: path.to_vec(),
                });
                let (mut record, secured) = run_one(env, ctx, name, action, path, iteration).await;
                // Expressions read the real values; the record keeps them hidden.
                ctx.state.remember(&record);
                ran = true;
                if let Some(tracked) = action.get("trackedProperties").filter(|t| t.is_object()) {
                    record.tracked_properties = Some(if secured.any() {
                        Value::String(super::secure::HIDDEN.to_owned())
                    } else {
                        tracked_properties(ctx, &record, tracked)
                    });
                }
                if secured.any() {
                    secured.hide(&mut record.inputs, &mut record.outputs);
                    if secured.outputs {
                        ctx.secured.insert(name.clone());
                    }
                    if secured.inputs && record.kind.eq_ignore_ascii_case("Response") {
                        ctx.response_secured = true;
                    }
                }
                record
            };
            env.tell(|| RunEvent::Ended(Box::new(record.clone())));
            if record.status != Status::Skipped {
                effective.insert(name, record.status);
            }
            if matches!(record.status, Status::Failed | Status::TimedOut)
                && let Some(error) = &record.error
            {
                first_error.get_or_insert_with(|| error.clone());
                errors.insert(name, error.clone());
            }
            ended.insert(name, record.status);
            let wdl = wdl_record(&record);
            if !ran {
                ctx.state.remember_wdl(name, wdl.clone());
            }
            results.push(wdl);
            ctx.records.push(record);
        }
        let (status, decided_by) = scope_status(actions, &ended, &effective);
        let error = match status {
            Status::Succeeded => None,
            _ => decided_by
                .and_then(|name| errors.get(name).cloned())
                .or(first_error),
        };
        ScopeOutcome {
            status,
            error,
            results,
        }
    })
}

/// The status of a scope, as the cloud reckons it: from its last actions (those no other
/// action runs after). A skipped one stands for every action it runs after, in turn (so a
/// failure that made a later action skip fails the scope, and a handler that ran after it
/// does not); one skipped because the run stopped counts as its `effective` status.
fn scope_status<'a>(
    actions: &'a Map<String, Value>,
    ended: &HashMap<&str, Status>,
    effective: &HashMap<&str, Status>,
) -> (Status, Option<&'a str>) {
    let followed: Vec<&str> = actions
        .values()
        .flat_map(|a| run_after_borrowed(a).into_iter().map(|(dep, _)| dep))
        .collect();
    let mut pending: Vec<&str> = actions
        .keys()
        .map(String::as_str)
        .filter(|name| !followed.contains(name))
        .collect();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut status = Status::Succeeded;
    let mut decided_by = None;
    while let Some(name) = pending.pop() {
        if !seen.insert(name) {
            continue;
        }
        let mut weigh = |found: Status| {
            let next = worse(status, found);
            if next != status {
                status = next;
                decided_by = Some(name);
            }
        };
        match ended.get(name).copied().unwrap_or(Status::Skipped) {
            Status::Skipped => match effective.get(name) {
                Some(stopped) => weigh(*stopped),
                None => {
                    if let Some(action) = actions.get(name) {
                        pending.extend(
                            run_after_borrowed(action)
                                .into_iter()
                                .map(|(dep, _)| dep)
                                .filter(|dep| actions.contains_key(*dep)),
                        );
                    }
                }
            },
            other => weigh(other),
        }
    }
    (status, decided_by)
}

fn worse(a: Status, b: Status) -> Status {
    let rank = |s: Status| match s {
        Status::Failed => 4,
        Status::TimedOut => 3,
        Status::Cancelled => 2,
        _ => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

pub(super) fn skipped_record(
    name: &str,
    action: &Value,
    path: &[String],
    iteration: Option<usize>,
    status: Status,
    message: &str,
) -> ActionRecord {
    let now = timestamp(chrono::Utc::now());
    ActionRecord {
        name: name.to_owned(),
        path: path.to_vec(),
        kind: kind_of(action).to_owned(),
        iteration,
        status,
        inputs: Value::Null,
        outputs: Value::Null,
        error: Some(ActionError {
            code: if status == Status::Cancelled {
                "Cancelled".to_owned()
            } else {
                "ActionSkipped".to_owned()
            },
            message: message.to_owned(),
        }),
        start_time: now.clone(),
        end_time: now,
        duration_ms: 0,
        retries: Vec::new(),
        tracked_properties: None,
    }
}

/// The action's `type`.
pub fn kind_of(action: &Value) -> &str {
    action.get("type").and_then(Value::as_str).unwrap_or("")
}

/// An action's `trackedProperties` evaluated with `action()` as its record; one that
/// cannot be evaluated gives its error in its place (the action's status stays).
fn tracked_properties(ctx: &mut Ctx, record: &ActionRecord, tracked: &Value) -> Value {
    ctx.state.current = Some(wdl_record(record));
    let value = match tracked {
        Value::Object(properties) => Value::Object(
            properties
                .iter()
                .map(|(key, expression)| {
                    let value = crate::flow::expr::evaluate_value(expression, &ctx.state)
                        .unwrap_or_else(|e| json!({"error": e.to_string()}));
                    (key.clone(), value)
                })
                .collect(),
        ),
        other => other.clone(),
    };
    ctx.state.current = None;
    value
}

/// Runs one action and writes its record, with the real values, and what of it the run
/// history hides.
async fn run_one(
    env: &Env,
    ctx: &mut Ctx,
    name: &str,
    action: &Value,
    path: &[String],
    iteration: Option<usize>,
) -> (ActionRecord, super::secure::Secured) {
    let started = Instant::now();
    let start_time = timestamp(chrono::Utc::now());
    let secured = super::secure::Secured::of(action, &ctx.secured, ctx.trigger_secured);
    let done = match static_result(action, &ctx.static_results) {
        Some(done) => done,
        None => super::dispatch::run_action(env, ctx, name, action, path).await,
    };
    let record = ActionRecord {
        name: name.to_owned(),
        path: path.to_vec(),
        kind: kind_of(action).to_owned(),
        iteration,
        status: done.status,
        inputs: done.inputs,
        outputs: done.outputs,
        error: done.error,
        start_time,
        end_time: timestamp(chrono::Utc::now()),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        retries: done.retries,
        tracked_properties: None,
    };
    (record, secured)
}

/// The static result an action enables (`runtimeConfiguration.staticResult` with
/// `staticResultOptions: Enabled`), from the definition's `staticResults`: the action is
/// not run, its status and outputs are those of the result.
fn static_result(action: &Value, results: &Map<String, Value>) -> Option<Done> {
    // `get` rather than `pointer`: this is asked of every action, and a pointer unescapes
    // each of its segments into a new string.
    let config = action.get("runtimeConfiguration")?.get("staticResult")?;
    let enabled = config
        .get("staticResultOptions")
        .and_then(Value::as_str)
        .is_some_and(|o| o.eq_ignore_ascii_case("Enabled"));
    if !enabled {
        return None;
    }
    let name = config.get("name").and_then(Value::as_str)?;
    let result = results.get(name)?;
    let status = result
        .get("status")
        .and_then(Value::as_str)
        .and_then(Status::parse)
        .unwrap_or(Status::Succeeded);
    let outputs = result.get("outputs").cloned().unwrap_or(Value::Null);
    let error = (status != Status::Succeeded).then(|| ActionError {
        code: result
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or("StaticResult")
            .to_owned(),
        message: result
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("The static result says the action failed.")
            .to_owned(),
    });
    Some(Done {
        status,
        inputs: json!({"staticResult": name}),
        outputs,
        error,
        retries: Vec::new(),
    })
}

/// `runtimeConfiguration.secureData.properties` (`inputs`, `outputs`).
pub fn secure_properties(action: &Value) -> Vec<String> {
    action
        .get("runtimeConfiguration")
        .and_then(|c| c.get("secureData"))
        .and_then(|c| c.get("properties"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default()
}
