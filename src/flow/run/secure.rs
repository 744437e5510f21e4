//! Secrets out of every record: the values of `securestring` / `secureobject` parameters
//! (and any other secret the caller names) are replaced wherever they appear — inputs,
//! outputs, errors — before a run record is stored, printed or reported.

use serde_json::{Map, Value};

use super::record::RunRecord;

/// What a secured value shows instead of itself.
pub const HIDDEN: &str = "*** secure ***";

/// The secret values of a definition's parameters: the strings inside every parameter
/// declared `securestring` or `secureobject`.
pub fn secret_values(
    declared: Option<&Map<String, Value>>,
    values: &Map<String, Value>,
) -> Vec<String> {
    let mut secrets = Vec::new();
    for (name, declaration) in declared.into_iter().flatten() {
        let kind = declaration
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        if (kind == "securestring" || kind == "secureobject")
            && let Some(value) = values.get(name)
        {
            collect_strings(value, &mut secrets);
        }
    }
    secrets.retain(|s| s.len() >= 3);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        Value::Number(n) => out.push(n.to_string()),
        _ => {}
    }
}

/// Whether `value` shows a hidden value anywhere (secure data, or a redacted secret): what
/// the run history holds there is not what the run had.
pub fn holds_hidden(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains(HIDDEN),
        Value::Array(items) => items.iter().any(holds_hidden),
        Value::Object(map) => map.values().any(holds_hidden),
        _ => false,
    }
}

/// Replaces every secret inside `text`.
pub fn redact_text(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), HIDDEN);
        }
    }
    out
}

/// Replaces every secret inside `value` (strings, and numbers equal to a secret).
pub fn redact_value(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(s) => {
            let redacted = redact_text(s, secrets);
            if redacted != *s {
                *s = redacted;
            }
        }
        Value::Number(n) if secrets.iter().any(|s| *s == n.to_string()) => {
            *value = Value::String(HIDDEN.to_owned());
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secrets)),
        Value::Object(map) => map.values_mut().for_each(|v| redact_value(v, secrets)),
        _ => {}
    }
}

/// Redacts a whole run record.
pub fn redact_run(run: &mut RunRecord, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    redact_value(&mut run.trigger, secrets);
    redact_value(&mut run.outputs, secrets);
    if let Some(response) = &mut run.response {
        redact_value(response, secrets);
    }
    if let Some(error) = &mut run.error {
        error.message = redact_text(&error.message, secrets);
    }
    for action in &mut run.actions {
        redact_value(&mut action.inputs, secrets);
        redact_value(&mut action.outputs, secrets);
        if let Some(error) = &mut action.error {
            error.message = redact_text(&error.message, secrets);
        }
        for retry in &mut action.retries {
            *retry = redact_text(retry, secrets);
        }
    }
}

/// Which parts of an action's (or the trigger's) record the run history hides, as the
/// cloud's secure inputs and outputs do: the expressions of the run still read the real
/// values; only what is recorded, shown and stored is hidden.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Secured {
    /// The inputs are hidden.
    pub inputs: bool,
    /// The outputs are hidden.
    pub outputs: bool,
}

impl Secured {
    /// What `runtimeConfiguration.secureData.properties` hides for `action`, and its inputs
    /// when they read the outputs of an action in `secured_sources` (or the trigger's, when
    /// `trigger_secured`): "If a downstream action explicitly uses these secured outputs as
    /// inputs, Logic Apps hides this downstream action's inputs in the run history."
    /// Compose, Parse JSON and Response have only secure inputs, which hide their outputs
    /// too.
    pub fn of(
        action: &Value,
        secured_sources: &std::collections::HashSet<String>,
        trigger_secured: bool,
    ) -> Self {
        let properties = super::engine::secure_properties(action);
        let mut secured = Self {
            inputs: properties.iter().any(|p| p == "inputs"),
            outputs: properties.iter().any(|p| p == "outputs"),
        };
        let kind = super::engine::kind_of(action);
        if secured.inputs
            && ["compose", "parsejson", "response"]
                .iter()
                .any(|k| kind.eq_ignore_ascii_case(k))
        {
            secured.outputs = true;
        }
        if !secured.inputs
            && (trigger_secured || !secured_sources.is_empty())
            && let Some(inputs) = action.get("inputs")
            && let Ok(found) = crate::flow::expr::references(inputs)
        {
            secured.inputs = (trigger_secured && found.trigger)
                || found.actions.iter().any(|a| secured_sources.contains(a));
        }
        secured
    }

    /// Whether anything is hidden.
    pub fn any(self) -> bool {
        self.inputs || self.outputs
    }

    /// `inputs` and `outputs` hidden as this says (null stays null).
    pub fn hide(self, inputs: &mut Value, outputs: &mut Value) {
        for (hidden, value) in [(self.inputs, inputs), (self.outputs, outputs)] {
            if hidden && !value.is_null() {
                *value = Value::String(HIDDEN.to_owned());
            }
        }
    }
}
