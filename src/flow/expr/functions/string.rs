//! String functions: concat, substring, slice, replace, split, case, trim, searching
//! (indexOf and friends ignore case, as WDL documents), guid, formatNumber, isInt, isFloat.

use serde_json::Value;

use super::{Call, Function, MANY, chars};
use crate::flow::expr::numfmt;
use crate::flow::expr::value::{Num, to_text};

pub(super) const FUNCTIONS: &[Function] = &[
    function!(
        "concat",
        "concat(text1, text2, ...)",
        "Combine strings (other values as their text) into one string.",
        1,
        MANY,
        concat
    ),
    function!(
        "substring",
        "substring(text, startIndex, length?)",
        "Characters from startIndex, length of them (or to the end).",
        2,
        3,
        substring
    ),
    function!(
        "slice",
        "slice(text, startIndex, endIndex?)",
        "Characters from startIndex up to endIndex (exclusive); negative indexes count from the end.",
        2,
        3,
        slice
    ),
    function!(
        "replace",
        "replace(text, oldText, newText)",
        "Replace every occurrence of oldText (case-sensitive).",
        3,
        3,
        replace
    ),
    function!(
        "split",
        "split(text, delimiter)",
        "Split a string into an array at each delimiter.",
        2,
        2,
        split
    ),
    function!(
        "toLower",
        "toLower(text)",
        "The string in lowercase.",
        1,
        1,
        to_lower
    ),
    function!(
        "toUpper",
        "toUpper(text)",
        "The string in uppercase.",
        1,
        1,
        to_upper
    ),
    function!(
        "trim",
        "trim(text)",
        "Remove leading and trailing whitespace.",
        1,
        1,
        trim
    ),
    function!(
        "indexOf",
        "indexOf(text, searchText)",
        "Position of the first occurrence (ignoring case), or -1.",
        2,
        2,
        index_of
    ),
    function!(
        "lastIndexOf",
        "lastIndexOf(text, searchText)",
        "Position of the last occurrence (ignoring case), or -1.",
        2,
        2,
        last_index_of
    ),
    function!(
        "nthIndexOf",
        "nthIndexOf(text, searchText, occurrence)",
        "Position of the nth occurrence (negative n counts from the end), or -1.",
        3,
        3,
        nth_index_of
    ),
    function!(
        "startsWith",
        "startsWith(text, searchText)",
        "Whether the string starts with searchText (ignoring case).",
        2,
        2,
        starts_with
    ),
    function!(
        "endsWith",
        "endsWith(text, searchText)",
        "Whether the string ends with searchText (ignoring case).",
        2,
        2,
        ends_with
    ),
    function!(
        "guid",
        "guid(format?)",
        "A new GUID as a string; format N, D (default), B, P or X.",
        0,
        1,
        guid
    ),
    function!(
        "formatNumber",
        "formatNumber(number, format, locale?)",
        "A number as text with a .NET numeric format string.",
        2,
        3,
        format_number
    ),
    function!(
        "isInt",
        "isInt(text)",
        "Whether the string is an integer.",
        1,
        1,
        is_int
    ),
    function!(
        "isFloat",
        "isFloat(text, locale?)",
        "Whether the string is a floating-point number (invariant culture or locale).",
        1,
        2,
        is_float
    ),
];

fn concat(call: &Call) -> Result<Value, String> {
    Ok(Value::String(call.args.iter().map(to_text).collect()))
}

fn substring(call: &Call) -> Result<Value, String> {
    let text = chars(&call.string(0)?);
    let start = call.int(1)?;
    let len = text.len() as i64;
    if start < 0 || start > len {
        return Err(call.fail(format!(
            "the start index {start} must be between 0 and the length of the string ({len})"
        )));
    }
    let length = if call.has(2) {
        call.int(2)?
    } else {
        len - start
    };
    if length < 0 || start + length > len {
        return Err(call.fail(format!(
            "the start index {start} plus the length {length} must not pass the end of the string (length {len})"
        )));
    }
    Ok(Value::String(
        text[start as usize..(start + length) as usize]
            .iter()
            .collect(),
    ))
}

