//! The state a run's expressions read: the trigger, the actions that ran (the latest run of
//! each), variables, parameters, the loops under way and the results of scopes.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::record::{ActionRecord, Status};
use crate::flow::expr::Scope;

/// One loop under way: its name, the current item and its index.
#[derive(Debug, Clone)]
pub struct LoopFrame {
    /// The `Foreach` or `Until` action.
    pub name: String,
    /// The current item (`Until`: none).
    pub item: Value,
    /// The 0-based iteration.
    pub index: usize,
}

/// What expressions see during a run.
#[derive(Debug, Clone, Default)]
pub struct RunState {
    /// The trigger's record: `{"name", "inputs", "outputs": {"headers", "body"}}`.
    pub trigger: Value,
    /// The latest record of each action that ran, as `actions('X')` returns it.
    pub actions: HashMap<String, Value>,
    /// Variables by name.
    pub variables: Map<String, Value>,
    /// Each variable's declared type (`integer`, `float`, `boolean`, `string`, `array`,
    /// `object`), by its name in lower case.
    pub variable_types: HashMap<String, String>,
    /// Definition parameters, resolved.
    pub parameters: Map<String, Value>,
    /// The app settings the definition names, resolved when the run starts.
    pub app_settings: Map<String, Value>,
    /// Loops under way, innermost last.
    pub loops: Vec<LoopFrame>,
    /// `result('Scope')`: the records of the actions inside each scope or loop that ended.
    pub results: HashMap<String, Vec<Value>>,
    /// `workflow()`.
    pub workflow: Value,
    /// A fixed clock (tests); the real one otherwise.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// `action()`: the record of the action whose tracked properties are evaluated.
    pub current: Option<Value>,
    /// For each action inside a `Foreach` that ended: the loop, and the action's outputs in
    /// each iteration (read from outside the loop, `outputs('X')` is this array).
    pub loop_outputs: HashMap<String, (String, Vec<Value>)>,
}

impl RunState {
    /// Records that `record` ended: `actions('X')`, `body('X')` and `outputs('X')` see it.
    pub fn remember(&mut self, record: &ActionRecord) {
        self.remember_wdl(&record.name, wdl_record(record));
    }

    /// Records that the action `name` ended with `wdl` (its [`wdl_record`]).
    pub fn remember_wdl(&mut self, name: &str, wdl: Value) {
        match self.actions.get_mut(name) {
            Some(slot) => *slot = wdl,
            None => {
                self.actions.insert(name.to_owned(), wdl);
            }
        }
    }
}

/// An action record as `actions('X')` and `result('Scope')` give it.
pub fn wdl_record(record: &ActionRecord) -> Value {
    let mut value = json!({
        "name": record.name,
        "type": record.kind,
        "status": record.status.name(),
        "inputs": record.inputs,
        "outputs": record.outputs,
        "startTime": record.start_time,
        "endTime": record.end_time,
        "code": match record.status {
            Status::Succeeded => "OK",
            Status::Skipped => "ActionSkipped",
            _ => record.error.as_ref().map_or("ActionFailed", |e| e.code.as_str()),
        },
    });
    if let (Some(error), Some(map)) = (&record.error, value.as_object_mut()) {
        map.insert(
            "error".into(),
            json!({"code": error.code, "message": error.message}),
        );
    }
    value
}

impl Scope for RunState {
    fn trigger_body(&self) -> Option<Value> {
        self.trigger_body_ref().cloned()
    }

    fn trigger_outputs(&self) -> Option<Value> {
        self.trigger.get("outputs").cloned()
    }

    /// The trigger's whole record, as the cloud's `trigger()` gives it: name, inputs,
    /// outputs, start and end, status and the run's tracking ids.
    fn trigger(&self) -> Option<Value> {
        let Value::Object(record) = &self.trigger else {
            return None;
        };
        let mut record = record.clone();
        let started = record.get("startTime").cloned().unwrap_or(Value::Null);
        record.entry("endTime").or_insert(started);
        record
            .entry("status")
            .or_insert_with(|| Value::String("Succeeded".to_owned()));
        if let Some(run) = self.workflow.pointer("/run/name").cloned() {
            record
                .entry("clientTrackingId")
                .or_insert_with(|| run.clone());
            record.entry("originHistoryName").or_insert(run);
        }
        Some(Value::Object(record))
    }

    fn action(&self, name: &str) -> Option<Value> {
        self.actions.get(name).map(|record| self.tracked(record))
    }

    fn action_outputs(&self, name: &str) -> Option<Value> {
        if let Some(outputs) = self.outputs_of_each_iteration(name) {
            return Some(Value::Array(outputs.to_vec()));
        }
        self.actions
            .get(name)
            .map(|record| record.get("outputs").cloned().unwrap_or(Value::Null))
    }

