//! Control actions: `If`, `Switch`, `Foreach`, `Until` and `Scope` run their inner actions
//! as scopes of their own; a branch not taken is recorded as skipped.

use serde_json::{Map, Value, json};

use super::condition::evaluate_condition;
use super::engine::{Ctx, Done, Env, ScopeOutcome, run_actions, skipped_record};
use super::record::{ActionError, Status};
use super::state::LoopFrame;
use crate::flow::expr::evaluate_value;

/// How long an `Until` may run without its own `limit.timeout` (WDL's default, one hour).
const UNTIL_DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);
/// How many times an `Until` may loop without its own `limit.count` (WDL's default).
const UNTIL_DEFAULT_COUNT: u64 = 60;

fn actions_of(value: Option<&Value>) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    value
        .and_then(|v| v.get("actions"))
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn inner_path(path: &[String], name: &str) -> Vec<String> {
    let mut inner = path.to_vec();
    inner.push(name.to_owned());
    inner
}

/// The code of a container (scope, condition, loop) that failed because an action inside did.
pub const ACTION_FAILED: &str = "ActionFailed";
/// The cloud's message for it.
pub const ACTION_FAILED_MESSAGE: &str = "An action failed. No dependent actions succeeded.";

fn done_from(outcome: &ScopeOutcome, inputs: Value, outputs: Value) -> Done {
    Done {
        status: outcome.status,
        inputs,
        outputs,
        error: match outcome.status {
            Status::Succeeded => None,
            Status::Cancelled => outcome.error.clone().or_else(|| {
                Some(ActionError {
                    code: "Cancelled".to_owned(),
                    message: "The run stopped before every action inside ran.".to_owned(),
                })
            }),
            // The cloud's words, which flows read from `actions()` (the cause is in
            // `result()` and in the records of the actions inside).
            Status::Failed => Some(ActionError {
                code: ACTION_FAILED.to_owned(),
                message: ACTION_FAILED_MESSAGE.to_owned(),
            }),
            _ => outcome.error.clone().or_else(|| {
                Some(ActionError {
                    code: ACTION_FAILED.to_owned(),
                    message: ACTION_FAILED_MESSAGE.to_owned(),
                })
            }),
        },
        retries: Vec::new(),
    }
}

/// Records every action of `actions` as skipped (a branch not taken), with the cloud's
/// error.
fn skip_all(ctx: &mut Ctx, actions: &Map<String, Value>, path: &[String]) {
    for (name, action) in actions {
        let why = format!(
            "The execution of template action '{name}' skipped: the branching condition for this action is not satisfied."
        );
        let mut record = skipped_record(name, action, path, None, Status::Skipped, &why);
        if let Some(error) = &mut record.error {
            "ActionBranchingConditionNotSatisfied".clone_into(&mut error.code);
        }
        ctx.state.remember(&record);
        ctx.records.push(record);
    }
}

/// `If`: `expression` (an expression string, or the object form `{"and": [...]}`), then
/// `actions` or `else.actions`.
pub async fn run_if(env: &Env, ctx: &mut Ctx, name: &str, action: &Value, path: &[String]) -> Done {
    let expression = action.get("expression").cloned().unwrap_or(Value::Null);
    let taken = match evaluate_condition(&expression, &ctx.state) {
        Ok(taken) => taken,
        Err(message) => {
            return Done::failed(
                json!({"expression": expression}),
                "InvalidTemplate",
                format!("Action '{name}', expression: {message}"),
            );
        }
    };
    let inner = inner_path(path, name);
    let (run, skip) = if taken {
        (actions_of(Some(action)), actions_of(action.get("else")))
    } else {
        (actions_of(action.get("else")), actions_of(Some(action)))
    };
    skip_all(ctx, skip, &inner);
    let outcome = run_actions(env, ctx, run, &inner, None).await;
    done_from(
        &outcome,
        json!({"expressionResult": taken}),
        json!({"expression": taken}),
    )
}

