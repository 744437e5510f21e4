//! Data actions: `Compose`, the variable actions, `ParseJson`, `Query`, `Select`, `Join`,
//! `Table`, `Wait`, `Response` and `Terminate`.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::condition::evaluate_condition;
use super::engine::{Ctx, Done, Env};
use super::record::{ActionError, Status};
use super::state::LoopFrame;
use crate::flow::expr::evaluate_value;
use crate::flow::file::kind_of;

pub(super) fn fail(inputs: Value, name: &str, message: impl std::fmt::Display) -> Done {
    Done::failed(
        inputs,
        "InvalidTemplate",
        format!("Action '{name}': {message}"),
    )
}

/// Actions whose inputs are evaluated once, before they run.
pub fn run_data(ctx: &mut Ctx, name: &str, kind: &str, inputs: Value) -> Done {
    match kind {
        "compose" => Done::ok(inputs.clone(), inputs),
        "initializevariable" => initialize(ctx, name, inputs),
        "setvariable" => set_variable(ctx, name, inputs),
        "incrementvariable" | "decrementvariable" => {
            step_variable(ctx, name, inputs, kind == "decrementvariable")
        }
        "appendtoarrayvariable" | "appendtostringvariable" => {
            append(ctx, name, inputs, kind == "appendtoarrayvariable")
        }
        "parsejson" => parse_json(name, inputs),
        "join" => join(name, inputs),
        _ => fail(inputs, name, format!("'{kind}' has no runner")),
    }
}

fn variable_name(inputs: &Value) -> Option<String> {
    inputs
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn initialize(ctx: &mut Ctx, name: &str, inputs: Value) -> Done {
    let Some(list) = inputs.get("variables").and_then(Value::as_array) else {
        return fail(
            inputs,
            name,
            "inputs.variables: expected [{\"name\", \"type\", \"value\"}]",
        );
    };
    for variable in list {
        let Some(var) = variable.get("name").and_then(Value::as_str) else {
            return fail(
                inputs.clone(),
                name,
                "inputs.variables: a variable has no name",
            );
        };
        let kind = variable
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("string")
            .to_ascii_lowercase();
        // No value: the type's empty value; a value given (even null) is kept, read as the
        // type reads it.
        let value = match variable.get("value") {
            None => match kind.as_str() {
                "integer" | "float" => json!(0),
                "boolean" => json!(false),
                "array" => json!([]),
                "object" => json!({}),
                _ => json!(""),
            },
            Some(value) => match typed(var, &kind, value.clone()) {
                Ok(value) => value,
                Err(message) => {
                    return Done::failed(inputs.clone(), "InvalidVariableValueType", message);
                }
            },
        };
        // Names are case-insensitive: `testVAR` is `TestVar` again.
        if ctx
            .state
            .variables
            .keys()
            .any(|existing| existing.eq_ignore_ascii_case(var))
        {
            return fail(
                inputs.clone(),
                name,
                format!("variable '{var}' is already initialized"),
            );
        }
        ctx.state.variables.insert(var.to_owned(), value);
        ctx.state
            .variable_types
            .insert(var.to_lowercase(), kind.clone());
    }
    Done::ok(inputs, Value::Null)
}

fn existing<'c>(ctx: &'c mut Ctx, var: &str) -> Option<&'c mut Value> {
    ctx.state
        .variables
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(var))
        .map(|(_, v)| v)
}

fn set_variable(ctx: &mut Ctx, name: &str, inputs: Value) -> Done {
    let Some(var) = variable_name(&inputs) else {
        return fail(inputs, name, "inputs.name: missing");
    };
    let mut value = inputs.get("value").cloned().unwrap_or(Value::Null);
    // A few variables at most: compared without a lower-case copy of the name.
    let declared = ctx
        .state
        .variable_types
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(&var))
        .map(|(_, kind)| kind);
    if let Some(declared) = declared {
        match typed(&var, declared, value) {
            Ok(read) => value = read,
            Err(message) => return Done::failed(inputs, "InvalidVariableValueType", message),
        }
    }
    match existing(ctx, &var) {
        None => fail(inputs, name, format!("variable '{var}' is not initialized")),
        Some(slot) => {
            *slot = value.clone();
            Done::ok(inputs, json!({"body": {"name": var, "value": value}}))
        }
    }
}

