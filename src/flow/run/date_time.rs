//! The date and time actions of Power Automate and Logic Apps (`"type": "Expression"` with
//! a `kind`): current time, add to and subtract from time, future and past time, convert
//! time zone. Each is the expression function of the same name; its result is the body.

use serde_json::{Value, json};

use super::data::fail as failed;
use super::engine::{Ctx, Done};

/// The kinds there are, as the designers write them (read ignoring case).
pub const KINDS: &[&str] = &[
    "CurrentTime",
    "AddToTime",
    "SubtractFromTime",
    "GetFutureTime",
    "GetPastTime",
    "ConvertTimeZone",
];

/// The kind of `action` as the list above spells it, when it is one of them.
pub fn kind_of(action: &Value) -> Option<&'static str> {
    let kind = action.get("kind").and_then(Value::as_str)?;
    KINDS.iter().copied().find(|k| k.eq_ignore_ascii_case(kind))
}

/// Runs the action `name`, its `inputs` already evaluated.
pub fn run(ctx: &Ctx, name: &str, action: &Value, inputs: Value) -> Done {
    let Some(kind) = kind_of(action) else {
        let found = action
            .get("kind")
            .map_or("none".to_owned(), Value::to_string);
        return failed(
            inputs,
            name,
            format!("kind: expected one of {}, found {found}", KINDS.join(", ")),
        );
    };
    // Each input the function takes, in its order; `formatString` last and optional.
    let (function, required, optional): (&str, &[&str], &[&str]) = match kind {
        "CurrentTime" => ("utcNow", &[], &["formatString"]),
        "AddToTime" => (
            "addToTime",
            &["baseTime", "interval", "timeUnit"],
            &["formatString"],
        ),
        "SubtractFromTime" => (
            "subtractFromTime",
            &["baseTime", "interval", "timeUnit"],
            &["formatString"],
        ),
        "GetFutureTime" => (
            "getFutureTime",
            &["interval", "timeUnit"],
            &["formatString"],
        ),
        "GetPastTime" => ("getPastTime", &["interval", "timeUnit"], &["formatString"]),
        _ => (
            "convertTimeZone",
            &["baseTime", "sourceTimeZone", "destinationTimeZone"],
            &["formatString"],
        ),
    };
    let mut args = Vec::new();
    for field in required {
        match inputs.get(*field) {
            Some(value) if !value.is_null() => args.push(interval_as_number(field, value)),
            _ => return failed(inputs.clone(), name, format!("inputs.{field}: required")),
        }
    }
    for field in optional {
        match inputs.get(*field) {
            Some(Value::String(text)) if !text.is_empty() => args.push(Value::String(text.clone())),
            _ => break,
        }
    }
    match crate::flow::expr::call_function(function, args, &ctx.state) {
        Ok(body) => Done::ok(inputs, json!({"body": body})),
        Err(error) => failed(inputs, name, error),
    }
}

/// The designers write `interval` as a number or as text (`"1"`).
fn interval_as_number(field: &str, value: &Value) -> Value {
    match (field, value) {
        ("interval", Value::String(text)) => text
            .trim()
            .parse::<i64>()
            .map_or_else(|_| value.clone(), Value::from),
        _ => value.clone(),
    }
}
