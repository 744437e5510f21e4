//! The runner: a workflow definition run on tokio, action by action in `runAfter` order,
//! connector steps through the connector layer, into a [`RunRecord`].

mod assert;
mod condition;
mod control;
mod data;
pub mod date_time;
mod dispatch;
pub mod engine;
pub mod record;
pub mod secure;
pub mod state;
pub(crate) mod steps;
mod table;
pub mod trigger;

use std::time::Instant;

use serde_json::{Map, Value, json};

pub use assert::KINDS as ASSERT_KINDS;
pub use data::parse_iso_duration;
pub use dispatch::{SUPPORTED, cloud_only, is_supported, runs_only_in_the_cloud};
pub use engine::{Env, Observer, RunEvent};
pub use record::{ActionError, ActionRecord, RunRecord, Status, timestamp};

use engine::{Ctx, run_actions};

/// What a run starts from besides the definition.
#[derive(Debug, Clone, Default)]
pub struct RunInputs {
    /// The flow's name, for the record and `workflow()`.
    pub flow: String,
    /// What the trigger delivers (its body).
    pub trigger_body: Value,
    /// Values of the definition's parameters (the others take their `defaultValue`).
    pub parameters: Map<String, Value>,
    /// Secrets to keep out of the record besides secure parameters (e.g. a token).
    pub secrets: Vec<String>,
    /// App settings besides the environment's (a Logic Apps Standard project's
    /// `local.settings.json` values, see [`crate::flow::app_settings`]).
    pub app_settings: Map<String, Value>,
    /// A fixed clock for `utcNow()` (tests); the real one otherwise.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// Re-run from a failed action of this earlier run (see [`rerun_inputs`]).
    pub rerun: Option<Rerun>,
    /// The run's id, when the caller needs it before the run starts (a new one otherwise).
    pub id: Option<String>,
    /// What an HTTP request delivered to a `Request` trigger besides its body: `headers`,
    /// `queries`, `relativePathParameters` (none: a run started otherwise).
    pub trigger_request: Option<Map<String, Value>>,
}

/// What a re-run takes from the earlier run.
#[derive(Debug, Clone, Default)]
pub struct Rerun {
    /// The earlier run's id.
    pub of: String,
    /// Top-level actions not run again, with their records (and those inside them).
    pub reuse: std::collections::HashMap<String, Vec<ActionRecord>>,
}

/// Action types that are always run again (they rebuild the variables).
const REPLAYED: [&str; 6] = [
    "initializevariable",
    "setvariable",
    "incrementvariable",
    "decrementvariable",
    "appendtoarrayvariable",
    "appendtostringvariable",
];

/// Inputs to re-run `earlier` from its action `from` (by default its first failed
/// top-level action): the same trigger body, and the records of the top-level actions that
/// ended before it (succeeded or skipped) reused instead of run. Variable actions run again
/// so that variables hold what they held.
pub fn rerun_inputs(earlier: &RunRecord, from: Option<&str>) -> Result<RunInputs, String> {
    let top: Vec<&ActionRecord> = earlier
        .actions
        .iter()
        .filter(|a| a.path.is_empty())
        .collect();
    let from = match from {
        Some(name) => top
            .iter()
            .position(|a| a.name == name)
            .ok_or_else(|| format!("run {} has no top-level action '{name}'", earlier.id))?,
        None => top
            .iter()
            .position(|a| {
                matches!(
                    a.status,
                    Status::Failed | Status::TimedOut | Status::Cancelled
                )
            })
            .ok_or_else(|| format!("run {} has no failed action to re-run from", earlier.id))?,
    };
    let trigger_body = trigger::delivered(&earlier.trigger);
    let trigger_request = trigger::request_of(&earlier.trigger);
    if earlier
        .trigger
        .get("outputs")
        .is_some_and(secure::holds_hidden)
    {
        return Err(format!(
            "run {} cannot be re-run: its trigger outputs are hidden in the run history \
             (secure data or a secret), so they cannot be sent again; start a new run instead",
            earlier.id
        ));
    }
    let mut reuse = std::collections::HashMap::new();
    for record in &top[..from] {
        if !matches!(record.status, Status::Succeeded | Status::Skipped)
            || REPLAYED.contains(&record.kind.to_ascii_lowercase().as_str())
        {
            continue;
        }
        let inner: Vec<ActionRecord> = earlier
            .actions
            .iter()
            .filter(|a| a.path.first() == Some(&record.name))
            .chain(std::iter::once(*record))
            .cloned()
            .collect();
        if let Some(hidden) = inner.iter().find(|a| secure::holds_hidden(&a.outputs)) {
            return Err(format!(
                "run {} cannot be re-run from '{}': the outputs of '{}' are hidden in the run \
                 history (secure data or a secret) and cannot be reused; re-run from '{}' or \
                 an earlier action, or start a new run",
                earlier.id, top[from].name, hidden.name, record.name
            ));
        }
        reuse.insert(record.name.clone(), inner);
    }
    Ok(RunInputs {
        flow: earlier.flow.clone(),
        trigger_body,
        trigger_request,
        rerun: Some(Rerun {
            of: earlier.id.clone(),
            reuse,
        }),
        ..RunInputs::default()
    })
}