/// `value` as the variable `var` declared `declared` holds it, the same when it is
/// initialized and when it is set: null is kept (a flow reading a nextLink that is gone, a
/// `first()` of nothing), an integer takes its text, a string takes any value's text;
/// otherwise "Both the new value and the variable must have the same data type" (a float
/// takes an integer), in the cloud's words.
fn typed(var: &str, declared: &str, value: Value) -> Result<Value, String> {
    let read = match (declared, value) {
        (_, Value::Null) => Ok(Value::Null),
        ("integer", v @ Value::Number(_)) if v.as_i64().is_some() || v.as_u64().is_some() => Ok(v),
        ("integer", Value::String(s)) if s.trim().parse::<i64>().is_ok() => {
            Ok(json!(s.trim().parse::<i64>().unwrap_or_default()))
        }
        ("float", v @ Value::Number(_)) => Ok(v),
        ("boolean", v @ Value::Bool(_)) => Ok(v),
        ("string", Value::String(s)) => Ok(Value::String(s)),
        ("string", other) => Ok(Value::String(other.to_string())),
        ("array", v @ Value::Array(_)) => Ok(v),
        ("object", v @ Value::Object(_)) => Ok(v),
        ("integer" | "float" | "boolean" | "array" | "object", other) => Err(other),
        (_, other) => Ok(other),
    };
    read.map_err(|found| {
        let type_name = |kind: &str| {
            let mut chars = kind.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().collect::<String>() + chars.as_str()
            })
        };
        let found = super::control::type_name(&found);
        let declared = type_name(declared);
        format!(
            "The variable '{var}' of type '{declared}' cannot be initialized or updated with value of type '{found}'. The variable '{var}' only supports values of types '{declared}'."
        )
    })
}

fn step_variable(ctx: &mut Ctx, name: &str, inputs: Value, down: bool) -> Done {
    let Some(var) = variable_name(&inputs) else {
        return fail(inputs, name, "inputs.name: missing");
    };
    let by = inputs.get("value").cloned().unwrap_or(json!(1));
    let Some(slot) = existing(ctx, &var) else {
        return fail(inputs, name, format!("variable '{var}' is not initialized"));
    };
    let result = match (slot.as_i64(), by.as_i64()) {
        (Some(a), Some(b)) => {
            let sum = if down {
                a.checked_sub(b)
            } else {
                a.checked_add(b)
            };
            sum.map(|n| json!(n))
        }
        _ => match (slot.as_f64(), by.as_f64()) {
            (Some(a), Some(b)) => Some(json!(if down { a - b } else { a + b })),
            _ => None,
        },
    };
    match result {
        Some(value) => {
            *slot = value.clone();
            Done::ok(inputs, json!({"body": {"name": var, "value": value}}))
        }
        None => {
            let found = kind_of(slot);
            fail(
                inputs,
                name,
                format!("variable '{var}' and the value must be numbers, found {found}"),
            )
        }
    }
}

fn append(ctx: &mut Ctx, name: &str, inputs: Value, to_array: bool) -> Done {
    let Some(var) = variable_name(&inputs) else {
        return fail(inputs, name, "inputs.name: missing");
    };
    let value = inputs.get("value").cloned().unwrap_or(Value::Null);
    let Some(slot) = existing(ctx, &var) else {
        return fail(inputs, name, format!("variable '{var}' is not initialized"));
    };
    match (slot, to_array) {
        (Value::Array(items), true) => items.push(value),
        (Value::String(text), false) => match &value {
            Value::String(s) => text.push_str(s),
            Value::Null => {}
            other => text.push_str(&other.to_string()),
        },
        (slot, _) => {
            let found = kind_of(slot);
            let expected = if to_array { "an array" } else { "a string" };
            return fail(
                inputs,
                name,
                format!("variable '{var}' is {found}, not {expected}"),
            );
        }
    }
    Done::ok(inputs, Value::Null)
}

fn parse_json(name: &str, inputs: Value) -> Done {
    let content = inputs.get("content").cloned().unwrap_or(Value::Null);
    let parsed = match content {
        Value::String(text) => match serde_json::from_str::<Value>(&text) {
            Ok(value) => value,
            Err(e) => return fail(inputs, name, format!("inputs.content is not JSON: {e}")),
        },
        other => other,
    };
    if let Some(schema) = inputs.get("schema")
        && let Err(problem) = check_schema(&parsed, schema, "content")
    {
        return fail(inputs, name, problem);
    }
    Done::ok(inputs, json!({"body": parsed}))
}

