//! Starting runs from the window as the trigger fires: its `splitOn` gives one run per item
//! (started one after the other), and its `conditions` can mean no run at all, as
//! `flowbench run` does.

use std::collections::VecDeque;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::FlowsView;
use super::files::flow_name;
use super::job::FlowJob;
use super::view::FlowsContext;
use crate::flow::run::trigger::{first_trigger, is_manual, manual_body};
use crate::flow::run::{RunInputs, Status};
use crate::flow::triggers::gate::{Delivered, Gated, gate_delivered};

/// How a run starts.
pub enum Launch {
    /// With the trigger inputs typed (or the record picked), through the trigger's
    /// `splitOn` and `conditions`.
    Fresh,
    /// With this body: the next item of a split.
    Item(Value),
    /// Again, with an earlier run's inputs.
    Rerun(Box<RunInputs>),
}

/// The runs still to start for the items of a trigger's `splitOn`.
#[derive(Debug, Clone, Default)]
pub struct SplitRuns {
    /// The items not run yet, in order.
    pub pending: VecDeque<Value>,
    /// How many runs the split gave.
    pub total: usize,
    /// How many items the trigger's `conditions` left without a run.
    pub skipped: usize,
}

impl SplitRuns {
    /// The number (from 1) of the run under way or just ended.
    pub fn current(&self) -> usize {
        self.total - self.pending.len()
    }

    /// "run 2 of 3 (the trigger's splitOn; 1 item skipped by its conditions)".
    pub fn describe(&self) -> String {
        let skipped = match self.skipped {
            0 => String::new(),
            1 => "; 1 item skipped by its conditions".to_owned(),
            n => format!("; {n} items skipped by its conditions"),
        };
        format!(
            "run {} of {} (the trigger's splitOn{skipped})",
            self.current(),
            self.total
        )
    }
}

/// Starts the next run of a split once the one before it has ended.
pub(super) fn next_split_run(ctx: &egui::Context, view: &mut FlowsView, cx: &FlowsContext<'_>) {
    if view.job.is_some() {
        return;
    }
    let Some(next) = view.split.as_mut().and_then(|s| s.pending.pop_front()) else {
        return;
    };
    start_run(ctx, view, cx, Launch::Item(next));
}

/// The bodies the trigger starts runs with for `body`: one per item of its `splitOn`, none
/// for which its `conditions` do not hold (counted; an error saying so when no run is left).
fn gated_bodies(
    definition: &Map<String, Value>,
    body: Value,
) -> Result<(Vec<Value>, usize), String> {
    let items = match gate_delivered(definition, body)? {
        Delivered::AsIs(body) => return Ok((vec![body], 0)),
        Delivered::Gated { items, .. } => items,
    };
    let mut skipped = None;
    let mut skipped_count = 0;
    let mut bodies = Vec::new();
    for candidate in items {
        match candidate {
            Gated::Start(body) => bodies.push(body),
            Gated::Skipped { condition, .. } => {
                skipped_count += 1;
                skipped = skipped.or(Some(condition));
            }
        }
    }
    match (bodies.is_empty(), skipped) {
        (true, Some(condition)) => Err(format!(
            "No run: the trigger condition {condition} is false for these inputs, so the trigger would not fire"
        )),
        (true, None) => {
            Err("No run: the trigger's splitOn gives no items for these inputs".to_owned())
        }
        _ => Ok((bodies, skipped_count)),
    }
}

/// Starts the open flow against the connected instance: with the trigger inputs typed (as
/// the trigger fires on them), one item of a split, or an earlier run's inputs.
pub(super) fn start_run(
    ctx: &egui::Context,
    view: &mut FlowsView,
    cx: &FlowsContext<'_>,
    launch: Launch,
) {
    let (Some(open), Some(runtime)) = (&view.open, cx.runtime) else {
        return;
    };
    // A Standard workflow takes its parameters from its project's parameters.json.
    let definition = match super::parameters::run_definition(open) {
        Ok(definition) => definition,
        Err(message) => {
            view.run_error = Some(message);
            return;
        }
    };
    let (path, name) = (open.path.clone(), flow_name(open));
    let parameters = match super::parameters::run_values(&view.parameter_form, &definition) {
        Ok(values) => values,
        Err(message) => {
            view.run_error = Some(message);
            return;
        }
    };
    let (body, rerun) = match launch {
        Launch::Fresh => {
            view.split = None;
            let typed = match typed_body(view, &definition) {
                Ok(typed) => typed,
                Err(message) => {
                    view.run_error = Some(message);
                    return;
                }
            };
            let (mut bodies, skipped) = match gated_bodies(&definition, typed) {
                Ok((bodies, skipped)) => (bodies.into_iter(), skipped),
                Err(message) => {
                    view.run_error = Some(message);
                    return;
                }
            };
            let Some(first) = bodies.next() else {
                return;
            };
            let rest: VecDeque<Value> = bodies.collect();
            view.split = (!rest.is_empty() || skipped > 0).then(|| SplitRuns {
                total: rest.len() + 1,
                pending: rest,
                skipped,
            });
            (first, None)
        }
        Launch::Item(body) => (body, None),
        Launch::Rerun(inputs) => {
            view.split = None;
            (Value::Null, Some(*inputs))
        }
    };
    let target = match (cx.connected, cx.metadata) {
        (Some(connected), Some(metadata)) => Some((
            connected.client.clone(),
            Arc::new(metadata.model.clone()),
            connected.name.clone(),
        )),
        _ => None,
    };
    // A Logic Apps Standard project's settings, for `appsetting()`.
    let app_settings = match crate::flow::app_settings::local_settings(&path) {
        Ok(settings) => settings,
        Err(message) => {
            view.run_error = Some(message);
            return;
        }
    };
    let inputs = match rerun {
        Some(inputs) => RunInputs {
            app_settings,
            parameters,
            ..inputs
        },
        None => RunInputs {
            flow: name,
            trigger_body: body,
            app_settings,
            parameters,
            ..RunInputs::default()
        },
    };
    view.run_error = None;
    view.live.clear();
    // The run shown fills in as actions end.
    view.shown_run = Some(crate::flow::run::RunRecord {
        id: String::new(),
        flow: inputs.flow.clone(),
        instance: target.as_ref().map(|t| t.2.clone()),
        status: Status::Running,
        error: None,
        trigger: Value::Null,
        actions: Vec::new(),
        outputs: Value::Null,
        response: None,
        start_time: String::new(),
        end_time: String::new(),
        duration_ms: 0,
        rerun_of: None,
    });
    view.job = Some(FlowJob::start(
        runtime,
        ctx.clone(),
        definition,
        inputs,
        target,
    ));
}

/// The trigger body of a fresh run: the record picked in the explorer, the manual trigger's
/// inputs typed, or an empty object; an error when the inputs are wrong.
fn typed_body(view: &FlowsView, definition: &Map<String, Value>) -> Result<Value, String> {
    match first_trigger(definition) {
        _ if view.record_input.is_some() => Ok(view.record_input.clone().unwrap_or_default()),
        Some((_, trigger)) if is_manual(trigger) => {
            let given: Vec<(String, String)> = view
                .trigger_inputs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            manual_body(trigger, &given).map_err(|error| error.in_form())
        }
        _ => Ok(Value::Object(Map::new())),
    }
}
