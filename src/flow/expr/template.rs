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
    // A lone `@` is text, as in the cloud.
    if text == "@" {
        return Ok(Template::Literal(text.to_owned()));
    }
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
    interpolation_sources(text)?
        .into_iter()
        .map(|part| match part {
            SourcePart::Text(text) => Ok(Part::Text(text)),
            SourcePart::Expr { source, start } => parse_at(&source, start).map(Part::Expr),
        })
        .collect()
}

/// A definition string split as written: literal text and the source of each expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourcePart {
    /// Literal text (escapes already undone).
    Text(String),
    /// An expression's source and the 0-based character where it starts in the string.
    Expr {
        /// The expression as written, without `@` or `@{ }`.
        source: String,
        /// Where it starts in the whole string (characters).
        start: usize,
    },
}

/// How a definition string reads, without evaluating it: plain text, one expression
/// (`@expr`, its value keeps its type) or interpolation (`a @{b} c`, a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceForm {
    /// Plain text (after unescaping a leading `@@`).
    Literal(String),
    /// `@expr`: the expression's source.
    Single(String),
    /// `text @{expr} text`: the parts in order.
    Interpolated(Vec<SourcePart>),
}

/// Splits a definition string into its literal text and expression sources; the
/// expressions are checked to parse.
pub fn source_form(text: &str) -> Result<SourceForm, ExprError> {
    if text == "@" {
        return Ok(SourceForm::Literal(text.to_owned()));
    }
    if let Some(rest) = text.strip_prefix("@@") {
        return Ok(SourceForm::Literal(format!("@{rest}")));
    }
    if text.contains("@{") {
        let parts = interpolation_sources(text)?;
        for part in &parts {
            if let SourcePart::Expr { source, start } = part {
                parse_at(source, *start)?;
            }
        }
        return Ok(SourceForm::Interpolated(parts));
    }
    if let Some(rest) = text.strip_prefix('@') {
        parse_at(rest, 1)?;
        return Ok(SourceForm::Single(rest.to_owned()));
    }
    Ok(SourceForm::Literal(text.to_owned()))
}

fn interpolation_sources(text: &str) -> Result<Vec<SourcePart>, ExprError> {
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
                parts.push(SourcePart::Text(std::mem::take(&mut literal)));
            }
            parts.push(SourcePart::Expr {
                source: chars[start..j].iter().collect(),
                start,
            });
            i = j + 1;
        } else {
            literal.push(chars[i]);
            i += 1;
        }
    }
    if !literal.is_empty() {
        parts.push(SourcePart::Text(literal));
    }
    Ok(parts)
}

/// Evaluates a JSON value as written in a definition (see the module documentation).
pub fn evaluate_value(value: &Value, scope: &dyn Scope) -> Result<Value, ExprError> {
    match value {
        // Plain text needs no parsing; the rest is parsed once per thread (a loop evaluates
        // the same strings in every iteration).
        Value::String(text) if !text.starts_with('@') && !text.contains("@{") => {
            Ok(Value::String(text.clone()))
        }
        Value::String(text) => match &*super::cache::template(text)? {
            Template::Literal(text) => Ok(Value::String(text.clone())),
            Template::Single(expr) => evaluate(expr, scope),
            Template::Interpolated(parts) => {
                let mut out = String::new();
                for part in parts {
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