/// The checks of a JSON schema that matter to flows: `type` and `required`.
fn check_schema(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let fits = |t: &str| match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    };
    if !types.is_empty() && !types.iter().any(|t| fits(t)) {
        return Err(format!(
            "{at}: the schema expects {}, found {}",
            types.join(" or "),
            kind_of(value)
        ));
    }
    if let (Value::Object(map), Some(Value::Array(required))) = (value, schema.get("required")) {
        for field in required.iter().filter_map(Value::as_str) {
            if !map.contains_key(field) {
                return Err(format!(
                    "{at}: the schema requires '{field}', which is missing"
                ));
            }
        }
    }
    if let (Value::Object(map), Some(Value::Object(properties))) = (value, schema.get("properties"))
    {
        for (field, sub) in properties {
            if let Some(inner) = map.get(field).filter(|v| !v.is_null()) {
                check_schema(inner, sub, &format!("{at}.{field}"))?;
            }
        }
    }
    if let (Value::Array(items), Some(sub)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check_schema(item, sub, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn join(name: &str, inputs: Value) -> Done {
    let Some(items) = inputs.get("from").and_then(Value::as_array) else {
        return fail(inputs, name, "inputs.from: expected an array");
    };
    let separator = inputs
        .get("joinWith")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let text: Vec<String> = items
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    let joined = text.join(separator);
    Done::ok(inputs, json!({"body": joined}))
}

/// `Query`: the items of `from` for which `where` holds (`item()` is each item).
pub fn run_query(ctx: &mut Ctx, name: &str, raw: &Value) -> Done {
    per_item(ctx, name, raw, "where", |ctx, condition| {
        evaluate_condition(condition, &ctx.state).map(|keep| keep.then_some(None))
    })
}

/// `Select`: `select` evaluated for each item of `from`.
pub fn run_select(ctx: &mut Ctx, name: &str, raw: &Value) -> Done {
    per_item(ctx, name, raw, "select", |ctx, template| {
        evaluate_value(template, &ctx.state)
            .map(|value| Some(Some(value)))
            .map_err(|e| e.to_string())
    })
}

/// Evaluates `from`, then `field` once per item; `each` answers `None` to drop the item,
/// `Some(None)` to keep it, `Some(Some(v))` to put `v` in its place.
fn per_item(
    ctx: &mut Ctx,
    name: &str,
    raw: &Value,
    field: &str,
    each: impl Fn(&Ctx, &Value) -> Result<Option<Option<Value>>, String>,
) -> Done {
    let from = raw.get("from").cloned().unwrap_or(Value::Null);
    let items = match evaluate_value(&from, &ctx.state) {
        Ok(Value::Array(items)) => items,
        Ok(other) => {
            return fail(
                json!({"from": other}),
                name,
                "inputs.from: expected an array",
            );
        }
        Err(e) => return fail(Value::Null, name, format!("inputs.from: {e}")),
    };
    let template = raw.get(field).cloned().unwrap_or(Value::Null);
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        ctx.state.loops.push(LoopFrame {
            name: name.to_owned(),
            item: item.clone(),
            index,
        });
        let result = each(ctx, &template);
        ctx.state.loops.pop();
        match result {
            Ok(Some(Some(value))) => out.push(value),
            Ok(Some(None)) => out.push(item.clone()),
            Ok(None) => {}
            Err(e) => {
                return fail(
                    json!({"from": items}),
                    name,
                    format!("inputs.{field}, item {index}: {e}"),
                );
            }
        }
    }
    Done::ok(
        json!({"from": items, field: template}),
        json!({"body": out}),
    )
}

/// `Terminate`: ends the run with `runStatus` (Failed, Cancelled, Succeeded) and `runError`.
pub fn run_terminate(ctx: &mut Ctx, inputs: Value) -> Done {
    let status = inputs
        .get("runStatus")
        .and_then(Value::as_str)
        .and_then(Status::parse)
        .unwrap_or(Status::Failed);
    let error = inputs.get("runError").map(|e| ActionError {
        code: e
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or("Terminated")
            .to_owned(),
        message: e
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    });
    let error = match (status, error) {
        (Status::Failed, None) => Some(ActionError {
            code: "Terminated".to_owned(),
            message: "The run was terminated as failed.".to_owned(),
        }),
        (_, error) => error,
    };
    ctx.terminated = Some((status, error));
    Done::ok(inputs, Value::Null)
}

/// `Response`: the answer a Request trigger's caller would get.
pub fn run_response(ctx: &mut Ctx, inputs: Value) -> Done {
    // A request is answered once: a second Response fails, "due to the conflict".
    if ctx.response.is_some() {
        return Done::failed(
            inputs,
            "ResponseAlreadySent",
            "The request has already been answered by another Response action; a request takes one response.",
        );
    }
    // As the reference says: a status starting with 2, 4 or 5 (never 3xx), as an integer
    // or its text.
    let status = match inputs.get("statusCode") {
        None => Some(200),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(text)) => text.trim().parse::<u64>().ok(),
        Some(_) => None,
    }
    .filter(|code| matches!(code, 200..=299 | 400..=599));
    let Some(status) = status else {
        let found = inputs
            .get("statusCode")
            .map_or_else(String::new, Value::to_string);
        return Done::failed(
            inputs,
            "InvalidTemplate",
            format!(
                "Response: inputs.statusCode: expected an HTTP status starting with 2, 4 or 5 (3xx cannot be sent), found {found}"
            ),
        );
    };
    let answer = json!({
        "statusCode": status,
        "headers": inputs.get("headers").cloned().unwrap_or(json!({})),
        "body": inputs.get("body").cloned().unwrap_or(Value::Null),
    });
    ctx.response = Some(answer.clone());
    Done::ok(inputs, answer)
}

