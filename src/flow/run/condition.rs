//! Conditions of `If` and `Until`: an expression (`"@equals(…)"`), or the object form the
//! designers write (`{"and": [{"equals": [a, b]}, {"not": {"contains": [a, b]}}]}`).

use serde_json::Value;

use crate::flow::expr::{Scope, evaluate_value};

/// Whether `condition` holds; the message says what is wrong with it.
pub fn evaluate_condition(condition: &Value, scope: &dyn Scope) -> Result<bool, String> {
    match condition {
        Value::Object(map) if map.len() == 1 => {
            let Some((operator, operands)) = map.iter().next() else {
                return Err("empty condition".to_owned());
            };
            object_form(operator, operands, scope)
        }
        Value::Object(_) => {
            Err("expected one operator (and, or, not, equals, …) per object".to_owned())
        }
        other => match evaluate_value(other, scope).map_err(|e| e.to_string())? {
            Value::Bool(b) => Ok(b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            found => Err(format!(
                "expected a boolean, found {}",
                crate::flow::file::kind_of(&found)
            )),
        },
    }
}

fn object_form(operator: &str, operands: &Value, scope: &dyn Scope) -> Result<bool, String> {
    let op = operator.to_ascii_lowercase();
    match op.as_str() {
        "and" | "or" => {
            let parts = operands
                .as_array()
                .ok_or_else(|| format!("{operator}: expected an array of conditions"))?;
            let mut results = parts.iter().map(|p| evaluate_condition(p, scope));
            if op == "and" {
                results.try_fold(true, |acc, r| r.map(|v| acc && v))
            } else {
                results.try_fold(false, |acc, r| r.map(|v| acc || v))
            }
        }
        "not" => evaluate_condition(operands, scope).map(|v| !v),
        _ => {
            let pair = operands
                .as_array()
                .filter(|list| list.len() == 2)
                .ok_or_else(|| format!("{operator}: expected two operands [a, b]"))?;
            let a = evaluate_value(&pair[0], scope).map_err(|e| format!("{operator}: {e}"))?;
            let b = evaluate_value(&pair[1], scope).map_err(|e| format!("{operator}: {e}"))?;
            compare(&op, operator, &a, &b)
        }
    }
}

fn compare(op: &str, operator: &str, a: &Value, b: &Value) -> Result<bool, String> {
    match op {
        "equals" => Ok(same(a, b)),
        "contains" => Ok(match (a, b) {
            (Value::String(a), Value::String(b)) => a.contains(b.as_str()),
            (Value::Array(items), b) => items.iter().any(|i| same(i, b)),
            (Value::Object(map), Value::String(key)) => map.contains_key(key),
            _ => false,
        }),
        "startswith" | "endswith" => {
            let (Value::String(a), Value::String(b)) = (a, b) else {
                return Err(format!("{operator}: expected two strings"));
            };
            let (a, b) = (a.to_lowercase(), b.to_lowercase());
            Ok(if op == "startswith" {
                a.starts_with(&b)
            } else {
                a.ends_with(&b)
            })
        }
        "greater" | "greaterorequals" | "less" | "lessorequals" => {
            let ordering = order(a, b).ok_or_else(|| {
                format!("{operator}: expected two numbers or two strings, found {a} and {b}")
            })?;
            Ok(match op {
                "greater" => ordering.is_gt(),
                "greaterorequals" => ordering.is_ge(),
                "less" => ordering.is_lt(),
                _ => ordering.is_le(),
            })
        }
        _ => Err(format!(
            "'{operator}' is not a condition (and, or, not, equals, contains, startsWith, endsWith, greater, greaterOrEquals, less, lessOrEquals)"
        )),
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => number(a)?.partial_cmp(&number(b)?),
    }
}

/// WDL equality: numbers by value (`1` equals `1.0`), `true` equals `1`, strings exactly,
/// arrays and objects deeply.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => number(a) == number(b),
        (Value::Bool(flag), Value::Number(_)) | (Value::Number(_), Value::Bool(flag)) => {
            let n = if matches!(a, Value::Number(_)) { a } else { b };
            number(n) == Some(if *flag { 1.0 } else { 0.0 })
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}
