//! Definition values turned into WDL expression source, so a value can be placed inside a
//! larger expression (a double-encoded path segment, a condition on an assertion's field).

use serde_json::Value;

use crate::flow::expr::{ExprError, SourceForm, SourcePart, source_form};

/// A string literal in expression syntax: `'it''s'`.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The expression whose value is what `value` gives when a definition is evaluated:
/// `'text'` for plain text, the expression itself for `@expr`, `concat(...)` for
/// interpolation, numbers and booleans as written, `json('...')` for arrays and objects.
pub fn expression_of(value: &Value) -> Result<String, ExprError> {
    Ok(match value {
        Value::String(text) => match source_form(text)? {
            SourceForm::Literal(text) => quote(&text),
            SourceForm::Single(source) => source.trim().to_owned(),
            SourceForm::Interpolated(parts) => interpolation(&parts),
        },
        Value::Null => "null".to_owned(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(_) | Value::Object(_) => format!("json({})", quote(&value.to_string())),
    })
}

fn interpolation(parts: &[SourcePart]) -> String {
    let pieces: Vec<String> = parts
        .iter()
        .map(|part| match part {
            SourcePart::Text(text) => quote(text),
            SourcePart::Expr { source, .. } => source.trim().to_owned(),
        })
        .collect();
    match pieces.as_slice() {
        [single] if matches!(parts.first(), Some(SourcePart::Expr { .. })) => {
            format!("string({single})")
        }
        _ => format!("concat({})", pieces.join(", ")),
    }
}

/// The definition value that evaluates to what `expression` gives: plain text when it is a
/// string literal, `@expression` otherwise (a leading `@` of text escaped as `@@`).
pub fn value_of_expression(expression: &str) -> Value {
    let expression = expression.trim();
    if let Some(text) = string_literal(expression) {
        return Value::String(escape_text(&text));
    }
    Value::String(format!("@{expression}"))
}

/// Plain text as a definition string: a leading `@` doubled, `@{` escaped.
pub fn escape_text(text: &str) -> String {
    let text = text.replace("@{", "@@{");
    if text.starts_with('@') && !text.starts_with("@@{") {
        format!("@{text}")
    } else {
        text
    }
}

/// The text of `'...'` when the whole expression is one string literal.
pub fn string_literal(expression: &str) -> Option<String> {
    let inner = expression.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
            } else {
                return None;
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// A value in one canonical written form, so two definitions that say the same thing
/// compare equal: strings holding an expression or interpolation become `@expression`,
/// arrays and objects are compared member by member.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::String(text) => match source_form(text) {
            Ok(SourceForm::Literal(_)) | Err(_) => value.clone(),
            Ok(_) => match expression_of(value) {
                Ok(expression) => value_of_expression(&expression),
                Err(_) => value.clone(),
            },
        },
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| (key.clone(), canonical(item)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_become_expressions_that_give_them() {
        assert_eq!(expression_of(&json!("usmf")).unwrap(), "'usmf'");
        assert_eq!(expression_of(&json!("it's")).unwrap(), "'it''s'");
        assert_eq!(
            expression_of(&json!("@triggerBody()?['text']")).unwrap(),
            "triggerBody()?['text']"
        );
        assert_eq!(
            expression_of(&json!("usmf,@{triggerBody()?['text']}")).unwrap(),
            "concat('usmf,', triggerBody()?['text'])"
        );
        assert_eq!(
            expression_of(&json!("@{variables('n')}")).unwrap(),
            "string(variables('n'))"
        );
        assert_eq!(expression_of(&json!(12)).unwrap(), "12");
        assert_eq!(
            expression_of(&json!({"a": "b"})).unwrap(),
            "json('{\"a\":\"b\"}')"
        );
        assert_eq!(expression_of(&json!("@@home")).unwrap(), "'@home'");
        assert!(expression_of(&json!("@concat(")).is_err());
    }

    #[test]
    fn expressions_become_values_and_back() {
        assert_eq!(value_of_expression("'usmf'"), json!("usmf"));
        assert_eq!(value_of_expression("'@home'"), json!("@@home"));
        assert_eq!(value_of_expression("'a''b'"), json!("a'b"));
        assert_eq!(value_of_expression("'a' "), json!("a"));
        assert_eq!(
            value_of_expression("concat('a', 'b')"),
            json!("@concat('a', 'b')")
        );
        assert_eq!(string_literal("'a' & 'b'"), None);
    }

    #[test]
    fn canonical_forms_agree() {
        assert_eq!(
            canonical(&json!("usmf,@{triggerBody()?['text']}")),
            canonical(&json!("@concat('usmf,', triggerBody()?['text'])"))
        );
        assert_eq!(canonical(&json!("plain")), json!("plain"));
        assert_ne!(canonical(&json!("@a()")), canonical(&json!("@b()")));
    }
}
