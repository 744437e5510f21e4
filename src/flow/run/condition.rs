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

/// The operators of the object form that compare two operands.
const COMPARISONS: [&str; 8] = [
    "equals",
    "contains",
    "startswith",
    "endswith",
    "greater",
    "greaterorequals",
    "less",
    "lessorequals",
];

fn object_form(operator: &str, operands: &Value, scope: &dyn Scope) -> Result<bool, String> {
    let op = operator.to_ascii_lowercase();
    // A single condition where a list is expected (`{"and": {"equals": …}}`) is a list of one.
    let listed = |operands: &Value| -> Vec<Value> {
        match operands {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        }
    };
    match op.as_str() {
        "and" | "or" => {
            let mut results = listed(operands)
                .into_iter()
                .map(|p| evaluate_condition(&p, scope));
            if op == "and" {
                results.try_fold(true, |acc, r| r.map(|v| acc && v))
            } else {
                results.try_fold(false, |acc, r| r.map(|v| acc || v))
            }
        }
        "not" => match listed(operands).as_slice() {
            [single] => evaluate_condition(single, scope).map(|v| !v),
            _ => Err(format!("{operator}: expected one condition")),
        },
        _ if COMPARISONS.contains(&op.as_str()) => {
            let pair = operands
                .as_array()
                .filter(|list| list.len() == 2)
                .ok_or_else(|| format!("{operator}: expected two operands [a, b]"))?;
            let a = operand(&pair[0], scope).map_err(|e| format!("{operator}: {e}"))?;
            let b = operand(&pair[1], scope).map_err(|e| format!("{operator}: {e}"))?;
            compare(&op, operator, &a, &b)
        }
        // Any other function that gives a boolean (`{"empty": ["@…"]}`).
        _ => match call(operator, operands, scope)? {
            Value::Bool(b) => Ok(b),
            found => Err(format!(
                "{operator}: expected a boolean, found {}",
                crate::flow::file::kind_of(&found)
            )),
        },
    }
}

/// An operand of the object form: an expression or a value, or a function written as an
/// object (`{"length": ["a"]}`, any case). An array is refused, as the cloud refuses it.
fn operand(value: &Value, scope: &dyn Scope) -> Result<Value, String> {
    match value {
        Value::Array(_) => Err("an array is not allowed as an operand of a condition".to_owned()),
        Value::Object(map) if map.len() == 1 => {
            let Some((name, args)) = map.iter().next() else {
                return Err("empty operand".to_owned());
            };
            let lower = name.to_ascii_lowercase();
            if matches!(lower.as_str(), "and" | "or" | "not")
                || COMPARISONS.contains(&lower.as_str())
            {
                return evaluate_condition(value, scope).map(Value::Bool);
            }
            call(name, args, scope)
        }
        other => evaluate_value(other, scope).map_err(|e| e.to_string()),
    }
}

/// A function written as an object: `name` called on its operands.
fn call(name: &str, args: &Value, scope: &dyn Scope) -> Result<Value, String> {
    let args = match args {
        Value::Array(items) => items
            .iter()
            .map(|arg| operand(arg, scope))
            .collect::<Result<Vec<_>, _>>()?,
        single => vec![operand(single, scope)?],
    };
    match crate::flow::expr::call_with_values(name, args, scope) {
        Some(result) => result.map_err(|e| e.to_string()),
        None => Err(format!(
            "'{name}' is not a condition or a function (and, or, not, equals, contains, startsWith, endsWith, greater, greaterOrEquals, less, lessOrEquals, or an expression function)"
        )),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn holds(condition: Value) -> Result<bool, String> {
        let scope =
            crate::flow::expr::JsonScope::from_context(&json!({"variables": {"name": "Ann"}}));
        evaluate_condition(&condition, &scope)
    }

    #[test]
    fn the_object_form_reads_as_the_cloud_reads_it() {
        // A function written as an object, in any case (a cloud trace of IllogicApps).
        assert_eq!(
            holds(json!({"and": [{"equals": [{"lENgth": ["a"]}, 1]}, {"equals": [2, 2]}]})),
            Ok(true)
        );
        assert_eq!(
            holds(json!({"equals": [{"toLower": ["@variables('name')"]}, "ann"]})),
            Ok(true)
        );
        // `not` and `and` take a single condition without an array.
        assert_eq!(
            holds(json!({"not": {"equals": [{"length": ["a"]}, 1]}})),
            Ok(false)
        );
        assert_eq!(holds(json!({"and": {"equals": [1, 1]}})), Ok(true));
        // Any function giving a boolean.
        assert_eq!(holds(json!({"empty": [""]})), Ok(true));
        // Operators in any case.
        assert_eq!(
            holds(json!({"Or": [{"Equals": [1, 2]}, {"GREATER": [3, 2]}]})),
            Ok(true)
        );
    }

    #[test]
    fn arrays_and_unknown_names_are_refused() {
        assert!(
            holds(json!({"equals": [[], []]}))
                .unwrap_err()
                .contains("an array is not allowed")
        );
        assert!(
            holds(json!({"equals": [{"nope": [1]}, 1]}))
                .unwrap_err()
                .contains("'nope' is not a condition or a function")
        );
        assert!(
            holds(json!({"length": ["abc"]}))
                .unwrap_err()
                .contains("expected a boolean, found a number")
        );
    }
}
