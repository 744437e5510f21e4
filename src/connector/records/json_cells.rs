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

/// A string's cell; `escaped`: whether its text holds a backslash (then, or when the text
/// is not a whole string, the JSON decoder reads it, and refuses what is no string).
pub(super) fn push_string(buf: &mut Vec<u8>, text: &str, escaped: bool) -> Result<(), OutputError> {
    let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'));
    if let (false, Some(inner)) = (escaped, inner) {
        push_field(buf, inner.as_bytes());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> Result<String, OutputError> {
        let mut buf = Vec::new();
        push_cell(&mut buf, text).map(|()| String::from_utf8(buf).unwrap())
    }

    #[test]
    fn cells_of_json_values() {
        assert_eq!(cell(r#""plain""#).unwrap(), "plain");
        assert_eq!(cell(r#""a, \"b\"""#).unwrap(), r#""a, ""b""""#);
        assert_eq!(cell(r#""""#).unwrap(), "");
        assert_eq!(cell("null").unwrap(), "");
        assert_eq!(cell("-1.50").unwrap(), "-1.50");
        assert_eq!(cell("2E-3").unwrap(), "2e-3");
        assert_eq!(cell("1E5").unwrap(), "1e+5");
        assert_eq!(cell("true").unwrap(), "true");
        assert_eq!(
            cell(r#"{"a": [1, "x"]}"#).unwrap(),
            r#""{""a"":[1,""x""]}""#
        );
    }

    #[test]
    fn text_that_is_no_whole_value_is_refused_not_cut() {
        for text in ["\"", "\"open", r#"{"a": 1, "a": 2}"#, r#""bad \q escape""#] {
            assert!(
                matches!(cell(text), Err(OutputError::Record(_))),
                "{text}: {:?}",
                cell(text).map_err(|e| e.to_string())
            );
        }
    }
}
