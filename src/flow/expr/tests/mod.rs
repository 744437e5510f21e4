//! Tests of the expression engine: Microsoft's documented examples per function (as
//! tables), the language (literals, member access, null-safe access, slash paths), templates,
//! errors with their columns, references and `JsonScope`.

mod cloud_checked;
mod collection;
mod conversion;
mod datetime;
mod language;
mod logical_math;
mod string;
mod templates;
mod workflow;

use serde_json::{Value, json};

use super::{ExprError, JsonScope, evaluate, parse};

/// A scope with a fixed clock (2018-03-01, as in the reference's getFutureTime example)
/// and a little of everything.
pub(super) fn scope() -> JsonScope {
    JsonScope::from_context(&json!({
        "now": "2018-03-01T00:00:00Z",
        "triggerBody": {"text": "hello", "number": 5, "nested": {"a": {"b": 1}}},
        "triggerOutputs": {"headers": {"x-ms-id": "42"}, "body": {"text": "hello", "number": 5, "nested": {"a": {"b": 1}}}},
        "variables": {"numItems": 20, "name": "Sophia", "list": [1, 2, 3], "flag": true},
        "parameters": {"fullName": "Sophia Owen", "$connections": {"dynamicsax": {"connectionId": "/c/1"}}},
        "actions": {
            "Get_user": {"status": "Succeeded", "inputs": {}, "outputs": {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": {"FullName": "Contoso Corporation", "status": "Succeeded", "Id": 283541717}}},
            "Get_items": {"status": "Succeeded", "outputs": {"statusCode": 200, "body": {"value": [{"Name": "A"}, {"Name": "B"}], "@odata.nextLink": null}}},
            "Form": {"status": "Succeeded", "outputs": {"body": {"$content-type": "application/x-www-form-urlencoded", "$formdata": [{"key": "Subject", "value": "Hello world"}, {"key": "To", "value": "a@x.com"}, {"key": "To", "value": "b@x.com"}]}}},
            "Multi": {"status": "Succeeded", "outputs": {"body": {"$content-type": "multipart/form-data", "$multipart": [{"headers": {}, "body": "first part"}, {"headers": {}, "body": {"k": 1}}]}}}
        },
        "items": {"For_each": {"Name": "A", "Id": 7}},
        "item": {"Name": "inner"},
        "iterationIndexes": {"Until_Max_Increment": 3},
        "results": {"Scope": [{"name": "Compose", "status": "Succeeded"}]},
        "workflow": {"name": "my-flow", "run": {"name": "08585"}, "tags": {"flowDisplayName": "My flow", "environmentName": "Default-1"}}
    }))
}

pub(super) fn eval(text: &str) -> Result<Value, ExprError> {
    let expr = parse(text)?;
    evaluate(&expr, &scope())
}

/// Equal as WDL values, with the integer/float distinction checked: `3` and `3.0` differ.
pub(super) fn same(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => x == y,
            (None, None) => {
                let (x, y) = (
                    a.as_f64().unwrap_or(f64::NAN),
                    b.as_f64().unwrap_or(f64::NAN),
                );
                x == y || (x - y).abs() <= 1e-12 * x.abs().max(1.0)
            }
            _ => false,
        },
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => actual == expected,
    }
}

/// Evaluates every (expression, expected) pair and reports all mismatches at once.
pub(super) fn check(cases: &[(&str, Value)]) {
    let mut failures = Vec::new();
    for (text, expected) in cases {
        match eval(text) {
            Ok(actual) if same(&actual, expected) => {}
            Ok(actual) => failures.push(format!(
                "{text}\n    expected {expected}\n    got      {actual}"
            )),
            Err(error) => failures.push(format!(
                "{text}\n    expected {expected}\n    error    {error}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every expression must fail with an evaluation error whose message contains the text.
pub(super) fn check_errors(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (text, wanted) in cases {
        match eval(text) {
            Ok(value) => failures.push(format!(
                "{text}: expected an error containing {wanted:?}, got {value}"
            )),
            Err(error) if error.message.contains(wanted) => {}
            Err(error) => failures.push(format!(
                "{text}: expected an error containing {wanted:?}, got {error}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