/// Why a run failed: for a scope, condition or loop that failed because of an action inside
/// (the cloud's generic "An action failed"), that action's own error.
fn cause_of(error: ActionError, records: &[ActionRecord]) -> ActionError {
    if error.code != control::ACTION_FAILED {
        return error;
    }
    // The last such action: an earlier failure was handled if the run went on.
    records
        .iter()
        .rev()
        .filter(|r| matches!(r.status, Status::Failed | Status::TimedOut))
        .filter_map(|r| r.error.as_ref())
        .find(|e| e.code != control::ACTION_FAILED)
        .cloned()
        .unwrap_or(error)
}

/// Runs `definition` to its end (or until `env.cancel` stops it).
pub async fn run_flow(definition: &Map<String, Value>, inputs: RunInputs, env: &Env) -> RunRecord {
    let started = Instant::now();
    let start_time = timestamp(chrono::Utc::now());
    let id = inputs
        .id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let declared = definition.get("parameters").and_then(Value::as_object);
    let parameters = data::resolve_parameters(declared, &inputs.parameters);
    let mut secrets = secure::secret_values(declared, &parameters);
    secrets.extend(inputs.secrets.iter().filter(|s| s.len() >= 3).cloned());
    let first = trigger::first_trigger(definition);
    let trigger_name = first.map_or_else(|| "manual".to_owned(), |(name, _)| name.clone());
    let mut ctx = Ctx::default();
    ctx.state.trigger = trigger::trigger_record(
        &trigger_name,
        first.map(|(_, t)| t),
        inputs.trigger_body.clone(),
        inputs.now.unwrap_or_else(chrono::Utc::now),
        &id,
    );
    if let Some(request) = &inputs.trigger_request
        && let Some(Value::Object(outputs)) = ctx.state.trigger.get_mut("outputs")
    {
        let body = outputs.shift_remove("body");
        outputs.clear();
        outputs.extend(request.clone());
        if let Some(body) = body {
            outputs.insert("body".to_owned(), body);
        }
    }
    // A trigger's secure outputs hide its outputs in the record, and the inputs of the
    // actions that read them.
    let trigger_secured = first.map_or_else(secure::Secured::default, |(_, trigger)| {
        secure::Secured::of(trigger, &std::collections::HashSet::new(), false)
    });
    ctx.trigger_secured = trigger_secured.outputs;
    ctx.state.parameters = parameters;
    // App settings can hold secrets (connection strings, keys): each value of eight
    // characters or more is kept out of the record, and any value of a setting whose name
    // says it is secret (shorter ones of other settings, `true` or `3`, would hide every
    // such text in it).
    ctx.state.app_settings = crate::flow::app_settings::resolve(
        &crate::flow::app_settings::named_app_settings(definition),
        &inputs.app_settings,
    );
    for (name, value) in &ctx.state.app_settings {
        let text = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let secret_name = crate::flow::app_settings::names_a_secret(name);
        if text.len() >= 8 || (secret_name && text.len() >= 3) {
            secrets.push(text);
        }
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    // A Standard project's parameter may take its value from an app setting.
    let from_settings: Vec<(String, Value)> = ctx
        .state
        .parameters
        .iter()
        .filter(|(_, value)| value.as_str().is_some_and(|t| t.contains("appsetting(")))
        .filter_map(|(name, value)| {
            let resolved = crate::flow::expr::evaluate_value(value, &ctx.state).ok()?;
            Some((name.clone(), resolved))
        })
        .collect();
    ctx.state.parameters.extend(from_settings);
    // The trigger's `correlation.clientTrackingId` names the run for the caller.
    if let Some(tracking) = first
        .and_then(|(_, t)| t.pointer("/correlation/clientTrackingId"))
        .and_then(|value| crate::flow::expr::evaluate_value(value, &ctx.state).ok())
        .and_then(|value| value.as_str().map(str::to_owned))
        .filter(|text| !text.is_empty())
    {
        ctx.state.trigger["clientTrackingId"] = Value::String(tracking);
    }
    ctx.state.now = inputs.now;
    let rerun_of = inputs.rerun.as_ref().map(|r| r.of.clone());
    if let Some(rerun) = inputs.rerun.clone() {
        ctx.reuse = rerun.reuse;
    }
    ctx.static_results = definition
        .get("staticResults")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    ctx.state.workflow = json!({
        "name": inputs.flow,
        "run": {"name": id},
        "tags": {"flowDisplayName": inputs.flow},
    });
    let empty = Map::new();
    let actions = definition
        .get("actions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let outcome = run_actions(env, &mut ctx, actions, &[], None).await;
    let (status, error) = match ctx.terminated.take() {
        Some((status, error)) => (status, error),
        None if env.cancel.is_cancelled() => (
            Status::Cancelled,
            Some(ActionError {
                code: "Cancelled".to_owned(),
                message: "The run was cancelled.".to_owned(),
            }),
        ),
        None => (
            outcome.status,
            outcome.error.map(|e| cause_of(e, &ctx.records)),
        ),
    };
    let outputs = evaluate_outputs(definition, &ctx);
    let mut trigger_record = ctx.state.trigger.clone();
    if let Value::Object(record) = &mut trigger_record {
        let mut inputs = record.remove("inputs").unwrap_or(Value::Null);
        let mut outputs = record.remove("outputs").unwrap_or(Value::Null);
        trigger_secured.hide(&mut inputs, &mut outputs);
        record.insert("inputs".to_owned(), inputs);
        record.insert("outputs".to_owned(), outputs);
    }
    let mut response = ctx.response;
    if ctx.response_secured
        && let Some(Value::Object(answer)) = &mut response
    {
        for part in ["headers", "body"] {
            if let Some(value) = answer.get_mut(part) {
                *value = Value::String(secure::HIDDEN.to_owned());
            }
        }
    }
    let mut run = RunRecord {
        id,
        flow: inputs.flow,
        instance: env.instance.clone(),
        status,
        error,
        trigger: trigger_record,
        actions: ctx.records,
        outputs,
        response,
        start_time,
        end_time: timestamp(chrono::Utc::now()),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        rerun_of,
    };
    secure::redact_run(&mut run, &secrets);
    run
}

/// The definition's `outputs` (`{"name": {"type", "value"}}`), each value evaluated; one
/// that cannot be evaluated shows its error.
fn evaluate_outputs(definition: &Map<String, Value>, ctx: &Ctx) -> Value {
    let Some(Value::Object(outputs)) = definition.get("outputs") else {
        return json!({});
    };
    let evaluated: Map<String, Value> = outputs
        .iter()
        .map(|(name, output)| {
            let value = output.get("value").cloned().unwrap_or(Value::Null);
            let value = crate::flow::expr::evaluate_value(&value, &ctx.state)
                .unwrap_or_else(|e| json!({"error": e.to_string()}));
            (name.clone(), value)
        })
        .collect();
    Value::Object(evaluated)
}

#[cfg(test)]
mod tests;