/// `Switch`: the case whose `case` equals `expression`, else `default`.
pub async fn run_switch(
    env: &Env,
    ctx: &mut Ctx,
    name: &str,
    action: &Value,
    path: &[String],
) -> Done {
    let raw = action.get("expression").cloned().unwrap_or(Value::Null);
    let value = match evaluate_value(&raw, &ctx.state) {
        // The cloud switches on a string or an integer only.
        Ok(value @ Value::String(_)) => value,
        Ok(Value::Number(n)) if n.is_i64() || n.is_u64() => Value::Number(n),
        Ok(other) => {
            let written = raw.as_str().map_or_else(|| raw.to_string(), str::to_owned);
            return Done::failed(
                json!({"expressionValue": other}),
                "ExpressionEvaluationFailed",
                format!(
                    "The execution of template action '{name}' failed: The result of the evaluation of 'scope' action expression '{written}' is not valid. It is of type '{}' but is expected to be a value of type 'String, Integer'.",
                    type_name(&other)
                ),
            );
        }
        Err(error) => {
            return Done::failed(
                Value::Null,
                "InvalidTemplate",
                format!("Action '{name}', expression: {error}"),
            );
        }
    };
    let inner = inner_path(path, name);
    let cases = action.get("cases").and_then(Value::as_object);
    let chosen = cases.and_then(|cases| {
        cases.iter().find(|(_, case)| {
            case.get("case")
                .is_some_and(|c| super::condition::same(c, &value))
        })
    });
    let mut taken_name = "default".to_owned();
    let run = match chosen {
        Some((case_name, case)) => {
            taken_name.clone_from(case_name);
            actions_of(Some(case))
        }
        None => actions_of(action.get("default")),
    };
    for (case_name, case) in cases.into_iter().flatten() {
        if *case_name != taken_name {
            skip_all(ctx, actions_of(Some(case)), &inner);
        }
    }
    if taken_name != "default" {
        skip_all(ctx, actions_of(action.get("default")), &inner);
    }
    let outcome = run_actions(env, ctx, run, &inner, None).await;
    done_from(
        &outcome,
        json!({"expressionValue": value}),
        json!({"case": taken_name}),
    )
}

/// How many iterations of a `Foreach` run side by side: 1 with `operationOptions:
/// Sequential`, `runtimeConfiguration.concurrency.repetitions`, or 20 (the cloud's
/// default); always 1 when the body changes a variable, so that variables hold what one
/// iteration after another gives.
fn foreach_concurrency(action: &Value, body: &Map<String, Value>) -> usize {
    let sequential = action
        .get("operationOptions")
        .and_then(Value::as_str)
        .is_some_and(|o| o.to_ascii_lowercase().contains("sequential"));
    if sequential || changes_variables(body) {
        return 1;
    }
    action
        .pointer("/runtimeConfiguration/concurrency/repetitions")
        .and_then(Value::as_u64)
        .map_or(20, |n| usize::try_from(n.clamp(1, 50)).unwrap_or(1))
}

/// Whether an action of `actions` (at any depth) changes a variable.
fn changes_variables(actions: &Map<String, Value>) -> bool {
    actions.values().any(|action| {
        let kind = action
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        kind.ends_with("variable")
            || crate::flow::validate::inner_scopes(action)
                .into_iter()
                .any(|(_, inner)| changes_variables(inner))
    })
}

