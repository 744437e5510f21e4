//! Conversion functions: between strings, numbers, booleans, JSON, base64, data URIs and
//! URI components. Binary results are Logic Apps content envelopes
//! (`{"$content-type": ..., "$content": base64}`), which string functions read as text.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use rust_decimal::Decimal;
use serde_json::Value;

use super::string::parse_float_arg;
use super::{Call, Function, MANY};
use crate::flow::expr::value::{
    Num, base64_decode, base64_encode, binary_content, binary_envelope, describe, to_text,
};

pub(super) const FUNCTIONS: &[Function] = &[
    function!(
        "array",
        "array(value)",
        "An array holding the single value.",
        1,
        1,
        array
    ),
    function!(
        "createArray",
        "createArray(object1, object2, ...)",
        "An array of the values (none: an empty array).",
        0,
        MANY,
        create_array
    ),
    function!(
        "base64",
        "base64(value)",
        "The base64 encoding of a string.",
        1,
        1,
        base64
    ),
    function!(
        "base64ToString",
        "base64ToString(value)",
        "The text of a base64 string.",
        1,
        1,
        base64_to_string
    ),
    function!(
        "decodeBase64",
        "decodeBase64(value)",
        "The text of a base64 string (deprecated: use base64ToString).",
        1,
        1,
        base64_to_string
    ),
    function!(
        "base64ToBinary",
        "base64ToBinary(value)",
        "Binary content from a base64 string.",
        1,
        1,
        base64_to_binary
    ),
    function!(
        "binary",
        "binary(value)",
        "Binary content holding the string's bytes.",
        1,
        1,
        binary
    ),
    function!(
        "bool",
        "bool(value)",
        "The boolean for a value (1, 0, 'true', 'false').",
        1,
        1,
        bool
    ),
    function!(
        "dataUri",
        "dataUri(value)",
        "A data URI (text/plain, base64) for a string.",
        1,
        1,
        data_uri
    ),
    function!(
        "dataUriToBinary",
        "dataUriToBinary(value)",
        "Binary content from a data URI.",
        1,
        1,
        data_uri_to_binary
    ),
    function!(
        "decodeDataUri",
        "decodeDataUri(value)",
        "Binary content from a data URI (prefer dataUriToBinary).",
        1,
        1,
        data_uri_to_binary
    ),
    function!(
        "dataUriToString",
        "dataUriToString(value)",
        "The text of a data URI.",
        1,
        1,
        data_uri_to_string
    ),
    function!(
        "decimal",
        "decimal(value)",
        "The decimal number in a string, with its precision kept.",
        1,
        1,
        decimal
    ),
    function!(
        "float",
        "float(value, locale?)",
        "The floating-point number in a string (invariant culture or locale).",
        1,
        2,
        float
    ),
    function!("int", "int(value)", "The integer in a string.", 1, 1, int),
    function!(
        "string",
        "string(value)",
        "The text of a value (null is '', objects are JSON).",
        1,
        1,
        string
    ),
    function!(
        "json",
        "json(value)",
        "The JSON value in a string (or the JSON form of XML).",
        1,
        1,
        json
    ),
    function!(
        "uriComponent",
        "uriComponent(value)",
        "The string with URL-unsafe characters escaped.",
        1,
        1,
        uri_component
    ),
    function!(
        "encodeUriComponent",
        "encodeUriComponent(value)",
        "The string with URL-unsafe characters escaped (prefer uriComponent).",
        1,
        1,
        uri_component
    ),
    function!(
        "uriComponentToString",
        "uriComponentToString(value)",
        "The string with escape sequences decoded.",
        1,
        1,
        uri_component_to_string
    ),
    function!(
        "decodeUriComponent",
        "decodeUriComponent(value)",
        "The string with escape sequences decoded.",
        1,
        1,
        uri_component_to_string
    ),
    function!(
        "uriComponentToBinary",
        "uriComponentToBinary(value)",
        "Binary content from a URI-encoded string.",
        1,
        1,
        uri_component_to_binary
    ),
];

/// What `Uri.EscapeDataString` keeps: letters, digits and `-_.~`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

