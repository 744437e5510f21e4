//! JSON values as written in a definition: `"@expr"` (one expression, type kept),
//! `"text @{expr} text"` (interpolation, a string), `"@@..."` (a literal `@`), and objects
//! and arrays evaluated recursively.

use serde_json::{Map, Value};

use super::ast::Expr;
use super::error::ExprError;
use super::eval::evaluate;
use super::parser::parse_at;
use super::scope::Scope;
use super::value::to_text;

/// How a string from a definition reads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Template {
    /// Plain text (after unescaping a leading `@@`).
    Literal(String),
    /// `@expr`: one expression whose value keeps its type.
    Single(Expr),
    /// `text @{expr} text`: the parts, joined as text.
    Interpolated(Vec<Part>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Text(String),
    Expr(Expr),
}

/// Reads a definition string; parse errors carry columns in the whole string.
pub(crate) fn classify(text: &str) -> Result<Template, ExprError> {
    if let Some(rest) = text.strip_prefix("@@") {
        return Ok(Template::Literal(format!("@{rest}")));
    }
    if text.contains("@{") {
        return interpolation(text).map(Template::Interpolated);
    }
    if let Some(rest) = text.strip_prefix('@') {
        return parse_at(rest, 1).map(Template::Single);
    }
    Ok(Template::Literal(text.to_string()))
}

fn interpolation(text: &str) -> Result<Vec<Part>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' && chars.get(i + 1) == Some(&'@') && chars.get(i + 2) == Some(&'{') {
            literal.push_str("@{");
            i += 3;
        } else if chars[i] == '@' && chars.get(i + 1) == Some(&'{') {
            let start = i + 2;
            let mut j = start;
            let mut in_string = false;
            while j < chars.len() && (in_string || chars[j] != '}') {
                if chars[j] == '\'' {
                    in_string = !in_string;
                }
                j += 1;
            }
            if j >= chars.len() {
                return Err(ExprError::parse(
                    "unterminated '@{': a closing '}' is missing",
                    i + 1,
                ));
            }
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal)));
            }
            let inner: String = chars[start..j].iter().collect();
            parts.push(Part::Expr(parse_at(&inner, start)?));
            i = j + 1;
        } else {
            literal.push(chars[i]);
            i += 1;
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Text(literal));
    }
    Ok(parts)
}

/// Evaluates a JSON value as written in a definition (see the module documentation).
pub fn evaluate_value(value: &Value, scope: &dyn Scope) -> Result<Value, ExprError> {
    match value {
        Value::String(text) => match classify(text)? {
            Template::Literal(text) => Ok(Value::String(text)),
            Template::Single(expr) => evaluate(&expr, scope),
            Template::Interpolated(parts) => {
                let mut out = String::new();
                for part in &parts {
                    match part {
                        Part::Text(text) => out.push_str(text),
                        Part::Expr(expr) => out.push_str(&to_text(&evaluate(expr, scope)?)),
                    }
                }
                Ok(Value::String(out))
            }
        },
        Value::Array(items) => items
            .iter()
            .map(|item| evaluate_value(item, scope))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                out.insert(key.clone(), evaluate_value(item, scope)?);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

/// Every expression inside a JSON value, in document order.
pub(crate) fn expressions(value: &Value, out: &mut Vec<Expr>) -> Result<(), ExprError> {
    match value {
        Value::String(text) => match classify(text)? {
            Template::Literal(_) => {}
            Template::Single(expr) => out.push(expr),
            Template::Interpolated(parts) => {
                out.extend(parts.into_iter().filter_map(|part| match part {
                    Part::Expr(expr) => Some(expr),
                    Part::Text(_) => None,
                }))
            }
        },
        Value::Array(items) => items.iter().try_for_each(|item| expressions(item, out))?,
        Value::Object(map) => map.values().try_for_each(|item| expressions(item, out))?,
        _ => {}
    }
    Ok(())
}