/// `Foreach`: the inner actions once per item of `foreach`, side by side up to the loop's
/// concurrency (one at a time when sequential or when the body changes variables).
pub async fn run_foreach(
    env: &Env,
    ctx: &mut Ctx,
    name: &str,
    action: &Value,
    path: &[String],
) -> Done {
    let raw = action.get("foreach").cloned().unwrap_or(Value::Null);
    let items = match evaluate_value(&raw, &ctx.state) {
        Ok(Value::Array(items)) => items,
        // The cloud fails a loop over null too: "The result must be a valid array".
        Ok(other) => {
            return Done::failed(
                json!({"foreach": other}),
                "InvalidTemplate",
                format!(
                    "Action '{name}', foreach: expected an array, found {}{}",
                    crate::flow::file::kind_of(&other),
                    if other.is_null() {
                        " (for no iterations when it is missing, write coalesce(…, createArray()))"
                    } else {
                        ""
                    }
                ),
            );
        }
        Err(error) => {
            return Done::failed(
                Value::Null,
                "InvalidTemplate",
                format!("Action '{name}', foreach: {error}"),
            );
        }
    };
    let inner = inner_path(path, name);
    let body = actions_of(Some(action));
    let mut status = Status::Succeeded;
    let mut error = None;
    let mut results = Vec::new();
    let mut each_iteration = IterationOutputs::default();
    let concurrency = foreach_concurrency(action, body);
    if concurrency <= 1 {
        for (index, item) in items.iter().enumerate() {
            if ctx.stopped(env) {
                break;
            }
            ctx.state.loops.push(LoopFrame {
                name: name.to_owned(),
                item: item.clone(),
                index,
            });
            let records_before = ctx.records.len();
            let outcome = run_actions(env, ctx, body, &inner, Some(index)).await;
            ctx.state.loops.pop();
            each_iteration.add(
                ctx.records[records_before..]
                    .iter()
                    .map(|r| r.name.as_str()),
                |action| ctx.state.actions.get(action),
            );
            if outcome.status != Status::Succeeded && status == Status::Succeeded {
                status = outcome.status;
                error.clone_from(&outcome.error);
            }
            results.extend(outcome.results);
        }
    } else {
        // Iterations side by side, each on its own copy of the state (the body changes no
        // variable); their records are merged back in iteration order.
        // A copy of the state is made when its iteration starts and dropped when it ends, so
        // that at most `concurrency` copies live at once.
        use futures_util::StreamExt as _;
        let base = &ctx.state;
        let static_results = &ctx.static_results;
        let (base_secured, trigger_secured) = (&ctx.secured, ctx.trigger_secured);
        let inner = &inner;
        let mut iterations: Vec<futures_util::future::BoxFuture<'_, Iteration>> =
            Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            iterations.push(Box::pin(async move {
                let mut local = Ctx {
                    state: base.clone(),
                    static_results: static_results.clone(),
                    secured: base_secured.clone(),
                    trigger_secured,
                    ..Ctx::default()
                };
                local.state.loops.push(LoopFrame {
                    name: name.to_owned(),
                    item: item.clone(),
                    index,
                });
                let outcome = run_actions(env, &mut local, body, inner, Some(index)).await;
                let mut remembered: Vec<(String, Value)> = Vec::new();
                for record in &local.records {
                    if !remembered.iter().any(|(n, _)| *n == record.name)
                        && let Some(value) = local.state.actions.remove(&record.name)
                    {
                        remembered.push((record.name.clone(), value));
                    }
                }
                Iteration {
                    records: local.records,
                    terminated: local.terminated,
                    response: local.response,
                    outcome,
                    remembered,
                    secured: local.secured,
                    response_secured: local.response_secured,
                }
            }));
        }
        let finished: Vec<Iteration> = futures_util::stream::iter(iterations)
            .buffered(concurrency)
            .collect()
            .await;
        for local in finished {
            let outcome = local.outcome;
            each_iteration.add(
                local.remembered.iter().map(|(action, _)| action.as_str()),
                |action| {
                    local
                        .remembered
                        .iter()
                        .find(|(n, _)| n == action)
                        .map(|(_, v)| v)
                },
            );
            // The latest value of each action is the one `actions('X')` sees.
            for (name, value) in local.remembered {
                ctx.state.remember_wdl(&name, value);
            }
            ctx.secured.extend(local.secured);
            ctx.response_secured |= local.response_secured;
            ctx.records.extend(local.records);
            if ctx.terminated.is_none() {
                ctx.terminated = local.terminated;
            }
            if local.response.is_some() {
                ctx.response = local.response;
            }
            if outcome.status != Status::Succeeded && status == Status::Succeeded {
                status = outcome.status;
                error.clone_from(&outcome.error);
            }
            results.extend(outcome.results);
        }
    }
    let count = items.len();
    ctx.state.results.insert(name.to_owned(), results);
    for (action, outputs) in each_iteration.0 {
        ctx.state
            .loop_outputs
            .insert(action, (name.to_owned(), outputs));
    }
    let outcome = ScopeOutcome {
        status,
        error,
        results: Vec::new(),
    };
    done_from(&outcome, json!({"count": count}), Value::Null)
}

/// The outputs of each action inside a loop, one per iteration in order (the real values,
/// where the records hide secured ones): what `outputs('X')` and `body('X')` give when read
/// from outside the loop (inside it, the current iteration's), as Power Automate flows rely
/// on to collect a loop's results without a variable.
#[derive(Default)]
struct IterationOutputs(Vec<(String, Vec<Value>)>);

impl IterationOutputs {
    /// One iteration: the actions that ran in it (names may repeat), and where their real
    /// records are.
    fn add<'a>(
        &mut self,
        ran: impl Iterator<Item = &'a str>,
        record_of: impl Fn(&str) -> Option<&'a Value>,
    ) {
        let mut seen: Vec<&str> = Vec::new();
        for action in ran {
            if seen.contains(&action) {
                continue;
            }
            seen.push(action);
            let outputs = record_of(action)
                .and_then(|r| r.get("outputs"))
                .cloned()
                .unwrap_or(Value::Null);
            match self.0.iter_mut().find(|(n, _)| n == action) {
                Some((_, all)) => all.push(outputs),
                None => self.0.push((action.to_owned(), vec![outputs])),
            }
        }
    }
}

