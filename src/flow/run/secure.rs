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
