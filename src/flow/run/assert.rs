//! `Assert`, Flowbench's action for testers: checks a value (or a record's fields) and fails
//! the run with the action, the expression, what was expected and what was found.
//!
//! ```json
//! "Check_group": {"type": "Assert", "inputs": {
//!     "actual": "@body('Get_group')?['Description']", "equals": "New",
//!     "message": "the group keeps its description"}}
//! ```
//! Kinds: `equals`, `notEquals`, `contains`, `matches` (a regular expression), `exists`
//! (true / false), `count` (items of an array, properties of an object, characters of a
//! string), `greater`, `less`. `fields` checks a record: `{"Field": value}` or
//! `{"Field": {"greater": 100}}`. `assertions` holds several checks.

use serde_json::{Map, Value, json};

use super::condition::same;
use super::engine::Done;
use super::record::ASSERTION_FAILED;

/// The kinds of check, as written in `inputs`.
pub const KINDS: [&str; 8] = [
    "equals",
    "notEquals",
    "contains",
    "matches",
    "exists",
    "count",
    "greater",
    "less",
];

/// Runs an `Assert` action: `raw` are its inputs as written (for the expressions in
/// messages), `inputs` the evaluated ones.
pub fn run_assert(name: &str, raw: &Value, inputs: Value) -> Done {
    let checks: Vec<(&Value, &Value)> = match (raw.get("assertions"), inputs.get("assertions")) {
        (Some(Value::Array(raw_list)), Some(Value::Array(list))) => {
            raw_list.iter().zip(list.iter()).collect()
        }
        _ => vec![(raw, &inputs)],
    };
    let mut results = Vec::new();
    for (raw_check, check) in checks {
        match run_check(raw_check, check) {
            Ok(passed) => results.push(passed),
            Err(failure) => {
                let message = check
                    .get("message")
                    .and_then(Value::as_str)
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default();
                let mut done = Done::failed(
                    inputs.clone(),
                    ASSERTION_FAILED,
                    format!("Assert '{name}': {failure}{message}"),
                );
                done.outputs = json!({"passed": false, "failure": failure});
                return done;
            }
        }
    }
    Done::ok(inputs, json!({"passed": true, "checks": results}))
}

/// One check; `Err` says what was expected and what was found.
fn run_check(raw: &Value, check: &Value) -> Result<Value, String> {
    let what = raw
        .get("actual")
        .map(|a| match a {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| "the value".to_owned());
    let actual = check.get("actual").cloned().unwrap_or(Value::Null);
    let mut ran = 0;
    if let Some(Value::Object(fields)) = check.get("fields") {
        check_fields(&what, &actual, fields)?;
        ran += 1;
    }
    for kind in KINDS {
        if let Some(expected) = check.get(kind) {
            check_kind(&what, kind, &actual, expected)?;
            ran += 1;
        }
    }
    if ran == 0 {
        return Err(format!(
            "nothing to check: give one of {} or fields",
            KINDS.join(", ")
        ));
    }
    Ok(json!({"actual": actual}))
}

fn check_fields(what: &str, actual: &Value, fields: &Map<String, Value>) -> Result<(), String> {
    let Value::Object(record) = actual else {
        return Err(format!(
            "expected {what} to be a record, found {}",
            show(actual)
        ));
    };
    for (field, expected) in fields {
        let value = record.get(field).cloned().unwrap_or(Value::Null);
        let label = format!("{what} field '{field}'");
        match expected {
            Value::Object(kinds) if kinds.keys().any(|k| KINDS.contains(&k.as_str())) => {
                for (kind, wanted) in kinds {
                    check_kind(&label, kind, &value, wanted)?;
                }
            }
            wanted => check_kind(&label, "equals", &value, wanted)?,
        }
    }
    Ok(())
}

fn show(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn check_kind(what: &str, kind: &str, actual: &Value, expected: &Value) -> Result<(), String> {
    let fail = |verb: &str| {
        Err(format!(
            "expected {what} {verb} {}, found {}",
            show(expected),
            show(actual)
        ))
    };
    match kind {
        "equals" => {
            if same(actual, expected) {
                Ok(())
            } else {
                fail("to equal")
            }
        }
        "notEquals" => {
            if same(actual, expected) {
                fail("not to equal")
            } else {
                Ok(())
            }
        }
        "contains" => {
            let holds = match (actual, expected) {
                (Value::String(a), Value::String(e)) => a.contains(e.as_str()),
                (Value::Array(items), e) => items.iter().any(|i| same(i, e)),
                (Value::Object(map), Value::String(key)) => map.contains_key(key),
                _ => false,
            };
            if holds { Ok(()) } else { fail("to contain") }
        }
        "matches" => {
            let Value::String(pattern) = expected else {
                return Err(format!(
                    "matches: expected a regular expression, found {}",
                    show(expected)
                ));
            };
            let regex = regex::Regex::new(pattern)
                .map_err(|e| format!("matches: '{pattern}' is not a regular expression: {e}"))?;
            let text = match actual {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if regex.is_match(&text) {
                Ok(())
            } else {
                fail("to match")
            }
        }
        "exists" => {
            let wanted = expected.as_bool().unwrap_or(true);
            let present = !actual.is_null();
            match (wanted, present) {
                (true, false) => Err(format!("expected {what} to exist, found null")),
                (false, true) => Err(format!(
                    "expected {what} not to exist, found {}",
                    show(actual)
                )),
                _ => Ok(()),
            }
        }
        "count" => {
            let count = match actual {
                Value::Array(items) => items.len(),
                Value::Object(map) => map.len(),
                Value::String(s) => s.chars().count(),
                Value::Null => 0,
                other => {
                    return Err(format!(
                        "count: expected {what} to be a list, found {}",
                        show(other)
                    ));
                }
            };
            if number(expected) == Some(count as f64) {
                Ok(())
            } else {
                Err(format!(
                    "expected {what} to have {} items, found {count}",
                    show(expected)
                ))
            }
        }
        "greater" | "less" => {
            let (Some(a), Some(e)) = (number(actual), number(expected)) else {
                return fail(if kind == "greater" {
                    "to be greater than"
                } else {
                    "to be less than"
                });
            };
            let holds = if kind == "greater" { a > e } else { a < e };
            if holds {
                Ok(())
            } else {
                fail(if kind == "greater" {
                    "to be greater than"
                } else {
                    "to be less than"
                })
            }
        }
        other => Err(format!(
            "'{other}' is not a kind of check ({})",
            KINDS.join(", ")
        )),
    }
}
