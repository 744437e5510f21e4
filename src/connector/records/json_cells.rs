//! The CSV cell of one JSON value given as its text, as the value path writes it
//! ([`super::cell_text`]): strings unescaped, numbers with their exact text, `null` empty,
//! nested values as compact JSON.

use super::OutputError;
use super::csv_bytes::push_field;
use crate::odata::json_strict;

/// Appends the cell of the JSON value `text`.
pub(super) fn push_cell(buf: &mut Vec<u8>, text: &str) -> Result<(), OutputError> {
    match text.as_bytes().first() {
        Some(b'"') => push_string(buf, text, text.contains('\\')),
        Some(b'{' | b'[') => push_nested(buf, text),
        _ => {
            push_scalar(buf, text);
            Ok(())
        }
    }
}

/// A string's cell; `escaped`: whether its text holds a backslash.
pub(super) fn push_string(buf: &mut Vec<u8>, text: &str, escaped: bool) -> Result<(), OutputError> {
    if !escaped {
        push_field(buf, &text.as_bytes()[1..text.len() - 1]);
        return Ok(());
    }
    let unescaped: String =
        serde_json::from_str(text).map_err(|e| OutputError::Record(e.to_string()))?;
    push_field(buf, unescaped.as_bytes());
    Ok(())
}

/// An object's or array's cell: compact JSON, duplicate properties refused at any depth.
pub(super) fn push_nested(buf: &mut Vec<u8>, text: &str) -> Result<(), OutputError> {
    let nested =
        json_strict::from_slice(text.as_bytes()).map_err(|e| OutputError::Record(e.to_string()))?;
    push_field(buf, nested.to_string().as_bytes());
    Ok(())
}

/// The cell of `null` (empty), `true`, `false` or a number (its text; an exponent as
/// serde_json keeps it: `1E5` → `1e+5`).
pub(super) fn push_scalar(buf: &mut Vec<u8>, text: &str) {
    match text.as_bytes().first() {
        Some(b'n') => {}
        Some(b'-' | b'0'..=b'9') if text.bytes().any(|b| b == b'e' || b == b'E') => {
            push_field(buf, exponent_as_values_keep_it(text).as_bytes());
        }
        _ => push_field(buf, text.as_bytes()),
    }
}

/// A number with an exponent as serde_json's values write it: `e`, and `+` before a
/// positive exponent.
pub(super) fn exponent_as_values_keep_it(number: &str) -> String {
    let mut out = String::with_capacity(number.len() + 1);
    let mut chars = number.chars().peekable();
    while let Some(c) = chars.next() {
        if c == 'e' || c == 'E' {
            out.push('e');
            if chars.peek().is_some_and(char::is_ascii_digit) {
                out.push('+');
            }
        } else {
            out.push(c);
        }
    }
    out
}
