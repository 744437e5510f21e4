//! Evaluates an [`Expr`] against a [`Scope`]: calls functions and resolves member access
//! (`.x`, `['x']`, `[0]`, null-safe `?`, and Power Automate's slash paths `['body/value']`).

use serde_json::Value;

use super::ast::{Expr, ExprKind};
use super::error::ExprError;
use super::functions::{self, Call};
use super::scope::{Scope, lookup_name};
use super::value::describe;

/// Evaluates a parsed expression.
pub fn evaluate(expr: &Expr, scope: &dyn Scope) -> Result<Value, ExprError> {
    if !matches!(expr.kind, ExprKind::Literal(_))
        && let Some(value) = borrowed(expr, scope)
    {
        return Ok(value.clone());
    }
    match &expr.kind {
        ExprKind::Literal(value) => Ok(value.clone()),
        ExprKind::Call { name, args } => {
            let Some(function) = functions::lookup(name) else {
                return Err(ExprError::eval(
                    format!("unknown function '{name}'"),
                    Some(expr.position),
                ));
            };
            function
                .check_arity(args.len())
                .map_err(|message| ExprError::eval(message, Some(expr.position)))?;
            // Arguments are evaluated left to right before the call, except that `if`
            // evaluates only the branch it takes, `and` / `or` stop at the first argument
            // that decides and `coalesce` at the first that is not null (as the cloud does:
            // `if(less(length(s), 10), s, substring(s, 0, 10))` works on a short `s`).
            let values = match (function.name, args.as_slice()) {
                ("if", [condition, then, otherwise]) => {
                    let decided = evaluate(condition, scope)?;
                    let taken = match decided {
                        Value::Bool(true) => (evaluate(then, scope)?, Value::Null),
                        Value::Bool(false) => (Value::Null, evaluate(otherwise, scope)?),
                        _ => (Value::Null, Value::Null),
                    };
                    vec![decided, taken.0, taken.1]
                }
                ("and" | "or", _) => {
                    let decides = function.name == "or";
                    let mut values = Vec::with_capacity(args.len());
                    for arg in args {
                        let value = evaluate(arg, scope)?;
                        let stop = value == Value::Bool(decides);
                        values.push(value);
                        if stop {
                            break;
                        }
                    }
                    values
                }
                // `coalesce` stops at the first value that is not null.
                ("coalesce", _) => {
                    let mut values = Vec::with_capacity(args.len());
                    for arg in args {
                        let value = evaluate(arg, scope)?;
                        let found = !value.is_null();
                        values.push(value);
                        if found {
                            break;
                        }
                    }
                    values
                }
                _ => args
                    .iter()
                    .map(|arg| evaluate(arg, scope))
                    .collect::<Result<Vec<_>, _>>()?,
            };
            let call = Call {
                function,
                args: values,
                scope,
            };
            (function.run)(&call).map_err(|message| ExprError::eval(message, Some(expr.position)))
        }
        ExprKind::Member {
            target,
            key,
            null_safe,
        } => {
            let target_value = evaluate(target, scope)?;
            let key_value = evaluate(key, scope)?;
            member(&target_value, &key_value, *null_safe)
                .map_err(|message| ExprError::eval(message, Some(key.position)))
        }
    }
}

/// The value of `expr` without copying what it reads: a scope reader with a literal argument
/// (see [`Scope::borrowed`]) or a literal member of one that is there (`items('L')?['x']`).
/// `None` when that does not apply; the caller then evaluates `expr` as usual, which gives
/// the same value (and the errors).
fn borrowed<'s>(expr: &Expr, scope: &'s dyn Scope) -> Option<&'s Value> {
    match &expr.kind {
        ExprKind::Call { name, args } => {
            let arg = match args.as_slice() {
                [] => None,
                [
                    Expr {
                        kind: ExprKind::Literal(Value::String(arg)),
                        ..
                    },
                ] => Some(arg.as_str()),
                _ => return None,
            };
            scope.borrowed(name, arg)
        }
        ExprKind::Member { target, key, .. } => {
            let ExprKind::Literal(key) = &key.kind else {
                return None;
            };
            match (borrowed(target, scope)?, key) {
                (Value::Object(map), Value::String(name)) => lookup_name(map, name),
                (Value::Array(items), Value::Number(n)) => {
                    usize::try_from(n.as_i64()?).ok().and_then(|i| items.get(i))
                }
                _ => None,
            }
        }
        ExprKind::Literal(_) => None,
    }
}

/// `target[key]`: object properties (exact name, then ignoring case, then as a `a/b` path),
/// array items by index; `null_safe` turns "not there" into null.
pub(crate) fn member(target: &Value, key: &Value, null_safe: bool) -> Result<Value, String> {
    match (target, key) {
        (Value::Null, _) if null_safe => Ok(Value::Null),
        (Value::Null, _) => Err(format!(
            "cannot read {} of null (use ?[...] to get null instead)",
            key_text(key)
        )),
        (Value::Object(map), Value::String(name)) => {
            if let Some(found) = lookup_name(map, name) {
                return Ok(found.clone());
            }
            if name.contains('/') {
                return slash_path(target, name, null_safe);
            }
            if null_safe {
                return Ok(Value::Null);
            }
            if map.is_empty() {
                return Err(format!(
                    "property '{name}' doesn't exist: the object has no properties (use ?['{name}'] to get null instead)"
                ));
            }
            let names: Vec<&str> = map.keys().map(String::as_str).take(20).collect();
            Err(format!(
                "property '{name}' doesn't exist; available properties are '{}' (use ?['{name}'] to get null instead)",
                names.join("', '")
            ))
        }
        (Value::Array(items), Value::Number(n)) => {
            let index = n
                .as_i64()
                .ok_or_else(|| format!("an array index must be an integer, found {n}"))?;
            match usize::try_from(index).ok().and_then(|i| items.get(i)) {
                Some(item) => Ok(item.clone()),
                None if null_safe => Ok(Value::Null),
                None => Err(format!(
                    "index {index} is out of range for an array of {} item(s)",
                    items.len()
                )),
            }
        }
        (Value::Array(items), Value::String(text)) if text.parse::<usize>().is_ok() => {
            let index: usize = text.parse().unwrap_or(usize::MAX);
            match items.get(index) {
                Some(item) => Ok(item.clone()),
                None if null_safe => Ok(Value::Null),
                None => Err(format!(
                    "index {index} is out of range for an array of {} item(s)",
                    items.len()
                )),
            }
        }
        _ if null_safe && !matches!(key, Value::String(_) | Value::Number(_)) => Err(format!(
            "a property name or index must be a string or an integer, found {}",
            describe(key)
        )),
        _ => Err(format!(
            "cannot read {} of {}",
            key_text(key),
            describe(target)
        )),
    }
}

/// Power Automate's `outputs('A')?['body/value']`: a slash-separated path through nested
/// objects, used when no property carries the slash in its name.
fn slash_path(target: &Value, path: &str, null_safe: bool) -> Result<Value, String> {
    let mut current = target.clone();
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        let key = match (&current, segment.parse::<i64>()) {
            (Value::Array(_), Ok(index)) => Value::Number(index.into()),
            _ => Value::String(segment.to_string()),
        };
        current = member(&current, &key, null_safe)
            .map_err(|message| format!("path '{path}': {message}"))?;
    }
    Ok(current)
}

fn key_text(key: &Value) -> String {
    match key {
        Value::String(name) => format!("property '{name}'"),
        Value::Number(n) => format!("index {n}"),
        other => describe(other),
    }
}