    fn action_body(&self, name: &str) -> Option<Value> {
        if let Some(outputs) = self.outputs_of_each_iteration(name) {
            let bodies = outputs
                .iter()
                .map(|o| o.get("body").cloned().unwrap_or(Value::Null));
            return Some(Value::Array(bodies.collect()));
        }
        self.action_outputs(name)
            .map(|outputs| outputs.get("body").cloned().unwrap_or(Value::Null))
    }

    fn variable(&self, name: &str) -> Option<Value> {
        self.variable_ref(name).cloned()
    }

    fn parameter(&self, name: &str) -> Option<Value> {
        self.parameters.get(name).cloned()
    }

    fn app_setting(&self, name: &str) -> Option<String> {
        match crate::flow::expr::lookup_name(&self.app_settings, name)? {
            Value::String(value) => Some(value.clone()),
            other => Some(other.to_string()),
        }
    }

    fn item(&self) -> Option<Value> {
        self.loops.last().map(|frame| frame.item.clone())
    }

    fn items(&self, loop_name: &str) -> Option<Value> {
        self.loop_frame(loop_name).map(|frame| frame.item.clone())
    }

    fn iteration_index(&self, loop_name: &str) -> Option<Value> {
        self.loops
            .iter()
            .rev()
            .find(|frame| frame.name == loop_name)
            .map(|frame| json!(frame.index))
    }

    fn result(&self, scope_name: &str) -> Option<Value> {
        self.results.get(scope_name).map(|records| {
            Value::Array(records.iter().map(|record| self.tracked(record)).collect())
        })
    }

    fn workflow(&self) -> Value {
        self.workflow.clone()
    }

    fn current_action(&self) -> Option<Value> {
        self.current.clone()
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.now.unwrap_or_else(chrono::Utc::now)
    }

    fn borrowed(&self, function: &str, arg: Option<&str>) -> Option<&Value> {
        match (function, arg) {
            ("items", Some(name)) => self.loop_frame(name).map(|frame| &frame.item),
            ("item", None) => self.loops.last().map(|frame| &frame.item),
            ("variables", Some(name)) => self.variable_ref(name),
            ("parameters", Some(name)) => self.parameters.get(name),
            ("triggerBody", None) => self.trigger_body_ref(),
            _ => None,
        }
    }
}

impl RunState {
    /// The outputs of each iteration of `name`, when it ran inside a `Foreach` that ended
    /// and is read from outside that loop.
    fn outputs_of_each_iteration(&self, name: &str) -> Option<&[Value]> {
        let (owner, outputs) = self.loop_outputs.get(name)?;
        (!self.loops.iter().any(|frame| frame.name == *owner)).then_some(outputs.as_slice())
    }

    /// An action's record as the cloud gives it to `actions()` and `result()`: with its
    /// `trackingId` (a GUID of its own, the same at each read) and the run's
    /// `clientTrackingId`, which handlers log or pass on (the reference's example reads
    /// `item()['clientTrackingId']` from `result()`). Added when read, not for every action.
    fn tracked(&self, record: &Value) -> Value {
        let mut record = record.clone();
        if let Value::Object(map) = &mut record {
            let client = self
                .trigger
                .get("clientTrackingId")
                .or_else(|| self.workflow.pointer("/run/name"))
                .cloned()
                .unwrap_or(Value::Null);
            let tracking = tracking_id(&client, map.get("name"), map.get("startTime"));
            map.entry("trackingId")
                .or_insert_with(|| Value::String(tracking));
            map.entry("clientTrackingId").or_insert(client);
        }
        record
    }

    fn trigger_body_ref(&self) -> Option<&Value> {
        self.trigger.get("outputs")?.get("body")
    }

    fn variable_ref(&self, name: &str) -> Option<&Value> {
        self.variables
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    fn loop_frame(&self, name: &str) -> Option<&LoopFrame> {
        self.loops.iter().rev().find(|frame| frame.name == name)
    }
}

/// A GUID for an action's run, made from what names it (the run, the action, its start), so
/// that reading it twice gives the same.
fn tracking_id(run: &Value, name: Option<&Value>, started: Option<&Value>) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut halves = [0u64; 2];
    for (salt, half) in halves.iter_mut().enumerate() {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (
            salt,
            run.to_string(),
            name.map(Value::to_string),
            started.map(Value::to_string),
        )
            .hash(&mut hasher);
        *half = hasher.finish();
    }
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&halves[0].to_le_bytes());
    bytes[8..].copy_from_slice(&halves[1].to_le_bytes());
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}