/// What one iteration of a parallel `Foreach` leaves behind (its copy of the state is gone).
struct Iteration {
    records: Vec<super::record::ActionRecord>,
    terminated: Option<(Status, Option<ActionError>)>,
    response: Option<Value>,
    outcome: ScopeOutcome,
    /// What `actions('X')` read in the iteration for each action that ran in it (the real
    /// values, where the records hide secured ones).
    remembered: Vec<(String, Value)>,
    secured: std::collections::HashSet<String>,
    response_secured: bool,
}

/// `Until`: the inner actions, then `expression`; again until it holds, `limit.count`
/// times at most, within `limit.timeout`.
pub async fn run_until(
    env: &Env,
    ctx: &mut Ctx,
    name: &str,
    action: &Value,
    path: &[String],
) -> Done {
    let expression = action.get("expression").cloned().unwrap_or(Value::Null);
    let count = action
        .pointer("/limit/count")
        .and_then(|c| {
            c.as_u64()
                .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(UNTIL_DEFAULT_COUNT);
    let timeout = action
        .pointer("/limit/timeout")
        .and_then(Value::as_str)
        .and_then(super::data::parse_iso_duration)
        .unwrap_or(UNTIL_DEFAULT_TIMEOUT);
    let started = std::time::Instant::now();
    let inner = inner_path(path, name);
    let body = actions_of(Some(action));
    // As the cloud: reaching a limit ends the loop Succeeded, unless the action asks to
    // fail then (`operationOptions: FailWhenLimitsReached`, which ends it TimedOut).
    let fail_at_limits = action
        .get("operationOptions")
        .and_then(Value::as_str)
        .is_some_and(|o| {
            o.split(',')
                .any(|o| o.trim().eq_ignore_ascii_case("FailWhenLimitsReached"))
        });
    let mut results = Vec::new();
    let mut rounds = 0u64;
    let (status, error) = loop {
        if ctx.stopped(env) {
            break (Status::Cancelled, None);
        }
        ctx.state.loops.push(LoopFrame {
            name: name.to_owned(),
            item: Value::Null,
            index: usize::try_from(rounds).unwrap_or(usize::MAX),
        });
        let outcome = run_actions(env, ctx, body, &inner, usize::try_from(rounds).ok()).await;
        ctx.state.loops.pop();
        // As in the cloud, result() of an Until gives its last iteration's records.
        results = outcome.results;
        rounds += 1;
        if ctx.stopped(env) {
            break (outcome.status, outcome.error);
        }
        // An action that fails in an iteration other than the last does not fail the loop:
        // the next iteration runs; one that fails in the last does.
        let ended_badly =
            (outcome.status != Status::Succeeded).then(|| (outcome.status, outcome.error.clone()));
        match evaluate_condition(&expression, &ctx.state) {
            Ok(true) => break ended_badly.unwrap_or((Status::Succeeded, None)),
            Ok(false) => {}
            Err(message) => {
                ctx.state.results.insert(name.to_owned(), results);
                return Done::failed(
                    json!({"iterations": rounds}),
                    "InvalidTemplate",
                    format!("Action '{name}', expression: {message}"),
                );
            }
        }
        let limit = if rounds >= count {
            Some(format!("its limit.count ({count} iterations)"))
        } else if started.elapsed() >= timeout {
            Some("its limit.timeout".to_owned())
        } else {
            None
        };
        if let Some(limit) = limit {
            break match ended_badly {
                Some(failed) => failed,
                None if fail_at_limits => (
                    Status::TimedOut,
                    Some(ActionError {
                        code: "ActionTimedOut".to_owned(),
                        message: format!(
                            "Action '{name}' reached {limit} before its expression held (operationOptions: FailWhenLimitsReached)."
                        ),
                    }),
                ),
                None => (Status::Succeeded, None),
            };
        }
    };
    ctx.state.results.insert(name.to_owned(), results);
    if status != Status::Succeeded && status != Status::TimedOut {
        let failed = ScopeOutcome {
            status,
            error,
            results: Vec::new(),
        };
        return done_from(&failed, json!({"iterations": rounds}), Value::Null);
    }
    let mut done = Done::ok(json!({"iterations": rounds}), json!({"iterations": rounds}));
    done.status = status;
    done.error = error;
    done
}

/// `Scope`: its actions; its status comes from them, `result('Scope')` lists them.
pub async fn run_scope(
    env: &Env,
    ctx: &mut Ctx,
    name: &str,
    action: &Value,
    path: &[String],
) -> Done {
    let inner = inner_path(path, name);
    let outcome = run_actions(env, ctx, actions_of(Some(action)), &inner, None).await;
    ctx.state
        .results
        .insert(name.to_owned(), outcome.results.clone());
    done_from(&outcome, Value::Null, Value::Null)
}

/// A value's type as the cloud's messages name it.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
        Value::Number(_) => "Float",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}