/// `Wait`: `interval` (`count` + `unit`) or `until.timestamp`; stops early when cancelled.
pub async fn run_wait(env: &Env, inputs: Value) -> Done {
    let duration = if let Some(interval) = inputs.get("interval") {
        let count = interval
            .get("count")
            .and_then(|c| {
                c.as_f64()
                    .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(0.0);
        let unit = interval
            .get("unit")
            .and_then(Value::as_str)
            .unwrap_or("Second");
        let seconds = match unit.to_ascii_lowercase().as_str() {
            "second" => 1.0,
            "minute" => 60.0,
            "hour" => 3600.0,
            "day" => 86_400.0,
            "week" => 604_800.0,
            "month" => 2_592_000.0,
            _ => {
                let message = format!("Wait: unknown unit '{unit}'");
                return Done::failed(inputs, "InvalidTemplate", message);
            }
        };
        Duration::from_secs_f64((count * seconds).max(0.0))
    } else if let Some(until) = inputs.pointer("/until/timestamp").and_then(Value::as_str) {
        match chrono::DateTime::parse_from_rfc3339(until) {
            Ok(at) => (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                .to_std()
                .unwrap_or_default(),
            Err(e) => {
                let message = format!("Wait: until.timestamp: {e}");
                return Done::failed(inputs, "InvalidTemplate", message);
            }
        }
    } else {
        return Done::failed(
            inputs,
            "InvalidTemplate",
            "Wait: expected interval or until",
        );
    };
    let cancel = env.cancel.clone();
    tokio::select! {
        () = tokio::time::sleep(duration) => Done::ok(inputs, Value::Null),
        () = wait_cancelled(cancel) => Done {
            status: Status::Cancelled,
            ..Done::failed(inputs, "Cancelled", "The run was cancelled during the wait.")
        },
    }
}

async fn wait_cancelled(cancel: crate::odata::client::CancelToken) {
    while !cancel.is_cancelled() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An ISO 8601 duration (`PT1H`, `P1DT30M`, `PT0.5S`).
pub fn parse_iso_duration(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut seconds = 0.0;
    let mut read = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
            } else {
                let factor = units.iter().find(|(u, _)| *u == c)?.1;
                seconds += number.parse::<f64>().ok()? * factor;
                number.clear();
            }
        }
        number.is_empty().then_some(())
    };
    read(
        date,
        &[
            ('Y', 31_536_000.0),
            ('M', 2_592_000.0),
            ('W', 604_800.0),
            ('D', 86_400.0),
        ],
    )?;
    read(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    Some(Duration::from_secs_f64(seconds))
}

/// The definition's parameters with their values: `values` given for the run, else each
/// `defaultValue`.
pub fn resolve_parameters(
    declared: Option<&Map<String, Value>>,
    values: &Map<String, Value>,
) -> Map<String, Value> {
    let mut resolved = Map::new();
    for (name, declaration) in declared.into_iter().flatten() {
        let value = values
            .get(name)
            .cloned()
            .or_else(|| declaration.get("defaultValue").cloned())
            .unwrap_or(Value::Null);
        resolved.insert(name.clone(), value);
    }
    for (name, value) in values {
        resolved
            .entry(name.clone())
            .or_insert_with(|| value.clone());
    }
    resolved
}