const OCTET_STREAM: &str = "application/octet-stream";

fn array(call: &Call) -> Result<Value, String> {
    Ok(Value::Array(vec![call.arg(0).clone()]))
}

fn create_array(call: &Call) -> Result<Value, String> {
    Ok(Value::Array(call.args.clone()))
}

/// The bytes of a string or of binary content.
/// The bytes of argument `i`: binary content, a string's UTF-8, or any other value's text
/// (`binary(3.14)` is the text `3.14`, an object its JSON, as in the cloud); null is an
/// error.
fn bytes(call: &Call, i: usize) -> Result<Vec<u8>, String> {
    match (binary_content(call.arg(i)), call.arg(i)) {
        (Some(bytes), _) => Ok(bytes),
        (None, Value::Null) => call.string(i).map(String::into_bytes),
        (None, other) => Ok(to_text(other).into_bytes()),
    }
}

fn base64(call: &Call) -> Result<Value, String> {
    Ok(Value::String(base64_encode(&bytes(call, 0)?)))
}

fn decoded_base64(call: &Call) -> Result<Vec<u8>, String> {
    match binary_content(call.arg(0)) {
        Some(bytes) => Ok(bytes),
        None => base64_decode(&call.string(0)?).map_err(|m| call.fail(m)),
    }
}

fn base64_to_string(call: &Call) -> Result<Value, String> {
    Ok(Value::String(
        String::from_utf8_lossy(&decoded_base64(call)?).into_owned(),
    ))
}

/// The content as the base64 text given (kept as written, as the cloud keeps it).
fn base64_to_binary(call: &Call) -> Result<Value, String> {
    let bytes = decoded_base64(call)?;
    match call.arg(0) {
        Value::String(text) => {
            Ok(serde_json::json!({"$content-type": OCTET_STREAM, "$content": text}))
        }
        _ => Ok(binary_envelope(&bytes, OCTET_STREAM)),
    }
}

fn binary(call: &Call) -> Result<Value, String> {
    Ok(binary_envelope(&bytes(call, 0)?, OCTET_STREAM))
}

fn bool(call: &Call) -> Result<Value, String> {
    match call.arg(0) {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::Number(n) => Ok(Value::Bool(Num::of_number(n).as_f64() != 0.0)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(f) => Ok(Value::Bool(f != 0.0)),
            Err(_) => Err(call.fail(format!(
                "'{s}' is not a boolean (expected true, false or a number)"
            ))),
        },
        _ => Err(call.type_error(0, "a boolean, a number or a string")),
    }
}

fn data_uri(call: &Call) -> Result<Value, String> {
    let value = call.arg(0);
    let content_type = match value.get("$content-type").and_then(Value::as_str) {
        Some(content_type) => content_type.to_owned(),
        None if matches!(value, Value::String(_)) => "text/plain;charset=utf-8".to_owned(),
        // Any other value is written as JSON.
        None => "application/json;charset=utf-8".to_owned(),
    };
    Ok(Value::String(format!(
        "data:{content_type};base64,{}",
        base64_encode(&bytes(call, 0)?)
    )))
}

/// A `data:[<mediatype>][;base64],<data>` URI read as the cloud reads it.
struct DataUri {
    /// The media type and its parameters (`text/plain` when none is given).
    media: String,
    /// The base64 text as written, when the URI says `;base64` last.
    base64: Option<String>,
    /// The content, or why the base64 text cannot be decoded (`dataUriToBinary` keeps the
    /// text as written all the same; `dataUriToString` fails).
    bytes: Result<Vec<u8>, String>,
}

