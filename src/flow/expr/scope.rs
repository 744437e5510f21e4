//! What workflow functions read: the trigger, actions, variables, parameters, loops and the
//! clock. The runner implements [`Scope`]; [`JsonScope`] builds one from a context JSON.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::timestamp;

/// What workflow functions (`triggerBody()`, `body('A')`, `variables('v')`, ...) read.
pub trait Scope {
    fn trigger_body(&self) -> Option<Value>;
    fn trigger_outputs(&self) -> Option<Value>;
    /// An action's record: `{"name","status","inputs","outputs","startTime","endTime","code", ...}`;
    /// `outputs` has `body`, `headers`, `statusCode`.
    fn action(&self, name: &str) -> Option<Value>;
    fn variable(&self, name: &str) -> Option<Value>;
    fn parameter(&self, name: &str) -> Option<Value>;
    /// `appsetting('name')`: a Logic Apps Standard app setting; none by default.
    fn app_setting(&self, _name: &str) -> Option<String> {
        None
    }
    /// The current item of the innermost Foreach/Until (`item()`).
    fn item(&self) -> Option<Value>;
    /// The current item of a named loop (`items('L')`).
    fn items(&self, loop_name: &str) -> Option<Value>;
    fn iteration_index(&self, loop_name: &str) -> Option<Value>;
    /// `result('Scope')`: the records of the actions inside a scope or loop.
    fn result(&self, scope_name: &str) -> Option<Value>;
    fn workflow(&self) -> Value;
    /// The clock for `utcNow()` and friends (tests pass a fixed one).
    fn now(&self) -> DateTime<Utc>;

    /// `trigger()`: the trigger's record; by default `{"outputs": ..., "body"...}` built from
    /// [`Scope::trigger_outputs`].
    fn trigger(&self) -> Option<Value> {
        let outputs = self.trigger_outputs();
        let body = self.trigger_body();
        if outputs.is_none() && body.is_none() {
            return None;
        }
        let mut outputs = outputs.unwrap_or_else(|| Value::Object(Map::new()));
        if let (Value::Object(map), Some(body)) = (&mut outputs, body) {
            map.entry("body").or_insert(body);
        }
        let mut record = Map::new();
        record.insert("outputs".into(), outputs);
        Some(Value::Object(record))
    }

    /// `outputs('A')`: the `outputs` of the action's record.
    fn action_outputs(&self, name: &str) -> Option<Value> {
        self.action(name)
            .map(|record| record.get("outputs").cloned().unwrap_or(Value::Null))
    }

    /// `body('A')`: `outputs.body` of the action's record.
    fn action_body(&self, name: &str) -> Option<Value> {
        self.action_outputs(name)
            .map(|outputs| outputs.get("body").cloned().unwrap_or(Value::Null))
    }

    /// `action()`: the record of the action being evaluated, where the runner knows it
    /// (Until conditions, webhook unsubscribe, tracked properties).
    fn current_action(&self) -> Option<Value> {
        None
    }

    /// What the reader `function` (canonical spelling: `items`, `item`, `variables`,
    /// `parameters`, `triggerBody`) returns for its literal argument `arg`, borrowed where the
    /// scope keeps it, so that `items('L')?['x']` copies `x` and not the whole item. `None`
    /// (the default) lets the function run as usual; a value given here must be the one the
    /// function would return.
    fn borrowed(&self, function: &str, arg: Option<&str>) -> Option<&Value> {
        let _ = (function, arg);
        None
    }
}

/// A [`Scope`] read from one JSON document (tests, the CLI's `eval` command, previews):
///
/// ```json
/// {"triggerBody": ..., "triggerOutputs": ..., "variables": {"v": 1}, "parameters": {"p": "x"},
///  "actions": {"A": {"status": "Succeeded", "inputs": ..., "outputs": {"body": ...}}},
///  "items": {"Loop": ...}, "item": ..., "iterationIndexes": {"Until": 0},
///  "results": {"Scope": [...]}, "workflow": {...}, "now": "2018-03-01T00:00:00Z"}
/// ```
///
/// Missing pieces read as absent; `now` defaults to the real clock. Names of actions,
/// variables, parameters and loops match exactly first, then ignoring case (as WDL does).
#[derive(Debug, Clone, Default)]
pub struct JsonScope {
    context: Map<String, Value>,
    now: Option<DateTime<Utc>>,
}

impl JsonScope {
    /// Reads a context document (see the type's documentation). A non-object reads as empty;
    /// a `now` that is not a timestamp is ignored (the real clock is used).
    pub fn from_context(context: &Value) -> Self {
        let context = context.as_object().cloned().unwrap_or_default();
        let now = context
            .get("now")
            .and_then(Value::as_str)
            .and_then(|text| timestamp::parse(text).map(|stamp| stamp.to_utc()));
        Self { context, now }
    }

    /// The same scope with a fixed clock.
    pub fn with_now(mut self, now: DateTime<Utc>) -> Self {
        self.now = Some(now);
        self
    }

    fn top(&self, key: &str) -> Option<Value> {
        self.context.get(key).cloned()
    }

    fn named(&self, section: &str, name: &str) -> Option<Value> {
        let map = self.context.get(section)?.as_object()?;
        lookup_name(map, name).cloned()
    }
}

/// Looks a name up exactly, then ignoring case.
pub(crate) fn lookup_name<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

impl Scope for JsonScope {
    fn trigger_body(&self) -> Option<Value> {
        self.top("triggerBody").or_else(|| {
            self.trigger_outputs()
                .and_then(|outputs| outputs.get("body").cloned())
        })
    }

    fn trigger_outputs(&self) -> Option<Value> {
        self.top("triggerOutputs")
    }

    fn action(&self, name: &str) -> Option<Value> {
        let mut record = self.named("actions", name)?;
        if let Value::Object(map) = &mut record {
            map.entry("name")
                .or_insert_with(|| Value::String(name.to_string()));
        }
        Some(record)
    }

    fn variable(&self, name: &str) -> Option<Value> {
        self.named("variables", name)
    }

    fn parameter(&self, name: &str) -> Option<Value> {
        self.named("parameters", name)
    }

    /// The context's `appSettings`, then the environment.
    fn app_setting(&self, name: &str) -> Option<String> {
        match self.named("appSettings", name) {
            Some(Value::String(value)) => Some(value),
            Some(other) => Some(other.to_string()),
            None => std::env::var(name).ok(),
        }
    }

    fn item(&self) -> Option<Value> {
        self.top("item")
    }

    fn items(&self, loop_name: &str) -> Option<Value> {
        self.named("items", loop_name)
    }

    fn iteration_index(&self, loop_name: &str) -> Option<Value> {
        self.named("iterationIndexes", loop_name)
    }

    fn result(&self, scope_name: &str) -> Option<Value> {
        self.named("results", scope_name)
    }

    fn workflow(&self) -> Value {
        self.top("workflow")
            .unwrap_or_else(|| Value::Object(Map::new()))
    }

    fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }
}