fn slice(call: &Call) -> Result<Value, String> {
    let text = chars(&call.string(0)?);
    let len = text.len() as i64;
    let clamp = |index: i64| {
        if index < 0 {
            (len + index).max(0)
        } else {
            index.min(len)
        }
    };
    let start = clamp(call.int(1)?);
    let end = if call.has(2) {
        clamp(call.int(2)?)
    } else {
        len
    };
    if start >= end {
        return Ok(Value::String(String::new()));
    }
    Ok(Value::String(
        text[start as usize..end as usize].iter().collect(),
    ))
}

fn replace(call: &Call) -> Result<Value, String> {
    let text = call.string(0)?;
    let old = call.string(1)?;
    let new = to_text(call.arg(2));
    if old.is_empty() {
        return Err(call.fail("the text to replace (argument 2) must not be empty"));
    }
    Ok(Value::String(text.replace(&old, &new)))
}

fn split(call: &Call) -> Result<Value, String> {
    let text = call.string(0)?;
    let delimiter = call.string(1)?;
    if delimiter.is_empty() {
        return Ok(Value::Array(vec![Value::String(text)]));
    }
    Ok(Value::Array(
        text.split(delimiter.as_str())
            .map(|part| Value::String(part.into()))
            .collect(),
    ))
}

/// The text of argument `i`, which must be a string: binary or XML content is refused, as
/// the cloud's `toLower`, `toUpper` and `trim` refuse it.
fn text_only(call: &Call, i: usize) -> Result<String, String> {
    match call.arg(i) {
        Value::String(text) => Ok(text.clone()),
        _ => Err(call.type_error(i, "a string")),
    }
}

/// Changes case as .NET's invariant culture does: one character for one, so a character
/// whose other case is longer (`ß`, `İ`) and the dotless `ı` stay as they are.
fn invariant_case(text: &str, upper: bool) -> String {
    text.chars()
        .map(|c| {
            if c == '\u{131}' || c == '\u{130}' {
                return c;
            }
            let mut changed: Vec<char> = if upper {
                c.to_uppercase().collect()
            } else {
                c.to_lowercase().collect()
            };
            match changed.len() {
                1 => changed.pop().unwrap_or(c),
                _ => c,
            }
        })
        .collect()
}

fn to_lower(call: &Call) -> Result<Value, String> {
    Ok(Value::String(invariant_case(&text_only(call, 0)?, false)))
}

fn to_upper(call: &Call) -> Result<Value, String> {
    Ok(Value::String(invariant_case(&text_only(call, 0)?, true)))
}

fn trim(call: &Call) -> Result<Value, String> {
    Ok(Value::String(text_only(call, 0)?.trim().to_string()))
}