/// Reads a data URI: the scheme in any case, `;base64` only as the last parameter (or alone,
/// `data:base64,`), base64 data kept as written, other data form-decoded (`%xx`, `+` for a
/// space). An empty parameter (`data:;;,x`) or a media type that is not `type/subtype` is an
/// error.
fn parse_data_uri(call: &Call) -> Result<DataUri, String> {
    let text = call.string(0)?;
    let bad = |why: &str| call.fail(format!("'{text}' is not a data URI ({why})"));
    let rest = text
        .get(..5)
        .filter(|scheme| scheme.eq_ignore_ascii_case("data:"))
        .map(|_| &text[5..])
        .ok_or_else(|| bad("it must start with 'data:'"))?;
    let (meta, data) = rest
        .split_once(',')
        .ok_or_else(|| bad("a ',' before the data is missing"))?;
    let mut parts: Vec<&str> = meta.split(';').collect();
    let is_base64 = parts
        .last()
        .is_some_and(|last| last.eq_ignore_ascii_case("base64"));
    if is_base64 {
        parts.pop();
    }
    if parts.len() > 1 && parts.iter().any(|p| p.is_empty()) {
        return Err(bad("an empty parameter"));
    }
    let media_type = parts.first().copied().unwrap_or("");
    if !media_type.is_empty() && media_type.split('/').count() != 2 {
        return Err(bad(&format!(
            "expected a media type such as text/plain, found '{media_type}'"
        )));
    }
    // The cloud reads a charset only right after the media type.
    if let Some(charset) = parts.get(1).and_then(|p| {
        p.split_once('=')
            .filter(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, value)| value.trim().trim_matches('"'))
    }) && !super::xml_rules::known_charset(charset)
    {
        return Err(bad(&format!(
            "'{charset}' is not a character set .NET reads"
        )));
    }
    let media = if media_type.is_empty() && parts.len() <= 1 {
        "text/plain".to_owned()
    } else {
        parts.join(";")
    };
    if is_base64 {
        return Ok(DataUri {
            media,
            base64: Some(data.to_owned()),
            bytes: base64_decode(data).map_err(|m| call.fail(m)),
        });
    }
    let spaced = data.replace('+', " ");
    Ok(DataUri {
        media,
        base64: None,
        bytes: Ok(percent_decode_str(&spaced).collect()),
    })
}

fn data_uri_to_binary(call: &Call) -> Result<Value, String> {
    let uri = parse_data_uri(call)?;
    Ok(match uri.base64 {
        // The cloud keeps the base64 text as written, even one it cannot decode.
        Some(text) => serde_json::json!({"$content-type": uri.media, "$content": text}),
        None => binary_envelope(&uri.bytes?, &uri.media),
    })
}

fn data_uri_to_string(call: &Call) -> Result<Value, String> {
    let uri = parse_data_uri(call)?;
    Ok(Value::String(
        String::from_utf8_lossy(&uri.bytes?).into_owned(),
    ))
}

/// Reads a decimal as .NET's `decimal.Parse(text, NumberStyles.Number, invariant)` does:
/// white space around, a leading or trailing sign, `,` between digits of the integer part, a
/// `.` fraction; no exponent.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let (s, negative) = crate::flow::expr::numfmt::split_sign(text.trim())?;
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let digits_only = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if whole.starts_with(',')
        || !whole.chars().all(|c| c.is_ascii_digit() || c == ',')
        || !digits_only(fraction)
        || whole.len() + fraction.len() == 0
        || whole.replace(',', "").len() + fraction.len() == 0
    {
        return None;
    }
    let sign = if negative { "-" } else { "" };
    let whole = whole.replace(',', "");
    let whole = if whole.is_empty() { "0" } else { &whole };
    let number = if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    };
    number.parse::<Decimal>().ok()
}

fn decimal(call: &Call) -> Result<Value, String> {
    if let Value::Number(n) = call.arg(0) {
        return Ok(Value::Number(n.clone()));
    }
    let text = call.number_text(0)?;
    let parsed = parse_decimal(&text)
        .ok_or_else(|| call.fail(format!("'{text}' is not a decimal number")))?;
    // Keep the digits as written (the JSON number is its text).
    let mut normal = parsed.to_string();
    if !normal.contains('.') {
        normal.push_str(".0");
    }
    serde_json::from_str::<serde_json::Number>(&normal)
        .map(Value::Number)
        .map_err(|_| call.fail(format!("'{text}' is not a decimal number")))
}

fn float(call: &Call) -> Result<Value, String> {
    if let Some(n) = Num::of(call.arg(0)) {
        return Num::Float(n.as_f64()).to_value().map_err(|m| call.fail(m));
    }
    let text = call.number_text(0)?;
    let locale = call.opt_string(1)?;
    parse_float_arg(call, &text, locale.as_deref())?
        .to_value()
        .map_err(|m| call.fail(m))
}

fn int(call: &Call) -> Result<Value, String> {
    match call.arg(0) {
        Value::Number(n) => match Num::of_number(n) {
            Num::Int(i) => Ok(Value::from(i)),
            other => {
                let f = other.as_f64();
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    Ok(Value::from(f as i64))
                } else {
                    Err(call.fail(format!("{n} is not an integer")))
                }
            }
        },
        Value::Bool(b) => Ok(Value::from(i64::from(*b))),
        // As the cloud: the text is read as a double (`int('1.0')` is 1, `int('1,000')` is
        // 1000, 17 digits and more are rounded to a double's) that must have no fraction.
        _ => {
            let text = call.number_text(0)?;
            // No trailing sign here (`float` takes one).
            if text.trim_end().ends_with(['-', '+']) {
                return Err(call.fail(format!("'{text}' is not an integer")));
            }
            let number = crate::flow::expr::numfmt::parse_float(&text, None)
                .map_err(|m| call.fail(m))?
                .ok_or_else(|| call.fail(format!("'{text}' is not an integer")))?;
            const LIMIT: f64 = 9_223_372_036_854_775_808.0;
            if number.fract() != 0.0 {
                return Err(call.fail(format!("'{text}' is not an integer")));
            }
            if !(-LIMIT..LIMIT).contains(&number) {
                return Err(call.fail(format!("'{text}' is out of the range of a 64-bit integer")));
            }
            // In range and whole: checked above.
            Ok(Value::from(number as i64))
        }
    }
}

fn string(call: &Call) -> Result<Value, String> {
    Ok(Value::String(to_text(call.arg(0))))
}

/// XML as Newtonsoft writes it in JSON; the text must be in an encoding .NET reads.
fn json_of_xml(call: &Call, text: &str) -> Result<Value, String> {
    let document = super::xml::xml_to_json(text).map_err(|m| call.fail(m))?;
    super::xml_rules::check_encoding(&document).map_err(|m| call.fail(m))?;
    Ok(document)
}

fn json(call: &Call) -> Result<Value, String> {
    let value = call.arg(0);
    if let Some(content_type) = value.get("$content-type").and_then(Value::as_str)
        && content_type.to_ascii_lowercase().contains("xml")
    {
        let text = call.string(0)?;
        return json_of_xml(call, &text);
    }
    match value {
        // As the cloud: "expects its parameter to be a string or an XML".
        Value::Null | Value::Bool(_) | Value::Number(_) => Err(call.fail(format!(
            "expected a string or XML, found {}",
            describe(value)
        ))),
        Value::Object(_) | Value::Array(_) if binary_content(value).is_none() => Err(call.fail(
            format!("expected a string or XML, found {}", describe(value)),
        )),
        _ => {
            let text = call.string(0)?;
            let trimmed = text.trim_start();
            if trimmed.starts_with('<') {
                return json_of_xml(call, &text);
            }
            super::json_text::parse(&text)
                .map_err(|e| call.fail(format!("the string is not valid JSON: {e}")))
        }
    }
}

fn uri_component(call: &Call) -> Result<Value, String> {
    Ok(Value::String(
        utf8_percent_encode(&to_text(call.arg(0)), COMPONENT).to_string(),
    ))
}

fn uri_component_to_string(call: &Call) -> Result<Value, String> {
    let text = call.string(0)?;
    Ok(Value::String(
        percent_decode_str(&text).decode_utf8_lossy().into_owned(),
    ))
}

fn uri_component_to_binary(call: &Call) -> Result<Value, String> {
    let text = call.string(0)?;
    let bytes: Vec<u8> = percent_decode_str(&text).collect();
    Ok(binary_envelope(&bytes, OCTET_STREAM))
}