/// Lowercases character by character, keeping one character per character so positions
/// stay the same.
fn folded(text: &str) -> Vec<char> {
    text.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// Every position where `needle` occurs in `haystack` (ignoring case), left to right.
fn occurrences(haystack: &str, needle: &str) -> Vec<usize> {
    let hay = folded(haystack);
    let pin = folded(needle);
    if pin.is_empty() {
        return (0..=hay.len()).collect();
    }
    if pin.len() > hay.len() {
        return Vec::new();
    }
    (0..=hay.len() - pin.len())
        .filter(|&i| hay[i..i + pin.len()] == pin[..])
        .collect()
}

fn index_of(call: &Call) -> Result<Value, String> {
    let found = occurrences(&call.string(0)?, &call.string(1)?);
    Ok(Value::from(found.first().map_or(-1, |&i| i as i64)))
}

fn last_index_of(call: &Call) -> Result<Value, String> {
    let text = call.string(0)?;
    let search = call.string(1)?;
    let len = text.chars().count() as i64;
    // Documented: empty text gives -1, both empty 0, empty search the length minus one.
    if search.is_empty() {
        return Ok(Value::from(if len == 0 { 0 } else { len - 1 }));
    }
    let found = occurrences(&text, &search);
    Ok(Value::from(found.last().map_or(-1, |&i| i as i64)))
}

fn nth_index_of(call: &Call) -> Result<Value, String> {
    let found = occurrences(&call.string(0)?, &call.string(1)?);
    let n = call.int(2)?;
    if n == 0 {
        return Err(call.fail("the occurrence (argument 3) must not be 0"));
    }
    let index = if n > 0 {
        found.get((n - 1) as usize)
    } else {
        found
            .len()
            .checked_sub(n.unsigned_abs() as usize)
            .and_then(|i| found.get(i))
    };
    Ok(Value::from(index.map_or(-1, |&i| i as i64)))
}

fn starts_with(call: &Call) -> Result<Value, String> {
    let text = folded(&call.string(0)?);
    let search = folded(&call.string(1)?);
    Ok(Value::Bool(text.starts_with(&search)))
}

fn ends_with(call: &Call) -> Result<Value, String> {
    let text = folded(&call.string(0)?);
    let search = folded(&call.string(1)?);
    Ok(Value::Bool(text.ends_with(&search)))
}

fn guid(call: &Call) -> Result<Value, String> {
    let id = uuid::Uuid::new_v4();
    let format = call.opt_string(0)?.unwrap_or_else(|| "D".into());
    let hyphenated = id.hyphenated().to_string();
    let text = match format.as_str() {
        "D" | "d" => hyphenated,
        "N" | "n" => id.simple().to_string(),
        "B" | "b" => format!("{{{hyphenated}}}"),
        "P" | "p" => format!("({hyphenated})"),
        "X" | "x" => {
            let b = id.as_bytes();
            let hex = |range: std::ops::Range<usize>| {
                range.map(|i| format!("{:02x}", b[i])).collect::<String>()
            };
            let tail: Vec<String> = (8..16).map(|i| format!("0x{:02x}", b[i])).collect();
            format!(
                "{{0x{},0x{},0x{},{{{}}}}}",
                hex(0..4),
                hex(4..6),
                hex(6..8),
                tail.join(",")
            )
        }
        other => return Err(call.fail(format!("the format '{other}' is not one of N, D, B, P, X"))),
    };
    Ok(Value::String(text))
}

fn format_number(call: &Call) -> Result<Value, String> {
    let number = call.num(0)?;
    let format = call.string(1)?;
    let locale = call.opt_string(2)?;
    numfmt::format(number, &format, locale.as_deref())
        .map(Value::String)
        .map_err(|m| call.fail(m))
}

fn is_int(call: &Call) -> Result<Value, String> {
    let text = call.string(0)?;
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    Ok(Value::Bool(
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && trimmed.parse::<i64>().is_ok(),
    ))
}

fn is_float(call: &Call) -> Result<Value, String> {
    let text = call.string(0)?;
    let locale = call.opt_string(1)?;
    let parsed = numfmt::parse_float(&text, locale.as_deref()).map_err(|m| call.fail(m))?;
    Ok(Value::Bool(parsed.is_some() || not_finite(&text)))
}

/// `NaN`, `Infinity` or `-Infinity` (any case, `∞` too), which .NET reads as doubles.
fn not_finite(text: &str) -> bool {
    let text = text.trim();
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    text.eq_ignore_ascii_case("nan")
        || unsigned.eq_ignore_ascii_case("infinity")
        || unsigned == "\u{221e}"
}

/// Used by `float()`: the parsed number, or an error naming the text.
pub(super) fn parse_float_arg(
    call: &Call,
    text: &str,
    locale: Option<&str>,
) -> Result<Num, String> {
    match numfmt::parse_float(text, locale).map_err(|m| call.fail(m))? {
        Some(f) => Ok(Num::Float(f)),
        None if not_finite(text) => Err(call.fail(format!(
            "'{text}' is a double that is not finite, which a JSON value cannot hold"
        ))),
        None => Err(call.fail(format!("'{text}' is not a valid floating-point number"))),
    }
}
